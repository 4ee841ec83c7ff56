/* sim_scenario.c: scenario files (scenarios/NAME.yaml) and their events.
 *
 *	name: oom-crashloop
 *	description: what happens and what the operator should do
 *	seed: 7				# default seed (sim_new's 0)
 *	duration: 20m			# suggested length, informational
 *	deployments:			# optional changes to the world
 *	  inventory: {replicas: 3, memory_mib: 512, base_mib: 330}
 *	events:				# run in order of `at`
 *	  - {at: 30s, fault: memory-leak, target: inventory, rate: 1, max: 120}
 *	  - {at: 12m, action: set-memory-limit, deployment: inventory, mib: 1024}
 *
 * An event is a fault (the table below) or an action (sim_action, its
 * arguments as keys).  Everything is checked at load time; errors name the
 * file and line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "paths.h"
#include "sim_world.h"
#include "xmalloc.h"

enum sc_target { T_NONE, T_DEPLOY, T_OUTBOX, T_SERVER, T_SLOT };

struct sc_fault {
	const char	*name;
	enum sc_target	 target;
	const char	*keys;		/* numeric keys allowed, " a b " */
	const char	*required;	/* the one required, or NULL */
	void		(*apply)(struct sim *, const struct sim_event *, int);
};

struct sc_ctx {
	const char		*path;
	yaml_document_t		*doc;
	struct sim_scenario	*sc;
	struct error		*err;
};

static void	fault_leak(struct sim *, const struct sim_event *, int);
static void	fault_image(struct sim *, const struct sim_event *, int);
static void	fault_broker_down(struct sim *, const struct sim_event *, int);
static void	fault_broker_up(struct sim *, const struct sim_event *, int);
static void	fault_primary(struct sim *, const struct sim_event *, int);
static void	fault_stall(struct sim *, const struct sim_event *, int);
static void	fault_bw(struct sim *, const struct sim_event *, int);
static void	fault_slot_off(struct sim *, const struct sim_event *, int);
static void	fault_slot_on(struct sim *, const struct sim_event *, int);
static void	fault_load(struct sim *, const struct sim_event *, int);
static void	fault_redis_down(struct sim *, const struct sim_event *, int);
static void	fault_redis_up(struct sim *, const struct sim_event *, int);

static const struct sc_fault sc_faults[] = {
	{ "memory-leak", T_DEPLOY, " rate max ", "rate", fault_leak },
	{ "bad-image", T_DEPLOY, "", NULL, fault_image },
	{ "broker-down", T_OUTBOX, "", NULL, fault_broker_down },
	{ "broker-up", T_OUTBOX, "", NULL, fault_broker_up },
	{ "primary-down", T_NONE, "", NULL, fault_primary },
	{ "replay-stall", T_SERVER, "", NULL, fault_stall },
	{ "replication-bandwidth", T_SERVER, " mib ", "mib", fault_bw },
	{ "slot-inactive", T_SLOT, "", NULL, fault_slot_off },
	{ "slot-active", T_SLOT, "", NULL, fault_slot_on },
	{ "load", T_NONE, " factor ", "factor", fault_load },
	{ "redis-replica-link-down", T_NONE, "", NULL, fault_redis_down },
	{ "redis-replica-link-up", T_NONE, "", NULL, fault_redis_up },
};
#define NFAULTS	((int)(sizeof sc_faults / sizeof sc_faults[0]))

/* Parsing helpers ------------------------------------------------------- */
static int __attribute__((format(printf, 3, 4)))
sc_fail(struct sc_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char	msg[200];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	error_set(c->err, "%s:%lu: %s", c->path,
	    n != NULL ? (unsigned long)n->start_mark.line + 1 : 1UL, msg);
	return (-1);
}

static yaml_node_t *
sc_node(struct sc_ctx *c, int id)
{
	return (yaml_document_get_node(c->doc, id));
}

static const char *
sc_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return (NULL);
	return ((const char *)n->data.scalar.value);
}

