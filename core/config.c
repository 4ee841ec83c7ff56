/* config.c: the configuration file (YAML, read with libyaml's document
 * API): loading, the walker that applies a table of fields to a mapping,
 * the leaf fields (names, paths, durations...), freeing and lookups.  The
 * tables of the file's sections are in config_sections.c (environments,
 * databases) and config_http.c (kubernetes, alertmanager, prometheus,
 * health), connection strings in connstr.c, finding the file and reading
 * secrets in secret.c.  docs/configuration.md describes the format. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "connstr.h"
#include "util.h"
#include "xmalloc.h"

#define CFG_MAX_FILE	(1024 * 1024)

#define CFG_NOTOKEN	"tokens are not allowed in the file; use token_env " \
			"or token_file"
#define CFG_KUBESECRET	"credentials are not allowed here; Kubernetes " \
			"credentials come from the kubeconfig"

/* Errors ----------------------------------------------------------------- */

unsigned long
cfg_line(const yaml_node_t *n)
{
	return ((unsigned long)n->start_mark.line + 1);
}

static int
cfg_vfail(struct cfg_ctx *ctx, const yaml_node_t *n, const char *where,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static int
cfg_vfail(struct cfg_ctx *ctx, const yaml_node_t *n, const char *where,
    const char *fmt, va_list ap)
{
	char	msg[256];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (where != NULL && *where != '\0') {
		error_set(ctx->err, "%s:%lu: %s: %s", ctx->name, cfg_line(n),
		    where, msg);
	} else
		error_set(ctx->err, "%s:%lu: %s", ctx->name, cfg_line(n), msg);
	return (-1);
}

int
cfg_fail(struct cfg_ctx *ctx, const yaml_node_t *n, const char *where,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	cfg_vfail(ctx, n, where, fmt, ap);
	va_end(ap);
	return (-1);
}

int
cfg_fail_key(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *key, const char *fmt, ...)
{
	yaml_node_t	*at = cfg_lookup(ctx, n, key);
	char		 w[CFG_WHERE];
	va_list		 ap;

	cfg_join(w, sizeof w, where, key);
	va_start(ap, fmt);
	cfg_vfail(ctx, at != NULL ? at : n, w, fmt, ap);
	va_end(ap);
	return (-1);
}

/* A short printable copy of user text: control bytes become '?', long
 * text is cut (at a UTF-8 boundary) and ends in "...". */
const char *
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

void
cfg_join(char *buf, size_t len, const char *where, const char *key)
{
	if (*where == '\0')
		snprintf(buf, len, "%s", key);
	else
		snprintf(buf, len, "%s.%s", where, key);
}

/* Append ", name" to a list for a message. */
void
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

yaml_node_t *
cfg_node(struct cfg_ctx *ctx, int id)
{
	return (yaml_document_get_node(ctx->doc, id));
}

/* A scalar's text, or NULL if n is not a scalar or holds a NUL byte. */
const char *
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
yaml_node_t *
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
yaml_node_t *
cfg_item(struct cfg_ctx *ctx, yaml_node_t *n, int i)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE ||
	    i >= n->data.sequence.items.top - n->data.sequence.items.start)
		return (NULL);
	return (cfg_node(ctx, n->data.sequence.items.start[i]));
}

/* Non-empty text of at most max bytes without control characters. */
int
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

void
cfg_set(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? xstrdup(s) : NULL;
}

void
cfg_default(char **dst, const char *def)
{
	if (*dst == NULL && def != NULL)
		*dst = xstrdup(def);
}

int
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
int
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
int
cfg_f_ident(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	cfg_set(out, s);
	return (0);
}

/* Other text: at most f->max bytes (default CFG_MAX_TEXT). */
int
cfg_f_text(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;

	if (cfg_text(ctx, n, where, f->max > 0 ? (size_t)f->max : CFG_MAX_TEXT,
	    &s) != 0)
		return (-1);
	cfg_set(out, s);
	return (0);
}

int
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

int
cfg_f_path(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;

	if (cfg_text(ctx, n, where, CFG_MAX_TEXT, &s) != 0)
		return (-1);
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): cfg_text sets s or fails (the analyzer does not follow cfg_fail, variadic) */
	if (*s != '/' && strncmp(s, "~/", 2) != 0) {
		return (cfg_fail(ctx, n, where, "must be an absolute path "
		    "(or start with ~/)"));
	}
	cfg_set(out, s);
	return (0);
}

int
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
int
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
int
cfg_f_secs(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	int	ms;

	if (cfg_f_ms(ctx, f, n, where, &ms) != 0)
		return (-1);
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): set unless cfg_f_ms fails (cfg_fail is variadic) */
	if (ms % 1000 != 0) {
		return (cfg_fail(ctx, n, where, "whole seconds only (libpq), "
		    "e.g. 3s"));
	}
	*(int *)out = ms / 1000;
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

static int
cfg_has_key(const struct cfg_field *fields, const char *key)
{
	for (; fields->key != NULL; fields++) {
		if (strcmp(fields->key, key) == 0)
			return (1);
	}
	return (0);
}

/* The message for a secret given in clear as key s, or NULL. */
static const char *
cfg_clear_secret(const struct cfg_field *fields, const char *s)
{
	int	pw = strcasecmp(s, "password") == 0;

	if (!pw && strcasecmp(s, "token") != 0)
		return (NULL);
	if (!cfg_has_key(fields, pw ? "password_env" : "token_env") &&
	    cfg_has_key(fields, "kubeconfig"))
		return (CFG_KUBESECRET);
	return (pw ? CONNSTR_NOPASSWORD : CFG_NOTOKEN);
}

static const struct cfg_field *
cfg_field_find(struct cfg_ctx *ctx, yaml_node_t *k, const char *where,
    const struct cfg_field *fields)
{
	const struct cfg_field	*f;
	const char		*s, *secret;
	char			 keys[256], q[40], w[CFG_WHERE];

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
	if ((secret = cfg_clear_secret(fields, s)) != NULL)
		cfg_fail(ctx, k, w, "%s", secret);
	else
		cfg_fail(ctx, k, w, "unknown key; expected %s", keys);
	return (NULL);
}

/* Apply a field table to mapping n; base is the struct being filled. */
int
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
int
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

int
cfg_require(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *key, const void *value)
{
	char	w[CFG_WHERE];

	if (value != NULL)
		return (0);
	cfg_join(w, sizeof w, where, key);
	return (cfg_fail(ctx, n, w, "required"));
}

int
cfg_one_of(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *ka, const void *a, const char *kb, const void *b)
{
	if (a != NULL && b != NULL) {
		return (cfg_fail(ctx, n, where, "give %s or %s, not both", ka,
		    kb));
	}
	return (0);
}

/* "name" given twice in a list: the error is on the second name. */
int
cfg_dup(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const char *name, int first)
{
	return (cfg_fail_key(ctx, n, where, "name", "\"%s\" given twice "
	    "(first on line %d)", name, first));
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

void
config_free(struct config *cfg)
{
	int	i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nenvs; i++)
		cfg_env_free(&cfg->envs[i]);
	cfg_audit_free(&cfg->audit);
	cfg_warroom_free(&cfg->warroom);
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
