/* runbook.h: runbooks as data.  A runbook is a YAML file (docs/runbooks.md
 * is the reference): id, title, severity, what it is for, parameters and
 * steps.  This module reads one (libyaml), checks it (lint) and finds the
 * library of them on disk.  It runs nothing: core/engine.h does.
 *
 * Every problem is a diagnostic "FILE:LINE:COLUMN: message" (lines and
 * columns count from 1, as compilers do).  A runbook with any diagnostic
 * is not runnable: engine_new() refuses it and says why.
 *
 * Values from parameters and captured variables appear only as
 * placeholders {{name}} inside whole values (an argv element, a SQL bind
 * parameter, a JSON string value, a URL path segment or query value, a
 * header value, a k8s object name...), never in shell script text or SQL
 * text; lint refuses runbooks that would need that. */
#ifndef SITREP_RUNBOOK_H
#define SITREP_RUNBOOK_H

#include <regex.h>
#include <stddef.h>

#include "util.h"

/* Diagnostics ------------------------------------------------------------ */

struct rb_diag {
	char	*file;			/* as given to the loader */
	int	 line;			/* 1-based; 0 = the file as a whole */
	int	 col;			/* 1-based; 0 = unknown */
	char	*msg;
};

struct rb_diags {
	struct rb_diag	*v;
	int		 n, cap;
};

void		 rb_diags_init(struct rb_diags *);
void		 rb_diags_free(struct rb_diags *);
void		 rb_diag_add(struct rb_diags *, const char *file, int line,
		     int col, const char *fmt, ...)
		     __attribute__((format(printf, 5, 6)));
/* "FILE:LINE:COL: msg" (or "FILE: msg" for line 0) into buf. */
void		 rb_diag_format(const struct rb_diag *, char *, size_t);

/* The data model -------------------------------------------------------- */

/* A string from the file with where it was (for diagnostics).  s is NULL
 * when the key was absent. */
struct rb_str {
	char	*s;
	int	 line, col;
	int	 quoted;		/* written in quotes: col is the quote */
};

/* A key: value pair (env, headers, matchers, sim args). */
struct rb_kv {
	struct rb_str	 key;
	struct rb_str	 value;
};

/* A YAML tree kept as it is (http json: bodies, sent as JSON). */
enum rb_node_type { RB_NODE_SCALAR, RB_NODE_SEQ, RB_NODE_MAP };
struct rb_node {
	enum rb_node_type	 type;
	struct rb_str		 scalar;	/* RB_NODE_SCALAR */
	int			 plain;		/* unquoted: may be a number,
						 * true/false/null in JSON */
	struct rb_node		**items;	/* SEQ: values; MAP: key, value
						 * pairs flattened */
	int			 nitems;
	int			 line, col;
};

enum rb_severity { RB_P0, RB_P1, RB_P2, RB_P3 };

enum rb_ptype {
	RB_PT_STRING, RB_PT_ENUM, RB_PT_INT, RB_PT_DURATION, RB_PT_BOOL
};

struct rb_param {
	struct rb_str	 name;
	enum rb_ptype	 type;
	struct rb_str	 description;
	struct rb_str	 pattern;	/* POSIX ERE, anchored: ^(pattern)$ */
	regex_t		 re;
	int		 has_re;
	struct rb_str	*values;	/* enum */
	int		 nvalues;
	long long	 min, max;	/* int */
	int		 has_min, has_max;
	struct rb_str	 def;		/* default, or s == NULL */
	int		 required;
	int		 secret;	/* never shown, logged: [redacted] */
	int		 options_ok;	/* may start with '-' in a whole argv
					 * element */
	struct rb_str	 from;		/* alert.labels.X or step.ID.VAR */
	int		 line, col;
};

enum rb_step_kind {
	RB_STEP_CHECK, RB_STEP_ACTION, RB_STEP_WAIT, RB_STEP_MANUAL,
	RB_STEP_CHOICE, RB_STEP_NOTIFY
};

enum rb_exec_kind {
	RB_EX_NONE, RB_EX_EXEC, RB_EX_SQL, RB_EX_HTTP, RB_EX_K8S, RB_EX_REDIS,
	RB_EX_SILENCE, RB_EX_NOTIFY, RB_EX_SIM
};

