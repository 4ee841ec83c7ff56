/* config_sections.c: the top level, the environments and their database
 * sections (postgres, outbox, redis) of the configuration file: each a
 * table of fields for the walker in config.c, and the checks that span
 * several keys (required keys, unique names, presets, references), and
 * the audit: section (the trail, its key, anchors and mirror), the
 * warroom: section (the Redis that consoles share for an incident).  The
 * sections reached over HTTP are in config_http.c. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "connstr.h"
#include "util.h"
#include "xmalloc.h"

/* Outbox table layouts; NULL is "no such column" or "required". */
static const struct cfg_preset {
	const char	*name;
	const char	*table;
	struct cfg_outbox_columns cols;	/* id, occurred, processed, error,
					 * type */
} cfg_presets[] = {
	{ "outbox-messages", "OutboxMessages",
	  { "Id", "OccurredOn", "ProcessedOn", "Error", "Type" } },
	/* MassTransit deletes delivered rows: every row present is pending. */
	{ "masstransit", "OutboxMessage",
	  { "SequenceNumber", "SentTime", NULL, NULL, NULL } },
	{ "custom", NULL, { NULL, NULL, NULL, NULL, NULL } },
};
#define CFG_NPRESETS	(sizeof cfg_presets / sizeof cfg_presets[0])

static int
cfg_f_preset(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s;
	char		 q[40];
	size_t		 i;

	if (cfg_text(ctx, n, where, CFG_MAX_NAME, &s) != 0)
		return (-1);
	for (i = 0; i < CFG_NPRESETS; i++) {
		if (strcmp(s, cfg_presets[i].name) == 0) {
			cfg_set(out, s);
			return (0);
		}
	}
	return (cfg_fail(ctx, n, where, "unknown preset \"%s\"; expected "
	    "outbox-messages, masstransit or custom",
	    cfg_quote(s, q, sizeof q)));
}

/* Connection strings ----------------------------------------------------- */

static int
cfg_f_conninfo(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	const char	*s;
	char		 why[128];

	if (cfg_text(ctx, n, where, CFG_MAX_TEXT, &s) != 0)
		return (-1);
	if (connstr_pg(s, why, sizeof why) != 0)
		return (cfg_fail(ctx, n, where, "%s", why));
	cfg_set(out, s);
	return (0);
}

/* out is the struct cfg_redis: the URL fills host, port, db, ... */
static int
cfg_f_redis_url(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	struct cfg_redis	*r = out;
	const char		*s;
	char			 why[128];

	if (cfg_text(ctx, n, where, CFG_MAX_TEXT, &s) != 0)
		return (-1);
	if (connstr_redis(s, r, why, sizeof why) != 0)
		return (cfg_fail(ctx, n, where, "%s", why));
	cfg_set(&r->url, s);
	return (0);
}

/* Databases -------------------------------------------------------------- */

static const struct cfg_field cfg_pg_fields[] = {
	{ "name", cfg_f_name, offsetof(struct cfg_postgres, name), 0, 0 },
	{ "conninfo", cfg_f_conninfo,
	  offsetof(struct cfg_postgres, conninfo), 0, 0 },
	{ "service", cfg_f_ident, offsetof(struct cfg_postgres, service), 0,
	  0 },
	{ "password_env", cfg_f_envvar,
	  offsetof(struct cfg_postgres, password_env), 0, 0 },
	{ "password_file", cfg_f_path,
	  offsetof(struct cfg_postgres, password_file), 0, 0 },
	{ "connect_timeout", cfg_f_secs,
	  offsetof(struct cfg_postgres, connect_timeout_s), 1000, 600000 },
	{ "statement_timeout", cfg_f_ms,
	  offsetof(struct cfg_postgres, statement_timeout_ms), 1, 3600000 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_pg_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where, void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_postgres	*pg;
	int			 i;

	env->pg = xreallocarray(env->pg, env->npg + 1, sizeof *env->pg);
	pg = &env->pg[env->npg++];
	memset(pg, 0, sizeof *pg);
	pg->connect_timeout_s = 3;
	pg->statement_timeout_ms = 2000;
	pg->line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_pg_fields, pg) != 0 ||
	    cfg_require(ctx, n, where, "name", pg->name) != 0 ||
	    cfg_one_of(ctx, n, where, "password_env", pg->password_env,
	    "password_file", pg->password_file) != 0)
		return (-1);
	for (i = 0; i < env->npg - 1; i++) {
		if (strcmp(env->pg[i].name, pg->name) == 0)
			return (cfg_dup(ctx, n, where, pg->name,
			    env->pg[i].line));
	}
	return (0);
}

