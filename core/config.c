/* config.c: the configuration file (YAML, read with libyaml's document
 * API), where to find it, and the secrets it names.  Each section of the
 * file is a table of fields (key, parser, offset); one walker applies a
 * table to a mapping.  docs/configuration.md describes the format. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "util.h"
#include "xmalloc.h"

#define CFG_MAX_FILE	(1024 * 1024)
#define CFG_MAX_TEXT	4096	/* conninfo, URLs, paths */
#define CFG_MAX_NAME	63	/* names, SQL identifiers (NAMEDATALEN - 1) */
#define CFG_MAX_ITEMS	256	/* environments, servers per list */
#define CFG_MAX_SECRET	4096
#define CFG_WHERE	192	/* a key path: environments.prod.redis[0].url */

#define CFG_NOPASSWORD	"passwords are not allowed in the file; " \
			"use password_env or password_file"

/* One parse in progress. */
struct cfg_ctx {
	const char	*name;		/* the file, for messages */
	const char	*buf;		/* its text */
	yaml_document_t	*doc;
	struct error	*err;
};

/* A key of a mapping: parse stores the value at base + off. */
struct cfg_field {
	const char	*key;
	int		(*parse)(struct cfg_ctx *, const struct cfg_field *,
			    yaml_node_t *, const char *, void *);
	size_t		 off;
	int		 min;		/* durations, ms */
	int		 max;
};

/* Outbox table layouts; NULL is "no such column" or "required". */
static const struct cfg_preset {
	const char	*name;
	const char	*table;
	struct cfg_outbox_columns cols;	/* id, occurred, processed, error,
					 * type */
} cfg_presets[] = {
	{ "outbox-messages", "OutboxMessages",
	  { "Id", "OccurredOn", "ProcessedOn", "Error", "Type" } },
	/* MassTransit deletes delivered rows: every row present is pending. */
	{ "masstransit", "OutboxMessage",
	  { "SequenceNumber", "SentTime", NULL, NULL, NULL } },
	{ "custom", NULL, { NULL, NULL, NULL, NULL, NULL } },
};
#define CFG_NPRESETS	(sizeof cfg_presets / sizeof cfg_presets[0])

/* Errors ----------------------------------------------------------------- */

static unsigned long
cfg_line(const yaml_node_t *n)
{
	return ((unsigned long)n->start_mark.line + 1);
}

/* "FILE:LINE: WHERE: what" for a node; always returns -1. */
static int
cfg_fail(struct cfg_ctx *ctx, const yaml_node_t *n, const char *where,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
cfg_fail(struct cfg_ctx *ctx, const yaml_node_t *n, const char *where,
    const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (where != NULL && *where != '\0') {
		error_set(ctx->err, "%s:%lu: %s: %s", ctx->name, cfg_line(n),
		    where, msg);
	} else
		error_set(ctx->err, "%s:%lu: %s", ctx->name, cfg_line(n), msg);
	return (-1);
}

/* A short printable copy of user text: control bytes become '?', long
 * text is cut (at a UTF-8 boundary) and ends in "...". */
static const char *
cfg_quote(const char *s, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			buf[i] = '?';
		else
			buf[i] = s[i];
	}
	buf[i] = '\0';
	if (s[i] != '\0' && len > 4) {
		i = len - 4;
		while (i > 0 && ((unsigned char)buf[i] & 0xc0) == 0x80)
			i--;
		memcpy(buf + i, "...", 4);
	}
	return (buf);
}

static void
cfg_join(char *buf, size_t len, const char *where, const char *key)
{
	if (*where == '\0')
		snprintf(buf, len, "%s", key);
	else
		snprintf(buf, len, "%s.%s", where, key);
}

/* Append ", name" to a list for a message. */
static void
cfg_list_add(char *buf, size_t len, const char *name)
{
	size_t	used = strlen(buf);

	if (used + 1 >= len)
		return;
	snprintf(buf + used, len - used, "%s%s", used == 0 ? "" : ", ", name);
}

static void
cfg_fmt_ms(char *buf, size_t len, int ms)
{
	if (ms % 3600000 == 0)
		snprintf(buf, len, "%dh", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, len, "%dm", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%ds", ms / 1000);
	else
		snprintf(buf, len, "%dms", ms);
}

/* Nodes ------------------------------------------------------------------ */

static yaml_node_t *
cfg_node(struct cfg_ctx *ctx, int id)
{
	return (yaml_document_get_node(ctx->doc, id));
}

/* A scalar's text, or NULL if n is not a scalar or holds a NUL byte. */
static const char *
cfg_scalar(const yaml_node_t *n)
{
	const char	*s;

	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return (NULL);
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length)
		return (NULL);
	return (s);
}

/* The value of key in mapping n, or NULL. */
static yaml_node_t *
cfg_lookup(struct cfg_ctx *ctx, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t	*p;
	const char		*s;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return (NULL);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		s = cfg_scalar(cfg_node(ctx, p->key));
		if (s != NULL && strcmp(s, key) == 0)
			return (cfg_node(ctx, p->value));
	}
	return (NULL);
}

/* Item i of sequence n, or NULL. */
static yaml_node_t *
cfg_item(struct cfg_ctx *ctx, yaml_node_t *n, int i)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE ||
	    i >= n->data.sequence.items.top - n->data.sequence.items.start)
		return (NULL);
	return (cfg_node(ctx, n->data.sequence.items.start[i]));
}

