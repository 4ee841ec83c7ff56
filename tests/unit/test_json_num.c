/* test_json_num.c: integers from outside JSON (core/json_num.c).  Every
 * number a trail record, a war-room entry or an API answer may carry:
 * in range it is truncated as a cast would; out of range, not finite or
 * not a number it is the caller's default (a cast would be undefined:
 * the fuzzer found one in the run builder, tests/fuzz/regress/fuzz_audit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json_num.h"

static cJSON *
parse(const char *text)
{
	cJSON	*o = cJSON_Parse(text);

	assert_non_null(o);
	return (o);
}

static void
test_int64(void **state)
{
	cJSON	*o = parse("{\"a\":12,\"b\":-7.9,\"c\":2.66667e+62,"
		    "\"d\":-1e300,\"e\":\"12\",\"f\":9223372036854775807,"
		    "\"g\":-9223372036854775808,\"h\":9007199254740993,"
		    "\"i\":null,\"j\":[1]}");

	(void)state;
	assert_int_equal(json_int64(o, "a", -1), 12);
	assert_int_equal(json_int64(o, "b", -1), -7);
	assert_int_equal(json_int64(o, "c", -1), -1);
	assert_int_equal(json_int64(o, "d", -1), -1);
	assert_int_equal(json_int64(o, "e", -1), -1);
	/* 2^63-1 reads as the double 2^63: out of range. */
	assert_int_equal(json_int64(o, "f", -1), -1);
	assert_true(json_int64(o, "g", -1) == INT64_MIN);
	assert_true(json_int64(o, "h", -1) == 9007199254740992LL);
	assert_int_equal(json_int64(o, "i", -1), -1);
	assert_int_equal(json_int64(o, "j", -1), -1);
	assert_int_equal(json_int64(o, "missing", 5), 5);
	assert_int_equal(json_int64(NULL, "a", 5), 5);
	assert_int_equal(json_as_int64(NULL, 3), 3);
	cJSON_Delete(o);
}

static void
test_int(void **state)
{
	cJSON	*o = parse("{\"a\":2147483647,\"b\":2147483648,"
		    "\"c\":-2147483648,\"d\":-2147483649,\"e\":1e300,"
		    "\"f\":-0.5,\"g\":true}");

	(void)state;
	assert_int_equal(json_int(o, "a", -1), INT_MAX);
	assert_int_equal(json_int(o, "b", -1), -1);
	assert_int_equal(json_int(o, "c", -1), INT_MIN);
	assert_int_equal(json_int(o, "d", -1), -1);
	assert_int_equal(json_int(o, "e", -1), -1);
	assert_int_equal(json_int(o, "f", -1), 0);
	assert_int_equal(json_int(o, "g", -1), -1);
	cJSON_Delete(o);
}

/* cJSON never makes NaN or infinity from text; a program can. */
static void
test_not_finite(void **state)
{
	cJSON	*o = cJSON_CreateObject();

	(void)state;
	cJSON_AddNumberToObject(o, "inf", INFINITY);
	cJSON_AddNumberToObject(o, "nan", NAN);
	assert_int_equal(json_int64(o, "inf", 4), 4);
	assert_int_equal(json_int64(o, "nan", 4), 4);
	assert_int_equal(json_int(o, "inf", 4), 4);
	assert_int_equal(json_int(o, "nan", 4), 4);
	cJSON_Delete(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_not_finite),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