static int
sc_string(struct sc_ctx *c, yaml_node_t *n, char *out, size_t len,
    const char *what)
{
	const char	*v = sc_scalar(n);

	if (v == NULL)
		return (sc_fail(c, n, "%s must be a string", what));
	if (strlen(v) >= len)
		return (sc_fail(c, n, "%s is too long (max %zu)", what,
		    len - 1));
	strlcpy_(out, v, len);
	return (0);
}

static int
sc_int(struct sc_ctx *c, yaml_node_t *n, const char *what, long lo,
    long hi, int *out)
{
	const char	*v = sc_scalar(n);
	char		*end;
	long		 x;

	if (v == NULL)
		return (sc_fail(c, n, "%s must be a number", what));
	errno = 0;
	x = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || x < lo || x > hi)
		return (sc_fail(c, n, "%s: '%s' is not a whole number from "
		    "%ld to %ld", what, v, lo, hi));
	*out = (int)x;
	return (0);
}

static int
sc_duration(struct sc_ctx *c, yaml_node_t *n, const char *what,
    int64_t *out)
{
	const char	*v = sc_scalar(n);

	if (v == NULL || (*out = parse_duration(v)) < 0)
		return (sc_fail(c, n, "%s: '%s' is not a duration (90s, 5m, "
		    "1h)", what, v != NULL ? v : "?"));
	return (0);
}

static int
sc_seed(struct sc_ctx *c, yaml_node_t *n)
{
	const char		*v = sc_scalar(n);
	char			*end;
	unsigned long long	 x;

	if (v == NULL || *v < '0' || *v > '9')
		return (sc_fail(c, n, "seed must be a positive number"));
	errno = 0;
	x = strtoull(v, &end, 0);
	if (*end != '\0' || errno != 0 || x == 0)
		return (sc_fail(c, n, "seed: '%s' is not a positive number",
		    v));
	c->sc->seed = x;
	return (0);
}

/* Deployment overrides -------------------------------------------------- */
static int
sc_override_key(struct sc_ctx *c, struct sim_override *o, yaml_node_t *k,
    yaml_node_t *v)
{
	const char	*key = sc_scalar(k);

	if (key == NULL)
		return (sc_fail(c, k, "keys must be strings"));
	if (strcmp(key, "replicas") == 0)
		return (sc_int(c, v, key, 0, SIM_MAX_REPLICAS, &o->replicas));
	if (strcmp(key, "memory_mib") == 0)
		return (sc_int(c, v, key, 64, 65536, &o->memory_mib));
	if (strcmp(key, "base_mib") == 0)
		return (sc_int(c, v, key, 16, 65536, &o->base_mib));
	return (sc_fail(c, k, "unknown deployment setting '%s' (replicas, "
	    "memory_mib, base_mib)", key));
}

static int
sc_override(struct sc_ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sim_override	*o;
	yaml_node_pair_t	*p;

	if (c->sc->nov >= SIM_MAX_DEPLOYS)
		return (sc_fail(c, k, "too many deployments"));
	o = &c->sc->ov[c->sc->nov++];
	o->replicas = o->memory_mib = o->base_mib = -1;
	o->line = (int)k->start_mark.line + 1;
	if (sc_string(c, k, o->dep, sizeof o->dep, "deployment name") != 0)
		return (-1);
	if (v->type != YAML_MAPPING_NODE)
		return (sc_fail(c, v, "deployment %s: expected a mapping of "
		    "settings", o->dep));
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	    p++)
		if (sc_override_key(c, o, sc_node(c, p->key),
		    sc_node(c, p->value)) != 0)
			return (-1);
	return (0);
}

static int
sc_overrides(struct sc_ctx *c, yaml_node_t *n)
{
	yaml_node_pair_t	*p;

	if (n->type != YAML_MAPPING_NODE)
		return (sc_fail(c, n, "deployments must be a mapping"));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++)
		if (sc_override(c, sc_node(c, p->key),
		    sc_node(c, p->value)) != 0)
			return (-1);
	return (0);
}

