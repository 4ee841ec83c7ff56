/* warroom_follow.c: the war room's incident on the worker (warroom.h,
 * warroom_int.h): joining and leaving (presence, the driver key), the
 * stream (XADD with MAXLEN ~, XREAD from the last id seen), who is here
 * (SCAN MATCH + MGET of the presence keys), the driver key refreshed,
 * handed over and taken by compare-and-set scripts run by Redis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_num.h"
#include "warroom_int.h"
#include "xmalloc.h"

/* Compare-and-set scripts run by Redis: the driver key changes only while
 * it still holds the session we expect. */
static const char wr_lua_refresh[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
static const char wr_lua_handover[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 "
    "else return 0 end";
static const char wr_lua_release[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('DEL', KEYS[1]) else return 0 end";

#define WR_SCAN_ROUNDS	256	/* of COUNT 500: a keyspace of 128k keys */
#define WR_SCAN_KEYS	256
#define WR_XREAD_ROUNDS	20

/* The worker: the driver key and presence -------------------------------- */

static const char *
wr_role_name(enum wr_role r)
{
	return (r == WR_DRIVING ? "driving" : "watching");
}

/* A failed command: -1; an error reply is kept for the view. */
int
wr_failed(struct warroom *wr)
{
	if (wr->conn.ctx != NULL)
		strlcpy_(wr->cmd_err, wr->conn.err, sizeof wr->cmd_err);
	return (-1);
}

int
wr_driver_set_nx(struct warroom *wr, const char *inc, int *got)
{
	char		*key = wr_key_inc(wr->prefix, inc, "driver"), ttl[16];
	redisReply	*r;

	snprintf(ttl, sizeof ttl, "%d", wr->presence_ttl_ms);
	r = wr_conn_cmdl(&wr->conn, "SET", key, wr->self.session, "NX", "PX",
	    ttl, (char *)NULL);
	free(key);
	if (r == NULL)
		return (wr_failed(wr));
	*got = r->type == REDIS_REPLY_STATUS;
	if (*got)
		wr->was_driver = 1;
	freeReplyObject(r);
	return (0);
}

/* EVAL script 1 PREFIX inc:INC:driver args...: the integer reply. */
static int
wr_driver_eval(struct warroom *wr, const char *script, const char *inc,
    const char *a1, const char *a2, const char *a3, long long *out)
{
	char		*key = wr_key_inc(wr->prefix, inc, "driver");
	redisReply	*r;

	/* a2 and a3 may be NULL: the list ends there. */
	r = wr_conn_cmdl(&wr->conn, "EVAL", script, "1", key, a1, a2, a3,
	    (char *)NULL);
	free(key);
	if (r == NULL)
		return (wr_failed(wr));
	*out = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
	freeReplyObject(r);
	return (0);
}

static int
wr_presence_set(struct warroom *wr, enum wr_role role)
{
	char		*key, *json, ttl[16];
	cJSON		*o = cJSON_CreateObject();
	int		 rc;

	cJSON_AddItemToObject(o, "who", wr_identity_json(&wr->self));
	cJSON_AddStringToObject(o, "role", wr_role_name(role));
	cJSON_AddNumberToObject(o, "since", (double)wr->since_ms);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL)
		fatalx("war room: out of memory");
	xasprintf(&key, "%sinc:%s:presence:%s", wr->prefix, wr->have_inc,
	    wr->self.session);
	snprintf(ttl, sizeof ttl, "%d", wr->presence_ttl_ms);
	rc = wr_conn_dol(&wr->conn, "SET", key, json, "PX", ttl, (char *)NULL);
	free(key);
	cJSON_free(json);
	return (rc != 0 ? wr_failed(wr) : 0);
}

/* Leave inc: our presence goes, the driver key too if it is ours. */
static int
wr_leave_inc(struct warroom *wr, const char *inc)
{
	char		*key;
	long long	 n;
	int		 rc;

	xasprintf(&key, "%sinc:%s:presence:%s", wr->prefix, inc,
	    wr->self.session);
	rc = wr_conn_dol(&wr->conn, "DEL", key, (char *)NULL);
	free(key);
	if (rc != 0 && wr->conn.ctx == NULL)
		return (-1);
	wr->was_driver = 0;
	return (wr_driver_eval(wr, wr_lua_release, inc, wr->self.session, NULL,
	    NULL, &n));
}

/* Make Redis have what the caller asked for: the incident and the role. */
int
wr_membership(struct warroom *wr)
{
	char		want[sizeof wr->want_inc];
	enum wr_role	role;
	int		got;

	pthread_mutex_lock(&wr->lock);
	strlcpy_(want, wr->want_inc, sizeof want);
	role = wr->want_role;
	pthread_mutex_unlock(&wr->lock);
	if (strcmp(want, wr->have_inc) == 0) {
		/* Asked to drive again: take the wheel if it is free. */
		if (want[0] == '\0' || role == wr->have_role)
			return (0);
		wr->have_role = role;
		return (role == WR_DRIVING ? wr_driver_set_nx(wr, want, &got) :
		    0);
	}
	if (wr->have_inc[0] != '\0' && wr_leave_inc(wr, wr->have_inc) != 0 &&
	    wr->conn.ctx == NULL)
		return (-1);
	strlcpy_(wr->have_inc, want, sizeof wr->have_inc);
	wr->have_role = role;
	wr->next_tick_ms = wr->next_slow_ms = 0;
	strlcpy_(wr->last_id, "0-0", sizeof wr->last_id);
	wr->since_ms = now_ms();
	wr->next_presence_ms = 0;
	wr->wv.npeople = 0;
	wr->wv.driver[0] = wr->wv.driver_name[0] = '\0';
	wr->wv.role = want[0] != '\0' ? WR_WATCHING : WR_NONE;
	pthread_mutex_lock(&wr->lock);
	wr_strv_free(wr->take, wr->ntake);
	wr->take = NULL;
	wr->ntake = 0;
	wr->view.records = 0;
	wr->view.generation++;
	pthread_mutex_unlock(&wr->lock);
	if (want[0] == '\0' || role != WR_DRIVING)
		return (0);
	return (wr_driver_set_nx(wr, want, &got));
}

/* The stream ------------------------------------------------------------- */

static const char *
wr_entry_rec(const redisReply *fields, size_t *len)
{
	size_t	i;

	if (fields->type != REDIS_REPLY_ARRAY)
		return (NULL);
	for (i = 0; i + 1 < fields->elements; i += 2) {
		if (fields->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(fields->element[i]->str, "rec") == 0 &&
		    fields->element[i + 1]->type == REDIS_REPLY_STRING) {
			*len = fields->element[i + 1]->len;
			return (fields->element[i + 1]->str);
		}
	}
	return (NULL);
}

/* Append the entries of one XREAD reply to the records to take; their
 * number. */
static int
wr_stream_entries(struct warroom *wr, const redisReply *r)
{
	const redisReply	*entries, *e;
	const char		*rec;
	size_t			 i, len;
	int			 n = 0;

	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
	    r->element[0]->type != REDIS_REPLY_ARRAY ||
	    r->element[0]->elements < 2)
		return (0);
	entries = r->element[0]->element[1];
	pthread_mutex_lock(&wr->lock);
	for (i = 0; entries->type == REDIS_REPLY_ARRAY &&
	    i < entries->elements; i++) {
		e = entries->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
		    e->element[0]->type != REDIS_REPLY_STRING)
			continue;
		strlcpy_(wr->last_id, e->element[0]->str, sizeof wr->last_id);
		n++;
		if ((rec = wr_entry_rec(e->element[1], &len)) == NULL)
			continue;
		if (wr->ntake == WR_TAKE_MAX) {
			free(wr->take[0]);
			memmove(wr->take, wr->take + 1, (size_t)--wr->ntake *
			    sizeof *wr->take);
		}
		wr->take = xreallocarray(wr->take, (size_t)wr->ntake + 1,
		    sizeof *wr->take);
		wr->take[wr->ntake++] = xstrndup(rec, len);
		wr->view.records++;
	}
	wr->view.generation += n > 0;
	if (n > 0)
		wr_wake(wr);
	pthread_mutex_unlock(&wr->lock);
	return (n);
}

