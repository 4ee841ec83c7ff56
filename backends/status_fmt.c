/* status_fmt.c: the three forms of `sitrep status`.  The tmux line is made
 * of segments with a priority; while it is wider than STATUS_LINE_MAX the
 * least important segment goes.  A kind that failed or did not answer
 * shows as "NAME:?" (the line) or with its error (plain, JSON). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "status.h"
#include "xmalloc.h"

#define SEG_MAX		8
#define SEP		" \xc2\xb7 "	/* " · " */
#define SEP_WIDTH	3

#define LAG_WARN_S	30.0		/* as the replication panel */
#define LAG_CRIT_S	300.0
#define OUTBOX_WARN_PENDING 100		/* as the outbox panel */
#define OUTBOX_WARN_S	60.0
#define OUTBOX_CRIT_S	300.0

struct seg {
	char	 text[160];		/* with tmux colours */
	int	 width;			/* visible */
	int	 prio;			/* the lowest goes first */
};

struct line {
	struct seg	 s[SEG_MAX];
	int		 n;
	int		 color;
};

/* "0B", "950K", "12.3M", "123M": short, 1024-based. */
static void
status_bytes(char *buf, size_t len, int64_t n)
{
	static const char	*units = "BKMGT";
	double			 v = (double)(n > 0 ? n : 0);
	int			 u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u > 0 && v < 99.95)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}

/* Characters, not bytes: every text here is one column a character. */
static int
utf8_width(const char *s)
{
	int	w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return (w);
}

static struct seg *
line_seg(struct line *l, int prio)
{
	struct seg	*sg = &l->s[l->n++];

	memset(sg, 0, sizeof *sg);
	sg->prio = prio;
	return (sg);
}

