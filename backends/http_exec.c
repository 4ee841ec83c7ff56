/* http_exec.c: action kind "http": one HTTP(S) request.
 *
 * The body is JSON text the runbook engine already built (values as JSON
 * strings); header.NAME=VALUE adds a header (no CR or LF in it: refused);
 * token_env=/token_file= send a bearer token kept out of the runbook.
 * libcurl directly, with backends/http.c's policy (http and https only,
 * TLS verified, proxies from the environment, a connect and a total
 * timeout, a cap on the answer) plus what http_request() has no room for:
 * extra headers, the cancel flag and the server's status line.  Redirects
 * are not followed.  The answer is printed with its status line, JSON
 * pretty-printed; the status must match ok_status= (default 2xx). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "executors.h"
#include "xmalloc.h"

#define HX_CONNECT_MS		3000
#define HX_TIMEOUT_MS		10000
#define HX_TIMEOUT_MAX_MS	(600LL * 1000)
#define HX_BODY_MAX		((size_t)8 << 20)	/* the answer */
#define HX_OUTPUT_MAX		((size_t)1 << 20)	/* shown of it */
#define HX_OK_MAX		16

struct hx_range {
	long	lo, hi;
};

struct hx_job {
	const struct action_req	*req;
	const volatile int	*cancel;
	const char		*method, *url, *body;
	int64_t			 timeout_ms;
	struct hx_range		 ok[HX_OK_MAX];
	int			 nok;
	struct curl_slist	*headers;
	char			*token;

	struct exbuf		 in;		/* the answer's body */
	int			 too_big;
	long			 status;
	char			 reason[128];
	char			 detail[CURL_ERROR_SIZE];
	int64_t			 start;
};

static const char *const hx_keys[] = {
	"method", "url", "body", "json", "timeout", "ok_status", "token_env",
	"token_file", "read_only", "header", NULL
};
static const char *const hx_prefixes[] = { "header.", NULL };
static const char *const hx_repeat[] = { "header", NULL };
static const char *const hx_methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", NULL
};
/* Headers libcurl must own: a runbook setting them breaks the framing. */
static const char *const hx_reserved[] = {
	"Content-Length", "Transfer-Encoding", "Host", "Connection", NULL
};

/* Arguments -------------------------------------------------------------- */

