/* theme.c: the built-in theme, theme files (YAML, read with libyaml's
 * document API) and colour arithmetic on the xterm 256-colour palette.
 * The file format is described in docs/themes.md. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "theme.h"
#include "util.h"
#include "xmalloc.h"

#define THEME_MAX_FILE	(1024 * 1024)	/* theme files are a few KiB */
#define THEME_COLOR_BAD	(-2)

/* One load in progress: where errors go and what is being filled. */
struct theme_ctx {
	const char	*path;
	yaml_document_t	*doc;
	struct theme	*t;
	char		*err;
	size_t		 errlen;
};

static const char *const theme_color_names[16] = {
	"black", "red", "green", "yellow",
	"blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow",
	"bright-blue", "bright-magenta", "bright-cyan", "bright-white"
};

static const struct {
	const char	*name;
	unsigned	 attr;
} theme_attr_names[] = {
	{ "bold",	TATTR_BOLD },
	{ "dim",	TATTR_DIM },
	{ "reverse",	TATTR_REVERSE },
	{ "underline",	TATTR_UNDERLINE },
	{ "italic",	TATTR_ITALIC },
};

/* xterm's default RGB values for the 16 ANSI colours. */
static const unsigned char theme_ansi_rgb[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0xcd, 0x00, 0x00 },
	{ 0x00, 0xcd, 0x00 }, { 0xcd, 0xcd, 0x00 },
	{ 0x00, 0x00, 0xee }, { 0xcd, 0x00, 0xcd },
	{ 0x00, 0xcd, 0xcd }, { 0xe5, 0xe5, 0xe5 },
	{ 0x7f, 0x7f, 0x7f }, { 0xff, 0x00, 0x00 },
	{ 0x00, 0xff, 0x00 }, { 0xff, 0xff, 0x00 },
	{ 0x5c, 0x5c, 0xff }, { 0xff, 0x00, 0xff },
	{ 0x00, 0xff, 0xff }, { 0xff, 0xff, 0xff }
};

/* The six channel levels of the 6x6x6 cube (indices 16-231). */
static const int theme_cube_levels[6] = { 0, 95, 135, 175, 215, 255 };

#define D	THEME_COLOR_DEFAULT
#define B	TATTR_BOLD
#define R	TATTR_REVERSE
/* Must match themes/default.yaml (tests/unit/test_theme.c checks). */
static const struct role_style theme_builtin_roles[ROLE__COUNT] = {
	/*			   fg   bg   attrs  mono */
	[ROLE_NORMAL] =		{ D,   D,   0,     0 },
	[ROLE_OK] =		{ 2,   D,   0,     0 },
	[ROLE_WARN] =		{ 3,   D,   0,     B },
	[ROLE_CRIT] =		{ 9,   D,   B,     B|R },
	[ROLE_MUTED] =		{ 245, D,   0,     TATTR_DIM },
	[ROLE_ACCENT] =		{ 6,   D,   0,     TATTR_UNDERLINE },
	[ROLE_BORDER] =		{ 243, D,   0,     0 },
	[ROLE_FOCUS] =		{ 14,  D,   B,     B|R },
	[ROLE_TITLE] =		{ 15,  D,   B,     B },
	[ROLE_COLHEAD] =	{ D,   D,   B,     B|TATTR_UNDERLINE },
	[ROLE_SELECTION] =	{ 0,   6,   0,     R },
	[ROLE_HEADER] =		{ 15,  4,   0,     R },
	[ROLE_PRODUCTION] =	{ 15,  1,   B,     R|B },
	[ROLE_STATUS] =		{ 0,   7,   0,     R },
	[ROLE_ERROR] =		{ 9,   D,   B,     B },
	[ROLE_DEMO] =		{ 0,   3,   B,     R|B },
};
#undef D
#undef B
#undef R

void
theme_builtin(struct theme *t)
{
	memset(t, 0, sizeof *t);
	strlcpy_(t->name, "default", sizeof t->name);
	memcpy(t->roles, theme_builtin_roles, sizeof t->roles);
}

/* Colours ---------------------------------------------------------------- */

