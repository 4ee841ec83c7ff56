/* config_http.c: the sections of an environment reached over HTTP:
 * kubernetes (the API server; credentials come from the kubeconfig),
 * alertmanager, prometheus (circuit breakers) and health.  The HTTP keys
 * they share (url, TLS, token or basic auth, timeouts) are one table,
 * joined to each section's own keys. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "connstr.h"
#include "xmalloc.h"

/* The HTTP keys ---------------------------------------------------------- */

/* http(s)://host[:port][/path], no credentials. */
static int
cfg_f_http_url(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	const char	*s;
	char		 why[128];

	if (cfg_text(ctx, n, where, CFG_MAX_TEXT, &s) != 0)
		return (-1);
	if (connstr_http(s, why, sizeof why) != 0)
		return (cfg_fail(ctx, n, where, "%s", why));
	cfg_set(out, s);
	return (0);
}

/* A basic auth user: RFC 7617 forbids ':' in it. */
static int
cfg_f_user(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;

	if (cfg_text(ctx, n, where, 255, &s) != 0)
		return (-1);
	if (strchr(s, ':') != NULL)
		return (cfg_fail(ctx, n, where, "no ':' in a basic auth user"));
	cfg_set(out, s);
	return (0);
}

#define CFG_HTTP_OFF(m)	offsetof(struct cfg_http, m)
static const struct cfg_field cfg_http_fields[] = {
	{ "url", cfg_f_http_url, CFG_HTTP_OFF(url), 0, 0 },
	{ "ca_file", cfg_f_path, CFG_HTTP_OFF(ca_file), 0, 0 },
	{ "cert_file", cfg_f_path, CFG_HTTP_OFF(cert_file), 0, 0 },
	{ "key_file", cfg_f_path, CFG_HTTP_OFF(key_file), 0, 0 },
	{ "insecure", cfg_f_bool, CFG_HTTP_OFF(insecure), 0, 0 },
	{ "token_env", cfg_f_envvar, CFG_HTTP_OFF(token_env), 0, 0 },
	{ "token_file", cfg_f_path, CFG_HTTP_OFF(token_file), 0, 0 },
	{ "basic_user", cfg_f_user, CFG_HTTP_OFF(basic_user), 0, 0 },
	{ "password_env", cfg_f_envvar, CFG_HTTP_OFF(password_env), 0, 0 },
	{ "password_file", cfg_f_path, CFG_HTTP_OFF(password_file), 0, 0 },
	{ "connect_timeout", cfg_f_ms, CFG_HTTP_OFF(connect_timeout_ms), 1,
	  600000 },
	{ "timeout", cfg_f_ms, CFG_HTTP_OFF(timeout_ms), 1, 600000 },
	{ NULL, NULL, 0, 0, 0 }
};
#undef CFG_HTTP_OFF

#define CFG_NHTTP	(sizeof cfg_http_fields / sizeof cfg_http_fields[0])
#define CFG_MAX_OWN	4	/* a section's own keys besides the HTTP ones */

/* out: the section's own fields (at most CFG_MAX_OWN), then the HTTP
 * fields of its struct cfg_http at offset http. */
static void
cfg_http_join(struct cfg_field out[CFG_MAX_OWN + CFG_NHTTP],
    const struct cfg_field *own, size_t http)
{
	const struct cfg_field	*f;
	size_t			 i = 0;

	for (f = own; f->key != NULL && i < CFG_MAX_OWN; f++)
		out[i++] = *f;
	for (f = cfg_http_fields; f->key != NULL; f++) {
		out[i] = *f;
		out[i++].off += http;
	}
	memset(&out[i], 0, sizeof out[i]);
}

static void
cfg_http_defaults(struct cfg_http *h, int timeout_ms)
{
	h->connect_timeout_ms = 3000;
	h->timeout_ms = timeout_ms;
}

