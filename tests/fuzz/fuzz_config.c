/* fuzz_config.c: libFuzzer target for the configuration parser.
 *
 *   make fuzz-build && build/fuzz/fuzz_config -dict=tests/fuzz/config.dict \
 *       CORPUS_DIR
 *
 * (make fuzz runs it; tests/fuzz/corpus/fuzz_config/ holds the examples
 * of docs/configuration.md as seeds.)  Every input must either parse or
 * fail with a "NAME:LINE: ..." message, and leave nothing allocated; what
 * parses must hold what the parser promises (below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A URL that was accepted: http(s), no credentials, no query. */
static void
check_http(const struct cfg_http *h)
{
	const char	*auth;

	if (h->url == NULL || (strncmp(h->url, "http://", 7) != 0 &&
	    strncmp(h->url, "https://", 8) != 0))
		abort();
	auth = strstr(h->url, "://") + 3;
	if (memchr(auth, '@', strcspn(auth, "/")) != NULL ||
	    strpbrk(h->url, "?# ") != NULL)
		abort();
	if ((h->token_env != NULL && h->token_file != NULL) ||
	    (h->password_env != NULL && h->password_file != NULL) ||
	    ((h->password_env != NULL || h->password_file != NULL) !=
	    (h->basic_user != NULL)))
		abort();
	if (h->connect_timeout_ms <= 0 || h->timeout_ms <= 0)
		abort();
}

static void
check_env(const struct cfg_env *env)
{
	const struct cfg_prometheus	*p = &env->prometheus;
	const char			*ns = env->kubernetes.namespace;
	int				 i;

	if (ns != NULL && strcmp(ns, "*") != 0 &&
	    strspn(ns, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(ns))
		abort();
	for (i = 0; i < env->nalertmanager; i++) {
		if (env->alertmanager[i].name == NULL)
			abort();
		check_http(&env->alertmanager[i].http);
	}
	for (i = 0; i < env->nhealth; i++) {
		if (env->health[i].name == NULL)
			abort();
		check_http(&env->health[i].http);
	}
	if (!p->present)
		return;
	check_http(&p->http);
	if ((p->preset == CIRCUITS_CUSTOM) != (p->query != NULL) ||
	    p->label_service == NULL || p->label_dependency == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg;
	struct error	 err;
	int		 i;

	memset(&err, 0, sizeof err);
	cfg = config_parse((const char *)data, size, "fuzz.yaml", &err);
	if (cfg == NULL && strncmp(err.msg, "fuzz.yaml:", 10) != 0)
		abort();	/* every failure says where */
	if (cfg != NULL) {
		if (cfg->nenvs < 1 || config_env(cfg, NULL, &err) == NULL)
			abort();
		for (i = 0; i < cfg->nenvs; i++)
			check_env(&cfg->envs[i]);
	}
	config_free(cfg);
	return (0);
}
