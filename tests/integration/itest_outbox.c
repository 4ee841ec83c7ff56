/* itest_outbox.c: the outbox source against the real lab (run by
 * tests/integration/outbox.sh, which creates the tables).  Each case fills
 * a table with rows at fixed offsets from now(), reads it through the
 * source the way the worker does (open, fetch, close on failure) and
 * compares with the ground truth computed in SQL and with the numbers the
 * rows were made to give. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "config.h"
#include "outbox.h"
#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"

static char	 port[16];
static char	 conninfo[256];
static char	 passfile[512];
static PGconn	*admin;		/* sitrep@erp, for filling and ground truth */

/* SQL helpers ------------------------------------------------------------ */

static void
quiet(void *arg, const char *msg)
{
}

static PGconn *
connect_db(const char *db)
{
	char	 ci[512];
	PGconn	*c;

	snprintf(ci, sizeof ci, "host=127.0.0.1 port=%s dbname=%s user=sitrep "
	    "password=%s application_name=itest", port, db,
	    getenv("PG_PASSWORD"));
	c = PQconnectdb(ci);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", db, PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	return (c);
}

static void
exec_on(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);
	int		 st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

static void
exec_sql(const char *sql)
{
	exec_on(admin, sql);
}

/* One row of numbers from the ground-truth query. */
static void
truth(const char *sql, double *v, int n)
{
	PGresult	*r = PQexec(admin, sql);
	int		 i;

	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 ||
	    PQnfields(r) != n)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	for (i = 0; i < n; i++)
		v[i] = strtod(PQgetvalue(r, 0, i), NULL);
	PQclear(r);
}

static int64_t
count_sql(const char *sql)
{
	double	v;

	truth(sql, &v, 1);
	return ((int64_t)v);
}

/* Wait until the connections of earlier cases have gone. */
static void
wait_no_sitrep(void)
{
	int	i;

	for (i = 0; i < 100; i++) {
		if (count_sql("SELECT count(*) FROM pg_stat_activity WHERE "
		    "application_name = 'sitrep'") == 0)
			return;
		usleep(20000);
	}
	fail_msg("sitrep connections left over");
}

/* The configuration, built as config.c would ----------------------------- */

struct lab {
	struct cfg_env		env;
	struct cfg_postgres	pg[2];
	struct cfg_outbox	ob[4];
};

static void
lab_init(struct lab *l, int connect_s, int statement_ms)
{
	memset(l, 0, sizeof *l);
	l->env.name = (char *)"lab";
	l->env.refresh_ms = 1000;
	l->env.pg = l->pg;
	l->env.npg = 1;
	l->env.outbox = l->ob;
	l->pg[0].name = (char *)"lab-primary";
	l->pg[0].conninfo = conninfo;
	l->pg[0].password_file = passfile;
	l->pg[0].connect_timeout_s = connect_s;
	l->pg[0].statement_timeout_ms = statement_ms;
}

/* An outbox with a preset's defaults (config.c's table). */
static struct cfg_outbox *
lab_outbox(struct lab *l, const char *service, const char *preset)
{
	struct cfg_outbox	*o = &l->ob[l->env.noutbox++];

	o->service = (char *)service;
	o->postgres = (char *)"lab-primary";
	o->schema = (char *)"public";
	o->preset = (char *)preset;
	if (strcmp(preset, "masstransit") == 0) {
		o->table = (char *)"OutboxMessage";
		o->cols.id = (char *)"SequenceNumber";
		o->cols.occurred = (char *)"SentTime";
	} else if (strcmp(preset, "outbox-messages") == 0) {
		o->table = (char *)"OutboxMessages";
		o->cols.id = (char *)"Id";
		o->cols.occurred = (char *)"OccurredOn";
		o->cols.processed = (char *)"ProcessedOn";
		o->cols.error = (char *)"Error";
		o->cols.type = (char *)"Type";
	}
	return (o);
}

/* Driving the source as core/source.c's worker does ---------------------- */

struct drv {
	struct store	*store;
	struct source	*src;
	struct snapshot	*snap;
	int		 opened;
	struct error	 err;
	int64_t		 took_ms;
};

static void
drv_new(struct drv *d, const struct cfg_env *env)
{
	memset(d, 0, sizeof *d);
	d->src = outbox_source_new(env, &d->err);
	if (d->src == NULL)
		fail_msg("outbox_source_new: %s", d->err.msg);
	assert_string_equal(d->src->cls->name, "outbox");
	assert_int_equal(d->src->kinds, 1u << SNAP_OUTBOX);
	assert_int_equal(d->src->interval_ms, env->refresh_ms);
	d->store = store_new();
	d->src->store = d->store;
}