/* Events ---------------------------------------------------------------- */
static const struct sc_fault *
sc_fault_find(const char *name)
{
	int	i;

	for (i = 0; i < NFAULTS; i++)
		if (strcmp(sc_faults[i].name, name) == 0)
			return (&sc_faults[i]);
	return (NULL);
}

static const char *
sc_arg(const struct sim_event *ev, const char *key)
{
	size_t	len = strlen(key);
	int	i;

	for (i = 0; i < ev->nargs; i++)
		if (strncmp(ev->args[i], key, len) == 0 &&
		    ev->args[i][len] == '=')
			return (ev->args[i] + len + 1);
	return (NULL);
}

static int
sc_has_word(const char *list, const char *word)
{
	char	buf[80];

	snprintf(buf, sizeof buf, " %s ", word);
	return (strstr(list, buf) != NULL);
}

/* A fault's arguments: a target if it takes one, numbers otherwise. */
static int
sc_check_fault(struct sc_ctx *c, yaml_node_t *n, const struct sim_event *ev)
{
	const struct sc_fault	*f = sc_fault_find(ev->what);
	char			 key[64], *end;
	const char		*eq;
	int			 i;

	for (i = 0; i < ev->nargs; i++) {
		eq = strchr(ev->args[i], '=');
		snprintf(key, sizeof key, "%.*s", (int)(eq - ev->args[i]),
		    ev->args[i]);
		if (strcmp(key, "target") == 0 && f->target != T_NONE)
			continue;
		if (!sc_has_word(f->keys, key))
			return (sc_fail(c, n, "fault %s: unknown argument "
			    "'%s'", f->name, key));
		if (strtod(eq + 1, &end) < 0 || *end != '\0' || end == eq + 1)
			return (sc_fail(c, n, "fault %s: %s must be a "
			    "number >= 0", f->name, key));
	}
	if (f->target != T_NONE && sc_arg(ev, "target") == NULL)
		return (sc_fail(c, n, "fault %s needs a target", f->name));
	if (f->required != NULL && sc_arg(ev, f->required) == NULL)
		return (sc_fail(c, n, "fault %s needs %s", f->name,
		    f->required));
	return (0);
}

static int
sc_check_event(struct sc_ctx *c, yaml_node_t *n, struct sim_event *ev)
{
	const char	*argv[SIM_MAX_EVENT_ARGS];
	struct error	 e;
	int		 i;

	if (!ev->is_action) {
		if (sc_fault_find(ev->what) == NULL)
			return (sc_fail(c, n, "unknown fault '%s'", ev->what));
		return (sc_check_fault(c, n, ev));
	}
	for (i = 0; i < ev->nargs; i++)
		argv[i] = ev->args[i];
	if (sim_action_check(ev->what, ev->nargs, argv, &e) != 0)
		return (sc_fail(c, n, "%s", e.msg));
	return (0);
}

static int
sc_event_key(struct sc_ctx *c, struct sim_event *ev, yaml_node_t *k,
    yaml_node_t *v, int *have_at)
{
	const char	*key = sc_scalar(k), *val = sc_scalar(v);

	if (key == NULL || val == NULL)
		return (sc_fail(c, k, "event keys and values must be "
		    "strings or numbers"));
	if (strcmp(key, "at") == 0) {
		*have_at = 1;
		return (sc_duration(c, v, "at", &ev->at));
	}
	if (strcmp(key, "fault") == 0 || strcmp(key, "action") == 0) {
		if (ev->what[0] != '\0')
			return (sc_fail(c, k, "an event is one fault or one "
			    "action"));
		ev->is_action = key[0] == 'a';
		return (sc_string(c, v, ev->what, sizeof ev->what, key));
	}
	if (ev->nargs >= SIM_MAX_EVENT_ARGS)
		return (sc_fail(c, k, "too many arguments"));
	if (strlen(key) + strlen(val) + 2 > sizeof ev->args[0])
		return (sc_fail(c, v, "%s: value too long", key));
	snprintf(ev->args[ev->nargs++], sizeof ev->args[0], "%s=%s", key,
	    val);
	return (0);
}

