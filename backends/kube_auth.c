/* kube_auth.c: credentials for a request to the cluster (kubeconfig.h):
 * the kubeconfig's certificates, token, tokenFile (read for every
 * request) or exec plugin (cached until its expiry or a 401), and RFC 3339
 * times. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kubeconfig.h"
#include "xmalloc.h"

#define TOKEN_FILE_MAX	65536

static void
free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Credentials -------------------------------------------------------------- */

static char *
read_token_file(const char *path, struct error *err)
{
	FILE	*fp;
	char	*buf;
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL) {
		error_set(err, "kubeconfig: tokenFile %s: %s", path,
		    strerror(errno));
		return (NULL);
	}
	buf = xmalloc(TOKEN_FILE_MAX + 1);
	n = fread(buf, 1, TOKEN_FILE_MAX, fp);
	fclose(fp);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		n--;
	buf[n] = '\0';
	if (n == 0) {
		error_set(err, "kubeconfig: tokenFile %s is empty", path);
		free(buf);
		return (NULL);
	}
	return (buf);
}

/* Fill creds from the plugin's cache, running it when needed. */
static int
exec_creds(struct kubeconfig *kc, struct kube_creds *cr, struct error *err)
{
	struct kube_exec	*ex = kc->exec;
	int			 rc = 0;

	pthread_mutex_lock(&ex->lock);
	if (!ex->have || (ex->expiry_ms != 0 && now_ms() + 1000 >=
	    ex->expiry_ms))
		rc = kube_exec_run(kc, ex, err);
	if (rc == 0) {
		if (ex->token != NULL) {
			free_secret(cr->token);
			cr->token = xstrdup(ex->token);
		}
		if (ex->cert_pem != NULL) {
			cr->cert_pem = xstrdup(ex->cert_pem);
			cr->key_pem = xstrdup(ex->key_pem);
		}
	}
	pthread_mutex_unlock(&ex->lock);
	return (rc);
}

int
kubeconfig_http_opts(struct kubeconfig *kc, struct http_opts *o,
    struct kube_creds *cr, struct error *err)
{
	memset(cr, 0, sizeof *cr);
	o->insecure = kc->insecure;
	if (!kc->insecure) {
		o->ca_pem = kc->ca_pem;
		o->ca_file = kc->ca_pem != NULL ? NULL : kc->ca_file;
	}
	o->cert_pem = kc->cert_pem;
	o->cert_file = kc->cert_pem != NULL ? NULL : kc->cert_file;
	o->key_pem = kc->key_pem;
	o->key_file = kc->key_pem != NULL ? NULL : kc->key_file;
	if (kc->token != NULL)
		cr->token = xstrdup(kc->token);
	else if (kc->token_file != NULL &&
	    (cr->token = read_token_file(kc->token_file, err)) == NULL)
		return (-1);
	if (kc->exec != NULL && exec_creds(kc, cr, err) != 0) {
		kube_creds_free(cr);
		return (-1);
	}
	if (cr->cert_pem != NULL) {
		o->cert_pem = cr->cert_pem;
		o->key_pem = cr->key_pem;
		o->cert_file = o->key_file = NULL;
	}
	if (cr->token != NULL)
		o->bearer_token = cr->token;
	else if (kc->basic_user != NULL) {
		o->basic_user = kc->basic_user;
		o->basic_password = kc->basic_password;
	}
	return (0);
}

void
kube_creds_free(struct kube_creds *cr)
{
	free_secret(cr->token);
	free(cr->cert_pem);
	free_secret(cr->key_pem);
	memset(cr, 0, sizeof *cr);
}

int
kubeconfig_forget(struct kubeconfig *kc)
{
	struct kube_exec	*ex = kc->exec;
	int			 had;

	if (ex == NULL)
		return (0);
	pthread_mutex_lock(&ex->lock);
	had = ex->have;
	ex->have = 0;
	pthread_mutex_unlock(&ex->lock);
	return (had);
}

/* Time --------------------------------------------------------------------- */

int64_t
kube_time_ms(const char *s)
{
	struct tm	 tm;
	int		 y, mo, d, h, mi, sec, n = 0, oh, om, ms = 0, k;
	int64_t		 off = 0;
	const char	*p;
	time_t		 t;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo,
	    &d, &h, &mi, &sec, &n) != 6 || n == 0)
		return (0);
	p = s + n;
	if (*p == '.') {
		/* Milliseconds from the first three digits of the fraction. */
		for (p++, k = 0; isdigit((unsigned char)*p); p++, k++)
			if (k < 3)
				ms = ms * 10 + (*p - '0');
		for (; k < 3; k++)
			ms *= 10;
	}
	if (*p == '+' || *p == '-') {
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return (0);
		off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
	} else if (*p != 'Z' && *p != 'z')
		return (0);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return (0);
	return (((int64_t)t - off) * 1000 + ms);
}
