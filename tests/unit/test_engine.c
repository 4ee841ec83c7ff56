/* test_engine.c: the runbook engine against a fake executor registered
 * for every kind, which records exactly what would run: parameter
 * validation, rendering, a hostile corpus through every value path
 * (compared structurally), when/goto/next/capture, wait steps with a fake
 * clock, read-only and dry-run refusals in the engine, secrets redacted,
 * events. */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "action.h"
#include "engine.h"
#include "runbook.h"
#include "store.h"

#define INC	"INC-20261121-0007"

/* The fake executor ------------------------------------------------------ */

struct fx {
	struct store	*st;
	struct actions	*a;
	pthread_mutex_t	 lock;
	int		 calls;
	char		 kind[48];
	char		*argv[ACTION_MAX_ARGS];
	int		 argc;
	const char	*outputs[8];	/* returned in turn; the last repeats */
	int		 nout;
	int		 next;
	int		 fail;		/* the executor fails */
	int		 slow;		/* runs until cancelled */
	int64_t		 clock;		/* the engine's clock, ms */
	/* events */
	int		 nev[EV_RUN_END + 1];
	int		 refuse_start;
	const char	*secret;	/* must never appear in an event */
};

static const char *const kinds[] = { "exec", "sql", "http", "redis",
	"k8s.get", "k8s.scale", "k8s.rollout-restart", "k8s.delete-pod",
	"k8s.rollout-status", "silence.create", "notify", "sim", "sim.query",
	NULL };

static int
fake(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	struct fx	*fx = ctx;
	const char	*out;
	int		 i;

	pthread_mutex_lock(&fx->lock);
	fx->calls++;
	snprintf(fx->kind, sizeof fx->kind, "%s", req->kind);
	for (i = 0; i < fx->argc; i++)
		free(fx->argv[i]);
	for (i = 0; i < req->argc; i++)
		fx->argv[i] = strdup(req->argv[i]);
	fx->argc = req->argc;
	out = fx->nout ? fx->outputs[fx->next < fx->nout ? fx->next :
	    fx->nout - 1] : "done";
	fx->next++;
	pthread_mutex_unlock(&fx->lock);
	while (fx->slow && !*cancel)
		usleep(1000);
	action_emit(req, "streamed\n", 9);
	res->output = strdup(out);
	snprintf(res->summary, sizeof res->summary, "%s",
	    fx->fail ? "exit status 3" : "fine");
	return (fx->fail || *cancel ? -1 : 0);
}

static int64_t
fake_clock(void *arg)
{
	return (((struct fx *)arg)->clock);
}

static int
on_event(void *arg, const struct engine_event *ev)
{
	struct fx	*fx = arg;
	const char	*texts[] = { ev->value, ev->reason, ev->note,
	    ev->summary, ev->output_head, ev->typed, ev->approver };
	int		 i;

	fx->nev[ev->type]++;
	assert_string_equal(ev->incident, INC);
	assert_int_equal(strlen(ev->runbook_sha256), 64);
	for (i = 0; fx->secret != NULL && i < 7; i++)
		if (texts[i] != NULL && strstr(texts[i], fx->secret) != NULL)
			fail_msg("a secret in an event (%d)", ev->type);
	for (i = 0; fx->secret != NULL && i < ev->argc; i++)
		assert_null(strstr(ev->argv[i], fx->secret));
	if (ev->type == EV_STEP_STARTED && fx->refuse_start)
		return (-1);
	return (0);
}

static struct fx *
fx_new(void)
{
	struct fx	*fx = calloc(1, sizeof *fx);
	int		 i;

	fx->st = store_new();
	fx->a = actions_new(fx->st);
	pthread_mutex_init(&fx->lock, NULL);
	for (i = 0; kinds[i] != NULL; i++)
		actions_register(fx->a, kinds[i], fake, fx);
	fx->clock = 1000000;
	return (fx);
}

static void
fx_free(struct fx *fx)
{
	int	i;

	assert_int_equal(actions_free(fx->a, 2000), 0);
	store_free(fx->st);
	for (i = 0; i < fx->argc; i++)
		free(fx->argv[i]);
	pthread_mutex_destroy(&fx->lock);
	free(fx);
}

/* Wait for every action, deliver the callbacks, poll the engine. */
static void
settle(struct fx *fx, struct engine *e)
{
	struct pollfd	pfd = { store_wake_fd(fx->st), POLLIN, 0 };
	int		i;

	for (i = 0; i < 500 && actions_running(fx->a) > 0; i++) {
		poll(&pfd, 1, 10);
		store_drain(fx->st);
	}
	actions_collect(fx->a);
	if (e != NULL)
		engine_poll(e);
}

static const char *
arg(const struct fx *fx, const char *key, int nth)
{
	size_t	n = strlen(key);
	int	i;

	for (i = 0; i < fx->argc; i++)
		if (strncmp(fx->argv[i], key, n) == 0 && fx->argv[i][n] == '=' &&
		    nth-- == 0)
			return (fx->argv[i] + n + 1);
	return (NULL);
}

static int
nargs(const struct fx *fx, const char *key)
{
	int	n = 0;

	while (arg(fx, key, n) != NULL)
		n++;
	return (n);
}