static int
cfg_f_pg(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_pg_item, out));
}

static const struct cfg_field cfg_column_fields[] = {
	{ "id", cfg_f_ident, offsetof(struct cfg_outbox_columns, id), 0, 0 },
	{ "occurred", cfg_f_ident,
	  offsetof(struct cfg_outbox_columns, occurred), 0, 0 },
	{ "processed", cfg_f_ident,
	  offsetof(struct cfg_outbox_columns, processed), 0, 0 },
	{ "error", cfg_f_ident, offsetof(struct cfg_outbox_columns, error), 0,
	  0 },
	{ "type", cfg_f_ident, offsetof(struct cfg_outbox_columns, type), 0,
	  0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_f_columns(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_mapping(ctx, n, where, cfg_column_fields, out));
}

static const struct cfg_field cfg_outbox_fields[] = {
	{ "service", cfg_f_name, offsetof(struct cfg_outbox, service), 0, 0 },
	{ "postgres", cfg_f_name, offsetof(struct cfg_outbox, postgres), 0, 0 },
	{ "database", cfg_f_ident, offsetof(struct cfg_outbox, dbname), 0, 0 },
	{ "schema", cfg_f_ident, offsetof(struct cfg_outbox, schema), 0, 0 },
	{ "table", cfg_f_ident, offsetof(struct cfg_outbox, table), 0, 0 },
	{ "preset", cfg_f_preset, offsetof(struct cfg_outbox, preset), 0, 0 },
	{ "columns", cfg_f_columns, offsetof(struct cfg_outbox, cols), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

/* Fill what the preset knows; custom must name table and columns. */
static int
cfg_outbox_preset(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    struct cfg_outbox *o)
{
	const struct cfg_preset		*p = &cfg_presets[0];
	struct cfg_outbox_columns	*c = &o->cols;
	yaml_node_t			*at;
	char				 w[CFG_WHERE];

	cfg_default(&o->preset, p->name);
	while (strcmp(p->name, o->preset) != 0)
		p++;
	cfg_default(&o->schema, "public");
	cfg_default(&o->table, p->table);
	cfg_default(&c->id, p->cols.id);
	cfg_default(&c->occurred, p->cols.occurred);
	cfg_default(&c->processed, p->cols.processed);
	cfg_default(&c->error, p->cols.error);
	cfg_default(&c->type, p->cols.type);
	if (cfg_require(ctx, n, where, "table", o->table) != 0)
		return (-1);
	if (c->id != NULL && c->occurred != NULL &&
	    (c->processed != NULL || strcmp(p->name, "custom") != 0))
		return (0);
	at = cfg_lookup(ctx, n, "columns");
	cfg_join(w, sizeof w, where, "columns");
	return (cfg_fail(ctx, at != NULL ? at : n, w, "preset %s needs id, "
	    "occurred and processed", p->name));
}

static int
cfg_outbox_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_outbox	*o;

	env->outbox = xreallocarray(env->outbox, env->noutbox + 1,
	    sizeof *env->outbox);
	o = &env->outbox[env->noutbox++];
	memset(o, 0, sizeof *o);
	o->line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_outbox_fields, o) != 0 ||
	    cfg_require(ctx, n, where, "service", o->service) != 0 ||
	    cfg_require(ctx, n, where, "postgres", o->postgres) != 0)
		return (-1);
	return (cfg_outbox_preset(ctx, n, where, o));
}

