/* http.c: libcurl with timeouts, size caps and readable errors. */
#include <curl/curl.h>
#include <cjson/cJSON.h>
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
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(out, len, "TLS: certificate not trusted: %s",
		    detail[0] ? detail : "signed by unknown authority");
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
	int			(*on_data)(void *, const char *, size_t);
	void			*arg;
	const volatile int	*stop;
	int			 ended_by_us;
};

static size_t
stream_write(char *data, size_t size, size_t n, void *arg)
{
	struct stream	*st = arg;

	if (st->on_data(st->arg, data, size * n) != 0) {
		st->ended_by_us = 1;
		return (0);
	}
	return (size * n);
}

static int
stream_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct stream	*st = arg;

	if (st->stop != NULL && *st->stop) {
		st->ended_by_us = 1;
		return (1);
	}
	return (0);
}

int
http_stream(const char *url, const struct http_opts *o, int idle_ms,
    int (*on_data)(void *, const char *, size_t), void *arg,
    const volatile int *stop, long *status, char *err, size_t errlen)
{
	CURL			*c;
	CURLcode		 rc;
	struct curl_slist	*h;
	struct stream		 st = { on_data, arg, stop, 0 };
	char			 detail[CURL_ERROR_SIZE];

	*status = 0;
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return (-1);
	}
	detail[0] = '\0';
	h = setup_common(c, url, o, NULL);
	/* No total timeout: an idle stream ends after idle_ms. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)((idle_ms + 999) /
	    1000));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stream_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stream_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &st);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
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
		why = "forbidden: the account's RBAC does not allow";
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