/* open if needed, fetch, close after a failed fetch.  0 or -1 (d->err). */
static int
drv_attempt(struct drv *d)
{
	int64_t	t0 = mono_ms();
	int	rc = 0;

	d->err.msg[0] = '\0';
	if (!d->opened) {
		if (d->src->cls->open(d->src, &d->err) == 0)
			d->opened = 1;
		else
			rc = -1;
	}
	if (rc == 0 && d->src->cls->fetch(d->src, &d->err) != 0) {
		d->src->cls->close(d->src);
		d->opened = 0;
		rc = -1;
	}
	d->took_ms = mono_ms() - t0;
	return (rc);
}

/* A successful attempt; its snapshot's data. */
static const struct outbox_data *
drv_fetch(struct drv *d)
{
	struct source_status	st;

	if (drv_attempt(d) != 0)
		fail_msg("fetch failed: %s", d->err.msg);
	if (d->snap != NULL)
		snapshot_unref(d->snap);
	d->snap = store_get(d->store, SNAP_OUTBOX, &st);
	assert_non_null(d->snap);
	assert_true(d->snap->fetched_ms >= now_ms() - d->took_ms - 1000);
	return (&d->snap->u.outbox);
}

static void
drv_free(struct drv *d)
{
	if (d->opened)
		d->src->cls->close(d->src);
	assert_int_equal(source_stop(d->src, 0), 0);
	if (d->snap != NULL)
		snapshot_unref(d->snap);
	store_free(d->store);
}

static const struct outbox *
row(const struct outbox_data *data, const char *service)
{
	int	i;

	for (i = 0; i < data->n; i++)
		if (strcmp(data->rows[i].service, service) == 0)
			return (&data->rows[i]);
	fail_msg("no outbox row %s", service);
	return (NULL);
}

static void
assert_near(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("got %.3f, want %.3f +- %.1f", got, want, tol);
}

static void
assert_contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* The figures equal the ground truth (pending, oldest, failed, 1m, 5m). */
static void
assert_truth(const struct outbox *o, const double *t)
{
	assert_string_equal(o->error, "");
	assert_int_equal(o->pending, (int64_t)t[0]);
	assert_near(o->oldest_age_s, t[1], 2);
	assert_int_equal(o->failed, (int64_t)t[2]);
	assert_int_equal(o->processed_1m, (int64_t)t[3]);
	assert_int_equal(o->processed_5m, (int64_t)t[4]);
}

/* The platform's table --------------------------------------------------- */

/* Written the plain way, not as the source's query. */
static const char truth_sql[] =
    "SELECT count(*) FILTER (WHERE \"ProcessedOn\" IS NULL), "
    "coalesce(extract(epoch FROM now() - min(\"OccurredOn\") "
    "FILTER (WHERE \"ProcessedOn\" IS NULL)), 0), "
    "count(*) FILTER (WHERE \"Error\" IS NOT NULL "
    "AND \"ProcessedOn\" IS NULL), "
    "count(*) FILTER (WHERE \"ProcessedOn\" > now() - interval '60 s'), "
    "count(*) FILTER (WHERE \"ProcessedOn\" > now() - interval '300 s') "
    "FROM \"OutboxMessages\"";

/* 50 pending (1 to 50 minutes old), 7 failed and pending (2 hours + 1..7
 * s), 40 processed 5, 15, ..., 395 s ago (no value near the 60 s and 300 s
 * edges: 6 in the last minute, 30 in five), 1000 processed days ago, 3
 * with an error but processed since. */