/* Non-empty text of at most max bytes without control characters. */
static int
cfg_text(struct cfg_ctx *ctx, yaml_node_t *n, const char *where, size_t max,
    const char **out)
{
	const char	*s;
	size_t		 i;

	if (n->type != YAML_SCALAR_NODE)
		return (cfg_fail(ctx, n, where, "expected a string"));
	if ((s = cfg_scalar(n)) == NULL)
		return (cfg_fail(ctx, n, where, "NUL byte in value"));
	if (*s == '\0' || (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0)))
		return (cfg_fail(ctx, n, where, "missing value"));
	if (strlen(s) > max)
		return (cfg_fail(ctx, n, where, "longer than %zu bytes", max));
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (cfg_fail(ctx, n, where, "control character"));
	}
	*out = s;
	return (0);
}

static void
cfg_set(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

static int
cfg_name_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if ((s[i] < 'a' || s[i] > 'z') && (s[i] < 'A' || s[i] > 'Z') &&
		    (s[i] < '0' || s[i] > '9') && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return (0);
	}
	return (i > 0 && i <= CFG_MAX_NAME);
}

/* Durations: "500ms", "2s", "1m", "1h", plain seconds; -1 if bad. */
static long long
cfg_parse_ms(const char *s)
{
	long long	v = 0;
	int		digits = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 9)
			return (-1);
		v = v * 10 + (*s - '0');
	}
	if (digits == 0)
		return (-1);
	if (*s == '\0' || strcmp(s, "s") == 0)
		return (v * 1000);
	if (strcmp(s, "ms") == 0)
		return (v);
	if (strcmp(s, "m") == 0)
		return (v * 60000);
	if (strcmp(s, "h") == 0)
		return (v * 3600000);
	return (-1);
}

/* Leaf fields ------------------------------------------------------------ */

/* Names of environments, servers and services. */
static int
cfg_f_name(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;
	char		 q[40];

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	if (!cfg_name_ok(s)) {
		return (cfg_fail(ctx, n, where, "\"%s\": use letters, digits, "
		    "'.', '_' and '-'", cfg_quote(s, q, sizeof q)));
	}
	cfg_set(out, s);
	return (0);
}

/* SQL identifiers (schema, table, columns) and database names. */
static int
cfg_f_ident(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	cfg_set(out, s);
	return (0);
}

static int
cfg_f_envvar(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;
	size_t		 i;

	if (cfg_text(ctx, n, where, 255, &s) != 0)
		return (-1);
	for (i = 0; s[i] != '\0'; i++) {
		if ((s[i] < 'A' || s[i] > 'Z') && (s[i] < 'a' || s[i] > 'z') &&
		    s[i] != '_' && (i == 0 || s[i] < '0' || s[i] > '9'))
			return (cfg_fail(ctx, n, where, "not a variable name"));
	}
	cfg_set(out, s);
	return (0);
}

static int
cfg_f_path(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;

	if (cfg_text(ctx, n, where, CFG_MAX_TEXT, &s) != 0)
		return (-1);
	if (*s != '/' && strncmp(s, "~/", 2) != 0) {
		return (cfg_fail(ctx, n, where, "must be an absolute path "
		    "(or start with ~/)"));
	}
	cfg_set(out, s);
	return (0);
}

static int
cfg_f_bool(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s = cfg_scalar(n);

	if (s != NULL && strcasecmp(s, "true") == 0)
		*(int *)out = 1;
	else if (s != NULL && strcasecmp(s, "false") == 0)
		*(int *)out = 0;
	else
		return (cfg_fail(ctx, n, where, "expected true or false"));
	return (0);
}

/* A duration within [f->min, f->max], in ms. */
static int
cfg_f_ms(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s = cfg_scalar(n);
	long long	 v;
	char		 lo[16], hi[16];

	if (s == NULL || (v = cfg_parse_ms(s)) < 0) {
		return (cfg_fail(ctx, n, where, "not a duration (e.g. 500ms, "
		    "2s, 1m)"));
	}
	if (v < f->min || v > f->max) {
		cfg_fmt_ms(lo, sizeof lo, f->min);
		cfg_fmt_ms(hi, sizeof hi, f->max);
		return (cfg_fail(ctx, n, where, "must be between %s and %s",
		    lo, hi));
	}
	*(int *)out = (int)v;
	return (0);
}

/* libpq's connect_timeout is whole seconds. */
static int
cfg_f_secs(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	int	ms;

	if (cfg_f_ms(ctx, f, n, where, &ms) != 0)
		return (-1);
	if (ms % 1000 != 0) {
		return (cfg_fail(ctx, n, where, "whole seconds only (libpq), "
		    "e.g. 3s"));
	}
	*(int *)out = ms / 1000;
	return (0);
}

static int
cfg_f_preset(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;
	char		 q[40];
	size_t		 i;

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	for (i = 0; i < CFG_NPRESETS; i++) {
		if (strcmp(s, cfg_presets[i].name) == 0) {
			cfg_set(out, s);
			return (0);
		}
	}
	return (cfg_fail(ctx, n, where, "unknown preset \"%s\"; expected "
	    "outbox-messages, masstransit or custom",
	    cfg_quote(s, q, sizeof q)));
}

/* Passwords in connection strings ---------------------------------------- */

static int
cfg_is_password(const char *key, size_t len)
{
	return (len == 8 && strncasecmp(key, "password", 8) == 0);
}

