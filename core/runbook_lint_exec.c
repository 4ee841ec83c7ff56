/* runbook_lint_exec.c: the rules of each executor body.  Placeholders go
 * only into whole values (an argv element outside script text, a SQL bind
 * parameter, a URL path segment or query value, a header value, a JSON
 * string value, a k8s object name); check steps run only what reads; the
 * request fits in an action request. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "action.h"
#include "runbook_lint.h"

#define RB_FIXED	"fixed text"

/* exec ------------------------------------------------------------------- */

static void
rbl_exec_argv(struct lint *L, const struct rb_exec *ex)
{
	int	i, script = rb_script_start(ex->argv, ex->argc);

	rbl_ph(L, &ex->argv[0], "exec argv[0]", "the program is fixed text");
	for (i = 1; i < ex->argc; i++) {
		if (i >= script)
			rbl_ph(L, &ex->argv[i], "exec argv", "shell script "
			    "text; pass values in env: and use \"$NAME\"");
		else
			rbl_ph_argv(L, &ex->argv[i], "exec argv");
	}
}

static void
rbl_exec_exec(struct lint *L, const struct rb_exec *ex, int check)
{
	int	i;

	if (ex->argc > 0)
		rbl_exec_argv(L, ex);
	for (i = 0; i < ex->nenv; i++) {
		if (!rbl_ident(ex->env[i].key.s, 0))
			rb_problem(L->ctx, ex->env[i].key.line,
			    ex->env[i].key.col, "exec env: '%.64s' is not a "
			    "variable name", ex->env[i].key.s);
		rbl_ph(L, &ex->env[i].value, "exec env", NULL);
	}
	for (i = 0; i < ex->nenv_allow; i++)
		if (!rbl_ident(ex->env_allow[i].s, 0))
			rb_problem(L->ctx, ex->env_allow[i].line,
			    ex->env_allow[i].col, "exec env_allow: '%.64s' is "
			    "not a variable name", ex->env_allow[i].s);
	rbl_ph(L, &ex->cwd, "exec cwd", NULL);
	if (check && !ex->read_only)
		rb_problem(L->ctx, ex->line, ex->col, "a check runs only "
		    "read-only processes: say read_only: true if it changes "
		    "nothing, else make the step an action");
}

/* sql -------------------------------------------------------------------- */

static void
rbl_exec_sql(struct lint *L, const struct rb_exec *ex, int check)
{
	unsigned long long	used;
	int			maxn, multi, i;

	rbl_ph(L, &ex->target, "sql target", NULL);
	for (i = 0; i < ex->nparams; i++)
		rbl_ph(L, &ex->params[i], "sql params", NULL);
	if (ex->query.s == NULL)
		return;
	rbl_ph(L, &ex->query, "sql query", "SQL text; write $1, $2 ... and "
	    "list the values in params:");
	rb_sql_scan(ex->query.s, &maxn, &used, &multi);
	if (multi)
		rb_problem(L->ctx, ex->query.line, ex->query.col, "sql: one "
		    "statement per step");
	if (maxn != ex->nparams)
		rb_problem(L->ctx, ex->query.line, ex->query.col, "sql: the "
		    "query uses $1..$%d but params: has %d value%s", maxn,
		    ex->nparams, ex->nparams == 1 ? "" : "s");
	for (i = 1; i <= maxn && i <= 63; i++)
		if ((used & (1ULL << i)) == 0)
			rb_problem(L->ctx, ex->query.line, ex->query.col,
			    "sql: $%d is not used in the query", i);
	if (check && !rb_sql_read_only(ex->query.s))
		rb_problem(L->ctx, ex->query.line, ex->query.col, "a check "
		    "only reads: the query must start with SELECT, SHOW, "
		    "EXPLAIN, WITH, VALUES or TABLE");
}

/* http ------------------------------------------------------------------- */

struct rbl_url {
	struct lint		*L;
	const struct rb_str	*u;
	size_t			 host_end;
};

