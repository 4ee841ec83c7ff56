/* xmalloc.h: allocation helpers that never return NULL.
 *
 * On failure they call the fatal hook (which restores the terminal) and exit
 * with a message, as htop and tmux do. */
#ifndef SITREP_XMALLOC_H
#define SITREP_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t) __attribute__((returns_nonnull));
void	*xcalloc(size_t, size_t) __attribute__((returns_nonnull));
void	*xrealloc(void *, size_t) __attribute__((returns_nonnull));
void	*xreallocarray(void *, size_t, size_t)
	    __attribute__((returns_nonnull));
char	*xstrdup(const char *) __attribute__((returns_nonnull));
char	*xstrndup(const char *, size_t) __attribute__((returns_nonnull));
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* Called once before exiting on a fatal error (e.g. to run endwin()). */
void	 xfatal_set_hook(void (*)(void));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