static int
cfg_f_outbox(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_outbox_item, out));
}

static const struct cfg_field cfg_redis_fields[] = {
	{ "name", cfg_f_name, offsetof(struct cfg_redis, name), 0, 0 },
	{ "url", cfg_f_redis_url, 0, 0, 0 },
	{ "password_env", cfg_f_envvar,
	  offsetof(struct cfg_redis, password_env), 0, 0 },
	{ "password_file", cfg_f_path,
	  offsetof(struct cfg_redis, password_file), 0, 0 },
	{ "connect_timeout", cfg_f_ms,
	  offsetof(struct cfg_redis, connect_timeout_ms), 1, 600000 },
	{ "timeout", cfg_f_ms, offsetof(struct cfg_redis, timeout_ms), 1,
	  600000 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_redis_item(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    void *arg)
{
	struct cfg_env		*env = arg;
	struct cfg_redis	*r;
	int			 i;

	env->redis = xreallocarray(env->redis, env->nredis + 1,
	    sizeof *env->redis);
	r = &env->redis[env->nredis++];
	memset(r, 0, sizeof *r);
	r->port = 6379;
	r->connect_timeout_ms = 2000;
	r->timeout_ms = 2000;
	r->line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_redis_fields, r) != 0 ||
	    cfg_require(ctx, n, where, "name", r->name) != 0 ||
	    cfg_require(ctx, n, where, "url", r->url) != 0 ||
	    cfg_one_of(ctx, n, where, "password_env", r->password_env,
	    "password_file", r->password_file) != 0)
		return (-1);
	for (i = 0; i < env->nredis - 1; i++) {
		if (strcmp(env->redis[i].name, r->name) == 0)
			return (cfg_dup(ctx, n, where, r->name,
			    env->redis[i].line));
	}
	return (0);
}

static int
cfg_f_redis(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_list(ctx, n, where, cfg_redis_item, out));
}

/* Environments ----------------------------------------------------------- */

