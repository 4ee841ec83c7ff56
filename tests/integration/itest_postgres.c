/* itest_postgres.c: the PostgreSQL source against the real lab
 * (tests/lab/lab.sh: a PostgreSQL primary and a streaming standby, run
 * by tests/integration/postgres.sh).  The environment comes from the lab's
 * env file: PG_PRIMARY_PORT, PG_STANDBY_PORT, PG_PASSWORD, NOMON_PASSWORD,
 * LAB_DIR, PGBIN, LAB_USER.  The source class is driven directly (fetch,
 * close, source_stop) with a store, and the snapshot read back.  The cases
 * run in order: the destructive ones (silence, restarts, primary lost,
 * promotion) come last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "config.h"
#include "postgres.h"
#include "snapshot.h"
#include "source.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

#define WRONG_PW	"not-the-password-4711"

/* One server of a hand-built environment. */
struct srv {
	char	name[32];
	char	conninfo[160];
	char	pwenv[32];
	char	pwfile[160];
};

struct env {
	struct srv		s[4];
	struct cfg_postgres	pg[4];
	struct cfg_env		env;
};

/* A source being driven by hand. */
struct drv {
	struct store	*store;
	struct source	*src;
	struct error	 err;
	int		 rc;		/* the last fetch */
	struct snapshot	*snap;		/* the last good snapshot */
};

static const char *primary_port, *standby_port;

/* Helpers: configuration ------------------------------------------------- */

static const char *
need(const char *var)
{
	const char	*v = getenv(var);

	if (v == NULL || *v == '\0')
		fail_msg("$%s is not set (run tests/integration/postgres.sh)",
		    var);
	return (v);
}

/* Add a server: port, user; pwenv names the password variable (NULL: the
 * lab's password file). */
static struct cfg_postgres *
env_add(struct env *e, const char *name, const char *port, const char *user,
    const char *pwenv)
{
	int			 i = e->env.npg++;
	struct srv		*s = &e->s[i];
	struct cfg_postgres	*c = &e->pg[i];

	memset(c, 0, sizeof *c);
	snprintf(s->name, sizeof s->name, "%s", name);
	snprintf(s->conninfo, sizeof s->conninfo,
	    "host=127.0.0.1 port=%s dbname=erp user=%s", port, user);
	c->name = s->name;
	c->conninfo = s->conninfo;
	if (pwenv != NULL) {
		snprintf(s->pwenv, sizeof s->pwenv, "%s", pwenv);
		c->password_env = s->pwenv;
	} else {
		snprintf(s->pwfile, sizeof s->pwfile, "%s/pg.pass",
		    need("LAB_DIR"));
		c->password_file = s->pwfile;
	}
	c->connect_timeout_s = 3;
	c->statement_timeout_ms = 2000;
	e->env.pg = e->pg;
	e->env.refresh_ms = 1000;
	return (c);
}

/* The lab as its sitrep.yaml describes it. */
static void
env_lab(struct env *e)
{
	memset(e, 0, sizeof *e);
	env_add(e, "lab-primary", primary_port, "sitrep", "PG_PASSWORD");
	env_add(e, "lab-standby", standby_port, "sitrep", NULL);
}

/* Helpers: driving the source -------------------------------------------- */

static void
drv_open(struct drv *d, struct env *e)
{
	memset(d, 0, sizeof *d);
	d->src = postgres_source_new(&e->env, &d->err);
	if (d->src == NULL)
		fail_msg("postgres_source_new: %s", d->err.msg);
	assert_int_equal(d->src->kinds, 1u << SNAP_REPLICATION);
	assert_int_equal(d->src->interval_ms, 1000);
	d->store = store_new();
	d->src->store = d->store;
	if (d->src->cls->open != NULL)
		assert_int_equal(d->src->cls->open(d->src, &d->err), 0);
}

static struct repl_data *
drv_fetch(struct drv *d)
{
	d->err.msg[0] = '\0';
	d->rc = d->src->cls->fetch(d->src, &d->err);
	snapshot_unref(d->snap);
	d->snap = store_get(d->store, SNAP_REPLICATION, NULL);
	return (d->snap != NULL ? &d->snap->u.repl : NULL);
}

static void
drv_close(struct drv *d)
{
	if (d->src->cls->close != NULL)
		d->src->cls->close(d->src);
	assert_int_equal(source_stop(d->src, 0), 0);
	snapshot_unref(d->snap);
	store_free(d->store);
}

