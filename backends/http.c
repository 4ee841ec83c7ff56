/* http.c: libcurl with timeouts, size caps and readable errors. */
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "util.h"
#include "xmalloc.h"

#define DEFAULT_CONNECT_MS	3000
#define DEFAULT_TIMEOUT_MS	10000
#define DEFAULT_MAX_BODY	((size_t)64 << 20)

struct sink {
	char	*buf;
	size_t	 len, cap, max;
	int	 too_big;
};

struct http_pool {
	CURLSH		*sh;
	pthread_mutex_t	 lock[CURL_LOCK_DATA_LAST];
};

static void
pool_lock(CURL *c, curl_lock_data data, curl_lock_access access, void *arg)
{
	struct http_pool	*p = arg;

	pthread_mutex_lock(&p->lock[data]);
}

static void
pool_unlock(CURL *c, curl_lock_data data, void *arg)
{
	struct http_pool	*p = arg;

	pthread_mutex_unlock(&p->lock[data]);
}

struct http_pool *
http_pool_new(void)
{
	struct http_pool	*p = xcalloc(1, sizeof *p);
	int			 i;

	if ((p->sh = curl_share_init()) == NULL)
		fatalx("cannot start libcurl");
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&p->lock[i], NULL);
	curl_share_setopt(p->sh, CURLSHOPT_LOCKFUNC, pool_lock);
	curl_share_setopt(p->sh, CURLSHOPT_UNLOCKFUNC, pool_unlock);
	curl_share_setopt(p->sh, CURLSHOPT_USERDATA, p);
	curl_share_setopt(p->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(p->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(p->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	return (p);
}

void
http_pool_free(struct http_pool *p)
{
	int	i;

	if (p == NULL)
		return;
	curl_share_cleanup(p->sh);
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&p->lock[i]);
	free(p);
}

int
http_global_init(void)
{
	return (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1);
}

static size_t
sink_write(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 add = size * n;

	if (s->len + add > s->max) {
		s->too_big = 1;
		return (0);		/* aborts the transfer */
	}
	if (s->len + add + 1 > s->cap) {
		while (s->len + add + 1 > s->cap)
			s->cap = s->cap ? s->cap * 2 : 16384;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, data, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return (add);
}

static void
set_blob(CURL *c, CURLoption opt, const char *pem)
{
	struct curl_blob	blob;

	blob.data = (void *)pem;
	blob.len = strlen(pem);
	blob.flags = CURL_BLOB_COPY;
	curl_easy_setopt(c, opt, &blob);
}

static void
setup_tls(CURL *c, const struct http_opts *o)
{
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (o->ca_pem != NULL)
		set_blob(c, CURLOPT_CAINFO_BLOB, o->ca_pem);
	if (o->cert_file != NULL)
		curl_easy_setopt(c, CURLOPT_SSLCERT, o->cert_file);
	if (o->cert_pem != NULL)
		set_blob(c, CURLOPT_SSLCERT_BLOB, o->cert_pem);
	if (o->key_file != NULL)
		curl_easy_setopt(c, CURLOPT_SSLKEY, o->key_file);
	if (o->key_pem != NULL)
		set_blob(c, CURLOPT_SSLKEY_BLOB, o->key_pem);
	if (o->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static struct curl_slist *
setup_common(CURL *c, const char *url, const struct http_opts *o,
    const char *content_type)
{
	struct curl_slist	*h = NULL;
	char			*line;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->
	    connect_timeout_ms > 0 ? o->connect_timeout_ms :
	    DEFAULT_CONNECT_MS));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sitrep/" SITREP_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	setup_tls(c, o);
	if (o->pool != NULL)
		curl_easy_setopt(c, CURLOPT_SHARE, o->pool->sh);
	if (o->bearer_token != NULL) {
		xasprintf(&line, "Authorization: Bearer %s", o->bearer_token);
		h = curl_slist_append(h, line);
		free(line);
	} else if (o->basic_user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, o->basic_user);
		if (o->basic_password != NULL)
			curl_easy_setopt(c, CURLOPT_PASSWORD,
			    o->basic_password);
	}
	xasprintf(&line, "Content-Type: %s", content_type ? content_type :
	    "application/json");
	h = curl_slist_append(h, line);
	free(line);
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	return (h);
}

/* The server's certificate failed verification: name the host, and say
 * "unknown authority" when no trusted CA signed it (as kubectl does). */
static void
explain_untrusted(const char *url, const char *detail, char *out,
    size_t len)
{
	CURLU		*u = curl_url();
	char		*host = NULL;
	const char	*h = "the server";

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		h = host;
	if (strstr(detail, "issuer") != NULL ||
	    strstr(detail, "self-signed") != NULL ||
	    strstr(detail, "self signed") != NULL || detail[0] == '\0')
		snprintf(out, len, "TLS: certificate for %s signed by unknown "
		    "authority, not trusted (%s)", h, detail[0] ? detail :
		    "no trusted CA");
	else
		snprintf(out, len, "TLS: certificate for %s not trusted: %s",
		    h, detail);
	curl_free(host);
	curl_url_cleanup(u);
}

/* A sentence for a transport failure. */
static void
explain_curl(CURLcode rc, const char *url, int ms, const char *detail,
    char *out, size_t len)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		snprintf(out, len, "connection refused (%s)", url);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(out, len, "cannot resolve host (%s)", url);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, len, "timeout after %.1fs (%s)", ms / 1000.0,
		    url);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		explain_untrusted(url, detail, out, len);
		break;
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(out, len, "TLS: certificate not trusted: %s",
		    detail[0] ? detail : "cannot read the CA certificates");
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		snprintf(out, len, "TLS error: %s", detail[0] ? detail :
		    curl_easy_strerror(rc));
		break;
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_WRITE_ERROR:
		snprintf(out, len, "response too large (%s)", url);
		break;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		snprintf(out, len, "connection closed mid-response (%s)", url);
		break;
	default:
		snprintf(out, len, "%s (%s)", detail[0] ? detail :
		    curl_easy_strerror(rc), url);
		break;
	}
}

