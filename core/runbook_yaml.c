/* runbook_yaml.c: YAML text to a tree of rb_node, with every node's line
 * and column, read with libyaml's event API.  Aliases are refused (they
 * would let a small file expand into a huge tree), as are several
 * documents, NUL bytes in strings, nesting deeper than RB_MAX_DEPTH and
 * more than RB_MAX_NODES nodes.  Also the small helpers that read keys of
 * a mapping for runbook_parse.c and runbook_exec.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "runbook_int.h"
#include "util.h"
#include "xmalloc.h"

struct rb_yaml {
	struct rb_ctx	*ctx;
	yaml_parser_t	 parser;
	int		 nodes;
	int		 failed;
};

void
rb_problem(struct rb_ctx *ctx, int line, int col, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ctx->problems++;
	if (ctx->diags != NULL)
		rb_diag_add(ctx->diags, ctx->file, line, col, "%s", msg);
}

static struct rb_node *
rb_node_new(enum rb_node_type type, const yaml_mark_t *m)
{
	struct rb_node	*n = xcalloc(1, sizeof *n);

	n->type = type;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return (n);
}

void
rb_node_free(struct rb_node *n)
{
	int	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nitems; i++)
		rb_node_free(n->items[i]);
	free(n->items);
	free(n->scalar.s);
	free(n);
}

static void
rb_node_push(struct rb_node *n, struct rb_node *item)
{
	if ((n->nitems & 7) == 0)
		n->items = xreallocarray(n->items, n->nitems + 8,
		    sizeof *n->items);
	n->items[n->nitems++] = item;
}

static int
rb_yaml_next(struct rb_yaml *y, yaml_event_t *ev)
{
	if (yaml_parser_parse(&y->parser, ev))
		return (0);
	rb_problem(y->ctx, (int)y->parser.problem_mark.line + 1,
	    (int)y->parser.problem_mark.column + 1, "YAML: %s%s%s",
	    y->parser.problem ? y->parser.problem : "syntax error",
	    y->parser.context ? " " : "",
	    y->parser.context ? y->parser.context : "");
	y->failed = 1;
	return (-1);
}

static struct rb_node	*rb_yaml_node(struct rb_yaml *, yaml_event_t *,
			     int);

static struct rb_node *
rb_yaml_scalar(struct rb_yaml *y, yaml_event_t *ev)
{
	struct rb_node	*n = rb_node_new(RB_NODE_SCALAR, &ev->start_mark);
	size_t		 len = ev->data.scalar.length;
	const char	*v = (const char *)ev->data.scalar.value;

	if (memchr(v, '\0', len) != NULL) {
		rb_problem(y->ctx, n->line, n->col, "a NUL byte in a string");
		y->failed = 1;
	}
	n->scalar.s = xstrndup(v, len);
	n->scalar.line = n->line;
	n->scalar.col = n->col;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->scalar.quoted = ev->data.scalar.style ==
	    YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return (n);
}

/* Children until the end event of a sequence or mapping. */
static struct rb_node *
rb_yaml_collection(struct rb_yaml *y, yaml_event_t *ev, int depth)
{
	enum rb_node_type	 type = ev->type == YAML_SEQUENCE_START_EVENT ?
				     RB_NODE_SEQ : RB_NODE_MAP;
	yaml_event_type_t	 end = type == RB_NODE_SEQ ?
				     YAML_SEQUENCE_END_EVENT :
				     YAML_MAPPING_END_EVENT;
	struct rb_node		*n = rb_node_new(type, &ev->start_mark);
	struct rb_node		*item;
	yaml_event_t		 cev;

	for (;;) {
		if (rb_yaml_next(y, &cev) != 0)
			break;
		if (cev.type == end) {
			yaml_event_delete(&cev);
			break;
		}
		item = rb_yaml_node(y, &cev, depth + 1);
		yaml_event_delete(&cev);
		if (item == NULL)
			break;
		rb_node_push(n, item);
	}
	if (y->failed) {
		rb_node_free(n);
		return (NULL);
	}
	return (n);
}

/* The node that ev starts (ev stays the caller's). */
static struct rb_node *
rb_yaml_node(struct rb_yaml *y, yaml_event_t *ev, int depth)
{
	int	line = (int)ev->start_mark.line + 1;
	int	col = (int)ev->start_mark.column + 1;

	if (++y->nodes > RB_MAX_NODES || depth > RB_MAX_DEPTH) {
		rb_problem(y->ctx, line, col, "the file is too large or "
		    "too deeply nested");
		y->failed = 1;
		return (NULL);
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (rb_yaml_scalar(y, ev));
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return (rb_yaml_collection(y, ev, depth));
	case YAML_ALIAS_EVENT:
		rb_problem(y->ctx, line, col, "YAML aliases (*name) are not "
		    "supported in runbooks");
		break;
	default:
		rb_problem(y->ctx, line, col, "YAML: unexpected event");
		break;
	}
	y->failed = 1;
	return (NULL);
}

