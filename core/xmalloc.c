/* xmalloc.c: allocation helpers that abort with a message. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* The one process-wide hook: whoever owns the terminal registers a restore
 * function here so that a fatal error never leaves the tty in raw mode. */
static void (*fatal_hook)(void);

void
xfatal_set_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fputs("sitrep: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		fatalx("out of memory allocating %zu bytes", size);
	return (p);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		fatalx("out of memory allocating %zu x %zu bytes", n, size);
	return (p);
}

void *
xrealloc(void *old, size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = realloc(old, size)) == NULL)
		fatalx("out of memory reallocating %zu bytes", size);
	return (p);
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatalx("allocation overflow: %zu x %zu", n, size);
	return (xrealloc(old, n * size));
}

char *
xstrdup(const char *s)
{
	return (xstrndup(s, strlen(s)));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

int
xvasprintf(char **out, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	if (fmt == NULL)
		fatalx("xvasprintf: no format");
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatalx("xvasprintf: bad format");
	*out = xmalloc((size_t)n + 1);
	vsnprintf(*out, (size_t)n + 1, fmt, ap);
	return (n);
}

int
xasprintf(char **out, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = xvasprintf(out, fmt, ap);
	va_end(ap);
	return (n);
}
