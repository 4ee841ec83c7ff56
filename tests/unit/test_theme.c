/* test_theme.c: theme files, colour parsing and downgrading, role names.
 * Run from the repository root (the shipped themes are read from themes/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "role.h"
#include "theme.h"

#define THEMES_DIR	"themes"

/* A theme full of junk, to show that failures reset it to the built-in. */
static void
junk(struct theme *t)
{
	memset(t, 0xa5, sizeof *t);
}

static int
same_roles(const struct theme *a, const struct theme *b)
{
	return (memcmp(a->roles, b->roles, sizeof a->roles) == 0);
}

static void
assert_builtin(const struct theme *t)
{
	struct theme	b;

	theme_builtin(&b);
	assert_true(same_roles(t, &b));
	assert_string_equal(t->name, b.name);
}

/* Load a buffer expected to fail with exactly msg; t must be the built-in. */
static void
expect_error(const char *yaml, const char *name, const char *msg)
{
	struct theme	t;
	char		err[256] = "";

	junk(&t);
	assert_int_equal(theme_load_buffer(yaml, strlen(yaml), name, &t, err,
	    sizeof err), -1);
	assert_string_equal(err, msg);
	assert_builtin(&t);
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return (n >= m && strcmp(s + n - m, suffix) == 0);
}

/* Role names ------------------------------------------------------------- */

static void
test_role_names(void **state)
{
	int	i;

	for (i = 0; i < ROLE__COUNT; i++) {
		assert_non_null(role_name(i));
		assert_int_equal(role_lookup(role_name(i)), i);
	}
	assert_string_equal(role_name(ROLE_NORMAL), "normal");
	assert_string_equal(role_name(ROLE_COLHEAD), "colhead");
	assert_string_equal(role_name(ROLE_DEMO), "demo");
	assert_null(role_name(ROLE__COUNT));
	assert_null(role_name((enum role)-1));
	assert_int_equal(role_lookup("production"), ROLE_PRODUCTION);
	assert_int_equal(role_lookup("Production"), -1);
	assert_int_equal(role_lookup(""), -1);
	assert_int_equal(role_lookup("okay"), -1);
	assert_int_equal(role_lookup(NULL), -1);
}

/* Built-in theme --------------------------------------------------------- */

static void
test_builtin(void **state)
{
	struct theme	t;
	int		i;

	junk(&t);
	theme_builtin(&t);
	assert_string_equal(t.name, "default");
	for (i = 0; i < ROLE__COUNT; i++) {
		assert_true(t.roles[i].fg >= -1 && t.roles[i].fg <= 255);
		assert_true(t.roles[i].bg >= -1 && t.roles[i].bg <= 255);
	}
	/* Things that must stay readable without colour. */
	assert_int_equal(t.roles[ROLE_CRIT].mono, TATTR_BOLD | TATTR_REVERSE);
	assert_int_equal(t.roles[ROLE_WARN].mono, TATTR_BOLD);
	assert_int_equal(t.roles[ROLE_MUTED].mono, TATTR_DIM);
	assert_int_equal(t.roles[ROLE_SELECTION].mono, TATTR_REVERSE);
	assert_int_equal(t.roles[ROLE_HEADER].mono, TATTR_REVERSE);
	assert_int_equal(t.roles[ROLE_STATUS].mono, TATTR_REVERSE);
	assert_int_equal(t.roles[ROLE_PRODUCTION].mono,
	    TATTR_REVERSE | TATTR_BOLD);
	assert_int_equal(t.roles[ROLE_DEMO].mono, TATTR_REVERSE | TATTR_BOLD);
	assert_int_equal(t.roles[ROLE_ERROR].mono, TATTR_BOLD);
	assert_true(t.roles[ROLE_FOCUS].mono & TATTR_REVERSE);
	assert_int_equal(t.roles[ROLE_NORMAL].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.roles[ROLE_NORMAL].bg, THEME_COLOR_DEFAULT);
}