static int
theme_parse_number(const char *s)
{
	size_t	i, n = strlen(s);
	int	v = 0;

	if (n == 0 || n > 3)
		return (THEME_COLOR_BAD);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (THEME_COLOR_BAD);
		v = v * 10 + (s[i] - '0');
	}
	return (v <= 255 ? v : THEME_COLOR_BAD);
}

static int
theme_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

static int
theme_sq(int a, int b)
{
	return ((a - b) * (a - b));
}

static int
theme_nearest_level(int v)
{
	int	i, best = 0;

	for (i = 1; i < 6; i++) {
		if (theme_sq(v, theme_cube_levels[i]) <
		    theme_sq(v, theme_cube_levels[best]))
			best = i;
	}
	return (best);
}

/* Nearest colour in the cube (16-231) or the grey ramp (232-255). */
static int
theme_rgb_to_256(int r, int g, int b)
{
	int	ri, gi, bi, cube, gray, gi2, dcube, dgray;

	ri = theme_nearest_level(r);
	gi = theme_nearest_level(g);
	bi = theme_nearest_level(b);
	cube = 16 + 36 * ri + 6 * gi + bi;
	dcube = theme_sq(r, theme_cube_levels[ri]) +
	    theme_sq(g, theme_cube_levels[gi]) +
	    theme_sq(b, theme_cube_levels[bi]);

	/* Ramp levels are 8 + 10 * i; the nearest to the mean is best. */
	gi2 = ((r + g + b) / 3 - 8 + 5) / 10;
	if (gi2 < 0)
		gi2 = 0;
	if (gi2 > 23)
		gi2 = 23;
	gray = 8 + 10 * gi2;
	dgray = theme_sq(r, gray) + theme_sq(g, gray) + theme_sq(b, gray);

	return (dgray < dcube ? 232 + gi2 : cube);
}

static int
theme_parse_hex(const char *s)
{
	int	i, d, v[6];

	if (strlen(s) != 7)
		return (THEME_COLOR_BAD);
	for (i = 0; i < 6; i++) {
		if ((d = theme_hex_digit(s[i + 1])) < 0)
			return (THEME_COLOR_BAD);
		v[i] = d;
	}
	return (theme_rgb_to_256(v[0] * 16 + v[1], v[2] * 16 + v[3],
	    v[4] * 16 + v[5]));
}

int
theme_parse_color(const char *s)
{
	int	i;

	if (s == NULL || *s == '\0')
		return (THEME_COLOR_BAD);
	if (strcasecmp(s, "default") == 0)
		return (THEME_COLOR_DEFAULT);
	for (i = 0; i < 16; i++) {
		if (strcasecmp(s, theme_color_names[i]) == 0)
			return (i);
	}
	if (*s == '#')
		return (theme_parse_hex(s));
	return (theme_parse_number(s));
}

static void
theme_rgb(int c, int rgb[3])
{
	int	i;

	if (c < 16) {
		for (i = 0; i < 3; i++)
			rgb[i] = theme_ansi_rgb[c][i];
	} else if (c < 232) {
		c -= 16;
		rgb[0] = theme_cube_levels[c / 36];
		rgb[1] = theme_cube_levels[(c / 6) % 6];
		rgb[2] = theme_cube_levels[c % 6];
	} else
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
}

