/* test_config.c: the configuration file, its search order and secrets. */
#include <sys/stat.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "util.h"

/* Every key the format has (docs/configuration.md shows the same). */
static const char full_yaml[] =
    "default_environment: staging\n"				/* 1 */
    "environments:\n"
    "  prod:\n"
    "    production: true\n"
    "    refresh: 500ms\n"					/* 5 */
    "    postgres:\n"
    "      - name: erp-primary\n"
    "        conninfo: \"host=db1.internal port=5432 dbname=erp "
    "user=sitrep sslmode=verify-full\"\n"
    "        password_env: SITREP_PG_PASSWORD\n"
    "        connect_timeout: 5s\n"				/* 10 */
    "        statement_timeout: 1m\n"
    "      - name: erp-standby-1\n"
    "        service: erp-standby-1\n"
    "        password_file: /etc/sitrep/pg.pass\n"
    "    outbox:\n"						/* 15 */
    "      - service: finance\n"
    "        postgres: erp-primary\n"
    "        database: finance_db\n"
    "        schema: billing\n"
    "        table: Outbox\n"					/* 20 */
    "        preset: outbox-messages\n"
    "        columns: {id: MsgId, occurred: At, processed: Done, "
    "error: Err, type: Kind}\n"
    "      - service: orders\n"
    "        postgres: erp-standby-1\n"
    "        preset: masstransit\n"				/* 25 */
    "    redis:\n"
    "      - name: cache\n"
    "        url: redis://cache.internal:6380/2\n"
    "        password_file: ~/redis.pass\n"
    "        connect_timeout: 250ms\n"				/* 30 */
    "        timeout: 3s\n"
    "      - name: sessions\n"
    "        url: rediss://app@[::1]\n"
    "        password_env: REDIS_PASSWORD\n"
    "    kubernetes:\n"						/* 35 */
    "      kubeconfig: ~/.kube/prod.yaml\n"
    "      context: arn:aws:eks:eu-west-1:123456789012:cluster/prod\n"
    "      namespace: erp-system\n"
    "      timeout: 15s\n"
    "    alertmanager:\n"					/* 40 */
    "      - name: am-1\n"
    "        url: https://am-1.internal:9093\n"
    "        ca_file: /etc/ssl/internal-ca.pem\n"
    "        cert_file: /etc/sitrep/client.pem\n"
    "        key_file: /etc/sitrep/client.key\n"			/* 45 */
    "        token_file: /etc/sitrep/am.token\n"
    "        connect_timeout: 1s\n"
    "        timeout: 5s\n"
    "      - name: am-2\n"
    "        url: https://am-2.internal:9093/alertmanager\n"	/* 50 */
    "        insecure: true\n"
    "        basic_user: sitrep\n"
    "        password_env: AM_PASSWORD\n"
    "    prometheus:\n"
    "      url: http://prometheus.monitoring:9090\n"		/* 55 */
    "      token_env: PROM_TOKEN\n"
    "      circuits: custom\n"
    "      query: 'max by (app, dep, st) (breaker_state)'\n"
    "      labels: {service: app, dependency: dep, state: st}\n"
    "    health:\n"						/* 60 */
    "      - name: finance\n"
    "        url: http://finance.erp-system.svc:8080/health/ready\n"
    "        timeout: 500ms\n"
    "      - name: orders\n"
    "        url: http://[fd00::7]:8080/health\n"			/* 65 */
    "        basic_user: probe\n"
    "        password_file: /etc/sitrep/health.pass\n"
    "  staging:\n"
    "    production: false\n"
    "    refresh: 2\n";

static struct config *
parse(const char *yaml, struct error *err)
{
	memset(err, 0, sizeof *err);
	return (config_parse(yaml, strlen(yaml), "sitrep.yaml", err));
}

/* The parse fails and the message starts with want. */
static void
expect_err_len(const char *yaml, size_t len, const char *want)
{
	struct error	 err;
	struct config	*cfg;

	memset(&err, 0, sizeof err);
	cfg = config_parse(yaml, len, "sitrep.yaml", &err);
	if (cfg != NULL || strncmp(err.msg, want, strlen(want)) != 0) {
		print_error("yaml:\n%.300s\nwant: %s\n got: %s\n", yaml, want,
		    err.msg);
		config_free(cfg);
		fail();
	}
}

static void
expect_err(const char *yaml, const char *want)
{
	expect_err_len(yaml, strlen(yaml), want);
}

static void
expect_ok(const char *yaml)
{
	struct error	 err;
	struct config	*cfg;

	if ((cfg = parse(yaml, &err)) == NULL) {
		print_error("yaml:\n%s\nerror: %s\n", yaml, err.msg);
		fail();
	}
	config_free(cfg);
}

/* A valid file ----------------------------------------------------------- */

static void
test_full_file(void **state)
{
	const struct cfg_env		*prod;
	const struct cfg_postgres	*pg;
	const struct cfg_outbox		*o;
	const struct cfg_redis		*r;
	struct config			*cfg;
	struct error			 err;

	cfg = parse(full_yaml, &err);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, "sitrep.yaml");
	assert_string_equal(cfg->default_env, "staging");
	assert_int_equal(cfg->nenvs, 2);
	prod = &cfg->envs[0];
	assert_string_equal(prod->name, "prod");
	assert_int_equal(prod->line, 3);
	assert_int_equal(prod->production, 1);
	assert_int_equal(prod->refresh_ms, 500);

	assert_int_equal(prod->npg, 2);
	pg = &prod->pg[0];
	assert_string_equal(pg->name, "erp-primary");
	assert_string_equal(pg->conninfo, "host=db1.internal port=5432 "
	    "dbname=erp user=sitrep sslmode=verify-full");
	assert_null(pg->service);
	assert_string_equal(pg->password_env, "SITREP_PG_PASSWORD");
	assert_null(pg->password_file);
	assert_int_equal(pg->connect_timeout_s, 5);
	assert_int_equal(pg->statement_timeout_ms, 60000);
	assert_int_equal(pg->line, 7);
	pg = &prod->pg[1];
	assert_string_equal(pg->name, "erp-standby-1");
	assert_null(pg->conninfo);
	assert_string_equal(pg->service, "erp-standby-1");
	assert_string_equal(pg->password_file, "/etc/sitrep/pg.pass");
	assert_ptr_equal(config_pg(prod, "erp-standby-1"), pg);
	assert_null(config_pg(prod, "nope"));

	assert_int_equal(prod->noutbox, 2);
	o = &prod->outbox[0];
	assert_string_equal(o->service, "finance");
	assert_string_equal(o->postgres, "erp-primary");
	assert_string_equal(o->dbname, "finance_db");
	assert_string_equal(o->schema, "billing");
	assert_string_equal(o->table, "Outbox");
	assert_string_equal(o->preset, "outbox-messages");
	assert_string_equal(o->cols.id, "MsgId");
	assert_string_equal(o->cols.occurred, "At");
	assert_string_equal(o->cols.processed, "Done");
	assert_string_equal(o->cols.error, "Err");
	assert_string_equal(o->cols.type, "Kind");
	assert_int_equal(o->line, 16);

	assert_int_equal(prod->nredis, 2);
	r = &prod->redis[0];
	assert_string_equal(r->name, "cache");
	assert_string_equal(r->url, "redis://cache.internal:6380/2");
	assert_string_equal(r->host, "cache.internal");
	assert_int_equal(r->port, 6380);
	assert_int_equal(r->db, 2);
	assert_null(r->username);
	assert_int_equal(r->tls, 0);
	assert_string_equal(r->password_file, "~/redis.pass");
	assert_int_equal(r->connect_timeout_ms, 250);
	assert_int_equal(r->timeout_ms, 3000);
	assert_int_equal(r->line, 27);
	r = &prod->redis[1];
	assert_string_equal(r->host, "::1");
	assert_int_equal(r->port, 6379);
	assert_int_equal(r->db, 0);
	assert_string_equal(r->username, "app");
	assert_int_equal(r->tls, 1);
	assert_string_equal(r->password_env, "REDIS_PASSWORD");

	assert_string_equal(cfg->envs[1].name, "staging");
	assert_int_equal(cfg->envs[1].production, 0);
	assert_int_equal(cfg->envs[1].refresh_ms, 2000);
	config_free(cfg);
}