static const struct cfg_field cfg_env_fields[] = {
	{ "production", cfg_f_bool, offsetof(struct cfg_env, production), 0,
	  0 },
	{ "refresh", cfg_f_ms, offsetof(struct cfg_env, refresh_ms), 100,
	  3600000 },
	{ "postgres", cfg_f_pg, 0, 0, 0 },
	{ "outbox", cfg_f_outbox, 0, 0, 0 },
	{ "redis", cfg_f_redis, 0, 0, 0 },
	{ "kubernetes", cfg_f_kubernetes, offsetof(struct cfg_env, kubernetes),
	  0, 0 },
	{ "alertmanager", cfg_f_alertmanager, 0, 0, 0 },
	{ "prometheus", cfg_f_prometheus, offsetof(struct cfg_env, prometheus),
	  0, 0 },
	{ "health", cfg_f_health, 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

/* Every outbox names a postgres entry of its environment (which may come
 * later in the file, so this runs once the environment is read). */
static int
cfg_outbox_refs(struct cfg_ctx *ctx, const struct cfg_env *env,
    yaml_node_t *n, const char *where)
{
	yaml_node_t	*at;
	char		 w[CFG_WHERE + 32], known[160];
	int		 i, j;

	for (i = 0; i < env->noutbox; i++) {
		if (config_pg(env, env->outbox[i].postgres) != NULL)
			continue;
		at = cfg_lookup(ctx, cfg_item(ctx, cfg_lookup(ctx, n,
		    "outbox"), i), "postgres");
		snprintf(w, sizeof w, "%s.outbox[%d].postgres", where, i);
		*known = '\0';
		for (j = 0; j < env->npg; j++)
			cfg_list_add(known, sizeof known, env->pg[j].name);
		return (cfg_fail(ctx, at != NULL ? at : n, w, "no postgres "
		    "\"%s\" in %s (known: %s)", env->outbox[i].postgres,
		    env->name, *known != '\0' ? known : "none"));
	}
	return (0);
}

static int
cfg_env(struct cfg_ctx *ctx, struct config *cfg, yaml_node_t *k,
    yaml_node_t *v)
{
	struct cfg_env	*env;
	const char	*s = cfg_scalar(k);
	char		 w[CFG_WHERE], q[40];
	int		 i;

	if (s == NULL || !cfg_name_ok(s)) {
		return (cfg_fail(ctx, k, "environments", "bad environment "
		    "name \"%s\": use at most 63 letters, digits, '.', '_' "
		    "and '-'",
		    s != NULL ? cfg_quote(s, q, sizeof q) : "?"));
	}
	snprintf(w, sizeof w, "environments.%s", s);
	for (i = 0; i < cfg->nenvs; i++) {
		if (strcmp(cfg->envs[i].name, s) == 0) {
			return (cfg_fail(ctx, k, w, "given twice (first on "
			    "line %d)", cfg->envs[i].line));
		}
	}
	cfg->envs = xreallocarray(cfg->envs, cfg->nenvs + 1,
	    sizeof *cfg->envs);
	env = &cfg->envs[cfg->nenvs++];
	memset(env, 0, sizeof *env);
	env->name = xstrdup(s);
	env->refresh_ms = 2000;
	env->line = (int)cfg_line(k);
	cfg_http_env_init(env);
	if (cfg_mapping(ctx, v, w, cfg_env_fields, env) != 0)
		return (-1);
	return (cfg_outbox_refs(ctx, env, v, w));
}

static int
cfg_f_envs(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	yaml_node_pair_t	*p;

	if (n->type != YAML_MAPPING_NODE || n->data.mapping.pairs.start ==
	    n->data.mapping.pairs.top) {
		return (cfg_fail(ctx, n, where, "expected a mapping of "
		    "environments (prod: ..., staging: ...)"));
	}
	if (n->data.mapping.pairs.top - n->data.mapping.pairs.start >
	    CFG_MAX_ITEMS)
		return (cfg_fail(ctx, n, where, "more than %d environments",
		    CFG_MAX_ITEMS));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		if (cfg_env(ctx, out, cfg_node(ctx, p->key),
		    cfg_node(ctx, p->value)) != 0)
			return (-1);
	}
	return (0);
}

/* The audit trail ----------------------------------------------------------
 * audit: path, key_file, anchor_every, anchors: {file, postgres, redis},
 * mirror: {postgres}.  Its servers are like an environment's, without a
 * name, with a table (or a Redis key) of their own. */

static int
cfg_f_count(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	const char	*s = cfg_scalar(n);
	char		*end;
	long		 v;

	if (s == NULL || *s < '0' || *s > '9')
		return (cfg_fail(ctx, n, where, "expected a whole number"));
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < f->min || v > f->max)
		return (cfg_fail(ctx, n, where, "expected a whole number "
		    "from %d to %d", f->min, f->max));
	*(int *)out = (int)v;
	return (0);
}