static const struct pg_server *
server(const struct repl_data *r, const char *name)
{
	int	i;

	for (i = 0; r != NULL && i < r->nservers; i++)
		if (strcmp(r->servers[i].name, name) == 0)
			return (&r->servers[i]);
	fail_msg("no server %s in the snapshot", name);
	return (NULL);
}

static const struct standby *
standby_row(const struct repl_data *r, const char *name)
{
	int	i;

	for (i = 0; i < r->nstandbys; i++)
		if (strcmp(r->standbys[i].name, name) == 0)
			return (&r->standbys[i]);
	return (NULL);
}

static const struct repl_slot *
slot_row(const struct repl_data *r, const char *name)
{
	int	i;

	for (i = 0; i < r->nslots; i++)
		if (strcmp(r->slots[i].name, name) == 0)
			return (&r->slots[i]);
	fail_msg("no slot %s", name);
	return (NULL);
}

typedef int (*repl_pred)(const struct repl_data *);

/* Fetch every 250 ms until pred holds; the ms it took, or fail. */
static int64_t
drv_until(struct drv *d, repl_pred pred, int timeout_ms, const char *what)
{
	int64_t			 start = mono_ms();
	struct repl_data	*r;

	for (;;) {
		r = drv_fetch(d);
		if (d->rc == 0 && r != NULL && pred(r))
			return (mono_ms() - start);
		if (mono_ms() - start > timeout_ms)
			fail_msg("not within %d ms: %s (last error: %s)",
			    timeout_ms, what, d->err.msg);
		usleep(250000);
	}
}

/* Helpers: the lab ------------------------------------------------------- */

/* SQL as the superuser on a port; the first value into out. */
static void
lab_sql(const char *port, const char *sql, char *out, size_t len)
{
	char		 ci[128];
	PGconn		*c;
	PGresult	*r;

	snprintf(ci, sizeof ci, "host=127.0.0.1 port=%s user=postgres "
	    "dbname=erp connect_timeout=5", port);
	c = PQconnectdb(ci);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("lab_sql %s: %s", port, PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("lab_sql %s: %s", sql, PQresultErrorMessage(r));
	if (out != NULL)
		snprintf(out, len, "%s", PQntuples(r) > 0 && PQnfields(r) > 0 ?
		    PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
}

static long
lab_num(const char *port, const char *sql)
{
	char	buf[64];

	lab_sql(port, sql, buf, sizeof buf);
	return (strtol(buf, NULL, 10));
}

/* pg_ctl ARGS on a data directory (pg-primary, pg-standby) as the lab
 * user. */
static void
lab_ctl(const char *dir, const char *args)
{
	char	cmd[512];
	int	root = geteuid() == 0;

	snprintf(cmd, sizeof cmd, "%s%s%s %s/pg_ctl -D %s/%s -l %s/%s.log %s "
	    ">/dev/null 2>&1", root ? "runuser -u " : "",
	    root ? need("LAB_USER") : "", root ? " --" : "", need("PGBIN"),
	    need("LAB_DIR"), dir, need("LAB_DIR"), dir, args);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static int
loopback_socket(struct sockaddr_in *sa)
{
	int	fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, sizeof *sa), 0);
	return (fd);
}

/* A loopback port nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof sa;
	int			fd = loopback_socket(&sa);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return (ntohs(sa.sin_port));
}

/* A listener whose connections the kernel accepts and nobody answers. */
static int
silent_listener(int *port)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof sa;
	int			fd = loopback_socket(&sa);

	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return (fd);
}

/* Predicates ------------------------------------------------------------- */

static int
caught_up(const struct repl_data *r)
{
	const struct pg_server	*s = server(r, "lab-standby");

	return (strcmp(s->receiver, "streaming") == 0 &&
	    s->receive_replay_bytes == 0 && s->replay_lag_s == 0 &&
	    !s->replay_paused);
}

static int
lag_shows(const struct repl_data *r)
{
	const struct pg_server	*s = server(r, "lab-standby");

	return (s->receive_replay_bytes > 0 && s->replay_paused);
}

static int
standby_streaming(const struct repl_data *r)
{
	return (strcmp(server(r, "lab-standby")->receiver, "streaming") == 0);
}

static int
standby_disconnected(const struct repl_data *r)
{
	return (strcmp(server(r, "lab-standby")->receiver, "disconnected") ==
	    0);
}

static int
standby_promoted(const struct repl_data *r)
{
	return (strcmp(server(r, "lab-standby")->role, "primary") == 0);
}