static struct runbook *
parse(const char *yaml)
{
	struct rb_diags	 d;
	struct runbook	*rb;
	char		 line[1024];
	int		 i;

	rb_diags_init(&d);
	rb = runbook_parse(yaml, strlen(yaml), "t.yaml", &d);
	for (i = 0; i < d.n; i++) {
		rb_diag_format(&d.v[i], line, sizeof line);
		print_message("%s\n", line);
	}
	assert_int_equal(d.n, 0);
	rb_diags_free(&d);
	return (rb);
}

static struct engine *
start_engine(struct fx *fx, const struct runbook *rb, int read_only,
    int dry_run)
{
	struct engine_opts	 o;
	struct error		 err;
	struct engine		*e;

	memset(&o, 0, sizeof o);
	o.incident = INC;
	o.env_name = "prod";
	o.production = 1;
	o.read_only = read_only;
	o.dry_run = dry_run;
	o.clock = fake_clock;
	o.clock_arg = fx;
	o.operator = "alice@bastion";
	e = engine_new(rb, dry_run ? NULL : fx->a, &o, &err);
	assert_non_null(e);
	engine_subscribe(e, on_event, fx);
	return (e);
}

/* Run the current step i (confirming actions); 0 or -1. */
static int
run(struct fx *fx, struct engine *e, int i)
{
	struct error	err;

	assert_int_equal(engine_current(e), i);
	if (engine_confirm(e, i, NULL, NULL, &err) != 0 &&
	    strstr(err.msg, "needs no confirmation") == NULL)
		return (-1);
	if (engine_start(e, i, &err) != 0)
		return (-1);
	settle(fx, e);
	return (0);
}

/* Lint and creation ------------------------------------------------------ */

static void
test_refuses_bad_runbooks(void **state)
{
	static const char bad[] = "id: b\ntitle: B\nseverity: P1\nsteps:\n"
	    "  - {id: a, kind: action, sim: {action: x}}\n";
	struct engine_opts	 o = { .incident = INC };
	struct runbook		*rb;
	struct error		 err;
	struct fx		*fx = fx_new();

	rb = runbook_parse(bad, sizeof bad - 1, "b.yaml", NULL);
	assert_non_null(rb);
	assert_null(engine_new(rb, fx->a, &o, &err));
	assert_non_null(strstr(err.msg, "failed lint: b.yaml:5:5: step a: "
	    "an action needs a title"));
	runbook_free(rb);
	rb = parse("id: g\ntitle: G\nseverity: P1\nsteps: [{id: a, kind: "
	    "manual, instructions: x}]\n");
	o.incident = "INC-2026-7";
	assert_null(engine_new(rb, fx->a, &o, &err));
	assert_non_null(strstr(err.msg, "INC-"));
	o.incident = INC;
	assert_null(engine_new(rb, NULL, &o, &err));
	runbook_free(rb);
	fx_free(fx);
}

/* Parameters ------------------------------------------------------------- */

static const char params_yaml[] =
"id: p\ntitle: P\nseverity: P2\n"
"parameters:\n"
"  - {name: dep, type: string, pattern: '[a-z][a-z0-9-]*', required: true,"
" from: alert.labels.deployment}\n"
"  - {name: mode, type: enum, values: [fast, slow], default: slow}\n"
"  - {name: n, type: int, min: 1, max: 10, default: 3}\n"
"  - {name: grace, type: duration}\n"
"  - {name: force, type: bool}\n"
"  - {name: pw, type: string, secret: true}\n"
"steps: [{id: a, kind: manual, instructions: 'x {{dep}}'}]\n";

