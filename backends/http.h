/* http.h: HTTP(S) requests with hard limits, on libcurl.
 *
 * Every request has a connect timeout and a total timeout (streams: an
 * idle timeout instead), a cap on the body size, TLS verification on unless
 * insecure is set, and the proxy variables honoured (libcurl reads
 * http_proxy, https_proxy, no_proxy).  Errors come back as sentences a
 * person understands.  Thread-safe: call http_global_init() once in main()
 * before any thread starts. */
#ifndef SITREP_HTTP_H
#define SITREP_HTTP_H

#include <stddef.h>

struct http_opts {
	int		 connect_timeout_ms;	/* default 3000 */
	int		 timeout_ms;		/* total; default 10000 */
	size_t		 max_body;		/* default 64 MiB */
	/* TLS: files or PEM data in memory (kubeconfig *-data). */
	const char	*ca_file;
	const char	*ca_pem;
	const char	*cert_file;
	const char	*cert_pem;
	const char	*key_file;
	const char	*key_pem;
	int		 insecure;		/* skip verification (visible!) */
	const char	*bearer_token;		/* Authorization: Bearer */
	const char	*basic_user;		/* Authorization: Basic */
	const char	*basic_password;
	struct http_pool *pool;			/* reuse connections, or NULL */
};

/* Connections and TLS sessions that requests share (http_opts.pool), so
 * that a client asking every few seconds does not shake hands every time.
 * Thread-safe; free it after the last request that used it. */
struct http_pool;
struct http_pool *http_pool_new(void);
void	 http_pool_free(struct http_pool *);

struct http_response {
	long	 status;		/* 0 when no HTTP answer came */
	char	*body;			/* NUL-terminated, caller frees */
	size_t	 len;
	char	 error[256];		/* transport error, "" if an answer came */
};

int	 http_global_init(void);

/* GET/POST/PUT/PATCH/DELETE.  body may be NULL; content_type defaults to
 * application/json.  Returns 0 when an HTTP answer came (any status), -1
 * with resp->error on a transport failure (refused, timeout, TLS, too big,
 * truncated). */
int	 http_request(const char *method, const char *url, const char *body,
	    const char *content_type, const struct http_opts *,
	    struct http_response *);
void	 http_response_free(struct http_response *);

/* A streaming GET (watch): on_data gets the HTTP status and each chunk;
 * returning non-zero ends the stream.  idle_ms: no byte for that long ends
 * it with a timeout.  on_tick (may be NULL) runs on the calling thread
 * about every tick_ms (default 100) while the stream is open, data or not,
 * with the answer's status (0 while no answer has come: a server can take
 * the request and never answer it); non-zero ends the stream.  *stop (may be NULL) is polled at the same rate
 * to cancel from outside.  Returns 0 when the server ended the stream, -1
 * with err otherwise. */
struct http_stream_cb {
	int	(*on_data)(void *arg, long status, const char *, size_t);
	int	(*on_tick)(void *arg, long status);
	int	 tick_ms;
	void	*arg;
};
int	 http_stream_tick(const char *url, const struct http_opts *,
	    int idle_ms, const struct http_stream_cb *,
	    const volatile int *stop, long *status, char *err, size_t errlen);

/* "401 Unauthorized: token expired or invalid" style text for a status,
 * with the server's own message (e.g. Kubernetes Status.message) when the
 * body has one.  what names the request ("listing pods in erp-system"). */
void	 http_explain(long status, const char *body, const char *what,
	    char *out, size_t outlen);

#endif
