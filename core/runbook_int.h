/* runbook_int.h: inside the runbook reader, shared by runbook.c (loading,
 * freeing, lookups), runbook_yaml.c (YAML text to a tree of rb_node),
 * runbook_parse.c (the tree to the model, key by key), runbook_exec.c
 * (executor bodies) and runbook_lint.c (the checks across the model).
 * The drill reader (core/drill*.c) shares its YAML tree, limits and file
 * reading; nothing else includes it. */
#ifndef SITREP_RUNBOOK_INT_H
#define SITREP_RUNBOOK_INT_H

#include <stddef.h>

#include "runbook.h"

#define RB_MAX_DEPTH	64
#define RB_MAX_NODES	200000

/* One parse in progress: where problems go. */
struct rb_ctx {
	const char	*file;
	struct rb_diags	*diags;		/* may be NULL */
	int		 problems;
};

void		 rb_problem(struct rb_ctx *, int line, int col,
		     const char *fmt, ...)
		     __attribute__((format(printf, 4, 5)));

/* YAML text to a tree; NULL (and a problem) on a syntax error. */
struct rb_node	*rb_yaml_load(struct rb_ctx *, const char *buf, size_t len);
void		 rb_node_free(struct rb_node *);

/* Mappings: the value of key, or NULL. */
struct rb_node	*rb_map_get(const struct rb_node *, const char *key);
/* Report keys of map that are not in allowed (" a b c "), and repeated
 * keys.  Returns the number of problems. */
int		 rb_map_keys(struct rb_ctx *, const struct rb_node *map,
		     const char *what, const char *allowed);

/* Leaves: each reports a bad type and returns -1.  Absent keys leave the
 * output untouched and return 0. */
int		 rb_get_str(struct rb_ctx *, const struct rb_node *map,
		     const char *key, struct rb_str *);
int		 rb_get_strs(struct rb_ctx *, const struct rb_node *map,
		     const char *key, struct rb_str **, int *);
int		 rb_get_kvs(struct rb_ctx *, const struct rb_node *map,
		     const char *key, struct rb_kv **, int *);
int		 rb_get_bool(struct rb_ctx *, const struct rb_node *map,
		     const char *key, int *);
int		 rb_get_int(struct rb_ctx *, const struct rb_node *map,
		     const char *key, long long *, int *present);
/* A duration ("90s", "5m") into seconds, within [lo, hi]. */
int		 rb_get_secs(struct rb_ctx *, const struct rb_node *map,
		     const char *key, int lo, int hi, int *);
/* Report a missing required key of map. */
int		 rb_require(struct rb_ctx *, const struct rb_node *map,
		     const char *what, const char *key);
void		 rb_str_set(struct rb_str *, const struct rb_node *scalar);
void		 rb_str_free(struct rb_str *);
void		 rb_strs_free(struct rb_str *, int);
void		 rb_kvs_free(struct rb_kv *, int);

/* The executor body found in map (exactly one of the executor keys).
 * Returns 0 when there was one, 1 when none, -1 on problems. */
int		 rb_exec_parse(struct rb_ctx *, const struct rb_node *map,
		     const char *what, struct rb_exec *);
void		 rb_exec_free(struct rb_exec *);
/* The executor keys: " exec sql http k8s redis silence notify sim ". */
extern const char rb_exec_keys[];

/* The model from the tree (structural problems); lint does the rest. */
int		 rb_build(struct rb_ctx *, const struct rb_node *root,
		     struct runbook *);

/* Compile patterns, capture regexes and conditions (problems if they do
 * not compile). */
void		 rb_compile(struct rb_ctx *, struct runbook *);
/* Lint with a context (counts problems). */
void		 rb_lint(struct rb_ctx *, const struct runbook *);

/* The index in argv from which elements are script text (a shell's -c
 * argument and what follows, ssh's remote command, ...), or argc. */
int		 rb_script_start(const struct rb_str *argv, int argc);
/* SQL text: the highest $N used, a mask of the used ones (1..63), and
 * whether there is more than one statement. */
void		 rb_sql_scan(const char *, int *maxn, unsigned long long *used,
		     int *multi);
/* Whether a SQL text is read-only by its first word (SELECT, SHOW,
 * EXPLAIN, WITH, VALUES, TABLE). */
int		 rb_sql_read_only(const char *);
/* Whether a redis command word is a read-only command. */
int		 rb_redis_read_only(const char *);

/* The whole file (at most RB_MAX_FILE bytes), NUL-terminated; NULL and a
 * diagnostic when it cannot be read.  Drills use it too. */
char		*rb_read_file(const char *path, size_t *len, struct rb_diags *);

#endif