static void
test_params(void **state)
{
	static const char *const bad[][2] = {
		{ "dep", "Api" }, { "dep", "api;rm" }, { "dep", "" },
		{ "dep", "a\nb" }, { "mode", "medium" }, { "n", "0" },
		{ "n", "11" }, { "n", "3x" }, { "n", " 3" }, { "grace", "1w" },
		{ "grace", "soon" }, { "force", "yes" }, { "nope", "1" },
		{ NULL, NULL }
	};
	const char		*labels[] = { "deployment=inventory",
	    "namespace=erp" };
	struct fx		*fx = fx_new();
	struct runbook		*rb = parse(params_yaml);
	struct engine		*e = start_engine(fx, rb, 0, 0);
	struct error		 err;
	int			 i;

	for (i = 0; bad[i][0] != NULL; i++)
		if (engine_set_param(e, bad[i][0], bad[i][1], &err) == 0)
			fail_msg("accepted %s=%s", bad[i][0], bad[i][1]);
	assert_int_equal(engine_begin(e, &err), -1);
	assert_non_null(strstr(err.msg, "dep is required"));
	engine_prefill(e, labels, 2);
	assert_string_equal(engine_value_display(e, "dep"), "inventory");
	assert_int_equal(engine_set_param(e, "n", "10", &err), 0);
	assert_int_equal(engine_set_param(e, "grace", "90s", &err), 0);
	assert_int_equal(engine_set_param(e, "force", "true", &err), 0);
	/* A refused secret is not quoted back. */
	fx->secret = "hunter2";
	assert_int_equal(engine_set_param(e, "pw", "hunter2", &err), 0);
	assert_string_equal(engine_value_display(e, "pw"), "[redacted]");
	assert_int_equal(engine_begin(e, &err), 0);
	assert_string_equal(engine_value_display(e, "mode"), "slow");
	assert_string_equal(engine_value_display(e, "n"), "10");
	assert_string_equal(engine_value_display(e, "incident"), INC);
	assert_int_equal(fx->nev[EV_PARAM_SET], 6);
	assert_int_equal(fx->nev[EV_RUN_BEGIN], 1);
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

/* The hostile corpus ----------------------------------------------------- */

static const char corpus_yaml[] =
"id: corpus\ntitle: Corpus\nseverity: P2\n"
"parameters:\n"
"  - {name: v, type: string, pattern: '.*'}\n"
"  - {name: opt, type: string, pattern: '.*', options_ok: true}\n"
"steps:\n"
"  - id: ex\n    kind: check\n    exec:\n"
"      argv: [printf, '%s', '{{v}}', 'pre-{{v}}', '{{opt}}']\n"
"      env: {V: '{{v}}'}\n      read_only: true\n"
"  - id: sq\n    kind: check\n"
"    sql: {target: primary, query: 'SELECT $1, $2', params: ['{{v}}', "
"'x{{v}}']}\n"
"  - id: ht\n    kind: check\n"
"    http: {url: 'https://h/x/{{v}}?q={{v}}', headers: {X-V: '{{v}}'}}\n"
"  - id: rd\n    kind: check\n"
"    redis: {target: cache, command: [GET, '{{v}}']}\n"
"  - id: kg\n    kind: check\n"
"    k8s: {verb: get, namespace: '{{v}}', pod: '{{v}}'}\n"
"  - id: sm\n    kind: check\n"
"    sim: {query: q, args: {k: '{{v}}'}}\n"
"  - id: po\n    kind: action\n    title: Post\n"
"    http: {method: POST, url: 'https://h/p', json: {a: '{{v}}', n: 1, "
"l: ['{{v}}', true]}}\n"
"  - id: si\n    kind: action\n    title: Silence\n"
"    silence: {matchers: {alertname: '{{v}}'}, duration: 1h, comment: "
"'c {{v}}'}\n"
"  - id: nt\n    kind: notify\n"
"    notify: {webhook_env: W, text: 't {{v}}'}\n"
"  - id: sa\n    kind: action\n    title: Sim\n"
"    sim: {action: scale, args: {deployment: '{{v}}'}}\n";

static char big[100 * 1024 + 1];

static const char *corpus[] = {
	"plain",
	"a b  c",
	"$(rm -rf /)",
	"`id`",
	"; reboot #",
	"'quoted' \"double\" \\back\\",
	"line1\nline2\r\n",
	"tab\there",
	"--all",
	"-rf",
	"a=b",
	"argv=/bin/sh",
	"{{v}}",
	"%2F..%2F%00",
	"/etc/passwd",
	"\xd0\xb0pi-\xd1\x81\xd0\xb5rver",	/* Cyrillic look-alikes */
	"\xe2\x80\xae\x65xe.txt",		/* RIGHT-TO-LEFT OVERRIDE */
	"\x1b[2J\x1b[31mred",
	"",
	big,
	NULL
};

static int
has_ctl(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return (1);
	return (0);
}

static char *
pct_decode(const char *s, size_t n)
{
	char	*out = malloc(n + 1), *o = out;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 1) {
			unsigned	c;

			assert_int_equal(sscanf(s + i + 1, "%2x", &c), 1);
			*o++ = (char)c;
			i += 2;
		} else {
			/* Everything else must be unreserved. */
			assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
			    "klmnopqrstuvwxyz0123456789-._~", s[i]));
			*o++ = s[i];
		}
	}
	*o = '\0';
	return (out);
}

static void
check_exec(const struct fx *fx, const char *v)
{
	char	*pre;

	assert_string_equal(fx->kind, "exec");
	assert_int_equal(nargs(fx, "argv"), 5);
	assert_string_equal(arg(fx, "argv", 0), "printf");
	assert_string_equal(arg(fx, "argv", 1), "%s");
	assert_string_equal(arg(fx, "argv", 2), v);
	assert_int_equal(asprintf(&pre, "pre-%s", v) > 0, 1);
	assert_string_equal(arg(fx, "argv", 3), pre);
	assert_string_equal(arg(fx, "argv", 4), v);	/* options_ok */
	free(pre);
	assert_int_equal(nargs(fx, "env"), 1);
	assert_int_equal(strncmp(arg(fx, "env", 0), "V=", 2), 0);
	assert_string_equal(arg(fx, "env", 0) + 2, v);
	assert_string_equal(arg(fx, "read_only", 0), "1");
	assert_int_equal(fx->argc, 7);
}

static void
check_http(const struct fx *fx, const char *v)
{
	const char	*url = arg(fx, "url", 0), *q;
	char		*dec;

	assert_string_equal(fx->kind, "http");
	assert_string_equal(arg(fx, "method", 0), "GET");
	assert_int_equal(strncmp(url, "https://h/x/", 12), 0);
	q = strchr(url + 12, '?');
	assert_non_null(q);
	dec = pct_decode(url + 12, (size_t)(q - url - 12));
	assert_string_equal(dec, v);
	free(dec);
	assert_int_equal(strncmp(q, "?q=", 3), 0);
	dec = pct_decode(q + 3, strlen(q + 3));
	assert_string_equal(dec, v);
	free(dec);
	assert_int_equal(nargs(fx, "header.X-V"), 1);
	assert_string_equal(arg(fx, "header.X-V", 0), v);
	assert_int_equal(fx->argc, 4);
}

