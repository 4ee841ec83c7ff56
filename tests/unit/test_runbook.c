/* test_runbook.c: the runbook format: parsing, every lint problem with
 * FILE:LINE:COLUMN, values kept out of shell and SQL text, the permission
 * check, the library, and the shipped examples. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "action.h"
#include "runbook.h"

#define HEAD	"id: t\ntitle: T\nseverity: P2\n"
#define PARAMS	"parameters:\n" \
		"  - {name: dep, type: string, pattern: '[a-z]+'}\n" \
		"  - {name: free, type: string}\n" \
		"  - {name: n, type: int, min: 0, max: 9}\n"
/* With HEAD and PARAMS, "steps:" is line 8 and the first step line 9. */

static void
dump(const struct rb_diags *d)
{
	char	line[1200];
	int	i;

	for (i = 0; i < d->n; i++) {
		rb_diag_format(&d->v[i], line, sizeof line);
		print_message("  %s\n", line);
	}
}

static int
has(const struct rb_diags *d, int line, int col, const char *sub)
{
	int	i;

	for (i = 0; i < d->n; i++)
		if ((line == 0 || d->v[i].line == line) && (col == 0 ||
		    d->v[i].col == col) && strstr(d->v[i].msg, sub) != NULL)
			return (1);
	return (0);
}

/* Lint text and expect a problem at line:col (0 = any) containing sub. */
static void
expect(const char *yaml, int line, int col, const char *sub)
{
	struct rb_diags	 d;
	struct runbook	*rb;

	rb_diags_init(&d);
	rb = runbook_parse(yaml, strlen(yaml), "x.yaml", &d);
	if (!has(&d, line, col, sub)) {
		print_message("wanted %d:%d: %s in:\n%s\ngot:\n", line, col,
		    sub, yaml);
		dump(&d);
		fail();
	}
	assert_true(rb == NULL || rb->nproblems > 0);
	runbook_free(rb);
	rb_diags_free(&d);
}

/* Lint HEAD PARAMS "steps:" steps; expect a problem. */
static void
expect_steps(const char *steps, int line, int col, const char *sub)
{
	char	*y;

	if (asprintf(&y, HEAD PARAMS "steps:\n%s", steps) < 0)
		fail();
	expect(y, line, col, sub);
	free(y);
}

static void
clean(const char *yaml)
{
	struct rb_diags	 d;
	struct runbook	*rb;

	rb_diags_init(&d);
	rb = runbook_parse(yaml, strlen(yaml), "x.yaml", &d);
	if (rb == NULL || d.n > 0) {
		print_message("unexpected problems in:\n%s\n", yaml);
		dump(&d);
		fail();
	}
	assert_int_equal(rb->nproblems, 0);
	runbook_free(rb);
	rb_diags_free(&d);
}

static void
clean_steps(const char *steps)
{
	char	*y;

	if (asprintf(&y, HEAD PARAMS "steps:\n%s", steps) < 0)
		fail();
	clean(y);
	free(y);
}

/* Parsing ---------------------------------------------------------------- */

