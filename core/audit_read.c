/* audit_read.c: reading a trail without writing it: lines one at a time,
 * the last N records, a record as a human line, the trail's identity, and
 * the runs its records make (resume, following an incident). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_int.h"
#include "json_num.h"
#include "xmalloc.h"

#define UNKNOWN_NOTE	"outcome unknown: check before running again"

/* Lines ------------------------------------------------------------------ */

int
areader_open(struct areader *r, const char *path)
{
	memset(r, 0, sizeof *r);
	if ((r->f = fopen(path, "re")) == NULL)
		return (-1);
	return (0);
}

int
areader_next(struct areader *r)
{
	ssize_t	n;

	if ((n = getline(&r->buf, &r->cap, r->f)) < 0)
		return (ferror(r->f) ? -1 : 0);
	r->off = r->next;
	r->next += n;
	r->lineno++;
	r->newline = r->buf[n - 1] == '\n';
	if (r->newline)
		r->buf[--n] = '\0';
	r->len = (size_t)n;
	return (1);
}

void
areader_close(struct areader *r)
{
	if (r->f != NULL)
		fclose(r->f);
	free(r->buf);
	memset(r, 0, sizeof *r);
}

int
aread_trail_id(const char *path, char out[65])
{
	struct areader	r;
	struct arec	rec;
	char		why[64];
	int		rc = -1;

	if (areader_open(&r, path) != 0)
		return (-1);
	while (rc != 0 && areader_next(&r) == 1) {
		if (r.newline && arec_parse(r.buf, r.len, &rec, why,
		    sizeof why) == 0) {
			memcpy(out, rec.hash, 65);
			arec_free(&rec);
			rc = 0;
		}
	}
	areader_close(&r);
	return (rc);
}

void
aread_who(const cJSON *root, char *buf, size_t len)
{
	const cJSON	*actor = cJSON_GetObjectItemCaseSensitive(root, "actor");
	const char	*u = arec_str(actor, "user"), *h = arec_str(actor, "host");

	snprintf(buf, len, "%s@%s", u ? u : "?", h ? h : "?");
}

/* The last lines --------------------------------------------------------- */

static int
tail_read(int fd, off_t size, int want, char **bufp, size_t *lenp)
{
	size_t	chunk = 262144, i, nl;
	char	*buf;
	off_t	off;

	for (;;) {
		if ((off_t)chunk > size)
			chunk = (size_t)size;
		off = size - (off_t)chunk;
		buf = xmalloc(chunk + 1);
		if (pread(fd, buf, chunk, off) != (ssize_t)chunk) {
			free(buf);
			return (-1);
		}
		buf[chunk] = '\0';
		for (i = 0, nl = 0; i < chunk; i++)
			nl += buf[i] == '\n';
		if (off == 0 || nl > (size_t)want) {
			*bufp = buf;
			*lenp = chunk;
			return (0);
		}
		free(buf);
		chunk *= 4;
	}
}

int
audit_tail(const char *trail, int want, char ***linesp, int *countp,
    struct error *err)
{
	struct stat	 sb;
	char		*buf = NULL, **lines = NULL, *e, *s;
	size_t		 len = 0;
	int		 fd, n = 0;

