/* fuzz_alertmanager.c: libFuzzer target for what the Alertmanager backend
 * reads from a server: the GET /api/v2/alerts body and its times.
 *
 *   make fuzz-build && build/fuzz/fuzz_alertmanager \
 *       -dict=tests/fuzz/alertmanager.dict CORPUS_DIR
 *
 * (make fuzz runs it; tests/fuzz/corpus/fuzz_alertmanager/ holds the
 * seeds; more: curl http://alertmanager:9093/api/v2/alerts.)  Every
 * input parses or fails with a message, leaves nothing allocated, and
 * what parses keeps the promises of snapshot.h (below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alertmanager.h"
#include "snapshot.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_string(const char *s, size_t size)
{
	if (memchr(s, '\0', size) == NULL)
		abort();
}

/* The matchers walk back to names and values, and end. */
static void
check_matchers(const char *m)
{
	char	name[128], value[512];
	size_t	pos = 0;
	int	n = 0;

	while (alert_matcher_next(m, &pos, name, sizeof name, value,
	    sizeof value)) {
		if (++n > 512 || pos > strlen(m))
			abort();
	}
}

static void
check_alert(const struct alert *a)
{
	check_string(a->name, sizeof a->name);
	check_string(a->labels, sizeof a->labels);
	check_string(a->summary, sizeof a->summary);
	check_string(a->runbook, sizeof a->runbook);
	check_string(a->silenced_by, sizeof a->silenced_by);
	check_string(a->matchers, sizeof a->matchers);
	if (strchr(a->runbook, '/') != NULL || strchr(a->runbook, '?') != NULL)
		abort();
	if (a->state == ALERT_SILENCED && a->silenced_by[0] == '\0')
		abort();
	check_matchers(a->matchers);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alert	*rows = NULL;
	int64_t		*upd = NULL;
	char		*body, err[256];
	int		 n, i, m;

	body = malloc(size + 1);
	memcpy(body, data, size);
	body[size] = '\0';
	err[0] = '\0';
	(void)alertmanager_time_ms(body);
	if (alertmanager_parse_alerts(body, &rows, &upd, &n, err,
	    sizeof err) != 0) {
		if (err[0] == '\0')
			abort();
	} else {
		for (i = 0; i < n; i++)
			check_alert(&rows[i]);
		m = alertmanager_dedupe(rows, upd, n);
		if (m > n || (n > 0 && m < 1))
			abort();
		free(rows);
		free(upd);
	}
	free(body);
	return (0);
}