static void
test_defaults(void **state)
{
	const char	*yaml =
	    "environments:\n"
	    "  drill:\n"
	    "    postgres:\n"
	    "      - name: db\n"
	    "    outbox:\n"
	    "      - {service: billing, postgres: db}\n"
	    "    redis:\n"
	    "      - {name: r, url: \"redis://r\"}\n";
	const struct cfg_env	*env;
	struct config		*cfg;
	struct error		 err;

	assert_non_null(cfg = parse(yaml, &err));
	assert_null(cfg->default_env);
	env = &cfg->envs[0];
	assert_int_equal(env->production, 0);
	assert_int_equal(env->refresh_ms, 2000);
	assert_null(env->pg[0].conninfo);
	assert_null(env->pg[0].service);
	assert_null(env->pg[0].password_env);
	assert_null(env->pg[0].password_file);
	assert_int_equal(env->pg[0].connect_timeout_s, 3);
	assert_int_equal(env->pg[0].statement_timeout_ms, 2000);
	assert_null(env->outbox[0].dbname);
	assert_string_equal(env->outbox[0].schema, "public");
	assert_string_equal(env->outbox[0].preset, "outbox-messages");
	assert_string_equal(env->outbox[0].table, "OutboxMessages");
	assert_string_equal(env->redis[0].host, "r");
	assert_int_equal(env->redis[0].port, 6379);
	assert_int_equal(env->redis[0].db, 0);
	assert_int_equal(env->redis[0].connect_timeout_ms, 2000);
	assert_int_equal(env->redis[0].timeout_ms, 2000);
	/* An environment with no sources at all is allowed. */
	config_free(cfg);
	expect_ok("environments:\n  empty: {}\n");
	expect_ok("environments:\n  e: {postgres: [], outbox: [], "
	    "redis: []}\n");
}

static void
test_durations(void **state)
{
	static const struct {
		const char	*text;
		int		 ms;
	} ok[] = {
		{ "100ms", 100 }, { "2s", 2000 }, { "2", 2000 },
		{ "1m", 60000 }, { "1h", 3600000 }, { "\"3s\"", 3000 },
	};
	static const char *const bad[] = {
		"2.5s", "-1s", "s", "2 s", "2sec", "1d", "[2s]", "{a: 1}",
		"9999999999ms", "''",
	};
	struct config	*cfg;
	struct error	 err;
	char		 yaml[128], want[128];
	size_t		 i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    refresh: %s\n", ok[i].text);
		assert_non_null(cfg = parse(yaml, &err));
		assert_int_equal(cfg->envs[0].refresh_ms, ok[i].ms);
		config_free(cfg);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    refresh: %s\n", bad[i]);
		snprintf(want, sizeof want, "sitrep.yaml:3: "
		    "environments.e.refresh: not a duration");
		expect_err(yaml, want);
	}
	expect_err("environments:\n  e:\n    refresh: 50ms\n",
	    "sitrep.yaml:3: environments.e.refresh: must be between 100ms "
	    "and 1h");
	expect_err("environments:\n  e:\n    refresh: 2h\n",
	    "sitrep.yaml:3: environments.e.refresh: must be between");
	expect_err("environments:\n  e:\n    postgres:\n      - name: a\n"
	    "        connect_timeout: 1500ms\n",
	    "sitrep.yaml:5: environments.e.postgres[0].connect_timeout: "
	    "whole seconds only");
	expect_err("environments:\n  e:\n    postgres:\n      - name: a\n"
	    "        statement_timeout: 0\n",
	    "sitrep.yaml:5: environments.e.postgres[0].statement_timeout: "
	    "must be between 1ms and 1h");
	expect_err("environments:\n  e:\n    redis:\n      - name: a\n"
	    "        url: redis://h\n        timeout: 11m\n",
	    "sitrep.yaml:6: environments.e.redis[0].timeout: must be "
	    "between 1ms and 10m");
}

/* The example error of docs/configuration.md, at the reported line. */
static void
test_error_line_and_key(void **state)
{
	char	*yaml, *at;

	yaml = strdup(full_yaml);
	at = strstr(yaml, "connect_timeout: 5s");
	memcpy(at, "connect_timeout: xs", 19);
	expect_err(yaml, "sitrep.yaml:10: "
	    "environments.prod.postgres[0].connect_timeout: not a duration "
	    "(e.g. 500ms, 2s, 1m)");
	free(yaml);
	expect_err("environments:\n"
	    "  prod:\n"
	    "    postgres:\n"
	    "      - name: a\n"
	    "      - name: b\n"
	    "        connect_timeout: soon\n",
	    "sitrep.yaml:6: environments.prod.postgres[1].connect_timeout: "
	    "not a duration");
}

/* Errors ----------------------------------------------------------------- */

static void
test_unknown_keys(void **state)
{
	expect_err("environment:\n  prod: {}\n",
	    "sitrep.yaml:1: environment: unknown key; expected "
	    "default_environment, environments, audit or warroom");
	expect_err("environments:\n  prod:\n    prodution: true\n",
	    "sitrep.yaml:3: environments.prod.prodution: unknown key; "
	    "expected production, refresh, postgres, outbox, redis, "
	    "kubernetes, alertmanager, prometheus or health");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - name: a\n        hots: x\n",
	    "sitrep.yaml:5: environments.prod.postgres[0].hots: unknown key; "
	    "expected name, conninfo, service, password_env, password_file, "
	    "connect_timeout or statement_timeout");
	expect_err("environments:\n  prod:\n    outbox:\n"
	    "      - {service: s, postgres: p, tabel: T}\n",
	    "sitrep.yaml:4: environments.prod.outbox[0].tabel: unknown key; "
	    "expected service, postgres, database, schema, table, preset or "
	    "columns");
	expect_err("environments:\n  prod:\n    outbox:\n"
	    "      - service: s\n        columns: {ident: x}\n",
	    "sitrep.yaml:5: environments.prod.outbox[0].columns.ident: "
	    "unknown key; expected id, occurred, processed, error or type");
	expect_err("environments:\n  prod:\n    redis:\n"
	    "      - {name: r, host: h}\n",
	    "sitrep.yaml:4: environments.prod.redis[0].host: unknown key; "
	    "expected name, url, password_env, password_file, "
	    "connect_timeout or timeout");
	expect_err("environments:\n  prod:\n    [a]: 1\n",
	    "sitrep.yaml:3: environments.prod: expected a key: production");
}

static void
test_wrong_types(void **state)
{
	expect_err("environments:\n  prod:\n    production: yes\n",
	    "sitrep.yaml:3: environments.prod.production: expected true or "
	    "false");
	expect_err("environments: [prod]\n",
	    "sitrep.yaml:1: environments: expected a mapping of "
	    "environments");
	expect_err("environments: {}\n",
	    "sitrep.yaml:1: environments: expected a mapping of "
	    "environments");
	expect_err("environments:\n  prod:\n",
	    "sitrep.yaml:2: environments.prod: expected a mapping");
	expect_err("environments:\n  prod:\n    postgres: {name: a}\n",
	    "sitrep.yaml:3: environments.prod.postgres: expected a list");
	expect_err("environments:\n  prod:\n    postgres: [a]\n",
	    "sitrep.yaml:3: environments.prod.postgres[0]: expected a "
	    "mapping");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - name: [a]\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].name: expected a "
	    "string");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - name: ~\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].name: missing "
	    "value");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - name: \"\"\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].name: missing "
	    "value");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - name: db one\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].name: \"db one\": "
	    "use letters, digits, '.', '_' and '-'");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - name: \"a\\0b\"\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].name: NUL byte");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - name: \"a\\tb\"\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].name: control "
	    "character");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - {name: a, password_env: 1PASS}\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].password_env: not "
	    "a variable name");
	expect_err("environments:\n  prod:\n    postgres:\n"
	    "      - {name: a, password_file: pg.pass}\n",
	    "sitrep.yaml:4: environments.prod.postgres[0].password_file: "
	    "must be an absolute path");
	expect_err("environments:\n  \"pr od\": {}\n",
	    "sitrep.yaml:2: environments: bad environment name \"pr od\"");
	expect_err("environments:\n  [a]: {}\n",
	    "sitrep.yaml:2: environments: bad environment name \"?\"");
	expect_err("default_environment: [a]\nenvironments:\n  a: {}\n",
	    "sitrep.yaml:1: default_environment: expected a string");
}

static void
test_required_keys(void **state)
{
	expect_err("default_environment: a\n",
	    "sitrep.yaml:1: environments: required");
	expect_err("environments:\n  e:\n    postgres:\n"
	    "      - conninfo: host=x\n",
	    "sitrep.yaml:4: environments.e.postgres[0].name: required");
	expect_err("environments:\n  e:\n    outbox:\n      - postgres: p\n",
	    "sitrep.yaml:4: environments.e.outbox[0].service: required");
	expect_err("environments:\n  e:\n    outbox:\n      - service: s\n",
	    "sitrep.yaml:4: environments.e.outbox[0].postgres: required");
	expect_err("environments:\n  e:\n    redis:\n      - name: r\n",
	    "sitrep.yaml:4: environments.e.redis[0].url: required");
	expect_err("environments:\n  e:\n    redis:\n"
	    "      - url: redis://h\n",
	    "sitrep.yaml:4: environments.e.redis[0].name: required");
	expect_err("environments:\n  e:\n    postgres:\n"
	    "      - name: a\n        password_env: A\n"
	    "        password_file: /a\n",
	    "sitrep.yaml:4: environments.e.postgres[0]: give password_env "
	    "or password_file, not both");
}