/* Cases ------------------------------------------------------------------ */

static void
test_new_without_servers(void **state)
{
	struct env	e;
	struct error	err;

	memset(&e, 0, sizeof e);
	snprintf(err.msg, sizeof err.msg, "junk");
	assert_null(postgres_source_new(&e.env, &err));
	assert_string_equal(err.msg, "");
	/* A conninfo libpq refuses: named, and no secret quoted back. */
	env_add(&e, "bad", "1", "sitrep", "PG_PASSWORD");
	snprintf(e.s[0].conninfo, sizeof e.s[0].conninfo,
	    "postgresql://u:s3cr3t-pw@[::1:5432/erp");
	assert_null(postgres_source_new(&e.env, &err));
	assert_non_null(strstr(err.msg, "postgres bad: conninfo: "));
	assert_null(strstr(err.msg, "s3cr3t"));
	snprintf(e.s[0].conninfo, sizeof e.s[0].conninfo, "host=x nonsense=1");
	assert_null(postgres_source_new(&e.env, &err));
	assert_non_null(strstr(err.msg, "invalid connection option"));
}

static void
test_roles_and_rows(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;
	const struct pg_server	*p, *s;
	const struct standby	*sb;
	const struct repl_slot	*sl;
	char			 up[64];

	env_lab(&e);
	drv_open(&d, &e);
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(r->nservers, 2);
	p = server(r, "lab-primary");
	s = server(r, "lab-standby");
	assert_string_equal(p->role, "primary");
	assert_string_equal(p->error, "");
	assert_true(p->version[0] >= '1' && p->version[0] <= '9');
	assert_string_equal(s->role, "standby");
	assert_string_equal(s->error, "");
	assert_string_equal(s->receiver, "streaming");
	snprintf(up, sizeof up, "127.0.0.1:%s", primary_port);
	assert_string_equal(s->upstream, up);
	assert_true(s->last_msg_age_s >= 0 && s->last_msg_age_s < 40);
	assert_string_equal(r->role, "primary");
	assert_string_equal(r->server, "lab-primary");
	assert_string_equal(r->version, p->version);
	sb = standby_row(r, "lab-standby");
	assert_non_null(sb);
	assert_string_equal(sb->state, "streaming");
	assert_string_equal(sb->sync_state, "async");
	assert_string_equal(sb->client, "127.0.0.1");
	assert_true(sb->pending_bytes >= 0 && sb->total_bytes >= 0);
	assert_true(sb->reply_ms > now_ms() - 60000);
	sl = slot_row(r, "standby1");
	assert_true(sl->active);
	assert_string_equal(sl->type, "physical");
	assert_string_equal(sl->wal_status, "reserved");
	sl = slot_row(r, "lab_inactive");
	assert_false(sl->active);
	assert_true(sl->retained_bytes > 0);
	assert_true(sl->safe_wal_size > 0);
	drv_close(&d);
}

static void
test_idle_lag_is_zero_and_stays(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;
	const struct pg_server	*s;
	const struct standby	*sb;
	int			 i;

	env_lab(&e);
	drv_open(&d, &e);
	drv_until(&d, caught_up, 10000, "standby caught up");
	for (i = 0; i < 6; i++) {
		sleep(1);
		r = drv_fetch(&d);
		assert_int_equal(d.rc, 0);
		s = server(r, "lab-standby");
		assert_string_equal(s->receiver, "streaming");
		assert_int_equal(s->receive_replay_bytes, 0);
		assert_true(s->replay_lag_s == 0);
		sb = standby_row(r, "lab-standby");
		assert_non_null(sb);
		assert_true(sb->replay_lag_s >= 0 && sb->replay_lag_s < 1);
		assert_true(sb->nhist >= 2 + i && sb->nhist <= SPARK_LEN);
	}
	/* One connection per server across all those fetches. */
	assert_int_equal(lab_num(primary_port, "SELECT count(*) FROM "
	    "pg_stat_activity WHERE application_name = 'sitrep'"), 1);
	assert_int_equal(lab_num(standby_port, "SELECT count(*) FROM "
	    "pg_stat_activity WHERE application_name = 'sitrep'"), 1);
	drv_close(&d);
}