/* Skip to the first node of the first document; then expect the end. */
static struct rb_node *
rb_yaml_document(struct rb_yaml *y)
{
	struct rb_node	*root = NULL;
	yaml_event_t	 ev;
	int		 docs = 0;

	while (!y->failed && rb_yaml_next(y, &ev) == 0) {
		yaml_event_type_t	t = ev.type;

		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			rb_problem(y->ctx, (int)ev.start_mark.line + 1,
			    (int)ev.start_mark.column + 1, "one YAML document "
			    "per runbook file");
			y->failed = 1;
		} else if (t == YAML_SCALAR_EVENT ||
		    t == YAML_SEQUENCE_START_EVENT ||
		    t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT)
			root = rb_yaml_node(y, &ev, 0);
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	if (y->failed) {
		rb_node_free(root);
		return (NULL);
	}
	return (root);
}

struct rb_node *
rb_yaml_load(struct rb_ctx *ctx, const char *buf, size_t len)
{
	struct rb_yaml	 y;
	struct rb_node	*root;

	memset(&y, 0, sizeof y);
	y.ctx = ctx;
	if (!yaml_parser_initialize(&y.parser))
		fatalx("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)buf,
	    len);
	root = rb_yaml_document(&y);
	yaml_parser_delete(&y.parser);
	if (root == NULL && !y.failed)
		rb_problem(ctx, 1, 1, "the file is empty");
	if (root != NULL && root->type != RB_NODE_MAP) {
		rb_problem(ctx, root->line, root->col, "a runbook is a "
		    "mapping (id:, title:, steps: ...)");
		rb_node_free(root);
		root = NULL;
	}
	return (root);
}

/* Mappings --------------------------------------------------------------- */

struct rb_node *
rb_map_get(const struct rb_node *map, const char *key)
{
	int	i;

	if (map == NULL || map->type != RB_NODE_MAP)
		return (NULL);
	for (i = 0; i + 1 < map->nitems; i += 2) {
		const struct rb_node	*k = map->items[i];

		if (k->type == RB_NODE_SCALAR && strcmp(k->scalar.s, key) == 0)
			return (map->items[i + 1]);
	}
	return (NULL);
}

static int
rb_word_in(const char *list, const char *word)
{
	const char	*p = list;
	size_t		 n = strlen(word);

	if (n == 0 || strchr(word, ' ') != NULL)
		return (0);
	while ((p = strstr(p, word)) != NULL) {
		if (p > list && p[-1] == ' ' && p[n] == ' ')
			return (1);
		p += n;
	}
	return (0);
}

int
rb_map_keys(struct rb_ctx *ctx, const struct rb_node *map, const char *what,
    const char *allowed)
{
	int	i, j, bad = 0;

	for (i = 0; i + 1 < map->nitems; i += 2) {
		const struct rb_node	*k = map->items[i];

		if (k->type != RB_NODE_SCALAR) {
			rb_problem(ctx, k->line, k->col, "%s: a key must be "
			    "a plain word", what);
			bad++;
			continue;
		}
		if (!rb_word_in(allowed, k->scalar.s)) {
			rb_problem(ctx, k->line, k->col, "%s: unknown key "
			    "'%.64s' (one of:%s)", what, k->scalar.s, allowed);
			bad++;
		}
		for (j = 0; j < i; j += 2) {
			const struct rb_node	*o = map->items[j];

			if (o->type == RB_NODE_SCALAR &&
			    strcmp(o->scalar.s, k->scalar.s) == 0) {
				rb_problem(ctx, k->line, k->col, "%s: key "
				    "'%.64s' given twice", what, k->scalar.s);
				bad++;
				break;
			}
		}
	}
	return (bad);
}

int
rb_require(struct rb_ctx *ctx, const struct rb_node *map, const char *what,
    const char *key)
{
	if (rb_map_get(map, key) != NULL)
		return (0);
	rb_problem(ctx, map->line, map->col, "%s: missing required key "
	    "'%s'", what, key);
	return (-1);
}

/* Leaves ----------------------------------------------------------------- */

static const char *
rb_type_name(const struct rb_node *n)
{
	switch (n->type) {
	case RB_NODE_SEQ:
		return ("a list");
	case RB_NODE_MAP:
		return ("a mapping");
	default:
		return ("a string");
	}
}

static int
rb_want(struct rb_ctx *ctx, const struct rb_node *n, enum rb_node_type t,
    const char *key)
{
	static const char *const names[] = { "a string", "a list",
	    "a mapping" };

	if (n->type == t)
		return (0);
	rb_problem(ctx, n->line, n->col, "%s: expected %s, not %s", key,
	    names[t], rb_type_name(n));
	return (-1);
}

