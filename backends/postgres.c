/* postgres.c: the PostgreSQL replication source (postgres.h).
 *
 * Each fetch reads every configured server on its kept connection
 * (reconnecting when it broke), then the first primary's standbys and
 * slots, and publishes one snapshot.  The replay lag history of each
 * standby lives here, keyed by application_name, one sample per fetch.
 * Connections and queries are in postgres_conn.c, the SQL in
 * postgres_sql.c; docs/postgres.md says what is read and why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postgres.h"
#include "postgres_int.h"
#include "xmalloc.h"

#define PG_CONNECT_TIMEOUT_S	3
#define PG_STATEMENT_TIMEOUT_MS	2000

/* The replay lag history of one standby. */
struct pg_hist {
	char		 name[64];	/* application_name */
	int		 n;
	double		 v[SPARK_LEN];	/* oldest first */
	unsigned	 seen;		/* the fetch that last used it */
};

struct pg_state {
	int		 n;
	struct pg_link	*links;		/* one per configured server */
	struct pg_hist	*hist;
	int		 nhist;
	unsigned	 fetch;		/* fetches so far, from 1 */
	char		 primary[64];	/* the last primary seen */
};

/* Lag history ------------------------------------------------------------ */

/* The history of name not yet used in this fetch (two standbys may share
 * a name), an old one to reuse, or a new one. */
static struct pg_hist *
pg_hist_get(struct pg_state *st, const char *name)
{
	struct pg_hist	*h;
	int		 i;

	for (i = 0; i < st->nhist; i++) {
		h = &st->hist[i];
		if (h->seen != st->fetch && strcmp(h->name, name) == 0)
			return (h);
	}
	for (i = 0; i < st->nhist; i++)
		if (st->fetch - st->hist[i].seen > SPARK_LEN)
			break;
	if (i == st->nhist) {
		st->hist = xreallocarray(st->hist, (size_t)++st->nhist,
		    sizeof *st->hist);
	}
	h = &st->hist[i];
	memset(h, 0, sizeof *h);
	strlcpy_(h->name, name, sizeof h->name);
	return (h);
}

static void
pg_hist_push(struct pg_hist *h, double v)
{
	if (h->n == SPARK_LEN) {
		memmove(h->v, h->v + 1, (SPARK_LEN - 1) * sizeof h->v[0]);
		h->n--;
	}
	h->v[h->n++] = v;
}

static void
pg_history(struct pg_state *st, struct repl_data *d)
{
	struct standby	*sb;
	struct pg_hist	*h;
	int		 i;

	for (i = 0; i < d->nstandbys; i++) {
		sb = &d->standbys[i];
		h = pg_hist_get(st, sb->name);
		h->seen = st->fetch;
		if (sb->replay_lag_s >= 0)
			pg_hist_push(h, sb->replay_lag_s);
		sb->nhist = h->n;
		memcpy(sb->hist, h->v, (size_t)h->n * sizeof h->v[0]);
	}
}

/* One fetch -------------------------------------------------------------- */

/* Read server l into o; 0 when it answered, -1 when it is down. */
static int
pg_read_server(struct pg_link *l, struct pg_server *o)
{
	struct error	e;
	int		reused = l->conn != NULL;

	for (;;) {
		e.msg[0] = '\0';
		if (l->conn == NULL && postgres_conn_open(l, &e) != 0)
			break;
		if (postgres_sql_server(l, o, &e) == 0) {
			strlcpy_(o->name, l->name, sizeof o->name);
			return (0);
		}
		/* A kept connection may have died since the last fetch
		 * (the server restarted): once more on a new one. */
		if (!reused || l->timed_out)
			break;
		reused = 0;
	}
	postgres_sql_down(l, o, e.msg);
	strlcpy_(o->name, l->name, sizeof o->name);
	return (-1);
}

/* The primary's standbys and slots, and the repl summary fields. */
static void
pg_read_primary(struct pg_state *st, struct repl_data *d, int p)
{
	struct pg_server	*o = &d->servers[p];
	struct error		 e;
	int			 i;

	strlcpy_(d->server, o->name, sizeof d->server);
	strlcpy_(d->role, "primary", sizeof d->role);
	strlcpy_(d->version, o->version, sizeof d->version);
	strlcpy_(st->primary, o->name, sizeof st->primary);
	if (postgres_sql_primary(&st->links[p], d, &e) != 0)
		strlcpy_(o->error, e.msg, sizeof o->error);
	for (i = 0; i < d->nservers; i++) {
		if (i == p || strcmp(d->servers[i].role, "primary") != 0 ||
		    d->servers[i].error[0] != '\0')
			continue;
		snprintf(d->servers[i].error, sizeof d->servers[i].error,
		    "also a primary, as is %s: split brain?", o->name);
	}
}