	*linesp = NULL;
	*countp = 0;
	if ((fd = open(trail, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) != 0 || (sb.st_size > 0 && tail_read(fd,
	    sb.st_size, want, &buf, &len) != 0)) {
		error_set(err, "%s: %s", trail, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	close(fd);
	/* Complete lines only, from the end back. */
	e = buf != NULL ? memrchr(buf, '\n', len) : NULL;
	lines = xcalloc(want > 0 ? want : 1, sizeof *lines);
	while (e != NULL && n < want) {
		*e = '\0';
		s = memrchr(buf, '\n', (size_t)(e - buf));
		s = s != NULL ? s + 1 : buf;
		if (s == buf && (off_t)len < sb.st_size)
			break;			/* its start is cut off */
		lines[n++] = xstrdup(s);
		e = s > buf ? s - 1 : NULL;
	}
	free(buf);
	for (fd = 0; fd < n / 2; fd++) {	/* oldest first */
		s = lines[fd];
		lines[fd] = lines[n - 1 - fd];
		lines[n - 1 - fd] = s;
	}
	*linesp = lines;
	*countp = n;
	return (0);
}

void
audit_lines_free(char **lines, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* A human line ----------------------------------------------------------- */

struct fbuf {
	char	*p;
	size_t	 len, cap;
};

/* Append text with control characters escaped. */
static void
fb_put(struct fbuf *b, const char *s)
{
	size_t	n = strlen(s) * 4 + 1;

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			b->len += sprintf(b->p + b->len, "\\x%02x",
			    (unsigned char)*s);
		else
			b->p[b->len++] = *s;
	}
	b->p[b->len] = '\0';
}

static void
fb_putf(struct fbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fb_putf(struct fbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (xvasprintf(&s, fmt, ap) < 0)
		s = xstrdup("");
	va_end(ap);
	fb_put(b, s);
	free(s);
}

static void
fmt_request(struct fbuf *b, const cJSON *d)
{
	const cJSON	*req = cJSON_GetObjectItemCaseSensitive(d, "request");
	const cJSON	*it;
	const char	*v;

	fb_putf(b, " %s", arec_str(d, "action") ? arec_str(d, "action") : "?");
	cJSON_ArrayForEach(it, req) {
		if (!cJSON_IsString(it))
			continue;
		v = it->valuestring;
		if (strncmp(v, "argv=", 5) == 0 || strncmp(v, "arg=", 4) == 0)
			v = strchr(v, '=') + 1;
		fb_putf(b, " %s", v);
	}
}

static void
fmt_data(struct fbuf *b, const char *type, const cJSON *d)
{
	const char	*keys[] = { "reason", "text", "summary", "error",
	    "option", "value", "typed", "approver", "id", "matchers",
	    "anchor", NULL };
	int		 i;

	if (strcmp(type, "started") == 0) {
		fmt_request(b, d);
		return;
	}
	if (strcmp(type, "finished") == 0)
		fb_putf(b, " %s exit %lld in %lld ms", cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(d, "ok")) ? "ok" :
		    "FAILED", (long long)arec_int(d, "exit_status", -1),
		    (long long)arec_int(d, "duration_ms", 0));
	if (strcmp(type, "param_set") == 0 || strcmp(type, "var_set") == 0) {
		fb_putf(b, " %s=%s", arec_str(d, "name") ? arec_str(d,
		    "name") : "?", arec_str(d, "value") ? arec_str(d,
		    "value") : "");
		return;
	}
	if (strcmp(type, "recovered") == 0)
		fb_putf(b, " %lld torn bytes after a crashed write",
		    (long long)arec_int(d, "bytes", 0));
	for (i = 0; keys[i] != NULL; i++)
		if (arec_str(d, keys[i]) != NULL)
			fb_putf(b, " %s: %s", keys[i], arec_str(d, keys[i]));
}

char *
audit_format(const char *line)
{
	struct fbuf	 b = { NULL, 0, 0 };
	struct arec	 r;
	const cJSON	*rb, *st;
	const char	*t, *inc;
	char		 why[64], who[320];

	fb_put(&b, "");
	if (arec_parse(line, strlen(line), &r, why, sizeof why) != 0) {
		fb_putf(&b, "?? %s: %.120s", why, line);
		return (b.p);
	}
	t = arec_str(r.root, "time");
	aread_who(r.root, who, sizeof who);
	inc = arec_str(r.root, "incident");
	fb_putf(&b, "%.10s %.13s #%llu %s %s %s", t ? t : "?", t && strlen(t) >
	    11 ? t + 11 : "", (unsigned long long)r.seq, who, inc ? inc : "-",
	    r.type);
	rb = cJSON_GetObjectItemCaseSensitive(r.root, "runbook");
	st = cJSON_GetObjectItemCaseSensitive(r.root, "step");
	if (rb != NULL)
		fb_putf(&b, " %s%s%s", arec_str(rb, "id") ? arec_str(rb, "id") :
		    "?", st ? "/" : "", st && arec_str(st, "id") ?
		    arec_str(st, "id") : "");
	fmt_data(&b, r.type, cJSON_GetObjectItemCaseSensitive(r.root, "data"));
	arec_free(&r);
	return (b.p);
}

/* Runs from records ------------------------------------------------------ */

/* Every run seen, one per incident and runbook (the latest run_begin
 * wins), built one record at a time. */
struct audit_runs {
	struct audit_run	*runs;
	int			 n;
};

static void
step_free(struct audit_step *s)
{
	free(s->id);
	free(s->title);
	free(s->state);
	free(s->note);
	free(s->time);
	free(s->actor);
}

static void
run_clear(struct audit_run *r, int params)
{
	int	i;

	for (i = 0; i < r->nsteps; i++)
		step_free(&r->steps[i]);
	free(r->steps);
	r->steps = NULL;
	r->nsteps = r->nunknown = 0;
	if (!params)
		return;
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	free(r->params);
	r->params = NULL;
	r->nparams = 0;
}

static void
run_free(struct audit_run *r)
{
	run_clear(r, 1);
	free(r->incident);
	free(r->runbook_id);
	free(r->runbook_sha256);
	free(r->env);
	free(r->actor);
	free(r->host);
	free(r->started);
	free(r->last);
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

static char *
dup_str(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

static struct audit_run *
run_find(struct audit_runs *rs, const char *inc, const char *id)
{
	int	i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->runs[i].incident, inc) == 0 &&
		    strcmp(rs->runs[i].runbook_id, id) == 0)
			return (&rs->runs[i]);
	rs->runs = xreallocarray(rs->runs, rs->n + 1, sizeof *rs->runs);
	memset(&rs->runs[rs->n], 0, sizeof *rs->runs);
	rs->runs[rs->n].incident = xstrdup(inc);
	rs->runs[rs->n].runbook_id = xstrdup(id);
	return (&rs->runs[rs->n++]);
}

static void
run_param(struct audit_run *r, const cJSON *d)
{
	const char	*name = arec_str(d, "name"), *v = arec_str(d, "value");
	int		 i;

	if (name == NULL)
		return;
	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->params[i].name, name) == 0)
			break;
	if (i == r->nparams) {
		r->params = xreallocarray(r->params, i + 1, sizeof *r->params);
		memset(&r->params[i], 0, sizeof *r->params);
		r->params[i].name = xstrdup(name);
		r->nparams++;
	}
	set_str(&r->params[i].value, v ? v : "");
	r->params[i].secret = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d,
	    "secret"));
}