/* Shipped themes --------------------------------------------------------- */

/* Every role of path's "roles" mapping, as a bit set, read with libyaml
 * directly, so a role missing from a file is noticed even though the
 * loader would fill it from the built-in theme. */
static unsigned long
roles_in_file(const char *path)
{
	yaml_parser_t		 parser;
	yaml_document_t		 doc;
	yaml_node_t		*root, *k, *v, *roles = NULL;
	yaml_node_pair_t	*p;
	unsigned long		 seen = 0;
	FILE			*f;
	int			 r;

	assert_non_null(f = fopen(path, "rb"));
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_file(&parser, f);
	assert_true(yaml_parser_load(&parser, &doc));
	assert_non_null(root = yaml_document_get_root_node(&doc));
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(&doc, p->key);
		if (strcmp((char *)k->data.scalar.value, "roles") == 0)
			roles = yaml_document_get_node(&doc, p->value);
	}
	assert_non_null(roles);
	for (p = roles->data.mapping.pairs.start;
	    p < roles->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(&doc, p->key);
		v = yaml_document_get_node(&doc, p->value);
		r = role_lookup((char *)k->data.scalar.value);
		assert_true(r >= 0);
		/* Each role spells out its mono attrs too. */
		assert_int_equal(v->type, YAML_MAPPING_NODE);
		assert_int_equal(v->data.mapping.pairs.top -
		    v->data.mapping.pairs.start, 4);
		seen |= 1UL << r;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return (seen);
}

static void
test_shipped_themes_load(void **state)
{
	DIR		*d;
	struct dirent	*de;
	struct theme	 t;
	char		 path[512], err[256], want[64];
	int		 n = 0;

	assert_non_null(d = opendir(THEMES_DIR));
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".yaml"))
			continue;
		snprintf(path, sizeof path, "%s/%s", THEMES_DIR, de->d_name);
		err[0] = '\0';
		if (theme_load_file(path, &t, err, sizeof err) != 0)
			fail_msg("%s: %s", path, err);
		assert_string_equal(err, "");
		/* The name inside matches the file name. */
		snprintf(want, sizeof want, "%.*s",
		    (int)(strlen(de->d_name) - 5), de->d_name);
		assert_string_equal(t.name, want);
		if (roles_in_file(path) != (1UL << ROLE__COUNT) - 1)
			fail_msg("%s: does not set every role", path);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

static void
test_default_file_is_builtin(void **state)
{
	struct theme	t, b;
	char		err[256];

	assert_int_equal(theme_load_file(THEMES_DIR "/default.yaml", &t, err,
	    sizeof err), 0);
	theme_builtin(&b);
	assert_true(same_roles(&t, &b));
}

static void
test_mono_file(void **state)
{
	struct theme	t;
	char		err[256];
	int		i;

	assert_int_equal(theme_load_file(THEMES_DIR "/mono.yaml", &t, err,
	    sizeof err), 0);
	for (i = 0; i < ROLE__COUNT; i++) {
		assert_int_equal(t.roles[i].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.roles[i].bg, THEME_COLOR_DEFAULT);
		assert_int_equal(t.roles[i].attrs, t.roles[i].mono);
	}
	assert_int_equal(t.roles[ROLE_CRIT].mono, TATTR_BOLD | TATTR_REVERSE);
}

static void
test_high_contrast_file(void **state)
{
	struct theme	t;
	char		err[256];
	int		i;

	assert_int_equal(theme_load_file(THEMES_DIR "/high-contrast.yaml", &t,
	    err, sizeof err), 0);
	assert_true(t.roles[ROLE_CRIT].attrs & TATTR_REVERSE);
	/* Only the 16 basic colours: nothing a projector turns to mush. */
	for (i = 0; i < ROLE__COUNT; i++) {
		assert_true(t.roles[i].fg >= 0 && t.roles[i].fg < 16);
		assert_true(t.roles[i].bg >= 0 && t.roles[i].bg < 16);
		assert_int_not_equal(t.roles[i].fg, t.roles[i].bg);
	}
}