static const char mix_sql[] =
    "TRUNCATE \"OutboxMessages\";"
    "INSERT INTO \"OutboxMessages\" SELECT gen_random_uuid(), 'OrderPlaced', "
    "'{}', now() - g * interval '60 s', NULL, NULL "
    "FROM generate_series(1, 50) g;"
    "INSERT INTO \"OutboxMessages\" SELECT gen_random_uuid(), 'Invoice', "
    "'{}', now() - interval '2 h' - g * interval '1 s', NULL, 'broker down' "
    "FROM generate_series(1, 7) g;"
    "INSERT INTO \"OutboxMessages\" SELECT gen_random_uuid(), 'OrderPlaced', "
    "'{}', now() - interval '1 h', now() - (g * 10 + 5) * interval '1 s', "
    "NULL FROM generate_series(0, 39) g;"
    "INSERT INTO \"OutboxMessages\" SELECT gen_random_uuid(), 'Old', '{}', "
    "now() - interval '4 days', now() - interval '3 days' - g * "
    "interval '1 min', NULL FROM generate_series(1, 1000) g;"
    "INSERT INTO \"OutboxMessages\" SELECT gen_random_uuid(), 'Retried', "
    "'{}', now() - interval '3 days', now() - interval '2 days', 'timeout' "
    "FROM generate_series(1, 3) g;"
    "ANALYZE \"OutboxMessages\"";

static void
test_figures_match_ground_truth(void **state)
{
	const struct outbox_data	*data;
	const struct outbox		*o;
	struct lab			 l;
	struct drv			 d;
	double				 t[5];

	lab_init(&l, 3, 2000);
	lab_outbox(&l, "finance", "outbox-messages");
	exec_sql(mix_sql);
	drv_new(&d, &l.env);
	data = drv_fetch(&d);
	truth(truth_sql, t, 5);
	assert_int_equal(data->n, 1);
	o = &data->rows[0];
	assert_string_equal(o->service, "finance");
	assert_string_equal(o->database, "erp");
	assert_truth(o, t);
	/* And the numbers the rows were made for. */
	assert_int_equal(o->pending, 57);
	assert_near(o->oldest_age_s, 7207, 2);
	assert_int_equal(o->failed, 7);
	assert_int_equal(o->processed_1m, 6);
	assert_int_equal(o->processed_5m, 30);
	assert_int_equal(o->nhist, 1);
	assert_near(o->hist[0], 57, 0);
	assert_true(d.took_ms < 1000);
	/* The trend grows by one sample per refresh. */
	o = &drv_fetch(&d)->rows[0];
	assert_int_equal(o->nhist, 2);
	assert_near(o->hist[1], 57, 0);
	drv_free(&d);
}

static void
test_oldest_pending_age(void **state)
{
	const struct outbox	*o;
	struct lab		 l;
	struct drv		 d;

	lab_init(&l, 3, 2000);
	lab_outbox(&l, "finance", "outbox-messages");
	/* Older rows that are processed do not count. */
	exec_sql("TRUNCATE \"OutboxMessages\";"
	    "INSERT INTO \"OutboxMessages\" VALUES "
	    "(gen_random_uuid(), 'A', '{}', now() - interval '1234 s', NULL, "
	    "NULL), (gen_random_uuid(), 'A', '{}', now() - interval '10 s', "
	    "NULL, NULL), (gen_random_uuid(), 'A', '{}', now() - interval "
	    "'99999 s', now() - interval '90000 s', NULL)");
	drv_new(&d, &l.env);
	o = &drv_fetch(&d)->rows[0];
	assert_int_equal(o->pending, 2);
	assert_near(o->oldest_age_s, 1234, 2);
	/* Ages move with the clock. */
	sleep(2);
	o = &drv_fetch(&d)->rows[0];
	assert_near(o->oldest_age_s, 1236, 1.5);
	/* Nothing pending: no oldest. */
	exec_sql("UPDATE \"OutboxMessages\" SET \"ProcessedOn\" = now() "
	    "WHERE \"ProcessedOn\" IS NULL");
	o = &drv_fetch(&d)->rows[0];
	assert_int_equal(o->pending, 0);
	assert_near(o->oldest_age_s, 0, 0);
	assert_int_equal(o->processed_1m, 2);
	drv_free(&d);
}