static const char good[] =
"id: api-down\n"
"title: API service down\n"
"severity: P0\n"
"summary: All API requests fail\n"
"symptoms: [503 from every endpoint, health checks failing]\n"
"impact: every tenant\n"
"alerts: [HealthCheckFailing, DeploymentRolloutFailed]\n"
"parameters:\n"
"  - name: deployment\n"
"    type: string\n"
"    pattern: '[a-z][a-z0-9-]*'\n"
"    from: alert.labels.deployment\n"
"    required: true\n"
"  - {name: replicas, type: int, min: 1, max: 20, default: 6}\n"
"  - {name: mode, type: enum, values: [fast, slow], default: fast}\n"
"  - {name: token, type: string, secret: true}\n"
"  - {name: grace, type: duration, default: 30s}\n"
"  - {name: force, type: bool, default: 'false'}\n"
"steps:\n"
"  - id: pods\n"
"    kind: check\n"
"    title: Pods\n"
"    k8s: {verb: get, namespace: erp, deployment: '{{deployment}}'}\n"
"    capture: {var: ready, json: 'status.readyReplicas'}\n"
"  - id: conns\n"
"    kind: check\n"
"    sql:\n"
"      target: primary\n"
"      query: SELECT count(*) FROM pg_stat_activity WHERE datname = $1\n"
"      params: ['{{deployment}}']\n"
"    capture: {var: conns, regex: '([0-9]+)'}\n"
"  - id: cause\n"
"    kind: choice\n"
"    question: Which?\n"
"    var: cause\n"
"    options:\n"
"      - {label: OOM, value: oom}\n"
"      - {label: Other, goto: scale}\n"
"  - id: restart\n"
"    kind: action\n"
"    title: Restart {{deployment}}\n"
"    when: '{{cause}} == oom'\n"
"    danger: high\n"
"    target: '{{deployment}}'\n"
"    approval: two-person\n"
"    exec:\n"
"      argv: [kubectl, rollout, restart, 'deployment/{{deployment}}']\n"
"      env: {TOKEN: '{{token}}'}\n"
"      env_allow: [KUBECONFIG]\n"
"      timeout: 2m\n"
"  - id: scale\n"
"    kind: action\n"
"    title: Scale\n"
"    next: ready\n"
"    http:\n"
"      method: POST\n"
"      url: 'https://api.example/v1/{{deployment}}/scale?to={{replicas}}'\n"
"      headers: {Authorization: 'Bearer {{token}}'}\n"
"      json: {replicas: '{{replicas}}', force: false, n: 3, why: [x]}\n"
"  - id: ready\n"
"    kind: wait\n"
"    title: Ready\n"
"    wait:\n"
"      check: {redis: {target: cache, command: [GET, 'ready:{{deployment}}']}}\n"
"      until: '{{ready_now}} >= {{replicas}}'\n"
"      timeout: 10m\n"
"      interval: 5s\n"
"    capture: {var: ready_now, regex: '([0-9]+)'}\n"
"  - id: hush\n"
"    kind: action\n"
"    title: Silence\n"
"    silence: {matchers: {alertname: HealthCheckFailing, deployment: '{{deployment}}'}, duration: 1h}\n"
"  - id: page\n"
"    kind: notify\n"
"    notify: {webhook_env: SLACK_URL, status: investigating, text: 'Down: {{deployment}}'}\n"
"  - id: verify\n"
"    kind: manual\n"
"    instructions: Open the dashboard\n"
"  - id: sim\n"
"    kind: action\n"
"    title: Sim scale\n"
"    sim: {action: scale, args: {deployment: '{{deployment}}', replicas: '{{replicas}}'}}\n";

static void
test_parse_good(void **state)
{
	struct rb_diags		 d;
	struct runbook		*rb;
	const struct rb_step	*s;

	rb_diags_init(&d);
	rb = runbook_parse(good, sizeof good - 1, "good.yaml", &d);
	dump(&d);
	assert_non_null(rb);
	assert_int_equal(d.n, 0);
	assert_int_equal(rb->nproblems, 0);
	assert_string_equal(rb->id.s, "api-down");
	assert_int_equal(rb->severity, RB_P0);
	assert_int_equal(rb->nsymptoms, 2);
	assert_int_equal(rb->nalerts, 2);
	assert_true(runbook_matches_alert(rb, "HealthCheckFailing"));
	assert_int_equal(rb->nparams, 6);
	assert_int_equal(rb->params[1].type, RB_PT_INT);
	assert_int_equal(rb->params[1].max, 20);
	assert_true(rb->params[3].secret);
	assert_int_equal(rb->nsteps, 10);
	assert_int_equal(strlen(rb->sha256), 64);
	s = &rb->steps[3];
	assert_int_equal(s->kind, RB_STEP_ACTION);
	assert_int_equal(s->exec.kind, RB_EX_EXEC);
	assert_int_equal(s->exec.argc, 4);
	assert_int_equal(s->exec.timeout_s, 120);
	assert_true(s->danger_high);
	assert_true(s->two_person);
	assert_non_null(s->when_c);
	s = &rb->steps[5];
	assert_int_equal(s->kind, RB_STEP_WAIT);
	assert_int_equal(s->exec.kind, RB_EX_REDIS);
	assert_int_equal(s->timeout_s, 600);
	assert_int_equal(s->interval_s, 5);
	assert_int_equal(runbook_step_index(rb, "verify"), 8);
	/* Positions are 1-based. */
	assert_int_equal(rb->steps[0].id.line, 20);
	assert_int_equal(rb->steps[0].id.col, 9);
	runbook_free(rb);
	rb_diags_free(&d);
}