/* Colours ---------------------------------------------------------------- */

static void
test_parse_color_names(void **state)
{
	assert_int_equal(theme_parse_color("black"), 0);
	assert_int_equal(theme_parse_color("red"), 1);
	assert_int_equal(theme_parse_color("green"), 2);
	assert_int_equal(theme_parse_color("yellow"), 3);
	assert_int_equal(theme_parse_color("blue"), 4);
	assert_int_equal(theme_parse_color("magenta"), 5);
	assert_int_equal(theme_parse_color("cyan"), 6);
	assert_int_equal(theme_parse_color("white"), 7);
	assert_int_equal(theme_parse_color("bright-black"), 8);
	assert_int_equal(theme_parse_color("bright-red"), 9);
	assert_int_equal(theme_parse_color("bright-blue"), 12);
	assert_int_equal(theme_parse_color("bright-white"), 15);
	assert_int_equal(theme_parse_color("default"), THEME_COLOR_DEFAULT);
	assert_int_equal(theme_parse_color("Red"), 1);
	assert_int_equal(theme_parse_color("DEFAULT"), THEME_COLOR_DEFAULT);
}

static void
test_parse_color_numbers(void **state)
{
	assert_int_equal(theme_parse_color("0"), 0);
	assert_int_equal(theme_parse_color("7"), 7);
	assert_int_equal(theme_parse_color("208"), 208);
	assert_int_equal(theme_parse_color("255"), 255);
	assert_int_equal(theme_parse_color("007"), 7);
}

static void
test_parse_color_hex(void **state)
{
	assert_int_equal(theme_parse_color("#ff8700"), 208);
	assert_int_equal(theme_parse_color("#FF8700"), 208);
	assert_int_equal(theme_parse_color("#000000"), 16);
	assert_int_equal(theme_parse_color("#ffffff"), 231);
	assert_int_equal(theme_parse_color("#ff0000"), 196);
	assert_int_equal(theme_parse_color("#5f87af"), 67);
	/* Greys go to the ramp when it is closer than the cube. */
	assert_int_equal(theme_parse_color("#808080"), 244);
	assert_int_equal(theme_parse_color("#080808"), 232);
	assert_int_equal(theme_parse_color("#eeeeee"), 255);
	assert_int_equal(theme_parse_color("#878787"), 102);	/* cube grey */
	/* Near, not exact. */
	assert_int_equal(theme_parse_color("#fe8801"), 208);
	assert_int_equal(theme_parse_color("#0a0a0a"), 232);
}

static void
test_parse_color_bad(void **state)
{
	static const char *bad[] = {
		"", "purple", "bright", "bright-", "brightred", "red ",
		" red", "256", "1000", "-1", "+1", "12a", "0x10", "#fff",
		"#ff87000", "#gg0000", "#", "# ff8700", "1.5", "defaults",
	};
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (theme_parse_color(bad[i]) != -2)
			fail_msg("\"%s\" parsed", bad[i]);
	}
	assert_int_equal(theme_parse_color(NULL), -2);
}

