/* executors.c: registering the runbook executors, and the argument checks
 * they share (executors.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executors.h"
#include "xmalloc.h"

void
executors_register(struct actions *a, const struct cfg_env *env)
{
	exec_register(a);
	sql_exec_register(a, env);
	http_exec_register(a);
	redis_exec_register(a, env);
	notify_exec_register(a);
}

int
executor_fail(struct action_result *res, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(res->summary, sizeof res->summary, fmt, ap);
	va_end(ap);
	res->ok = 0;
	return (-1);
}

static int
in_list(const char *const *list, const char *key, size_t n, int prefix)
{
	size_t	len;

	for (; list != NULL && *list != NULL; list++) {
		len = strlen(*list);
		if (prefix ? (len <= n && strncmp(key, *list, len) == 0) :
		    (len == n && strncmp(key, *list, n) == 0))
			return (1);
	}
	return (0);
}

/* Whether argument i's key appeared before it. */
static int
seen_before(const struct action_req *req, int i, size_t n)
{
	int	j;

	for (j = 0; j < i; j++)
		if (strncmp(req->argv[j], req->argv[i], n + 1) == 0)
			return (1);
	return (0);
}

int
executor_check_keys(const struct action_req *req, const char *const *keys,
    const char *const *prefixes, const char *const *repeat,
    struct action_result *res)
{
	const char	*arg, *eq;
	size_t		 n;
	int		 i;

	for (i = 0; i < req->argc; i++) {
		arg = req->argv[i];
		if ((eq = strchr(arg, '=')) == NULL || eq == arg)
			return (executor_fail(res, "%s: argument %d is not "
			    "key=value", req->kind, i + 1));
		n = (size_t)(eq - arg);
		if (!in_list(keys, arg, n, 0) && !in_list(prefixes, arg, n, 1))
			return (executor_fail(res, "%s: unknown argument "
			    "%.*s", req->kind, (int)(n > 64 ? 64 : n), arg));
		if (!in_list(repeat, arg, n, 0) && seen_before(req, i, n))
			return (executor_fail(res, "%s: argument %.*s given "
			    "twice", req->kind, (int)(n > 64 ? 64 : n), arg));
	}
	return (0);
}

/* "500ms", "30s", "5m", "1h", "12" (seconds) in ms; -1 when malformed. */
static int64_t
duration_ms(const char *s)
{
	char		*end;
	long long	 v;

	if (!isdigit((unsigned char)*s))
		return (-1);
	v = strtoll(s, &end, 10);
	if (v < 0 || v > 100LL * 86400 * 1000)
		return (-1);
	if (strcmp(end, "ms") == 0)
		return (v);
	if (*end == '\0' || strcmp(end, "s") == 0)
		return (v * 1000);
	if (strcmp(end, "m") == 0)
		return (v * 60000);
	if (strcmp(end, "h") == 0)
		return (v * 3600000);
	return (-1);
}

int
executor_duration(const struct action_req *req, const char *key,
    int64_t dflt, int64_t max_ms, int64_t *ms, struct action_result *res)
{
	const char	*v = action_arg(req, key);
	char		 max[32];

	if (v == NULL) {
		*ms = dflt;
		return (0);
	}
	*ms = duration_ms(v);
	if (*ms < 1 || *ms > max_ms) {
		executor_fmt_limit(max, sizeof max, max_ms);
		return (executor_fail(res, "%s: %s=%.32s: want a duration "
		    "from 1ms to %s (500ms, 30s, 5m)", req->kind, key, v,
		    max));
	}
	return (0);
}

int
executor_read_only(const struct action_req *req, int *ro,
    struct action_result *res)
{
	const char	*v = action_arg(req, "read_only");

	*ro = 0;
	if (v == NULL || strcmp(v, "0") == 0)
		return (0);
	if (strcmp(v, "1") != 0)
		return (executor_fail(res, "%s: read_only=%.32s: want 1 or 0",
		    req->kind, v));
	*ro = 1;
	return (0);
}

/* The number after prefix in key (n bytes, before '='): -1 when the rest
 * is not a plain decimal ("argv01", "argvx"). */
static int
numbered_index(const char *key, size_t n, size_t plen)
{
	size_t	i;
	int	v = 0;

	if (n == plen || n - plen > 3 || (key[plen] == '0' && n - plen > 1))
		return (-1);
	for (i = plen; i < n; i++) {
		if (!isdigit((unsigned char)key[i]))
			return (-1);
		v = v * 10 + (key[i] - '0');
	}
	return (v);
}

