/* test_config_warroom.c: the warroom: section of the configuration file
 * (docs/configuration.md): every key, the defaults, the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "util.h"

#define ENVS	"environments:\n  e: {}\n"

static struct config *
parse(const char *yaml, struct error *err)
{
	memset(err, 0, sizeof *err);
	return (config_parse(yaml, strlen(yaml), "sitrep.yaml", err));
}

/* The parse fails and the message starts with want. */
static void
expect_err(const char *yaml, const char *want)
{
	struct error	 err;
	struct config	*cfg;

	cfg = parse(yaml, &err);
	if (cfg != NULL || strncmp(err.msg, want, strlen(want)) != 0) {
		print_error("yaml:\n%s\nwant: %s\ngot:  %s\n", yaml, want,
		    cfg != NULL ? "(no error)" : err.msg);
		config_free(cfg);
		fail();
	}
}

static void
test_full_section(void **state)
{
	static const char yaml[] = ENVS
	    "warroom:\n"					/* 3 */
	    "  redis:\n"
	    "    url: redis://room.internal:6390/2\n"		/* 5 */
	    "    username: team-payments\n"
	    "    password_env: SITREP_WARROOM_PASSWORD\n"
	    "    connect_timeout: 500ms\n"
	    "    timeout: 1s\n"
	    "  prefix: \"acme:sitrep:\"\n"			/* 10 */
	    "  stream_maxlen: 5000\n"
	    "  presence_ttl: 9s\n"
	    "  approval_ttl: 10m\n";
	struct error		 err;
	struct config		*cfg = parse(yaml, &err);
	const struct cfg_warroom *w;

	if (cfg == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(cfg);
	w = &cfg->warroom;
	assert_true(w->present);
	assert_int_equal(w->line, 4);
	assert_string_equal(w->redis.url, "redis://room.internal:6390/2");
	assert_string_equal(w->redis.host, "room.internal");
	assert_int_equal(w->redis.port, 6390);
	assert_int_equal(w->redis.db, 2);
	assert_string_equal(w->redis.username, "team-payments");
	assert_string_equal(w->redis.password_env, "SITREP_WARROOM_PASSWORD");
	assert_null(w->redis.password_file);
	assert_int_equal(w->redis.connect_timeout_ms, 500);
	assert_int_equal(w->redis.timeout_ms, 1000);
	assert_string_equal(w->prefix, "acme:sitrep:");
	assert_int_equal(w->maxlen, 5000);
	assert_int_equal(w->presence_ttl_ms, 9000);
	assert_int_equal(w->approval_ttl_ms, 600000);
	config_free(cfg);
}

static void
test_defaults(void **state)
{
	struct error	 err;
	struct config	*cfg;

	cfg = parse(ENVS "warroom:\n  redis:\n    url: redis://10.0.0.9\n",
	    &err);
	assert_non_null(cfg);
	assert_true(cfg->warroom.present);
	assert_string_equal(cfg->warroom.redis.host, "10.0.0.9");
	assert_int_equal(cfg->warroom.redis.port, 6379);
	assert_int_equal(cfg->warroom.redis.connect_timeout_ms, 2000);
	assert_int_equal(cfg->warroom.redis.timeout_ms, 2000);
	assert_string_equal(cfg->warroom.prefix, "sitrep:");
	assert_int_equal(cfg->warroom.maxlen, 10000);
	assert_int_equal(cfg->warroom.presence_ttl_ms, 15000);
	assert_int_equal(cfg->warroom.approval_ttl_ms, 300000);
	config_free(cfg);

	/* Absent: zeroed. */
	cfg = parse(ENVS, &err);
	assert_non_null(cfg);
	assert_false(cfg->warroom.present);
	assert_null(cfg->warroom.redis.url);
	assert_null(cfg->warroom.prefix);
	config_free(cfg);
}

static void
test_errors(void **state)
{
	expect_err(ENVS "warroom:\n  prefix: x\n",
	    "sitrep.yaml:4: warroom.redis: required");
	expect_err(ENVS "warroom:\n  redis:\n    timeout: 1s\n",
	    "sitrep.yaml:5: warroom.redis.url: required");
	expect_err(ENVS "warroom:\n  redis:\n    url: http://x\n",
	    "sitrep.yaml:5: warroom.redis.url: expected redis://");
	expect_err(ENVS "warroom:\n  redis:\n    url: redis://u:pw@x\n",
	    "sitrep.yaml:5: warroom.redis.url: ");
	expect_err(ENVS "warroom:\n  redis: {url: redis://x}\n  ttl: 5s\n",
	    "sitrep.yaml:5: warroom.ttl: unknown key; expected redis, "
	    "prefix, stream_maxlen, presence_ttl or approval_ttl");
	expect_err(ENVS "warroom:\n  redis: {url: redis://x}\n"
	    "  presence_ttl: 100ms\n",
	    "sitrep.yaml:5: warroom.presence_ttl: must be between 1s and "
	    "10m");
	expect_err(ENVS "warroom:\n  redis: {url: redis://x}\n"
	    "  approval_ttl: soon\n",
	    "sitrep.yaml:5: warroom.approval_ttl: not a duration");
	expect_err(ENVS "warroom:\n  redis: {url: redis://x}\n"
	    "  stream_maxlen: 10\n",
	    "sitrep.yaml:5: warroom.stream_maxlen: expected a whole number "
	    "from 100 to 100000000");
	expect_err(ENVS "warroom:\n  redis: {url: redis://x, password_env: A,"
	    " password_file: /p}\n",
	    "sitrep.yaml:4: warroom.redis: give password_env or "
	    "password_file");
	expect_err(ENVS "warroom: redis://x\n",
	    "sitrep.yaml:3: warroom: ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_section),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
