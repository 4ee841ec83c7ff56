/* engine_text.h: text for the engine: a growing buffer, percent-encoding
 * (URL values), and display-safe text: control characters, invalid UTF-8,
 * C1 controls, bidi overrides and zero-width characters escaped, so a
 * hostile value cannot repaint the confirmation card or hide text. */
#ifndef SITREP_ENGINE_TEXT_H
#define SITREP_ENGINE_TEXT_H

#include <stddef.h>

struct text {
	char	*s;
	size_t	 len, cap;
};

void	 text_init(struct text *);
void	 text_add(struct text *, const char *, size_t);
/* The text (never NULL, caller frees); the buffer is empty after. */
char	*text_take(struct text *);
/* Append v percent-encoded: everything but A-Z a-z 0-9 - . _ ~. */
void	 text_percent(struct text *, const char *v);
/* Append v escaped for display (see above); backslash doubles. */
void	 text_escape_add(struct text *, const char *v, size_t);
/* A display-safe copy of v (caller frees). */
char	*text_escape(const char *v);
/* Append v as a shell would need it to read one word: bare when safe,
 * else '...' or $'...' with escapes; space: a space before it. */
void	 text_shquote(struct text *, const char *v, int space);

#endif
