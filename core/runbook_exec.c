/* runbook_exec.c: executor bodies (exec:, sql:, http:, k8s:, redis:,
 * silence:, notify:, sim:), one table row each: the keys a body may have,
 * and a parser for them.  What a body may contain (placeholders, shells,
 * read-only checks) is runbook_lint.c's business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbook_int.h"
#include "xmalloc.h"

const char rb_exec_keys[] = " exec sql http k8s redis silence notify sim ";

#define RB_TIMEOUT_MAX	86400

static int	rb_ex_exec(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);
static int	rb_ex_sql(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);
static int	rb_ex_http(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);
static int	rb_ex_k8s(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);
static int	rb_ex_redis(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);
static int	rb_ex_silence(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);
static int	rb_ex_notify(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);
static int	rb_ex_sim(struct rb_ctx *, const struct rb_node *,
		    const char *, struct rb_exec *);

static const struct rb_exec_def {
	const char		*key;
	enum rb_exec_kind	 kind;
	const char		*allowed;
	int			(*parse)(struct rb_ctx *,
				    const struct rb_node *, const char *,
				    struct rb_exec *);
} rb_exec_defs[] = {
	{ "exec", RB_EX_EXEC, " argv env env_allow cwd timeout read_only ",
	  rb_ex_exec },
	{ "sql", RB_EX_SQL, " target query params timeout ", rb_ex_sql },
	{ "http", RB_EX_HTTP, " method url headers json timeout ",
	  rb_ex_http },
	{ "k8s", RB_EX_K8S, " verb namespace deployment pod replicas ",
	  rb_ex_k8s },
	{ "redis", RB_EX_REDIS, " target command timeout ", rb_ex_redis },
	{ "silence", RB_EX_SILENCE, " matchers duration comment ",
	  rb_ex_silence },
	{ "notify", RB_EX_NOTIFY, " webhook_env webhook_file text status ",
	  rb_ex_notify },
	{ "sim", RB_EX_SIM, " action query args ", rb_ex_sim },
};
#define RB_NEXEC ((int)(sizeof rb_exec_defs / sizeof rb_exec_defs[0]))

static struct rb_node *
rb_node_copy(const struct rb_node *n)
{
	struct rb_node	*c = xcalloc(1, sizeof *c);
	int		 i;

	*c = *n;
	c->scalar.s = n->scalar.s != NULL ? xstrdup(n->scalar.s) : NULL;
	c->items = n->nitems ? xcalloc(n->nitems, sizeof *c->items) : NULL;
	for (i = 0; i < n->nitems; i++)
		c->items[i] = rb_node_copy(n->items[i]);
	return (c);
}

static int
rb_ex_exec(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	int	bad = 0;

	bad |= rb_require(ctx, m, what, "argv");
	bad |= rb_get_strs(ctx, m, "argv", &ex->argv, &ex->argc);
	if (rb_map_get(m, "argv") != NULL && ex->argc == 0 && bad == 0) {
		rb_problem(ctx, m->line, m->col, "%s: argv is empty", what);
		bad = -1;
	}
	bad |= rb_get_kvs(ctx, m, "env", &ex->env, &ex->nenv);
	bad |= rb_get_strs(ctx, m, "env_allow", &ex->env_allow,
	    &ex->nenv_allow);
	bad |= rb_get_str(ctx, m, "cwd", &ex->cwd);
	bad |= rb_get_secs(ctx, m, "timeout", 1, RB_TIMEOUT_MAX,
	    &ex->timeout_s);
	bad |= rb_get_bool(ctx, m, "read_only", &ex->read_only);
	return (bad);
}

static int
rb_ex_sql(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	int	bad = 0;

	bad |= rb_require(ctx, m, what, "target");
	bad |= rb_require(ctx, m, what, "query");
	bad |= rb_get_str(ctx, m, "target", &ex->target);
	bad |= rb_get_str(ctx, m, "query", &ex->query);
	bad |= rb_get_strs(ctx, m, "params", &ex->params, &ex->nparams);
	bad |= rb_get_secs(ctx, m, "timeout", 1, RB_TIMEOUT_MAX,
	    &ex->timeout_s);
	return (bad);
}

static int
rb_ex_http(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	static const char	 methods[] =
				     " GET HEAD POST PUT PATCH DELETE ";
	const struct rb_node	*json = rb_map_get(m, "json");
	char			 word[16];
	int			 bad = 0;

	bad |= rb_require(ctx, m, what, "url");
	bad |= rb_get_str(ctx, m, "url", &ex->url);
	bad |= rb_get_str(ctx, m, "method", &ex->method);
	bad |= rb_get_kvs(ctx, m, "headers", &ex->headers, &ex->nheaders);
	bad |= rb_get_secs(ctx, m, "timeout", 1, RB_TIMEOUT_MAX,
	    &ex->timeout_s);
	if (ex->method.s == NULL) {
		ex->method.s = xstrdup("GET");
		ex->method.line = m->line;
		ex->method.col = m->col;
	}
	snprintf(word, sizeof word, " %.10s ", ex->method.s);
	if (strchr(ex->method.s, ' ') != NULL || strstr(methods, word) ==
	    NULL) {
		rb_problem(ctx, ex->method.line, ex->method.col, "%s: method "
		    "must be one of%s", what, methods);
		bad = -1;
	}
	if (json != NULL)
		ex->json = rb_node_copy(json);
	return (bad);
}

static int
rb_ex_k8s_needs(struct rb_ctx *ctx, const struct rb_node *m,
    const char *what, const struct rb_exec *ex)
{
	const char	*v = ex->verb.s;
	int		 bad = 0;

	if (strcmp(v, "scale") == 0) {
		bad |= rb_require(ctx, m, what, "deployment");
		bad |= rb_require(ctx, m, what, "replicas");
	} else if (strcmp(v, "rollout-restart") == 0 ||
	    strcmp(v, "rollout-status") == 0)
		bad |= rb_require(ctx, m, what, "deployment");
	else if (strcmp(v, "delete-pod") == 0)
		bad |= rb_require(ctx, m, what, "pod");
	else if ((ex->deployment.s == NULL) == (ex->pod.s == NULL)) {
		rb_problem(ctx, m->line, m->col, "%s: get needs one of "
		    "deployment or pod", what);
		bad = -1;
	}
	if (strcmp(v, "scale") != 0 && ex->replicas.s != NULL) {
		rb_problem(ctx, ex->replicas.line, ex->replicas.col, "%s: "
		    "replicas is only for scale", what);
		bad = -1;
	}
	return (bad);
}

static int
rb_ex_k8s(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	static const char	 verbs[] = " scale rollout-restart delete-pod "
				     "rollout-status get ";
	char			 word[32];
	int			 bad = 0;

	bad |= rb_require(ctx, m, what, "verb");
	bad |= rb_require(ctx, m, what, "namespace");
	bad |= rb_get_str(ctx, m, "verb", &ex->verb);
	bad |= rb_get_str(ctx, m, "namespace", &ex->namespace);
	bad |= rb_get_str(ctx, m, "deployment", &ex->deployment);
	bad |= rb_get_str(ctx, m, "pod", &ex->pod);
	bad |= rb_get_str(ctx, m, "replicas", &ex->replicas);
	if (ex->verb.s == NULL)
		return (-1);
	snprintf(word, sizeof word, " %.24s ", ex->verb.s);
	if (strchr(ex->verb.s, ' ') != NULL || strstr(verbs, word) == NULL) {
		rb_problem(ctx, ex->verb.line, ex->verb.col, "%s: verb must "
		    "be one of%s", what, verbs);
		return (-1);
	}
	return (bad | rb_ex_k8s_needs(ctx, m, what, ex));
}

static int
rb_ex_redis(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	int	bad = 0;

	bad |= rb_require(ctx, m, what, "target");
	bad |= rb_require(ctx, m, what, "command");
	bad |= rb_get_str(ctx, m, "target", &ex->target);
	bad |= rb_get_strs(ctx, m, "command", &ex->command, &ex->ncommand);
	bad |= rb_get_secs(ctx, m, "timeout", 1, RB_TIMEOUT_MAX,
	    &ex->timeout_s);
	if (rb_map_get(m, "command") != NULL && ex->ncommand == 0 &&
	    bad == 0) {
		rb_problem(ctx, m->line, m->col, "%s: command is empty", what);
		bad = -1;
	}
	return (bad);
}

static int
rb_ex_silence(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	int	bad = 0;

	bad |= rb_require(ctx, m, what, "matchers");
	bad |= rb_require(ctx, m, what, "duration");
	bad |= rb_get_kvs(ctx, m, "matchers", &ex->matchers,
	    &ex->nmatchers);
	bad |= rb_get_str(ctx, m, "duration", &ex->duration);
	bad |= rb_get_str(ctx, m, "comment", &ex->comment);
	if (ex->duration.s != NULL && rb_parse_secs(ex->duration.s) <= 0) {
		rb_problem(ctx, ex->duration.line, ex->duration.col, "%s: "
		    "duration must be like 30m or 2h", what);
		bad = -1;
	}
	if (rb_map_get(m, "matchers") != NULL && ex->nmatchers == 0 &&
	    bad == 0) {
		rb_problem(ctx, m->line, m->col, "%s: matchers is empty",
		    what);
		bad = -1;
	}
	return (bad);
}

static int
rb_ex_notify(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	static const char	 statuses[] =
				     " investigating update resolved ";
	char			 word[32];
	int			 bad = 0;

	bad |= rb_require(ctx, m, what, "text");
	bad |= rb_get_str(ctx, m, "webhook_env", &ex->webhook_env);
	bad |= rb_get_str(ctx, m, "webhook_file", &ex->webhook_file);
	bad |= rb_get_str(ctx, m, "text", &ex->text);
	bad |= rb_get_str(ctx, m, "status", &ex->status);
	if ((ex->webhook_env.s == NULL) == (ex->webhook_file.s == NULL)) {
		rb_problem(ctx, m->line, m->col, "%s: exactly one of "
		    "webhook_env or webhook_file", what);
		bad = -1;
	}
	if (ex->status.s != NULL) {
		snprintf(word, sizeof word, " %.24s ", ex->status.s);
		if (strchr(ex->status.s, ' ') != NULL ||
		    strstr(statuses, word) == NULL) {
			rb_problem(ctx, ex->status.line, ex->status.col, "%s: "
			    "status must be one of%s", what, statuses);
			bad = -1;
		}
	}
	return (bad);
}

static int
rb_ex_sim(struct rb_ctx *ctx, const struct rb_node *m, const char *what,
    struct rb_exec *ex)
{
	int	bad = 0;

	bad |= rb_get_str(ctx, m, "action", &ex->action);
	bad |= rb_get_str(ctx, m, "query", &ex->sim_query);
	bad |= rb_get_kvs(ctx, m, "args", &ex->args, &ex->nargs);
	if ((ex->action.s == NULL) == (ex->sim_query.s == NULL)) {
		rb_problem(ctx, m->line, m->col, "%s: exactly one of action "
		    "or query", what);
		bad = -1;
	}
	return (bad);
}

int
rb_exec_parse(struct rb_ctx *ctx, const struct rb_node *map,
    const char *what, struct rb_exec *ex)
{
	const struct rb_exec_def	*def = NULL;
	const struct rb_node		*body = NULL, *b;
	char				 w[96];
	int				 i;

	for (i = 0; i < RB_NEXEC; i++) {
		if ((b = rb_map_get(map, rb_exec_defs[i].key)) == NULL)
			continue;
		if (def != NULL) {
			rb_problem(ctx, b->line, b->col, "%s: one executor "
			    "per step (%s and %s)", what, def->key,
			    rb_exec_defs[i].key);
			return (-1);
		}
		def = &rb_exec_defs[i];
		body = b;
	}
	if (def == NULL)
		return (1);
	ex->kind = def->kind;
	ex->line = body->line;
	ex->col = body->col;
	snprintf(w, sizeof w, "%s.%s", what, def->key);
	if (body->type != RB_NODE_MAP) {
		rb_problem(ctx, body->line, body->col, "%s: expected a "
		    "mapping", w);
		return (-1);
	}
	if (rb_map_keys(ctx, body, w, def->allowed) != 0)
		return (-1);
	return (def->parse(ctx, body, w, ex) != 0 ? -1 : 0);
}

void
rb_exec_free(struct rb_exec *ex)
{
	rb_strs_free(ex->argv, ex->argc);
	rb_kvs_free(ex->env, ex->nenv);
	rb_strs_free(ex->env_allow, ex->nenv_allow);
	rb_str_free(&ex->cwd);
	rb_str_free(&ex->target);
	rb_str_free(&ex->query);
	rb_strs_free(ex->params, ex->nparams);
	rb_strs_free(ex->command, ex->ncommand);
	rb_str_free(&ex->method);
	rb_str_free(&ex->url);
	rb_kvs_free(ex->headers, ex->nheaders);
	rb_node_free(ex->json);
	rb_str_free(&ex->verb);
	rb_str_free(&ex->namespace);
	rb_str_free(&ex->deployment);
	rb_str_free(&ex->pod);
	rb_str_free(&ex->replicas);
	rb_kvs_free(ex->matchers, ex->nmatchers);
	rb_str_free(&ex->duration);
	rb_str_free(&ex->comment);
	rb_str_free(&ex->webhook_env);
	rb_str_free(&ex->webhook_file);
	rb_str_free(&ex->text);
	rb_str_free(&ex->status);
	rb_str_free(&ex->action);
	rb_str_free(&ex->sim_query);
	rb_kvs_free(ex->args, ex->nargs);
	memset(ex, 0, sizeof *ex);
}