static void
test_marking_processed_is_followed(void **state)
{
	const struct outbox	*o;
	struct lab		 l;
	struct drv		 d;
	double			 t[5];

	lab_init(&l, 3, 2000);
	lab_outbox(&l, "finance", "outbox-messages");
	exec_sql(mix_sql);
	drv_new(&d, &l.env);
	o = &drv_fetch(&d)->rows[0];
	assert_int_equal(o->pending, 57);
	/* The failed ones are retried and the ten oldest others go out. */
	exec_sql("UPDATE \"OutboxMessages\" SET \"ProcessedOn\" = now() "
	    "WHERE \"ProcessedOn\" IS NULL AND (\"Error\" IS NOT NULL OR "
	    "\"OccurredOn\" < now() - interval '40 min' - interval '30 s')");
	o = &drv_fetch(&d)->rows[0];
	truth(truth_sql, t, 5);
	assert_truth(o, t);
	assert_int_equal(o->pending, 40);
	assert_int_equal(o->failed, 0);
	assert_int_equal(o->processed_1m, 6 + 17);
	assert_int_equal(o->processed_5m, 30 + 17);
	assert_near(o->oldest_age_s, 2400, 2);
	assert_int_equal(o->nhist, 2);
	assert_near(o->hist[0], 57, 0);
	assert_near(o->hist[1], 40, 0);
	/* New messages arrive. */
	exec_sql("INSERT INTO \"OutboxMessages\" SELECT gen_random_uuid(), "
	    "'N', '{}', now(), NULL, NULL FROM generate_series(1, 25)");
	o = &drv_fetch(&d)->rows[0];
	assert_int_equal(o->pending, 65);
	drv_free(&d);
}

/* MassTransit ------------------------------------------------------------ */

static void
fill_masstransit(const char *table, int n)
{
	char	sql[1024];

	/* SentTime holds UTC in a column without a time zone; the session
	 * of erp is in Asia/Kolkata (outbox.sh), so a source that did not
	 * set UTC would be 5.5 hours off. */
	snprintf(sql, sizeof sql, "TRUNCATE \"%s\";"
	    "INSERT INTO \"%s\" (\"SentTime\", \"MessageId\", \"ContentType\", "
	    "\"MessageType\", \"Body\") SELECT (now() AT TIME ZONE 'UTC') - "
	    "g * interval '10 s', gen_random_uuid(), 'application/json', "
	    "'urn:message:Orders:OrderPlaced', '{}' "
	    "FROM generate_series(1, %d) g", table, table, n);
	exec_sql(sql);
}

static void
test_masstransit_preset(void **state)
{
	const struct outbox_data	*data;
	const struct outbox		*o;
	struct cfg_outbox		*ob;
	struct lab			 l;
	struct drv			 d;
	double				 age;

	lab_init(&l, 3, 2000);
	lab_outbox(&l, "orders", "masstransit");
	ob = lab_outbox(&l, "billing", "masstransit");
	ob->table = (char *)"OutboxMessageErr";
	ob->cols.error = (char *)"LastError";
	fill_masstransit("OutboxMessage", 25);
	fill_masstransit("OutboxMessageErr", 12);
	exec_sql("UPDATE \"OutboxMessageErr\" SET \"LastError\" = 'x' "
	    "WHERE \"SequenceNumber\" % 3 = 0");
	drv_new(&d, &l.env);
	data = drv_fetch(&d);
	assert_int_equal(data->n, 2);
	o = row(data, "orders");
	assert_string_equal(o->error, "");
	assert_int_equal(o->pending, 25);
	assert_int_equal(count_sql("SELECT count(*) FROM \"OutboxMessage\""),
	    25);
	truth("SELECT extract(epoch FROM (now() AT TIME ZONE 'UTC') - "
	    "min(\"SentTime\")) FROM \"OutboxMessage\"", &age, 1);
	assert_near(o->oldest_age_s, age, 2);
	assert_near(o->oldest_age_s, 250, 2);
	assert_int_equal(o->failed, 0);
	assert_int_equal(o->processed_1m, -1);
	assert_int_equal(o->processed_5m, -1);
	/* With an error column, failed counts the rows that have one. */
	o = row(data, "billing");
	assert_string_equal(o->error, "");
	assert_int_equal(o->pending, 12);
	assert_int_equal(o->failed, 4);
	assert_int_equal(o->processed_1m, -1);
	/* MassTransit deletes what it delivered. */
	exec_sql("DELETE FROM \"OutboxMessage\" WHERE \"SequenceNumber\" IN "
	    "(SELECT \"SequenceNumber\" FROM \"OutboxMessage\" "
	    "ORDER BY \"SentTime\" LIMIT 20)");
	o = row(drv_fetch(&d), "orders");
	assert_int_equal(o->pending, 5);
	assert_near(o->oldest_age_s, 50, 2);
	drv_free(&d);
}

/* A custom mapping, a database override, one connection per database ---- */