static double
theme_linear(int v)
{
	double	c = v / 255.0;

	return (c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
}

static double
theme_lab_f(double t)
{
	return (t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116);
}

/* CIELAB (D65) of a palette index. */
static void
theme_lab(int c, double lab[3])
{
	double	r, g, b, fx, fy, fz;
	int	rgb[3];

	theme_rgb(c, rgb);
	r = theme_linear(rgb[0]);
	g = theme_linear(rgb[1]);
	b = theme_linear(rgb[2]);
	fx = theme_lab_f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
	fy = theme_lab_f(0.2126 * r + 0.7152 * g + 0.0722 * b);
	fz = theme_lab_f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
	lab[0] = 116 * fy - 16;
	lab[1] = 500 * (fx - fy);
	lab[2] = 200 * (fy - fz);
}

/*
 * n is 8 or 16; anything from 256 up leaves the colour alone, anything
 * else below 16 counts as 8.  THEME_COLOR_DEFAULT stays itself, as does
 * any value outside 0-255.  Distances are taken in CIELAB: in plain RGB
 * mid-grey is nearer xterm's yellow than its white.
 */
int
theme_downgrade(int color, int n)
{
	double	lab[3], cand[3], d, bestd = -1;
	int	i, best = 0;

	if (color < 0 || color > 255 || n >= 256)
		return (color);
	n = n >= 16 ? 16 : 8;
	if (color < n)
		return (color);
	if (n == 8 && color < 16)
		return (color - 8);
	theme_lab(color, lab);
	for (i = 0; i < n; i++) {
		theme_lab(i, cand);
		d = (lab[0] - cand[0]) * (lab[0] - cand[0]) +
		    (lab[1] - cand[1]) * (lab[1] - cand[1]) +
		    (lab[2] - cand[2]) * (lab[2] - cand[2]);
		if (bestd < 0 || d < bestd) {
			best = i;
			bestd = d;
		}
	}
	return (best);
}

/* Errors ----------------------------------------------------------------- */

static void
theme_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
theme_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "PATH:LINE: what" for a node; always returns -1. */
static int
theme_fail(struct theme_ctx *ctx, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
theme_fail(struct theme_ctx *ctx, const yaml_node_t *n, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	theme_seterr(ctx->err, ctx->errlen, "%s:%lu: %s", ctx->path,
	    (unsigned long)n->start_mark.line + 1, msg);
	return (-1);
}

/* A short, printable copy of user text for an error message. */
static const char *
theme_quote(const char *s, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			buf[i] = '?';
		else
			buf[i] = s[i];
	}
	buf[i] = '\0';
	return (buf);
}

/* Nodes ------------------------------------------------------------------ */

/* A scalar's text, or NULL if n is not a scalar or holds a NUL byte. */
static const char *
theme_scalar(const yaml_node_t *n)
{
	const char	*s;

	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return (NULL);
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length)
		return (NULL);
	return (s);
}

static int
theme_color_node(struct theme_ctx *ctx, const char *key, yaml_node_t *n,
    int *out)
{
	const char	*s;
	char		 q[48];

	if ((s = theme_scalar(n)) == NULL)
		return (theme_fail(ctx, n, "%s: expected a colour", key));
	if (*s == '\0' && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		return (theme_fail(ctx, n, "%s: missing colour (quote "
		    "#rrggbb colours: \"#ff8700\")", key));
	}
	if ((*out = theme_parse_color(s)) == THEME_COLOR_BAD) {
		return (theme_fail(ctx, n, "unknown colour \"%s\"",
		    theme_quote(s, q, sizeof q)));
	}
	return (0);
}

static int
theme_attr_lookup(const char *s, unsigned *out)
{
	size_t	i;

	for (i = 0; i < sizeof theme_attr_names / sizeof theme_attr_names[0];
	    i++) {
		if (strcmp(s, theme_attr_names[i].name) == 0) {
			*out |= theme_attr_names[i].attr;
			return (0);
		}
	}
	return (-1);
}

static int
theme_attrs_node(struct theme_ctx *ctx, const char *key, yaml_node_t *n,
    unsigned *out)
{
	yaml_node_item_t	*it;
	yaml_node_t		*item;
	const char		*s;
	char			 q[48];

	if (n->type != YAML_SEQUENCE_NODE) {
		return (theme_fail(ctx, n, "%s must be a list, e.g. [bold]",
		    key));
	}
	*out = 0;
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		item = yaml_document_get_node(ctx->doc, *it);
		if ((s = theme_scalar(item)) == NULL)
			return (theme_fail(ctx, item, "expected an attribute"));
		if (theme_attr_lookup(s, out) != 0) {
			return (theme_fail(ctx, item,
			    "unknown attribute \"%s\"",
			    theme_quote(s, q, sizeof q)));
		}
	}
	return (0);
}

/* One "fg: red" style pair inside a role; seen catches repeats. */
static int
theme_style_pair(struct theme_ctx *ctx, yaml_node_t *k, yaml_node_t *v,
    struct role_style *rs, unsigned *seen)
{
	static const char *const keys[] = { "fg", "bg", "attrs", "mono" };
	const char	*s;
	char		 q[48];
	unsigned	 i;

