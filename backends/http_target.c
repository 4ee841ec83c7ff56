/* http_target.c: a configured HTTP endpoint (http_target.h). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_target.h"
#include "util.h"
#include "xmalloc.h"

static char *
dup_null(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

void
http_target_init(struct http_target *t, const char *name,
    const struct cfg_http *c)
{
	size_t	n;

	memset(t, 0, sizeof *t);
	t->url = xstrdup(c->url != NULL ? c->url : "");
	n = strlen(t->url);
	while (n > 0 && t->url[n - 1] == '/')
		t->url[--n] = '\0';
	t->name = xstrdup(name != NULL ? name : t->url);
	t->ca_file = dup_null(c->ca_file);
	t->cert_file = dup_null(c->cert_file);
	t->key_file = dup_null(c->key_file);
	t->insecure = c->insecure;
	t->token_env = dup_null(c->token_env);
	t->token_file = dup_null(c->token_file);
	t->basic_user = dup_null(c->basic_user);
	t->password_env = dup_null(c->password_env);
	t->password_file = dup_null(c->password_file);
	t->connect_timeout_ms = c->connect_timeout_ms;
	t->timeout_ms = c->timeout_ms;
}

void
http_target_free(struct http_target *t)
{
	free(t->name);
	free(t->url);
	free(t->ca_file);
	free(t->cert_file);
	free(t->key_file);
	free(t->token_env);
	free(t->token_file);
	free(t->basic_user);
	free(t->password_env);
	free(t->password_file);
	memset(t, 0, sizeof *t);
}

static void
secret_wipe(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int
http_target_request(const struct http_target *t, const char *method,
    const char *path, const char *body, const char *content_type,
    struct http_response *resp, char *err, size_t errlen)
{
	struct http_opts	 o;
	struct error		 e;
	char			*token = NULL, *password = NULL, *url;
	int			 rc;

	memset(resp, 0, sizeof *resp);
	if (config_secret(t->token_env, t->token_file, &token, &e) != 0) {
		snprintf(err, errlen, "%s: token: %s", t->name, e.msg);
		return (-1);
	}
	if (t->basic_user != NULL && config_secret(t->password_env,
	    t->password_file, &password, &e) != 0) {
		secret_wipe(token);
		snprintf(err, errlen, "%s: password: %s", t->name, e.msg);
		return (-1);
	}
	memset(&o, 0, sizeof o);
	o.connect_timeout_ms = t->connect_timeout_ms;
	o.timeout_ms = t->timeout_ms;
	o.ca_file = t->ca_file;
	o.cert_file = t->cert_file;
	o.key_file = t->key_file;
	o.insecure = t->insecure;
	o.bearer_token = token;
	o.basic_user = t->basic_user;
	o.basic_password = password;
	xasprintf(&url, "%s%s", t->url, path);
	rc = http_request(method, url, body, content_type, &o, resp);
	free(url);
	secret_wipe(token);
	secret_wipe(password);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", t->name, resp->error);
		http_response_free(resp);
	}
	return (rc);
}

char *
http_target_escape(const char *s)
{
	CURL	*c = curl_easy_init();
	char	*e, *out;

	e = curl_easy_escape(c, s, (int)strlen(s));
	if (e == NULL)
		fatalx("cannot escape a URL value");
	out = xstrdup(e);
	curl_free(e);
	if (c != NULL)
		curl_easy_cleanup(c);
	return (out);
}

struct par_one {
	void		(*fn)(void *, int);
	void		*arg;
	int		 i;
	pthread_t	 thread;
	int		 threaded;
};

static void *
par_main(void *v)
{
	struct par_one	*p = v;

	p->fn(p->arg, p->i);
	return (NULL);
}

void
http_parallel(int n, void (*fn)(void *, int), void *arg)
{
	struct par_one	*v;
	int		 i;

	if (n <= 0)
		return;
	v = xcalloc((size_t)n, sizeof *v);
	for (i = 1; i < n; i++) {
		v[i] = (struct par_one){ fn, arg, i, 0, 0 };
		if (pthread_create(&v[i].thread, NULL, par_main, &v[i]) == 0)
			v[i].threaded = 1;
	}
	fn(arg, 0);
	for (i = 1; i < n; i++) {
		if (v[i].threaded)
			pthread_join(v[i].thread, NULL);
		else
			fn(arg, i);
	}
	free(v);
}