static void
test_paused_replay_shows_lag(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;
	const struct pg_server	*s;
	const struct standby	*sb;
	double			 lag;

	env_lab(&e);
	drv_open(&d, &e);
	/* A replayed commit first, so that the standby has a replay
	 * timestamp to measure from. */
	lab_sql(primary_port, "CREATE TABLE itest_wal (id int, pad text)",
	    NULL, 0);
	drv_until(&d, caught_up, 10000, "create table replayed");
	lab_sql(standby_port, "SELECT pg_wal_replay_pause()", NULL, 0);
	lab_sql(primary_port, "INSERT INTO itest_wal SELECT g, "
	    "repeat('x', 200) FROM generate_series(1, 20000) g", NULL, 0);
	drv_until(&d, lag_shows, 10000, "paused standby shows lag");
	s = server(drv_fetch(&d), "lab-standby");
	assert_string_equal(s->receiver, "streaming");
	assert_true(s->replay_lag_s > 0);
	lag = s->replay_lag_s;
	sleep(1);
	r = drv_fetch(&d);
	s = server(r, "lab-standby");
	assert_true(s->replay_lag_s > lag);	/* it grows while paused */
	assert_true(s->replay_paused);
	sb = standby_row(r, "lab-standby");
	assert_non_null(sb);
	assert_true(sb->replay_bytes > 0);
	assert_true(sb->total_bytes >= sb->replay_bytes);
	lab_sql(standby_port, "SELECT pg_wal_replay_resume()", NULL, 0);
	drv_until(&d, caught_up, 10000, "lag clears after resume");
	drv_close(&d);
}

static void
test_inactive_slot_retains_more(void **state)
{
	struct env		 e;
	struct drv		 d;
	const struct repl_slot	*sl;
	int64_t			 before;

	env_lab(&e);
	drv_open(&d, &e);
	before = slot_row(drv_fetch(&d), "lab_inactive")->retained_bytes;
	lab_sql(primary_port, "INSERT INTO itest_wal SELECT g, "
	    "repeat('y', 200) FROM generate_series(1, 5000) g", NULL, 0);
	lab_sql(primary_port, "SELECT pg_switch_wal()", NULL, 0);
	sl = slot_row(drv_fetch(&d), "lab_inactive");
	assert_true(sl->retained_bytes > before + 1000000);
	assert_false(sl->active);
	assert_string_equal(sl->wal_status, "reserved");
	drv_close(&d);
}

static void
test_without_pg_monitor(void **state)
{
	static const char	*msg = "permission denied: grant pg_monitor to "
	    "nomon to see replication details";
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;

	memset(&e, 0, sizeof e);
	env_add(&e, "lab-primary", primary_port, "nomon", "NOMON_PASSWORD");
	env_add(&e, "lab-standby", standby_port, "nomon", "NOMON_PASSWORD");
	drv_open(&d, &e);
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_string_equal(server(r, "lab-primary")->role, "primary");
	assert_string_equal(server(r, "lab-primary")->error, msg);
	assert_string_equal(server(r, "lab-standby")->role, "standby");
	assert_string_equal(server(r, "lab-standby")->error, msg);
	assert_string_equal(r->role, "primary");
	assert_int_equal(r->nstandbys, 0);	/* NULLs are not shown */
	assert_int_equal(r->nslots, 2);		/* slots are public */
	drv_close(&d);
}

static void
test_wrong_password(void **state)
{
	static const char	*msg = "password authentication failed for "
	    "user \"sitrep\"";
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;
	const struct pg_server	*s;

	setenv("ITEST_WRONG_PW", WRONG_PW, 1);
	env_lab(&e);
	snprintf(e.s[1].name, sizeof e.s[1].name, "lab-wrongpw");
	snprintf(e.s[1].pwenv, sizeof e.s[1].pwenv, "ITEST_WRONG_PW");
	e.pg[1].password_file = NULL;
	e.pg[1].password_env = e.s[1].pwenv;
	drv_open(&d, &e);
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	s = server(r, "lab-wrongpw");
	assert_string_equal(s->role, "down");
	assert_string_equal(s->error, msg);
	drv_close(&d);
	/* Alone, it fails the source, and says why. */
	memset(&e, 0, sizeof e);
	env_add(&e, "lab-wrongpw", primary_port, "sitrep", "ITEST_WRONG_PW");
	drv_open(&d, &e);
	assert_null(drv_fetch(&d));
	assert_int_equal(d.rc, -1);
	assert_non_null(strstr(d.err.msg, msg));
	assert_null(strstr(d.err.msg, WRONG_PW));
	drv_close(&d);
}