static struct audit_step *
run_step(struct audit_run *r, const cJSON *st)
{
	int	idx = json_int(st, "index", -1), i;

	for (i = 0; i < r->nsteps; i++)
		if (r->steps[i].index == idx)
			return (&r->steps[i]);
	for (i = 0; i < r->nsteps && r->steps[i].index < idx; i++)
		;
	r->steps = xreallocarray(r->steps, r->nsteps + 1, sizeof *r->steps);
	memmove(&r->steps[i + 1], &r->steps[i], (r->nsteps - i) *
	    sizeof *r->steps);
	memset(&r->steps[i], 0, sizeof *r->steps);
	r->steps[i].index = idx;
	r->steps[i].id = xstrdup(arec_str(st, "id") ? arec_str(st, "id") : "?");
	set_str(&r->steps[i].title, arec_str(st, "title"));
	r->nsteps++;
	return (&r->steps[i]);
}

/* The state a record leaves its step in, or NULL (no change). */
static const char *
step_state(const char *type, const cJSON *d, int *unknown)
{
	static const char *const map[][2] = {
		{ "step_shown", "shown" }, { "confirmed", "confirmed" },
		{ "skipped", "skipped" }, { "cancelled", "cancelled" },
		{ "refused", "refused" },
	};
	size_t	i;

	if (strcmp(type, "started") == 0) {
		*unknown = 1;
		return ("started");
	}
	if (strcmp(type, "finished") == 0) {
		*unknown = 0;
		return (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "ok")) ?
		    "ok" : "failed");
	}
	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(type, map[i][0]) == 0) {
			if (strcmp(type, "step_shown") != 0 &&
			    strcmp(type, "confirmed") != 0)
				*unknown = 0;
			return (map[i][1]);
		}
	}
	return (NULL);
}

