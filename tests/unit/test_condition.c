/* test_condition.c: when:/until: expressions, parsed and evaluated by our
 * own parser over values, never a shell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "condition.h"

static const char *const vars[][2] = {
	{ "ready", "3" }, { "desired", "3" }, { "lag", "12.5" },
	{ "reason", "OOMKilled" }, { "empty", "" }, { "name", "api-v2" },
	{ "ten", "10" }, { "nine", "9" }, { "shell", "$(rm -rf /); `id`" },
	{ "zero", "0" }, { "no", "false" }, { "word", "abc" },
	{ NULL, NULL }
};

static const char *
lookup(void *arg, const char *name)
{
	int	i;

	(void)arg;
	for (i = 0; vars[i][0] != NULL; i++)
		if (strcmp(vars[i][0], name) == 0)
			return (vars[i][1]);
	return (NULL);
}

/* 1, 0, or -1 (error), or -2 when it does not parse. */
static int
eval(const char *text)
{
	struct error	 err;
	struct cond	*c = cond_parse(text, &err, NULL);
	int		 rc;

	if (c == NULL)
		return (-2);
	rc = cond_eval(c, lookup, NULL, &err);
	cond_free(c);
	return (rc);
}

static void
test_compare(void **state)
{
	assert_int_equal(eval("{{ready}} == {{desired}}"), 1);
	assert_int_equal(eval("{{ready}} != 3"), 0);
	assert_int_equal(eval("{{lag}} < 30"), 1);
	assert_int_equal(eval("{{lag}} <= 12.5"), 1);
	assert_int_equal(eval("{{lag}} > 12.5"), 0);
	assert_int_equal(eval("{{lag}} >= 12.50"), 1);
	/* Numeric when both are numbers: 9 < 10, not "9" > "10". */
	assert_int_equal(eval("{{nine}} < {{ten}}"), 1);
	assert_int_equal(eval("{{ready}} == 3.0"), 1);
	/* Strings otherwise, bytewise. */
	assert_int_equal(eval("{{word}} < abd"), 1);
	assert_int_equal(eval("{{reason}} == OOMKilled"), 1);
	assert_int_equal(eval("{{reason}} == \"OOMKilled\""), 1);
	assert_int_equal(eval("{{reason}} == 'oomkilled'"), 0);
	assert_int_equal(eval("{{empty}} == ''"), 1);
	assert_int_equal(eval("{{name}} == api-v2"), 1);
}

static void
test_contains_matches(void **state)
{
	assert_int_equal(eval("{{reason}} contains OOM"), 1);
	assert_int_equal(eval("{{reason}} contains oom"), 0);
	assert_int_equal(eval("{{name}} matches /^api-v[0-9]+$/"), 1);
	assert_int_equal(eval("{{name}} matches /^web/"), 0);
	assert_int_equal(eval("{{name}} matches /a\\/b|api/"), 1);
	/* The shell never sees anything: metacharacters are plain bytes. */
	assert_int_equal(eval("{{shell}} contains \"$(rm\""), 1);
	assert_int_equal(eval("{{shell}} == x"), 0);
}

static void
test_logic(void **state)
{
	assert_int_equal(eval("{{ready}} == 3 and {{lag}} < 30"), 1);
	assert_int_equal(eval("{{ready}} == 2 or {{lag}} < 30"), 1);
	assert_int_equal(eval("{{ready}} == 2 or {{lag}} > 30"), 0);
	assert_int_equal(eval("not {{ready}} == 2"), 1);
	assert_int_equal(eval("not ({{ready}} == 3 and {{lag}} < 30)"), 0);
	/* and binds tighter than or. */
	assert_int_equal(eval("{{ready}} == 3 or {{ready}} == 2 and "
	    "{{lag}} > 99"), 1);
	assert_int_equal(eval("({{ready}} == 3 or {{ready}} == 2) and "
	    "{{lag}} > 99"), 0);
	/* A bare value: true unless empty, 0, false or no. */
	assert_int_equal(eval("{{ready}}"), 1);
	assert_int_equal(eval("{{zero}}"), 0);
	assert_int_equal(eval("{{no}}"), 0);
	assert_int_equal(eval("{{empty}}"), 0);
	assert_int_equal(eval("not {{empty}}"), 1);
}