static void
test_connection_refused(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;
	char			 port[16];

	snprintf(port, sizeof port, "%d", closed_port());
	env_lab(&e);
	env_add(&e, "ghost", port, "sitrep", "PG_PASSWORD");
	drv_open(&d, &e);
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_string_equal(server(r, "ghost")->role, "down");
	assert_string_equal(server(r, "ghost")->error, "connection refused");
	assert_string_equal(r->role, "primary");
	drv_close(&d);
	memset(&e, 0, sizeof e);
	env_add(&e, "ghost", port, "sitrep", "PG_PASSWORD");
	drv_open(&d, &e);
	drv_fetch(&d);
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.err.msg, "ghost: connection refused");
	drv_close(&d);
}

static void
test_silent_server_times_out(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;
	char			 port[16];
	int			 fd, p;
	int64_t			 t0, ms;

	fd = silent_listener(&p);
	snprintf(port, sizeof port, "%d", p);
	memset(&e, 0, sizeof e);
	env_add(&e, "silent", port, "sitrep", "PG_PASSWORD")->
	    connect_timeout_s = 2;
	drv_open(&d, &e);
	t0 = mono_ms();
	drv_fetch(&d);
	ms = mono_ms() - t0;
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.err.msg, "silent: timeout after 2s");
	assert_true(ms >= 1900 && ms < 3000);
	drv_close(&d);
	/* Beside a good server, it is a row. */
	env_lab(&e);
	env_add(&e, "silent", port, "sitrep", "PG_PASSWORD")->
	    connect_timeout_s = 2;
	drv_open(&d, &e);
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_string_equal(server(r, "silent")->role, "down");
	assert_string_equal(server(r, "silent")->error, "timeout after 2s");
	drv_close(&d);
	close(fd);
}

/* A server that accepted the connection and stops answering queries: the
 * query deadline (statement_timeout + 1 s), then a new connection. */
static void
test_hung_query_times_out(void **state)
{
	struct env	 e;
	struct drv	 d;
	long		 pid;
	int64_t		 t0, ms;

	memset(&e, 0, sizeof e);
	env_add(&e, "lab-primary", primary_port, "sitrep", "PG_PASSWORD")->
	    statement_timeout_ms = 800;
	drv_open(&d, &e);
	drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	pid = lab_num(primary_port, "SELECT pid FROM pg_stat_activity "
	    "WHERE application_name = 'sitrep'");
	assert_true(pid > 0);
	assert_int_equal(kill((pid_t)pid, SIGSTOP), 0);
	t0 = mono_ms();
	drv_fetch(&d);
	ms = mono_ms() - t0;
	kill((pid_t)pid, SIGCONT);
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.err.msg, "lab-primary: timeout after 2s");
	assert_true(ms >= 1700 && ms < 2500);
	drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_string_equal(server(&d.snap->u.repl, "lab-primary")->role,
	    "primary");
	drv_close(&d);
}

/* The primary's WAL sender stops answering without closing anything (a
 * silent network): the receiver row still says streaming, yet the
 * standby is shown cut off once its upstream has been silent longer than
 * a healthy idle link can be (wal_receiver_timeout / 2 + 5 s), before the
 * receiver's own timeout ends it. */
static void
test_silent_upstream_is_disconnected(void **state)
{
	struct env		 e;
	struct drv		 d;
	const struct pg_server	*s;
	char			 status[32];
	long			 pid;
	int64_t			 ms;

	lab_sql(standby_port, "ALTER SYSTEM SET wal_receiver_timeout = '16s'",
	    NULL, 0);
	lab_sql(standby_port, "SELECT pg_reload_conf()", NULL, 0);
	env_lab(&e);
	drv_open(&d, &e);
	drv_until(&d, caught_up, 10000, "standby caught up");
	pid = lab_num(primary_port, "SELECT pid FROM pg_stat_replication "
	    "WHERE application_name = 'lab-standby'");
	assert_true(pid > 0);
	assert_int_equal(kill((pid_t)pid, SIGSTOP), 0);
	ms = drv_until(&d, standby_disconnected, 16000, "silence noticed");
	lab_sql(standby_port, "SELECT status FROM pg_stat_wal_receiver",
	    status, sizeof status);
	kill((pid_t)pid, SIGCONT);
	print_message("# silent upstream noticed after %lld ms\n",
	    (long long)ms);
	assert_string_equal(status, "streaming");
	s = server(&d.snap->u.repl, "lab-standby");
	assert_true(s->last_msg_age_s >= 13);
	assert_true(s->replay_lag_s < 0);	/* unknown, not 0 */
	lab_sql(standby_port, "ALTER SYSTEM RESET wal_receiver_timeout", NULL,
	    0);
	lab_sql(standby_port, "SELECT pg_reload_conf()", NULL, 0);
	drv_until(&d, standby_streaming, 30000, "standby streaming again");
	drv_close(&d);
}

