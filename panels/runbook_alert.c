/* runbook_alert.c: which runbook an alert suggests, its labels as
 * parameter values, and the suggestion for a newly firing alert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbook_alert.h"
#include "util.h"
#include "xmalloc.h"

#define LABELS_MAX	64

void
runbook_alert_key(const struct alert *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", a->name, a->fingerprint[0] ?
	    a->fingerprint : a->labels);
}

const struct runbook *
runbook_for_alert(const struct rb_library *lib, const struct alert *a)
{
	const struct runbook	*rb = NULL;

	if (lib == NULL)
		return (NULL);
	if (a->runbook[0] != '\0' && (rb = rb_library_find(lib,
	    a->runbook)) != NULL)
		return (rb);
	if (rb_library_for_alert(lib, a->name, &rb, 1) == 1)
		return (rb);
	return (NULL);
}

static void
labels_add(char ***v, int *n, const char *name, size_t nlen,
    const char *value)
{
	if (*n == LABELS_MAX || nlen == 0)
		return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	xasprintf(&(*v)[(*n)++], "%.*s=%s", (int)nlen, name, value);
}

/* "k=v k=v": values run to the next space. */
static int
labels_from_text(const char *text, char ***v)
{
	const char	*p = text, *eq, *end;
	char		*value;
	int		 n = 0;

	while (*(p += strspn(p, " ")) != '\0') {
		end = p + strcspn(p, " ");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL) {
			value = xstrndup(eq + 1, (size_t)(end - eq - 1));
			labels_add(v, &n, p, (size_t)(eq - p), value);
			free(value);
		}
		p = end;
	}
	return (n);
}

int
runbook_alert_labels(const struct alert *a, char ***out)
{
	char	name[128], value[512];
	size_t	pos = 0;
	int	n = 0;

	*out = NULL;
	if (a->matchers[0] == '\0')
		return (labels_from_text(a->labels, out));
	while (alert_matcher_next(a->matchers, &pos, name, sizeof name, value,
	    sizeof value))
		labels_add(out, &n, name, strlen(name), value);
	return (n);
}

void
runbook_labels_free(char **v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The suggestion --------------------------------------------------------- */

static int
suggest_rank(const struct alert *a)
{
	return (a->state == ALERT_ACTIVE ? alert_severity_rank(a->severity) :
	    0);
}

static int
suggest_seen(const struct rb_suggest *s, const char *key)
{
	int	i;

	for (i = 0; i < s->nseen; i++)
		if (strcmp(s->seen[i], key) == 0)
			return (1);
	return (0);
}

static void
suggest_forget(struct rb_suggest *s)
{
	int	i;

	for (i = 0; i < s->nseen; i++)
		free(s->seen[i]);
	free(s->seen);
	s->seen = NULL;
	s->nseen = 0;
}

/* The newly firing alert with a runbook to suggest: the highest rank,
 * then the newest; NULL when none. */
static const struct alert *
suggest_pick(const struct rb_suggest *s, const struct rb_library *lib,
    const struct alerts_data *d, const struct runbook **rbp)
{
	const struct alert	*best = NULL, *a;
	const struct runbook	*rb;
	char			 key[RB_ALERT_KEY];
	int			 i, r;

	for (i = 0; i < d->n; i++) {
		a = &d->rows[i];
		if ((r = suggest_rank(a)) == 0)
			continue;
		runbook_alert_key(a, key, sizeof key);
		if (suggest_seen(s, key) || (rb = runbook_for_alert(lib,
		    a)) == NULL)
			continue;
		if (best == NULL || r > suggest_rank(best) || (r ==
		    suggest_rank(best) && a->starts_ms > best->starts_ms)) {
			best = a;
			*rbp = rb;
		}
	}
	return (best);
}

void
rb_suggest_update(struct rb_suggest *s, const struct rb_library *lib,
    const struct alerts_data *d)
{
	const struct alert	*a;
	const struct runbook	*rb = NULL;
	char			 key[RB_ALERT_KEY];
	int			 i, still = 0;

	if (lib == NULL)		/* not read yet: nothing is seen */
		return;
	if ((a = suggest_pick(s, lib, d, &rb)) != NULL && (!s->on ||
	    suggest_rank(a) >= s->rank)) {
		s->on = 1;
		s->alert = *a;
		s->rank = suggest_rank(a);
		runbook_alert_key(a, s->key, sizeof s->key);
		strlcpy_(s->runbook, rb->id.s, sizeof s->runbook);
	}
	suggest_forget(s);
	s->seen = xcalloc(d->n > 0 ? d->n : 1, sizeof *s->seen);
	for (i = 0; i < d->n; i++) {
		if (suggest_rank(&d->rows[i]) == 0)
			continue;
		runbook_alert_key(&d->rows[i], key, sizeof key);
		s->seen[s->nseen++] = xstrdup(key);
		still |= s->on && strcmp(key, s->key) == 0;
	}
	if (s->on && !still)
		rb_suggest_dismiss(s);
}

void
rb_suggest_dismiss(struct rb_suggest *s)
{
	s->on = 0;
	s->key[0] = '\0';
	s->runbook[0] = '\0';
	s->rank = 0;
}

void
rb_suggest_free(struct rb_suggest *s)
{
	suggest_forget(s);
	rb_suggest_dismiss(s);
}

void
rb_suggest_text(const struct rb_suggest *s, char *buf, size_t len)
{
	if (!s->on) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len, "%s firing: press R to open runbook %s",
	    s->alert.name, s->runbook);
}