static void
test_unknown_is_error(void **state)
{
	struct error	 err;
	struct cond	*c = cond_parse("{{missing}} == 1 or {{ready}} == 3",
			    &err, NULL);

	assert_non_null(c);
	assert_int_equal(cond_eval(c, lookup, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "missing is not set"));
	cond_free(c);
	/* Short-circuit: the unknown name is never looked at. */
	assert_int_equal(eval("{{ready}} == 3 or {{missing}} == 1"), 1);
	assert_int_equal(eval("not {{missing}}"), -1);
}

static void
test_syntax_errors(void **state)
{
	static const char *const bad[] = {
		"", "   ", "{{ready}} ==", "== 3", "{{ready}} = 3",
		"{{ready}} === 3", "({{ready}} == 3", "{{ready}} == 3)",
		"{{ready} == 3", "{{}} == 3", "{{1x}} == 3", "{{a b}} == 1",
		"{{ready}} == 3 and", "{{ready}} matches", "{{ready}} matches x",
		"{{ready}} matches /[/", "{{ready}} matches /abc", "'open",
		"{{ready}} == 3 {{lag}}", "and", "not", "{{x}} contains",
		"$(reboot)", "{{ready}} ; rm", NULL
	};
	struct error	 err;
	size_t		 off;
	int		 i;

	for (i = 0; bad[i] != NULL; i++) {
		struct cond	*c = cond_parse(bad[i], &err, &off);

		if (c != NULL)
			fail_msg("parsed: %s", bad[i]);
		assert_true(off <= strlen(bad[i]));
	}
}

static void
test_depth_and_length_bounded(void **state)
{
	char		 buf[8192];
	struct error	 err;
	struct cond	*c;
	int		 i;

	buf[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(buf, "(");
	strcat(buf, "{{ready}}");
	for (i = 0; i < 100; i++)
		strcat(buf, ")");
	assert_null(cond_parse(buf, &err, NULL));
	buf[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(buf, "not ");
	strcat(buf, "{{ready}}");
	assert_null(cond_parse(buf, &err, NULL));
	buf[0] = '\0';
	for (i = 0; i < 400; i++)
		strcat(buf, "{{ready}} and ");
	strcat(buf, "{{ready}}");
	assert_null(cond_parse(buf, &err, NULL));
	/* Reasonable nesting is fine. */
	c = cond_parse("((not ({{ready}} == 3)) or (({{lag}} < 1)))", &err,
	    NULL);
	assert_non_null(c);
	cond_free(c);
}

static void
names_cb(void *arg, const char *name, size_t off)
{
	char	*buf = arg;

	snprintf(buf + strlen(buf), 256 - strlen(buf), "%s@%zu ", name, off);
}

static void
test_names(void **state)
{
	struct error	 err;
	struct cond	*c = cond_parse("{{a}} == 1 and not {{ b.c }} < {{d}}",
			    &err, NULL);
	char		 buf[256] = "";

	assert_non_null(c);
	assert_int_equal(cond_names(c, names_cb, buf), 3);
	assert_string_equal(buf, "a@0 b.c@19 d@31 ");
	assert_string_equal(cond_first_name(c), "a");
	cond_free(c);
	c = cond_parse("3 < {{lag}}", &err, NULL);
	assert_string_equal(cond_first_name(c), "lag");
	cond_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_contains_matches),
		cmocka_unit_test(test_logic),
		cmocka_unit_test(test_unknown_is_error),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_depth_and_length_bounded),
		cmocka_unit_test(test_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