/* "2xx", "200", "200-299", "200,204,404": 0, or -1 when malformed. */
static int
hx_ok_item(const char *s, size_t n, struct hx_range *r)
{
	char	buf[16], *end;

	if (n == 0 || n >= sizeof buf)
		return (-1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (n == 3 && buf[0] >= '1' && buf[0] <= '5' &&
	    strcasecmp(buf + 1, "xx") == 0) {
		r->lo = (buf[0] - '0') * 100;
		r->hi = r->lo + 99;
		return (0);
	}
	r->lo = r->hi = strtol(buf, &end, 10);
	if (*end == '-')
		r->hi = strtol(end + 1, &end, 10);
	if (*end != '\0' || !isdigit((unsigned char)buf[0]) || r->lo < 100 ||
	    r->hi > 599 || r->lo > r->hi)
		return (-1);
	return (0);
}

static int
hx_ok_status(struct hx_job *job, struct action_result *res)
{
	const char	*v = action_arg(job->req, "ok_status"), *p;
	size_t		 n;

	if (v == NULL)
		v = "2xx";
	for (p = v;; p += n + 1) {
		n = strcspn(p, ",");
		if (job->nok == HX_OK_MAX ||
		    hx_ok_item(p, n, &job->ok[job->nok++]) != 0)
			return (executor_fail(res, "http: ok_status=%.64s: want "
			    "2xx, 200, 200-299 or a list of them", v));
		if (p[n] == '\0')
			break;
	}
	return (0);
}

static int
hx_status_ok(const struct hx_job *job)
{
	int	i;

	for (i = 0; i < job->nok; i++)
		if (job->status >= job->ok[i].lo && job->status <= job->ok[i].hi)
			return (1);
	return (0);
}

static int
hx_token_char(char c)
{
	return (isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL);
}

/* A header: a token for the name, no CR/LF in the value. */
static int
hx_header(struct hx_job *job, const char *name, size_t n, const char *value,
    struct action_result *res)
{
	const char *const	*r;
	size_t			 i;
	char			*line;

	for (i = 0; i < n; i++)
		if (!hx_token_char(name[i]))
			break;
	if (n == 0 || i < n)
		return (executor_fail(res, "http: %.*s: not a header name",
		    (int)(n > 64 ? 64 : n), name));
	for (r = hx_reserved; *r != NULL; r++)
		if (strlen(*r) == n && strncasecmp(*r, name, n) == 0)
			return (executor_fail(res, "http: header %s is set by "
			    "sitrep itself", *r));
	if (strpbrk(value, "\r\n") != NULL)
		return (executor_fail(res, "http: header %.*s: a line break "
		    "in the value", (int)(n > 64 ? 64 : n), name));
	xasprintf(&line, "%.*s: %s", (int)n, name, value);
	job->headers = curl_slist_append(job->headers, line);
	free(line);
	return (0);
}

static int
hx_has_header(const struct hx_job *job, const char *name)
{
	const struct curl_slist	*h;
	size_t			 n = strlen(name);

	for (h = job->headers; h != NULL; h = h->next)
		if (strncasecmp(h->data, name, n) == 0 && h->data[n] == ':')
			return (1);
	return (0);
}

static int
hx_headers(struct hx_job *job, struct action_result *res)
{
	struct error	 e;
	const char	*arg, *v;
	char		*line;
	int		 i, rc = 0;

	for (i = 0; i < job->req->argc && rc == 0; i++) {
		arg = job->req->argv[i];
		if (strncmp(arg, "header.", 7) == 0) {
			v = strchr(arg, '=');
			rc = hx_header(job, arg + 7, (size_t)(v - arg - 7),
			    v + 1, res);
		} else if (strncmp(arg, "header=", 7) == 0) {
			if ((v = strchr(arg + 7, ':')) == NULL)
				return (executor_fail(res, "http: header=%.64s: "
				    "want NAME: VALUE", arg + 7));
			rc = hx_header(job, arg + 7, (size_t)(v - arg - 7),
			    v + 1 + strspn(v + 1, " \t"), res);
		}
	}
	if (rc != 0)
		return (-1);
	if (job->body != NULL && !hx_has_header(job, "Content-Type"))
		job->headers = curl_slist_append(job->headers,
		    "Content-Type: application/json");
	job->headers = curl_slist_append(job->headers, "Expect:");
	if (config_secret(action_arg(job->req, "token_env"),
	    action_arg(job->req, "token_file"), &job->token, &e) != 0)
		return (executor_fail(res, "http: token: %s", e.msg));
	if (job->token != NULL) {
		if (hx_has_header(job, "Authorization"))
			return (executor_fail(res, "http: a token and an "
			    "Authorization header"));
		xasprintf(&line, "Authorization: Bearer %s", job->token);
		job->headers = curl_slist_append(job->headers, line);
		explicit_bzero(line, strlen(line));
		free(line);
	}
	return (0);
}

static int
hx_prepare(struct hx_job *job, struct action_result *res)
{
	const char *const	*m;
	int			 ro;

	if (executor_check_keys(job->req, hx_keys, hx_prefixes, hx_repeat,
	    res) != 0 || executor_read_only(job->req, &ro, res) != 0 ||
	    executor_alias(job->req, "body", "json", &job->body, res) != 0 ||
	    executor_duration(job->req, "timeout", HX_TIMEOUT_MS,
	    HX_TIMEOUT_MAX_MS, &job->timeout_ms, res) != 0 ||
	    hx_ok_status(job, res) != 0)
		return (-1);
	if ((job->method = action_arg(job->req, "method")) == NULL)
		job->method = "GET";
	for (m = hx_methods; *m != NULL; m++)
		if (strcmp(*m, job->method) == 0)
			break;
	if (*m == NULL)
		return (executor_fail(res, "http: method=%.16s: want GET, HEAD, "
		    "POST, PUT, PATCH or DELETE", job->method));
	job->url = action_arg(job->req, "url");
	if (job->url == NULL || (strncasecmp(job->url, "http://", 7) != 0 &&
	    strncasecmp(job->url, "https://", 8) != 0))
		return (executor_fail(res, "http: url= must be http:// or "
		    "https://"));
	if (strpbrk(job->url, " \t\r\n") != NULL)
		return (executor_fail(res, "http: url= has white space in it"));
	if (job->body != NULL && strcmp(job->method, "HEAD") == 0)
		return (executor_fail(res, "http: HEAD with a body"));
	return (hx_headers(job, res));
}

/* The transfer ----------------------------------------------------------- */

static size_t
hx_write(char *data, size_t size, size_t n, void *arg)
{
	struct hx_job	*job = arg;

	if (job->in.len + size * n > HX_BODY_MAX) {
		job->too_big = 1;
		return (0);
	}
	exbuf_add(&job->in, data, size * n);
	return (size * n);
}

/* "HTTP/1.1 200 OK": keep the reason phrase of the last status line. */
static size_t
hx_header_line(char *data, size_t size, size_t n, void *arg)
{
	struct hx_job	*job = arg;
	size_t		 len = size * n, i;
	const char	*sp;

	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		job->reason[0] = '\0';
		sp = memchr(data, ' ', len);
		if (sp != NULL && (sp = memchr(sp + 1, ' ',
		    len - (size_t)(sp + 1 - data))) != NULL) {
			sp++;
			for (i = 0; sp + i < data + len && i + 1 <
			    sizeof job->reason && sp[i] != '\r' &&
			    sp[i] != '\n'; i++)
				job->reason[i] = sp[i];
			job->reason[i] = '\0';
		}
	}
	return (len);
}