static void
test_parse_broken_yaml(void **state)
{
	expect("id: t\ntitle: [a, b\n", 0, 0, "YAML");
	expect("id: t\n  bad: indent\n", 2, 6, "YAML");
	expect("- a\n- b\n", 1, 1, "a runbook is a mapping");
	expect("", 1, 1, "empty");
	expect(HEAD "x: &a [1]\ny: *a\n", 5, 4, "aliases");
	expect(HEAD "---\na: 1\n---\nb: 2\n", 0, 0, "one YAML document");
	expect(HEAD "summary: \"a\\0b\"\nsteps: []\n", 4, 10, "NUL");
}

static void
test_lint_structure(void **state)
{
	expect(HEAD "steps: [{id: a, kind: manual, instructions: x}]\nbogus: 1\n",
	    5, 1, "unknown key 'bogus'");
	expect("title: T\nseverity: P2\nsteps: [{id: a, kind: manual, "
	    "instructions: x}]\n", 1, 1, "missing required key 'id'");
	expect("id: t\ntitle: [T]\nseverity: P2\nsteps: []\n", 2, 8,
	    "expected a string");
	expect("id: t\ntitle: T\nseverity: P7\nsteps: [{id: a, kind: manual, "
	    "instructions: x}]\n", 3, 11, "P0, P1, P2 or P3");
	expect(HEAD "steps: []\n", 4, 8, "at least one step");
	expect("id: 'bad id'\ntitle: T\nseverity: P2\nsteps: [{id: a, kind: "
	    "manual, instructions: x}]\n", 1, 5, "must be a word");
	expect_steps("  - {id: a, kind: rollback, title: x}\n", 9, 19,
	    "unknown step kind 'rollback'");
	expect_steps("  - {id: a, kind: action, title: x, shell: 'rm -rf /'}\n",
	    9, 37, "unknown key 'shell'");
	expect_steps("  - {id: a, kind: check, title: x}\n", 9, 5,
	    "no executor");
	expect_steps("  - {id: a, kind: check, title: x, sim: {query: q}, "
	    "k8s: {verb: get, namespace: n, pod: p}}\n", 9, 41,
	    "one executor per step");
	expect_steps("  - {id: a, kind: manual}\n", 9, 5,
	    "missing required key 'instructions'");
	expect_steps("  - {id: a, kind: check, sim: {query: q, color: red}}\n",
	    9, 42, "unknown key 'color'");
	expect_steps("  - {id: a, kind: action, title: x, k8s: {verb: explode, "
	    "namespace: n}}\n", 9, 49, "verb must be one of");
	expect_steps("  - {id: a, kind: action, title: x, k8s: {verb: scale, "
	    "namespace: n, deployment: d}}\n", 9, 42,
	    "missing required key 'replicas'");
	expect_steps("  - {id: a, kind: check, exec: {argv: [ls], read_only: "
	    "maybe}}\n", 9, 56, "true or false");
	expect_steps("  - {id: a, kind: check, exec: {argv: [ls], timeout: "
	    "soon, read_only: true}}\n", 9, 54, "duration");
	expect_steps("  - {id: a, kind: check, exec: {argv: []}}\n", 9, 32,
	    "argv is empty");
	expect_steps("  - {id: a, kind: action, title: x, danger: extreme, "
	    "sim: {action: x}}\n", 9, 45, "danger must be high");
	expect_steps("  - {id: a, kind: choice, question: q, options: "
	    "[{label: x}]}\n", 9, 49, "at least two options");
	expect_steps("  - {id: a, kind: check, sim: {query: q}, capture: "
	    "{var: v}}\n", 9, 52, "exactly one of regex or json");
	expect_steps("  - {id: a, kind: notify, notify: {text: hi}}\n", 9, 35,
	    "exactly one of webhook_env or webhook_file");
	expect_steps("  - {id: a, kind: notify, title: x, sim: {action: x}}\n",
	    9, 42, "a notify step posts with notify:");
	expect_steps("  - {id: a, kind: wait, wait: {until: '{{n}} > 1'}}\n",
	    9, 31, "missing required key 'check'");
	expect_steps("  - {id: a, kind: action, title: x, http: {method: BREW, "
	    "url: 'http://x/'}}\n", 9, 52, "method must be one of");
}

