/* kube_exec.c: exec credential plugins (kubeconfig users.user.exec), as
 * client-go runs them: the command with its args and env from the
 * kubeconfig, no shell, stdin from /dev/null, KUBERNETES_EXEC_INFO in the
 * environment, its own process group killed after the timeout; stdout is
 * an ExecCredential (client.authentication.k8s.io/v1 or v1beta1). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "kubeconfig.h"
#include "xmalloc.h"

#define EXEC_OUT_MAX	((size_t)1 << 20)

extern char **environ;

struct obuf {
	char	*buf;
	size_t	 len;
};

/* KUBERNETES_EXEC_INFO: what the plugin may know of the request. */
static char *
exec_info(const struct kubeconfig *kc, const struct kube_exec *ex)
{
	cJSON		*j, *spec, *cl;
	char		*s, *b64;
	size_t		 n;

	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "kind", "ExecCredential");
	cJSON_AddStringToObject(j, "apiVersion", ex->api_version);
	spec = cJSON_AddObjectToObject(j, "spec");
	cJSON_AddBoolToObject(spec, "interactive", 0);
	if (ex->provide_cluster_info) {
		cl = cJSON_AddObjectToObject(spec, "cluster");
		cJSON_AddStringToObject(cl, "server", kc->server);
		if (kc->ca_pem != NULL) {
			n = strlen(kc->ca_pem);
			b64 = xmalloc(4 * ((n + 2) / 3) + 1);
			EVP_EncodeBlock((unsigned char *)b64,
			    (const unsigned char *)kc->ca_pem, (int)n);
			cJSON_AddStringToObject(cl,
			    "certificate-authority-data", b64);
			free(b64);
		}
		cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify",
		    kc->insecure);
	}
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (s == NULL)
		fatalx("out of memory");
	return (s);
}

static int
env_overridden(const char *entry, char **extra)
{
	size_t	n;
	int	i;

	if (strncmp(entry, "KUBERNETES_EXEC_INFO=", 21) == 0)
		return (1);
	for (i = 0; extra[i] != NULL; i++) {
		n = strcspn(extra[i], "=");
		if (strncmp(entry, extra[i], n) == 0 && entry[n] == '=')
			return (1);
	}
	return (0);
}

/* Our environment, the kubeconfig's env on top, then the exec info. */
static char **
exec_envp(const struct kube_exec *ex, const char *info, char **infovar)
{
	char	**envp;
	size_t	  n = 0, i, k = 0;

	for (i = 0; environ[i] != NULL; i++)
		n++;
	for (i = 0; ex->env[i] != NULL; i++)
		n++;
	envp = xcalloc(n + 2, sizeof *envp);
	for (i = 0; environ[i] != NULL; i++)
		if (!env_overridden(environ[i], ex->env))
			envp[k++] = environ[i];
	for (i = 0; ex->env[i] != NULL; i++)
		envp[k++] = ex->env[i];
	xasprintf(infovar, "KUBERNETES_EXEC_INFO=%s", info);
	envp[k] = *infovar;
	return (envp);
}

static int
exec_spawn(const struct kube_exec *ex, char **envp, pid_t *pid, int *ofd,
    int *efd)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 at;
	sigset_t			 none, dflt;
	int				 o[2], e[2], rc;

	if (pipe2(o, O_CLOEXEC) != 0)
		return (errno);
	if (pipe2(e, O_CLOEXEC) != 0) {
		rc = errno;
		close(o[0]);
		close(o[1]);
		return (rc);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGQUIT);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (strchr(ex->argv[0], '/') != NULL)
		rc = posix_spawn(pid, ex->argv[0], &fa, &at, ex->argv, envp);
	else
		rc = posix_spawnp(pid, ex->argv[0], &fa, &at, ex->argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(o[1]);
	close(e[1]);
	if (rc != 0) {
		close(o[0]);
		close(e[0]);
		return (rc);
	}
	*ofd = o[0];
	*efd = e[0];
	return (0);
}

static void
obuf_read(int *fd, struct obuf *b)
{
	char	 chunk[4096];
	ssize_t	 n;

	n = read(*fd, chunk, sizeof chunk);
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	if (b->len + (size_t)n > EXEC_OUT_MAX)
		return;			/* keep the head, drain the rest */
	b->buf = xrealloc(b->buf, b->len + (size_t)n + 1);
	memcpy(b->buf + b->len, chunk, (size_t)n);
	b->len += (size_t)n;
	b->buf[b->len] = '\0';
}

/* Read both pipes to their end, or until the deadline: 0 or -1. */
static int
exec_collect(int ofd, int efd, int64_t deadline, struct obuf *out,
    struct obuf *errb)
{
	struct pollfd	pfd[2];
	int		n, left;

	while (ofd >= 0 || efd >= 0) {
		if ((left = (int)(deadline - mono_ms())) <= 0)
			break;
		n = 0;
		if (ofd >= 0) {
			pfd[n].fd = ofd;
			pfd[n++].events = POLLIN;
		}
		if (efd >= 0) {
			pfd[n].fd = efd;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, left) < 0 && errno != EINTR)
			break;
		for (; n > 0; n--) {
			if (pfd[n - 1].revents == 0)
				continue;
			if (pfd[n - 1].fd == ofd)
				obuf_read(&ofd, out);
			else
				obuf_read(&efd, errb);
		}
	}
	if (ofd >= 0)
		close(ofd);
	if (efd >= 0)
		close(efd);
	return (ofd >= 0 || efd >= 0 ? -1 : 0);
}