static int
sc_event(struct sc_ctx *c, yaml_node_t *n, struct sim_event *ev)
{
	yaml_node_pair_t	*p;
	int			 have_at = 0;

	memset(ev, 0, sizeof *ev);
	ev->line = (int)n->start_mark.line + 1;
	if (n->type != YAML_MAPPING_NODE)
		return (sc_fail(c, n, "an event must be a mapping (at, "
		    "fault or action, arguments)"));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++)
		if (sc_event_key(c, ev, sc_node(c, p->key),
		    sc_node(c, p->value), &have_at) != 0)
			return (-1);
	if (!have_at)
		return (sc_fail(c, n, "event without 'at'"));
	if (ev->what[0] == '\0')
		return (sc_fail(c, n, "event without 'fault' or 'action'"));
	return (sc_check_event(c, n, ev));
}

static void
sc_sort_events(struct sim_scenario *sc)
{
	struct sim_event	tmp;
	int			i, j;

	for (i = 1; i < sc->nev; i++) {
		tmp = sc->ev[i];
		for (j = i; j > 0 && sc->ev[j - 1].at > tmp.at; j--)
			sc->ev[j] = sc->ev[j - 1];
		sc->ev[j] = tmp;
	}
}

static int
sc_events(struct sc_ctx *c, yaml_node_t *n)
{
	yaml_node_item_t	*it;
	int			 count;

	if (n->type != YAML_SEQUENCE_NODE)
		return (sc_fail(c, n, "events must be a list"));
	count = (int)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	c->sc->ev = xcalloc(count > 0 ? count : 1, sizeof *c->sc->ev);
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (sc_event(c, sc_node(c, *it), &c->sc->ev[c->sc->nev]) != 0)
			return (-1);
		c->sc->nev++;
	}
	sc_sort_events(c->sc);
	return (0);
}

/* The document ---------------------------------------------------------- */
static int
sc_top_key(struct sc_ctx *c, yaml_node_t *k, yaml_node_t *v)
{
	struct sim_scenario	*sc = c->sc;
	const char		*key = sc_scalar(k);

	if (key == NULL)
		return (sc_fail(c, k, "keys must be strings"));
	if (strcmp(key, "name") == 0)
		return (sc_string(c, v, sc->name, sizeof sc->name, key));
	if (strcmp(key, "description") == 0)
		return (sc_string(c, v, sc->description,
		    sizeof sc->description, key));
	if (strcmp(key, "seed") == 0)
		return (sc_seed(c, v));
	if (strcmp(key, "duration") == 0)
		return (sc_duration(c, v, key, &sc->duration));
	if (strcmp(key, "deployments") == 0)
		return (sc_overrides(c, v));
	if (strcmp(key, "events") == 0)
		return (sc_events(c, v));
	return (sc_fail(c, k, "unknown key '%s' (name, description, seed, "
	    "duration, deployments, events)", key));
}

static int
sc_document(struct sc_ctx *c)
{
	yaml_node_t		*root = yaml_document_get_root_node(c->doc);
	yaml_node_pair_t	*p;

	if (root == NULL)
		return (sc_fail(c, NULL, "empty scenario"));
	if (root->type != YAML_MAPPING_NODE)
		return (sc_fail(c, root, "a scenario is a mapping (name, "
		    "description, seed, events)"));
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++)
		if (sc_top_key(c, sc_node(c, p->key),
		    sc_node(c, p->value)) != 0)
			return (-1);
	return (0);
}

