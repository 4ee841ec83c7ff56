/* config.h: the configuration file.
 *
 * YAML, found as --config FILE, else $SITREP_CONFIG, ./sitrep.yaml,
 * $XDG_CONFIG_HOME/sitrep/config.yaml (~/.config/...), /etc/sitrep/
 * config.yaml.  It names environments (prod, staging, drill, ...), each
 * listing its sources.  Secrets never sit in the file: passwords and tokens
 * come from *_env / *_file keys, libpq service files and .pgpass, and
 * Kubernetes credentials from the kubeconfig.  Every error names the file,
 * the line and the key.  docs/configuration.md documents every key.
 * Parsing is config.c, config_sections.c and config_http.c; finding the
 * file and reading secrets is secret.c. */
#ifndef SITREP_CONFIG_H
#define SITREP_CONFIG_H

#include <stddef.h>

#include "util.h"

/* A PostgreSQL server (primary or standby). */
struct cfg_postgres {
	char	*name;			/* unique in the environment */
	char	*conninfo;		/* libpq "host=... port=..." or a
					 * postgresql:// URI; may be NULL
					 * (PG* variables, service) */
	char	*service;		/* libpq service name, or NULL */
	char	*password_env;		/* variable holding the password */
	char	*password_file;		/* file holding it (0600) */
	int	 connect_timeout_s;	/* default 3 */
	int	 statement_timeout_ms;	/* default 2000 */
	int	 line;
};

/* Column names of an outbox table. */
struct cfg_outbox_columns {
	char	*id;
	char	*occurred;		/* when the message was written */
	char	*processed;		/* NULL while pending */
	char	*error;			/* set when publishing failed; may be NULL */
	char	*type;			/* message type; may be NULL */
};

/* One service's outbox table. */
struct cfg_outbox {
	char			*service;	/* e.g. finance */
	char			*postgres;	/* the cfg_postgres to connect with */
	char			*dbname;	/* database override, or NULL */
	char			*schema;	/* default "public" */
	char			*table;		/* unquoted name, e.g. OutboxMessages */
	char			*preset;	/* outbox-messages, masstransit, custom */
	struct cfg_outbox_columns cols;	/* filled from the preset if absent */
	int			 line;
};

struct cfg_redis {
	char	*name;
	char	*url;			/* redis://[user@]host:port[/db] */
	char	*host;			/* host, port, db: from url */
	int	 port;			/* default 6379 */
	int	 db;
	char	*username;		/* ACL user, or NULL */
	int	 tls;			/* rediss:// */
	char	*password_env;
	char	*password_file;
	int	 connect_timeout_ms;	/* default 2000 */
	int	 timeout_ms;		/* per command, default 2000 */
	int	 line;
};

/* How to reach an HTTP service (Alertmanager, Prometheus, health). */
struct cfg_http {
	char	*url;			/* http:// or https:// */
	char	*ca_file;		/* CA bundle for https, or NULL */
	char	*cert_file;		/* client certificate, or NULL */
	char	*key_file;
	int	 insecure;		/* skip TLS verification (warned) */
	char	*token_env;		/* bearer token from a variable */
	char	*token_file;		/* ... or a file (0600) */
	char	*basic_user;		/* basic auth user */
	char	*password_env;		/* basic auth password */
	char	*password_file;
	int	 connect_timeout_ms;	/* default 3000 */
	int	 timeout_ms;		/* default 10000 */
};

struct cfg_kubernetes {
	char	*kubeconfig;		/* NULL: $KUBECONFIG, ~/.kube/config */
	char	*context;		/* NULL: current-context */
	char	*namespace;		/* NULL: the context's; "*" = all */
	int	 timeout_ms;		/* per request, default 10000 */
	int	 present;		/* the section is in the file */
	int	 line;
};

struct cfg_alertmanager {
	char		*name;		/* several = one HA cluster, deduped */
	struct cfg_http	 http;
	int		 line;
};

enum circuit_preset { CIRCUITS_RESILIENCE4J, CIRCUITS_POLLY, CIRCUITS_ENVOY,
	CIRCUITS_CUSTOM };

struct cfg_prometheus {
	struct cfg_http		 http;
	enum circuit_preset	 preset;	/* default resilience4j */
	char			*query;		/* custom: PromQL */
	char			*label_service;	/* label naming the caller */
	char			*label_dependency; /* label naming the callee */
	char			*label_state;	/* custom: label with the state,
						 * or NULL = the value (0 closed,
						 * 1 open, 2 half-open) */
	int			 present;
	int			 line;
};

