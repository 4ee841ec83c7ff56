/* fuzz_redis_info.c: libFuzzer target for the INFO parser.
 *
 *   make fuzz-build && build/fuzz/fuzz_redis_info \
 *       -dict=tests/fuzz/redis_info.dict CORPUS_DIR
 *
 * (make fuzz runs it; tests/fuzz/corpus/fuzz_redis_info/ holds the
 * fixtures of tests/unit/test_redis_info.c; more: redis-cli INFO.)
 * Whatever the input, the parser must stay within the node, terminate
 * every string and keep its promises (below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_str(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

static void
check(const struct redis_node *n, int rc)
{
	int	i;

	check_str(n->role, sizeof n->role);
	check_str(n->version, sizeof n->version);
	check_str(n->link_status, sizeof n->link_status);
	check_str(n->master, sizeof n->master);
	if ((rc == 0) != (n->role[0] != '\0'))
		abort();
	if (n->nreplicas < 0 || n->nreplicas > REDIS_MAX_REPLICAS)
		abort();
	for (i = 0; i < n->nreplicas; i++) {
		check_str(n->replicas[i].addr, sizeof n->replicas[i].addr);
		check_str(n->replicas[i].state, sizeof n->replicas[i].state);
		if (n->replicas[i].lag_bytes < -1)
			abort();
	}
	if (n->rdb_ok < -1 || n->rdb_ok > 1 || (n->aof_ok != 0 &&
	    n->aof_ok != 1))
		abort();
	if (strcmp(n->role, "slave") != 0 && n->link_status[0] != '\0')
		abort();
	if (strcmp(n->name, "fuzz") != 0 || n->error[0] != '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redis_node	 n;
	char			*text;
	int			 rc;

	text = malloc(size + 1);
	if (text == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&n, 0, sizeof n);
	strcpy(n.name, "fuzz");
	rc = redis_info_parse(text, &n, 1700000000);
	check(&n, rc);
	free(text);
	return (0);
}