static int
sc_resolve(const char *what, char *path, size_t len, struct error *err)
{
	const char	*dirs[4];
	char		 file[256];
	size_t		 n = strlen(what);

	if (strchr(what, '/') != NULL || (n > 5 &&
	    strcmp(what + n - 5, ".yaml") == 0)) {
		strlcpy_(path, what, len);
		return (0);
	}
	snprintf(file, sizeof file, "%s.yaml", what);
	if (paths_find("scenarios", file, path, len) == 0)
		return (0);
	n = (size_t)paths_datadirs(dirs, 4);
	error_set(err, "scenario '%s' not found in %s/scenarios%s", what,
	    n > 0 ? dirs[0] : ".", n > 1 ? " or the other data directories" :
	    "");
	return (-1);
}

static void
sc_default_name(struct sim_scenario *sc)
{
	const char	*base = strrchr(sc->path, '/');
	char		*dot;

	if (sc->name[0] != '\0')
		return;
	strlcpy_(sc->name, base != NULL ? base + 1 : sc->path,
	    sizeof sc->name);
	if ((dot = strrchr(sc->name, '.')) != NULL)
		*dot = '\0';
}

static int
sc_parse(struct sc_ctx *c, FILE *f)
{
	yaml_parser_t	parser;
	yaml_document_t	doc;
	int		rc;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		error_set(c->err, "%s:%lu: %s%s%s", c->path,
		    (unsigned long)parser.problem_mark.line + 1,
		    parser.problem != NULL ? parser.problem : "syntax error",
		    parser.context != NULL ? " " : "",
		    parser.context != NULL ? parser.context : "");
		yaml_parser_delete(&parser);
		return (-1);
	}
	c->doc = &doc;
	rc = sc_document(c);
	c->doc = NULL;		/* doc ends with this function */
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return (rc);
}

int
sim_scenario_load(struct sim_scenario *sc, const char *what,
    struct error *err)
{
	struct sc_ctx	c;
	FILE		*f;
	int		 rc;

	memset(sc, 0, sizeof *sc);
	sc->seed = 1;
	if (sc_resolve(what, sc->path, sizeof sc->path, err) != 0)
		return (-1);
	if ((f = fopen(sc->path, "r")) == NULL) {
		error_set(err, "%s: %s", sc->path, strerror(errno));
		return (-1);
	}
	c.path = sc->path;
	c.sc = sc;
	c.err = err;
	rc = sc_parse(&c, f);
	fclose(f);
	if (rc != 0) {
		sim_scenario_free(sc);
		return (-1);
	}
	sc_default_name(sc);
	return (0);
}

void
sim_scenario_free(struct sim_scenario *sc)
{
	free(sc->ev);
	sc->ev = NULL;
	sc->nev = 0;
}

/* Against the world ----------------------------------------------------- */

/* The index of an event's target in the world, or -1 with err filled. */
static int
sc_target(struct sim *s, const struct sim_event *ev, struct error *err)
{
	const struct sc_fault	*f = sc_fault_find(ev->what);
	const char		*t = sc_arg(ev, "target");
	int			 i = -1;

	switch (f->target) {
	case T_NONE:
		return (0);
	case T_DEPLOY:
	case T_OUTBOX:
		i = sim_kube_find(s, t);
		if (i >= 0 && f->target == T_OUTBOX && !s->dep[i].ob.on)
			i = -1;
		break;
	case T_SERVER:
		i = sim_pg_find(s, t);
		break;
	case T_SLOT:
		i = sim_pg_slot_find(s, t);
		break;
	}
	if (i < 0)
		error_set(err, "%s:%d: fault %s: no %s '%s'", s->sc.path,
		    ev->line, f->name, f->target == T_DEPLOY ? "deployment" :
		    f->target == T_OUTBOX ? "service with an outbox" :
		    f->target == T_SERVER ? "database server" :
		    "replication slot", t);
	return (i);
}

int
sim_scenario_check(struct sim *s, struct error *err)
{
	struct sim_scenario	*sc = &s->sc;
	int			 i;

	for (i = 0; i < sc->nov; i++) {
		if (sim_kube_find(s, sc->ov[i].dep) < 0) {
			error_set(err, "%s:%d: no deployment '%s'", sc->path,
			    sc->ov[i].line, sc->ov[i].dep);
			return (-1);
		}
	}
	for (i = 0; i < sc->nev; i++)
		if (!sc->ev[i].is_action && sc_target(s, &sc->ev[i], err) < 0)
			return (-1);
	return (0);
}