int
executor_numbered(const struct action_req *req, const char *prefix,
    int first, struct action_result *res)
{
	size_t	 plen = strlen(prefix), n;
	int	 i, idx, count = 0, max = first - 1;

	for (i = 0; i < req->argc; i++) {
		if (strncmp(req->argv[i], prefix, plen) != 0)
			continue;
		if ((n = strcspn(req->argv[i], "=")) == plen)
			continue;	/* the repeated form, KEY= */
		if ((idx = numbered_index(req->argv[i], n, plen)) < first)
			return (executor_fail(res, "%s: unknown argument %.*s",
			    req->kind, (int)(n > 64 ? 64 : n), req->argv[i]));
		count++;
		if (idx > max)
			max = idx;
	}
	if (max - first + 1 != count) {
		for (idx = first; executor_nth(req, prefix, idx) != NULL; idx++)
			;
		return (executor_fail(res, "%s: %s%d given without %s%d",
		    req->kind, prefix, max, prefix, idx));
	}
	return (count);
}

int
executor_values(const struct action_req *req, const char *key, int first,
    const char **out, struct action_result *res)
{
	size_t	n = strlen(key);
	int	i, count = 0, numbered;

	if ((numbered = executor_numbered(req, key, first, res)) < 0)
		return (-1);
	for (i = 0; i < req->argc; i++)
		if (strncmp(req->argv[i], key, n) == 0 &&
		    req->argv[i][n] == '=')
			out[count++] = req->argv[i] + n + 1;
	if (count > 0 && numbered > 0)
		return (executor_fail(res, "%s: both %s= and %s%d= given",
		    req->kind, key, key, first));
	for (i = 0; i < numbered; i++)
		out[count++] = executor_nth(req, key, first + i);
	return (count);
}

int
executor_alias(const struct action_req *req, const char *key,
    const char *alias, const char **value, struct action_result *res)
{
	const char	*a = action_arg(req, key), *b = action_arg(req, alias);

	if (a != NULL && b != NULL)
		return (executor_fail(res, "%s: both %s= and %s= given",
		    req->kind, key, alias));
	*value = a != NULL ? a : b;
	return (0);
}

const char *
executor_nth(const struct action_req *req, const char *prefix, int n)
{
	char	key[48];

	snprintf(key, sizeof key, "%s%d", prefix, n);
	return (action_arg(req, key));
}

void
executor_fmt_ms(char *buf, size_t len, int64_t ms)
{
	if (ms < 1000)
		snprintf(buf, len, "%lld ms", (long long)ms);
	else
		fmt_duration(buf, len, ms / 1000.0);
}

void
executor_fmt_limit(char *buf, size_t len, int64_t ms)
{
	if (ms % 3600000 == 0)
		snprintf(buf, len, "%lldh", (long long)(ms / 3600000));
	else if (ms % 60000 == 0)
		snprintf(buf, len, "%lldm", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%llds", (long long)(ms / 1000));
	else
		snprintf(buf, len, "%lldms", (long long)ms);
}

/* Text buffers ----------------------------------------------------------- */

void
exbuf_add(struct exbuf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		b->cap = b->cap == 0 ? 256 : b->cap;
		while (b->len + len + 1 > b->cap)
			b->cap *= 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void
exbuf_printf(struct exbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	exbuf_add(b, s, (size_t)n);
	free(s);
}

size_t
exbuf_visible(struct exbuf *b, const char *s, size_t len, size_t max)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 esc[8];
	size_t			 i, cols = 0;

	for (i = 0; i < len; i++) {
		if ((u[i] & 0xc0) == 0x80) {	/* continues a character */
			exbuf_add(b, s + i, 1);
			continue;
		}
		if (cols >= max) {
			exbuf_add(b, "...", 3);
			return (cols + 3);
		}
		if (u[i] == '\n' || u[i] == '\t' || u[i] == '\r') {
			exbuf_add(b, u[i] == '\n' ? "\\n" : u[i] == '\t' ?
			    "\\t" : "\\r", 2);
			cols += 2;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			snprintf(esc, sizeof esc, "\\x%02x", u[i]);
			exbuf_add(b, esc, 4);
			cols += 4;
		} else {
			exbuf_add(b, s + i, 1);
			cols++;
		}
	}
	return (cols);
}

char *
exbuf_take(struct exbuf *b)
{
	char	*s = b->s != NULL ? b->s : xstrdup("");

	memset(b, 0, sizeof *b);
	return (s);
}