static void
check_json_post(const struct fx *fx, const char *v)
{
	cJSON	*j = cJSON_Parse(arg(fx, "json", 0));
	cJSON	*a, *l, *n;

	assert_string_equal(fx->kind, "http");
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), 3);
	a = cJSON_GetObjectItemCaseSensitive(j, "a");
	assert_true(cJSON_IsString(a));
	assert_string_equal(a->valuestring, v);
	n = cJSON_GetObjectItemCaseSensitive(j, "n");
	assert_true(cJSON_IsNumber(n));
	l = cJSON_GetObjectItemCaseSensitive(j, "l");
	assert_int_equal(cJSON_GetArraySize(l), 2);
	assert_string_equal(cJSON_GetArrayItem(l, 0)->valuestring, v);
	assert_true(cJSON_IsTrue(cJSON_GetArrayItem(l, 1)));
	cJSON_Delete(j);
}

static void
check_notify(const struct fx *fx, const char *v)
{
	cJSON		*j = cJSON_Parse(arg(fx, "json", 0));
	const char	*t;
	size_t		 n;

	assert_string_equal(fx->kind, "notify");
	assert_string_equal(arg(fx, "webhook_env", 0), "W");
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	t = cJSON_GetObjectItemCaseSensitive(j, "text")->valuestring;
	n = strlen(t);
	assert_true(n >= strlen(v) + 2);
	assert_string_equal(t + n - strlen(v), v);
	assert_int_equal(strncmp(t + n - strlen(v) - 2, "t ", 2), 0);
	cJSON_Delete(j);
}

static void
check_simple(const struct fx *fx, const char *v, const char *step)
{
	if (strcmp(step, "sq") == 0) {
		assert_string_equal(fx->kind, "sql");
		assert_string_equal(arg(fx, "query", 0), "SELECT $1, $2");
		assert_int_equal(nargs(fx, "param"), 2);
		assert_string_equal(arg(fx, "param", 0), v);
		assert_string_equal(arg(fx, "param", 1) + 1, v);
		assert_string_equal(arg(fx, "read_only", 0), "1");
	} else if (strcmp(step, "rd") == 0) {
		assert_string_equal(fx->kind, "redis");
		assert_int_equal(nargs(fx, "arg"), 2);
		assert_string_equal(arg(fx, "arg", 1), v);
	} else if (strcmp(step, "kg") == 0) {
		assert_string_equal(fx->kind, "k8s.get");
		assert_string_equal(arg(fx, "ns", 0), v);
		assert_string_equal(arg(fx, "pod", 0), v);
	} else if (strcmp(step, "sm") == 0) {
		assert_string_equal(fx->kind, "sim.query");
		assert_string_equal(arg(fx, "query", 0), "q");
		assert_string_equal(arg(fx, "k", 0), v);
		assert_int_equal(fx->argc, 2);
	} else if (strcmp(step, "si") == 0) {
		assert_string_equal(fx->kind, "silence.create");
		assert_int_equal(strncmp(arg(fx, "matcher", 0), "alertname=", 10),
		    0);
		assert_string_equal(arg(fx, "matcher", 0) + 10, v);
		assert_string_equal(arg(fx, "created_by", 0), "alice@bastion");
		assert_int_equal(strncmp(arg(fx, "comment", 0), INC ": c ",
		    strlen(INC) + 4), 0);
	} else if (strcmp(step, "sa") == 0) {
		assert_string_equal(fx->kind, "sim");
		assert_string_equal(arg(fx, "action", 0), "scale");
		assert_string_equal(arg(fx, "deployment", 0), v);
		assert_int_equal(fx->argc, 2);
	}
}

/* Whether the engine must refuse value v at step. */
static int
refused(const char *step, const char *v)
{
	if (strcmp(step, "ex") == 0)
		return (v[0] == '-');
	if (strcmp(step, "ht") == 0 || strcmp(step, "si") == 0)
		return (has_ctl(v));
	if (strcmp(step, "kg") == 0)
		return (has_ctl(v) || v[0] == '-');
	return (0);
}

static void
corpus_one(struct fx *fx, const struct runbook *rb, const char *v)
{
	struct engine	*e = start_engine(fx, rb, 0, 0);
	struct error	 err;
	int		 i, calls;

	assert_int_equal(engine_set_param(e, "v", v, &err), 0);
	assert_int_equal(engine_set_param(e, "opt", v, &err), 0);
	assert_int_equal(engine_begin(e, &err), 0);
	for (i = 0; i < rb->nsteps; i++) {
		const char	*id = rb->steps[i].id.s;

		calls = fx->calls;
		if (refused(id, v)) {
			assert_int_equal(run(fx, e, i), -1);
			assert_int_equal(fx->calls, calls);
			assert_int_equal(engine_skip(e, i, "refused", &err), 0);
			continue;
		}
		if (run(fx, e, i) != 0)
			fail_msg("step %s refused: %s", id, err.msg);
		assert_int_equal(fx->calls, calls + 1);
		assert_int_equal(engine_step_state(e, i), STEP_OK);
		if (strcmp(id, "ex") == 0)
			check_exec(fx, v);
		else if (strcmp(id, "ht") == 0)
			check_http(fx, v);
		else if (strcmp(id, "po") == 0)
			check_json_post(fx, v);
		else if (strcmp(id, "nt") == 0)
			check_notify(fx, v);
		else
			check_simple(fx, v, id);
	}
	assert_int_equal(engine_current(e), -1);
	assert_true(engine_done(e));
	engine_free(e);
}