int
http_request(const char *method, const char *url, const char *body,
    const char *content_type, const struct http_opts *o,
    struct http_response *r)
{
	CURL			*c;
	CURLcode		 rc;
	struct curl_slist	*h;
	struct sink		 s = { NULL, 0, 0, 0, 0 };
	char			 detail[CURL_ERROR_SIZE];
	int			 ms = o->timeout_ms > 0 ? o->timeout_ms :
				     DEFAULT_TIMEOUT_MS;

	memset(r, 0, sizeof *r);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof r->error, "cannot start libcurl");
		return (-1);
	}
	detail[0] = '\0';
	s.max = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	h = setup_common(c, url, o, content_type);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ms);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->body = s.buf ? s.buf : xstrdup("");
	r->len = s.len;
	if (s.too_big)
		rc = CURLE_FILESIZE_EXCEEDED;
	if (rc != CURLE_OK) {
		explain_curl(rc, url, ms, detail, r->error, sizeof r->error);
		return (-1);
	}
	return (0);
}

void
http_response_free(struct http_response *r)
{
	free(r->body);
	r->body = NULL;
}

struct stream {
	const struct http_stream_cb	*cb;
	CURL				*c;
	long				 status;
	int				 ended_by_us;
};

static size_t
stream_write(char *data, size_t size, size_t n, void *arg)
{
	struct stream	*st = arg;

	if (st->status == 0)
		curl_easy_getinfo(st->c, CURLINFO_RESPONSE_CODE, &st->status);
	if (st->cb->on_data(st->cb->arg, st->status, data, size * n) != 0) {
		st->ended_by_us = 1;
		return (0);
	}
	return (size * n);
}

