/* warroom_approval.c: two-person approvals in the war room (warroom.h,
 * docs/warroom.md).  A request is PREFIX approval:CODE (its JSON, PX until
 * it expires), listed in PREFIX inc:INC:approvals (a sorted set scored by
 * expiry); an answer is PREFIX approval:CODE:answer, SET NX so that the
 * first answer wins.  The worker polls the answers to our own requests and
 * refuses one given by the requester (a forged or self approval); answers
 * are refused before they are written when the approver is the requester
 * or the request has expired or is unknown (warroom_answer.c, which also
 * has the synchronous calls of `sitrep approve`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "warroom_int.h"
#include "xmalloc.h"

#define WA_INDEX_SLACK_MS	60000	/* the index outlives its requests */

/* The worker's jobs ---------------------------------------------------------- */

static int
wa_store(struct warroom *wr, const struct wr_request *req)
{
	char		*key, *idx, *json, ttl[24], score[24];
	cJSON		*o;
	int64_t		 left = req->expires_ms - now_ms();
	int		 rc;

	if (left <= 0)
		return (0);
	o = wr_request_json(req);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (json == NULL)
		fatalx("war room: out of memory");
	key = wr_key_approval(wr->prefix, req->code, 0);
	idx = wr_key_inc(wr->prefix, req->incident, "approvals");
	snprintf(ttl, sizeof ttl, "%lld", (long long)left);
	rc = wr_conn_dol(&wr->conn, "SET", key, json, "PX", ttl, (char *)NULL);
	snprintf(score, sizeof score, "%lld", (long long)req->expires_ms);
	if (rc == 0)
		rc = wr_conn_dol(&wr->conn, "ZADD", idx, score, req->code,
		    (char *)NULL);
	snprintf(ttl, sizeof ttl, "%d", wr->approval_ttl_ms +
	    WA_INDEX_SLACK_MS);
	if (rc == 0)
		rc = wr_conn_dol(&wr->conn, "PEXPIRE", idx, ttl, (char *)NULL);
	free(key);
	free(idx);
	cJSON_free(json);
	return (rc != 0 ? wr_failed(wr) : 0);
}

static int
wa_withdraw(struct warroom *wr, const struct wr_job *j)
{
	char		*key = wr_key_approval(wr->prefix, j->text, 0);
	char		*akey = wr_key_approval(wr->prefix, j->text, 1);
	char		*idx = wr_key_inc(wr->prefix, j->incident, "approvals");
	int		 rc;

	rc = wr_conn_dol(&wr->conn, "DEL", key, akey, (char *)NULL);
	if (rc == 0)
		rc = wr_conn_dol(&wr->conn, "ZREM", idx, j->text, (char *)NULL);
	free(key);
	free(akey);
	free(idx);
	return (rc != 0 ? wr_failed(wr) : 0);
}

static int
wa_answer(struct wr_conn *c, struct warroom *wr, const struct wr_job *j)
{
	char	err[WR_ERRLEN];
	int	rc;

	rc = wr_answer_do(c, wr->prefix, &wr->self, j->text, j->approve,
	    j->reason, err, sizeof err);
	if (rc != 0 && c->ctx == NULL)
		return (-1);
	pthread_mutex_lock(&wr->lock);
	if (rc == 0)
		wr_message(wr, "%s %s", j->approve ? "approved" : "rejected",
		    j->text);
	else
		wr_message(wr, "%s: %s", j->text, err);
	pthread_mutex_unlock(&wr->lock);
	return (0);
}

int
wr_approval_job(struct warroom *wr, struct wr_job *j)
{
	switch (j->kind) {
	case WJ_REQUEST:
		if (wa_store(wr, j->req) != 0 && wr->conn.ctx == NULL)
			return (-1);
		return (0);
	case WJ_WITHDRAW:
		if (wa_withdraw(wr, j) != 0 && wr->conn.ctx == NULL)
			return (-1);
		return (0);
	case WJ_ANSWER:
		return (wa_answer(&wr->conn, wr, j));
	default:
		return (0);
	}
}

/* The worker's tick: answers to our requests ------------------------------ */