/* What one key cannot say: a URL, one credential, TLS keys with https. */
static int
cfg_http_check(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    const struct cfg_http *h)
{
	int	token, password;

	if (cfg_require(ctx, n, where, "url", h->url) != 0 ||
	    cfg_one_of(ctx, n, where, "token_env", h->token_env, "token_file",
	    h->token_file) != 0 ||
	    cfg_one_of(ctx, n, where, "password_env", h->password_env,
	    "password_file", h->password_file) != 0)
		return (-1);
	token = h->token_env != NULL || h->token_file != NULL;
	password = h->password_env != NULL || h->password_file != NULL;
	if (token && h->basic_user != NULL) {
		return (cfg_fail(ctx, n, where, "give a token (token_env, "
		    "token_file) or basic_user, not both"));
	}
	if (password != (h->basic_user != NULL)) {
		return (cfg_fail_key(ctx, n, where, "basic_user", "%s",
		    password ? "required with password_env or password_file" :
		    "needs password_env or password_file"));
	}
	if (h->key_file != NULL && h->cert_file == NULL) {
		return (cfg_fail_key(ctx, n, where, "key_file", "needs "
		    "cert_file"));
	}
	if (strncmp(h->url, "http://", 7) == 0) {
		if (h->ca_file != NULL || h->cert_file != NULL || h->insecure) {
			return (cfg_fail_key(ctx, n, where, h->ca_file != NULL ?
			    "ca_file" : h->cert_file != NULL ? "cert_file" :
			    "insecure", "only for https:// URLs"));
		}
	}
	if (h->insecure && h->ca_file != NULL) {
		return (cfg_fail_key(ctx, n, where, "insecure", "give ca_file "
		    "or insecure, not both"));
	}
	return (0);
}

static void
cfg_http_free(struct cfg_http *h)
{
	free(h->url);
	free(h->ca_file);
	free(h->cert_file);
	free(h->key_file);
	free(h->token_env);
	free(h->token_file);
	free(h->basic_user);
	free(h->password_env);
	free(h->password_file);
}

/* Kubernetes ------------------------------------------------------------- */

/* A namespace (a DNS label), or "*" / "all" for all of them (stored "*"). */
static int
cfg_f_namespace(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	const char	*s;
	char		 q[40];
	size_t		 len;

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	if (strcmp(s, "*") == 0 || strcmp(s, "all") == 0) {
		cfg_set(out, "*");
		return (0);
	}
	len = strlen(s);
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != len ||
	    s[0] == '-' || s[len - 1] == '-') {
		return (cfg_fail(ctx, n, where, "\"%s\": a namespace is "
		    "lowercase letters, digits and '-' (or \"*\" for all)",
		    cfg_quote(s, q, sizeof q)));
	}
	cfg_set(out, s);
	return (0);
}

static const struct cfg_field cfg_kube_fields[] = {
	{ "kubeconfig", cfg_f_path, offsetof(struct cfg_kubernetes, kubeconfig),
	  0, 0 },
	{ "context", cfg_f_text, offsetof(struct cfg_kubernetes, context), 0,
	  253 },
	{ "namespace", cfg_f_namespace,
	  offsetof(struct cfg_kubernetes, namespace), 0, 0 },
	{ "timeout", cfg_f_ms, offsetof(struct cfg_kubernetes, timeout_ms), 1,
	  600000 },
	{ NULL, NULL, 0, 0, 0 }
};

/* Credentials come from the kubeconfig, never from this file. */
int
cfg_f_kubernetes(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	struct cfg_kubernetes	*k = out;

	k->present = 1;
	k->line = (int)cfg_line(n);
	return (cfg_mapping(ctx, n, where, cfg_kube_fields, k));
}

/* Alertmanager ----------------------------------------------------------- */