static void
rbl_url_ph(void *arg, const char *name, size_t off, size_t len)
{
	struct rbl_url	*x = arg;
	const char	*s = x->u->s;
	const char	*q = strchr(s, '?'), *h = strchr(s, '#');
	const char	*why = NULL;
	size_t		 i;
	int		 line, col;

	if (off < x->host_end)
		why = "only in path segments and query values, not in the "
		    "scheme or host";
	else if (h != NULL && off > (size_t)(h - s))
		why = "not in the fragment";
	else if (q != NULL && off > (size_t)(q - s)) {
		for (i = off; i > 0 && s[i - 1] != '&' && s[i - 1] != '?' &&
		    s[i - 1] != '='; i--)
			;
		if (i == 0 || s[i - 1] != '=')
			why = "only in query values (after =), not in keys";
	}
	if (why == NULL)
		return;
	rbl_pos(x->u, off, &line, &col);
	rb_problem(x->L->ctx, line, col, "http url: placeholder {{%s}} %s",
	    name ? name : "?", why);
}

static void
rbl_exec_url(struct lint *L, const struct rb_str *u)
{
	struct rbl_url	x = { L, u, 0 };
	size_t		scheme;

	if (strncmp(u->s, "http://", 7) == 0)
		scheme = 7;
	else if (strncmp(u->s, "https://", 8) == 0)
		scheme = 8;
	else {
		rb_problem(L->ctx, u->line, u->col, "http url must start with "
		    "http:// or https://");
		return;
	}
	x.host_end = scheme + strcspn(u->s + scheme, "/?#");
	rbl_ph(L, u, "http url", NULL);
	rb_placeholders(u->s, rbl_url_ph, &x);
}

static void
rbl_json(struct lint *L, const struct rb_node *n)
{
	int	i;

	if (n->type == RB_NODE_SCALAR) {
		rbl_ph(L, &n->scalar, "http json", NULL);
		return;
	}
	for (i = 0; i < n->nitems; i++) {
		if (n->type == RB_NODE_MAP && i % 2 == 0 &&
		    n->items[i]->type == RB_NODE_SCALAR)
			rbl_ph(L, &n->items[i]->scalar, "http json key",
			    "JSON keys are " RB_FIXED);
		else
			rbl_json(L, n->items[i]);
	}
}

static int
rbl_token(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return (0);
	return (i > 0);
}

static void
rbl_exec_http(struct lint *L, const struct rb_exec *ex, int check)
{
	int	i;

	if (ex->url.s != NULL)
		rbl_exec_url(L, &ex->url);
	for (i = 0; i < ex->nheaders; i++) {
		const struct rb_kv	*h = &ex->headers[i];

		if (!rbl_token(h->key.s))
			rb_problem(L->ctx, h->key.line, h->key.col, "http "
			    "headers: '%.64s' is not a header name", h->key.s);
		rbl_ph(L, &h->value, "http header", NULL);
	}
	if (ex->json != NULL)
		rbl_json(L, ex->json);
	if (check && ex->method.s != NULL && strcmp(ex->method.s, "GET") !=
	    0 && strcmp(ex->method.s, "HEAD") != 0)
		rb_problem(L->ctx, ex->method.line, ex->method.col, "a check "
		    "only reads: method GET or HEAD");
	if (ex->json != NULL && ex->method.s != NULL && (strcmp(ex->method.s,
	    "GET") == 0 || strcmp(ex->method.s, "HEAD") == 0))
		rb_problem(L->ctx, ex->json->line, ex->json->col, "http: a %s "
		    "has no body", ex->method.s);
}

/* The rest --------------------------------------------------------------- */

static void
rbl_exec_k8s(struct lint *L, const struct rb_exec *ex, int check)
{
	rbl_ph(L, &ex->namespace, "k8s namespace", NULL);
	rbl_ph(L, &ex->deployment, "k8s deployment", NULL);
	rbl_ph(L, &ex->pod, "k8s pod", NULL);
	rbl_ph(L, &ex->replicas, "k8s replicas", NULL);
	if (check && ex->verb.s != NULL && strcmp(ex->verb.s, "get") != 0 &&
	    strcmp(ex->verb.s, "rollout-status") != 0)
		rb_problem(L->ctx, ex->verb.line, ex->verb.col, "a check only "
		    "reads: k8s %s changes the cluster (use get or "
		    "rollout-status, or make the step an action)", ex->verb.s);
}