static int
cfg_hex(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Is the percent-encoded URI parameter name s[0..len) "password"? */
static int
cfg_uri_key_is_password(const char *s, size_t len)
{
	char	key[16];
	size_t	i, n = 0;

	for (i = 0; i < len && n < sizeof key; i++) {
		if (s[i] == '%' && i + 2 < len && cfg_hex(s[i + 1]) >= 0 &&
		    cfg_hex(s[i + 2]) >= 0) {
			key[n++] = (char)(cfg_hex(s[i + 1]) * 16 +
			    cfg_hex(s[i + 2]));
			i += 2;
		} else
			key[n++] = s[i];
	}
	return (i == len && cfg_is_password(key, n));
}

/* Does a URI have a user:password@ part or a ?password= parameter?  The
 * user part ends at the first '@' before any '/', as libpq reads it. */
static int
cfg_uri_has_password(const char *s)
{
	const char	*p, *end, *q, *amp, *eq;

	p = strstr(s, "://") + 3;
	end = p + strcspn(p, "@/");
	if (*end == '@' && memchr(p, ':', end - p) != NULL)
		return (1);
	if ((q = strchr(s, '?')) == NULL)
		return (0);
	for (q++; *q != '\0'; q = *amp == '&' ? amp + 1 : amp) {
		amp = q + strcspn(q, "&#");
		eq = memchr(q, '=', amp - q);
		if (cfg_uri_key_is_password(q, (eq != NULL ? eq : amp) - q))
			return (1);
		if (*amp == '#')
			break;
	}
	return (0);
}

/* One conninfo value, quoted or not, as libpq reads it; NULL if a quote
 * is not closed.  (cfg_text refused control characters: the only white
 * space left is ' '.) */
static const char *
cfg_kv_value(const char *p)
{
	if (*p != '\'') {
		for (; *p != '\0' && *p != ' '; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
		}
		return (p);
	}
	for (p++; *p != '\''; p++) {
		if (*p == '\0')
			return (NULL);
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	return (p + 1);
}

/* "key = value key='quoted value' ..." */
static int
cfg_kv_check(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *s)
{
	const char	*p = s, *key;
	char		 q[40], k[32];
	size_t		 klen;

	while (*(p += strspn(p, " ")) != '\0') {
		key = p;
		p += strcspn(p, "= ");
		klen = p - key;
		if (*(p += strspn(p, " ")) != '=') {
			snprintf(k, sizeof k, "%.*s", (int)klen, key);
			return (cfg_fail(ctx, n, where, "missing \"=\" after "
			    "\"%s\"", cfg_quote(k, q, sizeof q)));
		}
		if (cfg_is_password(key, klen))
			return (cfg_fail(ctx, n, where, CFG_NOPASSWORD));
		p++;
		if ((p = cfg_kv_value(p + strspn(p, " "))) == NULL) {
			return (cfg_fail(ctx, n, where, "unterminated quoted "
			    "string"));
		}
	}
	return (0);
}

static int
cfg_f_conninfo(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	const char	*s;
	int		 rc;

	if (cfg_text(ctx, n, where, CFG_MAX_TEXT, &s) != 0)
		return (-1);
	if (strncmp(s, "postgresql://", 13) != 0 &&
	    strncmp(s, "postgres://", 11) != 0)
		rc = cfg_kv_check(ctx, n, where, s);
	else if (cfg_uri_has_password(s))
		rc = cfg_fail(ctx, n, where, CFG_NOPASSWORD);
	else
		rc = 0;
	if (rc != 0)
		return (-1);
	cfg_set(out, s);
	return (0);
}

/* Redis URLs ------------------------------------------------------------- */

/* Digits in [p, end) as a number up to max; -1 if bad. */
static int
cfg_number(const char *p, const char *end, int max)
{
	long	v = 0;

	if (p == end || end - p > 9)
		return (-1);
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		v = v * 10 + (*p - '0');
	}
	return (v <= max ? (int)v : -1);
}

/* host, [v6]:port or host:port in [p, end). */
static int
cfg_redis_host(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    struct cfg_redis *r, const char *p, const char *end)
{
	const char	*h = p, *hend;

	if (*p == '[') {
		if ((hend = memchr(p, ']', end - p)) == NULL)
			return (cfg_fail(ctx, n, where, "unclosed [ in host"));
		h = p + 1;
		p = hend + 1;
		if (p < end && *p != ':')
			return (cfg_fail(ctx, n, where, "bad host"));
	} else {
		hend = p + strcspn(p, ":/");
		p = hend;
	}
	if (hend == h)
		return (cfg_fail(ctx, n, where, "no host"));
	free(r->host);
	r->host = xstrndup(h, hend - h);
	if (p < end && (r->port = cfg_number(p + 1, end, 65535)) <= 0)
		return (cfg_fail(ctx, n, where, "bad port"));
	return (0);
}

/* redis://[user@]host[:port][/db] or rediss://...: fills r. */
static int
cfg_redis_url(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    struct cfg_redis *r, const char *url)
{
	const char	*p, *end, *at;

	if (strncmp(url, "redis://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "rediss://", 9) == 0)
		p = url + 9;
	else {
		return (cfg_fail(ctx, n, where, "expected redis://[user@]host"
		    "[:port][/db] or rediss://..."));
	}
	if (cfg_uri_has_password(url))
		return (cfg_fail(ctx, n, where, CFG_NOPASSWORD));
	r->tls = url[5] == 's';
	end = p + strcspn(p, "/");
	if ((at = memchr(p, '@', end - p)) != NULL) {
		if (at == p)
			return (cfg_fail(ctx, n, where, "empty user before @"));
		free(r->username);
		r->username = xstrndup(p, at - p);
		p = at + 1;
	}
	if (strpbrk(url, "?#") != NULL) {
		return (cfg_fail(ctx, n, where, "query strings and fragments "
		    "are not supported"));
	}
	if (cfg_redis_host(ctx, n, where, r, p, end) != 0)
		return (-1);
	if (*end == '/' && end[1] != '\0' &&
	    (r->db = cfg_number(end + 1, end + strlen(end), 1000000)) < 0)
		return (cfg_fail(ctx, n, where, "bad database number"));
	return (0);
}

static int
cfg_f_url(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	struct cfg_redis	*r = out;
	const char		*s;

	if (cfg_text(ctx, n, where, CFG_MAX_TEXT, &s) != 0)
		return (-1);
	if (cfg_redis_url(ctx, n, where, r, s) != 0)
		return (-1);
	cfg_set(&r->url, s);
	return (0);
}

/* Mappings and lists ----------------------------------------------------- */

/* "a, b, c or d" */
static void
cfg_keys(const struct cfg_field *fields, char *buf, size_t len)
{
	const struct cfg_field	*f;
	size_t			 used;

	*buf = '\0';
	for (f = fields; f->key != NULL; f++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", f == fields ? "" :
		    f[1].key == NULL ? " or " : ", ", f->key);
	}
}

static const struct cfg_field *
cfg_field_find(struct cfg_ctx *ctx, yaml_node_t *k, const char *where,
    const struct cfg_field *fields)
{
	const struct cfg_field	*f;
	const char		*s;
	char			 keys[192], q[40], w[CFG_WHERE];

	cfg_keys(fields, keys, sizeof keys);
	if ((s = cfg_scalar(k)) == NULL) {
		cfg_fail(ctx, k, where, "expected a key: %s", keys);
		return (NULL);
	}
	for (f = fields; f->key != NULL; f++) {
		if (strcmp(s, f->key) == 0)
			return (f);
	}
	cfg_join(w, sizeof w, where, cfg_quote(s, q, sizeof q));
	if (strcasecmp(s, "password") == 0)
		cfg_fail(ctx, k, w, CFG_NOPASSWORD);
	else
		cfg_fail(ctx, k, w, "unknown key; expected %s", keys);
	return (NULL);
}

/* Apply a field table to mapping n; base is the struct being filled. */
static int
cfg_mapping(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const struct cfg_field *fields, void *base)
{
	const struct cfg_field	*f;
	yaml_node_pair_t	*p;
	yaml_node_t		*k;
	unsigned long		 seen = 0, bit;
	char			 w[CFG_WHERE];

	if (n->type != YAML_MAPPING_NODE)
		return (cfg_fail(ctx, n, where, "expected a mapping"));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = cfg_node(ctx, p->key);
		if ((f = cfg_field_find(ctx, k, where, fields)) == NULL)
			return (-1);
		cfg_join(w, sizeof w, where, f->key);
		bit = 1UL << (f - fields);
		if (seen & bit)
			return (cfg_fail(ctx, k, w, "given twice"));
		seen |= bit;
		if (f->parse(ctx, f, cfg_node(ctx, p->value), w,
		    (char *)base + f->off) != 0)
			return (-1);
	}
	return (0);
}

/* Call item for each element of sequence n with where "where[i]". */
static int
cfg_list(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    int (*item)(struct cfg_ctx *, yaml_node_t *, const char *, void *),
    void *arg)
{
	yaml_node_item_t	*it;
	char			 w[CFG_WHERE];
	int			 i = 0;

	if (n->type != YAML_SEQUENCE_NODE)
		return (cfg_fail(ctx, n, where, "expected a list"));
	if (n->data.sequence.items.top - n->data.sequence.items.start >
	    CFG_MAX_ITEMS)
		return (cfg_fail(ctx, n, where, "more than %d entries",
		    CFG_MAX_ITEMS));
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		snprintf(w, sizeof w, "%s[%d]", where, i);
		if (item(ctx, cfg_node(ctx, *it), w, arg) != 0)
			return (-1);
	}
	return (0);
}