static void
test_duplicates(void **state)
{
	expect_err("environments:\n  prod: {}\n  staging: {}\n  prod: {}\n",
	    "sitrep.yaml:4: environments.prod: given twice (first on line "
	    "2)");
	expect_err("environments:\n  e:\n    postgres:\n"
	    "      - name: a\n      - name: b\n      - name: a\n",
	    "sitrep.yaml:6: environments.e.postgres[2].name: \"a\" given "
	    "twice (first on line 4)");
	expect_err("environments:\n  e:\n    redis:\n"
	    "      - {name: c, url: redis://a}\n"
	    "      - {name: c, url: redis://b}\n",
	    "sitrep.yaml:5: environments.e.redis[1].name: \"c\" given twice "
	    "(first on line 4)");
	/* A postgres and a redis may share a name. */
	expect_ok("environments:\n  e:\n    postgres: [{name: c}]\n"
	    "    redis: [{name: c, url: redis://a}]\n");
	expect_err("environments:\n  e:\n    refresh: 1s\n    refresh: 2s\n",
	    "sitrep.yaml:4: environments.e.refresh: given twice");
	expect_err("environments:\n  e:\n    postgres:\n"
	    "      - name: a\n        name: b\n",
	    "sitrep.yaml:5: environments.e.postgres[0].name: given twice");
}

static void
test_default_environment(void **state)
{
	expect_err("default_environment: prdo\n"
	    "environments:\n  prod: {}\n  staging: {}\n",
	    "sitrep.yaml:1: default_environment: no environment \"prdo\" "
	    "(known: prod, staging)");
	expect_ok("environments:\n  prod: {}\ndefault_environment: prod\n");
}

static void
test_outbox_postgres_ref(void **state)
{
	/* The postgres entry may come after the outbox. */
	expect_ok("environments:\n  e:\n"
	    "    outbox: [{service: s, postgres: db}]\n"
	    "    postgres: [{name: db}]\n");
	expect_err("environments:\n  e:\n"
	    "    postgres: [{name: db1}, {name: db2}]\n"
	    "    outbox:\n"
	    "      - service: s\n        postgres: db1\n"
	    "      - service: t\n        postgres: db3\n",
	    "sitrep.yaml:8: environments.e.outbox[1].postgres: no postgres "
	    "\"db3\" in e (known: db1, db2)");
	expect_err("environments:\n  a:\n    postgres: [{name: db}]\n"
	    "  b:\n    outbox: [{service: s, postgres: db}]\n",
	    "sitrep.yaml:5: environments.b.outbox[0].postgres: no postgres "
	    "\"db\" in b (known: none)");
}

static void
test_passwords_refused(void **state)
{
	static const char *const conninfos[] = {
		"host=h password=secret",
		"host=h password = secret",
		"password='a b' host=h",
		"host=h  PASSWORD=x",
		"postgresql://u:pw@h/db",
		"postgres://u:@h",
		"postgresql://u:p@ss@h:5432/db",
		"postgresql://u@h/db?password=x",
		"postgresql://h/db?sslmode=require&password=x",
		"postgresql://h/db?pass%77ord=x",
	};
	static const char *const urls[] = {
		"redis://:pw@h", "redis://u:pw@h:6379/0", "rediss://:pw@h",
		"redis://h/0?password=x",
	};
	static const char *const want =
	    "passwords are not allowed in the file; use password_env or "
	    "password_file";
	char	yaml[256], msg[256];
	size_t	i;

	for (i = 0; i < sizeof conninfos / sizeof conninfos[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    postgres:\n      - name: a\n        conninfo: \"%s\"\n",
		    conninfos[i]);
		snprintf(msg, sizeof msg, "sitrep.yaml:5: "
		    "environments.e.postgres[0].conninfo: %s", want);
		expect_err(yaml, msg);
	}
	for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    redis:\n      - name: a\n        url: \"%s\"\n",
		    urls[i]);
		snprintf(msg, sizeof msg, "sitrep.yaml:5: "
		    "environments.e.redis[0].url: %s", want);
		expect_err(yaml, msg);
	}
	snprintf(msg, sizeof msg, "sitrep.yaml:4: "
	    "environments.e.postgres[0].password: %s", want);
	expect_err("environments:\n  e:\n    postgres:\n"
	    "      - {name: a, password: x}\n", msg);
	snprintf(msg, sizeof msg, "sitrep.yaml:4: "
	    "environments.e.redis[0].password: %s", want);
	expect_err("environments:\n  e:\n    redis:\n"
	    "      - {name: a, url: redis://h, password: x}\n", msg);
	snprintf(msg, sizeof msg, "sitrep.yaml:3: environments.e.Password: "
	    "%s", want);
	expect_err("environments:\n  e:\n    Password: x\n", msg);
	/* Look-alikes that are not passwords. */
	expect_ok("environments:\n  e:\n    postgres:\n"
	    "      - name: a\n        conninfo: \"passfile=/x host=h "
	    "options='-c password_encryption=x'\"\n"
	    "      - name: b\n        conninfo: postgresql://u@h:5432/db"
	    "?passfile=/x\n"
	    "      - name: c\n        conninfo: postgresql://[::1]:5432/db\n"
	    "    redis:\n      - {name: r, url: \"redis://user@h:1/3\"}\n");
}

static void
test_conninfo_syntax(void **state)
{
	expect_err("environments:\n  e:\n    postgres:\n"
	    "      - {name: a, conninfo: \"host=h port\"}\n",
	    "sitrep.yaml:4: environments.e.postgres[0].conninfo: missing "
	    "\"=\" after \"port\"");
	expect_err("environments:\n  e:\n    postgres:\n"
	    "      - {name: a, conninfo: \"host='h\"}\n",
	    "sitrep.yaml:4: environments.e.postgres[0].conninfo: "
	    "unterminated quoted string");
	expect_ok("environments:\n  e:\n    postgres:\n"
	    "      - {name: a, conninfo: \"host = 'a \\\\' b'  port=1 "
	    "x=a\\\\ b\"}\n");
}

static void
test_redis_urls(void **state)
{
	static const struct {
		const char	*url;
		const char	*want;
	} bad[] = {
		{ "http://h", "expected redis://[user@]host[:port][/db]" },
		{ "redis:/h", "expected redis://" },
		{ "unix:///tmp/redis.sock", "expected redis://" },
		{ "redis://", "no host" },
		{ "redis://:6379", "no host" },
		{ "redis://h:0", "bad port" },
		{ "redis://h:65536", "bad port" },
		{ "redis://h:x", "bad port" },
		{ "redis://h:", "bad port" },
		{ "redis://h/x", "bad database number" },
		{ "redis://h/1/2", "bad database number" },
		{ "redis://@h", "empty user before @" },
		{ "redis://[::1", "unclosed [ in host" },
		{ "redis://[::1]x", "bad host" },
		{ "redis://h?db=1", "query strings and fragments are not "
		    "supported" },
	};
	char	yaml[256], msg[256];
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    redis:\n      - name: a\n        url: \"%s\"\n",
		    bad[i].url);
		snprintf(msg, sizeof msg, "sitrep.yaml:5: "
		    "environments.e.redis[0].url: %s", bad[i].want);
		expect_err(yaml, msg);
	}
	expect_ok("environments:\n  e:\n    redis:\n"
	    "      - {name: a, url: \"redis://h/\"}\n"
	    "      - {name: b, url: \"redis://10.0.0.1:1\"}\n"
	    "      - {name: c, url: \"rediss://u@[fe80::1]:6380/15\"}\n");
}

static void
test_presets(void **state)
{
	const char	*yaml =
	    "environments:\n  e:\n    postgres: [{name: db}]\n"
	    "    outbox:\n"
	    "      - {service: a, postgres: db}\n"
	    "      - {service: b, postgres: db, preset: masstransit}\n"
	    "      - {service: c, postgres: db, preset: masstransit,\n"
	    "         columns: {processed: Delivered}}\n"
	    "      - service: d\n        postgres: db\n"
	    "        preset: custom\n        table: events\n"
	    "        columns: {id: id, occurred: at, processed: sent}\n";
	const struct cfg_outbox	*o;
	struct config		*cfg;
	struct error		 err;

	assert_non_null(cfg = parse(yaml, &err));
	o = cfg->envs[0].outbox;
	assert_string_equal(o[0].table, "OutboxMessages");
	assert_string_equal(o[0].cols.id, "Id");
	assert_string_equal(o[0].cols.occurred, "OccurredOn");
	assert_string_equal(o[0].cols.processed, "ProcessedOn");
	assert_string_equal(o[0].cols.error, "Error");
	assert_string_equal(o[0].cols.type, "Type");
	assert_string_equal(o[1].preset, "masstransit");
	assert_string_equal(o[1].table, "OutboxMessage");
	assert_string_equal(o[1].schema, "public");
	assert_string_equal(o[1].cols.id, "SequenceNumber");
	assert_string_equal(o[1].cols.occurred, "SentTime");
	assert_null(o[1].cols.processed);
	assert_null(o[1].cols.error);
	assert_null(o[1].cols.type);
	assert_string_equal(o[2].cols.processed, "Delivered");
	assert_string_equal(o[2].cols.id, "SequenceNumber");
	assert_string_equal(o[3].table, "events");
	assert_string_equal(o[3].cols.processed, "sent");
	assert_null(o[3].cols.error);
	config_free(cfg);
	expect_err("environments:\n  e:\n    outbox:\n"
	    "      - {service: s, postgres: db, preset: nservicebus}\n",
	    "sitrep.yaml:4: environments.e.outbox[0].preset: unknown preset "
	    "\"nservicebus\"; expected outbox-messages, masstransit or "
	    "custom");
}