static int
hx_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const struct hx_job	*job = arg;

	return (*job->cancel ? 1 : 0);
}

static void
hx_setup(CURL *c, struct hx_job *job)
{
	curl_easy_setopt(c, CURLOPT_URL, job->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(job->timeout_ms <
	    HX_CONNECT_MS ? job->timeout_ms : HX_CONNECT_MS));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)job->timeout_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sitrep/" SITREP_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, job->detail);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hx_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hx_header_line);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, job);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, hx_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, job);
	if (strcmp(job->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, job->method);
	if (job->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, job->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(job->body));
	}
}

/* The URL for a message: no user:password@, no query or fragment (a
 * secret parameter may have been put there). */
static void
hx_url_shown(const char *url, char *out, size_t len)
{
	const char	*sep = strstr(url, "://"), *host, *at;
	size_t		 scheme, n;

	scheme = sep != NULL ? (size_t)(sep + 3 - url) : 0;
	host = url + scheme;
	if ((at = memchr(host, '@', strcspn(host, "/?#"))) != NULL)
		host = at + 1;
	n = strcspn(host, "?#");
	snprintf(out, len, "%.*s%.*s%s", (int)scheme, url,
	    (int)(n > 200 ? 200 : n), host, host[n] != '\0' ? "?..." : "");
}

/* A transport failure in words. */
static int
hx_fail(struct hx_job *job, CURLcode rc, struct action_result *res)
{
	char	t[32], url[300];

	executor_fmt_ms(t, sizeof t, mono_ms() - job->start);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return (executor_fail(res, "cancelled after %s", t));
	if (job->too_big || rc == CURLE_WRITE_ERROR)
		return (executor_fail(res, "http: the answer is over 8 MiB"));
	executor_fmt_limit(t, sizeof t, job->timeout_ms);
	hx_url_shown(job->url, url, sizeof url);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return (executor_fail(res, "http: timeout after %s (%s %s)",
		    t, job->method, url));
	if (rc == CURLE_COULDNT_CONNECT)
		return (executor_fail(res, "http: connection refused (%s)",
		    url));
	if (rc == CURLE_COULDNT_RESOLVE_HOST)
		return (executor_fail(res, "http: cannot resolve host (%s)",
		    url));
	return (executor_fail(res, "http: %.200s (%s)", job->detail[0] !=
	    '\0' ? job->detail : curl_easy_strerror(rc), url));
}