/* Append a part to the segment, in colour (NULL: the default). */
static void
seg_part(struct line *l, struct seg *sg, const char *color, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
static void
seg_part(struct line *l, struct seg *sg, const char *color, const char *fmt,
    ...)
{
	char	buf[96];
	size_t	off = strlen(sg->text);
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (sg->width > 0 && off + 1 < sizeof sg->text) {
		strlcpy_(sg->text + off, " ", sizeof sg->text - off);
		off++;
		sg->width++;
	}
	if (color != NULL && l->color)
		snprintf(sg->text + off, sizeof sg->text - off,
		    "#[fg=%s]%s#[default]", color, buf);
	else
		snprintf(sg->text + off, sizeof sg->text - off, "%s", buf);
	sg->width += utf8_width(buf);
}

/* A kind without fresh data: "NAME:?".  1 when it was one. */
static int
line_unknown(struct line *l, const struct status *st, enum snap_kind k,
    const char *name, int prio)
{
	if (st->k[k].state == STATUS_NONE)
		return (1);
	if (status_fresh(st, k))
		return (0);
	seg_part(l, line_seg(l, prio), "yellow", "%s:?", name);
	return (1);
}

static void
line_alerts(struct line *l, const struct status *st)
{
	struct seg	*sg;

	if (line_unknown(l, st, SNAP_ALERTS, "alerts", 9))
		return;
	sg = line_seg(l, 9);
	if (st->crit > 0)
		seg_part(l, sg, "red", "%d crit", st->crit);
	if (st->warn > 0)
		seg_part(l, sg, "yellow", "%d warn", st->warn);
	if (st->crit + st->warn == 0)
		seg_part(l, sg, "green", "0 alerts");
}

static void
line_repl(struct line *l, const struct status *st)
{
	struct seg	*sg;
	char		 bytes[16], secs[16] = "?";
	const char	*color = NULL;

	if (line_unknown(l, st, SNAP_REPLICATION, "lag", 8))
		return;
	sg = line_seg(l, 8);
	if (strcmp(st->primary_role, "down") == 0) {
		seg_part(l, sg, "red", "PRIMARY DOWN");
		return;
	}
	if (strcmp(st->primary_role, "standby") == 0) {
		seg_part(l, sg, "yellow", "primary in recovery");
		return;
	}
	if (st->standbys == 0) {
		seg_part(l, sg, "red", "no standby");
		return;
	}
	status_bytes(bytes, sizeof bytes, st->lag_bytes);
	if (st->lag_s >= 0 && st->lag_s < 0.05)
		strlcpy_(secs, "0s", sizeof secs);
	else if (st->lag_s >= 0)
		fmt_duration(secs, sizeof secs, st->lag_s);
	if (st->lag_s > LAG_CRIT_S)
		color = "red";
	else if (st->lag_s > LAG_WARN_S)
		color = "yellow";
	seg_part(l, sg, color, "lag %s/%s", bytes, secs);
	if (st->not_streaming > 0)
		seg_part(l, sg, "red", "%d off", st->not_streaming);
}

static void
line_outbox(struct line *l, const struct status *st)
{
	char		 n[16];
	const char	*color = NULL;

	if (line_unknown(l, st, SNAP_OUTBOX, "outbox", 7) || st->outboxes == 0)
		return;
	if (st->failed > 0 || st->oldest_s > OUTBOX_CRIT_S)
		color = "red";
	else if (st->pending > OUTBOX_WARN_PENDING ||
	    st->oldest_s > OUTBOX_WARN_S || st->unreadable > 0)
		color = "yellow";
	fmt_count(n, sizeof n, (uint64_t)st->pending);
	seg_part(l, line_seg(l, 7), color, "outbox %s%s", n,
	    st->unreadable > 0 ? "?" : "");
}

static void
line_circuits(struct line *l, const struct status *st)
{
	struct seg	*sg;

	if (line_unknown(l, st, SNAP_CIRCUITS, "cb", 5) ||
	    st->open + st->half_open == 0)
		return;
	sg = line_seg(l, 5);
	if (st->open > 0)
		seg_part(l, sg, "red", "%d open", st->open);
	if (st->half_open > 0)
		seg_part(l, sg, "yellow", "%d half", st->half_open);
}

static void
line_pods(struct line *l, const struct status *st)
{
	struct seg	*sg;

	if (line_unknown(l, st, SNAP_PODS, "pods", 4) ||
	    st->crashing + st->not_ready == 0)
		return;
	sg = line_seg(l, 4);
	if (st->crashing > 0)
		seg_part(l, sg, "red", "%d crash", st->crashing);
	if (st->not_ready > 0)
		seg_part(l, sg, "yellow", "%d unready", st->not_ready);
}

static void
line_redis(struct line *l, const struct status *st)
{
	if (line_unknown(l, st, SNAP_REDIS, "redis", 3) || st->redis_down == 0)
		return;
	seg_part(l, line_seg(l, 3), "red", "redis %d down", st->redis_down);
}

static int
line_width(const struct line *l)
{
	int	i, w = 0;

	for (i = 0; i < l->n; i++)
		w += l->s[i].width + (i > 0 ? SEP_WIDTH : 0);
	return (w);
}

/* Drop the least important segment (the last of equals). */
static void
line_drop(struct line *l)
{
	int	i, low = 0;

	for (i = 1; i < l->n; i++)
		if (l->s[i].prio <= l->s[low].prio)
			low = i;
	memmove(&l->s[low], &l->s[low + 1], (l->n - low - 1) * sizeof *l->s);
	l->n--;
}

char *
status_fmt_tmux(const struct status *st, int color)
{
	struct line	 l;
	char		*out;
	size_t		 len = 1, off = 0;
	int		 i;

	memset(&l, 0, sizeof l);
	l.color = color;
	line_alerts(&l, st);
	line_repl(&l, st);
	line_outbox(&l, st);
	line_circuits(&l, st);
	line_pods(&l, st);
	line_redis(&l, st);
	if (st->incident[0] != '\0')
		seg_part(&l, line_seg(&l, 6), NULL, "%s", st->incident);
	if (l.n == 0)			/* only quiet kinds: say so */
		seg_part(&l, line_seg(&l, 0), "green", "ok");
	while (l.n > 1 && line_width(&l) > STATUS_LINE_MAX)
		line_drop(&l);
	for (i = 0; i < l.n; i++)
		len += strlen(l.s[i].text) + strlen(SEP);
	out = xmalloc(len);
	out[0] = '\0';
	for (i = 0; i < l.n; i++)
		off += (size_t)snprintf(out + off, len - off, "%s%s",
		    i > 0 ? SEP : "", l.s[i].text);
	return (out);
}

/* Plain ------------------------------------------------------------------- */

struct buf {
	char	*p;
	size_t	 len, cap;
};

static void
buf_add(struct buf *b, const char *fmt, ...) __attribute__((format(printf,
    2, 3)));
static void
buf_add(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* The heading of a kind's line; 0 when its figures follow. */
static int
plain_head(struct buf *b, const struct status *st, enum snap_kind k)
{
	const struct status_kind	*sk = &st->k[k];

	if (sk->state == STATUS_NONE)
		return (-1);
	buf_add(b, "%-12s ", snap_kind_name(k));
	if (sk->state == STATUS_NO_ANSWER) {
		buf_add(b, "? %s: no answer before the deadline\n",
		    sk->source[0] ? sk->source : "the source");
		return (-1);
	}
	if (sk->state == STATUS_FAILED) {
		buf_add(b, "? %s\n", sk->error);
		return (-1);
	}
	return (0);
}

static void
plain_note(struct buf *b, const struct status *st, enum snap_kind k)
{
	if (st->k[k].note[0] != '\0')
		buf_add(b, "; %s", st->k[k].note);
	buf_add(b, "\n");
}

static void
plain_repl(struct buf *b, const struct status *st)
{
	char	bytes[16], secs[16] = "?";

	if (plain_head(b, st, SNAP_REPLICATION) != 0)
		return;
	if (strcmp(st->primary_role, "down") == 0)
		buf_add(b, "PRIMARY DOWN: %s (%s)", st->primary,
		    st->primary_error[0] ? st->primary_error : "down");
	else
		buf_add(b, "%s %s%s%s", st->primary_role, st->primary,
		    st->primary_error[0] ? ": " : "", st->primary_error);
	fmt_bytes(bytes, sizeof bytes, st->lag_bytes > 0 ?
	    (uint64_t)st->lag_bytes : 0);
	if (st->lag_s >= 0)
		fmt_duration(secs, sizeof secs, st->lag_s);
	if (st->standbys == 0)
		buf_add(b, "; no standby\n");
	else
		buf_add(b, "; worst lag %s, %s (%s); %d of %d standbys not "
		    "streaming\n", bytes, secs, st->worst, st->not_streaming,
		    st->standbys);
}

static void
plain_outbox(struct buf *b, const struct status *st)
{
	char	oldest[16];

	if (plain_head(b, st, SNAP_OUTBOX) != 0)
		return;
	fmt_duration(oldest, sizeof oldest, st->oldest_s);
	buf_add(b, "%lld pending", (long long)st->pending);
	if (st->worst_pending > 0)
		buf_add(b, " (most: %s %lld), oldest %s", st->worst_service,
		    (long long)st->worst_pending, oldest);
	buf_add(b, ", %lld failed, %d outboxes", (long long)st->failed,
	    st->outboxes);
	if (st->unreadable > 0)
		buf_add(b, ", %d unreadable", st->unreadable);
	buf_add(b, "\n");
}

char *
status_fmt_plain(const struct status *st)
{
	struct buf	b = { NULL, 0, 0 };
	char		when[16];

	fmt_clock_utc(when, sizeof when, st->time_ms);
	buf_add(&b, "env %s at %s UTC, incident %s\n", st->env, when,
	    st->incident[0] ? st->incident : "none");
	if (plain_head(&b, st, SNAP_ALERTS) == 0) {
		buf_add(&b, "%d critical, %d warning, %d info firing; "
		    "%d silenced, %d inhibited", st->crit, st->warn, st->info,
		    st->silenced, st->inhibited);
		plain_note(&b, st, SNAP_ALERTS);
	}
	plain_repl(&b, st);
	plain_outbox(&b, st);
	if (plain_head(&b, st, SNAP_CIRCUITS) == 0) {
		buf_add(&b, "%d open, %d half-open of %d", st->open,
		    st->half_open, st->circuits);
		plain_note(&b, st, SNAP_CIRCUITS);
	}
	if (plain_head(&b, st, SNAP_PODS) == 0) {
		buf_add(&b, "%d crashing, %d not ready of %d", st->crashing,
		    st->not_ready, st->pods);
		plain_note(&b, st, SNAP_PODS);
	}
	if (plain_head(&b, st, SNAP_REDIS) == 0)
		buf_add(&b, "%d of %d nodes down\n", st->redis_down,
		    st->redis_nodes);
	return (b.p != NULL ? b.p : xstrdup(""));
}

/* JSON -------------------------------------------------------------------- */

/* The kind's object with ok and error, or NULL (not configured: null). */
static cJSON *
json_kind(cJSON *root, const struct status *st, enum snap_kind k)
{
	const struct status_kind	*sk = &st->k[k];
	cJSON				*o;

	if (sk->state == STATUS_NONE) {
		cJSON_AddNullToObject(root, snap_kind_name(k));
		return (NULL);
	}
	o = cJSON_AddObjectToObject(root, snap_kind_name(k));
	cJSON_AddBoolToObject(o, "ok", sk->state == STATUS_OK);
	cJSON_AddStringToObject(o, "source", sk->source);
	if (sk->state == STATUS_FAILED)
		cJSON_AddStringToObject(o, "error", sk->error);
	else if (sk->state == STATUS_NO_ANSWER)
		cJSON_AddStringToObject(o, "error",
		    "no answer before the deadline");
	else
		cJSON_AddNullToObject(o, "error");
	if (sk->note[0] != '\0')
		cJSON_AddStringToObject(o, "note", sk->note);
	return (sk->state == STATUS_OK ? o : NULL);
}

static void
json_num_or_null(cJSON *o, const char *name, double v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, v);
}

static void
json_repl(cJSON *root, const struct status *st)
{
	cJSON	*o;

	if ((o = json_kind(root, st, SNAP_REPLICATION)) == NULL)
		return;
	cJSON_AddStringToObject(o, "primary", st->primary);
	cJSON_AddStringToObject(o, "primary_state", st->primary_role);
	cJSON_AddBoolToObject(o, "primary_down",
	    strcmp(st->primary_role, "down") == 0);
	if (st->primary_error[0] != '\0')
		cJSON_AddStringToObject(o, "primary_error", st->primary_error);
	cJSON_AddNumberToObject(o, "standbys", st->standbys);
	cJSON_AddNumberToObject(o, "not_streaming", st->not_streaming);
	if (st->worst[0] != '\0')
		cJSON_AddStringToObject(o, "worst", st->worst);
	else
		cJSON_AddNullToObject(o, "worst");
	json_num_or_null(o, "lag_bytes", (double)st->lag_bytes);
	json_num_or_null(o, "lag_seconds", st->lag_s);
}

static void
json_outbox(cJSON *root, const struct status *st)
{
	cJSON	*o;

	if ((o = json_kind(root, st, SNAP_OUTBOX)) == NULL)
		return;
	cJSON_AddNumberToObject(o, "pending", (double)st->pending);
	cJSON_AddNumberToObject(o, "failed", (double)st->failed);
	cJSON_AddNumberToObject(o, "outboxes", st->outboxes);
	cJSON_AddNumberToObject(o, "unreadable", st->unreadable);
	cJSON_AddNumberToObject(o, "oldest_seconds", st->oldest_s);
	if (st->worst_pending > 0) {
		cJSON_AddStringToObject(o, "worst_service", st->worst_service);
		cJSON_AddNumberToObject(o, "worst_pending",
		    (double)st->worst_pending);
	} else
		cJSON_AddNullToObject(o, "worst_service");
}

static void
json_rest(cJSON *root, const struct status *st)
{
	cJSON	*o;

	if ((o = json_kind(root, st, SNAP_CIRCUITS)) != NULL) {
		cJSON_AddNumberToObject(o, "open", st->open);
		cJSON_AddNumberToObject(o, "half_open", st->half_open);
		cJSON_AddNumberToObject(o, "total", st->circuits);
	}
	if ((o = json_kind(root, st, SNAP_PODS)) != NULL) {
		cJSON_AddNumberToObject(o, "total", st->pods);
		cJSON_AddNumberToObject(o, "not_ready", st->not_ready);
		cJSON_AddNumberToObject(o, "crashing", st->crashing);
	}
	if ((o = json_kind(root, st, SNAP_REDIS)) != NULL) {
		cJSON_AddNumberToObject(o, "nodes", st->redis_nodes);
		cJSON_AddNumberToObject(o, "down", st->redis_down);
	}
}

char *
status_fmt_json(const struct status *st)
{
	cJSON	*root = cJSON_CreateObject(), *o, *stale;
	char	 when[32], *s;
	time_t	 t = (time_t)(st->time_ms / 1000);
	struct tm tm;
	int	 k;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(root, "time", when);
	cJSON_AddStringToObject(root, "env", st->env);
	if (st->incident[0] != '\0')
		cJSON_AddStringToObject(root, "incident", st->incident);
	else
		cJSON_AddNullToObject(root, "incident");
	if ((o = json_kind(root, st, SNAP_ALERTS)) != NULL) {
		cJSON_AddNumberToObject(o, "critical", st->crit);
		cJSON_AddNumberToObject(o, "warning", st->warn);
		cJSON_AddNumberToObject(o, "info", st->info);
		cJSON_AddNumberToObject(o, "silenced", st->silenced);
		cJSON_AddNumberToObject(o, "inhibited", st->inhibited);
	}
	json_repl(root, st);
	json_outbox(root, st);
	json_rest(root, st);
	stale = cJSON_AddArrayToObject(root, "stale");
	for (k = 0; k < SNAP__COUNT; k++)
		if (st->k[k].state == STATUS_FAILED ||
		    st->k[k].state == STATUS_NO_ANSWER)
			cJSON_AddItemToArray(stale,
			    cJSON_CreateString(snap_kind_name(k)));
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (s == NULL)
		fatalx("out of memory");
	return (s);
}