static struct wr_own *
wa_own(struct warroom *wr, const char *code)
{
	int	i;

	for (i = 0; i < wr->nown; i++)
		if (strcmp(wr->own[i].req.code, code) == 0)
			return (&wr->own[i]);
	return (NULL);
}

/* Judge an answer (its text) to our request o; lock held. */
static void
wa_judge(struct warroom *wr, struct wr_own *o, const char *text)
{
	struct wr_answer	 a;
	char			 code[WR_CODE_LEN], name[200];

	if (wr_answer_parse(text, code, sizeof code, &a) != 0) {
		a.state = WR_FAILED;
		strlcpy_(a.reason, "refused: an answer that is not understood",
		    sizeof a.reason);
	} else if (strcmp(code, o->req.code) != 0) {
		a.state = WR_FAILED;
		strlcpy_(a.reason, "refused: an answer to another request",
		    sizeof a.reason);
	} else if (wr_identity_same_person(&a.who, &o->req.requester)) {
		a.state = WR_FAILED;
		strlcpy_(a.reason, "refused: the requester cannot approve "
		    "their own request", sizeof a.reason);
	}
	o->ans = a;
	wr_identity_name(&a.who, name, sizeof name);
	if (a.state == WR_APPROVED)
		wr_message(wr, "approved %s by %s", o->req.code, name);
	else if (a.state == WR_REJECTED)
		wr_message(wr, "rejected %s by %s%s%s", o->req.code, name,
		    a.reason[0] != '\0' ? ": " : "", a.reason);
	else
		wr_message(wr, "%s: %s", o->req.code, a.reason);
}

/* GET the answer of each of our pending requests. */
static int
wa_poll_own(struct warroom *wr)
{
	char		 codes[WR_REQUESTS_MAX][WR_CODE_LEN], *akey;
	struct wr_own	*o;
	redisReply	*r;
	int		 i, n = 0;

	pthread_mutex_lock(&wr->lock);
	for (i = 0; i < wr->nown; i++)
		if (wr->own[i].ans.state == WR_PENDING && !wr->own[i].withdrawn)
			strlcpy_(codes[n++], wr->own[i].req.code, WR_CODE_LEN);
	pthread_mutex_unlock(&wr->lock);
	for (i = 0; i < n; i++) {
		akey = wr_key_approval(wr->prefix, codes[i], 1);
		r = wr_conn_cmdl(&wr->conn, "GET", akey, (char *)NULL);
		free(akey);
		if (r == NULL)
			return (wr_failed(wr));
		pthread_mutex_lock(&wr->lock);
		if ((o = wa_own(wr, codes[i])) != NULL &&
		    o->ans.state == WR_PENDING && !o->withdrawn) {
			if (r->type == REDIS_REPLY_STRING)
				wa_judge(wr, o, r->str);
			else if (now_ms() >= o->req.expires_ms) {
				o->ans.state = WR_EXPIRED;
				wr_message(wr, "%s expired without an answer",
				    o->req.code);
			}
		}
		pthread_mutex_unlock(&wr->lock);
		freeReplyObject(r);
	}
	return (0);
}

/* The worker's tick: the incident's pending requests ---------------------- */

/* The codes of the incident's requests that have not expired. */
static redisReply *
wa_pending_codes(struct warroom *wr, const char *idx)
{
	char	now[32], from[40];

	snprintf(now, sizeof now, "%lld", (long long)now_ms());
	snprintf(from, sizeof from, "(%s", now);
	if (wr_conn_dol(&wr->conn, "ZREMRANGEBYSCORE", idx, "-inf", now,
	    (char *)NULL) != 0)
		return (NULL);
	return (wr_conn_cmdl(&wr->conn, "ZRANGEBYSCORE", idx, from, "+inf",
	    "LIMIT", "0", WR_PENDING_MAX_S, (char *)NULL));
}

/* MGET of each code's request and answer: the unanswered ones. */
static int
wa_pending_read(struct warroom *wr, const redisReply *codes,
    struct wr_request **out, int *nout)
{
	const char	**argv;
	char		**keys;
	redisReply	 *r;
	size_t		  i, n = codes->elements;
	int64_t		  now = now_ms();

