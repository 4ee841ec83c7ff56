/* fuzz_config.c: libFuzzer target for the configuration parser.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -I. -Icore tests/fuzz/fuzz_config.c core/config.c core/util.c \
 *       core/xmalloc.c -lyaml -o fuzz_config
 *   ./fuzz_config -max_total_time=60 CORPUS_DIR
 *
 * Not built by make.  Every input must either parse or fail with a
 * "NAME:LINE: ..." message, and leave nothing allocated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg;
	struct error	 err;

	memset(&err, 0, sizeof err);
	cfg = config_parse((const char *)data, size, "fuzz.yaml", &err);
	if (cfg == NULL && strncmp(err.msg, "fuzz.yaml:", 10) != 0)
		abort();	/* every failure says where */
	if (cfg != NULL) {
		if (cfg->nenvs < 1 || config_env(cfg, NULL, &err) == NULL)
			abort();
	}
	config_free(cfg);
	return (0);
}