/* Wait for the plugin until the deadline; kill its group after it. */
static int
exec_wait(pid_t pid, int64_t deadline, int *status)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };
	pid_t		r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return (0);
		if (r < 0 && errno != EINTR)
			return (-1);
		if (mono_ms() >= deadline)
			break;
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		continue;
	return (-1);
}

/* The first line of the plugin's stderr, for messages. */
static void
first_line(const struct obuf *b, char *out, size_t len)
{
	size_t	n;

	out[0] = '\0';
	if (b->buf == NULL)
		return;
	n = strcspn(b->buf, "\n");
	snprintf(out, len, ": %.*s", (int)(n < 160 ? n : 160), b->buf);
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return (cJSON_IsString(v) && v->valuestring[0] != '\0' ?
	    v->valuestring : NULL);
}

static void
cache_set(char **slot, const char *v)
{
	if (*slot != NULL) {
		explicit_bzero(*slot, strlen(*slot));
		free(*slot);
	}
	*slot = v != NULL ? xstrdup(v) : NULL;
}

static int
exec_parse(struct kube_exec *ex, const char *out, struct error *err)
{
	cJSON		*j;
	const cJSON	*st;
	const char	*api, *tok, *cert, *key, *cmd = ex->argv[0];
	int		 rc = -1;

	if ((j = cJSON_Parse(out)) == NULL || !cJSON_IsObject(j)) {
		error_set(err, "kubeconfig: exec plugin %s printed no "
		    "ExecCredential JSON", cmd);
		goto done;
	}
	api = jstr(j, "apiVersion");
	if (api == NULL || strcmp(api, ex->api_version) != 0) {
		error_set(err, "kubeconfig: exec plugin %s answered apiVersion "
		    "'%s', the kubeconfig asks for %s", cmd, api ? api : "",
		    ex->api_version);
		goto done;
	}
	st = cJSON_GetObjectItemCaseSensitive(j, "status");
	tok = jstr(st, "token");
	cert = jstr(st, "clientCertificateData");
	key = jstr(st, "clientKeyData");
	if ((cert == NULL) != (key == NULL) || (tok == NULL && cert == NULL)) {
		error_set(err, "kubeconfig: exec plugin %s returned %s", cmd,
		    tok == NULL && cert == NULL && key == NULL ? "neither a "
		    "token nor a client certificate" : "a client certificate "
		    "without its key (or a key without its certificate)");
		goto done;
	}
	cache_set(&ex->token, tok);
	cache_set(&ex->cert_pem, cert);
	cache_set(&ex->key_pem, key);
	ex->expiry_ms = kube_time_ms(jstr(st, "expirationTimestamp"));
	ex->have = 1;
	rc = 0;
done:
	cJSON_Delete(j);
	return (rc);
}

static int
exec_status(const struct kube_exec *ex, int timed_out, int status,
    const struct obuf *errb, struct error *err)
{
	char	why[200];

	first_line(errb, why, sizeof why);
	if (timed_out) {
		error_set(err, "kubeconfig: exec plugin %s did not answer "
		    "within %.0fs", ex->argv[0], ex->timeout_ms / 1000.0);
		return (-1);
	}
	if (WIFSIGNALED(status)) {
		error_set(err, "kubeconfig: exec plugin %s killed by signal "
		    "%d%s", ex->argv[0], WTERMSIG(status), why);
		return (-1);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		error_set(err, "kubeconfig: exec plugin %s failed (exit %d)%s",
		    ex->argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    why);
		return (-1);
	}
	return (0);
}

int
kube_exec_run(const struct kubeconfig *kc, struct kube_exec *ex,
    struct error *err)
{
	struct obuf	 out = { NULL, 0 }, errb = { NULL, 0 };
	char		*info, *infovar, **envp;
	pid_t		 pid = -1;
	int		 ofd = -1, efd = -1, rc, status = 0, timed_out;
	int64_t		 deadline;

	info = exec_info(kc, ex);
	envp = exec_envp(ex, info, &infovar);
	rc = exec_spawn(ex, envp, &pid, &ofd, &efd);
	free(envp);
	free(infovar);
	free(info);
	if (rc != 0) {
		error_set(err, "kubeconfig: exec plugin %s: %s%s%s",
		    ex->argv[0], rc == ENOENT ? "not found" : strerror(rc),
		    ex->install_hint != NULL ? ". " : "",
		    ex->install_hint != NULL ? ex->install_hint : "");
		return (-1);
	}
	ex->runs++;
	deadline = mono_ms() + ex->timeout_ms;
	timed_out = exec_collect(ofd, efd, deadline, &out, &errb) != 0;
	timed_out |= exec_wait(pid, deadline, &status) != 0;
	rc = exec_status(ex, timed_out, status, &errb, err);
	if (rc == 0)
		rc = exec_parse(ex, out.buf != NULL ? out.buf : "", err);
	if (out.buf != NULL)
		explicit_bzero(out.buf, out.len);
	free(out.buf);
	free(errb.buf);
	return (rc);
}

void
kube_exec_free(struct kube_exec *ex)
{
	int	i;

	if (ex == NULL)
		return;
	for (i = 0; ex->argv != NULL && ex->argv[i] != NULL; i++)
		free(ex->argv[i]);
	free(ex->argv);
	for (i = 0; ex->env != NULL && ex->env[i] != NULL; i++)
		free(ex->env[i]);
	free(ex->env);
	free(ex->api_version);
	free(ex->install_hint);
	cache_set(&ex->token, NULL);
	cache_set(&ex->cert_pem, NULL);
	cache_set(&ex->key_pem, NULL);
	pthread_mutex_destroy(&ex->lock);
	free(ex);
}