void
rb_str_set(struct rb_str *s, const struct rb_node *n)
{
	free(s->s);
	s->s = xstrdup(n->scalar.s);
	s->line = n->line;
	s->col = n->col;
	s->quoted = n->scalar.quoted;
}

void
rb_str_free(struct rb_str *s)
{
	free(s->s);
	s->s = NULL;
}

void
rb_strs_free(struct rb_str *v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(v[i].s);
	free(v);
}

void
rb_kvs_free(struct rb_kv *v, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		free(v[i].key.s);
		free(v[i].value.s);
	}
	free(v);
}

int
rb_get_str(struct rb_ctx *ctx, const struct rb_node *map, const char *key,
    struct rb_str *out)
{
	const struct rb_node	*n = rb_map_get(map, key);

	if (n == NULL)
		return (0);
	if (rb_want(ctx, n, RB_NODE_SCALAR, key) != 0)
		return (-1);
	rb_str_set(out, n);
	return (0);
}

int
rb_get_strs(struct rb_ctx *ctx, const struct rb_node *map, const char *key,
    struct rb_str **out, int *nout)
{
	const struct rb_node	*n = rb_map_get(map, key);
	int			 i, bad = 0;

	if (n == NULL)
		return (0);
	if (rb_want(ctx, n, RB_NODE_SEQ, key) != 0)
		return (-1);
	*out = xcalloc(n->nitems + 1, sizeof **out);
	*nout = 0;
	for (i = 0; i < n->nitems; i++) {
		if (rb_want(ctx, n->items[i], RB_NODE_SCALAR, key) != 0) {
			bad = -1;
			continue;
		}
		rb_str_set(&(*out)[(*nout)++], n->items[i]);
	}
	return (bad);
}

int
rb_get_kvs(struct rb_ctx *ctx, const struct rb_node *map, const char *key,
    struct rb_kv **out, int *nout)
{
	const struct rb_node	*n = rb_map_get(map, key);
	int			 i, bad = 0;

	if (n == NULL)
		return (0);
	if (rb_want(ctx, n, RB_NODE_MAP, key) != 0)
		return (-1);
	*out = xcalloc(n->nitems / 2 + 1, sizeof **out);
	*nout = 0;
	for (i = 0; i + 1 < n->nitems; i += 2) {
		struct rb_kv	*kv = &(*out)[*nout];

		if (rb_want(ctx, n->items[i], RB_NODE_SCALAR, key) != 0 ||
		    rb_want(ctx, n->items[i + 1], RB_NODE_SCALAR, key) != 0) {
			bad = -1;
			continue;
		}
		rb_str_set(&kv->key, n->items[i]);
		rb_str_set(&kv->value, n->items[i + 1]);
		(*nout)++;
	}
	return (bad);
}

int
rb_get_bool(struct rb_ctx *ctx, const struct rb_node *map, const char *key,
    int *out)
{
	const struct rb_node	*n = rb_map_get(map, key);

	if (n == NULL)
		return (0);
	if (rb_want(ctx, n, RB_NODE_SCALAR, key) != 0)
		return (-1);
	if (strcmp(n->scalar.s, "true") == 0)
		*out = 1;
	else if (strcmp(n->scalar.s, "false") == 0)
		*out = 0;
	else {
		rb_problem(ctx, n->line, n->col, "%s: expected true or false",
		    key);
		return (-1);
	}
	return (0);
}

int
rb_get_int(struct rb_ctx *ctx, const struct rb_node *map, const char *key,
    long long *out, int *present)
{
	const struct rb_node	*n = rb_map_get(map, key);
	char			*end;
	long long		 v;

	if (n == NULL)
		return (0);
	if (rb_want(ctx, n, RB_NODE_SCALAR, key) != 0)
		return (-1);
	errno = 0;
	v = strtoll(n->scalar.s, &end, 10);
	if (n->scalar.s[0] == '\0' || *end != '\0' || errno != 0) {
		rb_problem(ctx, n->line, n->col, "%s: expected a whole number",
		    key);
		return (-1);
	}
	*out = v;
	if (present != NULL)
		*present = 1;
	return (0);
}

int
rb_get_secs(struct rb_ctx *ctx, const struct rb_node *map, const char *key,
    int lo, int hi, int *out)
{
	const struct rb_node	*n = rb_map_get(map, key);
	int64_t			 v;

	if (n == NULL)
		return (0);
	if (rb_want(ctx, n, RB_NODE_SCALAR, key) != 0)
		return (-1);
	v = rb_parse_secs(n->scalar.s);
	if (v < lo || v > hi) {
		rb_problem(ctx, n->line, n->col, "%s: expected a duration "
		    "from %ds to %ds (90s, 5m, 1h)", key, lo, hi);
		return (-1);
	}
	*out = (int)v;
	return (0);
}
