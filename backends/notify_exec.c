/* notify_exec.c: action kind "notify": a status update posted to a
 * Slack-compatible incoming webhook as {"text": ...}.
 *
 * The webhook URL is a secret (whoever has it can post): it comes from a
 * variable (webhook_env=) or a 0600 file (webhook_file=) through
 * config_secret(), and never appears in a summary, an output or an error
 * (transport errors that quote it are scrubbed).  The JSON is built with
 * cJSON, so the text arrives as one JSON string whatever it holds.  The
 * request goes through backends/http.h with a connect and a total
 * timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "executors.h"
#include "http.h"
#include "xmalloc.h"

#define NOTIFY_CONNECT_MS	3000
#define NOTIFY_TIMEOUT_MS	10000
#define NOTIFY_TIMEOUT_MAX_MS	(60LL * 1000)
#define NOTIFY_TEXT_MAX		40000	/* Slack cuts messages there */

static const char *const notify_keys[] = {
	"webhook_env", "webhook_file", "text", "json", "timeout", NULL
};

/* Replace every copy of the URL in s (size bytes) by "<webhook>". */
static void
notify_scrub(char *s, size_t size, const char *url)
{
	char		*out = xmalloc(size);
	const char	*p = s, *hit;
	size_t		 n = strlen(url), o = 0, k;

	while (*p != '\0' && o + 1 < size) {
		if ((hit = strstr(p, url)) == NULL || n == 0)
			hit = p + strlen(p);
		k = (size_t)(hit - p);
		if (k > size - 1 - o)
			k = size - 1 - o;
		memcpy(out + o, p, k);
		o += k;
		p += k;
		if (*p == '\0' || o + 1 >= size)
			break;
		o += (size_t)snprintf(out + o, size - o, "<webhook>");
		if (o >= size)
			o = size - 1;
		p += n;
	}
	out[o] = '\0';
	memcpy(s, out, o + 1);
	free(out);
}

static int
notify_url(const struct action_req *req, char **url,
    struct action_result *res)
{
	const char	*env = action_arg(req, "webhook_env");
	const char	*file = action_arg(req, "webhook_file");
	struct error	 e;

	if ((env == NULL) == (file == NULL))
		return (executor_fail(res, "notify: give one of webhook_env= "
		    "and webhook_file="));
	if (config_secret(env, file, url, &e) != 0)
		return (executor_fail(res, "notify: webhook: %s", e.msg));
	if (strncasecmp(*url, "https://", 8) != 0 &&
	    strncasecmp(*url, "http://", 7) != 0)
		return (executor_fail(res, "notify: the webhook is not an "
		    "http(s):// URL"));
	return (0);
}

/* {"text": text}, compact (caller frees). */
static char *
notify_json(const char *text)
{
	cJSON	*o = cJSON_CreateObject();
	char	*s, *copy;

	if (o == NULL || cJSON_AddStringToObject(o, "text", text) == NULL)
		fatalx("notify: out of memory");
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("notify: out of memory");
	copy = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(o);
	return (copy);
}

/* The payload (caller frees): {"text": text}, compact, or json= as given
 * when it is a JSON object.  NULL and the summary otherwise. */
static char *
notify_payload(const struct action_req *req, struct action_result *res)
{
	const char	*text = action_arg(req, "text");
	const char	*json = action_arg(req, "json");
	cJSON		*o;

	if ((text == NULL) == (json == NULL)) {
		executor_fail(res, "notify: give one of text= and json=");
		return (NULL);
	}
	if (strlen(text != NULL ? text : json) > NOTIFY_TEXT_MAX) {
		executor_fail(res, "notify: the message is over %d bytes",
		    NOTIFY_TEXT_MAX);
		return (NULL);
	}
	if (text != NULL && *text == '\0') {
		executor_fail(res, "notify: text= is empty");
		return (NULL);
	}
	if (text != NULL)
		return (notify_json(text));
	o = cJSON_Parse(json);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		executor_fail(res, "notify: json= is not a JSON object");
		return (NULL);
	}
	cJSON_Delete(o);
	return (xstrdup(json));
}

static int
notify_post(const char *url, const char *json,
    int64_t timeout_ms, struct action_result *res)
{
	struct http_opts	 o;
	struct http_response	 r;
	char			 why[400];
	int			 rc = 0;

	memset(&o, 0, sizeof o);
	o.connect_timeout_ms = NOTIFY_CONNECT_MS;
	o.timeout_ms = (int)timeout_ms;
	o.max_body = 1 << 20;
	if (http_request("POST", url, json, "application/json", &o, &r) != 0) {
		notify_scrub(r.error, sizeof r.error, url);
		rc = executor_fail(res, "notify: %s", r.error);
	} else if (r.status < 200 || r.status > 299) {
		http_explain(r.status, r.body, "posting to the webhook", why,
		    sizeof why);
		notify_scrub(why, sizeof why, url);
		rc = executor_fail(res, "notify: %s", why);
	} else
		snprintf(res->summary, sizeof res->summary, "posted (%ld)",
		    r.status);
	http_response_free(&r);
	return (rc);
}

static int
notify_run(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	char		*url = NULL, *json = NULL;
	int64_t		 timeout_ms;
	int		 rc = -1;

	if (executor_check_keys(req, notify_keys, NULL, NULL, res) != 0 ||
	    executor_duration(req, "timeout", NOTIFY_TIMEOUT_MS,
	    NOTIFY_TIMEOUT_MAX_MS, &timeout_ms, res) != 0 ||
	    (json = notify_payload(req, res)) == NULL)
		return (-1);
	if (notify_url(req, &url, res) != 0 || url == NULL)
		;
	else if (*cancel)
		executor_fail(res, "cancelled before posting");
	else {
		xasprintf(&res->output, "POST <webhook>\n%s\n", json);
		action_emit(req, res->output, strlen(res->output));
		rc = notify_post(url, json, timeout_ms, res);
	}
	if (url != NULL) {
		explicit_bzero(url, strlen(url));
		free(url);
	}
	free(json);
	return (rc);
}

void
notify_exec_register(struct actions *a)
{
	actions_register(a, "notify", notify_run, NULL);
}