static void
test_custom_mapping(void **state)
{
	const struct outbox_data	*data;
	const struct outbox		*o;
	struct cfg_outbox		*ob;
	struct lab			 l;
	struct drv			 d;
	PGconn				*erp2 = connect_db("erp2");

	/* 12 pending (3 of them failed, the oldest 600 s), 5 published 30 s
	 * ago, 8 published 200 s ago. */
	exec_on(erp2, "TRUNCATE ops.\"Event \"\"Outbox\"\" 1\";"
	    "INSERT INTO ops.\"Event \"\"Outbox\"\" 1\" (created_at, "
	    "published_at, last_error) SELECT now() - g * interval '50 s', "
	    "NULL, CASE WHEN g > 9 THEN 'nack' END "
	    "FROM generate_series(1, 12) g;"
	    "INSERT INTO ops.\"Event \"\"Outbox\"\" 1\" (created_at, "
	    "published_at) SELECT now() - interval '1 h', now() - interval "
	    "'30 s' FROM generate_series(1, 5);"
	    "INSERT INTO ops.\"Event \"\"Outbox\"\" 1\" (created_at, "
	    "published_at) SELECT now() - interval '1 h', now() - interval "
	    "'200 s' FROM generate_series(1, 8)");
	exec_sql(mix_sql);
	wait_no_sitrep();
	lab_init(&l, 3, 2000);
	lab_outbox(&l, "finance", "outbox-messages");
	lab_outbox(&l, "orders", "masstransit");
	ob = lab_outbox(&l, "events", "custom");
	ob->dbname = (char *)"erp2";
	ob->schema = (char *)"ops";
	ob->table = (char *)"Event \"Outbox\" 1";
	ob->cols.id = (char *)"event_id";
	ob->cols.occurred = (char *)"created_at";
	ob->cols.processed = (char *)"published_at";
	ob->cols.error = (char *)"last_error";
	drv_new(&d, &l.env);
	data = drv_fetch(&d);
	assert_int_equal(data->n, 3);
	o = row(data, "events");
	assert_string_equal(o->error, "");
	assert_string_equal(o->database, "erp2");
	assert_int_equal(o->pending, 12);
	assert_near(o->oldest_age_s, 600, 2);
	assert_int_equal(o->failed, 3);
	assert_int_equal(o->processed_1m, 5);
	assert_int_equal(o->processed_5m, 13);
	assert_int_equal(row(data, "finance")->pending, 57);
	assert_string_equal(row(data, "orders")->error, "");
	/* erp's two outboxes share a connection: two in all. */
	assert_int_equal(count_sql("SELECT count(*) FROM pg_stat_activity "
	    "WHERE application_name = 'sitrep'"), 2);
	assert_int_equal(count_sql("SELECT count(DISTINCT datname) FROM "
	    "pg_stat_activity WHERE application_name = 'sitrep'"), 2);
	drv_free(&d);
	PQfinish(erp2);
}

/* Configuration errors --------------------------------------------------- */

static void
test_missing_table(void **state)
{
	const struct outbox_data	*data;
	const struct outbox		*o;
	struct cfg_outbox		*ob;
	struct lab			 l;
	struct drv			 d;

	exec_sql("DROP TABLE IF EXISTS \"LateOutbox\"");
	lab_init(&l, 3, 2000);
	ob = lab_outbox(&l, "ghost", "outbox-messages");
	ob->table = (char *)"LateOutbox";
	/* Alone, it fails the source, naming the key. */
	drv_new(&d, &l.env);
	assert_int_equal(drv_attempt(&d), -1);
	assert_string_equal(d.err.msg, "outbox[ghost].table: table "
	    "public.\"LateOutbox\" not found");
	drv_free(&d);
	/* Beside a good one, it is that row's error. */
	lab_outbox(&l, "finance", "outbox-messages");
	exec_sql(mix_sql);
	drv_new(&d, &l.env);
	data = drv_fetch(&d);
	o = row(data, "ghost");
	assert_string_equal(o->error, "outbox[ghost].table: table "
	    "public.\"LateOutbox\" not found");
	assert_int_equal(o->pending, -1);
	assert_int_equal(o->nhist, 0);
	assert_int_equal(row(data, "finance")->pending, 57);
	/* Once the migration ran, the next refresh reads it. */
	exec_sql("CREATE TABLE \"LateOutbox\" (LIKE \"OutboxMessages\")");
	o = row(drv_fetch(&d), "ghost");
	assert_string_equal(o->error, "");
	assert_int_equal(o->pending, 0);
	/* A schema that does not exist is the same. */
	drv_free(&d);
	ob->schema = (char *)"Nowhere";
	drv_new(&d, &l.env);
	o = row(drv_fetch(&d), "ghost");
	assert_string_equal(o->error, "outbox[ghost].table: table "
	    "\"Nowhere\".\"LateOutbox\" not found");
	drv_free(&d);
	exec_sql("DROP TABLE \"LateOutbox\"");
}