/* One executor body: exactly one of exec:, sql:, http:, k8s:, redis:,
 * silence:, notify:, sim:.  Fields not used by the kind are empty. */
struct rb_exec {
	enum rb_exec_kind kind;
	int		 line, col;
	/* exec */
	struct rb_str	*argv;
	int		 argc;
	struct rb_kv	*env;
	int		 nenv;
	struct rb_str	*env_allow;
	int		 nenv_allow;
	struct rb_str	 cwd;
	int		 timeout_s;	/* exec, sql, http, redis; 0 = default */
	int		 read_only;	/* exec: the author says it changes
					 * nothing (required in checks) */
	/* sql, redis */
	struct rb_str	 target;	/* configured server name */
	struct rb_str	 query;		/* sql: text with $1..$N only */
	struct rb_str	*params;	/* sql: bind values, $1 first */
	int		 nparams;
	struct rb_str	*command;	/* redis: command words */
	int		 ncommand;
	/* http */
	struct rb_str	 method;
	struct rb_str	 url;
	struct rb_kv	*headers;
	int		 nheaders;
	struct rb_node	*json;		/* body, or NULL */
	/* k8s */
	struct rb_str	 verb;		/* scale rollout-restart delete-pod
					 * rollout-status get */
	struct rb_str	 namespace;
	struct rb_str	 deployment;
	struct rb_str	 pod;
	struct rb_str	 replicas;
	/* silence */
	struct rb_kv	*matchers;
	int		 nmatchers;
	struct rb_str	 duration;
	struct rb_str	 comment;
	/* notify */
	struct rb_str	 webhook_env;
	struct rb_str	 webhook_file;
	struct rb_str	 text;
	struct rb_str	 status;	/* investigating, update, resolved:
					 * wraps text in the seeds' template */
	/* sim */
	struct rb_str	 action;	/* a world action (mutating) */
	struct rb_str	 sim_query;	/* a read-only query */
	struct rb_kv	*args;
	int		 nargs;
};

/* capture: {var, regex | json}: a variable from the step's output. */
struct rb_capture {
	struct rb_str	 var;		/* s == NULL: no capture */
	struct rb_str	 regex;		/* ERE; group 1 (or all) is the value */
	regex_t		 re;
	int		 has_re;
	struct rb_str	 json;		/* a path: a.b[0].c */
};

struct rb_option {			/* choice */
	struct rb_str	 label;
	struct rb_str	 go;		/* goto: a step id */
	struct rb_str	 value;		/* value: sets the choice's var */
};

struct rb_step {
	struct rb_str	 id;
	enum rb_step_kind kind;
	struct rb_str	 title;
	struct rb_str	 description;
	struct rb_str	 when;		/* condition (core/condition.h) */
	struct cond	*when_c;	/* compiled, or NULL */
	struct rb_str	 next;		/* continue at this step id after */
	struct rb_capture capture;
	struct rb_exec	 exec;		/* check, action, notify; wait's check */
	/* action */
	int		 danger_high;	/* type target to confirm */
	struct rb_str	 target;	/* the word to type (may hold {{x}}) */
	int		 two_person;	/* approval: two-person (recorded) */
	/* wait */
	struct rb_str	 until;
	struct cond	*until_c;
	int		 timeout_s;	/* default 300 */
	int		 interval_s;	/* default 10 */
	/* manual */
	struct rb_str	 instructions;
	/* choice */
	struct rb_str	 question;
	struct rb_str	 var;		/* set by an option's value: */
	struct rb_option *options;
	int		 noptions;
	int		 line, col;
};

struct runbook {
	char		*path;		/* as loaded (or the name given) */
	char		 sha256[65];	/* of the file's bytes, hex */
	struct rb_str	 id;
	struct rb_str	 title;
	enum rb_severity severity;
	struct rb_str	 summary;
	struct rb_str	*symptoms;
	int		 nsymptoms;
	struct rb_str	 impact;
	struct rb_str	*alerts;
	int		 nalerts;
	struct rb_param	*params;
	int		 nparams;
	struct rb_step	*steps;
	int		 nsteps;
	int		 nproblems;	/* diagnostics found when loading */
	char		*first_problem;	/* "FILE:LINE:COL: msg", or NULL */
};