static void
run_begin(struct audit_run *r, const struct arec *rec, const char *who)
{
	const cJSON	*actor = cJSON_GetObjectItemCaseSensitive(rec->root,
	    "actor");
	const cJSON	*rb = cJSON_GetObjectItemCaseSensitive(rec->root,
	    "runbook");

	run_clear(r, 0);
	set_str(&r->actor, who);
	set_str(&r->host, arec_str(actor, "host"));
	r->pid = json_int(actor, "pid", 0);
	set_str(&r->started, arec_str(rec->root, "time"));
	set_str(&r->env, arec_str(rec->root, "env"));
	set_str(&r->runbook_sha256, arec_str(rb, "sha256"));
	r->begin_seq = rec->seq;
}

static void
run_record(struct audit_run *r, const struct arec *rec)
{
	struct audit_step	*s;
	const cJSON		*d = cJSON_GetObjectItemCaseSensitive(rec->root,
	    "data");
	const cJSON		*st = cJSON_GetObjectItemCaseSensitive(rec->root,
	    "step");
	const char		*state;
	char			 who[320];

	aread_who(rec->root, who, sizeof who);
	if (strcmp(rec->type, "runbook_opened") == 0 && !r->open)
		run_clear(r, 1);
	else if (strcmp(rec->type, "param_set") == 0)
		run_param(r, d);
	else if (strcmp(rec->type, "run_begin") == 0) {
		run_begin(r, rec, who);
		r->open = 1;
	} else if (strcmp(rec->type, "run_end") == 0)
		r->open = 0;
	else if (st != NULL && r->open) {
		s = run_step(r, st);
		if ((state = step_state(rec->type, d, &s->unknown)) != NULL)
			set_str(&s->state, state);
		set_str(&s->time, arec_str(rec->root, "time"));
		set_str(&s->actor, who);
		s->seq = rec->seq;
	}
	set_str(&r->last, arec_str(rec->root, "time"));
	r->last_seq = rec->seq;
}

/* A deep copy of r, its unknown outcomes noted and counted. */
static void
run_copy(struct audit_run *dst, const struct audit_run *r)
{
	struct audit_step	*s;
	int			 k;

	*dst = *r;
	dst->incident = dup_str(r->incident);
	dst->runbook_id = dup_str(r->runbook_id);
	dst->runbook_sha256 = dup_str(r->runbook_sha256);
	dst->env = dup_str(r->env);
	dst->actor = dup_str(r->actor);
	dst->host = dup_str(r->host);
	dst->started = dup_str(r->started);
	dst->last = dup_str(r->last);
	dst->params = xcalloc(r->nparams > 0 ? r->nparams : 1,
	    sizeof *dst->params);
	for (k = 0; k < r->nparams; k++) {
		dst->params[k] = r->params[k];
		dst->params[k].name = dup_str(r->params[k].name);
		dst->params[k].value = dup_str(r->params[k].value);
	}
	dst->steps = xcalloc(r->nsteps > 0 ? r->nsteps : 1,
	    sizeof *dst->steps);
	dst->nunknown = 0;
	for (k = 0; k < r->nsteps; k++) {
		s = &dst->steps[k];
		*s = r->steps[k];
		s->id = dup_str(r->steps[k].id);
		s->title = dup_str(r->steps[k].title);
		s->state = dup_str(r->steps[k].state);
		s->time = dup_str(r->steps[k].time);
		s->actor = dup_str(r->steps[k].actor);
		s->note = s->unknown ? xstrdup(UNKNOWN_NOTE) : NULL;
		dst->nunknown += s->unknown;
	}
}