static const struct cfg_field cfg_am_fields[] = {
	{ "name", cfg_f_name, offsetof(struct cfg_alertmanager, name), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_am_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_alertmanager	*a;
	struct cfg_field	 fields[CFG_MAX_OWN + CFG_NHTTP];
	int			 i;

	env->alertmanager = xreallocarray(env->alertmanager,
	    env->nalertmanager + 1, sizeof *env->alertmanager);
	a = &env->alertmanager[env->nalertmanager++];
	memset(a, 0, sizeof *a);
	cfg_http_defaults(&a->http, 10000);
	a->line = (int)cfg_line(n);
	cfg_http_join(fields, cfg_am_fields,
	    offsetof(struct cfg_alertmanager, http));
	if (cfg_mapping(ctx, n, where, fields, a) != 0 ||
	    cfg_require(ctx, n, where, "name", a->name) != 0 ||
	    cfg_http_check(ctx, n, where, &a->http) != 0)
		return (-1);
	for (i = 0; i < env->nalertmanager - 1; i++) {
		if (strcmp(env->alertmanager[i].name, a->name) == 0)
			return (cfg_dup(ctx, n, where, a->name,
			    env->alertmanager[i].line));
	}
	return (0);
}

int
cfg_f_alertmanager(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_am_item, out));
}

/* Prometheus: circuit breakers ------------------------------------------- */

/* What each library exports; the labels are defaults the file may
 * override.  state NULL: the state is the value (or, for Polly, events). */
static const struct cfg_circuits {
	const char		*name;
	enum circuit_preset	 preset;
	const char		*service;
	const char		*dependency;
	const char		*state;
} cfg_circuits[] = {
	{ "resilience4j", CIRCUITS_RESILIENCE4J, "application", "name",
	  "state" },
	{ "polly", CIRCUITS_POLLY, "service", "pipeline_name", NULL },
	{ "envoy", CIRCUITS_ENVOY, "service", "envoy_cluster_name", NULL },
	{ "custom", CIRCUITS_CUSTOM, "service", "dependency", NULL },
};
#define CFG_NCIRCUITS	(sizeof cfg_circuits / sizeof cfg_circuits[0])

static const struct cfg_circuits *
cfg_circuits_find(enum circuit_preset preset)
{
	size_t	i;

	for (i = 0; cfg_circuits[i].preset != preset; i++)
		;	/* every preset is in the table */
	return (&cfg_circuits[i]);
}

static int
cfg_f_circuits(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	const char	*s;
	char		 q[40];
	size_t		 i;

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	for (i = 0; i < CFG_NCIRCUITS; i++) {
		if (strcmp(s, cfg_circuits[i].name) == 0) {
			*(enum circuit_preset *)out = cfg_circuits[i].preset;
			return (0);
		}
	}
	return (cfg_fail(ctx, n, where, "unknown preset \"%s\"; expected "
	    "resilience4j, polly, envoy or custom",
	    cfg_quote(s, q, sizeof q)));
}

/* A Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*. */
static int
cfg_f_label(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;
	char		 q[40];

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_") != strlen(s) || (*s >= '0' && *s <= '9')) {
		return (cfg_fail(ctx, n, where, "\"%s\": a label name is "
		    "letters, digits and '_'", cfg_quote(s, q, sizeof q)));
	}
	cfg_set(out, s);
	return (0);
}