static void
test_lint_ids_and_gotos(void **state)
{
	expect_steps("  - {id: a, kind: manual, instructions: x}\n"
	    "  - {id: a, kind: manual, instructions: y}\n", 10, 10,
	    "duplicate step id 'a'");
	expect_steps("  - {id: a, kind: manual, instructions: x, next: nowhere}"
	    "\n", 9, 50, "no step 'nowhere'");
	expect_steps("  - id: c\n    kind: choice\n    question: q\n"
	    "    options:\n      - {label: x, goto: missing}\n"
	    "      - {label: y, goto: c}\n", 13, 26, "no step 'missing'");
	expect_steps("  - id: c\n    kind: choice\n    question: q\n"
	    "    options:\n      - {label: x, value: a}\n"
	    "      - {label: y, value: b}\n", 9, 5, "no var:");
	expect(HEAD "parameters:\n  - {name: a, type: int}\n"
	    "  - {name: a, type: int}\n"
	    "steps: [{id: s, kind: manual, instructions: x}]\n", 6, 12,
	    "declared twice");
	expect(HEAD "parameters:\n  - {name: p, type: string, from: "
	    "step.nope.v}\nsteps: [{id: s, kind: manual, instructions: x}]\n",
	    5, 35, "no step 'nope'");
	expect(HEAD "parameters:\n  - {name: p, type: string, from: "
	    "step.s.v}\nsteps: [{id: s, kind: manual, instructions: x}]\n",
	    5, 35, "does not capture 'v'");
	expect(HEAD "parameters:\n  - {name: p, type: string, from: "
	    "env.HOME}\nsteps: [{id: s, kind: manual, instructions: x}]\n",
	    5, 35, "from must be");
}

static void
test_lint_params(void **state)
{
	expect(HEAD "parameters:\n  - {name: p, type: float}\n"
	    "steps: [{id: s, kind: manual, instructions: x}]\n", 5, 21,
	    "type must be");
	expect(HEAD "parameters:\n  - {name: p, type: enum}\n"
	    "steps: [{id: s, kind: manual, instructions: x}]\n", 5, 5,
	    "needs values");
	expect(HEAD "parameters:\n  - {name: p, type: string, pattern: "
	    "'[a-'}\nsteps: [{id: s, kind: manual, instructions: x}]\n", 5,
	    38, "does not compile");
	expect(HEAD "parameters:\n  - {name: p, type: int, min: 1, max: 5, "
	    "default: 9}\nsteps: [{id: s, kind: manual, instructions: x}]\n",
	    5, 51, "default: p: must be from 1 to 5");
	expect(HEAD "parameters:\n  - {name: p, type: string, pattern: "
	    "'[a-z]+', default: 'A1'}\nsteps: [{id: s, kind: manual, "
	    "instructions: x}]\n", 5, 57, "does not match");
	expect(HEAD "parameters:\n  - {name: p, type: int, pattern: x}\n"
	    "steps: [{id: s, kind: manual, instructions: x}]\n", 5, 35,
	    "pattern is for string");
	expect(HEAD "parameters:\n  - {name: p, type: string, secret: true, "
	    "default: hunter2}\nsteps: [{id: s, kind: manual, "
	    "instructions: x}]\n", 5, 52, "a secret has no default");
	expect(HEAD "parameters:\n  - {name: incident, type: string}\n"
	    "steps: [{id: s, kind: manual, instructions: x}]\n", 5, 12,
	    "must be a word");
}