static int
cfg_require(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *key, const void *value)
{
	char	w[CFG_WHERE];

	if (value != NULL)
		return (0);
	cfg_join(w, sizeof w, where, key);
	return (cfg_fail(ctx, n, w, "required"));
}

static int
cfg_one_secret(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *env, const char *file)
{
	if (env != NULL && file != NULL) {
		return (cfg_fail(ctx, n, where, "give password_env or "
		    "password_file, not both"));
	}
	return (0);
}

/* "name" given twice in a list: the error is on the second name. */
static int
cfg_dup(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *name, int first)
{
	yaml_node_t	*at = cfg_lookup(ctx, n, "name");
	char		 w[CFG_WHERE];

	cfg_join(w, sizeof w, where, "name");
	return (cfg_fail(ctx, at != NULL ? at : n, w, "\"%s\" given twice "
	    "(first on line %d)", name, first));
}

/* Sections --------------------------------------------------------------- */

static const struct cfg_field cfg_pg_fields[] = {
	{ "name", cfg_f_name, offsetof(struct cfg_postgres, name), 0, 0 },
	{ "conninfo", cfg_f_conninfo,
	  offsetof(struct cfg_postgres, conninfo), 0, 0 },
	{ "service", cfg_f_ident, offsetof(struct cfg_postgres, service), 0, 0 },
	{ "password_env", cfg_f_envvar,
	  offsetof(struct cfg_postgres, password_env), 0, 0 },
	{ "password_file", cfg_f_path,
	  offsetof(struct cfg_postgres, password_file), 0, 0 },
	{ "connect_timeout", cfg_f_secs,
	  offsetof(struct cfg_postgres, connect_timeout_s), 1000, 600000 },
	{ "statement_timeout", cfg_f_ms,
	  offsetof(struct cfg_postgres, statement_timeout_ms), 1, 3600000 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_pg_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where, void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_postgres	*pg;
	int			 i;

	env->pg = xreallocarray(env->pg, env->npg + 1, sizeof *env->pg);
	pg = &env->pg[env->npg++];
	memset(pg, 0, sizeof *pg);
	pg->connect_timeout_s = 3;
	pg->statement_timeout_ms = 2000;
	pg->line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_pg_fields, pg) != 0 ||
	    cfg_require(ctx, n, where, "name", pg->name) != 0 ||
	    cfg_one_secret(ctx, n, where, pg->password_env,
	    pg->password_file) != 0)
		return (-1);
	for (i = 0; i < env->npg - 1; i++) {
		if (strcmp(env->pg[i].name, pg->name) == 0)
			return (cfg_dup(ctx, n, where, pg->name,
			    env->pg[i].line));
	}
	return (0);
}

