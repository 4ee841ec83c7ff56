/* condition.c: `when:` and `until:` expressions (see condition.h): a
 * tokenizer, a recursive-descent parser into a small tree, and an
 * evaluator over the values a lookup returns.  No shell, no eval. */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "xmalloc.h"

#define COND_MAX_DEPTH	32
#define COND_MAX_NAME	127
#define COND_MAX_NODES	256

enum tok { T_END, T_PH, T_STR, T_WORD, T_OP, T_REGEX, T_LP, T_RP, T_BAD };

enum cop { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS,
	OP_MATCHES, OP_TRUTHY };

enum ctype { C_OR, C_AND, C_NOT, C_CMP };

struct operand {
	int		 ph;		/* a {{name}} */
	char		*text;		/* the name or the literal */
	size_t		 off;
};

struct cond {
	enum ctype	 type;
	struct cond	*a, *b;		/* OR, AND: both; NOT: a */
	enum cop	 op;		/* CMP */
	struct operand	 l, r;
	regex_t		 re;		/* OP_MATCHES */
	int		 has_re;
};

struct cparse {
	const char	*s;
	size_t		 pos;
	enum tok	 tok;		/* the current token */
	char		*text;		/* its text (owned) */
	size_t		 off;		/* its offset */
	struct error	*err;
	size_t		 erroff;
	int		 failed;
	int		 depth;
	int		 nodes;
};

/* Tokens ----------------------------------------------------------------- */

static void
cp_fail(struct cparse *p, size_t off, const char *what)
{
	if (p->failed)
		return;
	p->failed = 1;
	p->erroff = off;
	error_set(p->err, "condition: %s at offset %zu", what, off);
}

static char *
cp_quoted(struct cparse *p, char q, size_t *end)
{
	const char	*s = p->s;
	size_t		 i = *end, n = 0;
	char		*out = xmalloc(strlen(s + i) + 1);

	for (; s[i] != '\0' && s[i] != q; i++) {
		if (s[i] == '\\' && (s[i + 1] == q || s[i + 1] == '\\'))
			i++;
		out[n++] = s[i];
	}
	out[n] = '\0';
	if (s[i] != q) {
		cp_fail(p, *end - 1, "unterminated string or regex");
		free(out);
		return (NULL);
	}
	*end = i + 1;
	return (out);
}

static int
cp_name_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > COND_MAX_NAME || isdigit((unsigned char)s[0]) ||
	    s[0] == '.' || s[0] == '-')
		return (0);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_.-", s[i]) ==
		    NULL)
			return (0);
	return (1);
}

static void
cp_placeholder(struct cparse *p)
{
	const char	*s = p->s + p->pos + 2, *e = strstr(s, "}}");
	const char	*a = s, *b;

	if (e == NULL) {
		cp_fail(p, p->pos, "'{{' without '}}'");
		return;
	}
	b = e;
	while (a < b && *a == ' ')
		a++;
	while (b > a && b[-1] == ' ')
		b--;
	if (!cp_name_ok(a, (size_t)(b - a))) {
		cp_fail(p, p->pos, "a bad name in {{...}}");
		return;
	}
	p->tok = T_PH;
	p->text = xstrndup(a, (size_t)(b - a));
	p->pos = (size_t)(e + 2 - p->s);
}

static void
cp_word(struct cparse *p)
{
	const char	*s = p->s + p->pos;
	size_t		 n = strcspn(s, " \t\r\n()\"'=!<>");

	if (n == 0) {
		cp_fail(p, p->pos, "unexpected character");
		return;
	}
	p->tok = T_WORD;
	p->text = xstrndup(s, n);
	p->pos += n;
}

static void
cp_op(struct cparse *p)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	const char	*s = p->s + p->pos;
	int		 i;

	for (i = 0; i < 6; i++) {
		size_t	n = strlen(ops[i]);

		if (strncmp(s, ops[i], n) == 0) {
			p->tok = T_OP;
			p->text = xstrdup(ops[i]);
			p->pos += n;
			return;
		}
	}
	cp_fail(p, p->pos, "unknown operator");
}

