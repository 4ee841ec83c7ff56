/* redis_info.c: the parser of Redis's INFO text (redis.h).
 *
 * INFO is "key:value" lines in "# Section" groups, CRLF-terminated.  The
 * fields sitrep reads go either straight into the redis_node (the table
 * below) or into the parse state, from which the derived fields (replica
 * byte lags, the replication offset, the master's address, persistence
 * status, the age of the last save) are computed at the end, since INFO
 * lists the replicas before the master's offset.  Anything else, and any
 * line that is not "key:value", is skipped: the parser meets outside input
 * and must never trust it. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

#define INFO_KEY_MAX	64
#define INFO_VALUE_MAX	256
#define RDB_TIME_ABSENT	(-2)

struct info_state {
	struct redis_node	*n;
	int64_t			 replica_off[REDIS_MAX_REPLICAS];
	int64_t			 master_off;
	int64_t			 slave_off;	/* -1 = absent */
	int64_t			 server_usec;	/* 0 = absent */
	int64_t			 last_save;	/* epoch s, 0 = absent */
	int64_t			 bgsave_time;	/* RDB_TIME_ABSENT */
	char			 bgsave_status[8];
	char			 aof_status[8];
	char			 master_host[64];
	char			 master_port[8];
};

enum info_type { T_STR, T_I64, T_INT };
enum info_where { W_NODE, W_STATE };

struct info_field {
	const char	*key;
	enum info_type	 type;
	enum info_where	 where;
	size_t		 off;
	size_t		 len;		/* T_STR: the buffer's size */
};

#define NODE_STR(k, f) { k, T_STR, W_NODE, offsetof(struct redis_node, f), \
	sizeof ((struct redis_node *)0)->f }
#define NODE_I64(k, f) { k, T_I64, W_NODE, offsetof(struct redis_node, f), 0 }
#define NODE_INT(k, f) { k, T_INT, W_NODE, offsetof(struct redis_node, f), 0 }
#define STATE_STR(k, f) { k, T_STR, W_STATE, offsetof(struct info_state, f), \
	sizeof ((struct info_state *)0)->f }
#define STATE_I64(k, f) { k, T_I64, W_STATE, offsetof(struct info_state, f), 0 }

static const struct info_field info_fields[] = {
	NODE_STR("redis_version", version),
	NODE_STR("role", role),
	NODE_STR("master_link_status", link_status),
	NODE_I64("master_last_io_seconds_ago", last_io_s),
	NODE_I64("master_link_down_since_seconds", link_down_s),
	NODE_I64("used_memory", used_memory),
	NODE_I64("maxmemory", maxmemory),
	NODE_I64("evicted_keys", evicted_keys),
	NODE_I64("rejected_connections", rejected_connections),
	NODE_I64("connected_clients", connected_clients),
	NODE_I64("rdb_changes_since_last_save", rdb_changes),
	NODE_INT("aof_enabled", aof_enabled),
	NODE_INT("loading", loading),
	STATE_STR("master_host", master_host),
	STATE_STR("master_port", master_port),
	STATE_STR("rdb_last_bgsave_status", bgsave_status),
	STATE_STR("aof_last_write_status", aof_status),
	STATE_I64("master_repl_offset", master_off),
	STATE_I64("slave_repl_offset", slave_off),
	STATE_I64("server_time_usec", server_usec),
	STATE_I64("rdb_last_save_time", last_save),
	STATE_I64("rdb_last_bgsave_time_sec", bgsave_time),
};
#define NFIELDS	((int)(sizeof info_fields / sizeof info_fields[0]))

/* A whole decimal number, or -1 (and *out untouched). */
static int
info_number(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (*s == '\0')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return (-1);
	*out = (int64_t)v;
	return (0);
}

static void
info_set(struct info_state *st, const struct info_field *f, const char *v)
{
	char	*base;
	int64_t	 x;
	int	 ix;

	base = f->where == W_NODE ? (char *)st->n : (char *)st;
	switch (f->type) {
	case T_STR:
		strlcpy_(base + f->off, v, f->len);
		break;
	case T_I64:
		if (info_number(v, &x) == 0)
			memcpy(base + f->off, &x, sizeof x);
		break;
	case T_INT:
		if (info_number(v, &x) == 0) {
			ix = (int)x;
			memcpy(base + f->off, &ix, sizeof ix);
		}
		break;
	}
}