static int
cfg_f_pg(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_pg_item, out));
}

static const struct cfg_field cfg_column_fields[] = {
	{ "id", cfg_f_ident, offsetof(struct cfg_outbox_columns, id), 0, 0 },
	{ "occurred", cfg_f_ident,
	  offsetof(struct cfg_outbox_columns, occurred), 0, 0 },
	{ "processed", cfg_f_ident,
	  offsetof(struct cfg_outbox_columns, processed), 0, 0 },
	{ "error", cfg_f_ident, offsetof(struct cfg_outbox_columns, error), 0, 0 },
	{ "type", cfg_f_ident, offsetof(struct cfg_outbox_columns, type), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_f_columns(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_mapping(ctx, n, where, cfg_column_fields, out));
}

static const struct cfg_field cfg_outbox_fields[] = {
	{ "service", cfg_f_name, offsetof(struct cfg_outbox, service), 0, 0 },
	{ "postgres", cfg_f_name, offsetof(struct cfg_outbox, postgres), 0, 0 },
	{ "database", cfg_f_ident, offsetof(struct cfg_outbox, dbname), 0, 0 },
	{ "schema", cfg_f_ident, offsetof(struct cfg_outbox, schema), 0, 0 },
	{ "table", cfg_f_ident, offsetof(struct cfg_outbox, table), 0, 0 },
	{ "preset", cfg_f_preset, offsetof(struct cfg_outbox, preset), 0, 0 },
	{ "columns", cfg_f_columns, offsetof(struct cfg_outbox, cols), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static void
cfg_default(char **dst, const char *def)
{
	if (*dst == NULL && def != NULL)
		*dst = xstrdup(def);
}

/* Fill what the preset knows; custom must name table and columns. */
static int
cfg_outbox_preset(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    struct cfg_outbox *o)
{
	const struct cfg_preset		*p = &cfg_presets[0];
	struct cfg_outbox_columns	*c = &o->cols;
	yaml_node_t			*at;
	char				 w[CFG_WHERE];

	cfg_default(&o->preset, p->name);
	while (strcmp(p->name, o->preset) != 0)
		p++;
	cfg_default(&o->schema, "public");
	cfg_default(&o->table, p->table);
	cfg_default(&c->id, p->cols.id);
	cfg_default(&c->occurred, p->cols.occurred);
	cfg_default(&c->processed, p->cols.processed);
	cfg_default(&c->error, p->cols.error);
	cfg_default(&c->type, p->cols.type);
	if (cfg_require(ctx, n, where, "table", o->table) != 0)
		return (-1);
	if (c->id != NULL && c->occurred != NULL &&
	    (c->processed != NULL || strcmp(p->name, "custom") != 0))
		return (0);
	at = cfg_lookup(ctx, n, "columns");
	cfg_join(w, sizeof w, where, "columns");
	return (cfg_fail(ctx, at != NULL ? at : n, w, "preset %s needs id, "
	    "occurred and processed", p->name));
}

static int
cfg_outbox_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_outbox	*o;

	env->outbox = xreallocarray(env->outbox, env->noutbox + 1,
	    sizeof *env->outbox);
	o = &env->outbox[env->noutbox++];
	memset(o, 0, sizeof *o);
	o->line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_outbox_fields, o) != 0 ||
	    cfg_require(ctx, n, where, "service", o->service) != 0 ||
	    cfg_require(ctx, n, where, "postgres", o->postgres) != 0)
		return (-1);
	return (cfg_outbox_preset(ctx, n, where, o));
}

static int
cfg_f_outbox(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_outbox_item, out));
}

static const struct cfg_field cfg_redis_fields[] = {
	{ "name", cfg_f_name, offsetof(struct cfg_redis, name), 0, 0 },
	{ "url", cfg_f_url, 0, 0, 0 },
	{ "password_env", cfg_f_envvar,
	  offsetof(struct cfg_redis, password_env), 0, 0 },
	{ "password_file", cfg_f_path,
	  offsetof(struct cfg_redis, password_file), 0, 0 },
	{ "connect_timeout", cfg_f_ms,
	  offsetof(struct cfg_redis, connect_timeout_ms), 1, 600000 },
	{ "timeout", cfg_f_ms, offsetof(struct cfg_redis, timeout_ms), 1,
	  600000 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_redis_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_redis	*r;
	int			 i;

	env->redis = xreallocarray(env->redis, env->nredis + 1,
	    sizeof *env->redis);
	r = &env->redis[env->nredis++];
	memset(r, 0, sizeof *r);
	r->port = 6379;
	r->connect_timeout_ms = 2000;
	r->timeout_ms = 2000;
	r->line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_redis_fields, r) != 0 ||
	    cfg_require(ctx, n, where, "name", r->name) != 0 ||
	    cfg_require(ctx, n, where, "url", r->url) != 0 ||
	    cfg_one_secret(ctx, n, where, r->password_env,
	    r->password_file) != 0)
		return (-1);
	for (i = 0; i < env->nredis - 1; i++) {
		if (strcmp(env->redis[i].name, r->name) == 0)
			return (cfg_dup(ctx, n, where, r->name,
			    env->redis[i].line));
	}
	return (0);
}

