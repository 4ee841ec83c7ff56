/* test_text.c: UTF-8 widths, control characters, filters, the prompt,
 * formatting helpers. */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include "keys.h"
#include "prompt.h"
#include "text.h"
#include "util.h"

static void
test_ascii_clip(void **state)
{
	wchar_t	w[64];

	assert_int_equal(text_to_wide("hello world", 5, w, 64), 5);
	assert_true(wcscmp(w, L"hello") == 0);
	assert_int_equal(text_width("abc"), 3);
}

static void
test_utf8_width(void **state)
{
	wchar_t	w[64];

	/* "é" is one column, "日本" two each. */
	assert_int_equal(text_width("caf\xc3\xa9"), 4);
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
	/* A wide character that does not fit is left out, not split. */
	assert_int_equal(text_to_wide("a\xe6\x97\xa5", 2, w, 64), 1);
}

static void
test_invalid_and_controls(void **state)
{
	wchar_t	w[64];

	/* Invalid bytes, an overlong encoding, escape and newline: '?'. */
	text_to_wide("a\xff" "b\xc0\xaf" "c\x1b[2Jd\n", 40, w, 64);
	assert_null(wcschr(w, L'\x1b'));
	assert_null(wcschr(w, L'\n'));
	assert_true(w[0] == L'a' && w[1] == L'?' && w[2] == L'b');
	/* Truncated sequence at the end. */
	text_to_wide("x\xe6\x97", 10, w, 64);
	assert_true(w[0] == L'x' && w[1] == L'?');
}

static void
test_contains(void **state)
{
	assert_true(text_contains("inventory-7d9f", "INVENT"));
	assert_true(text_contains("abc", ""));
	assert_false(text_contains("abc", "abcd"));
	assert_false(text_contains("", "a"));
}

static void
test_prompt_editing(void **state)
{
	struct prompt	p;

	memset(&p, 0, sizeof p);
	prompt_open(&p, ":", "");
	prompt_key(&p, 't');
	prompt_key(&p, 'h');
	prompt_key(&p, 0xe9);		/* é, two bytes */
	assert_string_equal(p.buf, "th\xc3\xa9");
	assert_int_equal(prompt_key(&p, KEYC_BACKSPACE), PROMPT_EDITED);
	assert_string_equal(p.buf, "th");
	prompt_key(&p, KEYC_HOME);
	prompt_key(&p, 'X');
	assert_string_equal(p.buf, "Xth");
	prompt_key(&p, KEYC_CTRL('e'));
	prompt_key(&p, ' ');
	prompt_key(&p, 'w');
	prompt_key(&p, KEYC_CTRL('w'));
	assert_string_equal(p.buf, "Xth ");
	prompt_key(&p, KEYC_CTRL('u'));
	assert_string_equal(p.buf, "");
	assert_int_equal(prompt_key(&p, KEYC_ESC), PROMPT_CANCEL);
	/* Control keys are not inserted. */
	prompt_open(&p, ":", "");
	assert_int_equal(prompt_key(&p, 1), PROMPT_MOVED);
	assert_int_equal(prompt_key(&p, 0x7f), PROMPT_IGNORED);
	assert_string_equal(p.buf, "");
	prompt_free(&p);
}

static void
test_prompt_history(void **state)
{
	struct prompt	p;

	memset(&p, 0, sizeof p);
	prompt_open(&p, ":", "pods");
	assert_int_equal(prompt_key(&p, KEYC_ENTER), PROMPT_DONE);
	prompt_open(&p, ":", "alerts");
	prompt_key(&p, KEYC_ENTER);
	prompt_open(&p, ":", "");
	prompt_key(&p, KEYC_UP);
	assert_string_equal(p.buf, "alerts");
	prompt_key(&p, KEYC_UP);
	assert_string_equal(p.buf, "pods");
	prompt_key(&p, KEYC_DOWN);
	prompt_key(&p, KEYC_DOWN);
	assert_string_equal(p.buf, "");
	prompt_free(&p);
}

static void
test_prompt_full(void **state)
{
	struct prompt	p;
	int		i;

	memset(&p, 0, sizeof p);
	prompt_open(&p, "/", "");
	for (i = 0; i < 1000; i++)
		prompt_key(&p, 'a');
	assert_int_equal(strlen(p.buf), PROMPT_MAX - 1);
	prompt_free(&p);
}

static void
test_formatting(void **state)
{
	char	b[32];

	fmt_age(b, sizeof b, 5);
	assert_string_equal(b, "5s");
	fmt_age(b, sizeof b, 600);
	assert_string_equal(b, "10m");
	fmt_age(b, sizeof b, 3 * 86400);
	assert_string_equal(b, "3d");
	fmt_age(b, sizeof b, -4);
	assert_string_equal(b, "0s");
	fmt_bytes(b, sizeof b, 512);
	assert_string_equal(b, "512 B");
	fmt_bytes(b, sizeof b, 16 * 1024 * 1024);
	assert_string_equal(b, "16 MiB");
	fmt_bytes(b, sizeof b, 1536);
	assert_string_equal(b, "1.5 KiB");
	fmt_count(b, sizeof b, 1234);
	assert_string_equal(b, "1.2k");
	fmt_duration(b, sizeof b, 184);
	assert_string_equal(b, "3m04s");
	fmt_duration(b, sizeof b, 0.25);
	assert_string_equal(b, "0.2s");
	/* Figures from outside (a lag, a trail): no undefined cast, ever. */
	fmt_duration(b, sizeof b, NAN);
	assert_string_equal(b, "0.0s");
	fmt_duration(b, sizeof b, 1e300);
	assert_string_equal(b, "277777777h46m");
	fmt_duration(b, sizeof b, INFINITY);
	assert_string_equal(b, "277777777h46m");
	fmt_clock_utc(b, sizeof b, INT64_MIN);
	assert_int_equal(strlen(b), 8);
	assert_int_equal(parse_duration("5m"), 300);
	assert_int_equal(parse_duration("90"), 90);
	assert_int_equal(parse_duration("2h"), 7200);
	assert_int_equal(parse_duration("x"), -1);
	assert_int_equal(parse_duration("5q"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_clip),
		cmocka_unit_test(test_utf8_width),
		cmocka_unit_test(test_invalid_and_controls),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_prompt_editing),
		cmocka_unit_test(test_prompt_history),
		cmocka_unit_test(test_prompt_full),
		cmocka_unit_test(test_formatting),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		setlocale(LC_ALL, "");
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