	if ((s = theme_scalar(k)) == NULL)
		return (theme_fail(ctx, k, "expected fg, bg, attrs or mono"));
	for (i = 0; i < 4; i++) {
		if (strcmp(s, keys[i]) == 0)
			break;
	}
	if (i == 4) {
		return (theme_fail(ctx, k, "unknown key \"%s\" (expected fg, "
		    "bg, attrs or mono)", theme_quote(s, q, sizeof q)));
	}
	if (*seen & (1U << i))
		return (theme_fail(ctx, k, "%s given twice", s));
	*seen |= 1U << i;
	switch (i) {
	case 0:
		return (theme_color_node(ctx, s, v, &rs->fg));
	case 1:
		return (theme_color_node(ctx, s, v, &rs->bg));
	case 2:
		return (theme_attrs_node(ctx, s, v, &rs->attrs));
	default:
		return (theme_attrs_node(ctx, s, v, &rs->mono));
	}
}

/*
 * A role entry replaces the role's colours and attrs: fg and bg left out
 * are "default", attrs left out are none.  mono left out keeps the built-in
 * mono attrs, so a theme that only sets colours still reads in mono.
 */
static int
theme_role(struct theme_ctx *ctx, yaml_node_t *k, yaml_node_t *v,
    unsigned long *seen)
{
	struct role_style	 rs;
	yaml_node_pair_t	*p;
	const char		*s;
	char			 q[48];
	unsigned		 fields = 0;
	int			 r;

	if ((s = theme_scalar(k)) == NULL)
		return (theme_fail(ctx, k, "expected a role name"));
	if ((r = role_lookup(s)) < 0) {
		return (theme_fail(ctx, k, "unknown role \"%s\"",
		    theme_quote(s, q, sizeof q)));
	}
	if (*seen & (1UL << r))
		return (theme_fail(ctx, k, "role \"%s\" given twice", s));
	*seen |= 1UL << r;
	if (v->type != YAML_MAPPING_NODE) {
		return (theme_fail(ctx, v, "role \"%s\" must be a mapping, "
		    "e.g. { fg: green }", s));
	}

	rs = ctx->t->roles[r];
	rs.fg = rs.bg = THEME_COLOR_DEFAULT;
	rs.attrs = 0;
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	    p++) {
		if (theme_style_pair(ctx, yaml_document_get_node(ctx->doc,
		    p->key), yaml_document_get_node(ctx->doc, p->value), &rs,
		    &fields) != 0)
			return (-1);
	}
	ctx->t->roles[r] = rs;
	return (0);
}

static int
theme_roles(struct theme_ctx *ctx, yaml_node_t *n)
{
	yaml_node_pair_t	*p;
	unsigned long		 seen = 0;

	if (n->type != YAML_MAPPING_NODE)
		return (theme_fail(ctx, n, "roles must be a mapping"));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		if (theme_role(ctx, yaml_document_get_node(ctx->doc, p->key),
		    yaml_document_get_node(ctx->doc, p->value), &seen) != 0)
			return (-1);
	}
	return (0);
}

static int
theme_name(struct theme_ctx *ctx, yaml_node_t *n)
{
	const char	*s;
	size_t		 i;

	if ((s = theme_scalar(n)) == NULL || *s == '\0')
		return (theme_fail(ctx, n, "name must be a string"));
	if (strlen(s) >= sizeof ctx->t->name) {
		return (theme_fail(ctx, n, "name is longer than %zu bytes",
		    sizeof ctx->t->name - 1));
	}
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (theme_fail(ctx, n, "control character in name"));
	}
	strlcpy_(ctx->t->name, s, sizeof ctx->t->name);
	return (0);
}

static int
theme_top(struct theme_ctx *ctx, yaml_node_t *root)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;
	const char		*s;
	char			 q[48];

	if (root->type != YAML_MAPPING_NODE) {
		return (theme_fail(ctx, root, "a theme must be a mapping with "
		    "name and roles"));
	}
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(ctx->doc, p->key);
		v = yaml_document_get_node(ctx->doc, p->value);
		if ((s = theme_scalar(k)) == NULL)
			return (theme_fail(ctx, k, "expected name or roles"));
		if (strcmp(s, "name") == 0) {
			if (theme_name(ctx, v) != 0)
				return (-1);
		} else if (strcmp(s, "roles") == 0) {
			if (theme_roles(ctx, v) != 0)
				return (-1);
		} else {
			return (theme_fail(ctx, k, "unknown key \"%s\" "
			    "(expected name or roles)",
			    theme_quote(s, q, sizeof q)));
		}
	}
	return (0);
}