/* Everything after the last id seen (a late joiner starts at 0-0). */
static int
wr_stream_read(struct warroom *wr)
{
	char		*key = wr_key_inc(wr->prefix, wr->have_inc, "log");
	redisReply	*r;
	int		 round, n, rc = 0;

	for (round = 0; round < WR_XREAD_ROUNDS; round++) {
		r = wr_conn_cmdl(&wr->conn, "XREAD", "COUNT", WR_XREAD_COUNT,
		    "STREAMS", key, wr->last_id, (char *)NULL);
		if (r == NULL) {
			rc = wr_failed(wr);
			break;
		}
		n = r->type == REDIS_REPLY_ARRAY ? wr_stream_entries(wr, r) : 0;
		freeReplyObject(r);
		if (n < atoi(WR_XREAD_COUNT))
			break;
	}
	free(key);
	return (rc);
}

int
wr_publish(struct warroom *wr, const struct wr_job *j)
{
	char	*key = wr_key_inc(wr->prefix, j->incident, "log");
	char	 maxlen[16];
	int	 rc;

	snprintf(maxlen, sizeof maxlen, "%d", wr->maxlen);
	rc = wr_conn_dol(&wr->conn, "XADD", key, "MAXLEN", "~", maxlen, "*",
	    "rec", j->text, "origin", wr->self.session, (char *)NULL);
	free(key);
	return (rc != 0 ? wr_failed(wr) : 0);
}