	argv = xcalloc(2 * n + 1, sizeof *argv);
	keys = xcalloc(2 * n, sizeof *keys);
	argv[0] = "MGET";
	for (i = 0; i < n; i++) {
		keys[i] = wr_key_approval(wr->prefix, codes->element[i]->str,
		    0);
		keys[n + i] = wr_key_approval(wr->prefix,
		    codes->element[i]->str, 1);
	}
	memcpy(argv + 1, keys, 2 * n * sizeof *keys);
	r = wr_conn_cmd(&wr->conn, (int)(2 * n + 1), argv);
	wr_strv_free(keys, (int)(2 * n));
	free(argv);
	if (r == NULL)
		return (wr_failed(wr));
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < n &&
	    r->elements == 2 * n; i++) {
		if (r->element[i]->type != REDIS_REPLY_STRING ||
		    r->element[n + i]->type == REDIS_REPLY_STRING)
			continue;
		*out = xreallocarray(*out, (size_t)*nout + 1, sizeof **out);
		if (wr_request_parse(r->element[i]->str, &(*out)[*nout]) == 0 &&
		    (*out)[*nout].expires_ms > now)
			(*nout)++;
		else
			wr_request_free(&(*out)[*nout]);
	}
	freeReplyObject(r);
	return (0);
}

static int
wa_same_codes(const struct wr_request *a, int na, const struct wr_request *b,
    int nb)
{
	int	i;

	if (na != nb)
		return (0);
	for (i = 0; i < na; i++)
		if (strcmp(a[i].code, b[i].code) != 0)
			return (0);
	return (1);
}

static int
wa_poll_pending(struct warroom *wr)
{
	struct wr_request	*list = NULL;
	redisReply		*codes;
	char			*idx;
	int			 n = 0, rc = 0;

	idx = wr_key_inc(wr->prefix, wr->have_inc, "approvals");
	codes = wa_pending_codes(wr, idx);
	free(idx);
	if (codes == NULL)
		return (wr_failed(wr));
	if (codes->type == REDIS_REPLY_ARRAY && codes->elements > 0)
		rc = wa_pending_read(wr, codes, &list, &n);
	freeReplyObject(codes);
	if (rc != 0) {
		wr_requests_free(list, n);
		return (-1);
	}
	pthread_mutex_lock(&wr->lock);
	if (!wa_same_codes(list, n, wr->pending, wr->npending))
		wr_wake(wr);
	wr_requests_free(wr->pending, wr->npending);
	wr->pending = list;
	wr->npending = n;
	pthread_mutex_unlock(&wr->lock);
	return (0);
}

int
wr_approval_tick(struct warroom *wr)
{
	if (wa_poll_own(wr) != 0 && wr->conn.ctx == NULL)
		return (-1);
	if (!wr->slow)
		return (0);
	if (wr->have_inc[0] == '\0') {
		pthread_mutex_lock(&wr->lock);
		wr_requests_free(wr->pending, wr->npending);
		wr->pending = NULL;
		wr->npending = 0;
		pthread_mutex_unlock(&wr->lock);
		return (0);
	}
	return (wa_poll_pending(wr));
}

/* The public calls ------------------------------------------------------- */

int
warroom_request(struct warroom *wr, struct wr_request *req)
{
	struct wr_job	*j;
	struct wr_own	*o;

	pthread_mutex_lock(&wr->lock);
	if (req->incident[0] == '\0')
		strlcpy_(req->incident, wr->want_inc, sizeof req->incident);
	if (!wr->view.connected || wr->closing || req->incident[0] == '\0') {
		pthread_mutex_unlock(&wr->lock);
		return (-1);
	}
	wr_random_code(req->code, sizeof req->code);
	req->requester = wr->self;
	req->requested_ms = now_ms();
	req->expires_ms = req->requested_ms + wr->approval_ttl_ms;
	if (wr->nown == WR_REQUESTS_MAX) {
		wr_request_free(&wr->own[0].req);
		memmove(wr->own, wr->own + 1, (size_t)--wr->nown *
		    sizeof *wr->own);
	}
	wr->own = xreallocarray(wr->own, (size_t)wr->nown + 1,
	    sizeof *wr->own);
	o = &wr->own[wr->nown++];
	memset(o, 0, sizeof *o);
	wr_request_copy(&o->req, req);
	o->ans.state = WR_PENDING;
	j = xcalloc(1, sizeof *j);
	j->kind = WJ_REQUEST;
	j->req = xcalloc(1, sizeof *j->req);
	wr_request_copy(j->req, req);
	wr_enqueue(wr, j);
	pthread_mutex_unlock(&wr->lock);
	return (0);
}

