/* executors.h: the runbook executors, each an action handler (action.h)
 * of its own kind.  docs/executors.md is the argument contract the runbook
 * engine renders steps into.
 *
 *   exec     a process: argv0=, argv1=, ... (never a shell), its own
 *            session and process group, a timeout that kills the group
 *   sql      one statement on a configured PostgreSQL server, in a
 *            transaction (READ ONLY for checks), with bind parameters
 *   http     one HTTP(S) request; the body is already-built JSON
 *   redis    one command on a configured Redis server (read_only=1 allows
 *            read commands only)
 *   notify   a Slack-compatible webhook post {"text": ...}
 *
 * Values reach the outside world only as whole argv elements, bind
 * parameters, Redis arguments, header values or JSON strings. */
#ifndef SITREP_EXECUTORS_H
#define SITREP_EXECUTORS_H

#include <stdint.h>

#include "action.h"
#include "config.h"

/* Register all five kinds.  env (may be NULL, as in the demo) names the
 * PostgreSQL and Redis targets; it must outlive the actions.  Without it
 * sql and redis refuse every target.  http_global_init() must have run. */
void	 executors_register(struct actions *, const struct cfg_env *env);

/* One kind each (executors_register calls them all). */
void	 exec_register(struct actions *);
void	 sql_exec_register(struct actions *, const struct cfg_env *);
void	 http_exec_register(struct actions *);
void	 redis_exec_register(struct actions *, const struct cfg_env *);
void	 notify_exec_register(struct actions *);

/* Shared by the executors (executors.c) ---------------------------------- */

/* Fail: res->ok = 0 and the summary; returns -1 for the handler. */
int	 executor_fail(struct action_result *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Every key in req must be one of keys (NULL-terminated), or start with
 * one of prefixes (NULL-terminated, e.g. "argv", "env."), or the request
 * fails with "KIND: unknown argument KEY".  A key may appear once, except
 * those in repeat (NULL-terminated, may be NULL).  0 or -1. */
int	 executor_check_keys(const struct action_req *,
	    const char *const *keys, const char *const *prefixes,
	    const char *const *repeat, struct action_result *);
/* A duration argument ("500ms", "30s", "5m", "1h", plain seconds) in ms
 * into *ms, or dflt when value is NULL; must lie in 1 ms .. max_ms.
 * 0, or -1 with the summary. */
int	 executor_duration(const struct action_req *, const char *key,
	    int64_t dflt, int64_t max_ms, int64_t *ms,
	    struct action_result *);
/* Whether read_only=1 (anything else but 0/absent is an error). */
int	 executor_read_only(const struct action_req *, int *ro,
	    struct action_result *);
/* Numbered arguments PREFIX0.., or PREFIX1.. (first = 0 or 1): how many,
 * contiguous; -1 with the summary on a gap ("param3 without param2"). */
int	 executor_numbered(const struct action_req *, const char *prefix,
	    int first, struct action_result *);
/* A list argument's values in order, into out (room for ACTION_MAX_ARGS):
 * either KEY= repeated (KEY=a KEY=b) or numbered KEY<first>=, ... with no
 * gap; not both.  How many, or -1 with the summary. */
int	 executor_values(const struct action_req *, const char *key,
	    int first, const char **out, struct action_result *);
/* The value of key or of its alias (NULL when neither); -1 with the
 * summary when both are given. */
int	 executor_alias(const struct action_req *, const char *key,
	    const char *alias, const char **value, struct action_result *);
/* The value of PREFIX<n>, or NULL. */
const char *executor_nth(const struct action_req *, const char *prefix,
	    int n);
/* A growing text buffer (output being built); s is NUL-terminated once
 * anything was added, and the caller frees it. */
struct exbuf {
	char	*s;
	size_t	 len, cap;
};
void	 exbuf_add(struct exbuf *, const char *, size_t);
void	 exbuf_printf(struct exbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* s with control characters made visible (\n, \t, \r, \xNN), at most
 * max characters (UTF-8 sequences count one), then "...".  Returns how
 * many characters (terminal columns, roughly) it added. */
size_t	 exbuf_visible(struct exbuf *, const char *s, size_t len, size_t max);
/* Hand the text over: s (never NULL; caller frees), b emptied. */
char	*exbuf_take(struct exbuf *);

/* An elapsed time for a summary: "120 ms", "1.2s", "12s", "3m04s". */
void	 executor_fmt_ms(char *, size_t, int64_t ms);
/* A limit as it would be written: "500ms", "30s", "5m", "1h". */
void	 executor_fmt_limit(char *, size_t, int64_t ms);

#endif