/* Read the next token; regex: a /.../ is expected (after "matches"). */
static void
cp_next(struct cparse *p, int regex)
{
	const char	*s;
	size_t		 end;

	free(p->text);
	p->text = NULL;
	p->tok = T_BAD;
	while (isspace((unsigned char)p->s[p->pos]))
		p->pos++;
	p->off = p->pos;
	s = p->s + p->pos;
	if (*s == '\0')
		p->tok = T_END;
	else if (regex && *s == '/') {
		end = p->pos + 1;
		if ((p->text = cp_quoted(p, '/', &end)) != NULL) {
			p->tok = T_REGEX;
			p->pos = end;
		}
	} else if (*s == '(' || *s == ')') {
		p->tok = *s == '(' ? T_LP : T_RP;
		p->pos++;
	} else if (s[0] == '{' && s[1] == '{')
		cp_placeholder(p);
	else if (*s == '"' || *s == '\'') {
		end = p->pos + 1;
		if ((p->text = cp_quoted(p, *s, &end)) != NULL) {
			p->tok = T_STR;
			p->pos = end;
		}
	} else if (strchr("=!<>", *s) != NULL)
		cp_op(p);
	else
		cp_word(p);
	if (p->failed)
		p->tok = T_BAD;
}

static int
cp_keyword(const struct cparse *p, const char *kw)
{
	return (p->tok == T_WORD && strcmp(p->text, kw) == 0);
}

/* Parsing ---------------------------------------------------------------- */

static struct cond	*cp_or(struct cparse *);

static struct cond *
cnew(enum ctype t)
{
	struct cond	*c = xcalloc(1, sizeof *c);

	c->type = t;
	return (c);
}

static int
cp_operand(struct cparse *p, struct operand *o)
{
	if (p->tok == T_END || p->tok == T_LP || p->tok == T_RP ||
	    p->tok == T_OP || p->tok == T_BAD || cp_keyword(p, "and") ||
	    cp_keyword(p, "or") || cp_keyword(p, "not") ||
	    cp_keyword(p, "contains") || cp_keyword(p, "matches")) {
		cp_fail(p, p->off, "a value expected");
		return (-1);
	}
	o->ph = p->tok == T_PH;
	o->text = p->text;
	o->off = p->off;
	p->text = NULL;
	return (0);
}

static enum cop
cp_cmp_op(const struct cparse *p)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">",
	    ">=" };
	int	i;

	if (p->tok == T_OP)
		for (i = 0; i < 6; i++)
			if (strcmp(p->text, ops[i]) == 0)
				return ((enum cop)i);
	if (cp_keyword(p, "contains"))
		return (OP_CONTAINS);
	if (cp_keyword(p, "matches"))
		return (OP_MATCHES);
	return (OP_TRUTHY);
}