/* The source fails with this error (exact, or a part of it). */
static void
expect_error(struct lab *l, const char *want, int exact)
{
	struct drv	d;

	drv_new(&d, &l->env);
	assert_int_equal(drv_attempt(&d), -1);
	if (exact)
		assert_string_equal(d.err.msg, want);
	else
		assert_contains(d.err.msg, want);
	drv_free(&d);
}

static void
test_missing_column(void **state)
{
	struct cfg_outbox	*ob;
	struct lab		 l;
	struct drv		 d;

	lab_init(&l, 3, 2000);
	ob = lab_outbox(&l, "finance", "outbox-messages");
	ob->cols.processed = (char *)"ProcessedAt";
	expect_error(&l, "outbox[finance].columns.processed: column "
	    "\"ProcessedAt\" not found in public.\"OutboxMessages\"", 1);
	ob->cols.processed = (char *)"ProcessedOn";
	ob->cols.error = (char *)"error";	/* case matters */
	expect_error(&l, "outbox[finance].columns.error: column "
	    "\"error\" not found in public.\"OutboxMessages\"", 1);
	ob->cols.error = (char *)"Error";
	ob->cols.type = (char *)"MessageType";
	expect_error(&l, "outbox[finance].columns.type: column "
	    "\"MessageType\" not found in public.\"OutboxMessages\"", 1);
	ob->cols.type = (char *)"Type";
	ob->cols.occurred = (char *)"Content";
	expect_error(&l, "outbox[finance].columns.occurred: column "
	    "\"Content\" of public.\"OutboxMessages\" is text, not a "
	    "timestamp", 1);
	ob->cols.occurred = (char *)"OccurredOn";
	/* A column dropped under a running source: the query fails, and
	 * the next refresh says which key. */
	exec_sql("CREATE TABLE \"ShrinkingOutbox\" (LIKE \"OutboxMessages\")");
	ob->table = (char *)"ShrinkingOutbox";
	drv_new(&d, &l.env);
	assert_int_equal(drv_fetch(&d)->rows[0].pending, 0);
	exec_sql("ALTER TABLE \"ShrinkingOutbox\" DROP COLUMN \"Error\"");
	assert_int_equal(drv_attempt(&d), -1);
	assert_contains(d.err.msg, "query: column \"Error\" does not exist");
	assert_int_equal(drv_attempt(&d), -1);
	assert_string_equal(d.err.msg, "outbox[finance].columns.error: column "
	    "\"Error\" not found in public.\"ShrinkingOutbox\"");
	drv_free(&d);
	exec_sql("DROP TABLE \"ShrinkingOutbox\"");
}

static void
test_no_privilege(void **state)
{
	struct lab	l;
	char		ci[256];

	setenv("ITEST_NOMON_PW", getenv("NOMON_PASSWORD"), 1);
	snprintf(ci, sizeof ci, "host=127.0.0.1 port=%s dbname=erp user=nomon",
	    port);
	lab_init(&l, 3, 2000);
	l.pg[0].conninfo = ci;
	l.pg[0].password_file = NULL;
	l.pg[0].password_env = (char *)"ITEST_NOMON_PW";
	lab_outbox(&l, "finance", "outbox-messages");
	expect_error(&l, "outbox[finance].table: no privilege on "
	    "public.\"OutboxMessages\" (GRANT SELECT to nomon)", 1);
	/* A wrong password is the server's word, with the server's name. */
	setenv("ITEST_NOMON_PW", "wrong", 1);
	expect_error(&l, "postgres lab-primary: connection to server at "
	    "\"127.0.0.1\", port ", 0);
	expect_error(&l, "password authentication failed for user \"nomon\"",
	    0);
	/* A named variable that is not set is an error of its own. */
	unsetenv("ITEST_NOMON_PW");
	expect_error(&l, "postgres lab-primary: password: $ITEST_NOMON_PW is "
	    "not set", 1);
}

/* Failures of the server ------------------------------------------------- */

static void
run(const char *var)
{
	const char	*cmd = getenv(var);

	if (cmd == NULL)
		fail_msg("$%s is not set (run through outbox.sh)", var);
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
}