static void
test_downgrade(void **state)
{
	int	c;

	/* The basic colours stay, as does default. */
	for (c = 0; c < 8; c++) {
		assert_int_equal(theme_downgrade(c, 8), c);
		assert_int_equal(theme_downgrade(c, 16), c);
	}
	for (c = 8; c < 16; c++) {
		assert_int_equal(theme_downgrade(c, 16), c);
		assert_int_equal(theme_downgrade(c, 8), c - 8);
	}
	assert_int_equal(theme_downgrade(THEME_COLOR_DEFAULT, 8),
	    THEME_COLOR_DEFAULT);
	assert_int_equal(theme_downgrade(THEME_COLOR_DEFAULT, 16),
	    THEME_COLOR_DEFAULT);

	/* Cube and ramp. */
	assert_int_equal(theme_downgrade(196, 16), 9);	/* #ff0000 */
	assert_int_equal(theme_downgrade(196, 8), 1);
	assert_int_equal(theme_downgrade(46, 16), 10);	/* #00ff00 */
	assert_int_equal(theme_downgrade(46, 8), 2);
	assert_int_equal(theme_downgrade(21, 16), 4);	/* #0000ff */
	assert_int_equal(theme_downgrade(231, 16), 15);	/* #ffffff */
	assert_int_equal(theme_downgrade(231, 8), 7);
	assert_int_equal(theme_downgrade(16, 16), 0);	/* #000000 */
	assert_int_equal(theme_downgrade(232, 8), 0);	/* #080808 */
	assert_int_equal(theme_downgrade(244, 16), 8);	/* #808080 */
	assert_int_equal(theme_downgrade(244, 8), 7);
	assert_int_equal(theme_downgrade(255, 16), 7);	/* #eeeeee */
	assert_int_equal(theme_downgrade(208, 16), 1);	/* #ff8700 */
	assert_int_equal(theme_downgrade(208, 8), 1);
	assert_int_equal(theme_downgrade(214, 8), 3);	/* #ffaf00 */
	/* Greys stay grey: in plain RGB #808080 is nearest yellow. */
	for (c = 232; c < 256; c++) {
		assert_true(theme_downgrade(c, 16) == 0 ||
		    theme_downgrade(c, 16) == 7 ||
		    theme_downgrade(c, 16) == 8 ||
		    theme_downgrade(c, 16) == 15);
		assert_true(theme_downgrade(c, 8) == 0 ||
		    theme_downgrade(c, 8) == 7);
	}
	assert_int_equal(theme_downgrade(51, 16), 14);	/* #00ffff */
	assert_int_equal(theme_downgrade(51, 8), 6);

	/* Every index lands in range. */
	for (c = 0; c < 256; c++) {
		assert_in_range(theme_downgrade(c, 8), 0, 7);
		assert_in_range(theme_downgrade(c, 16), 0, 15);
		assert_int_equal(theme_downgrade(c, 256), c);
	}
}

/* The colours the shipped themes rely on keep their meaning when
 * downgraded (see the comment in themes/light.yaml). */
static void
test_downgrade_light_colours(void **state)
{
	assert_int_equal(theme_downgrade(136, 8), 3);	/* warn: yellow */
	assert_int_equal(theme_downgrade(28, 8), 2);	/* ok: green */
	assert_int_equal(theme_downgrade(160, 8), 1);	/* crit: red */
	assert_int_equal(theme_downgrade(241, 8), 0);	/* muted: black */
	assert_int_equal(theme_downgrade(241, 16), 8);
	assert_int_equal(theme_downgrade(20, 8), 4);	/* accent: blue */
	assert_int_equal(theme_downgrade(20, 16), 4);
	assert_int_equal(theme_downgrade(238, 8), 0);	/* header bg */
	assert_int_equal(theme_downgrade(245, 8), 7);	/* dark muted */
	assert_int_equal(theme_downgrade(243, 8), 7);	/* dark border */
}

/* Loading ---------------------------------------------------------------- */