static void
test_lint_placeholders(void **state)
{
	expect_steps("  - {id: a, kind: check, sim: {query: q, args: {x: "
	    "'{{nope}}'}}}\n", 9, 53, "unknown placeholder {{nope}}");
	expect_steps("  - {id: a, kind: check, sim: {query: q, args: {x: "
	    "'{{dep'}}}\n", 9, 53, "malformed placeholder");
	expect_steps("  - {id: a, kind: manual, instructions: 'see {{what}}'}\n",
	    9, 46, "unknown placeholder {{what}}");
	expect_steps("  - {id: a, kind: manual, instructions: x, when: "
	    "'{{ghost}} == 1'}\n", 9, 51, "unknown placeholder {{ghost}}");
	expect_steps("  - {id: a, kind: manual, instructions: x, when: "
	    "'{{n}} =! 1'}\n", 9, 57, "condition");
	expect_steps("  - {id: a, kind: action, title: x, sim: {action: "
	    "'{{dep}}'}}\n", 9, 42, "sim: the action or query name is a word");
	expect_steps("  - {id: a, kind: action, title: x, redis: {target: c, "
	    "command: ['{{dep}}', k]}}\n", 9, 67, "command name is fixed");
	expect_steps("  - {id: a, kind: action, title: x, silence: {matchers: "
	    "{a: b}, duration: '{{n}}h'}}\n", 0, 0, "duration");
	/* Built-ins and captured variables are known. */
	clean_steps("  - {id: a, kind: check, sim: {query: q}, capture: {var: "
	    "got, regex: 'x=([0-9]+)'}}\n"
	    "  - {id: b, kind: manual, instructions: '{{got}} {{incident}} "
	    "{{env}} {{runbook}} {{title}} {{severity}}', when: '{{got}} > 1'}"
	    "\n");
}

static void
test_lint_sql(void **state)
{
	expect_steps("  - id: q\n    kind: check\n    sql:\n      target: p\n"
	    "      query: \"SELECT * FROM t WHERE name = '{{dep}}'\"\n", 13,
	    45, "SQL text");
	expect_steps("  - id: q\n    kind: check\n    sql:\n      target: p\n"
	    "      query: SELECT $1, $2\n      params: ['{{dep}}']\n", 13,
	    14, "uses $1..$2 but params: has 1 value");
	expect_steps("  - id: q\n    kind: check\n    sql:\n      target: p\n"
	    "      query: SELECT $2\n      params: [a, b]\n", 13, 14,
	    "$1 is not used");
	expect_steps("  - id: q\n    kind: action\n    title: x\n    sql:\n"
	    "      target: p\n      query: DELETE FROM t; DROP TABLE u\n", 14,
	    14, "one statement");
	expect_steps("  - id: q\n    kind: check\n    sql:\n      target: p\n"
	    "      query: UPDATE t SET a = $1\n      params: [x]\n", 13, 14,
	    "must start with SELECT");
	/* Quotes, comments and dollar quotes hide $N and ';'. */
	clean_steps("  - id: q\n    kind: check\n    sql:\n      target: p\n"
	    "      query: \"/* lag */ WITH x AS (SELECT '$9;' AS a, $$;$3$$) "
	    "SELECT $1 -- $7;\\n;\"\n      params: ['{{dep}}']\n");
	clean_steps("  - id: q\n    kind: check\n    sql: {target: p, query: "
	    "'explain select 1;'}\n");
}