static void
test_custom_needs_columns(void **state)
{
	expect_err("environments:\n  e:\n    outbox:\n"
	    "      - {service: s, postgres: db, preset: custom, table: t}\n",
	    "sitrep.yaml:4: environments.e.outbox[0].columns: preset custom "
	    "needs id, occurred and processed");
	expect_err("environments:\n  e:\n    outbox:\n"
	    "      - service: s\n        postgres: db\n"
	    "        preset: custom\n        table: t\n"
	    "        columns:\n          id: id\n          occurred: at\n",
	    "sitrep.yaml:9: environments.e.outbox[0].columns: preset custom "
	    "needs id, occurred and processed");
	expect_err("environments:\n  e:\n    outbox:\n"
	    "      - {service: s, postgres: db, preset: custom,\n"
	    "         columns: {id: a, occurred: b, processed: c}}\n",
	    "sitrep.yaml:4: environments.e.outbox[0].table: required");
}

/* Sections reached over HTTP --------------------------------------------- */

static void
test_http_full_file(void **state)
{
	const struct cfg_env		*prod;
	const struct cfg_kubernetes	*k;
	const struct cfg_alertmanager	*a;
	const struct cfg_prometheus	*p;
	const struct cfg_health		*h;
	struct config			*cfg;
	struct error			 err;

	assert_non_null(cfg = parse(full_yaml, &err));
	prod = &cfg->envs[0];
	k = &prod->kubernetes;
	assert_int_equal(k->present, 1);
	assert_int_equal(k->line, 36);
	assert_string_equal(k->kubeconfig, "~/.kube/prod.yaml");
	assert_string_equal(k->context,
	    "arn:aws:eks:eu-west-1:123456789012:cluster/prod");
	assert_string_equal(k->namespace, "erp-system");
	assert_int_equal(k->timeout_ms, 15000);

	assert_int_equal(prod->nalertmanager, 2);
	a = &prod->alertmanager[0];
	assert_string_equal(a->name, "am-1");
	assert_int_equal(a->line, 41);
	assert_string_equal(a->http.url, "https://am-1.internal:9093");
	assert_string_equal(a->http.ca_file, "/etc/ssl/internal-ca.pem");
	assert_string_equal(a->http.cert_file, "/etc/sitrep/client.pem");
	assert_string_equal(a->http.key_file, "/etc/sitrep/client.key");
	assert_int_equal(a->http.insecure, 0);
	assert_null(a->http.token_env);
	assert_string_equal(a->http.token_file, "/etc/sitrep/am.token");
	assert_null(a->http.basic_user);
	assert_null(a->http.password_env);
	assert_null(a->http.password_file);
	assert_int_equal(a->http.connect_timeout_ms, 1000);
	assert_int_equal(a->http.timeout_ms, 5000);
	a = &prod->alertmanager[1];
	assert_string_equal(a->name, "am-2");
	assert_string_equal(a->http.url,
	    "https://am-2.internal:9093/alertmanager");
	assert_int_equal(a->http.insecure, 1);
	assert_string_equal(a->http.basic_user, "sitrep");
	assert_string_equal(a->http.password_env, "AM_PASSWORD");
	assert_int_equal(a->http.connect_timeout_ms, 3000);
	assert_int_equal(a->http.timeout_ms, 10000);

	p = &prod->prometheus;
	assert_int_equal(p->present, 1);
	assert_int_equal(p->line, 55);
	assert_string_equal(p->http.url, "http://prometheus.monitoring:9090");
	assert_string_equal(p->http.token_env, "PROM_TOKEN");
	assert_int_equal(p->preset, CIRCUITS_CUSTOM);
	assert_string_equal(p->query, "max by (app, dep, st) (breaker_state)");
	assert_string_equal(p->label_service, "app");
	assert_string_equal(p->label_dependency, "dep");
	assert_string_equal(p->label_state, "st");

	assert_int_equal(prod->nhealth, 2);
	h = &prod->health[0];
	assert_string_equal(h->name, "finance");
	assert_int_equal(h->line, 61);
	assert_string_equal(h->http.url,
	    "http://finance.erp-system.svc:8080/health/ready");
	assert_int_equal(h->http.connect_timeout_ms, 3000);
	assert_int_equal(h->http.timeout_ms, 500);
	h = &prod->health[1];
	assert_string_equal(h->http.url, "http://[fd00::7]:8080/health");
	assert_string_equal(h->http.basic_user, "probe");
	assert_string_equal(h->http.password_file, "/etc/sitrep/health.pass");
	assert_int_equal(h->http.timeout_ms, 2000);
	config_free(cfg);
}

static void
test_http_defaults(void **state)
{
	const char	*yaml =
	    "environments:\n"
	    "  none: {}\n"
	    "  all:\n"
	    "    kubernetes: {}\n"
	    "    alertmanager: [{name: am, url: \"http://am:9093\"}]\n"
	    "    prometheus: {url: \"http://prom:9090\"}\n"
	    "    health: [{name: s, url: \"http://s/health\"}]\n";
	const struct cfg_env	*env;
	struct config		*cfg;
	struct error		 err;

	assert_non_null(cfg = parse(yaml, &err));
	/* Without the sections: nothing present, defaults still hold. */
	env = &cfg->envs[0];
	assert_int_equal(env->kubernetes.present, 0);
	assert_int_equal(env->kubernetes.timeout_ms, 10000);
	assert_null(env->kubernetes.kubeconfig);
	assert_null(env->kubernetes.context);
	assert_null(env->kubernetes.namespace);
	assert_int_equal(env->nalertmanager, 0);
	assert_null(env->alertmanager);
	assert_int_equal(env->prometheus.present, 0);
	assert_int_equal(env->prometheus.preset, CIRCUITS_RESILIENCE4J);
	assert_int_equal(env->prometheus.http.connect_timeout_ms, 3000);
	assert_int_equal(env->prometheus.http.timeout_ms, 10000);
	assert_int_equal(env->nhealth, 0);

	env = &cfg->envs[1];
	assert_int_equal(env->kubernetes.present, 1);
	assert_int_equal(env->kubernetes.line, 4);
	assert_null(env->kubernetes.kubeconfig);
	assert_null(env->kubernetes.context);
	assert_null(env->kubernetes.namespace);
	assert_int_equal(env->kubernetes.timeout_ms, 10000);
	assert_int_equal(env->alertmanager[0].http.connect_timeout_ms, 3000);
	assert_int_equal(env->alertmanager[0].http.timeout_ms, 10000);
	assert_int_equal(env->alertmanager[0].http.insecure, 0);
	assert_null(env->alertmanager[0].http.ca_file);
	assert_null(env->alertmanager[0].http.token_env);
	assert_int_equal(env->prometheus.present, 1);
	assert_int_equal(env->prometheus.preset, CIRCUITS_RESILIENCE4J);
	assert_null(env->prometheus.query);
	assert_string_equal(env->prometheus.label_service, "application");
	assert_string_equal(env->prometheus.label_dependency, "name");
	assert_string_equal(env->prometheus.label_state, "state");
	assert_int_equal(env->prometheus.http.timeout_ms, 10000);
	assert_int_equal(env->health[0].http.connect_timeout_ms, 3000);
	assert_int_equal(env->health[0].http.timeout_ms, 2000);
	config_free(cfg);
	expect_ok("environments:\n  e: {alertmanager: [], health: []}\n");
}

