/* fuzz_kubeconfig.c: libFuzzer target for the kubeconfig reader
 * (kubeconfig.h): YAML, merging, contexts, clusters, users, *-data
 * (base64), exec plugins' settings.  The bytes up to the first NUL are one
 * file, the rest (if any) a second one: loaded as KUBECONFIG=a:b, then
 * the first alone with a context and a namespace named.
 *
 *   make fuzz-build && build/fuzz/fuzz_kubeconfig \
 *       -dict=tests/fuzz/kubeconfig.dict CORPUS_DIR
 *
 * Only the reading: nothing is asked of a server and no exec plugin runs
 * (its command is the fuzzer's).  Every input loads or fails with a
 * "kubeconfig..." message, leaves nothing allocated, and what loads keeps
 * the promises of kubeconfig.h (below). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kubeconfig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	fz_dir[] = "/tmp/fuzz-kubeconfig-XXXXXX";
static char	fz_a[64], fz_b[64], fz_both[140];

static void
fz_cleanup(void)
{
	unlink(fz_a);
	unlink(fz_b);
	rmdir(fz_dir);
}

static int
fz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE	*fp;
	int	 ok;

	if ((fp = fopen(path, "w")) == NULL)
		return (-1);
	ok = fwrite(data, 1, size, fp) == size;
	return (fclose(fp) == 0 && ok ? 0 : -1);
}

static void
check_strv(char **v, int need)
{
	int	i;

	if (v == NULL || (need && v[0] == NULL))
		abort();
	for (i = 0; v[i] != NULL; i++)
		if (i > 100000)
			abort();
}

static void
check(struct kubeconfig *kc, const struct error *err, const char *ns)
{
	size_t	n;

	if (kc == NULL) {
		if (strncmp(err->msg, "kubeconfig", 10) != 0)
			abort();	/* says it is the kubeconfig */
		return;
	}
	if (kc->refs != 1 || kc->context == NULL || kc->cluster == NULL ||
	    kc->path == NULL || kc->namespace == NULL || kc->server == NULL)
		abort();
	if (strcmp(kc->path, fz_a) != 0 && strcmp(kc->path, fz_b) != 0)
		abort();
	if (strncmp(kc->server, "https://", 8) != 0 &&
	    strncmp(kc->server, "http://", 7) != 0)
		abort();
	n = strlen(kc->server);
	if (kc->server[n - 1] == '/')
		abort();		/* no trailing '/' */
	if (ns != NULL && strcmp(kc->namespace, ns) != 0)
		abort();
	if (kc->exec != NULL) {
		check_strv(kc->exec->argv, 1);
		check_strv(kc->exec->env, 0);
		if (kc->exec->api_version == NULL || kc->exec->have)
			abort();
	}
	kubeconfig_unref(kc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubeconfig	*kc;
	struct error		 err;
	const uint8_t		*nul;
	size_t			 na;

	if (fz_a[0] == '\0') {
		if (mkdtemp(fz_dir) == NULL)
			abort();
		snprintf(fz_a, sizeof fz_a, "%s/a", fz_dir);
		snprintf(fz_b, sizeof fz_b, "%s/b", fz_dir);
		snprintf(fz_both, sizeof fz_both, "%s:%s", fz_a, fz_b);
		atexit(fz_cleanup);
		unsetenv("HOME");
	}
	nul = memchr(data, '\0', size);
	na = nul != NULL ? (size_t)(nul - data) : size;
	unlink(fz_b);
	if (fz_write(fz_a, data, na) != 0 || (nul != NULL &&
	    fz_write(fz_b, nul + 1, size - na - 1) != 0))
		return (0);

	memset(&err, 0, sizeof err);
	setenv("KUBECONFIG", fz_both, 1);
	kc = kubeconfig_load(NULL, NULL, NULL, &err);
	check(kc, &err, NULL);

	memset(&err, 0, sizeof err);
	kc = kubeconfig_load(fz_a, "prod", "*", &err);
	check(kc, &err, "*");
	return (0);
}
