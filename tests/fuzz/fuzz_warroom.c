/* fuzz_warroom.c: libFuzzer target for the war room's readers of what
 * other consoles wrote into Redis (warroom.h, warroom_int.h).  The same
 * bytes are read as an approval request (wr_request_parse; then back
 * through wr_request_json, wr_request_from_json, the printed JSON and
 * wr_request_copy), an answer (wr_answer_parse; back through
 * wr_answer_text), an identity (wr_identity_from_json on the cJSON parse
 * of the bytes; back through wr_identity_json), a presence value
 * (wr_presence_parse; back as warroom_follow.c writes it) and an approval
 * code as typed (wr_code_normalize).
 *
 *   make fuzz-build && build/fuzz/fuzz_warroom \
 *       -dict=tests/fuzz/warroom.dict CORPUS_DIR
 *
 * The committed seeds are values as warroom_json.c, warroom_ident.c and
 * warroom_follow.c write them.  Every input is read or refused, leaves
 * nothing allocated (a refused request included), and keeps the parsers'
 * promises (below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "warroom.h"
#include "warroom_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_CODE_CHARS	"23456789ABCDEFGHJKMNPQRSTUVWXYZ"
/*
 * cJSON prints a number with 15 significant digits when that reads back
 * within DBL_EPSILON of it, so only integers below 10^15 (epoch ms: the
 * year 33658) are exact after printing and parsing again.
 */
#define FZ_EXACT	INT64_C(1000000000000000)

static int
fz_exact(int64_t v)
{
	return (v > -FZ_EXACT && v < FZ_EXACT);
}