static void
test_server_down_and_recovery(void **state)
{
	const struct outbox	*o;
	struct lab		 l;
	struct drv		 d;

	lab_init(&l, 3, 2000);
	lab_outbox(&l, "finance", "outbox-messages");
	lab_outbox(&l, "orders", "masstransit");
	exec_sql(mix_sql);
	drv_new(&d, &l.env);
	assert_int_equal(drv_fetch(&d)->rows[0].pending, 57);
	PQfinish(admin);
	admin = NULL;
	run("OUTBOX_PG_STOP");
	/* The connection is gone: the source fails, naming the server. */
	assert_int_equal(drv_attempt(&d), -1);
	assert_contains(d.err.msg, "(and 1 more outboxes unreadable)");
	assert_true(d.took_ms < 3000);
	/* Reopening is refused while it is down. */
	assert_int_equal(drv_attempt(&d), -1);
	assert_contains(d.err.msg, "postgres lab-primary: connection to "
	    "server");
	assert_contains(d.err.msg, "Connection refused");
	assert_true(d.took_ms < 3000);
	run("OUTBOX_PG_START");
	admin = connect_db("erp");
	o = &drv_fetch(&d)->rows[0];
	assert_string_equal(o->error, "");
	assert_int_equal(o->pending, 57);
	/* The trend kept its samples across the outage. */
	assert_int_equal(o->nhist, 2);
	drv_free(&d);
}

static pid_t
sitrep_backend(void)
{
	return ((pid_t)count_sql("SELECT pid FROM pg_stat_activity WHERE "
	    "application_name = 'sitrep'"));
}

/* The table is locked: the server cancels at statement_timeout. */
static void
test_locked_table_times_out(void **state)
{
	const struct outbox	*o;
	struct lab		 l;
	struct drv		 d;
	PGconn			*locker = connect_db("erp");

	lab_init(&l, 3, 1000);
	lab_outbox(&l, "finance", "outbox-messages");
	exec_sql(mix_sql);
	drv_new(&d, &l.env);
	assert_int_equal(drv_fetch(&d)->rows[0].pending, 57);
	exec_on(locker, "BEGIN; LOCK TABLE \"OutboxMessages\" IN ACCESS "
	    "EXCLUSIVE MODE");
	assert_int_equal(drv_attempt(&d), -1);
	assert_string_equal(d.err.msg, "query: canceling statement due to "
	    "statement timeout");
	assert_true(d.took_ms >= 900 && d.took_ms <= 2000);
	/* A fresh connection checks the table first: no hang either. */
	drv_free(&d);
	drv_new(&d, &l.env);
	assert_int_equal(drv_attempt(&d), -1);
	assert_contains(d.err.msg, "statement timeout");
	assert_true(d.took_ms <= 2000 + 1000);
	exec_on(locker, "ROLLBACK");
	o = &drv_fetch(&d)->rows[0];
	assert_int_equal(o->pending, 57);
	drv_free(&d);
	PQfinish(locker);
}

/* The server stops answering mid-query (its backend is stopped): the
 * client gives up at statement_timeout + 1 s, cancels and reconnects. */
static void
test_unresponsive_backend(void **state)
{
	struct lab	l;
	struct drv	d;
	pid_t		pid;
	char		sql[160];

	lab_init(&l, 3, 1000);
	lab_outbox(&l, "finance", "outbox-messages");
	exec_sql(mix_sql);
	wait_no_sitrep();
	drv_new(&d, &l.env);
	assert_int_equal(drv_fetch(&d)->rows[0].pending, 57);
	pid = sitrep_backend();
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	assert_int_equal(drv_attempt(&d), -1);
	kill(pid, SIGCONT);
	assert_string_equal(d.err.msg, "query: no answer within 2.0 s "
	    "(statement_timeout + 1 s); cancelled");
	assert_true(d.took_ms >= 1900 && d.took_ms <= 2500);
	/* A new connection serves the next refresh. */
	assert_int_equal(drv_fetch(&d)->rows[0].pending, 57);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity "
	    "WHERE application_name = 'sitrep' AND pid <> %ld", (long)pid);
	assert_int_equal(count_sql(sql), 1);
	drv_free(&d);
}

static pid_t
postmaster_pid(void)
{
	char	path[600];
	FILE	*f;
	long	pid = 0;

	snprintf(path, sizeof path, "%s/pg-primary/postmaster.pid",
	    getenv("LAB_DIR"));
	if ((f = fopen(path, "r")) == NULL || fscanf(f, "%ld", &pid) != 1)
		fail_msg("cannot read %s", path);
	fclose(f);
	return ((pid_t)pid);
}