static void
setup_stream(CURL *c, struct stream *st, int idle_ms, char *detail)
{
	/* No total timeout: an idle stream ends after idle_ms; keepalive
	 * notices a peer that vanished without closing. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)((idle_ms + 999) /
	    1000));
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 15L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stream_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, st);
}

/* Drive the transfer, waking at least every tick to poll *stop and call
 * on_tick.  The CURLcode of the transfer, or CURLE_OK when we ended it. */
static CURLcode
stream_run(CURLM *m, struct stream *st, const volatile int *stop)
{
	const struct http_stream_cb	*cb = st->cb;
	CURLMsg				*msg;
	CURLcode			 rc = CURLE_OK;
	int				 running = 1, left, tick;
	int64_t				 next;

	tick = cb->tick_ms > 0 ? cb->tick_ms : 100;
	next = mono_ms() + tick;
	while (running) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			return (CURLE_RECV_ERROR);
		if (st->ended_by_us || !running)
			break;
		if (stop != NULL && *stop) {
			st->ended_by_us = 1;
			break;
		}
		if (cb->on_tick != NULL && mono_ms() >= next) {
			next = mono_ms() + tick;
			if (st->status == 0)
				curl_easy_getinfo(st->c, CURLINFO_RESPONSE_CODE,
				    &st->status);
			if (cb->on_tick(cb->arg, st->status) != 0) {
				st->ended_by_us = 1;
				break;
			}
		}
		curl_multi_poll(m, NULL, 0, tick, NULL);
	}
	while ((msg = curl_multi_info_read(m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	return (rc);
}

int
http_stream_tick(const char *url, const struct http_opts *o, int idle_ms,
    const struct http_stream_cb *cb, const volatile int *stop, long *status,
    char *err, size_t errlen)
{
	CURL			*c;
	CURLM			*m;
	CURLcode		 rc;
	struct curl_slist	*h;
	struct stream		 st = { cb, NULL, 0, 0 };
	char			 detail[CURL_ERROR_SIZE];

	*status = 0;
	if ((c = curl_easy_init()) == NULL || (m = curl_multi_init()) ==
	    NULL) {
		if (c != NULL)
			curl_easy_cleanup(c);
		snprintf(err, errlen, "cannot start libcurl");
		return (-1);
	}
	st.c = c;
	detail[0] = '\0';
	h = setup_common(c, url, o, NULL);
	setup_stream(c, &st, idle_ms, detail);
	curl_multi_add_handle(m, c);
	rc = stream_run(m, &st, stop);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_multi_remove_handle(m, c);
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK || st.ended_by_us)
		return (0);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, errlen, "stream idle for %.0fs (%s)",
		    idle_ms / 1000.0, url);
	else
		explain_curl(rc, url, idle_ms, detail, err, errlen);
	return (-1);
}

/* The server's own words: Kubernetes Status.message, Alertmanager and
 * Prometheus "error", or a short plain-text body. */
static void
server_message(const char *body, char *out, size_t len)
{
	cJSON		*j, *m;
	size_t		 i;

	out[0] = '\0';
	if (body == NULL || *body == '\0')
		return;
	if ((j = cJSON_Parse(body)) != NULL) {
		if ((m = cJSON_GetObjectItemCaseSensitive(j, "message")) ==
		    NULL || !cJSON_IsString(m))
			m = cJSON_GetObjectItemCaseSensitive(j, "error");
		if (m != NULL && cJSON_IsString(m))
			snprintf(out, len, "%s", m->valuestring);
		cJSON_Delete(j);
		return;
	}
	if (strlen(body) < 200 && body[0] != '<') {
		snprintf(out, len, "%s", body);
		for (i = 0; out[i] != '\0'; i++)
			if (out[i] == '\n' || out[i] == '\r')
				out[i] = ' ';
	}
}

void
http_explain(long status, const char *body, const char *what, char *out,
    size_t len)
{
	char		 msg[200];
	const char	*why;

	server_message(body, msg, sizeof msg);
	switch (status) {
	case 401:
		why = "unauthorized: token expired or invalid, or no "
		    "credentials";
		break;
	case 403:
		why = "forbidden: RBAC forbids";
		break;
	case 404:
		why = "not found";
		break;
	case 410:
		why = "gone (resource version too old)";
		break;
	case 429:
		why = "rate limited";
		break;
	case 500: case 502: case 503: case 504:
		why = "server error";
		break;
	default:
		why = status >= 400 ? "request failed" : "unexpected answer";
		break;
	}
	if (msg[0] != '\0')
		snprintf(out, len, "%ld %s %s: %s", status, why, what, msg);
	else
		snprintf(out, len, "%ld %s %s", status, why, what);
}