static void
test_lint_shell(void **state)
{
	static const char *const bad[] = {
		"[sh, -c, 'echo {{dep}}']",
		"[/bin/bash, -ec, 'kubectl get pods {{dep}}']",
		"[env, X=1, sh, -c, 'run {{dep}}']",
		"[sudo, -u, root, bash, -c, 'x {{dep}}']",
		"[su, -, postgres, -c, 'psql -c \"{{dep}}\"']",
		"[su, postgres, '--command=vacuum {{dep}}']",
		"[ssh, -p, '22', bastion, 'systemctl restart {{dep}}']",
		"[ssh, bastion, 'systemctl', 'restart', '{{dep}}']",
		"[kubectl, exec, -n, erp, pod-1, --, sh, -c, 'cat {{dep}}']",
		"[docker, exec, c1, dash, -c, 'ls {{dep}}']",
		"[sh, -c, 'echo \"$1\"', sh, '{{dep}}']",
		"[python3, -c, 'print({{dep}})']",
		"[psql, -c, 'select {{dep}}']",
		"[watch, -n, '1', 'kubectl get {{dep}}']",
		"[env, -S, 'sh -c {{dep}}']",
		"[xargs, zsh, -c, '{{dep}}']",
		NULL
	};
	char	buf[512];
	int	i;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(buf, sizeof buf, "  - {id: a, kind: action, title: "
		    "x, exec: {argv: %s}}\n", bad[i]);
		expect_steps(buf, 9, 0, "shell script text");
	}
	/* The program itself is fixed. */
	expect_steps("  - {id: a, kind: action, title: x, exec: {argv: "
	    "['{{dep}}', x]}}\n", 9, 52, "the program is fixed");
	/* Values as whole elements, env for scripts: fine. */
	clean_steps("  - {id: a, kind: action, title: x, exec: {argv: [kubectl, "
	    "scale, 'deployment/{{dep}}', '--replicas={{n}}']}}\n"
	    "  - {id: b, kind: action, title: y, exec: {argv: [sh, -c, "
	    "'echo \"$DEP\"'], env: {DEP: '{{dep}}'}}}\n"
	    "  - {id: c, kind: action, title: z, exec: {argv: [ssh, '{{dep}}'"
	    "]}}\n");
}

static void
test_lint_argv_pattern(void **state)
{
	expect_steps("  - {id: a, kind: action, title: x, exec: {argv: [ls, "
	    "'{{free}}']}}\n", 9, 56, "without a pattern");
	/* In env (not argv) a free string is fine. */
	clean_steps("  - {id: a, kind: action, title: x, exec: {argv: [ls], "
	    "env: {F: '{{free}}'}}}\n");
}

static void
test_lint_checks_only_read(void **state)
{
	expect_steps("  - {id: a, kind: check, k8s: {verb: scale, namespace: n, "
	    "deployment: d, replicas: '1'}}\n", 9, 38, "changes the cluster");
	expect_steps("  - {id: a, kind: check, k8s: {verb: delete-pod, "
	    "namespace: n, pod: p}}\n", 9, 38, "changes the cluster");
	expect_steps("  - {id: a, kind: check, silence: {matchers: {a: b}, "
	    "duration: 1h}}\n", 9, 35, "silence changes the world");
	expect_steps("  - {id: a, kind: check, notify: {webhook_env: W, text: "
	    "t}}\n", 9, 34, "notify changes the world");
	expect_steps("  - {id: a, kind: check, sim: {action: scale}}\n", 9, 31,
	    "sim action changes the world");
	expect_steps("  - {id: a, kind: check, http: {method: POST, url: "
	    "'http://x/'}}\n", 9, 41, "GET or HEAD");
	expect_steps("  - {id: a, kind: check, redis: {target: c, command: "
	    "[SET, k, v]}}\n", 9, 55, "may write");
	expect_steps("  - {id: a, kind: check, redis: {target: c, command: "
	    "[SLOWLOG, RESET]}}\n", 9, 55, "may write");
	expect_steps("  - {id: a, kind: check, exec: {argv: [ls]}}\n", 9, 32,
	    "read_only: true");
	expect_steps("  - id: w\n    kind: wait\n    wait:\n      check: {sim: "
	    "{action: restart}}\n      until: '{{n}} > 1'\n", 12, 20,
	    "changes the world");
	clean_steps("  - {id: a, kind: check, redis: {target: c, command: "
	    "[info, replication]}}\n"
	    "  - {id: b, kind: check, http: {url: 'http://x/health'}}\n"
	    "  - {id: c, kind: check, exec: {argv: [ls], read_only: true}}\n");
}