/* A server that accepts the TCP connection and then says nothing: the
 * connect gives up at connect_timeout. */
static void
test_connect_times_out(void **state)
{
	struct lab	l;
	struct drv	d;
	pid_t		pm = postmaster_pid();

	lab_init(&l, 1, 1000);
	lab_outbox(&l, "finance", "outbox-messages");
	drv_new(&d, &l.env);
	assert_int_equal(kill(pm, SIGSTOP), 0);
	assert_int_equal(drv_attempt(&d), -1);
	kill(pm, SIGCONT);
	assert_string_equal(d.err.msg, "postgres lab-primary: connect: no "
	    "answer within 1 s");
	assert_true(d.took_ms >= 900 && d.took_ms <= 1500);
	assert_string_equal(drv_fetch(&d)->rows[0].error, "");
	drv_free(&d);
}

/* The wiring ------------------------------------------------------------- */

static void
test_from_configuration_file(void **state)
{
	char			 yaml[2048];
	struct config		*cfg;
	const struct cfg_env	*env;
	const struct outbox_data *data;
	struct error		 err;
	struct drv		 d;

	snprintf(yaml, sizeof yaml,
	    "environments:\n"
	    "  lab:\n"
	    "    refresh: 1500ms\n"
	    "    postgres:\n"
	    "      - name: lab-primary\n"
	    "        conninfo: \"%s\"\n"
	    "        password_file: %s\n"
	    "    outbox:\n"
	    "      - service: finance\n"
	    "        postgres: lab-primary\n"
	    "      - service: orders\n"
	    "        postgres: lab-primary\n"
	    "        preset: masstransit\n", conninfo, passfile);
	if ((cfg = config_parse(yaml, strlen(yaml), "lab.yaml", &err)) == NULL)
		fail_msg("%s", err.msg);
	env = config_env(cfg, NULL, &err);
	assert_non_null(env);
	exec_sql(mix_sql);
	fill_masstransit("OutboxMessage", 3);
	drv_new(&d, env);
	config_free(cfg);	/* the source keeps copies */
	assert_int_equal(d.src->interval_ms, 1500);
	data = drv_fetch(&d);
	assert_int_equal(row(data, "finance")->pending, 57);
	assert_int_equal(row(data, "orders")->pending, 3);
	drv_free(&d);
}

static void
test_no_outboxes(void **state)
{
	struct lab	l;
	struct error	err;

	lab_init(&l, 3, 2000);
	strlcpy_(err.msg, "junk", sizeof err.msg);
	assert_null(outbox_source_new(&l.env, &err));
	assert_string_equal(err.msg, "");
	lab_outbox(&l, "finance", "outbox-messages")->postgres =
	    (char *)"nope";
	assert_null(outbox_source_new(&l.env, &err));
	assert_string_equal(err.msg, "outbox[finance].postgres: no postgres "
	    "entry named \"nope\"");
}

static int
setup(void **state)
{
	const char	*p = getenv("PG_PRIMARY_PORT");
	const char	*dir = getenv("LAB_DIR");

	if (p == NULL || dir == NULL || getenv("PG_PASSWORD") == NULL) {
		fprintf(stderr, "run through tests/integration/outbox.sh\n");
		return (-1);
	}
	strlcpy_(port, p, sizeof port);
	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%s dbname=erp "
	    "user=sitrep", port);
	snprintf(passfile, sizeof passfile, "%s/pg.pass", dir);
	admin = connect_db("erp");
	return (0);
}

static int
teardown(void **state)
{
	if (admin != NULL)
		PQfinish(admin);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures_match_ground_truth),
		cmocka_unit_test(test_oldest_pending_age),
		cmocka_unit_test(test_marking_processed_is_followed),
		cmocka_unit_test(test_masstransit_preset),
		cmocka_unit_test(test_custom_mapping),
		cmocka_unit_test(test_missing_table),
		cmocka_unit_test(test_missing_column),
		cmocka_unit_test(test_no_privilege),
		cmocka_unit_test(test_server_down_and_recovery),
		cmocka_unit_test(test_locked_table_times_out),
		cmocka_unit_test(test_unresponsive_backend),
		cmocka_unit_test(test_connect_times_out),
		cmocka_unit_test(test_from_configuration_file),
		cmocka_unit_test(test_no_outboxes),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