/* Copies of the runs (open_only: those without run_end). */
static int
runs_copy(const struct audit_runs *rs, int open_only,
    struct audit_run **runs, int *n)
{
	int	i;

	*runs = xcalloc(rs->n > 0 ? rs->n : 1, sizeof **runs);
	*n = 0;
	for (i = 0; i < rs->n; i++)
		if (!open_only || rs->runs[i].open)
			run_copy(&(*runs)[(*n)++], &rs->runs[i]);
	return (0);
}

struct audit_runs *
audit_runs_new(void)
{
	return (xcalloc(1, sizeof (struct audit_runs)));
}

void
audit_runs_feed(struct audit_runs *rs, const char *line, size_t len)
{
	struct arec	 rec;
	const cJSON	*rb;
	const char	*inc, *id;
	char		 why[64];

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len == 0 || arec_parse(line, len, &rec, why, sizeof why) != 0)
		return;
	rb = cJSON_GetObjectItemCaseSensitive(rec.root, "runbook");
	inc = arec_str(rec.root, "incident");
	if (rb != NULL && inc != NULL && (id = arec_str(rb, "id")) != NULL)
		run_record(run_find(rs, inc, id), &rec);
	arec_free(&rec);
}

int
audit_runs_list(const struct audit_runs *rs, struct audit_run **runs,
    int *n)
{
	return (runs_copy(rs, 0, runs, n));
}

void
audit_runs_release(struct audit_runs *rs)
{
	int	i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		run_free(&rs->runs[i]);
	free(rs->runs);
	free(rs);
}

int
audit_unfinished(const char *trail, struct audit_run **runs, int *n)
{
	struct areader		 rd;
	struct audit_runs	*rs;
	int			 rc;

	*runs = NULL;
	*n = 0;
	if (areader_open(&rd, trail) != 0)
		return (errno == ENOENT ? 0 : -1);
	rs = audit_runs_new();
	while ((rc = areader_next(&rd)) == 1)
		if (rd.newline)
			audit_runs_feed(rs, rd.buf, rd.len);
	areader_close(&rd);
	if (rc == 0)
		runs_copy(rs, 1, runs, n);
	audit_runs_release(rs);
	return (rc < 0 ? -1 : 0);
}

void
audit_runs_free(struct audit_run *runs, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		run_free(&runs[i]);
	free(runs);
}

static void
json_str(cJSON *o, const char *name, const char *s)
{
	cJSON_AddStringToObject(o, name, s != NULL ? s : "");
}

cJSON *
audit_run_json(const struct audit_run *r)
{
	cJSON	*o = cJSON_CreateObject(), *a, *x;
	int	 k;

	json_str(o, "incident", r->incident);
	json_str(o, "runbook", r->runbook_id);
	json_str(o, "sha256", r->runbook_sha256);
	json_str(o, "actor", r->actor);
	json_str(o, "started", r->started);
	a = cJSON_AddArrayToObject(o, "params");
	for (k = 0; k < r->nparams; k++) {
		x = cJSON_CreateObject();
		json_str(x, "name", r->params[k].name);
		json_str(x, "value", r->params[k].secret ? "" :
		    r->params[k].value);
		cJSON_AddNumberToObject(x, "secret", r->params[k].secret);
		cJSON_AddItemToArray(a, x);
	}
	a = cJSON_AddArrayToObject(o, "steps");
	for (k = 0; k < r->nsteps; k++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "index", r->steps[k].index);
		json_str(x, "state", r->steps[k].state);
		cJSON_AddNumberToObject(x, "unknown", r->steps[k].unknown);
		cJSON_AddItemToArray(a, x);
	}
	return (o);
}
