/* warroom_answer.c: approval requests and answers on one connection
 * (warroom.h, warroom_int.h), for the worker (wr_answer_do) and for
 * `sitrep approve` (warroom_fetch_request, warroom_answer_sync, each on a
 * connection of its own, bounded by the configured timeouts).  An answer
 * is refused before it is written when the approver is the requester
 * (wr_identity_same_person), the request has expired or is unknown; it is
 * SET NX, so the first answer wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "warroom_int.h"
#include "xmalloc.h"

/* Requests and answers on a connection ------------------------------------ */

/* GET PREFIX approval:CODE into req. */
static int
wa_get_request(struct wr_conn *c, const char *prefix, const char *code,
    struct wr_request *req, char *err, size_t len)
{
	char		*key = wr_key_approval(prefix, code, 0);
	redisReply	*r;
	int		 rc = -1;

	r = wr_conn_cmdl(c, "GET", key, (char *)NULL);
	free(key);
	if (r == NULL) {
		snprintf(err, len, "%s", c->err);
		return (-1);
	}
	if (r->type != REDIS_REPLY_STRING)
		snprintf(err, len, "no request %s (expired or never made)",
		    code);
	else if (wr_request_parse(r->str, req) != 0)
		snprintf(err, len, "request %s is not understood", code);
	else if (strcmp(req->code, code) != 0) {
		snprintf(err, len, "request %s is not understood", code);
		wr_request_free(req);
	} else
		rc = 0;
	freeReplyObject(r);
	return (rc);
}

/* SET NX failed: the answer already there.  0 when it is ours (a command
 * sent again after a dropped connection). */
static int
wa_answered(struct wr_conn *c, const char *akey, const struct wr_identity *self,
    int approve, char *err, size_t len)
{
	struct wr_answer	 prev;
	redisReply		*r;
	char			 code[WR_CODE_LEN], name[200];
	int			 rc = -1;

	if ((r = wr_conn_cmdl(c, "GET", akey, (char *)NULL)) == NULL) {
		snprintf(err, len, "%s", c->err);
		return (-1);
	}
	if (r->type != REDIS_REPLY_STRING ||
	    wr_answer_parse(r->str, code, sizeof code, &prev) != 0)
		snprintf(err, len, "already answered (an answer that is not "
		    "understood)");
	else if (strcmp(prev.who.session, self->session) == 0 &&
	    prev.state == (approve ? WR_APPROVED : WR_REJECTED))
		rc = 0;
	else {
		wr_identity_name(&prev.who, name, sizeof name);
		snprintf(err, len, "already answered by %s (%s)", name,
		    prev.state == WR_APPROVED ? "approved" : "rejected");
	}
	freeReplyObject(r);
	return (rc);
}

int
wr_answer_do(struct wr_conn *c, const char *prefix,
    const struct wr_identity *self, const char *code_in, int approve,
    const char *reason, char *err, size_t len)
{
	struct wr_request	 req;
	redisReply		*r;
	char			 code[WR_CODE_LEN], *akey, *text, ttl[24];
	int64_t			 now = now_ms();
	int			 rc = -1;

	if (wr_code_normalize(code_in, code, sizeof code) != 0) {
		snprintf(err, len, "not an approval code (e.g. K7QX-2M9D)");
		return (-1);
	}
	if (wa_get_request(c, prefix, code, &req, err, len) != 0)
		return (-1);
	if (wr_identity_same_person(self, &req.requester)) {
		snprintf(err, len, "you requested %s: another person must "
		    "approve", code);
		goto out;
	}
	if (req.expires_ms <= now) {
		snprintf(err, len, "request %s has expired", code);
		goto out;
	}
	akey = wr_key_approval(prefix, code, 1);
	text = wr_answer_text(code, approve, self, reason, now);
	snprintf(ttl, sizeof ttl, "%lld", (long long)(req.expires_ms - now));
	r = wr_conn_cmdl(c, "SET", akey, text, "NX", "PX", ttl, (char *)NULL);
	if (r == NULL)
		snprintf(err, len, "%s", c->err);
	else if (r->type == REDIS_REPLY_STATUS)
		rc = 0;
	else
		rc = wa_answered(c, akey, self, approve, err, len);
	if (r != NULL)
		freeReplyObject(r);
	cJSON_free(text);
	free(akey);
out:
	wr_request_free(&req);
	return (rc);
}