/* Servers restart under a running source: it reconnects by itself. */
static void
test_reconnects_after_restarts(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;

	env_lab(&e);
	drv_open(&d, &e);
	drv_until(&d, standby_streaming, 10000, "standby streaming");
	lab_ctl("pg-standby", "-m fast -w stop");
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_string_equal(server(r, "lab-standby")->role, "down");
	assert_string_equal(server(r, "lab-standby")->error,
	    "connection refused");
	lab_ctl("pg-standby", "-w -t 30 start");
	drv_until(&d, standby_streaming, 15000, "standby back, streaming");
	/* The kept connection to the primary breaks: the next fetch
	 * reconnects at once rather than calling it down. */
	lab_ctl("pg-primary", "-m fast -w -t 30 restart");
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_string_equal(server(r, "lab-primary")->role, "primary");
	assert_string_equal(server(r, "lab-primary")->error, "");
	drv_until(&d, standby_streaming, 15000, "standby streaming again");
	drv_close(&d);
}

static void
test_primary_lost(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;
	const struct pg_server	*s;
	int64_t			 ms;

	env_lab(&e);
	drv_open(&d, &e);
	drv_until(&d, standby_streaming, 10000, "standby streaming");
	lab_ctl("pg-primary", "-m immediate -w stop");
	r = drv_fetch(&d);
	assert_int_equal(d.rc, 0);
	assert_string_equal(server(r, "lab-primary")->role, "down");
	assert_string_equal(server(r, "lab-primary")->error,
	    "connection refused");
	assert_string_equal(r->role, "down");
	assert_string_equal(r->server, "lab-primary");
	assert_int_equal(r->nstandbys, 0);
	ms = drv_until(&d, standby_disconnected, 15000,
	    "standby sees its primary gone");
	print_message("# receiver disconnected after %lld ms\n",
	    (long long)ms);
	s = server(&d.snap->u.repl, "lab-standby");
	assert_string_equal(s->role, "standby");
	assert_true(s->replay_lag_s < 0);	/* unknown, not 0 */
	assert_string_equal(d.snap->u.repl.role, "down");
	drv_close(&d);
}

static void
test_promoted_standby_is_primary(void **state)
{
	struct env		 e;
	struct drv		 d;
	struct repl_data	*r;

	env_lab(&e);
	drv_open(&d, &e);
	r = drv_fetch(&d);
	assert_string_equal(r->role, "down");
	lab_ctl("pg-standby", "-w -t 30 promote");
	drv_until(&d, standby_promoted, 10000, "standby promoted");
	r = &d.snap->u.repl;
	assert_string_equal(r->role, "primary");
	assert_string_equal(r->server, "lab-standby");
	assert_string_equal(server(r, "lab-primary")->role, "down");
	assert_string_equal(server(r, "lab-standby")->error, "");
	/* Then it goes too: nothing answers, the source fails. */
	lab_ctl("pg-standby", "-m immediate -w stop");
	assert_non_null(drv_fetch(&d));		/* the last good data */
	assert_int_equal(d.rc, -1);
	assert_string_equal(d.err.msg, "lab-primary: connection refused; "
	    "lab-standby: connection refused");
	drv_close(&d);
}

static int
setup(void **state)
{
	primary_port = need("PG_PRIMARY_PORT");
	standby_port = need("PG_STANDBY_PORT");
	need("PG_PASSWORD");
	need("NOMON_PASSWORD");
	need("LAB_DIR");
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_without_servers),
		cmocka_unit_test(test_roles_and_rows),
		cmocka_unit_test(test_idle_lag_is_zero_and_stays),
		cmocka_unit_test(test_paused_replay_shows_lag),
		cmocka_unit_test(test_inactive_slot_retains_more),
		cmocka_unit_test(test_without_pg_monitor),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_silent_server_times_out),
		cmocka_unit_test(test_hung_query_times_out),
		cmocka_unit_test(test_silent_upstream_is_disconnected),
		cmocka_unit_test(test_reconnects_after_restarts),
		cmocka_unit_test(test_primary_lost),
		cmocka_unit_test(test_promoted_standby_is_primary),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