static void
test_load_styles(void **state)
{
	static const char	yaml[] =
	    "name: test\n"
	    "roles:\n"
	    "  ok: { fg: bright-green, bg: \"#000000\", attrs: [bold, italic] }\n"
	    "  warn:\n"
	    "    fg: 208\n"
	    "    attrs: [underline, dim, reverse]\n"
	    "    mono: []\n"
	    "  crit: {}\n";
	struct theme		t, b;
	char			err[256];

	assert_int_equal(theme_load_buffer(yaml, strlen(yaml), "t.yaml", &t,
	    err, sizeof err), 0);
	theme_builtin(&b);
	assert_string_equal(t.name, "test");
	assert_int_equal(t.roles[ROLE_OK].fg, 10);
	assert_int_equal(t.roles[ROLE_OK].bg, 16);
	assert_int_equal(t.roles[ROLE_OK].attrs, TATTR_BOLD | TATTR_ITALIC);
	assert_int_equal(t.roles[ROLE_OK].mono, b.roles[ROLE_OK].mono);
	assert_int_equal(t.roles[ROLE_WARN].fg, 208);
	assert_int_equal(t.roles[ROLE_WARN].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.roles[ROLE_WARN].attrs,
	    TATTR_UNDERLINE | TATTR_DIM | TATTR_REVERSE);
	assert_int_equal(t.roles[ROLE_WARN].mono, 0);
	/* A role that is given but empty: no colours, built-in mono. */
	assert_int_equal(t.roles[ROLE_CRIT].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.roles[ROLE_CRIT].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(t.roles[ROLE_CRIT].attrs, 0);
	assert_int_equal(t.roles[ROLE_CRIT].mono, b.roles[ROLE_CRIT].mono);
}

static void
test_missing_roles_keep_defaults(void **state)
{
	static const char	yaml[] =
	    "roles:\n"
	    "  ok: { fg: blue }\n";
	struct theme		t, b;
	char			err[256];
	int			i;

	junk(&t);
	assert_int_equal(theme_load_buffer(yaml, strlen(yaml),
	    "themes/ocean.yaml", &t, err, sizeof err), 0);
	theme_builtin(&b);
	assert_int_equal(t.roles[ROLE_OK].fg, 4);
	for (i = 0; i < ROLE__COUNT; i++) {
		if (i == ROLE_OK)
			continue;
		assert_memory_equal(&t.roles[i], &b.roles[i],
		    sizeof t.roles[i]);
	}
	/* No name in the file: the file's name. */
	assert_string_equal(t.name, "ocean");
}

static void
test_load_empty_roles(void **state)
{
	static const char	yaml[] = "name: x\nroles: {}\n";
	struct theme		t, b;
	char			err[256];

	assert_int_equal(theme_load_buffer(yaml, strlen(yaml), "x", &t, err,
	    sizeof err), 0);
	theme_builtin(&b);
	assert_true(same_roles(&t, &b));
	assert_string_equal(t.name, "x");
}

static void
test_load_file_errors(void **state)
{
	char		path[] = "/tmp/test_theme.XXXXXX";
	char		err[256], want[300];
	struct theme	t;
	FILE		*f;
	int		fd;

	/* A bad colour on line 5 of a real file. */
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("# a theme\n"
	    "name: broken\n"
	    "roles:\n"
	    "  ok: { fg: green }\n"
	    "  warn: { fg: purple }\n", f);
	fclose(f);
	junk(&t);
	assert_int_equal(theme_load_file(path, &t, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:5: unknown colour \"purple\"", path);
	assert_string_equal(err, want);
	assert_builtin(&t);
	unlink(path);

	/* Missing file. */
	junk(&t);
	assert_int_equal(theme_load_file("themes/no-such-theme.yaml", &t, err,
	    sizeof err), -1);
	assert_string_equal(err,
	    "themes/no-such-theme.yaml: No such file or directory");
	assert_builtin(&t);

	/* A directory. */
	junk(&t);
	assert_int_equal(theme_load_file(THEMES_DIR, &t, err, sizeof err), -1);
	assert_string_equal(err, THEMES_DIR ": Is a directory");
	assert_builtin(&t);
}

static void
test_error_bad_colour_line5(void **state)
{
	expect_error(
	    "name: broken\n"
	    "roles:\n"
	    "  ok:\n"
	    "    fg: green\n"
	    "    bg: nope\n",
	    "broken.yaml", "broken.yaml:5: unknown colour \"nope\"");
	expect_error("roles:\n  ok: { fg: 256 }\n", "b.yaml",
	    "b.yaml:2: unknown colour \"256\"");
	expect_error("roles:\n  ok: { fg: [red] }\n", "b.yaml",
	    "b.yaml:2: fg: expected a colour");
	/* An unquoted #rrggbb is a comment. */
	expect_error("roles:\n  ok:\n    fg: #ff8700\n", "b.yaml",
	    "b.yaml:3: fg: missing colour (quote #rrggbb colours: "
	    "\"#ff8700\")");
	/* Control characters never reach the message. */
	expect_error("roles:\n  ok: { fg: \"a\\x1bb\" }\n", "b.yaml",
	    "b.yaml:2: unknown colour \"a?b\"");
	/* Neither do NUL bytes hidden in a scalar. */
	expect_error("roles:\n  ok: { fg: \"red\\0x\" }\n", "b.yaml",
	    "b.yaml:2: fg: expected a colour");
}

static void
test_error_bad_role(void **state)
{
	expect_error(
	    "name: x\n"
	    "roles:\n"
	    "  ok: { fg: green }\n"
	    "  okay: { fg: green }\n",
	    "r.yaml", "r.yaml:4: unknown role \"okay\"");
	expect_error("roles:\n  ok: {}\n  ok: {}\n", "r.yaml",
	    "r.yaml:3: role \"ok\" given twice");
	expect_error("roles:\n  ok: green\n", "r.yaml",
	    "r.yaml:2: role \"ok\" must be a mapping, e.g. { fg: green }");
	expect_error("roles:\n  ok: { colour: green }\n", "r.yaml",
	    "r.yaml:2: unknown key \"colour\" (expected fg, bg, attrs or "
	    "mono)");
	expect_error("roles:\n  ok: { fg: red, fg: blue }\n", "r.yaml",
	    "r.yaml:2: fg given twice");
	expect_error("roles:\n  [ok]: {}\n", "r.yaml",
	    "r.yaml:2: expected a role name");
}

static void
test_error_bad_attr(void **state)
{
	expect_error("roles:\n  crit:\n    attrs: [bold,\n      blink]\n",
	    "a.yaml", "a.yaml:4: unknown attribute \"blink\"");
	expect_error("roles:\n  crit: { mono: bold }\n", "a.yaml",
	    "a.yaml:2: mono must be a list, e.g. [bold]");
	expect_error("roles:\n  crit: { attrs: [[bold]] }\n", "a.yaml",
	    "a.yaml:2: expected an attribute");
	expect_error("roles:\n  crit: { attrs: [Bold] }\n", "a.yaml",
	    "a.yaml:2: unknown attribute \"Bold\"");
}

static void
test_error_syntax(void **state)
{
	struct theme	t;
	char		err[256];
	static const char yaml[] =
	    "name: x\n"
	    "roles:\n"
	    "  ok: { fg: green\n"
	    "  warn: { fg: yellow }\n";

	junk(&t);
	assert_int_equal(theme_load_buffer(yaml, strlen(yaml), "s.yaml", &t,
	    err, sizeof err), -1);
	/* libyaml's words; the place is what matters. */
	assert_true(strncmp(err, "s.yaml:4: ", 10) == 0);
	assert_builtin(&t);

	junk(&t);
	assert_int_equal(theme_load_buffer("a: b: c\n", 8, "s.yaml", &t, err,
	    sizeof err), -1);
	assert_true(strncmp(err, "s.yaml:1: ", 10) == 0);
	assert_builtin(&t);

	/* Tabs for indentation are a syntax error too. */
	junk(&t);
	assert_int_equal(theme_load_buffer("roles:\n\tok: {}\n", 15, "s.yaml",
	    &t, err, sizeof err), -1);
	assert_true(strncmp(err, "s.yaml:2: ", 10) == 0);
	assert_builtin(&t);

	/* Invalid UTF-8. */
	junk(&t);
	assert_int_equal(theme_load_buffer("name: \xff\n", 8, "s.yaml", &t,
	    err, sizeof err), -1);
	assert_true(strncmp(err, "s.yaml:1: ", 10) == 0);
	assert_builtin(&t);
}

static void
test_error_not_a_mapping(void **state)
{
	expect_error("- ok\n- warn\n", "m.yaml",
	    "m.yaml:1: a theme must be a mapping with name and roles");
	expect_error("just text\n", "m.yaml",
	    "m.yaml:1: a theme must be a mapping with name and roles");
	expect_error("name: x\nroles:\n  - ok\n", "m.yaml",
	    "m.yaml:3: roles must be a mapping");
	expect_error("name: x\nroles:\n", "m.yaml",
	    "m.yaml:2: roles must be a mapping");
	expect_error("name: [x]\n", "m.yaml", "m.yaml:1: name must be a string");
	expect_error("name: x\ncolours: {}\n", "m.yaml",
	    "m.yaml:2: unknown key \"colours\" (expected name or roles)");
	expect_error("", "m.yaml", "m.yaml:1: empty theme file");
	expect_error("# only a comment\n", "m.yaml",
	    "m.yaml:1: empty theme file");
	expect_error("name: x\n---\nname: y\n", "m.yaml",
	    "m.yaml:3: more than one document");
	expect_error("name: a-name-that-is-far-too-long-for-sitrep\n",
	    "m.yaml", "m.yaml:1: name is longer than 31 bytes");
}

static void
test_error_no_buffer(void **state)
{
	struct theme	t;

	/* err may be NULL; t still falls back. */
	junk(&t);
	assert_int_equal(theme_load_buffer("[", 1, "x", &t, NULL, 0), -1);
	assert_builtin(&t);
	junk(&t);
	assert_int_equal(theme_load_file("no/such/file", &t, NULL, 0), -1);
	assert_builtin(&t);
	/* No buffer at all reads as an empty file. */
	junk(&t);
	assert_int_equal(theme_load_buffer(NULL, 0, NULL, &t, NULL, 0), -1);
	assert_builtin(&t);
}

static void
test_aliases(void **state)
{
	static const char	yaml[] =
	    "roles:\n"
	    "  crit: &loud { fg: red, attrs: [bold] }\n"
	    "  error: *loud\n";
	struct theme		t;
	char			err[256];

	assert_int_equal(theme_load_buffer(yaml, strlen(yaml), "y", &t, err,
	    sizeof err), 0);
	assert_int_equal(t.roles[ROLE_ERROR].fg, 1);
	assert_int_equal(t.roles[ROLE_ERROR].attrs, TATTR_BOLD);
	/* A list that contains itself is rejected, not walked forever. */
	expect_error("roles:\n  ok: { attrs: &a [*a] }\n", "y",
	    "y:2: expected an attribute");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_shipped_themes_load),
		cmocka_unit_test(test_default_file_is_builtin),
		cmocka_unit_test(test_mono_file),
		cmocka_unit_test(test_high_contrast_file),
		cmocka_unit_test(test_parse_color_names),
		cmocka_unit_test(test_parse_color_numbers),
		cmocka_unit_test(test_parse_color_hex),
		cmocka_unit_test(test_parse_color_bad),
		cmocka_unit_test(test_downgrade),
		cmocka_unit_test(test_downgrade_light_colours),
		cmocka_unit_test(test_load_styles),
		cmocka_unit_test(test_missing_roles_keep_defaults),
		cmocka_unit_test(test_load_empty_roles),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_error_bad_colour_line5),
		cmocka_unit_test(test_error_bad_role),
		cmocka_unit_test(test_error_bad_attr),
		cmocka_unit_test(test_error_syntax),
		cmocka_unit_test(test_error_not_a_mapping),
		cmocka_unit_test(test_error_no_buffer),
		cmocka_unit_test(test_aliases),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