void
warroom_answer_state(struct warroom *wr, const char *code,
    struct wr_answer *ans)
{
	struct wr_own	*o;

	pthread_mutex_lock(&wr->lock);
	/* Expired is expired, whether Redis can be reached or not. */
	if ((o = wa_own(wr, code)) != NULL && o->ans.state == WR_PENDING &&
	    !o->withdrawn && now_ms() >= o->req.expires_ms) {
		o->ans.state = WR_EXPIRED;
		wr_message(wr, "%s expired without an answer", o->req.code);
	}
	if (o != NULL)
		*ans = o->ans;
	else {
		memset(ans, 0, sizeof *ans);
		ans->state = WR_FAILED;
		strlcpy_(ans->reason, "no such request of ours",
		    sizeof ans->reason);
	}
	pthread_mutex_unlock(&wr->lock);
}

void
warroom_withdraw(struct warroom *wr, const char *code)
{
	struct wr_job	*j;
	struct wr_own	*o;

	pthread_mutex_lock(&wr->lock);
	if ((o = wa_own(wr, code)) != NULL && !o->withdrawn) {
		o->withdrawn = 1;
		if (o->ans.state == WR_PENDING) {
			o->ans.state = WR_FAILED;
			strlcpy_(o->ans.reason, "withdrawn",
			    sizeof o->ans.reason);
		}
		j = xcalloc(1, sizeof *j);
		j->kind = WJ_WITHDRAW;
		j->text = xstrdup(o->req.code);
		j->incident = xstrdup(o->req.incident);
		wr_enqueue(wr, j);
	}
	pthread_mutex_unlock(&wr->lock);
}

int
warroom_pending(struct warroom *wr, struct wr_request **out, int *n)
{
	int	i;

	pthread_mutex_lock(&wr->lock);
	*n = wr->npending;
	*out = *n > 0 ? xcalloc((size_t)*n, sizeof **out) : NULL;
	for (i = 0; i < *n; i++)
		wr_request_copy(&(*out)[i], &wr->pending[i]);
	pthread_mutex_unlock(&wr->lock);
	return (0);
}

/* Refused here, before anything is written: ours, or expired. */
static const char *
wa_refuse_local(struct warroom *wr, const char *code)
{
	int	i;

	if (wa_own(wr, code) != NULL)
		return ("refused: you requested it yourself");
	for (i = 0; i < wr->npending; i++) {
		if (strcmp(wr->pending[i].code, code) != 0)
			continue;
		if (wr_identity_same_person(&wr->self,
		    &wr->pending[i].requester))
			return ("refused: you requested it yourself");
		if (wr->pending[i].expires_ms <= now_ms())
			return ("refused: the request has expired");
	}
	return (NULL);
}

void
warroom_answer(struct warroom *wr, const char *code_in, int approve,
    const char *reason)
{
	struct wr_job	*j;
	const char	*why;
	char		 code[WR_CODE_LEN];

	pthread_mutex_lock(&wr->lock);
	if (wr_code_normalize(code_in != NULL ? code_in : "", code,
	    sizeof code) != 0)
		wr_message(wr, "not an approval code (e.g. K7QX-2M9D)");
	else if ((why = wa_refuse_local(wr, code)) != NULL)
		wr_message(wr, "%s: %s", code, why);
	else {
		j = xcalloc(1, sizeof *j);
		j->kind = WJ_ANSWER;
		j->text = xstrdup(code);
		j->reason = xstrdup(reason != NULL ? reason : "");
		j->approve = approve;
		wr_enqueue(wr, j);
	}
	pthread_mutex_unlock(&wr->lock);
}