static const struct cfg_field cfg_audit_pg_fields[] = {
	{ "conninfo", cfg_f_conninfo,
	  offsetof(struct cfg_audit_pg, pg.conninfo), 0, 0 },
	{ "service", cfg_f_ident, offsetof(struct cfg_audit_pg, pg.service),
	  0, 0 },
	{ "password_env", cfg_f_envvar,
	  offsetof(struct cfg_audit_pg, pg.password_env), 0, 0 },
	{ "password_file", cfg_f_path,
	  offsetof(struct cfg_audit_pg, pg.password_file), 0, 0 },
	{ "connect_timeout", cfg_f_secs,
	  offsetof(struct cfg_audit_pg, pg.connect_timeout_s), 1000, 600000 },
	{ "statement_timeout", cfg_f_ms,
	  offsetof(struct cfg_audit_pg, pg.statement_timeout_ms), 1, 3600000 },
	{ "table", cfg_f_ident, offsetof(struct cfg_audit_pg, table), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_audit_pg(struct cfg_ctx *ctx, yaml_node_t *n, const char *where,
    struct cfg_audit_pg **out, const char *table)
{
	struct cfg_audit_pg	*p;

	if (*out == NULL)
		*out = xcalloc(1, sizeof **out);
	p = *out;
	p->pg.connect_timeout_s = 3;
	p->pg.statement_timeout_ms = 2000;
	p->pg.line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_audit_pg_fields, p) != 0 ||
	    cfg_one_of(ctx, n, where, "password_env", p->pg.password_env,
	    "password_file", p->pg.password_file) != 0)
		return (-1);
	cfg_default(&p->pg.name, "audit");
	cfg_default(&p->table, table);
	return (0);
}

static int
cfg_f_anchor_pg(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	return (cfg_audit_pg(ctx, n, where, out, "sitrep_audit_anchor"));
}

static int
cfg_f_mirror_pg(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	return (cfg_audit_pg(ctx, n, where, out, "sitrep_audit"));
}

static const struct cfg_field cfg_audit_redis_fields[] = {
	{ "url", cfg_f_redis_url, 0, 0, 0 },
	{ "password_env", cfg_f_envvar,
	  offsetof(struct cfg_audit_redis, redis.password_env), 0, 0 },
	{ "password_file", cfg_f_path,
	  offsetof(struct cfg_audit_redis, redis.password_file), 0, 0 },
	{ "connect_timeout", cfg_f_ms,
	  offsetof(struct cfg_audit_redis, redis.connect_timeout_ms), 1,
	  600000 },
	{ "timeout", cfg_f_ms, offsetof(struct cfg_audit_redis,
	  redis.timeout_ms), 1, 600000 },
	{ "key", cfg_f_text, offsetof(struct cfg_audit_redis, key), 0, 512 },
	{ NULL, NULL, 0, 0, 0 }
};

/* out is a struct cfg_audit_redis **; its redis member comes first, so the
 * url parser (which fills a struct cfg_redis) works on it. */
static int
cfg_f_anchor_redis(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	struct cfg_audit_redis	**rp = out, *r;

	if (*rp == NULL)
		*rp = xcalloc(1, sizeof **rp);
	r = *rp;
	r->redis.port = 6379;
	r->redis.connect_timeout_ms = 2000;
	r->redis.timeout_ms = 2000;
	r->redis.line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_audit_redis_fields, r) != 0 ||
	    cfg_require(ctx, n, where, "url", r->redis.url) != 0 ||
	    cfg_one_of(ctx, n, where, "password_env", r->redis.password_env,
	    "password_file", r->redis.password_file) != 0)
		return (-1);
	cfg_default(&r->redis.name, "audit");
	cfg_default(&r->key, "sitrep:audit:head");
	return (0);
}