/* "lab-primary: connection refused; lab-standby: timeout after 3s". */
static void
pg_all_down(const struct repl_data *d, struct error *err)
{
	char	buf[sizeof err->msg];
	size_t	o = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; i < d->nservers && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s: %s",
		    i > 0 ? "; " : "", d->servers[i].name,
		    d->servers[i].error);
	error_set(err, "%s", buf);
}

static int
pg_fetch(struct source *src, struct error *err)
{
	struct pg_state		*st = src->priv;
	struct snapshot		*snap = snapshot_new(SNAP_REPLICATION);
	struct repl_data	*d = &snap->u.repl;
	int			 i, up = 0, p = -1;

	st->fetch++;
	d->nservers = st->n;
	d->servers = xcalloc((size_t)st->n, sizeof *d->servers);
	for (i = 0; i < st->n; i++) {
		if (pg_read_server(&st->links[i], &d->servers[i]) != 0)
			continue;
		up++;
		if (p < 0 && strcmp(d->servers[i].role, "primary") == 0)
			p = i;
	}
	if (up == 0) {
		pg_all_down(d, err);
		snapshot_unref(snap);
		return (-1);
	}
	if (p >= 0)
		pg_read_primary(st, d, p);
	else {
		strlcpy_(d->role, "down", sizeof d->role);
		strlcpy_(d->server, st->primary[0] != '\0' ? st->primary :
		    st->links[0].name, sizeof d->server);
	}
	pg_history(st, d);
	source_publish(src, snap);
	return (0);
}

/* Life cycle ------------------------------------------------------------- */

/* Connections go; the configuration and the history stay for the next
 * open. */
static void
pg_close(struct source *src)
{
	struct pg_state	*st = src->priv;
	int		 i;

	for (i = 0; i < st->n; i++)
		postgres_conn_drop(&st->links[i]);
}

static void
pg_state_free(struct pg_state *st)
{
	int	i;

	for (i = 0; i < st->n; i++)
		postgres_conn_free(&st->links[i]);
	free(st->links);
	free(st->hist);
	free(st);
}

static void
pg_free(struct source *src)
{
	pg_state_free(src->priv);
	src->priv = NULL;
}

const struct source_class postgres_source = {
	.name = "postgres",
	.fetch = pg_fetch,
	.close = pg_close,
	.free = pg_free,
};

static char *
pg_strdup(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

struct source *
postgres_source_new(const struct cfg_env *env, struct error *err)
{
	const struct cfg_postgres	*cfg;
	struct pg_state			*st;
	struct pg_link			*l;
	struct error			 e;

	err->msg[0] = '\0';
	if (env == NULL || env->npg == 0)
		return (NULL);
	st = xcalloc(1, sizeof *st);
	st->links = xcalloc((size_t)env->npg, sizeof *st->links);
	for (; st->n < env->npg; st->n++) {
		cfg = &env->pg[st->n];
		l = &st->links[st->n];
		if (postgres_conn_init(l, cfg->name, cfg->conninfo,
		    cfg->service, &e) != 0) {
			error_set(err, "postgres %s: conninfo: %s", cfg->name,
			    e.msg);
			postgres_conn_free(l);
			pg_state_free(st);
			return (NULL);
		}
		l->password_env = pg_strdup(cfg->password_env);
		l->password_file = pg_strdup(cfg->password_file);
		l->connect_timeout_s = cfg->connect_timeout_s > 0 ?
		    cfg->connect_timeout_s : PG_CONNECT_TIMEOUT_S;
		l->statement_timeout_ms = cfg->statement_timeout_ms > 0 ?
		    cfg->statement_timeout_ms : PG_STATEMENT_TIMEOUT_MS;
	}
	return (source_new(&postgres_source, "postgres",
	    1u << SNAP_REPLICATION, env->refresh_ms, st));
}
