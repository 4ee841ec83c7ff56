/* kubeconfig.h: how to reach a Kubernetes cluster, read from kubeconfig
 * files the way kubectl reads them (libyaml, never by hand).
 *
 * Files: the configured path, else $KUBECONFIG (a ':'-separated list,
 * missing files skipped), else ~/.kube/config.  Several files merge with
 * kubectl's rules: the first file to name a cluster, user or context wins
 * (the whole entry), current-context comes from the first file that sets
 * it.  Context: the configured one, else current-context; namespace: the
 * configured one, else the context's, else "default"; "*" means all.
 * Relative file paths (certificate-authority, client-certificate,
 * client-key, tokenFile, an exec command containing a '/') resolve against
 * the directory of the file that holds the entry.  *-data fields are
 * base64 of PEM and are decoded with OpenSSL; data wins over a file.
 *
 * Credentials: client certificate and key, token, tokenFile (read for
 * every request, so a rotated token is picked up), or an exec plugin
 * (client.authentication.k8s.io/v1 or v1beta1, see kube_exec.c) whose
 * credential is cached until its expirationTimestamp or until
 * kubeconfig_forget() (a 401). */
#ifndef SITREP_KUBECONFIG_H
#define SITREP_KUBECONFIG_H

#include <pthread.h>
#include <stdint.h>

#include "http.h"
#include "util.h"

#define KUBE_EXEC_TIMEOUT_MS	10000

/* An exec credential plugin and its cached credential. */
struct kube_exec {
	char		 *api_version;	/* client.authentication.k8s.io/v1 */
	char		**argv;		/* command, args; NULL-terminated */
	char		**env;		/* extra "NAME=value", NULL-ended */
	char		 *install_hint;	/* shown when the command is missing */
	int		  provide_cluster_info;
	int		  timeout_ms;	/* default KUBE_EXEC_TIMEOUT_MS */
	pthread_mutex_t	  lock;		/* the cache below */
	int		  have;
	char		 *token;
	char		 *cert_pem;
	char		 *key_pem;
	int64_t		  expiry_ms;	/* epoch ms, 0 = until a 401 */
	int		  runs;		/* times the plugin ran (tests) */
};

struct kubeconfig {
	int		 refs;		/* atomic; kubeconfig_ref/unref */
	char		*path;		/* the file the context came from */
	char		*context;
	char		*cluster;
	char		*user;
	char		*server;	/* https://host:port[/prefix], no '/' */
	char		*namespace;	/* "*" = all namespaces */
	char		*ca_file;	/* certificate-authority, or NULL */
	char		*ca_pem;	/* decoded certificate-authority-data */
	char		*cert_file;
	char		*cert_pem;
	char		*key_file;
	char		*key_pem;
	char		*token;
	char		*token_file;
	char		*basic_user;	/* username / password */
	char		*basic_password;
	int		 insecure;	/* insecure-skip-tls-verify: the UI
					 * must say so */
	struct kube_exec *exec;		/* NULL = no plugin */
};

/* Credentials for one request (copies; kube_creds_free wipes them). */
struct kube_creds {
	char	*token;
	char	*cert_pem;
	char	*key_pem;
};

/* Load and resolve.  path, context, namespace may be NULL (the rules
 * above).  A new kubeconfig with one reference, or NULL and err, e.g.
 * "kubeconfig: context 'x' not found (have: a, b)". */
struct kubeconfig *kubeconfig_load(const char *path, const char *context,
		     const char *namespace, struct error *);
struct kubeconfig *kubeconfig_ref(struct kubeconfig *);
void		 kubeconfig_unref(struct kubeconfig *);

/* Fill o (TLS, bearer token or basic auth) for a request to the cluster;
 * timeouts and body caps are the caller's.  May run the exec plugin (at
 * most its timeout).  o points into kc and *creds: both must outlive the
 * request.  0, or -1 and err. */
int		 kubeconfig_http_opts(struct kubeconfig *, struct http_opts *o,
		     struct kube_creds *creds, struct error *);
void		 kube_creds_free(struct kube_creds *);
/* Drop a cached exec credential (the server answered 401): 1 when there
 * was one, so that a retry runs the plugin again. */
int		 kubeconfig_forget(struct kubeconfig *);

/* kube_exec.c: run the plugin (argv and env from the kubeconfig, no
 * shell, KUBERNETES_EXEC_INFO set, killed after its timeout), parse the
 * ExecCredential it prints and fill the cache.  Called with the cache
 * lock held.  0, or -1 and err. */
int		 kube_exec_run(const struct kubeconfig *, struct kube_exec *,
		     struct error *);
void		 kube_exec_free(struct kube_exec *);
/* RFC 3339 ("2026-11-22T10:04:05Z", fractions and offsets allowed) to
 * epoch ms; 0 when s is NULL, empty or not a time. */
int64_t		 kube_time_ms(const char *s);

#endif