/* Synchronous, for `sitrep approve` --------------------------------------- */

static const char *
wa_prefix(const struct cfg_warroom *cfg)
{
	return (cfg->prefix != NULL ? cfg->prefix : "sitrep:");
}

static int
wa_open(const struct cfg_warroom *cfg, struct wr_conn *c, struct error *err)
{
	memset(c, 0, sizeof *c);
	if (cfg == NULL || cfg->redis.host == NULL) {
		error_set(err, "no war room: give --warroom URL or a "
		    "warroom: section with a redis url");
		return (-1);
	}
	if (wr_conn_open(c, &cfg->redis) != 0) {
		error_set(err, "%s", c->err);
		return (-1);
	}
	return (0);
}

/* 0 when code has no answer yet, else -1 and who answered. */
static int
wa_unanswered(struct wr_conn *c, const char *prefix, const char *code,
    char *err, size_t len)
{
	struct wr_answer	 a;
	redisReply		*r;
	char			*akey = wr_key_approval(prefix, code, 1);
	char			 acode[WR_CODE_LEN], name[200];
	int			 rc = -1;

	r = wr_conn_cmdl(c, "GET", akey, (char *)NULL);
	free(akey);
	if (r == NULL) {
		snprintf(err, len, "%s", c->err);
		return (-1);
	}
	if (r->type != REDIS_REPLY_STRING)
		rc = 0;
	else if (wr_answer_parse(r->str, acode, sizeof acode, &a) != 0)
		snprintf(err, len, "request %s was already answered (an "
		    "answer that is not understood)", code);
	else {
		wr_identity_name(&a.who, name, sizeof name);
		snprintf(err, len, "request %s was already answered by %.120s "
		    "(%s)", code, name, a.state == WR_APPROVED ? "approved" :
		    "rejected");
	}
	freeReplyObject(r);
	return (rc);
}

int
warroom_fetch_request(const struct cfg_warroom *cfg, const char *code_in,
    struct wr_request *req, struct error *err)
{
	struct wr_conn	c;
	char		code[WR_CODE_LEN], why[WR_ERRLEN];
	int		rc;

	memset(req, 0, sizeof *req);
	if (wr_code_normalize(code_in, code, sizeof code) != 0) {
		error_set(err, "not an approval code (e.g. K7QX-2M9D)");
		return (-1);
	}
	if (wa_open(cfg, &c, err) != 0)
		return (-1);
	rc = wa_get_request(&c, wa_prefix(cfg), code, req, why, sizeof why);
	if (rc == 0 && req->expires_ms <= now_ms()) {
		snprintf(why, sizeof why, "request %s has expired", code);
		rc = -1;
	}
	if (rc == 0)
		rc = wa_unanswered(&c, wa_prefix(cfg), code, why, sizeof why);
	wr_conn_close(&c);
	if (rc != 0) {
		error_set(err, "%s", why);
		wr_request_free(req);
	}
	return (rc);
}

int
warroom_answer_sync(const struct cfg_warroom *cfg,
    const struct wr_identity *self, const char *code, int approve,
    const char *reason, struct error *err)
{
	struct wr_conn	c;
	char		why[WR_ERRLEN];
	int		rc;

	if (wa_open(cfg, &c, err) != 0)
		return (-1);
	rc = wr_answer_do(&c, wa_prefix(cfg), self, code, approve, reason, why,
	    sizeof why);
	wr_conn_close(&c);
	if (rc != 0)
		error_set(err, "%s", why);
	return (rc);
}