static int
cp_regex(struct cparse *p, struct cond *c)
{
	char	buf[128];
	int	rc;

	if (p->tok != T_REGEX) {
		cp_fail(p, p->off, "matches needs /regex/");
		return (-1);
	}
	if ((rc = regcomp(&c->re, p->text, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &c->re, buf, sizeof buf);
		regfree(&c->re);
		cp_fail(p, p->off, buf);
		return (-1);
	}
	c->has_re = 1;
	c->r.text = p->text;
	c->r.off = p->off;
	p->text = NULL;
	return (0);
}

static struct cond *
cp_compare(struct cparse *p)
{
	struct cond	*c = cnew(C_CMP);

	if (cp_operand(p, &c->l) != 0)
		return (c);
	cp_next(p, 0);
	c->op = cp_cmp_op(p);
	if (c->op == OP_TRUTHY)
		return (c);
	cp_next(p, c->op == OP_MATCHES);
	if (c->op == OP_MATCHES)
		cp_regex(p, c);
	else
		cp_operand(p, &c->r);
	if (!p->failed)
		cp_next(p, 0);
	return (c);
}

static struct cond *
cp_unary(struct cparse *p)
{
	struct cond	*c;

	if (++p->depth > COND_MAX_DEPTH) {
		cp_fail(p, p->off, "nested too deeply");
		return (cnew(C_CMP));
	}
	if (cp_keyword(p, "not")) {
		c = cnew(C_NOT);
		cp_next(p, 0);
		c->a = cp_unary(p);
	} else if (p->tok == T_LP) {
		cp_next(p, 0);
		c = cp_or(p);
		if (p->tok != T_RP)
			cp_fail(p, p->off, "')' expected");
		else
			cp_next(p, 0);
	} else
		c = cp_compare(p);
	p->depth--;
	return (c);
}

static struct cond *
cp_binary(struct cparse *p, const char *kw, enum ctype t,
    struct cond *(*sub)(struct cparse *))
{
	struct cond	*c = sub(p), *n;

	while (!p->failed && cp_keyword(p, kw)) {
		if (++p->nodes > COND_MAX_NODES) {
			cp_fail(p, p->off, "too long");
			break;
		}
		cp_next(p, 0);
		n = cnew(t);
		n->a = c;
		n->b = sub(p);
		c = n;
	}
	return (c);
}

static struct cond *
cp_and(struct cparse *p)
{
	return (cp_binary(p, "and", C_AND, cp_unary));
}

static struct cond *
cp_or(struct cparse *p)
{
	return (cp_binary(p, "or", C_OR, cp_and));
}

struct cond *
cond_parse(const char *text, struct error *err, size_t *erroff)
{
	struct cparse	 p;
	struct cond	*c;

	memset(&p, 0, sizeof p);
	p.s = text;
	p.err = err;
	cp_next(&p, 0);
	if (p.tok == T_END)
		cp_fail(&p, 0, "empty condition");
	c = cp_or(&p);
	if (!p.failed && p.tok != T_END)
		cp_fail(&p, p.off, "'and', 'or' or the end expected");
	free(p.text);
	if (p.failed) {
		cond_free(c);
		if (erroff != NULL)
			*erroff = p.erroff;
		return (NULL);
	}
	/* cppcheck-suppress returnDanglingLifetime ; c is the heap tree */
	return (c);
}

void
cond_free(struct cond *c)
{
	if (c == NULL)
		return;
	cond_free(c->a);
	cond_free(c->b);
	free(c->l.text);
	free(c->r.text);
	if (c->has_re)
		regfree(&c->re);
	free(c);
}

/* Evaluation ------------------------------------------------------------- */

static const char *
ce_value(const struct operand *o, cond_lookup_fn fn, void *arg,
    struct error *err)
{
	const char	*v;

	if (!o->ph)
		return (o->text);
	if ((v = fn(arg, o->text)) == NULL)
		error_set(err, "%s is not set", o->text);
	return (v);
}

static int
ce_number(const char *s, double *d)
{
	char	*end;

	if (*s == '\0' || isspace((unsigned char)*s))
		return (0);
	*d = strtod(s, &end);
	return (*end == '\0' && isfinite(*d));
}

static int
ce_truthy(const char *v)
{
	return (*v != '\0' && strcmp(v, "0") != 0 && strcmp(v, "false") !=
	    0 && strcmp(v, "no") != 0);
}

static int
ce_compare(const struct cond *c, const char *l, const char *r)
{
	double	x, y;
	int	cmp;

	if (ce_number(l, &x) && ce_number(r, &y))
		cmp = x < y ? -1 : x > y ? 1 : 0;
	else
		cmp = strcmp(l, r);
	switch (c->op) {
	case OP_EQ:
		return (cmp == 0);
	case OP_NE:
		return (cmp != 0);
	case OP_LT:
		return (cmp < 0);
	case OP_LE:
		return (cmp <= 0);
	case OP_GT:
		return (cmp > 0);
	case OP_GE:
		return (cmp >= 0);
	default:
		return (0);
	}
}

static int
ce_cmp(const struct cond *c, cond_lookup_fn fn, void *arg,
    struct error *err)
{
	const char	*l, *r;

	if ((l = ce_value(&c->l, fn, arg, err)) == NULL)
		return (-1);
	if (c->op == OP_TRUTHY)
		return (ce_truthy(l));
	if (c->op == OP_MATCHES)
		return (regexec(&c->re, l, 0, NULL, 0) == 0);
	if ((r = ce_value(&c->r, fn, arg, err)) == NULL)
		return (-1);
	if (c->op == OP_CONTAINS)
		return (strstr(l, r) != NULL);
	return (ce_compare(c, l, r));
}

int
cond_eval(const struct cond *c, cond_lookup_fn fn, void *arg,
    struct error *err)
{
	int	a;

	switch (c->type) {
	case C_NOT:
		a = cond_eval(c->a, fn, arg, err);
		return (a < 0 ? -1 : !a);
	case C_AND:
	case C_OR:
		if ((a = cond_eval(c->a, fn, arg, err)) < 0)
			return (-1);
		if (a == (c->type == C_OR))
			return (a);
		return (cond_eval(c->b, fn, arg, err));
	default:
		return (ce_cmp(c, fn, arg, err));
	}
}

int
cond_names(const struct cond *c, void (*fn)(void *, const char *, size_t),
    void *arg)
{
	int	n = 0;

	if (c == NULL)
		return (0);
	n += cond_names(c->a, fn, arg);
	n += cond_names(c->b, fn, arg);
	if (c->type == C_CMP && c->l.ph) {
		fn(arg, c->l.text, c->l.off);
		n++;
	}
	if (c->type == C_CMP && c->r.ph) {
		fn(arg, c->r.text, c->r.off);
		n++;
	}
	return (n);
}

const char *
cond_first_name(const struct cond *c)
{
	const char	*n;

	if (c == NULL)
		return (NULL);
	if ((n = cond_first_name(c->a)) != NULL)
		return (n);
	if (c->type == C_CMP && c->l.ph)
		return (c->l.text);
	if (c->type == C_CMP && c->r.ph)
		return (c->r.text);
	return (cond_first_name(c->b));
}