static int
cfg_f_redis(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_redis_item, out));
}

static const struct cfg_field cfg_env_fields[] = {
	{ "production", cfg_f_bool, offsetof(struct cfg_env, production), 0, 0 },
	{ "refresh", cfg_f_ms, offsetof(struct cfg_env, refresh_ms), 100,
	  3600000 },
	{ "postgres", cfg_f_pg, 0, 0, 0 },
	{ "outbox", cfg_f_outbox, 0, 0, 0 },
	{ "redis", cfg_f_redis, 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

/* Every outbox names a postgres entry of its environment (which may come
 * later in the file, so this runs once the environment is read). */
static int
cfg_outbox_refs(struct cfg_ctx *ctx, const struct cfg_env *env,
    yaml_node_t *n, const char *where)
{
	yaml_node_t	*at;
	char		 w[CFG_WHERE + 32], known[160];
	int		 i, j;

	for (i = 0; i < env->noutbox; i++) {
		if (config_pg(env, env->outbox[i].postgres) != NULL)
			continue;
		at = cfg_lookup(ctx, cfg_item(ctx, cfg_lookup(ctx, n,
		    "outbox"), i), "postgres");
		snprintf(w, sizeof w, "%s.outbox[%d].postgres", where, i);
		*known = '\0';
		for (j = 0; j < env->npg; j++)
			cfg_list_add(known, sizeof known, env->pg[j].name);
		return (cfg_fail(ctx, at != NULL ? at : n, w, "no postgres "
		    "\"%s\" in %s (known: %s)", env->outbox[i].postgres,
		    env->name, *known != '\0' ? known : "none"));
	}
	return (0);
}

static int
cfg_env(struct cfg_ctx *ctx, struct config *cfg, yaml_node_t *k,
    yaml_node_t *v)
{
	struct cfg_env	*env;
	const char	*s = cfg_scalar(k);
	char		 w[CFG_WHERE], q[40];
	int		 i;

	if (s == NULL || !cfg_name_ok(s)) {
		return (cfg_fail(ctx, k, "environments", "bad environment "
		    "name \"%s\": use at most 63 letters, digits, '.', '_' "
		    "and '-'",
		    s != NULL ? cfg_quote(s, q, sizeof q) : "?"));
	}
	snprintf(w, sizeof w, "environments.%s", s);
	for (i = 0; i < cfg->nenvs; i++) {
		if (strcmp(cfg->envs[i].name, s) == 0) {
			return (cfg_fail(ctx, k, w, "given twice (first on "
			    "line %d)", cfg->envs[i].line));
		}
	}
	cfg->envs = xreallocarray(cfg->envs, cfg->nenvs + 1,
	    sizeof *cfg->envs);
	env = &cfg->envs[cfg->nenvs++];
	memset(env, 0, sizeof *env);
	env->name = xstrdup(s);
	env->refresh_ms = 2000;
	env->line = (int)cfg_line(k);
	if (cfg_mapping(ctx, v, w, cfg_env_fields, env) != 0)
		return (-1);
	return (cfg_outbox_refs(ctx, env, v, w));
}

static int
cfg_f_envs(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	yaml_node_pair_t	*p;

	if (n->type != YAML_MAPPING_NODE || n->data.mapping.pairs.start ==
	    n->data.mapping.pairs.top) {
		return (cfg_fail(ctx, n, where, "expected a mapping of "
		    "environments (prod: ..., staging: ...)"));
	}
	if (n->data.mapping.pairs.top - n->data.mapping.pairs.start >
	    CFG_MAX_ITEMS)
		return (cfg_fail(ctx, n, where, "more than %d environments",
		    CFG_MAX_ITEMS));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		if (cfg_env(ctx, out, cfg_node(ctx, p->key),
		    cfg_node(ctx, p->value)) != 0)
			return (-1);
	}
	return (0);
}

static const struct cfg_field cfg_top_fields[] = {
	{ "default_environment", cfg_f_name,
	  offsetof(struct config, default_env), 0, 0 },
	{ "environments", cfg_f_envs, 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_top(struct cfg_ctx *ctx, yaml_node_t *root, struct config *cfg)
{
	char	known[160];
	int	i;

	if (root->type != YAML_MAPPING_NODE) {
		return (cfg_fail(ctx, root, NULL, "the file must be a mapping "
		    "with an environments key"));
	}
	if (cfg_mapping(ctx, root, "", cfg_top_fields, cfg) != 0 ||
	    cfg_require(ctx, root, "", "environments", cfg->envs) != 0)
		return (-1);
	if (cfg->default_env == NULL)
		return (0);
	*known = '\0';
	for (i = 0; i < cfg->nenvs; i++) {
		if (strcmp(cfg->envs[i].name, cfg->default_env) == 0)
			return (0);
		cfg_list_add(known, sizeof known, cfg->envs[i].name);
	}
	return (cfg_fail(ctx, cfg_lookup(ctx, root, "default_environment"),
	    "default_environment", "no environment \"%s\" (known: %s)",
	    cfg->default_env, known));
}

/* Loading ---------------------------------------------------------------- */

static void
cfg_yaml_error(struct cfg_ctx *ctx, yaml_parser_t *parser)
{
	const char	*what = parser->problem;
	unsigned long	 line = parser->problem_mark.line + 1;
	size_t		 i;

	if (parser->error == YAML_MEMORY_ERROR || what == NULL)
		what = "out of memory";
	if (parser->error == YAML_READER_ERROR) {
		/* Bad encoding: libyaml gives a byte offset, not a mark. */
		for (i = 0, line = 1; i < parser->problem_offset; i++) {
			if (ctx->buf[i] == '\n')
				line++;
		}
		error_set(ctx->err, "%s:%lu: %s (byte offset %zu; the file "
		    "must be UTF-8 text)", ctx->name, line, what,
		    parser->problem_offset);
		return;
	}
	error_set(ctx->err, "%s:%lu: %s%s%s", ctx->name, line, what,
	    parser->context != NULL ? " " : "",
	    parser->context != NULL ? parser->context : "");
}

/* The one document in parser into cfg. */
static int
cfg_parse(struct cfg_ctx *ctx, yaml_parser_t *parser, struct config *cfg)
{
	yaml_document_t	 doc, extra;
	yaml_node_t	*root;
	int		 rc = -1;

	if (!yaml_parser_load(parser, &doc)) {
		cfg_yaml_error(ctx, parser);
		return (-1);
	}
	ctx->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || (root->type == YAML_SCALAR_NODE &&
	    root->data.scalar.length == 0 &&
	    root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)) {
		error_set(ctx->err, "%s:1: empty file; expected "
		    "environments: ...", ctx->name);
		goto out;
	}
	if (cfg_top(ctx, root, cfg) != 0)
		goto out;
	if (!yaml_parser_load(parser, &extra)) {
		cfg_yaml_error(ctx, parser);
		goto out;
	}
	if ((root = yaml_document_get_root_node(&extra)) != NULL)
		cfg_fail(ctx, root, NULL, "more than one document");
	else
		rc = 0;
	yaml_document_delete(&extra);
out:
	ctx->doc = NULL;
	yaml_document_delete(&doc);
	return (rc);
}

struct config *
config_parse(const char *buf, size_t len, const char *name,
    struct error *err)
{
	struct cfg_ctx	 ctx;
	struct config	*cfg;
	yaml_parser_t	 parser;
	int		 rc;

	if (name == NULL)
		name = "config";
	if (buf == NULL) {	/* libyaml asserts on NULL input */
		buf = "";
		len = 0;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.name = name;
	ctx.buf = buf;
	ctx.err = err;
	if (!yaml_parser_initialize(&parser)) {
		error_set(err, "%s: out of memory", name);
		return (NULL);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(name);
	rc = cfg_parse(&ctx, &parser, cfg);
	yaml_parser_delete(&parser);
	if (rc != 0) {
		config_free(cfg);
		return (NULL);
	}
	return (cfg);
}

/* All of path, at most CFG_MAX_FILE bytes; NULL with errno.  Caller
 * frees. */
static char *
cfg_read_file(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	size_t	 len = 0, n;
	int	 saved;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	buf = xmalloc(CFG_MAX_FILE + 1);
	while ((n = fread(buf + len, 1, CFG_MAX_FILE + 1 - len, f)) > 0) {
		if ((len += n) > CFG_MAX_FILE)
			break;
	}
	if (ferror(f) || len > CFG_MAX_FILE) {
		saved = ferror(f) ? errno : EFBIG;
		free(buf);
		fclose(f);
		errno = saved;
		return (NULL);
	}
	fclose(f);
	*lenp = len;
	return (buf);
}

struct config *
config_load(const char *path, struct error *err)
{
	struct config	*cfg;
	char		*buf;
	size_t		 len;

	if ((buf = cfg_read_file(path, &len)) == NULL) {
		error_set(err, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	cfg = config_parse(buf, len, path, err);
	free(buf);
	return (cfg);
}

static void
cfg_env_free(struct cfg_env *env)
{
	struct cfg_outbox_columns	*c;
	int				 i;

	for (i = 0; i < env->npg; i++) {
		free(env->pg[i].name);
		free(env->pg[i].conninfo);
		free(env->pg[i].service);
		free(env->pg[i].password_env);
		free(env->pg[i].password_file);
	}
	for (i = 0; i < env->noutbox; i++) {
		c = &env->outbox[i].cols;
		free(env->outbox[i].service);
		free(env->outbox[i].postgres);
		free(env->outbox[i].dbname);
		free(env->outbox[i].schema);
		free(env->outbox[i].table);
		free(env->outbox[i].preset);
		free(c->id);
		free(c->occurred);
		free(c->processed);
		free(c->error);
		free(c->type);
	}
	for (i = 0; i < env->nredis; i++) {
		free(env->redis[i].name);
		free(env->redis[i].url);
		free(env->redis[i].host);
		free(env->redis[i].username);
		free(env->redis[i].password_env);
		free(env->redis[i].password_file);
	}
	free(env->pg);
	free(env->outbox);
	free(env->redis);
	free(env->name);
}

void
config_free(struct config *cfg)
{
	int	i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nenvs; i++)
		cfg_env_free(&cfg->envs[i]);
	free(cfg->envs);
	free(cfg->default_env);
	free(cfg->path);
	free(cfg);
}

/* Lookups ---------------------------------------------------------------- */

const struct cfg_env *
config_env(const struct config *cfg, const char *name, struct error *err)
{
	char	known[160], q[40];
	int	i;

	if (name == NULL)
		name = cfg->default_env;
	if (name == NULL && cfg->nenvs > 0)
		return (&cfg->envs[0]);
	*known = '\0';
	for (i = 0; i < cfg->nenvs; i++) {
		if (name != NULL && strcmp(cfg->envs[i].name, name) == 0)
			return (&cfg->envs[i]);
		cfg_list_add(known, sizeof known, cfg->envs[i].name);
	}
	error_set(err, "%s: no environment \"%s\" (known: %s)", cfg->path,
	    name != NULL ? cfg_quote(name, q, sizeof q) : "",
	    *known != '\0' ? known : "none");
	return (NULL);
}

const struct cfg_postgres *
config_pg(const struct cfg_env *env, const char *name)
{
	int	i;

	if (name == NULL)
		return (NULL);
	for (i = 0; i < env->npg; i++) {
		if (strcmp(env->pg[i].name, name) == 0)
			return (&env->pg[i]);
	}
	return (NULL);
}

/* Finding the file ------------------------------------------------------- */

/* 0 and path in out if it exists; -1 otherwise (out keeps path when it
 * had to exist). */
static int
cfg_found(const char *path, char *out, size_t len, int must)
{
	struct stat	sb;

	if (stat(path, &sb) != 0 || S_ISDIR(sb.st_mode)) {
		if (must && len > 0)
			strlcpy_(out, path, len);
		return (-1);
	}
	if (strlcpy_(out, path, len) >= len) {
		*out = '\0';
		return (-1);
	}
	return (0);
}

int
config_find(const char *explicit_path, char *out, size_t len)
{
	const char	*env, *home;
	char		 path[PATH_MAX];

	if (len == 0)
		return (-1);
	*out = '\0';
	if (explicit_path != NULL)
		return (cfg_found(explicit_path, out, len, 1));
	if ((env = getenv("SITREP_CONFIG")) != NULL && *env != '\0')
		return (cfg_found(env, out, len, 1));
	if (cfg_found("sitrep.yaml", out, len, 0) == 0)
		return (0);
	/* The XDG spec says to ignore a relative $XDG_CONFIG_HOME. */
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/') {
		snprintf(path, sizeof path, "%s/sitrep/config.yaml", env);
		if (cfg_found(path, out, len, 0) == 0)
			return (0);
	} else if ((home = getenv("HOME")) != NULL && *home != '\0') {
		snprintf(path, sizeof path, "%s/.config/sitrep/config.yaml",
		    home);
		if (cfg_found(path, out, len, 0) == 0)
			return (0);
	}
	return (cfg_found("/etc/sitrep/config.yaml", out, len, 0));
}

/* Secrets ---------------------------------------------------------------- */

/* Check and read an open secret file into buf (NUL-terminated). */
static int
cfg_secret_read(int fd, const char *path, char *buf, size_t len,
    struct error *err)
{
	struct stat	sb;
	size_t		 got = 0;
	ssize_t		 n;

	if (fstat(fd, &sb) != 0) {
		error_set(err, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(sb.st_mode)) {
		error_set(err, "%s: not a regular file", path);
		return (-1);
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		error_set(err, "%s is readable by others; chmod 600", path);
		return (-1);
	}
	while (got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set(err, "%s: %s", path, strerror(errno));
			return (-1);
		}
		got += n;
	}
	buf[got] = '\0';
	if (got == len - 1 || memchr(buf, '\0', got) != NULL) {
		error_set(err, "%s: not a password (too long or binary)", path);
		return (-1);
	}
	return (0);
}

/* One line: drop one trailing newline (and CR); refuse more lines. */
static int
cfg_secret_line(char *buf, const char *what, struct error *err)
{
	size_t	len = strlen(buf);

	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (strpbrk(buf, "\r\n") != NULL) {
		error_set(err, "%s: more than one line", what);
		return (-1);
	}
	if (len == 0) {
		error_set(err, "%s is empty", what);
		return (-1);
	}
	return (0);
}

static int
cfg_secret_file(const char *file, char **out, struct error *err)
{
	const char	*home;
	char		 path[PATH_MAX], buf[CFG_MAX_SECRET + 2];
	int		 fd, rc = -1;

	if (strncmp(file, "~/", 2) == 0) {
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			error_set(err, "%s: $HOME is not set", file);
			return (-1);
		}
		snprintf(path, sizeof path, "%s/%s", home, file + 2);
	} else
		strlcpy_(path, file, sizeof path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		error_set(err, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (cfg_secret_read(fd, path, buf, sizeof buf, err) == 0 &&
	    cfg_secret_line(buf, path, err) == 0) {
		*out = xstrdup(buf);
		rc = 0;
	}
	close(fd);
	explicit_bzero(buf, sizeof buf);
	return (rc);
}

int
config_secret(const char *env, const char *file, char **out,
    struct error *err)
{
	const char	*v = NULL;

	*out = NULL;
	if (env != NULL && (v = getenv(env)) != NULL) {
		if (*v == '\0') {
			error_set(err, "$%s is empty", env);
			return (-1);
		}
		*out = xstrdup(v);
		return (0);
	}
	if (file != NULL)
		return (cfg_secret_file(file, out, err));
	if (env != NULL) {
		error_set(err, "$%s is not set", env);
		return (-1);
	}
	return (0);
}