static void
test_kubernetes(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} ns[] = {
		{ "\"*\"", "*" }, { "all", "*" }, { "'*'", "*" },
		{ "erp-system", "erp-system" }, { "a1", "a1" },
	};
	static const char *const bad_ns[] = {
		"Erp", "-a", "a-", "a_b", "a.b", "\"a b\"",
	};
	struct config	*cfg;
	struct error	 err;
	char		 yaml[256], name[256], big[512];
	size_t		 i;

	for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    kubernetes: {namespace: %s}\n", ns[i].text);
		assert_non_null(cfg = parse(yaml, &err));
		assert_string_equal(cfg->envs[0].kubernetes.namespace,
		    ns[i].want);
		config_free(cfg);
	}
	for (i = 0; i < sizeof bad_ns / sizeof bad_ns[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    kubernetes:\n      namespace: %s\n", bad_ns[i]);
		expect_err(yaml, "sitrep.yaml:4: environments.e.kubernetes."
		    "namespace: \"");
	}
	expect_err("environments:\n  e:\n    kubernetes:\n"
	    "      namespace: Erp\n",
	    "sitrep.yaml:4: environments.e.kubernetes.namespace: \"Erp\": a "
	    "namespace is lowercase letters, digits and '-' (or \"*\" for "
	    "all)");
	/* A bare * is a YAML alias: libyaml says so. */
	expect_err("environments:\n  e:\n    kubernetes:\n      namespace: *\n",
	    "sitrep.yaml:4: ");
	expect_err("environments:\n  e:\n    kubernetes:\n"
	    "      kubeconfig: .kube/config\n",
	    "sitrep.yaml:4: environments.e.kubernetes.kubeconfig: must be an "
	    "absolute path (or start with ~/)");
	expect_err("environments:\n  e:\n    kubernetes:\n      timeout: 0\n",
	    "sitrep.yaml:4: environments.e.kubernetes.timeout: must be "
	    "between 1ms and 10m");
	expect_err("environments:\n  e:\n    kubernetes:\n      cluster: x\n",
	    "sitrep.yaml:4: environments.e.kubernetes.cluster: unknown key; "
	    "expected kubeconfig, context, namespace or timeout");
	expect_err("environments:\n  e:\n    kubernetes: yes\n",
	    "sitrep.yaml:3: environments.e.kubernetes: expected a mapping");
	expect_err("environments:\n  e:\n    kubernetes: {}\n"
	    "    kubernetes: {}\n",
	    "sitrep.yaml:4: environments.e.kubernetes: given twice");
	/* Context names are free text (EKS ARNs, user@cluster), up to 253. */
	expect_ok("environments:\n  e:\n"
	    "    kubernetes: {context: \"admin@kind-dev\"}\n");
	memset(name, 'c', 254);
	name[254] = '\0';
	snprintf(big, sizeof big, "environments:\n  e:\n"
	    "    kubernetes: {context: %s}\n", name);
	expect_err(big, "sitrep.yaml:3: environments.e.kubernetes.context: "
	    "longer than 253 bytes");
	name[253] = '\0';
	snprintf(big, sizeof big, "environments:\n  e:\n"
	    "    kubernetes: {context: %s}\n", name);
	expect_ok(big);
}

static void
test_kubernetes_credentials(void **state)
{
	static const char *const keys[] = { "token", "password", "Token" };
	char	yaml[256], msg[256];
	size_t	i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    kubernetes:\n      %s: x\n", keys[i]);
		snprintf(msg, sizeof msg, "sitrep.yaml:4: "
		    "environments.e.kubernetes.%s: credentials are not allowed "
		    "here; Kubernetes credentials come from the kubeconfig",
		    keys[i]);
		expect_err(yaml, msg);
	}
}

static void
test_circuit_presets(void **state)
{
	static const struct {
		const char		*yaml;
		enum circuit_preset	 preset;
		const char		*service, *dependency, *state;
	} ok[] = {
		{ "", CIRCUITS_RESILIENCE4J, "application", "name", "state" },
		{ "circuits: resilience4j", CIRCUITS_RESILIENCE4J,
		  "application", "name", "state" },
		{ "circuits: polly", CIRCUITS_POLLY, "service", "pipeline_name",
		  NULL },
		{ "circuits: envoy", CIRCUITS_ENVOY, "service",
		  "envoy_cluster_name", NULL },
		{ "circuits: custom, query: up", CIRCUITS_CUSTOM, "service",
		  "dependency", NULL },
		{ "circuits: custom, query: 'b{x=\"1\"}', labels: {state: s}",
		  CIRCUITS_CUSTOM, "service", "dependency", "s" },
		{ "labels: {service: app}", CIRCUITS_RESILIENCE4J, "app",
		  "name", "state" },
		{ "labels: {dependency: dep, state: st}",
		  CIRCUITS_RESILIENCE4J, "application", "dep", "st" },
		{ "circuits: envoy, labels: {service: pod, dependency: _c}",
		  CIRCUITS_ENVOY, "pod", "_c", NULL },
	};
	const struct cfg_prometheus	*p;
	struct config			*cfg;
	struct error			 err;
	char				 yaml[256];
	size_t				 i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    prometheus: {url: \"http://p:9090\"%s%s}\n",
		    *ok[i].yaml != '\0' ? ", " : "", ok[i].yaml);
		if ((cfg = parse(yaml, &err)) == NULL) {
			print_error("%s\n%s\n", yaml, err.msg);
			fail();
		}
		p = &cfg->envs[0].prometheus;
		assert_int_equal(p->preset, ok[i].preset);
		assert_string_equal(p->label_service, ok[i].service);
		assert_string_equal(p->label_dependency, ok[i].dependency);
		if (ok[i].state == NULL)
			assert_null(p->label_state);
		else
			assert_string_equal(p->label_state, ok[i].state);
		config_free(cfg);
	}
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      circuits: hystrix\n",
	    "sitrep.yaml:5: environments.e.prometheus.circuits: unknown "
	    "preset \"hystrix\"; expected resilience4j, polly, envoy or "
	    "custom");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      circuits: custom\n",
	    "sitrep.yaml:4: environments.e.prometheus.query: required");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      query: up\n",
	    "sitrep.yaml:5: environments.e.prometheus.query: only with "
	    "circuits: custom (resilience4j has its own)");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      circuits: polly\n"
	    "      labels:\n        state: s\n",
	    "sitrep.yaml:7: environments.e.prometheus.labels.state: polly has "
	    "no state label");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      circuits: envoy\n"
	    "      labels: {state: s}\n",
	    "sitrep.yaml:6: environments.e.prometheus.labels.state: envoy has "
	    "no state label");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      labels: {service: 1app}\n",
	    "sitrep.yaml:5: environments.e.prometheus.labels.service: "
	    "\"1app\": a label name is letters, digits and '_'");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      labels: {dependency: a-b}\n",
	    "sitrep.yaml:5: environments.e.prometheus.labels.dependency: "
	    "\"a-b\": a label name");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      labels: {caller: a}\n",
	    "sitrep.yaml:5: environments.e.prometheus.labels.caller: unknown "
	    "key; expected service, dependency or state");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      circuits: custom\n"
	    "      query: \"a\\nb\"\n",
	    "sitrep.yaml:6: environments.e.prometheus.query: control "
	    "character");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      - url: http://p\n",
	    "sitrep.yaml:4: environments.e.prometheus: expected a mapping");
	expect_err("environments:\n  e:\n    prometheus: {circuits: polly}\n",
	    "sitrep.yaml:3: environments.e.prometheus.url: required");
}

static void
test_http_urls(void **state)
{
	static const struct {
		const char	*url;
		const char	*want;
	} bad[] = {
		{ "ftp://h", "expected http://host[:port][/path] or "
		    "https://..." },
		{ "am.internal:9093", "expected http://" },
		{ "HTTP://h", "expected http://" },
		{ "http://", "no host" },
		{ "https://:9093", "no host" },
		{ "http:///x", "no host" },
		{ "http://h:0", "bad port" },
		{ "http://h:65536", "bad port" },
		{ "http://h:", "bad port" },
		{ "http://h:x/", "bad port" },
		{ "http://[::1", "unclosed [ in host" },
		{ "http://[::1]x", "bad host" },
		{ "http://[::g]", "bad host" },
		{ "http://h$t", "bad host" },
		{ "http://h/a b", "space in URL (write %20)" },
		{ "http://h/?x=1", "query strings and fragments are not "
		    "supported" },
		{ "http://h/#top", "query strings and fragments" },
		{ "https://sitrep@h", "no user in the URL; use basic_user "
		    "with password_env or password_file" },
	};
	static const char *const good[] = {
		"http://h", "https://h/", "http://10.0.0.1:9090",
		"https://[fd00::1]:9093/am/", "http://a-b.c_d.svc:8080/x/y",
		"https://h:443/api/v1/../x",
	};
	char	yaml[256], msg[256];
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    alertmanager:\n      - name: a\n        url: \"%s\"\n",
		    bad[i].url);
		snprintf(msg, sizeof msg, "sitrep.yaml:5: "
		    "environments.e.alertmanager[0].url: %s", bad[i].want);
		expect_err(yaml, msg);
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    health:\n      - {name: a, url: \"%s\"}\n", good[i]);
		expect_ok(yaml);
	}
}