static void
test_hostile_corpus(void **state)
{
	struct fx	*fx = fx_new();
	struct runbook	*rb = parse(corpus_yaml);
	int		 i;

	memset(big, 'A', sizeof big - 1);
	for (i = 0; i < (int)sizeof big - 1; i += 97)
		big[i] = "$`;|&\"' \n-{"[i % 11];
	big[0] = 'x';
	for (i = 0; corpus[i] != NULL; i++)
		corpus_one(fx, rb, corpus[i]);
	runbook_free(rb);
	fx_free(fx);
}

/* Option-like values only where the parameter allows them. */
static void
test_option_values(void **state)
{
	struct fx	*fx = fx_new();
	struct runbook	*rb = parse(corpus_yaml);
	struct engine	*e = start_engine(fx, rb, 0, 0);
	struct error	 err;

	engine_set_param(e, "v", "ok", &err);
	engine_set_param(e, "opt", "--all", &err);
	engine_begin(e, &err);
	assert_int_equal(run(fx, e, 0), 0);
	assert_string_equal(arg(fx, "argv", 4), "--all");
	engine_free(e);
	e = start_engine(fx, rb, 0, 0);
	engine_set_param(e, "v", "--all", &err);
	engine_set_param(e, "opt", "x", &err);
	engine_begin(e, &err);
	assert_int_equal(engine_current(e), 0);
	assert_int_equal(engine_start(e, 0, &err), -1);
	assert_non_null(strstr(err.msg, "starts with '-'"));
	assert_int_equal(fx->nev[EV_STEP_REFUSED], 1);
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

/* Flow: when, choice goto, next, capture --------------------------------- */

static const char flow_yaml[] =
"id: flow\ntitle: Flow\nseverity: P1\n"
"parameters:\n  - {name: dep, type: string, pattern: '[a-z]+', default: api}\n"
"  - {name: later, type: int, from: step.look.ready}\n"
"steps:\n"
"  - id: look\n    kind: check\n    sim: {query: deployment, args: {d: '{{dep}}'}}\n"
"    capture: {var: ready, regex: 'ready=([0-9]+)'}\n"
"  - id: never\n    kind: manual\n    instructions: x\n    when: '{{ready}} > 5'\n"
"  - id: pick\n    kind: choice\n    question: Cause of {{dep}}?\n    var: cause\n"
"    options:\n      - {label: Leak, value: leak}\n      - {label: Jump, goto: end}\n"
"  - id: leak\n    kind: action\n    title: Fix {{dep}}\n    when: '{{cause}} == leak'\n"
"    danger: high\n    target: '{{dep}}'\n    next: end\n"
"    sim: {action: restart, args: {deployment: '{{dep}}'}}\n"
"  - id: skipped\n    kind: manual\n    instructions: y\n"
"  - id: end\n    kind: check\n    sim: {query: json}\n"
"    capture: {var: phase, json: 'items[1].status.phase'}\n";

static void
test_flow(void **state)
{
	struct fx	*fx = fx_new();
	struct runbook	*rb = parse(flow_yaml);
	struct engine	*e = start_engine(fx, rb, 0, 0);
	struct error	 err;

	fx->outputs[0] = "deployment api ready=2 of 3";
	fx->outputs[1] = "deployment.apps/api restarted";
	fx->outputs[2] = "{\"items\": [{}, {\"status\": {\"phase\": "
	    "\"Running\"}}]}";
	fx->nout = 3;
	assert_int_equal(engine_current(e), -1);	/* not begun */
	assert_int_equal(engine_begin(e, &err), 0);
	assert_int_equal(run(fx, e, 0), 0);
	assert_string_equal(engine_value_display(e, "ready"), "2");
	/* from: step.look.ready filled the parameter. */
	assert_string_equal(engine_value_display(e, "later"), "2");
	/* `when` false: skipped with the reason. */
	assert_int_equal(engine_current(e), 2);
	assert_int_equal(engine_step_state(e, 1), STEP_SKIPPED);
	assert_non_null(strstr(engine_step_reason(e, 1), "is false"));
	assert_int_equal(engine_choose(e, 2, 0, &err), 0);
	assert_string_equal(engine_value_display(e, "cause"), "leak");
	/* danger: high: the typed name must match. */
	assert_int_equal(engine_current(e), 3);
	assert_int_equal(engine_start(e, 3, &err), -1);
	assert_non_null(strstr(err.msg, "confirm"));
	assert_int_equal(engine_confirm(e, 3, "ap", NULL, &err), -1);
	assert_int_equal(engine_confirm(e, 3, "api", "bob", &err), 0);
	assert_int_equal(engine_start(e, 3, &err), 0);
	settle(fx, e);
	assert_int_equal(engine_step_state(e, 3), STEP_OK);
	/* next: end jumps over `skipped`. */
	assert_int_equal(engine_current(e), 5);
	assert_int_equal(engine_step_state(e, 4), STEP_SKIPPED);
	assert_non_null(strstr(engine_step_reason(e, 4), "not on the path"));
	assert_int_equal(run(fx, e, 5), 0);
	assert_string_equal(engine_value_display(e, "phase"), "Running");
	assert_int_equal(engine_current(e), -1);
	assert_int_equal(fx->nev[EV_RUN_END], 1);
	assert_int_equal(fx->nev[EV_STEP_CONFIRMED], 1);
	assert_int_equal(fx->nev[EV_CHOICE], 1);
	assert_int_equal(fx->nev[EV_VAR_SET], 3);
	engine_free(e);

	/* The other branch: goto end skips the rest; a backward goto
	 * resets. */
	e = start_engine(fx, rb, 0, 0);
	fx->next = 0;
	engine_begin(e, &err);
	assert_int_equal(run(fx, e, 0), 0);
	assert_int_equal(engine_choose(e, 2, 1, &err), 0);
	assert_int_equal(engine_current(e), 5);
	assert_int_equal(engine_step_state(e, 3), STEP_SKIPPED);
	assert_int_equal(engine_step_state(e, 4), STEP_SKIPPED);
	assert_int_equal(engine_skip(e, 5, "", &err), -1);
	assert_int_equal(engine_skip(e, 5, "not needed", &err), 0);
	assert_true(engine_done(e));
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

/* Waits ------------------------------------------------------------------ */

static const char wait_yaml[] =
"id: w\ntitle: W\nseverity: P1\n"
"steps:\n"
"  - id: ready\n    kind: wait\n    title: Ready\n"
"    wait:\n      check: {sim: {query: deployment}}\n"
"      until: '{{n}} >= 3'\n      timeout: 1m\n      interval: 5s\n"
"    capture: {var: n, json: ready}\n";

static void
test_wait(void **state)
{
	struct fx	*fx = fx_new();
	struct runbook	*rb = parse(wait_yaml);
	struct engine	*e = start_engine(fx, rb, 0, 0);
	struct error	 err;
	const char	*v;
	int64_t		 left;

	fx->outputs[0] = "{\"ready\": 0}";
	fx->outputs[1] = "not json yet";
	fx->outputs[2] = "{\"ready\": 3}";
	fx->nout = 3;
	engine_begin(e, &err);
	assert_int_equal(engine_current(e), 0);
	assert_int_equal(engine_start(e, 0, &err), 0);
	settle(fx, e);
	assert_int_equal(fx->calls, 1);
	assert_int_equal(engine_step_state(e, 0), STEP_RUNNING);
	assert_int_equal(engine_wait_status(e, 0, &v, &left), 0);
	assert_string_equal(v, "0");
	assert_true(left == 60000);
	assert_true(engine_next_wake(e) == fx->clock + 5000);
	/* Not yet time: nothing runs. */
	fx->clock += 4000;
	assert_int_equal(engine_poll(e), 0);
	assert_int_equal(fx->calls, 1);
	fx->clock += 1000;
	assert_int_equal(engine_poll(e), 1);
	settle(fx, e);
	assert_int_equal(fx->calls, 2);
	assert_non_null(strstr(engine_step_reason(e, 0), "not JSON"));
	fx->clock += 5000;
	engine_poll(e);
	settle(fx, e);
	assert_int_equal(fx->calls, 3);
	assert_int_equal(engine_step_state(e, 0), STEP_OK);
	assert_true(engine_step_duration_ms(e, 0) == 10000);
	assert_int_equal(engine_wait_status(e, 0, &v, &left), -1);
	assert_int_equal(fx->nev[EV_STEP_POLL], 3);
	assert_int_equal(fx->nev[EV_STEP_STARTED], 1);
	assert_int_equal(engine_current(e), -1);
	engine_free(e);

	/* A condition that never holds times out. */
	e = start_engine(fx, rb, 0, 0);
	fx->outputs[0] = "{\"ready\": 1}";
	fx->nout = 1;
	fx->next = 0;
	engine_begin(e, &err);
	engine_current(e);
	assert_int_equal(engine_start(e, 0, &err), 0);
	settle(fx, e);
	while (engine_step_state(e, 0) == STEP_RUNNING) {
		fx->clock += 5000;
		engine_poll(e);
		settle(fx, e);
	}
	assert_int_equal(engine_step_state(e, 0), STEP_FAILED);
	assert_non_null(strstr(engine_step_reason(e, 0),
	    "timed out after 1m00s (n = 1)"));
	engine_free(e);

	/* A check that hangs past the deadline is cancelled. */
	e = start_engine(fx, rb, 0, 0);
	fx->slow = 1;
	engine_begin(e, &err);
	engine_current(e);
	assert_int_equal(engine_start(e, 0, &err), 0);
	assert_true(engine_next_wake(e) == fx->clock + 60000);
	fx->clock += 60000;
	assert_int_equal(engine_poll(e), 1);
	assert_int_equal(engine_step_state(e, 0), STEP_FAILED);
	assert_non_null(strstr(engine_step_reason(e, 0), "timed out"));
	settle(fx, e);
	assert_int_equal(engine_step_state(e, 0), STEP_FAILED);
	fx->slow = 0;
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

static const char secret_yaml[] =
"id: s\ntitle: S\nseverity: P1\n"
"parameters:\n  - {name: pw, type: string, secret: true, required: true}\n"
"  - {name: u, type: string, pattern: '[a-z]+', default: bob}\n"
"steps:\n"
"  - id: login\n    kind: action\n    title: Log in as {{u}}\n"
"    exec:\n      argv: [tool, login, '{{u}}']\n      env: {PW: '{{pw}}'}\n"
"    capture: {var: who, regex: 'with (.*) ok'}\n"
"  - id: call\n    kind: action\n    title: Call\n"
"    http: {method: POST, url: 'https://h/x', headers: {Authorization: "
"'Bearer {{pw}}'}, json: {p: '{{pw}}'}}\n";

/* Read-only, dry run ----------------------------------------------------- */

static void
test_read_only(void **state)
{
	struct fx	*fx = fx_new();
	struct runbook	*rb = parse(flow_yaml);
	struct engine	*e = start_engine(fx, rb, 1, 0);
	struct error	 err;

	fx->outputs[0] = "ready=1";
	fx->nout = 1;
	engine_begin(e, &err);
	assert_int_equal(run(fx, e, 0), 0);	/* checks still run */
	assert_string_equal(arg(fx, "query", 0), "deployment");
	assert_int_equal(engine_choose(e, 2, 0, &err), 0);
	assert_int_equal(engine_current(e), 3);
	assert_int_equal(engine_confirm(e, 3, "api", NULL, &err), -1);
	assert_string_equal(err.msg, "read-only mode: actions are refused");
	assert_int_equal(engine_start(e, 3, &err), -1);
	assert_string_equal(err.msg, "read-only mode: actions are refused");
	assert_int_equal(engine_preview(e, 3, &err), -1);
	assert_int_equal(fx->calls, 1);
	assert_int_equal(fx->nev[EV_STEP_REFUSED], 3);
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

struct seen_render {
	int	n;
	int	errors;
	char	lines[2048];
};

static void
dry_cb(void *arg, int i, const struct engine_render *r, const char *err)
{
	struct seen_render	*s = arg;
	int			 k;

	s->n++;
	if (err != NULL) {
		s->errors++;
		return;
	}
	for (k = 0; k < r->nlines; k++)
		snprintf(s->lines + strlen(s->lines), sizeof s->lines -
		    strlen(s->lines), "%s\n", r->lines[k]);
}

static void
test_dry_run(void **state)
{
	struct fx		*fx = fx_new();
	struct runbook		*rb = parse(flow_yaml);
	struct engine		*e = start_engine(fx, rb, 0, 1);
	struct seen_render	 s;
	struct engine_render	 r;
	struct error		 err;

	memset(&s, 0, sizeof s);
	engine_begin(e, &err);
	assert_int_equal(engine_dry_run(e, dry_cb, &s), 0);
	assert_int_equal(s.n, rb->nsteps);
	assert_non_null(strstr(s.lines, "sim query deployment d=api\n"));
	assert_non_null(strstr(s.lines, "sim restart deployment=api\n"));
	assert_non_null(strstr(s.lines, "env prod (PRODUCTION)\n"));
	assert_int_equal(engine_render(e, 3, &r, &err), 0);
	assert_true(r.complete);
	assert_string_equal(r.title, "Fix api");
	assert_string_equal(r.action_kind, "sim");
	assert_true(r.needs_confirm);
	assert_true(r.production);
	assert_string_equal(r.target, "api");
	engine_render_free(&r);
	assert_int_equal(engine_current(e), 0);
	assert_int_equal(engine_start(e, 0, &err), -1);
	assert_non_null(strstr(err.msg, "dry-run"));
	assert_int_equal(fx->calls, 0);
	engine_free(e);
	runbook_free(rb);
	/* Unset values stay visible as placeholders. */
	rb = parse(secret_yaml);
	e = start_engine(fx, rb, 0, 1);
	assert_int_equal(engine_render(e, 0, &r, &err), 0);
	assert_false(r.complete);
	assert_string_equal(r.req[3], "env=PW={{pw}}");
	engine_render_free(&r);
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

/* Secrets and events ----------------------------------------------------- */

static void
test_secrets(void **state)
{
	struct fx		*fx = fx_new();
	struct runbook		*rb = parse(secret_yaml);
	struct engine		*e = start_engine(fx, rb, 0, 0);
	struct engine_render	 r;
	struct error		 err;
	const struct engine_event *evs;
	const char		*out;
	size_t			 len;
	int			 i, n;

	fx->secret = "s3cr3t-pw";
	fx->outputs[0] = "logged in with s3cr3t-pw ok";
	fx->nout = 1;
	assert_int_equal(engine_set_param(e, "pw", "s3cr3t-pw", &err), 0);
	assert_int_equal(engine_begin(e, &err), 0);
	assert_int_equal(engine_current(e), 0);
	assert_int_equal(engine_render(e, 0, &r, &err), 0);
	for (i = 0; i < r.nlines; i++)
		assert_null(strstr(r.lines[i], "s3cr3t"));
	for (i = 0; i < r.nreq; i++)
		assert_null(strstr(r.req[i], "s3cr3t"));
	assert_non_null(strstr(r.lines[1], "env PW=[redacted]"));
	engine_render_free(&r);
	assert_int_equal(run(fx, e, 0), 0);
	/* The executor gets the real value... */
	assert_string_equal(arg(fx, "env", 0), "PW=s3cr3t-pw");
	/* ...the screen does not. */
	out = engine_step_output(e, 0, &len);
	assert_string_equal(out, "logged in with [redacted] ok");
	/* A variable captured from it holds the secret: shown redacted. */
	assert_string_equal(engine_value_display(e, "who"), "[redacted]");
	engine_note(e, 0, "used s3cr3t-pw once");
	assert_int_equal(engine_render(e, 1, &r, &err), 0);
	assert_string_equal(r.headers[0], "Authorization: Bearer [redacted]");
	assert_string_equal(r.body, "{\"p\":\"[redacted]\"}");
	engine_render_free(&r);
	assert_int_equal(run(fx, e, 1), 0);
	assert_string_equal(arg(fx, "json", 0), "{\"p\":\"s3cr3t-pw\"}");
	evs = engine_events(e, &n);
	assert_true(n > 8);
	for (i = 0; i < n; i++)
		if (evs[i].type == EV_PARAM_SET && strcmp(evs[i].param, "pw") ==
		    0) {
			assert_true(evs[i].secret);
			assert_string_equal(evs[i].value, "[redacted]");
		}
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

static void
test_events(void **state)
{
	struct fx		*fx = fx_new();
	struct runbook		*rb = parse(secret_yaml);
	struct engine		*e = start_engine(fx, rb, 0, 0);
	const struct engine_event *evs;
	struct error		 err;
	int			 n, i, started = -1, finished = -1;

	fx->outputs[0] = "hello";
	fx->nout = 1;
	engine_set_param(e, "pw", "x", &err);
	engine_begin(e, &err);
	assert_int_equal(run(fx, e, 0), 0);
	engine_note(e, -1, "war room opened");
	evs = engine_events(e, &n);
	for (i = 0; i < n; i++) {
		assert_int_equal(evs[i].seq, (uint64_t)i + 1);
		assert_true(evs[i].time_ms > 0);
		if (evs[i].type == EV_STEP_STARTED)
			started = i;
		if (evs[i].type == EV_STEP_FINISHED)
			finished = i;
	}
	assert_true(started >= 0 && finished > started);
	assert_string_equal(evs[started].action_kind, "exec");
	assert_string_equal(evs[started].step_id, "login");
	assert_int_equal(evs[started].attempt, 1);
	assert_int_equal(evs[started].argc, 4);
	assert_string_equal(evs[started].argv[3], "env=PW=[redacted]");
	assert_true(evs[finished].ok);
	assert_int_equal(evs[finished].exit_status, 0);
	assert_string_equal(evs[finished].output_head, "hello");
	assert_string_equal(evs[finished].output_sha256, "2cf24dba5fb0a30e26e8"
	    "3b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	assert_int_equal(evs[n - 1].type, EV_NOTE);
	assert_int_equal(evs[n - 1].step, -1);
	assert_true(evs[0].production);
	assert_string_equal(evs[0].env_name, "prod");

	/* A failing executor: exit status from its summary. */
	fx->fail = 1;
	assert_int_equal(run(fx, e, 1), 0);
	assert_int_equal(engine_step_state(e, 1), STEP_FAILED);
	evs = engine_events(e, &n);
	assert_int_equal(evs[n - 1].type, EV_STEP_FINISHED);
	assert_int_equal(evs[n - 1].exit_status, 3);
	assert_false(evs[n - 1].ok);
	/* Retry needs a new confirmation and counts the attempt. */
	fx->fail = 0;
	assert_int_equal(engine_start(e, 1, &err), -1);
	assert_int_equal(run(fx, e, 1), 0);
	evs = engine_events(e, &n);
	assert_int_equal(evs[n - 1].attempt, 2);
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

/* If the intent cannot be recorded, nothing runs. */
static void
test_intent_refused(void **state)
{
	struct fx	*fx = fx_new();
	struct runbook	*rb = parse(secret_yaml);
	struct engine	*e = start_engine(fx, rb, 0, 0);
	struct error	 err;

	fx->refuse_start = 1;
	engine_set_param(e, "pw", "x", &err);
	engine_begin(e, &err);
	assert_int_equal(engine_current(e), 0);
	assert_int_equal(engine_confirm(e, 0, NULL, NULL, &err), 0);
	assert_int_equal(engine_start(e, 0, &err), -1);
	assert_non_null(strstr(err.msg, "intent could not be recorded"));
	assert_int_equal(fx->calls, 0);
	assert_int_equal(engine_step_state(e, 0), STEP_FAILED);
	engine_free(e);
	runbook_free(rb);
	fx_free(fx);
}

static void
test_cancel(void **state)
{
	struct fx	*fx = fx_new();
	struct runbook	*rb = parse(secret_yaml);
	struct engine	*e = start_engine(fx, rb, 0, 0);
	struct error	 err;
	const char	*out;
	size_t		 len;
	int		 i;

	fx->slow = 1;
	engine_set_param(e, "pw", "x", &err);
	engine_begin(e, &err);
	engine_current(e);
	assert_int_equal(engine_confirm(e, 0, NULL, NULL, &err), 0);
	assert_int_equal(engine_start(e, 0, &err), 0);
	for (i = 0; i < 200 && fx->calls == 0; i++)
		usleep(1000);
	assert_int_equal(engine_step_state(e, 0), STEP_RUNNING);
	assert_int_equal(engine_start(e, 0, &err), -1);
	engine_cancel(e, 0);
	assert_int_equal(engine_step_state(e, 0), STEP_CANCELLED);
	settle(fx, e);
	out = engine_step_output(e, 0, &len);
	assert_non_null(out);
	assert_int_equal(fx->nev[EV_STEP_CANCELLED], 1);
	assert_int_equal(fx->nev[EV_STEP_FINISHED], 1);
	/* Freed while running: the callback finds nothing to update. */
	fx->slow = 1;
	assert_int_equal(engine_confirm(e, 0, NULL, NULL, &err), 0);
	assert_int_equal(engine_start(e, 0, &err), 0);
	engine_free(e);
	fx->slow = 0;
	settle(fx, NULL);
	runbook_free(rb);
	fx_free(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_bad_runbooks),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_hostile_corpus),
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_flow),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_intent_refused),
		cmocka_unit_test(test_cancel),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