static void
test_lint_actions(void **state)
{
	expect_steps("  - {id: a, kind: action, sim: {action: x}}\n", 9, 5,
	    "an action needs a title");
	expect_steps("  - {id: a, kind: action, title: x, danger: high, sim: "
	    "{action: x}}\n", 9, 5, "needs target:");
}

static void
test_lint_http(void **state)
{
	expect_steps("  - {id: a, kind: check, http: {url: "
	    "'http://{{dep}}.internal/x'}}\n", 9, 46, "not in the scheme or host");
	expect_steps("  - {id: a, kind: check, http: {url: "
	    "'http://h/x?{{dep}}=1'}}\n", 9, 50, "not in keys");
	expect_steps("  - {id: a, kind: check, http: {url: 'ftp://h/'}}\n", 9,
	    38, "http:// or https://");
	expect_steps("  - {id: a, kind: action, title: x, http: {method: POST, "
	    "url: 'http://h/', headers: {'Bad Name': v}}}\n", 9, 86,
	    "not a header name");
	expect_steps("  - {id: a, kind: action, title: x, http: {method: POST, "
	    "url: 'http://h/', json: {'{{dep}}': 1}}}\n", 9, 84,
	    "JSON keys are fixed");
	clean_steps("  - {id: a, kind: check, http: {url: "
	    "'https://h/api/{{dep}}/x?a=1&b={{n}}', headers: {X-Id: "
	    "'{{free}}'}}}\n");
}

static void
test_lint_too_many_args(void **state)
{
	char	buf[8192];
	int	i;

	snprintf(buf, sizeof buf, "  - {id: a, kind: action, title: x, exec: "
	    "{argv: [ls");
	for (i = 0; i < ACTION_MAX_ARGS; i++)
		strcat(buf, ", x");
	strcat(buf, "]}}\n");
	expect_steps(buf, 9, 43, "too many values");
}

/* Permissions ------------------------------------------------------------ */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static const char tiny[] = "id: tiny\ntitle: Tiny\nseverity: P3\n"
	"alerts: [TinyAlert]\n"
	"steps: [{id: a, kind: manual, instructions: x}]\n";