/* Tokens and passwords in clear, in each of the three HTTP sections. */
static void
test_http_secrets_refused(void **state)
{
	static const char *const sections[][2] = {
		{ "alertmanager: [{name: a, ", "}]" },
		{ "prometheus: {", "}" },
		{ "health: [{name: a, ", "}]" },
	};
	static const char *const where[] = {
		"alertmanager[0]", "prometheus", "health[0]",
	};
	static const struct {
		const char	*keys;
		const char	*key;
		const char	*want;
	} bad[] = {
		{ "url: \"https://u:pw@h\"", "url", "passwords are not allowed "
		    "in the file; use password_env or password_file" },
		{ "url: \"http://:pw@h:9093\"", "url", "passwords are not "
		    "allowed" },
		{ "url: \"http://h/?password=x\"", "url", "passwords are not "
		    "allowed" },
		{ "url: \"https://u@h:pw@x\"", "url", "passwords are not "
		    "allowed" },
		{ "url: http://h, password: x", "password", "passwords are not "
		    "allowed in the file; use password_env or password_file" },
		{ "url: http://h, token: x", "token", "tokens are not allowed "
		    "in the file; use token_env or token_file" },
		{ "url: http://h, TOKEN: x", "TOKEN", "tokens are not "
		    "allowed" },
	};
	char	yaml[256], msg[256];
	size_t	i, j;

	for (i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		for (j = 0; j < sizeof bad / sizeof bad[0]; j++) {
			snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
			    "    %s%s%s\n", sections[i][0], bad[j].keys,
			    sections[i][1]);
			snprintf(msg, sizeof msg, "sitrep.yaml:3: "
			    "environments.e.%s.%s: %s", where[i], bad[j].key,
			    bad[j].want);
			expect_err(yaml, msg);
		}
	}
}

static void
test_http_credentials(void **state)
{
	static const struct {
		const char	*keys;
		const char	*want;
	} bad[] = {
		{ "token_env: T, token_file: /t",
		  "environments.e.alertmanager[0]: give token_env or "
		  "token_file, not both" },
		{ "basic_user: u, password_env: P, password_file: /p",
		  "environments.e.alertmanager[0]: give password_env or "
		  "password_file, not both" },
		{ "token_env: T, basic_user: u, password_env: P",
		  "environments.e.alertmanager[0]: give a token (token_env, "
		  "token_file) or basic_user, not both" },
		{ "password_env: P",
		  "environments.e.alertmanager[0].basic_user: required with "
		  "password_env or password_file" },
		{ "basic_user: u",
		  "environments.e.alertmanager[0].basic_user: needs "
		  "password_env or password_file" },
		{ "basic_user: \"u:p\", password_env: P",
		  "environments.e.alertmanager[0].basic_user: no ':' in a "
		  "basic auth user" },
		{ "token_env: 9T",
		  "environments.e.alertmanager[0].token_env: not a variable "
		  "name" },
		{ "token_file: am.token",
		  "environments.e.alertmanager[0].token_file: must be an "
		  "absolute path" },
		{ "password_file: pw, basic_user: u",
		  "environments.e.alertmanager[0].password_file: must be an "
		  "absolute path" },
		{ "ca_file: ca.pem",
		  "environments.e.alertmanager[0].ca_file: must be an absolute "
		  "path" },
		{ "key_file: /k",
		  "environments.e.alertmanager[0].key_file: needs cert_file" },
		{ "insecure: yes",
		  "environments.e.alertmanager[0].insecure: expected true or "
		  "false" },
		{ "insecure: true, ca_file: /ca",
		  "environments.e.alertmanager[0].insecure: give ca_file or "
		  "insecure, not both" },
		{ "connect_timeout: 11m",
		  "environments.e.alertmanager[0].connect_timeout: must be "
		  "between 1ms and 10m" },
		{ "timeout: 1.5s",
		  "environments.e.alertmanager[0].timeout: not a duration" },
	};
	static const struct {
		const char	*keys;
		const char	*key;
	} plain[] = {
		{ "ca_file: /ca", "ca_file" },
		{ "cert_file: /c", "cert_file" },
		{ "cert_file: /c, key_file: /k", "cert_file" },
		{ "insecure: true", "insecure" },
	};
	char	yaml[256], msg[256];
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    alertmanager:\n"
		    "      - {name: a, url: \"https://h\", %s}\n", bad[i].keys);
		snprintf(msg, sizeof msg, "sitrep.yaml:4: %s", bad[i].want);
		expect_err(yaml, msg);
	}
	/* TLS keys are for https only. */
	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		snprintf(yaml, sizeof yaml, "environments:\n  e:\n"
		    "    alertmanager:\n"
		    "      - {name: a, url: \"http://h\", %s}\n",
		    plain[i].keys);
		snprintf(msg, sizeof msg, "sitrep.yaml:4: "
		    "environments.e.alertmanager[0].%s: only for https:// URLs",
		    plain[i].key);
		expect_err(yaml, msg);
	}
	/* Each credential alone, and a token over plain http. */
	expect_ok("environments:\n  e:\n    alertmanager:\n"
	    "      - {name: a, url: \"https://h\", token_env: T}\n"
	    "      - {name: b, url: \"https://h\", token_file: ~/t}\n"
	    "      - {name: c, url: \"https://h\", basic_user: u,\n"
	    "         password_file: /p}\n"
	    "      - {name: d, url: \"http://h\", token_env: T,\n"
	    "         insecure: false}\n"
	    "      - {name: e, url: \"https://h\", cert_file: /c}\n");
}

static void
test_http_errors(void **state)
{
	/* The key path and the line of each list entry. */
	expect_err("environments:\n  e:\n    alertmanager:\n"
	    "      - name: a\n        url: http://a\n"
	    "      - name: b\n        url: http://b\n        timout: 1s\n",
	    "sitrep.yaml:8: environments.e.alertmanager[1].timout: unknown "
	    "key; expected name, url, ca_file, cert_file, key_file, insecure, "
	    "token_env, token_file, basic_user, password_env, password_file, "
	    "connect_timeout or timeout");
	expect_err("environments:\n  e:\n    prometheus:\n"
	    "      url: http://p\n      scrape: 1s\n",
	    "sitrep.yaml:5: environments.e.prometheus.scrape: unknown key; "
	    "expected circuits, query, labels, url, ca_file");
	expect_err("environments:\n  e:\n    health:\n"
	    "      - {name: a, url: http://a, interval: 1s}\n",
	    "sitrep.yaml:4: environments.e.health[0].interval: unknown key; "
	    "expected name, url, ");
	expect_err("environments:\n  e:\n    alertmanager:\n"
	    "      - url: http://a\n",
	    "sitrep.yaml:4: environments.e.alertmanager[0].name: required");
	expect_err("environments:\n  e:\n    alertmanager:\n"
	    "      - name: a\n",
	    "sitrep.yaml:4: environments.e.alertmanager[0].url: required");
	expect_err("environments:\n  e:\n    health:\n      - url: http://a\n",
	    "sitrep.yaml:4: environments.e.health[0].name: required");
	expect_err("environments:\n  e:\n    health:\n      - name: a\n",
	    "sitrep.yaml:4: environments.e.health[0].url: required");
	expect_err("environments:\n  e:\n    alertmanager:\n"
	    "      - {name: a, url: http://a}\n"
	    "      - {name: a, url: http://b}\n",
	    "sitrep.yaml:5: environments.e.alertmanager[1].name: \"a\" given "
	    "twice (first on line 4)");
	expect_err("environments:\n  e:\n    health:\n"
	    "      - {name: a, url: http://a}\n"
	    "      - {name: b, url: http://b}\n"
	    "      - {name: a, url: http://c}\n",
	    "sitrep.yaml:6: environments.e.health[2].name: \"a\" given twice "
	    "(first on line 4)");
	expect_err("environments:\n  e:\n    health:\n"
	    "      - {name: \"a b\", url: http://a}\n",
	    "sitrep.yaml:4: environments.e.health[0].name: \"a b\": use "
	    "letters");
	expect_err("environments:\n  e:\n    alertmanager: {name: a}\n",
	    "sitrep.yaml:3: environments.e.alertmanager: expected a list");
	expect_err("environments:\n  e:\n    health: [a]\n",
	    "sitrep.yaml:3: environments.e.health[0]: expected a mapping");
	expect_err("environments:\n  e:\n    health:\n"
	    "      - {name: a, url: http://a, timeout: 0ms}\n",
	    "sitrep.yaml:4: environments.e.health[0].timeout: must be between "
	    "1ms and 10m");
	expect_err("environments:\n  e:\n    health:\n"
	    "      - {name: a, url: http://a, url: http://b}\n",
	    "sitrep.yaml:4: environments.e.health[0].url: given twice");
	/* Alertmanager and health entries may share a name. */
	expect_ok("environments:\n  e:\n"
	    "    alertmanager: [{name: x, url: http://a}]\n"
	    "    health: [{name: x, url: http://a}]\n");
}

/* Whole-file problems ---------------------------------------------------- */

