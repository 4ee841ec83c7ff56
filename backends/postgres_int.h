/* postgres_int.h: what the three parts of the PostgreSQL source share.
 *
 *   postgres.c       the source class: configuration copies, one fetch
 *                    over every server, the snapshot, the lag history
 *   postgres_conn.c  connections and queries with client-side deadlines
 *                    (the waiting and cancel are pgconn.c's), error texts
 *                    fit for a panel
 *   postgres_sql.c   the SQL per server version and reading its rows
 *
 * All SQL is constant text; values travel as query parameters. */
#ifndef SITREP_POSTGRES_INT_H
#define SITREP_POSTGRES_INT_H

#include <libpq-fe.h>

#include "snapshot.h"
#include "util.h"

/* One configured server and its connection, kept across fetches. */
struct pg_link {
	char		*name;
	char		**keys;		/* libpq keywords and values: the */
	char		**vals;		/* conninfo's, the service and */
	int		 nkeys;		/* application_name */
	char		*password_env;
	char		*password_file;
	int		 connect_timeout_s;
	int		 statement_timeout_ms;

	PGconn		*conn;		/* NULL when not connected */
	int		 timed_out;	/* the last failure was a deadline */
	int		 privileged;	/* may read pg_stat_replication */
	char		 version[16];	/* last seen, kept while down */
	int64_t		 last_msg_ms;	/* standby: server epoch ms of the
					 * last message from its upstream,
					 * 0 unknown */
};

/* postgres_conn.c */
/* Copy what a server needs from its configuration.  -1 and err when
 * libpq cannot parse the conninfo. */
int		 postgres_conn_init(struct pg_link *, const char *name,
		     const char *conninfo, const char *service,
		     struct error *);
void		 postgres_conn_free(struct pg_link *);
/* Connect within connect_timeout_s, then set statement_timeout.  0, or -1
 * and a short reason ("connection refused", "timeout after 3s", ...). */
int		 postgres_conn_open(struct pg_link *, struct error *);
void		 postgres_conn_drop(struct pg_link *);
/* Run one query within statement_timeout_ms + 1 s; the result (tuples or
 * command ok, the caller PQclear()s it) or NULL and err.  On a deadline or
 * a broken connection the connection is dropped (l->conn becomes NULL;
 * l->timed_out tells which); an SQL error keeps it. */
PGresult	*postgres_conn_query(struct pg_link *, const char *sql,
		     int nparams, const char *const *params, struct error *);
/* libpq's message made short: one line, no "connection to server at ...
 * failed:" or "FATAL:" prefixes. */
void		 postgres_conn_message(const char *msg, struct error *);

/* postgres_sql.c */
/* Read what server l says about itself into out (name is set): role,
 * version, and as a standby its WAL receiver and replay.  0 when the
 * server answered (out->error may still say what could not be read), -1
 * and err when the connection was lost on the way. */
int		 postgres_sql_server(struct pg_link *, struct pg_server *,
		     struct error *);
/* Fill out as a server that cannot be reached, saying why. */
void		 postgres_sql_down(const struct pg_link *, struct pg_server *,
		     const char *why);
/* From a primary: pg_stat_replication into d->standbys and the slots into
 * d->slots.  0, or -1 and err. */
int		 postgres_sql_primary(struct pg_link *, struct repl_data *,
		     struct error *);

#endif