static void
test_permissions(void **state)
{
	char		 dir[] = "/tmp/sitrep-rb-XXXXXX", path[256];
	struct rb_diags	 d;
	struct runbook	*rb;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(path, sizeof path, "%s/x.yaml", dir);
	write_file(path, tiny, 0644);
	rb_diags_init(&d);
	rb = runbook_load(path, 0, &d);
	assert_non_null(rb);
	assert_int_equal(d.n, 0);
	runbook_free(rb);

	assert_int_equal(chmod(path, 0666), 0);
	assert_null(runbook_load(path, 0, &d));
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "x.yaml is writable by others; "
	    "chmod go-w"));
	rb_diags_free(&d);

	assert_int_equal(chmod(path, 0664), 0);
	assert_null(runbook_load(path, 0, &d));
	assert_non_null(strstr(d.v[0].msg, "writable by its group"));
	rb_diags_free(&d);

	/* Only under the explicit test flag. */
	rb = runbook_load(path, RB_NO_PERM_CHECK, &d);
	assert_non_null(rb);
	runbook_free(rb);

	/* A writable directory: anyone could swap the file. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_null(runbook_load(path, 0, &d));
	assert_non_null(strstr(d.v[0].msg, "is writable by others"));
	rb_diags_free(&d);
	assert_int_equal(chmod(dir, 0755), 0);

	unlink(path);
	rmdir(dir);
}

static void
test_library(void **state)
{
	char			 dir[] = "/tmp/sitrep-lib-XXXXXX", path[256];
	char			*dirs[1];
	struct rb_diags		 d;
	struct rb_library	*lib;
	const struct runbook	*found[4];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(path, sizeof path, "%s/a.yaml", dir);
	write_file(path, tiny, 0644);
	snprintf(path, sizeof path, "%s/b.yml", dir);
	write_file(path, tiny, 0644);
	snprintf(path, sizeof path, "%s/c.yaml", dir);
	write_file(path, "id: other\ntitle: O\nseverity: P1\nsteps: "
	    "[{id: a, kind: manual, instructions: x}]\n", 0644);
	snprintf(path, sizeof path, "%s/notes.txt", dir);
	write_file(path, "not a runbook", 0644);
	dirs[0] = dir;
	rb_diags_init(&d);
	lib = rb_library_load(dirs, 1, 0, &d);
	assert_int_equal(lib->n, 3);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "also used by"));
	assert_non_null(strstr(d.v[0].file, "b.yml"));
	assert_non_null(rb_library_find(lib, "other"));
	assert_null(rb_library_find(lib, "nope"));
	assert_int_equal(rb_library_for_alert(lib, "TinyAlert", found, 4), 2);
	rb_library_free(lib);
	rb_diags_free(&d);

	setenv("SITREP_RUNBOOKS", "/x:/y::/z", 1);
	assert_int_equal(runbook_dirs(dirs, 1), 1);
	assert_string_equal(dirs[0], "/x");
	free(dirs[0]);
	unsetenv("SITREP_RUNBOOKS");
	snprintf(path, sizeof path, "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* Every runbook shipped in runbooks/ lints clean. */
static void
test_shipped_library(void **state)
{
	char			*dirs[] = { "runbooks" };
	struct rb_diags		 d;
	struct rb_library	*lib;
	int			 i;

	rb_diags_init(&d);
	lib = rb_library_load(dirs, 1, RB_NO_PERM_CHECK, &d);
	dump(&d);
	assert_int_equal(d.n, 0);
	assert_true(lib->n >= 3);
	for (i = 0; i < lib->n; i++)
		assert_int_equal(lib->v[i]->nproblems, 0);
	rb_library_free(lib);
	rb_diags_free(&d);
}

static void
ph_cb(void *arg, const char *name, size_t off, size_t len)
{
	char	*buf = arg;

	snprintf(buf + strlen(buf), 256 - strlen(buf), "[%s %zu %zu]",
	    name ? name : "BAD", off, len);
}

static void
test_placeholders_and_durations(void **state)
{
	char	buf[256] = "";

	assert_int_equal(rb_placeholders("a{{x}}b{{ y.z }}{{}}{{", ph_cb, buf),
	    4);
	assert_string_equal(buf, "[x 1 5][y.z 7 9][BAD 16 4][BAD 20 2]");
	assert_int_equal(rb_parse_secs("90"), 90);
	assert_int_equal(rb_parse_secs("5m"), 300);
	assert_int_equal(rb_parse_secs("2h"), 7200);
	assert_int_equal(rb_parse_secs("1d"), 86400);
	assert_int_equal(rb_parse_secs("-1"), -1);
	assert_int_equal(rb_parse_secs("1w"), -1);
	assert_int_equal(rb_parse_secs("99999999999999999999d"), -1);
	assert_int_equal(rb_parse_secs(""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_broken_yaml),
		cmocka_unit_test(test_lint_structure),
		cmocka_unit_test(test_lint_ids_and_gotos),
		cmocka_unit_test(test_lint_params),
		cmocka_unit_test(test_lint_placeholders),
		cmocka_unit_test(test_lint_sql),
		cmocka_unit_test(test_lint_shell),
		cmocka_unit_test(test_lint_argv_pattern),
		cmocka_unit_test(test_lint_checks_only_read),
		cmocka_unit_test(test_lint_actions),
		cmocka_unit_test(test_lint_http),
		cmocka_unit_test(test_lint_too_many_args),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_library),
		cmocka_unit_test(test_shipped_library),
		cmocka_unit_test(test_placeholders_and_durations),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