static void
rbl_exec_redis(struct lint *L, const struct rb_exec *ex, int check)
{
	int	i;

	rbl_ph(L, &ex->target, "redis target", NULL);
	if (ex->ncommand == 0)
		return;
	rbl_ph(L, &ex->command[0], "redis command", "the command name is "
	    RB_FIXED);
	for (i = 1; i < ex->ncommand; i++)
		rbl_ph(L, &ex->command[i], "redis command", NULL);
	if (check && (!rb_redis_read_only(ex->command[0].s) ||
	    (ex->ncommand > 1 && (strcasecmp(ex->command[1].s, "RESET") == 0 ||
	    strcasecmp(ex->command[1].s, "PURGE") == 0))))
		rb_problem(L->ctx, ex->command[0].line, ex->command[0].col,
		    "a check only reads: redis %.32s may write",
		    ex->command[0].s);
}

static void
rbl_kv_keys(struct lint *L, const struct rb_kv *kv, int n, const char *what)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (!rbl_ident(kv[i].key.s, 1))
			rb_problem(L->ctx, kv[i].key.line, kv[i].key.col,
			    "%s: '%.64s' is not a name", what, kv[i].key.s);
		rbl_ph(L, &kv[i].value, what, NULL);
	}
}

static void
rbl_exec_other(struct lint *L, const struct rb_exec *ex, int check)
{
	const char	*kind = rb_exec_kind_name(ex->kind);

	rbl_kv_keys(L, ex->matchers, ex->nmatchers, "silence matchers");
	rbl_ph(L, &ex->comment, "silence comment", NULL);
	rbl_ph(L, &ex->duration, "silence duration", "a duration is "
	    RB_FIXED);
	rbl_ph(L, &ex->text, "notify text", NULL);
	if (ex->webhook_env.s != NULL && !rbl_ident(ex->webhook_env.s, 0))
		rb_problem(L->ctx, ex->webhook_env.line, ex->webhook_env.col,
		    "notify: webhook_env must be a variable name");
	rbl_ph(L, &ex->webhook_file, "notify webhook_file", "a path is "
	    RB_FIXED);
	rbl_kv_keys(L, ex->args, ex->nargs, "sim args");
	if (ex->kind == RB_EX_SIM && ((ex->action.s != NULL &&
	    !rbl_ident(ex->action.s, 1)) || (ex->sim_query.s != NULL &&
	    !rbl_ident(ex->sim_query.s, 1))))
		rb_problem(L->ctx, ex->line, ex->col, "sim: the action or "
		    "query name is a word");
	if (check && (ex->kind == RB_EX_SILENCE || ex->kind == RB_EX_NOTIFY ||
	    (ex->kind == RB_EX_SIM && ex->action.s != NULL)))
		rb_problem(L->ctx, ex->line, ex->col, "a check only reads: "
		    "%s%s changes the world (make the step an action)", kind,
		    ex->kind == RB_EX_SIM ? " action" : "");
}

/* How many "key=value" arguments the request will have (engine.h). */
static int
rbl_req_args(const struct rb_exec *ex, int check)
{
	switch (ex->kind) {
	case RB_EX_EXEC:
		return (ex->argc + ex->nenv + ex->nenv_allow + 3);
	case RB_EX_SQL:
		return (ex->nparams + 4);
	case RB_EX_HTTP:
		return (ex->nheaders + 5);
	case RB_EX_REDIS:
		return (ex->ncommand + 3);
	case RB_EX_SILENCE:
		return (ex->nmatchers + 3);
	case RB_EX_SIM:
		return (ex->nargs + 1);
	default:
		return (4);
	}
}

void
rbl_exec(struct lint *L, const struct rb_step *s, int check)
{
	const struct rb_exec	*ex = &s->exec;
	int			 n = rbl_req_args(ex, check);

	if (n + 1 > ACTION_MAX_ARGS)
		rb_problem(L->ctx, ex->line, ex->col, "%s: too many values for "
		    "one request (%d, at most %d)", rb_exec_kind_name(ex->kind),
		    n, ACTION_MAX_ARGS - 1);
	switch (ex->kind) {
	case RB_EX_EXEC:
		rbl_exec_exec(L, ex, check);
		break;
	case RB_EX_SQL:
		rbl_exec_sql(L, ex, check);
		break;
	case RB_EX_HTTP:
		rbl_exec_http(L, ex, check);
		break;
	case RB_EX_K8S:
		rbl_exec_k8s(L, ex, check);
		break;
	case RB_EX_REDIS:
		rbl_exec_redis(L, ex, check);
		break;
	default:
		rbl_exec_other(L, ex, check);
		break;
	}
}