/* Presence: who is here ---------------------------------------------------- */

/* s with the glob characters of MATCH escaped. */
static void
wr_glob_escape(char *buf, size_t len, const char *s)
{
	size_t	o = 0;

	for (; *s != '\0' && o + 3 < len; s++) {
		if (strchr("*?[]\\", *s) != NULL)
			buf[o++] = '\\';
		buf[o++] = *s;
	}
	buf[o] = '\0';
}

static int
wr_people_cmp(const void *a, const void *b)
{
	const struct wr_presence	*pa = a, *pb = b;

	if (pa->since_ms != pb->since_ms)
		return (pa->since_ms < pb->since_ms ? -1 : 1);
	return (strcmp(pa->who.session, pb->who.session));
}

int
wr_presence_parse(const char *s, struct wr_presence *p)
{
	cJSON		*o = cJSON_Parse(s);
	int		 rc = -1;

	memset(p, 0, sizeof *p);
	if (o != NULL && wr_identity_from_json(cJSON_GetObjectItemCaseSensitive(
	    o, "who"), &p->who) == 0) {
		p->since_ms = json_int64(o, "since", 0);
		rc = 0;
	}
	cJSON_Delete(o);
	return (rc);
}

/* The values of keys (MGET) into the view's people. */
static int
wr_presence_get(struct warroom *wr, char **keys, int nkeys,
    struct wr_view *v)
{
	const char	**argv = xcalloc((size_t)nkeys + 1, sizeof *argv);
	redisReply	 *r;
	size_t		  i;

	argv[0] = "MGET";
	for (i = 0; i < (size_t)nkeys; i++)
		argv[i + 1] = keys[i];
	r = wr_conn_cmd(&wr->conn, nkeys + 1, argv);
	free(argv);
	if (r == NULL)
		return (wr_failed(wr));
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements &&
	    v->npeople < WR_PRESENCE_MAX; i++) {
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    wr_presence_parse(r->element[i]->str,
		    &v->people[v->npeople]) == 0)
			v->npeople++;
	}
	freeReplyObject(r);
	return (0);
}

/* SCAN MATCH PREFIX inc:INC:presence:* into keys; their number or -1. */
static int
wr_presence_scan(struct warroom *wr, char ***keysp)
{
	char		 esc[512], *pattern, cursor[32] = "0", **keys = NULL;
	redisReply	*r;
	size_t		 i;
	int		 round, n = 0;

	xasprintf(&pattern, "%sinc:%s:presence:", wr->prefix, wr->have_inc);
	wr_glob_escape(esc, sizeof esc - 1, pattern);
	free(pattern);
	snprintf(esc + strlen(esc), sizeof esc - strlen(esc), "*");
	for (round = 0; round < WR_SCAN_ROUNDS; round++) {
		r = wr_conn_cmdl(&wr->conn, "SCAN", cursor, "MATCH", esc,
		    "COUNT", "500", (char *)NULL);
		if (r == NULL) {
			wr_strv_free(keys, n);
			return (wr_failed(wr));
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
			freeReplyObject(r);
			break;
		}
		strlcpy_(cursor, r->element[0]->str, sizeof cursor);
		for (i = 0; i < r->element[1]->elements &&
		    n < WR_SCAN_KEYS; i++) {
			keys = xreallocarray(keys, (size_t)n + 1,
			    sizeof *keys);
			keys[n++] = xstrdup(r->element[1]->element[i]->str);
		}
		freeReplyObject(r);
		if (strcmp(cursor, "0") == 0)
			break;
	}
	*keysp = keys;
	return (n);
}