/* Loading ---------------------------------------------------------------- */

static void
theme_yaml_error(struct theme_ctx *ctx, yaml_parser_t *parser)
{
	const char	*what = parser->problem;

	if (parser->error == YAML_MEMORY_ERROR || what == NULL)
		what = "out of memory";
	if (parser->context != NULL) {
		theme_seterr(ctx->err, ctx->errlen, "%s:%lu: %s %s", ctx->path,
		    (unsigned long)parser->problem_mark.line + 1, what,
		    parser->context);
	} else {
		theme_seterr(ctx->err, ctx->errlen, "%s:%lu: %s", ctx->path,
		    (unsigned long)parser->problem_mark.line + 1, what);
	}
}

/* The theme's name when the file has none: "themes/light.yaml" -> "light". */
static void
theme_default_name(struct theme *t, const char *path)
{
	const char	*base, *dot;
	size_t		 n;

	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	n = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n == 0)
		return;
	if (n >= sizeof t->name)
		n = sizeof t->name - 1;
	memcpy(t->name, base, n);
	t->name[n] = '\0';
}

/* Parse the one document in parser into ctx->t. */
static int
theme_parse(struct theme_ctx *ctx, yaml_parser_t *parser)
{
	yaml_document_t	 doc, extra;
	yaml_node_t	*root;
	int		 rc = -1;

	if (!yaml_parser_load(parser, &doc)) {
		theme_yaml_error(ctx, parser);
		return (-1);
	}
	ctx->doc = &doc;
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		theme_seterr(ctx->err, ctx->errlen, "%s:1: empty theme file",
		    ctx->path);
		goto out;
	}
	if (theme_top(ctx, root) != 0)
		goto out;
	if (!yaml_parser_load(parser, &extra)) {
		theme_yaml_error(ctx, parser);
		goto out;
	}
	if ((root = yaml_document_get_root_node(&extra)) != NULL)
		theme_fail(ctx, root, "more than one document");
	else
		rc = 0;
	yaml_document_delete(&extra);
out:
	ctx->doc = NULL;
	yaml_document_delete(&doc);
	return (rc);
}

int
theme_load_buffer(const char *buf, size_t len, const char *name,
    struct theme *t, char *err, size_t errlen)
{
	struct theme_ctx	 ctx;
	struct theme		 nt;
	yaml_parser_t		 parser;
	int			 rc;

	if (name == NULL)
		name = "theme";
	if (buf == NULL) {	/* libyaml asserts on NULL input */
		buf = "";
		len = 0;
	}
	theme_builtin(&nt);
	theme_default_name(&nt, name);
	memset(&ctx, 0, sizeof ctx);
	ctx.path = name;
	ctx.t = &nt;
	ctx.err = err;
	ctx.errlen = errlen;

	if (!yaml_parser_initialize(&parser)) {
		theme_seterr(err, errlen, "%s: out of memory", name);
		theme_builtin(t);
		return (-1);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	rc = theme_parse(&ctx, &parser);
	yaml_parser_delete(&parser);

	if (rc != 0) {
		theme_builtin(t);
		return (-1);
	}
	*t = nt;
	return (0);
}

/* Read all of path; NULL with errno set on failure.  Caller frees. */
static char *
theme_read_file(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	size_t	 len = 0, n;
	int	 saved;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	buf = xmalloc(THEME_MAX_FILE + 1);
	while ((n = fread(buf + len, 1, THEME_MAX_FILE + 1 - len, f)) > 0) {
		len += n;
		if (len > THEME_MAX_FILE)
			break;
	}
	if (ferror(f) || len > THEME_MAX_FILE) {
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

int
theme_load_file(const char *path, struct theme *t, char *err, size_t errlen)
{
	char	*buf;
	size_t	 len;
	int	 rc;

	if ((buf = theme_read_file(path, &len)) == NULL) {
		theme_seterr(err, errlen, "%s: %s", path, strerror(errno));
		theme_builtin(t);
		return (-1);
	}
	rc = theme_load_buffer(buf, len, path, t, err, errlen);
	free(buf);
	return (rc);
}
