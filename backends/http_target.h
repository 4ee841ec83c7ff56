/* http_target.h: one configured HTTP endpoint (a cfg_http copied out of
 * the configuration) and requests to paths under it, for the Alertmanager,
 * Prometheus and health-check backends.
 *
 * The bearer token or basic-auth password is read with config_secret() for
 * every request (a rotated token file is picked up) and wiped after it;
 * it never sits in the target. */
#ifndef SITREP_HTTP_TARGET_H
#define SITREP_HTTP_TARGET_H

#include <stddef.h>

#include "config.h"
#include "http.h"

struct http_target {
	char	*name;			/* for messages: "am-1", "prometheus" */
	char	*url;			/* base URL, no trailing slash */
	char	*ca_file;
	char	*cert_file;
	char	*key_file;
	int	 insecure;
	char	*token_env;
	char	*token_file;
	char	*basic_user;
	char	*password_env;
	char	*password_file;
	int	 connect_timeout_ms;
	int	 timeout_ms;
};

/* Copy c (the target keeps its own strings).  name may be NULL (then the
 * URL names it). */
void	 http_target_init(struct http_target *, const char *name,
	    const struct cfg_http *c);
void	 http_target_free(struct http_target *);

/* method base-URL + path (path starts with '/' and carries only escaped
 * values).  0 when an HTTP answer came (any status; resp filled, caller
 * frees it), -1 with err ("am-1: connection refused (...)", or the secret
 * that could not be read). */
int	 http_target_request(const struct http_target *, const char *method,
	    const char *path, const char *body, const char *content_type,
	    struct http_response *resp, char *err, size_t errlen);

/* Run fn(arg, i) for i in 0..n-1 at once: one thread for each but the
 * first, which runs on the caller's thread; returns when all have ended.
 * (Each fn bounds its own time with the request timeouts.) */
void	 http_parallel(int n, void (*fn)(void *, int), void *arg);

/* A URL-escaped copy of s (curl_easy_escape), caller frees. */
char	*http_target_escape(const char *s);

#endif