struct cfg_health {
	char		*name;		/* the service, e.g. finance */
	struct cfg_http	 http;		/* url of /health or /health/ready */
	int		 line;
};

struct cfg_env {
	char			*name;
	int			 production;	/* header in red, confirmations */
	int			 refresh_ms;	/* default 2000 */
	struct cfg_postgres	*pg;
	int			 npg;
	struct cfg_outbox	*outbox;
	int			 noutbox;
	struct cfg_redis	*redis;
	int			 nredis;
	struct cfg_kubernetes	 kubernetes;
	struct cfg_alertmanager	*alertmanager;
	int			 nalertmanager;
	struct cfg_prometheus	 prometheus;
	struct cfg_health	*health;
	int			 nhealth;
	int			 line;
};

/* The audit trail (docs/audit.md): where it is, its key, its anchors and
 * mirror.  The PostgreSQL and Redis entries have no name. */
struct cfg_audit_pg {
	struct cfg_postgres	 pg;		/* conninfo, service, password */
	char			*table;		/* default sitrep_audit_anchor /
						 * sitrep_audit (mirror) */
};

struct cfg_audit_redis {
	struct cfg_redis	 redis;		/* url, password, timeouts */
	char			*key;		/* default sitrep:audit:head */
};

struct cfg_audit {
	char			*path;		/* NULL: the default */
	char			*key_file;	/* HMAC key (0600), or NULL */
	int			 anchor_every;	/* records; default 100 */
	char			*anchor_file;	/* anchors.file, or NULL */
	struct cfg_audit_pg	*anchor_pg;	/* anchors.postgres, or NULL */
	struct cfg_audit_redis	*anchor_redis;	/* anchors.redis, or NULL */
	struct cfg_audit_pg	*mirror_pg;	/* mirror.postgres, or NULL */
	int			 present;	/* the section is in the file */
	int			 line;
};

/* The war room (docs/warroom.md): the Redis that several consoles share
 * for an incident.  Top level, like audit:. */
struct cfg_warroom {
	struct cfg_redis	 redis;		/* url, password, timeouts */
	char			*prefix;	/* key prefix, default "sitrep:" */
	int			 maxlen;	/* stream MAXLEN ~, default 10000 */
	int			 presence_ttl_ms;	/* default 15000 */
	int			 approval_ttl_ms;	/* default 300000 */
	int			 present;	/* the section is in the file */
	int			 line;
};

struct config {
	char		*path;
	char		*default_env;	/* NULL = the first */
	struct cfg_env	*envs;
	int		 nenvs;
	struct cfg_audit audit;		/* audit: (zeroed when absent) */
	struct cfg_warroom warroom;	/* warroom: (zeroed when absent) */
};

/* Where the configuration is: explicit (may be NULL), then the search
 * order above.  0 and the path, or -1 when there is none.  An explicit path
 * or $SITREP_CONFIG must exist: there is no falling back to another file;
 * on -1 out then holds the missing path (else it is empty). */
int		 config_find(const char *explicit_path, char *out, size_t len);
/* Parse a file.  NULL and "FILE:LINE: KEY: what" in err on error. */
struct config	*config_load(const char *path, struct error *);
/* Parse a buffer (tests, fuzzing); name is used in messages. */
struct config	*config_parse(const char *buf, size_t len, const char *name,
		     struct error *);
void		 config_free(struct config *);
/* The environment by name (NULL = the default).  NULL and a message
 * listing the known ones when there is none. */
const struct cfg_env *config_env(const struct config *, const char *name,
		     struct error *);
const struct cfg_postgres *config_pg(const struct cfg_env *, const char *);
/* Read a secret from a variable or a file (one line; one trailing newline
 * is dropped).  A file with any group or other permission bits is refused,
 * as is an empty secret or a variable that is named but not set.  The
 * variable wins when both are set.  0 and *out (caller frees; NULL when
 * neither is given), or -1 with err. */
int		 config_secret(const char *env, const char *file, char **out,
		     struct error *);
/* A path of the file (password_file, ca_file, kubeconfig, ...) as it is
 * opened: a leading "~/" is $HOME/.  0, or -1 with err ($HOME unset, or
 * the result longer than len). */
int		 config_path(const char *file, char *out, size_t len,
		     struct error *);

#endif