static const struct cfg_field cfg_label_fields[] = {
	{ "service", cfg_f_label,
	  offsetof(struct cfg_prometheus, label_service), 0, 0 },
	{ "dependency", cfg_f_label,
	  offsetof(struct cfg_prometheus, label_dependency), 0, 0 },
	{ "state", cfg_f_label, offsetof(struct cfg_prometheus, label_state),
	  0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

/* out is the struct cfg_prometheus. */
static int
cfg_f_labels(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_mapping(ctx, n, where, cfg_label_fields, out));
}

static const struct cfg_field cfg_prom_fields[] = {
	{ "circuits", cfg_f_circuits, offsetof(struct cfg_prometheus, preset),
	  0, 0 },
	{ "query", cfg_f_text, offsetof(struct cfg_prometheus, query), 0, 0 },
	{ "labels", cfg_f_labels, 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

/* custom needs its query, the others have theirs; fill the labels. */
static int
cfg_circuits_check(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    struct cfg_prometheus *p)
{
	const struct cfg_circuits	*c = cfg_circuits_find(p->preset);
	char				 w[CFG_WHERE];

	if (p->preset == CIRCUITS_CUSTOM) {
		if (cfg_require(ctx, n, where, "query", p->query) != 0)
			return (-1);
	} else if (p->query != NULL) {
		return (cfg_fail_key(ctx, n, where, "query", "only with "
		    "circuits: custom (%s has its own)", c->name));
	}
	if (p->label_state != NULL && c->state == NULL &&
	    p->preset != CIRCUITS_CUSTOM) {
		cfg_join(w, sizeof w, where, "labels");
		return (cfg_fail_key(ctx, cfg_lookup(ctx, n, "labels"), w,
		    "state", "%s has no state label", c->name));
	}
	cfg_default(&p->label_service, c->service);
	cfg_default(&p->label_dependency, c->dependency);
	cfg_default(&p->label_state, c->state);
	return (0);
}

int
cfg_f_prometheus(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	struct cfg_prometheus	*p = out;
	struct cfg_field	 fields[CFG_MAX_OWN + CFG_NHTTP];

	p->present = 1;
	p->line = (int)cfg_line(n);
	cfg_http_join(fields, cfg_prom_fields,
	    offsetof(struct cfg_prometheus, http));
	if (cfg_mapping(ctx, n, where, fields, p) != 0 ||
	    cfg_http_check(ctx, n, where, &p->http) != 0)
		return (-1);
	return (cfg_circuits_check(ctx, n, where, p));
}

/* Health endpoints ------------------------------------------------------- */

static const struct cfg_field cfg_health_fields[] = {
	{ "name", cfg_f_name, offsetof(struct cfg_health, name), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_health_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_health	*h;
	struct cfg_field	 fields[CFG_MAX_OWN + CFG_NHTTP];
	int			 i;

	env->health = xreallocarray(env->health, env->nhealth + 1,
	    sizeof *env->health);
	h = &env->health[env->nhealth++];
	memset(h, 0, sizeof *h);
	cfg_http_defaults(&h->http, 2000);
	h->line = (int)cfg_line(n);
	cfg_http_join(fields, cfg_health_fields,
	    offsetof(struct cfg_health, http));
	if (cfg_mapping(ctx, n, where, fields, h) != 0 ||
	    cfg_require(ctx, n, where, "name", h->name) != 0 ||
	    cfg_http_check(ctx, n, where, &h->http) != 0)
		return (-1);
	for (i = 0; i < env->nhealth - 1; i++) {
		if (strcmp(env->health[i].name, h->name) == 0)
			return (cfg_dup(ctx, n, where, h->name,
			    env->health[i].line));
	}
	return (0);
}

int
cfg_f_health(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_health_item, out));
}

/* The environment -------------------------------------------------------- */

/* Defaults hold without the sections (--context may add kubernetes). */
void
cfg_http_env_init(struct cfg_env *env)
{
	env->kubernetes.timeout_ms = 10000;
	cfg_http_defaults(&env->prometheus.http, 10000);
	env->prometheus.preset = CIRCUITS_RESILIENCE4J;
}

void
cfg_http_env_free(struct cfg_env *env)
{
	int	i;

	free(env->kubernetes.kubeconfig);
	free(env->kubernetes.context);
	free(env->kubernetes.namespace);
	for (i = 0; i < env->nalertmanager; i++) {
		free(env->alertmanager[i].name);
		cfg_http_free(&env->alertmanager[i].http);
	}
	free(env->alertmanager);
	cfg_http_free(&env->prometheus.http);
	free(env->prometheus.query);
	free(env->prometheus.label_service);
	free(env->prometheus.label_dependency);
	free(env->prometheus.label_state);
	for (i = 0; i < env->nhealth; i++) {
		free(env->health[i].name);
		cfg_http_free(&env->health[i].http);
	}
	free(env->health);
}
