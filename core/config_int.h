/* config_int.h: inside the configuration parser, shared by config.c (the
 * walker, the leaf fields, loading), config_sections.c (the top level,
 * environments, databases) and config_http.c (kubernetes, alertmanager,
 * prometheus, health).  Nothing else includes it.
 *
 * Each section is a table of fields (key, parser, offset); cfg_mapping
 * applies a table to a YAML mapping, calling each field's parser with the
 * value node, its key path for messages ("environments.prod.redis[0].url")
 * and base + off to fill. */
#ifndef SITREP_CONFIG_INT_H
#define SITREP_CONFIG_INT_H

#include <stddef.h>

#include <yaml.h>

#include "config.h"
#include "util.h"

#define CFG_MAX_TEXT	4096	/* conninfo, URLs, paths, queries */
#define CFG_MAX_NAME	63	/* names, SQL identifiers (NAMEDATALEN - 1) */
#define CFG_MAX_ITEMS	256	/* environments, servers per list */
#define CFG_WHERE	192	/* a key path: environments.prod.redis[0].url */

/* One parse in progress. */
struct cfg_ctx {
	const char	*name;		/* the file, for messages */
	const char	*buf;		/* its text */
	yaml_document_t	*doc;
	struct error	*err;
};

/* A key of a mapping: parse stores the value at base + off.  min and max
 * bound durations (ms) and, for cfg_f_text, the length (0 = the default). */
struct cfg_field {
	const char	*key;
	int		(*parse)(struct cfg_ctx *, const struct cfg_field *,
			    yaml_node_t *, const char *, void *);
	size_t		 off;
	int		 min;
	int		 max;
};

/* Messages.  cfg_fail: "FILE:LINE: WHERE: what" for node n; always -1. */
int		 cfg_fail(struct cfg_ctx *, const yaml_node_t *n,
		     const char *where, const char *fmt, ...)
		     __attribute__((format(printf, 4, 5)));
/* The same for where.key, at key's value in mapping n (else at n). */
int		 cfg_fail_key(struct cfg_ctx *, yaml_node_t *n,
		     const char *where, const char *key, const char *fmt, ...)
		     __attribute__((format(printf, 5, 6)));
unsigned long	 cfg_line(const yaml_node_t *);
/* A short printable copy of user text into buf. */
const char	*cfg_quote(const char *, char *buf, size_t);
void		 cfg_join(char *, size_t, const char *where, const char *key);
void		 cfg_list_add(char *, size_t, const char *name);

/* Nodes. */
yaml_node_t	*cfg_node(struct cfg_ctx *, int id);
yaml_node_t	*cfg_lookup(struct cfg_ctx *, yaml_node_t *, const char *key);
yaml_node_t	*cfg_item(struct cfg_ctx *, yaml_node_t *, int);
const char	*cfg_scalar(const yaml_node_t *);
int		 cfg_text(struct cfg_ctx *, yaml_node_t *, const char *where,
		     size_t max, const char **out);
int		 cfg_name_ok(const char *);
/* Replace *dst with a copy of s; set *dst to def if it is NULL. */
void		 cfg_set(char **dst, const char *s);
void		 cfg_default(char **dst, const char *def);

/* Leaf fields: out is a char * (names, text, paths), an int (bool,
 * durations in ms, cfg_f_secs in seconds). */
int	cfg_f_name(struct cfg_ctx *, const struct cfg_field *, yaml_node_t *,
	    const char *, void *);
int	cfg_f_ident(struct cfg_ctx *, const struct cfg_field *, yaml_node_t *,
	    const char *, void *);
int	cfg_f_text(struct cfg_ctx *, const struct cfg_field *, yaml_node_t *,
	    const char *, void *);
int	cfg_f_envvar(struct cfg_ctx *, const struct cfg_field *,
	    yaml_node_t *, const char *, void *);
int	cfg_f_path(struct cfg_ctx *, const struct cfg_field *, yaml_node_t *,
	    const char *, void *);
int	cfg_f_bool(struct cfg_ctx *, const struct cfg_field *, yaml_node_t *,
	    const char *, void *);
int	cfg_f_ms(struct cfg_ctx *, const struct cfg_field *, yaml_node_t *,
	    const char *, void *);
int	cfg_f_secs(struct cfg_ctx *, const struct cfg_field *, yaml_node_t *,
	    const char *, void *);

/* The walker. */
int	cfg_mapping(struct cfg_ctx *, yaml_node_t *, const char *where,
	    const struct cfg_field *, void *base);
/* item(ctx, node, "where[i]", arg) for each element of a list. */
int	cfg_list(struct cfg_ctx *, yaml_node_t *, const char *where,
	    int (*item)(struct cfg_ctx *, yaml_node_t *, const char *, void *),
	    void *arg);
/* "where.key: required" unless value is set. */
int	cfg_require(struct cfg_ctx *, yaml_node_t *, const char *where,
	    const char *key, const void *value);
/* "give ka or kb, not both" if a and b are both set. */
int	cfg_one_of(struct cfg_ctx *, yaml_node_t *, const char *where,
	    const char *ka, const void *a, const char *kb, const void *b);
/* "where.name: "name" given twice (first on line N)" */
int	cfg_dup(struct cfg_ctx *, yaml_node_t *, const char *where,
	    const char *name, int first);

/* config_sections.c: the root mapping into cfg; freeing an environment,
 * the audit: and the warroom: sections. */
int	cfg_top(struct cfg_ctx *, yaml_node_t *root, struct config *cfg);
void	cfg_env_free(struct cfg_env *);
void	cfg_audit_free(struct cfg_audit *);
void	cfg_warroom_free(struct cfg_warroom *);

#define AUDIT_ANCHOR_EVERY_DEFAULT	100	/* = AUDIT_ANCHOR_EVERY */

/* config_http.c: an environment's sections reached over HTTP (out is the
 * struct cfg_env, or its kubernetes or prometheus member); their defaults
 * for a new environment, and freeing them. */
int	cfg_f_kubernetes(struct cfg_ctx *, const struct cfg_field *,
	    yaml_node_t *, const char *, void *);
int	cfg_f_alertmanager(struct cfg_ctx *, const struct cfg_field *,
	    yaml_node_t *, const char *, void *);
int	cfg_f_prometheus(struct cfg_ctx *, const struct cfg_field *,
	    yaml_node_t *, const char *, void *);
int	cfg_f_health(struct cfg_ctx *, const struct cfg_field *,
	    yaml_node_t *, const char *, void *);
void	cfg_http_env_init(struct cfg_env *);
void	cfg_http_env_free(struct cfg_env *);

#endif