/* Loading --------------------------------------------------------------- */

#define RB_MAX_FILE	(1024 * 1024)

/* Flags for runbook_load and the library. */
#define RB_NO_PERM_CHECK	0x1	/* tests only: skip the go-w check */

/* Parse and lint text (no file system).  name is used in diagnostics.
 * Returns a runbook (caller frees) with nproblems set and every problem
 * appended to diags (which may be NULL), or NULL when the text is not a
 * YAML mapping at all (the reason is in diags). */
struct runbook	*runbook_parse(const char *buf, size_t len, const char *name,
		     struct rb_diags *);
/* Read, check permissions (a file or its directory writable by group or
 * others is refused: "runbooks/x.yaml is writable by others; chmod go-w",
 * as sudo does with sudoers, unless RB_NO_PERM_CHECK) and parse. */
struct runbook	*runbook_load(const char *path, int flags, struct rb_diags *);
void		 runbook_free(struct runbook *);

/* The semantic checks alone (placeholders, shells, SQL, gotos, ...), run
 * by runbook_parse; exposed for tests.  Returns the number of problems. */
int		 runbook_lint(const struct runbook *, struct rb_diags *);

/* 0 when path (and, for a file, its directory) is not writable by group
 * or others; else -1 and the message in diags. */
int		 runbook_check_perms(const char *path, struct rb_diags *);

const char	*rb_severity_name(enum rb_severity);	/* "P0" */
const char	*rb_step_kind_name(enum rb_step_kind);	/* "check" */
const char	*rb_exec_kind_name(enum rb_exec_kind);	/* "exec" */
const char	*rb_ptype_name(enum rb_ptype);		/* "string" */

/* "90s", "5m", "2h", "1d" or plain seconds (at most 10^9 of a
 * unit) in seconds; -1 when malformed. */
long long	 rb_parse_secs(const char *);

/* Whether value is acceptable for p (pattern, enum, int range, duration,
 * bool): 0, or -1 and why (which never quotes the value). */
int		 rb_param_check(const struct rb_param *, const char *value,
		     char *why, size_t);

/* Lookups; NULL or -1 when absent. */
const struct rb_param *runbook_param(const struct runbook *,
		     const char *name);
int		 runbook_step_index(const struct runbook *, const char *id);
/* Whether alertname is among the runbook's alerts. */
int		 runbook_matches_alert(const struct runbook *,
		     const char *alertname);

/* Placeholders ---------------------------------------------------------- */

/* Names that are always defined in placeholders and conditions. */
#define RB_BUILTINS	"incident env runbook title severity"

/* Call fn for every {{name}} in s, with the name, its byte offset in s
 * and its length (including the braces).  A malformed placeholder ("{{"
 * without "}}", an empty or bad name) is passed with name NULL.  Returns
 * the number of placeholders. */
int		 rb_placeholders(const char *s, void (*fn)(void *,
		     const char *name, size_t off, size_t len), void *arg);

/* The library ----------------------------------------------------------- */

/* Directories searched, in order: $SITREP_RUNBOOKS (':'-separated), else
 * runbooks/ in the data directories (core/paths.h).  Fills up to n
 * malloc'ed paths into dirs; returns how many. */
int		 runbook_dirs(char **dirs, int n);

struct rb_library {
	struct runbook	**v;		/* every *.yaml / *.yml found, sorted
					 * by id; those with problems too */
	int		  n;
};

/* Load every runbook from dirs (NULL = runbook_dirs()).  Duplicate ids
 * are a problem of the later file.  Diagnostics go to diags. */
struct rb_library *rb_library_load(char **dirs, int ndirs, int flags,
		     struct rb_diags *);
void		 rb_library_free(struct rb_library *);
/* Both find nothing in a NULL library (not read yet). */
const struct runbook *rb_library_find(const struct rb_library *,
		     const char *id);
/* The runbooks suggested by an alert name (up to n), returns how many. */
int		 rb_library_for_alert(const struct rb_library *,
		     const char *alertname, const struct runbook **, int n);

#endif