void
sim_scenario_apply_world(struct sim *s)
{
	struct sim_override	*o;
	struct sim_deploy	*d;
	int			 i;

	for (i = 0; i < s->sc.nov; i++) {
		o = &s->sc.ov[i];
		d = &s->dep[sim_kube_find(s, o->dep)];
		if (o->replicas >= 0)
			d->desired = o->replicas;
		if (o->memory_mib >= 0)
			d->cur.limit_mib = o->memory_mib;
		if (o->base_mib >= 0)
			d->base_mib = o->base_mib;
	}
}

static void
sc_run(struct sim *s, const struct sim_event *ev)
{
	const char	*argv[SIM_MAX_EVENT_ARGS];
	char		 out[256];
	struct error	 err;
	int		 i;

	if (ev->is_action) {
		for (i = 0; i < ev->nargs; i++)
			argv[i] = ev->args[i];
		if (sim_action_run(s, ev->what, ev->nargs, argv, out,
		    sizeof out, &err) != 0)
			snprintf(s->event_error, sizeof s->event_error,
			    "%s:%d: %s", s->sc.path, ev->line, err.msg);
		return;
	}
	if ((i = sc_target(s, ev, &err)) < 0) {
		strlcpy_(s->event_error, err.msg, sizeof s->event_error);
		return;
	}
	sc_fault_find(ev->what)->apply(s, ev, i);
}

void
sim_scenario_due(struct sim *s)
{
	struct sim_scenario	*sc = &s->sc;

	while (sc->next < sc->nev && sc->ev[sc->next].at <= s->t)
		sc_run(s, &sc->ev[sc->next++]);
}

/* Faults ---------------------------------------------------------------- */
static double
sc_num(const struct sim_event *ev, const char *key)
{
	const char	*v = sc_arg(ev, key);

	return (v != NULL ? strtod(v, NULL) : 0);
}

static void
fault_leak(struct sim *s, const struct sim_event *ev, int i)
{
	sim_kube_leak(s, i, sc_num(ev, "rate"), sc_num(ev, "max"));
}

static void
fault_image(struct sim *s, const struct sim_event *ev, int i)
{
	sim_kube_bad_image(s, i);
}

static void
fault_broker_down(struct sim *s, const struct sim_event *ev, int i)
{
	sim_broker_set(s, i, 0);
}

static void
fault_broker_up(struct sim *s, const struct sim_event *ev, int i)
{
	sim_broker_set(s, i, 1);
}

static void
fault_primary(struct sim *s, const struct sim_event *ev, int i)
{
	struct error	err;

	if (sim_pg_fail_primary(s, &err) != 0)
		snprintf(s->event_error, sizeof s->event_error, "%s:%d: %s",
		    s->sc.path, ev->line, err.msg);
}

static void
fault_stall(struct sim *s, const struct sim_event *ev, int i)
{
	sim_pg_stall(s, i);
}

static void
fault_bw(struct sim *s, const struct sim_event *ev, int i)
{
	sim_pg_bandwidth(s, i, sc_num(ev, "mib"));
}

static void
fault_slot_off(struct sim *s, const struct sim_event *ev, int i)
{
	sim_pg_slot_consumer(s, i, 0);
}

static void
fault_slot_on(struct sim *s, const struct sim_event *ev, int i)
{
	sim_pg_slot_consumer(s, i, 1);
}

static void
fault_load(struct sim *s, const struct sim_event *ev, int i)
{
	s->load = sc_num(ev, "factor");
}

static void
fault_redis_down(struct sim *s, const struct sim_event *ev, int i)
{
	sim_redis_link(s, 0);
}

static void
fault_redis_up(struct sim *s, const struct sim_event *ev, int i)
{
	sim_redis_link(s, 1);
}