static const struct cfg_field cfg_anchor_fields[] = {
	{ "file", cfg_f_path, offsetof(struct cfg_audit, anchor_file), 0, 0 },
	{ "postgres", cfg_f_anchor_pg, offsetof(struct cfg_audit, anchor_pg),
	  0, 0 },
	{ "redis", cfg_f_anchor_redis,
	  offsetof(struct cfg_audit, anchor_redis), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_f_anchors(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_mapping(ctx, n, where, cfg_anchor_fields, out));
}

static const struct cfg_field cfg_mirror_fields[] = {
	{ "postgres", cfg_f_mirror_pg, offsetof(struct cfg_audit, mirror_pg),
	  0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_f_mirror(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	return (cfg_mapping(ctx, n, where, cfg_mirror_fields, out));
}

static const struct cfg_field cfg_audit_fields[] = {
	{ "path", cfg_f_path, offsetof(struct cfg_audit, path), 0, 0 },
	{ "key_file", cfg_f_path, offsetof(struct cfg_audit, key_file), 0, 0 },
	{ "anchor_every", cfg_f_count,
	  offsetof(struct cfg_audit, anchor_every), 1, 1000000 },
	{ "anchors", cfg_f_anchors, 0, 0, 0 },
	{ "mirror", cfg_f_mirror, 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_f_audit(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	struct cfg_audit	*a = out;

	a->present = 1;
	a->line = (int)cfg_line(n);
	a->anchor_every = AUDIT_ANCHOR_EVERY_DEFAULT;
	return (cfg_mapping(ctx, n, where, cfg_audit_fields, a));
}

static void
cfg_audit_pg_free(struct cfg_audit_pg *p)
{
	if (p == NULL)
		return;
	free(p->pg.name);
	free(p->pg.conninfo);
	free(p->pg.service);
	free(p->pg.password_env);
	free(p->pg.password_file);
	free(p->table);
	free(p);
}

void
cfg_audit_free(struct cfg_audit *a)
{
	struct cfg_audit_redis	*r = a->anchor_redis;

	free(a->path);
	free(a->key_file);
	free(a->anchor_file);
	cfg_audit_pg_free(a->anchor_pg);
	cfg_audit_pg_free(a->mirror_pg);
	if (r != NULL) {
		free(r->redis.name);
		free(r->redis.url);
		free(r->redis.host);
		free(r->redis.username);
		free(r->redis.password_env);
		free(r->redis.password_file);
		free(r->key);
		free(r);
	}
	memset(a, 0, sizeof *a);
}

/* The war room ---------------------------------------------------------------
 * warroom: redis: {url, username, password_env, password_file,
 * connect_timeout, timeout}, prefix, stream_maxlen, presence_ttl,
 * approval_ttl (docs/warroom.md). */

static const struct cfg_field cfg_warroom_redis_fields[] = {
	{ "url", cfg_f_redis_url, 0, 0, 0 },
	{ "username", cfg_f_text, offsetof(struct cfg_redis, username), 0,
	  128 },
	{ "password_env", cfg_f_envvar,
	  offsetof(struct cfg_redis, password_env), 0, 0 },
	{ "password_file", cfg_f_path,
	  offsetof(struct cfg_redis, password_file), 0, 0 },
	{ "connect_timeout", cfg_f_ms,
	  offsetof(struct cfg_redis, connect_timeout_ms), 1, 600000 },
	{ "timeout", cfg_f_ms, offsetof(struct cfg_redis, timeout_ms), 1,
	  600000 },
	{ NULL, NULL, 0, 0, 0 }
};

/* out is the struct cfg_redis of the section. */
static int
cfg_f_warroom_redis(struct cfg_ctx *ctx, const struct cfg_field *f,
    yaml_node_t *n, const char *where, void *out)
{
	struct cfg_redis	*r = out;

	r->line = (int)cfg_line(n);
	if (cfg_mapping(ctx, n, where, cfg_warroom_redis_fields, r) != 0 ||
	    cfg_require(ctx, n, where, "url", r->url) != 0 ||
	    cfg_one_of(ctx, n, where, "password_env", r->password_env,
	    "password_file", r->password_file) != 0)
		return (-1);
	cfg_default(&r->name, "warroom");
	return (0);
}

static const struct cfg_field cfg_warroom_fields[] = {
	{ "redis", cfg_f_warroom_redis, offsetof(struct cfg_warroom, redis),
	  0, 0 },
	{ "prefix", cfg_f_text, offsetof(struct cfg_warroom, prefix), 0, 128 },
	{ "stream_maxlen", cfg_f_count, offsetof(struct cfg_warroom, maxlen),
	  100, 100000000 },
	{ "presence_ttl", cfg_f_ms,
	  offsetof(struct cfg_warroom, presence_ttl_ms), 1000, 600000 },
	{ "approval_ttl", cfg_f_ms,
	  offsetof(struct cfg_warroom, approval_ttl_ms), 1000, 86400000 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
cfg_f_warroom(struct cfg_ctx *ctx, const struct cfg_field *f, yaml_node_t *n,
    const char *where, void *out)
{
	struct cfg_warroom	*w = out;

	w->present = 1;
	w->line = (int)cfg_line(n);
	w->maxlen = 10000;
	w->presence_ttl_ms = 15000;
	w->approval_ttl_ms = 300000;
	w->redis.port = 6379;
	w->redis.connect_timeout_ms = 2000;
	w->redis.timeout_ms = 2000;
	if (cfg_mapping(ctx, n, where, cfg_warroom_fields, w) != 0 ||
	    cfg_require(ctx, n, where, "redis", w->redis.url) != 0)
		return (-1);
	cfg_default(&w->prefix, "sitrep:");
	return (0);
}

void
cfg_warroom_free(struct cfg_warroom *w)
{
	free(w->redis.name);
	free(w->redis.url);
	free(w->redis.host);
	free(w->redis.username);
	free(w->redis.password_env);
	free(w->redis.password_file);
	free(w->prefix);
	memset(w, 0, sizeof *w);
}

/* The top level ----------------------------------------------------------- */

static const struct cfg_field cfg_top_fields[] = {
	{ "default_environment", cfg_f_name,
	  offsetof(struct config, default_env), 0, 0 },
	{ "environments", cfg_f_envs, 0, 0, 0 },
	{ "audit", cfg_f_audit, offsetof(struct config, audit), 0, 0 },
	{ "warroom", cfg_f_warroom, offsetof(struct config, warroom), 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

int
cfg_top(struct cfg_ctx *ctx, yaml_node_t *root, struct config *cfg)
{
	char	known[160];
	int	i;

	if (root->type != YAML_MAPPING_NODE) {
		return (cfg_fail(ctx, root, NULL, "the file must be a mapping "
		    "with an environments key"));
	}
	if (cfg_mapping(ctx, root, "", cfg_top_fields, cfg) != 0 ||
	    cfg_require(ctx, root, "", "environments", cfg->envs) != 0)
		return (-1);
	if (cfg->default_env == NULL)
		return (0);
	*known = '\0';
	for (i = 0; i < cfg->nenvs; i++) {
		if (strcmp(cfg->envs[i].name, cfg->default_env) == 0)
			return (0);
		cfg_list_add(known, sizeof known, cfg->envs[i].name);
	}
	return (cfg_fail(ctx, cfg_lookup(ctx, root, "default_environment"),
	    "default_environment", "no environment \"%s\" (known: %s)",
	    cfg->default_env, known));
}

void
cfg_env_free(struct cfg_env *env)
{
	struct cfg_outbox_columns	*c;
	int				 i;

	for (i = 0; i < env->npg; i++) {
		free(env->pg[i].name);
		free(env->pg[i].conninfo);
		free(env->pg[i].service);
		free(env->pg[i].password_env);
		free(env->pg[i].password_file);
	}
	for (i = 0; i < env->noutbox; i++) {
		c = &env->outbox[i].cols;
		free(env->outbox[i].service);
		free(env->outbox[i].postgres);
		free(env->outbox[i].dbname);
		free(env->outbox[i].schema);
		free(env->outbox[i].table);
		free(env->outbox[i].preset);
		free(c->id);
		free(c->occurred);
		free(c->processed);
		free(c->error);
		free(c->type);
	}
	for (i = 0; i < env->nredis; i++) {
		free(env->redis[i].name);
		free(env->redis[i].url);
		free(env->redis[i].host);
		free(env->redis[i].username);
		free(env->redis[i].password_env);
		free(env->redis[i].password_file);
	}
	cfg_http_env_free(env);
	free(env->pg);
	free(env->outbox);
	free(env->redis);
	free(env->name);
}