static void
test_not_a_mapping(void **state)
{
	expect_err("- prod\n- staging\n",
	    "sitrep.yaml:1: the file must be a mapping with an environments "
	    "key");
	expect_err("just text\n", "sitrep.yaml:1: the file must be a mapping");
	expect_err("\n\n42\n", "sitrep.yaml:3: the file must be a mapping");
	expect_err("\"\"\n", "sitrep.yaml:1: the file must be a mapping");
}

static void
test_empty_file(void **state)
{
	struct error	err;

	expect_err("", "sitrep.yaml:1: empty file");
	expect_err("# only a comment\n\n", "sitrep.yaml:1: empty file");
	expect_err("---\n", "sitrep.yaml:1: empty file");
	expect_err("---\n{}\n", "sitrep.yaml:2: environments: required");
	memset(&err, 0, sizeof err);
	assert_null(config_parse(NULL, 0, NULL, &err));
	assert_string_equal(err.msg, "config:1: empty file; expected "
	    "environments: ...");
}

static void
test_yaml_syntax(void **state)
{
	expect_err("environments:\n  prod: {\n", "sitrep.yaml:3: ");
	expect_err("environments:\n  prod:\n\tproduction: true\n",
	    "sitrep.yaml:3: found character that cannot start any token");
	expect_err("environments:\n  e: *nothing\n",
	    "sitrep.yaml:2: found undefined alias");
	expect_err("environments:\n  e: {}\n---\nenvironments:\n  f: {}\n",
	    "sitrep.yaml:4: more than one document");
}

static void
test_non_utf8(void **state)
{
	static const char	latin1[] =
	    "environments:\n  e:\n    postgres:\n      - name: caf\xe9\n";
	static const char	nul[] = "environments:\n  e: {}\n\0x: 1\n";

	expect_err(latin1, "sitrep.yaml:4: incomplete UTF-8 octet sequence "
	    "(byte offset 50; the file must be UTF-8 text)");
	expect_err("environments:\n  e:\n    refresh: \xff\n",
	    "sitrep.yaml:3: invalid leading UTF-8 octet");
	expect_err_len(nul, sizeof nul - 1, "sitrep.yaml:3: ");
	/* Valid UTF-8 is fine in identifiers. */
	expect_ok("environments:\n  e:\n    postgres: [{name: db}]\n"
	    "    outbox:\n      - {service: s, postgres: db,\n"
	    "         table: \"Nachrichtenausgang\xc3\xa4\"}\n");
}

static void
test_long_strings(void **state)
{
	struct error	 err;
	struct config	*cfg;
	char		*yaml, *name;
	size_t		 n = 100000;

	name = malloc(n + 1);
	memset(name, 'a', n);
	name[n] = '\0';
	yaml = malloc(n + 128);

	/* libyaml refuses plain keys over 1024 characters itself. */
	snprintf(yaml, n + 128, "environments:\n  %s: {}\n", name);
	expect_err(yaml, "sitrep.yaml:2: mapping values are not allowed");
	snprintf(yaml, n + 128, "environments:\n  ? %s\n  : {}\n", name);
	expect_err(yaml, "sitrep.yaml:2: environments: bad environment name "
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\": use at most 63 "
	    "letters");
	snprintf(yaml, n + 128, "environments:\n  e:\n    postgres:\n"
	    "      - {name: a, conninfo: \"host=%s\"}\n", name);
	expect_err(yaml, "sitrep.yaml:4: environments.e.postgres[0].conninfo: "
	    "longer than 4096 bytes");
	snprintf(yaml, n + 128, "environments:\n  e:\n    ? %s\n    : 1\n",
	    name);
	memset(&err, 0, sizeof err);
	assert_null(cfg = parse(yaml, &err));
	assert_true(strlen(err.msg) < sizeof err.msg);
	assert_non_null(strstr(err.msg, "aaa...: unknown key"));
	/* 63 bytes is the longest name. */
	name[63] = '\0';
	snprintf(yaml, n + 128, "environments:\n  %s: {}\n", name);
	expect_ok(yaml);
	name[63] = 'a';
	name[64] = '\0';
	snprintf(yaml, n + 128, "environments:\n  %s: {}\n", name);
	expect_err(yaml, "sitrep.yaml:2: environments: bad environment name");
	free(name);
	free(yaml);
}

static void
test_aliases(void **state)
{
	struct error	 err;
	struct config	*cfg;

	/* Anchors work as plain copies... */
	cfg = parse("environments:\n  a: &e {refresh: 5s}\n  b: *e\n", &err);
	assert_non_null(cfg);
	assert_int_equal(cfg->envs[1].refresh_ms, 5000);
	config_free(cfg);
	/* ...and a mapping that contains itself is an error, not a loop. */
	expect_err("environments: &a\n  e: *a\n",
	    "sitrep.yaml:2: environments.e.e: unknown key");
	expect_err("environments:\n  e:\n    outbox:\n"
	    "      - &o {service: s, postgres: p, columns: *o}\n",
	    "sitrep.yaml:4: environments.e.outbox[0].columns.service: "
	    "unknown key");
}

static void
test_too_many_entries(void **state)
{
	char	*yaml;
	size_t	 len, i;

	len = 64 + 300 * 32;
	yaml = malloc(len);
	strlcpy_(yaml, "environments:\n  e:\n    postgres:\n", len);
	for (i = 0; i < 300; i++) {
		snprintf(yaml + strlen(yaml), len - strlen(yaml),
		    "      - name: db%zu\n", i);
	}
	expect_err(yaml, "sitrep.yaml:4: environments.e.postgres: more than "
	    "256 entries");
	free(yaml);
}

/* Lookups ---------------------------------------------------------------- */

static void
test_env_lookup(void **state)
{
	struct config	*cfg;
	struct error	 err;

	assert_non_null(cfg = parse(full_yaml, &err));
	assert_string_equal(config_env(cfg, NULL, &err)->name, "staging");
	assert_string_equal(config_env(cfg, "prod", &err)->name, "prod");
	assert_null(config_env(cfg, "drill", &err));
	assert_string_equal(err.msg, "sitrep.yaml: no environment \"drill\" "
	    "(known: prod, staging)");
	config_free(cfg);

	assert_non_null(cfg = parse("environments:\n  x: {}\n  y: {}\n",
	    &err));
	assert_string_equal(config_env(cfg, NULL, &err)->name, "x");
	assert_null(config_env(cfg, "", &err));
	assert_string_equal(err.msg, "sitrep.yaml: no environment \"\" "
	    "(known: x, y)");
	config_free(cfg);
}

/* Files: search order, loading, secrets ---------------------------------- */

static char	tmpdir[64];
static char	oldcwd[PATH_MAX];

static int
setup_tmp(void **state)
{
	strlcpy_(tmpdir, "/tmp/sitrep-config-XXXXXX", sizeof tmpdir);
	if (mkdtemp(tmpdir) == NULL || getcwd(oldcwd, sizeof oldcwd) == NULL)
		return (-1);
	return (chdir(tmpdir));
}