/* The answer ------------------------------------------------------------- */

static const char *
hx_reason(long status)
{
	static const struct { long code; const char *text; } known[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
		{ 204, "No Content" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 304, "Not Modified" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 409, "Conflict" }, { 422, "Unprocessable Entity" },
		{ 429, "Too Many Requests" }, { 500, "Internal Server Error" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 0, NULL }
	};
	int	i;

	for (i = 0; known[i].text != NULL; i++)
		if (known[i].code == status)
			return (known[i].text);
	return ("");
}

static void
hx_output(struct hx_job *job, struct action_result *res)
{
	struct exbuf	 b = { NULL, 0, 0 };
	cJSON		*j = NULL;
	char		*pretty = NULL;

	exbuf_printf(&b, "HTTP %ld %s\n", job->status, job->reason);
	if (job->in.len > 0 && (j = cJSON_ParseWithLength(job->in.s,
	    job->in.len)) != NULL)
		pretty = cJSON_Print(j);
	if (pretty != NULL)
		exbuf_printf(&b, "\n%s\n", pretty);
	else if (job->in.len > 0) {
		exbuf_add(&b, "\n", 1);
		exbuf_add(&b, job->in.s, job->in.len > HX_OUTPUT_MAX ?
		    HX_OUTPUT_MAX : job->in.len);
		if (job->in.len > HX_OUTPUT_MAX)
			exbuf_add(&b, "\n[body cut at 1 MiB]", 20);
		if (b.s[b.len - 1] != '\n')
			exbuf_add(&b, "\n", 1);
	}
	free(pretty);
	cJSON_Delete(j);
	res->output = exbuf_take(&b);
	action_emit(job->req, res->output, strlen(res->output));
}

static void
hx_summary(struct hx_job *job, struct action_result *res)
{
	const char	*want = action_arg(job->req, "ok_status");
	char		 took[32];

	if (job->reason[0] == '\0')
		strlcpy_(job->reason, hx_reason(job->status),
		    sizeof job->reason);
	executor_fmt_ms(took, sizeof took, res->duration_ms);
	res->ok = hx_status_ok(job);
	snprintf(res->summary, sizeof res->summary, "%ld%s%s in %s",
	    job->status, job->reason[0] != '\0' ? " " : "", job->reason, took);
	if (!res->ok)
		snprintf(res->summary + strlen(res->summary),
		    sizeof res->summary - strlen(res->summary),
		    " (expected %.64s)", want != NULL ? want : "2xx");
}

static int
hx_perform(struct hx_job *job, struct action_result *res)
{
	CURL		*c;
	CURLcode	 rc;

	if ((c = curl_easy_init()) == NULL)
		return (executor_fail(res, "http: cannot start libcurl"));
	hx_setup(c, job);
	job->start = mono_ms();
	rc = curl_easy_perform(c);
	res->duration_ms = mono_ms() - job->start;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &job->status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || job->too_big)
		return (hx_fail(job, rc, res));
	hx_summary(job, res);
	hx_output(job, res);
	return (res->ok ? 0 : -1);
}

static int
hx_run(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	struct hx_job	job;
	int		rc = -1;

	memset(&job, 0, sizeof job);
	job.req = req;
	job.cancel = cancel;
	if (hx_prepare(&job, res) == 0)
		rc = hx_perform(&job, res);
	curl_slist_free_all(job.headers);
	if (job.token != NULL) {
		explicit_bzero(job.token, strlen(job.token));
		free(job.token);
	}
	free(job.in.s);
	return (rc);
}

void
http_exec_register(struct actions *a)
{
	actions_register(a, "http", hx_run, NULL);
}