static void
fz_str(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void
fz_ident_check(const struct wr_identity *id)
{
	fz_str(id->session, sizeof id->session);
	fz_str(id->user, sizeof id->user);
	fz_str(id->host, sizeof id->host);
	fz_str(id->ssh, sizeof id->ssh);
	fz_str(id->tty, sizeof id->tty);
}

static void
fz_ident_eq(const struct wr_identity *a, const struct wr_identity *b)
{
	if (strcmp(a->session, b->session) != 0 ||
	    strcmp(a->user, b->user) != 0 || a->uid != b->uid ||
	    strcmp(a->host, b->host) != 0 || strcmp(a->ssh, b->ssh) != 0 ||
	    strcmp(a->tty, b->tty) != 0 || a->pid != b->pid)
		abort();
}

/* An identity read is written back as the same one. */
static void
fz_ident_back(const struct wr_identity *id)
{
	struct wr_identity	 back;
	cJSON			*j;

	fz_ident_check(id);
	if ((j = wr_identity_json(id)) == NULL)
		abort();
	if (wr_identity_from_json(j, &back) != 0)
		abort();
	fz_ident_eq(id, &back);
	cJSON_Delete(j);
}

static void
fz_strv_eq(char *const *a, int na, char *const *b, int nb)
{
	int	i;

	if (na != nb)
		abort();
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			abort();
}

static void
fz_request_check(const struct wr_request *r)
{
	int	i;

	fz_str(r->code, sizeof r->code);
	fz_str(r->incident, sizeof r->incident);
	fz_str(r->runbook, sizeof r->runbook);
	fz_str(r->step_id, sizeof r->step_id);
	fz_str(r->title, sizeof r->title);
	if (r->code[0] == '\0' || r->incident[0] == '\0' || r->expires_ms <= 0)
		abort();
	if (r->nlines < 0 || r->nlines > WR_LINES_MAX || r->nfigures < 0 ||
	    r->nfigures > WR_LINES_MAX || (r->lines == NULL) !=
	    (r->nlines == 0) || (r->figures == NULL) != (r->nfigures == 0))
		abort();
	for (i = 0; i < r->nlines; i++)
		if (r->lines[i] == NULL)
			abort();
	for (i = 0; i < r->nfigures; i++)
		if (r->figures[i] == NULL)
			abort();
	fz_ident_check(&r->requester);
}

static void
fz_request_eq(const struct wr_request *a, const struct wr_request *b)
{
	if (strcmp(a->code, b->code) != 0 ||
	    strcmp(a->incident, b->incident) != 0 ||
	    strcmp(a->runbook, b->runbook) != 0 || a->step != b->step ||
	    strcmp(a->step_id, b->step_id) != 0 ||
	    strcmp(a->title, b->title) != 0 ||
	    a->requested_ms != b->requested_ms ||
	    a->expires_ms != b->expires_ms)
		abort();
	fz_strv_eq(a->lines, a->nlines, b->lines, b->nlines);
	fz_strv_eq(a->figures, a->nfigures, b->figures, b->nfigures);
	fz_ident_eq(&a->requester, &b->requester);
}

static void
fz_request(const char *text)
{
	struct wr_request	 r, back;
	cJSON			*j;
	char			*s;

	if (wr_request_parse(text, &r) != 0) {
		if (r.lines != NULL || r.nlines != 0 || r.figures != NULL ||
		    r.nfigures != 0)
			abort();		/* refused: nothing kept */
		return;
	}
	fz_request_check(&r);

	if ((j = wr_request_json(&r)) == NULL)
		abort();
	if (wr_request_from_json(j, &back) != 0)
		abort();
	fz_request_check(&back);
	fz_request_eq(&r, &back);
	wr_request_free(&back);
	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		abort();
	cJSON_Delete(j);
	if (wr_request_parse(s, &back) != 0)
		abort();		/* as the key and the stream have it */
	if (fz_exact(r.requested_ms) && fz_exact(r.expires_ms))
		fz_request_eq(&r, &back);
	wr_request_free(&back);
	cJSON_free(s);

	wr_request_copy(&back, &r);
	fz_request_eq(&r, &back);
	wr_request_free(&back);

	wr_request_free(&r);
	if (r.lines != NULL || r.nlines != 0 || r.figures != NULL ||
	    r.nfigures != 0)
		abort();
}

static void
fz_answer(const char *text, size_t codelen)
{
	struct wr_answer	 a, back;
	char			 code[WR_CODE_LEN], code2[WR_CODE_LEN], *s;

	memset(code, 0, sizeof code);
	if (wr_answer_parse(text, code, codelen, &a) != 0) {
		if (a.state != WR_PENDING)
			abort();
		return;
	}
	if (a.state != WR_APPROVED && a.state != WR_REJECTED)
		abort();
	fz_str(code, codelen);
	fz_str(a.reason, sizeof a.reason);
	fz_ident_check(&a.who);

	s = wr_answer_text(code, a.state == WR_APPROVED, &a.who, a.reason,
	    a.time_ms);
	if (wr_answer_parse(s, code2, sizeof code2, &back) != 0)
		abort();
	if (strcmp(code, code2) != 0 || a.state != back.state ||
	    (fz_exact(a.time_ms) && a.time_ms != back.time_ms) ||
	    strcmp(a.reason, back.reason) != 0)
		abort();
	fz_ident_eq(&a.who, &back.who);
	cJSON_free(s);
}

static void
fz_identity(const char *text)
{
	struct wr_identity	 id;
	cJSON			*o;

	o = cJSON_Parse(text);
	if (wr_identity_from_json(o, &id) == 0)
		fz_ident_back(&id);
	cJSON_Delete(o);
}

static void
fz_presence(const char *text)
{
	struct wr_presence	 p, back;
	cJSON			*o;
	char			*s;

	if (wr_presence_parse(text, &p) != 0)
		return;
	fz_ident_back(&p.who);

	/* As wr_presence_set writes it. */
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "who", wr_identity_json(&p.who));
	cJSON_AddStringToObject(o, "role", "watching");
	cJSON_AddNumberToObject(o, "since", (double)p.since_ms);
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		abort();
	cJSON_Delete(o);
	if (wr_presence_parse(s, &back) != 0 || (fz_exact(p.since_ms) &&
	    back.since_ms != p.since_ms))
		abort();
	fz_ident_eq(&p.who, &back.who);
	cJSON_free(s);
}

static void
fz_code(const char *text)
{
	char	out[16], again[16], small[WR_CODE_LEN];
	size_t	i;

	memset(out, '#', sizeof out);
	if (wr_code_normalize(text, out, sizeof out) != 0) {
		for (i = 0; i < sizeof out; i++)
			if (out[i] != '#')
				abort();	/* refused: untouched */
		return;
	}
	if (strlen(out) != WR_CODE_LEN - 1 || out[4] != '-')
		abort();
	for (i = 0; i < WR_CODE_LEN - 1; i++)
		if (i != 4 && strchr(FZ_CODE_CHARS, out[i]) == NULL)
			abort();
	if (wr_code_normalize(out, again, sizeof again) != 0 ||
	    strcmp(out, again) != 0)
		abort();		/* normal already */
	memset(small, '#', sizeof small);
	if (wr_code_normalize(text, small, sizeof small - 1) == 0)
		abort();		/* no room for it */
	for (i = 0; i < sizeof small; i++)
		if (small[i] != '#')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text;

	text = malloc(size + 1);
	if (text == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	fz_request(text);
	fz_answer(text, 1 + size % WR_CODE_LEN);	/* short buffers too */
	fz_identity(text);
	fz_presence(text);
	fz_code(text);
	free(text);
	return (0);
}
