/* util.c: clocks, human formatting, bounded copies. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

void
error_set(struct error *err, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

static int64_t
clock_ms(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
now_ms(void)
{
	return (clock_ms(CLOCK_REALTIME));
}

int64_t
mono_ms(void)
{
	return (clock_ms(CLOCK_MONOTONIC));
}

void
fmt_age(char *buf, size_t len, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 120 * 60)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 48 * 3600)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
}

void
fmt_bytes(char *buf, size_t len, uint64_t n)
{
	static const char	*units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double			 v = (double)n;
	int			 u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (v < 10)
		snprintf(buf, len, "%.1f %s", v, units[u]);
	else
		snprintf(buf, len, "%.0f %s", v, units[u]);
}

void
fmt_count(char *buf, size_t len, uint64_t n)
{
	if (n < 1000)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (n < 10000)
		snprintf(buf, len, "%.1fk", n / 1000.0);
	else if (n < 1000000)
		snprintf(buf, len, "%lluk", (unsigned long long)(n / 1000));
	else
		snprintf(buf, len, "%.1fM", n / 1000000.0);
}

void
fmt_duration(char *buf, size_t len, double s)
{
	long long	t;

	if (!(s >= 0))		/* negative or NaN */
		s = 0;
	if (s > 1e12)		/* beyond any real duration; keeps the casts defined */
		s = 1e12;
	if (s < 10)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 60)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 3600) {
		t = (long long)s;
		snprintf(buf, len, "%lldm%02llds", t / 60, t % 60);
	} else {
		t = (long long)s;
		snprintf(buf, len, "%lldh%02lldm", t / 3600, (t % 3600) / 60);
	}
}

void
fmt_clock_utc(char *buf, size_t len, int64_t ms)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "--:--:--");
	else
		strftime(buf, len, "%H:%M:%S", &tm);
}

size_t
strlcpy_(char *dst, const char *src, size_t size)
{
	size_t	n = strlen(src);

	if (size > 0) {
		size_t	c = n >= size ? size - 1 : n;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return (n);
}

int64_t
parse_duration(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-1);
	v = strtoll(s, &end, 10);
	if (v < 0)
		return (-1);
	if (*end == '\0' || strcmp(end, "s") == 0)
		return (v);
	if (strcmp(end, "ms") == 0)
		return (v / 1000);
	if (strcmp(end, "m") == 0)
		return (v * 60);
	if (strcmp(end, "h") == 0)
		return (v * 3600);
	if (strcmp(end, "d") == 0)
		return (v * 86400);
	return (-1);
}