/* Who is here (SCAN on the slow ticks only), and who drives. */
static int
wr_presence_read(struct warroom *wr, struct wr_view *v)
{
	char	**keys = NULL;
	int	  i, n, rc = 0;

	if (wr->slow) {
		v->npeople = 0;
		if ((n = wr_presence_scan(wr, &keys)) < 0)
			return (-1);
		if (n > 0)
			rc = wr_presence_get(wr, keys, n, v);
		wr_strv_free(keys, n);
		qsort(v->people, (size_t)v->npeople, sizeof *v->people,
		    wr_people_cmp);
	}
	v->driver_name[0] = '\0';
	for (i = 0; i < v->npeople; i++) {
		v->people[i].driver = v->driver[0] != '\0' &&
		    strcmp(v->people[i].who.session, v->driver) == 0;
		v->people[i].role = v->people[i].driver ? WR_DRIVING :
		    WR_WATCHING;
		if (v->people[i].driver)
			wr_identity_name(&v->people[i].who, v->driver_name,
			    sizeof v->driver_name);
	}
	return (rc);
}

static int
wr_driver_read(struct warroom *wr, struct wr_view *v)
{
	char		*key = wr_key_inc(wr->prefix, wr->have_inc, "driver");
	redisReply	*r;

	r = wr_conn_cmdl(&wr->conn, "GET", key, (char *)NULL);
	free(key);
	if (r == NULL)
		return (wr_failed(wr));
	v->driver[0] = '\0';
	if (r->type == REDIS_REPLY_STRING)
		strlcpy_(v->driver, r->str, sizeof v->driver);
	freeReplyObject(r);
	wr->was_driver = strcmp(v->driver, wr->self.session) == 0;
	v->role = wr->was_driver ? WR_DRIVING : WR_WATCHING;
	return (0);
}

/* Every tick, joined: the stream, the driver key, presence. */
int
wr_tick_incident(struct warroom *wr, struct wr_view *v)
{
	char		ttl[16];
	long long	n;
	int64_t		now = mono_ms();

	if (wr_stream_read(wr) != 0 && wr->conn.ctx == NULL)
		return (-1);
	if (wr_driver_read(wr, v) != 0)
		return (-1);
	if (now >= wr->next_presence_ms) {
		snprintf(ttl, sizeof ttl, "%d", wr->presence_ttl_ms);
		if (v->role == WR_DRIVING && wr_driver_eval(wr,
		    wr_lua_refresh, wr->have_inc, wr->self.session, ttl,
		    NULL, &n) != 0 && wr->conn.ctx == NULL)
			return (-1);
		if (wr_presence_set(wr, v->role) != 0 && wr->conn.ctx == NULL)
			return (-1);
		wr->next_presence_ms = now + wr->presence_ttl_ms / 3;
	}
	return (wr_presence_read(wr, v));
}

/* Jobs ------------------------------------------------------------------- */

int
wr_handover(struct warroom *wr, const struct wr_job *j)
{
	char		ttl[16];
	long long	n;

	if (wr->have_inc[0] == '\0')
		return (0);
	snprintf(ttl, sizeof ttl, "%d", wr->presence_ttl_ms);
	if (wr_driver_eval(wr, wr_lua_handover, wr->have_inc, wr->self.session,
	    j->text, ttl, &n) != 0)
		return (wr->conn.ctx == NULL ? -1 : 0);
	pthread_mutex_lock(&wr->lock);
	if (n == 1) {
		wr->was_driver = 0;
		wr_message(wr, "handed the wheel over to %.24s", j->text);
	} else
		wr_message(wr, "handover refused: we no longer hold the "
		    "wheel");
	pthread_mutex_unlock(&wr->lock);
	return (0);
}

int
wr_take_wheel_job(struct warroom *wr)
{
	int	got = 0;

	if (wr->have_inc[0] == '\0')
		return (0);
	if (wr_driver_set_nx(wr, wr->have_inc, &got) != 0)
		return (wr->conn.ctx == NULL ? -1 : 0);
	pthread_mutex_lock(&wr->lock);
	if (got)
		wr_message(wr, "you have the wheel");
	else
		wr_message(wr, "the wheel is held by someone else: it can be "
		    "taken when their console is gone");
	pthread_mutex_unlock(&wr->lock);
	return (0);
}