/* "ip=10.0.0.2,port=6379,state=online,offset=123,lag=0". */
static void
info_replica(struct info_state *st, char *v)
{
	struct redis_node	*n = st->n;
	struct redis_replica	*r;
	char			*tok, *save, *eq, ip[64] = "", port[8] = "";
	int64_t			 x;

	if (n->nreplicas >= REDIS_MAX_REPLICAS)
		return;
	r = &n->replicas[n->nreplicas];
	memset(r, 0, sizeof *r);
	r->lag_s = -1;
	st->replica_off[n->nreplicas] = -1;
	for (tok = strtok_r(v, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(tok, "ip") == 0)
			strlcpy_(ip, eq, sizeof ip);
		else if (strcmp(tok, "port") == 0)
			strlcpy_(port, eq, sizeof port);
		else if (strcmp(tok, "state") == 0)
			strlcpy_(r->state, eq, sizeof r->state);
		else if (strcmp(tok, "offset") == 0 && info_number(eq, &x) == 0)
			st->replica_off[n->nreplicas] = x;
		else if (strcmp(tok, "lag") == 0 && info_number(eq, &x) == 0)
			r->lag_s = x;
	}
	if (ip[0] == '\0')
		return;		/* not the key=value form: skip it */
	snprintf(r->addr, sizeof r->addr, strchr(ip, ':') != NULL ?
	    "[%s]:%s" : "%s:%s", ip, port);
	n->nreplicas++;
}

/* "slave0", "slave12": a replica line of a master. */
static int
info_is_replica(const char *key)
{
	const char	*p;

	if (strncmp(key, "slave", 5) != 0 || key[5] == '\0')
		return (0);
	for (p = key + 5; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return (0);
	return (1);
}

static void
info_line(struct info_state *st, const char *line, size_t len)
{
	char		 key[INFO_KEY_MAX], value[INFO_VALUE_MAX];
	const char	*colon;
	size_t		 klen;
	int		 i;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || line[0] == '#')
		return;
	if ((colon = memchr(line, ':', len)) == NULL)
		return;
	klen = (size_t)(colon - line);
	if (klen == 0 || klen >= sizeof key)
		return;
	memcpy(key, line, klen);
	key[klen] = '\0';
	len -= klen + 1;
	if (len >= sizeof value)
		len = sizeof value - 1;
	memcpy(value, colon + 1, len);
	value[len] = '\0';
	if (info_is_replica(key)) {
		info_replica(st, value);
		return;
	}
	for (i = 0; i < NFIELDS; i++) {
		if (strcmp(info_fields[i].key, key) == 0) {
			info_set(st, &info_fields[i], value);
			return;
		}
	}
}

static void
info_reset(struct redis_node *n, struct info_state *st)
{
	memset(n->role, 0, sizeof n->role);
	memset(n->version, 0, sizeof n->version);
	memset(n->link_status, 0, sizeof n->link_status);
	memset(n->master, 0, sizeof n->master);
	n->last_io_s = n->link_down_s = -1;
	n->repl_offset = 0;
	n->nreplicas = 0;
	memset(n->replicas, 0, sizeof n->replicas);
	n->used_memory = n->maxmemory = 0;
	n->evicted_keys = n->rejected_connections = 0;
	n->connected_clients = 0;
	n->rdb_ok = -1;
	n->rdb_changes = 0;
	n->rdb_last_save_age_s = -1;
	n->aof_enabled = 0;
	n->aof_ok = 1;
	n->loading = 0;
	memset(st, 0, sizeof *st);
	st->n = n;
	st->slave_off = -1;
	st->bgsave_time = RDB_TIME_ABSENT;
}

/* What INFO gives only in pieces. */
static void
info_derive(struct info_state *st, int64_t now_s)
{
	struct redis_node	*n = st->n;
	int64_t			 server_s, lag;
	int			 i;

	for (i = 0; i < n->nreplicas; i++) {
		lag = -1;
		if (st->replica_off[i] >= 0 && st->master_off >= 0) {
			lag = st->master_off - st->replica_off[i];
			if (lag < 0)
				lag = 0;	/* acked ahead of our read */
		}
		n->replicas[i].lag_bytes = lag;
	}
	n->repl_offset = st->slave_off >= 0 ? st->slave_off : st->master_off;
	if (st->master_host[0] != '\0')
		snprintf(n->master, sizeof n->master, "%s:%s", st->master_host,
		    st->master_port);
	if (strcmp(n->role, "slave") != 0)
		n->link_status[0] = '\0';
	if (strcmp(st->bgsave_status, "err") == 0)
		n->rdb_ok = 0;
	else if (strcmp(st->bgsave_status, "ok") == 0 && st->bgsave_time != -1)
		n->rdb_ok = 1;
	n->aof_ok = strcmp(st->aof_status, "err") != 0;
	server_s = st->server_usec > 0 ? st->server_usec / 1000000 : now_s;
	if (st->last_save > 0)
		n->rdb_last_save_age_s = server_s > st->last_save ?
		    server_s - st->last_save : 0;
}

int
redis_info_parse(const char *text, struct redis_node *n, int64_t now_s)
{
	struct info_state	 st;
	const char		*p, *nl;

	info_reset(n, &st);
	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		info_line(&st, p, (size_t)(nl - p));
		if (*nl == '\0')
			break;
	}
	info_derive(&st, now_s);
	return (n->role[0] != '\0' ? 0 : -1);
}