static int
teardown_tmp(void **state)
{
	char	cmd[128];

	if (chdir(oldcwd) != 0)
		return (-1);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return (system(cmd) == 0 ? 0 : -1);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_search_order(void **state)
{
	char	out[PATH_MAX], home[PATH_MAX], want[PATH_MAX + 64];
	int	etc = access("/etc/sitrep/config.yaml", F_OK) == 0;

	snprintf(home, sizeof home, "%s/home", tmpdir);
	assert_int_equal(mkdir(home, 0700), 0);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("SITREP_CONFIG");
	if (!etc) {
		assert_int_equal(config_find(NULL, out, sizeof out), -1);
		assert_string_equal(out, "");
	}

	/* $HOME/.config, then $XDG_CONFIG_HOME instead of it. */
	assert_int_equal(mkdir("home/.config", 0700), 0);
	assert_int_equal(mkdir("home/.config/sitrep", 0700), 0);
	write_file("home/.config/sitrep/config.yaml", "x", 0600);
	snprintf(want, sizeof want, "%s/.config/sitrep/config.yaml", home);
	assert_int_equal(config_find(NULL, out, sizeof out), 0);
	assert_string_equal(out, want);
	assert_int_equal(mkdir("xdg", 0700), 0);
	assert_int_equal(mkdir("xdg/sitrep", 0700), 0);
	snprintf(want, sizeof want, "%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", want, 1);
	if (!etc)
		assert_int_equal(config_find(NULL, out, sizeof out), -1);
	write_file("xdg/sitrep/config.yaml", "x", 0600);
	assert_int_equal(config_find(NULL, out, sizeof out), 0);
	snprintf(want, sizeof want, "%s/xdg/sitrep/config.yaml", tmpdir);
	assert_string_equal(out, want);
	setenv("XDG_CONFIG_HOME", "relative", 1);	/* ignored */
	assert_int_equal(config_find(NULL, out, sizeof out), 0);
	snprintf(want, sizeof want, "%s/.config/sitrep/config.yaml", home);
	assert_string_equal(out, want);

	/* ./sitrep.yaml comes before both. */
	write_file("sitrep.yaml", "x", 0644);
	assert_int_equal(config_find(NULL, out, sizeof out), 0);
	assert_string_equal(out, "sitrep.yaml");

	/* $SITREP_CONFIG before that, and it must exist. */
	write_file("other.yaml", "x", 0644);
	setenv("SITREP_CONFIG", "other.yaml", 1);
	assert_int_equal(config_find(NULL, out, sizeof out), 0);
	assert_string_equal(out, "other.yaml");
	setenv("SITREP_CONFIG", "missing.yaml", 1);
	assert_int_equal(config_find(NULL, out, sizeof out), -1);
	assert_string_equal(out, "missing.yaml");
	setenv("SITREP_CONFIG", "", 1);		/* empty is unset */
	assert_int_equal(config_find(NULL, out, sizeof out), 0);
	assert_string_equal(out, "sitrep.yaml");

	/* An explicit path beats everything and must exist. */
	setenv("SITREP_CONFIG", "other.yaml", 1);
	assert_int_equal(config_find("xdg/sitrep/config.yaml", out,
	    sizeof out), 0);
	assert_string_equal(out, "xdg/sitrep/config.yaml");
	assert_int_equal(config_find("nope.yaml", out, sizeof out), -1);
	assert_string_equal(out, "nope.yaml");
	assert_int_equal(config_find("xdg", out, sizeof out), -1);
	assert_int_equal(config_find("sitrep.yaml", out, 5), -1);
	unsetenv("SITREP_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
}

static void
test_load_file(void **state)
{
	struct config	*cfg;
	struct error	 err;
	char		 want[PATH_MAX];

	write_file("good.yaml", full_yaml, 0644);
	assert_non_null(cfg = config_load("good.yaml", &err));
	assert_string_equal(cfg->path, "good.yaml");
	assert_int_equal(cfg->nenvs, 2);
	config_free(cfg);
	write_file("bad.yaml", "environments:\n  e:\n    colour: red\n", 0644);
	assert_null(config_load("bad.yaml", &err));
	assert_string_equal(err.msg, "bad.yaml:3: environments.e.colour: "
	    "unknown key; expected production, refresh, postgres, outbox, "
	    "redis, kubernetes, alertmanager, prometheus or health");
	assert_null(config_load("missing.yaml", &err));
	assert_string_equal(err.msg, "missing.yaml: No such file or "
	    "directory");
	snprintf(want, sizeof want, "%s: Is a directory", tmpdir);
	assert_null(config_load(tmpdir, &err));
	assert_string_equal(err.msg, want);
}

static void
test_secret_env(void **state)
{
	struct error	 err;
	char		*s = (char *)"junk";

	assert_int_equal(config_secret(NULL, NULL, &s, &err), 0);
	assert_null(s);
	setenv("SITREP_TEST_SECRET", "hunter2", 1);
	assert_int_equal(config_secret("SITREP_TEST_SECRET", NULL, &s, &err),
	    0);
	assert_string_equal(s, "hunter2");
	free(s);
	/* The variable wins over a file. */
	assert_int_equal(config_secret("SITREP_TEST_SECRET", "/nonexistent",
	    &s, &err), 0);
	assert_string_equal(s, "hunter2");
	free(s);
	setenv("SITREP_TEST_SECRET", "", 1);
	assert_int_equal(config_secret("SITREP_TEST_SECRET", NULL, &s, &err),
	    -1);
	assert_null(s);
	assert_string_equal(err.msg, "$SITREP_TEST_SECRET is empty");
	unsetenv("SITREP_TEST_SECRET");
	assert_int_equal(config_secret("SITREP_TEST_SECRET", NULL, &s, &err),
	    -1);
	assert_string_equal(err.msg, "$SITREP_TEST_SECRET is not set");
}

static void
test_secret_file(void **state)
{
	struct error	 err;
	char		*s, path[PATH_MAX], want[PATH_MAX + 64];

	snprintf(path, sizeof path, "%s/pw", tmpdir);
	write_file(path, "s3cret\n", 0600);
	assert_int_equal(config_secret(NULL, path, &s, &err), 0);
	assert_string_equal(s, "s3cret");
	free(s);
	write_file(path, "s3cret", 0400);
	assert_int_equal(config_secret(NULL, path, &s, &err), 0);
	assert_string_equal(s, "s3cret");
	free(s);
	write_file(path, "with space\r\n", 0600);
	assert_int_equal(config_secret(NULL, path, &s, &err), 0);
	assert_string_equal(s, "with space");
	free(s);
	/* An unset variable falls back to the file. */
	unsetenv("SITREP_TEST_SECRET");
	assert_int_equal(config_secret("SITREP_TEST_SECRET", path, &s, &err),
	    0);
	assert_string_equal(s, "with space");
	free(s);

	/* ~/ is $HOME. */
	setenv("HOME", tmpdir, 1);
	assert_int_equal(config_secret(NULL, "~/pw", &s, &err), 0);
	assert_string_equal(s, "with space");
	free(s);

	write_file(path, "s3cret\n", 0644);
	assert_int_equal(config_secret(NULL, path, &s, &err), -1);
	assert_null(s);
	snprintf(want, sizeof want, "%s is readable by others; chmod 600",
	    path);
	assert_string_equal(err.msg, want);
	write_file(path, "s3cret\n", 0660);
	assert_int_equal(config_secret(NULL, path, &s, &err), -1);
	assert_string_equal(err.msg, want);

	write_file(path, "\n", 0600);
	assert_int_equal(config_secret(NULL, path, &s, &err), -1);
	snprintf(want, sizeof want, "%s is empty", path);
	assert_string_equal(err.msg, want);
	write_file(path, "one\ntwo\n", 0600);
	assert_int_equal(config_secret(NULL, path, &s, &err), -1);
	snprintf(want, sizeof want, "%s: more than one line", path);
	assert_string_equal(err.msg, want);

	assert_int_equal(config_secret(NULL, "/nonexistent/pw", &s, &err),
	    -1);
	assert_string_equal(err.msg, "/nonexistent/pw: No such file or "
	    "directory");
	assert_int_equal(config_secret(NULL, tmpdir, &s, &err), -1);
	snprintf(want, sizeof want, "%s: not a regular file", tmpdir);
	assert_string_equal(err.msg, want);
}

static void
test_config_path(void **state)
{
	struct error	 err;
	char		 out[64], *home = getenv("HOME");
	char		*saved = home != NULL ? strdup(home) : NULL;

	setenv("HOME", "/home/op", 1);
	assert_int_equal(config_path("~/.kube/config", out, sizeof out, &err),
	    0);
	assert_string_equal(out, "/home/op/.kube/config");
	assert_int_equal(config_path("/etc/ssl/ca.pem", out, sizeof out,
	    &err), 0);
	assert_string_equal(out, "/etc/ssl/ca.pem");
	assert_int_equal(config_path("~user/x", out, sizeof out, &err), 0);
	assert_string_equal(out, "~user/x");
	assert_int_equal(config_path("~/x", out, 10, &err), -1);
	assert_string_equal(err.msg, "~/x: path too long");
	unsetenv("HOME");
	assert_int_equal(config_path("~/x", out, sizeof out, &err), -1);
	assert_string_equal(err.msg, "~/x: $HOME is not set");
	if (saved != NULL)
		setenv("HOME", saved, 1);
	free(saved);
}

static void
test_secret_file_too_long(void **state)
{
	struct error	 err;
	char		*s, *big;

	big = malloc(10000);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	write_file("big", big, 0600);
	assert_int_equal(config_secret(NULL, "big", &s, &err), -1);
	assert_string_equal(err.msg, "big: not a password (too long or "
	    "binary)");
	big[4096] = '\0';
	write_file("big", big, 0600);
	assert_int_equal(config_secret(NULL, "big", &s, &err), 0);
	assert_int_equal(strlen(s), 4096);
	free(s);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_error_line_and_key),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_required_keys),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_default_environment),
		cmocka_unit_test(test_outbox_postgres_ref),
		cmocka_unit_test(test_passwords_refused),
		cmocka_unit_test(test_conninfo_syntax),
		cmocka_unit_test(test_redis_urls),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_custom_needs_columns),
		cmocka_unit_test(test_http_full_file),
		cmocka_unit_test(test_http_defaults),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_kubernetes_credentials),
		cmocka_unit_test(test_circuit_presets),
		cmocka_unit_test(test_http_urls),
		cmocka_unit_test(test_http_secrets_refused),
		cmocka_unit_test(test_http_credentials),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_not_a_mapping),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_non_utf8),
		cmocka_unit_test(test_long_strings),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_env_lookup),
		cmocka_unit_test_setup_teardown(test_search_order, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_load_file, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test(test_secret_env),
		cmocka_unit_test_setup_teardown(test_secret_file, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test(test_config_path),
		cmocka_unit_test_setup_teardown(test_secret_file_too_long,
		    setup_tmp, teardown_tmp),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
