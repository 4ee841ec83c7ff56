/* text.h: UTF-8 text measured in terminal columns.  Invalid bytes and
 * control characters are shown as '?', never passed to the terminal. */
#ifndef SITREP_TEXT_H
#define SITREP_TEXT_H

#include <stddef.h>
#include <wchar.h>

/* Decode up to maxcols columns of s into out (NUL-terminated, at most outlen
 * wide chars).  Returns the columns used. */
int	 text_to_wide(const char *s, int maxcols, wchar_t *out, size_t outlen);
/* Columns s would take. */
int	 text_width(const char *s);
/* Case-insensitive substring test (ASCII folding), for filters. */
int	 text_contains(const char *hay, const char *needle);

#endif
