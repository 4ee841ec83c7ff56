/* engine_text.c: buffers, percent-encoding and display-safe text for the
 * engine's confirmation cards (see engine_text.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_text.h"
#include "xmalloc.h"

void
text_init(struct text *t)
{
	memset(t, 0, sizeof *t);
}

void
text_add(struct text *t, const char *s, size_t n)
{
	if (t->s == NULL || t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = xrealloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

char *
text_take(struct text *t)
{
	char	*s = t->s != NULL ? t->s : xstrdup("");

	text_init(t);
	return (s);
}

void
text_percent(struct text *t, const char *v)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			esc[3];

	for (; *v != '\0'; v++) {
		unsigned char	c = (unsigned char)*v;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			text_add(t, v, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		text_add(t, esc, 3);
	}
}

/* The length of a valid UTF-8 sequence at s (n bytes left), else 0, and
 * its code point. */
static size_t
utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t		len, i;
	unsigned	c = s[0];

	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, c &= 0x07;
	else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (len);
}

/* Code points that must not reach the screen as they are. */
static int
hidden_cp(unsigned cp)
{
	return (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a &&
	    cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	    cp == 0xfeff || cp == 0x00ad);
}

void
text_escape_add(struct text *t, const char *v, size_t n)
{
	const unsigned char	*s = (const unsigned char *)v;
	char			 esc[16];
	unsigned		 cp;
	size_t			 i = 0, len;

	while (i < n) {
		len = utf8_seq(s + i, n - i, &cp);
		if (len == 0)
			snprintf(esc, sizeof esc, "\\x%02x", s[i]);
		else if (cp == '\\')
			snprintf(esc, sizeof esc, "\\\\");
		else if (cp == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else if (cp == '\t')
			snprintf(esc, sizeof esc, "\\t");
		else if (cp == '\r')
			snprintf(esc, sizeof esc, "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			snprintf(esc, sizeof esc, "\\x%02x", cp);
		else if (hidden_cp(cp))
			snprintf(esc, sizeof esc, "\\u%04x", cp);
		else {
			text_add(t, v + i, len);
			i += len;
			continue;
		}
		text_add(t, esc, strlen(esc));
		i += len ? len : 1;
	}
}

char *
text_escape(const char *v)
{
	struct text	t;

	text_init(&t);
	text_escape_add(&t, v, strlen(v));
	return (text_take(&t));
}

/* Whether v has anything text_escape_add would change. */
static int
needs_escape(const char *v)
{
	char	*e = text_escape(v);
	int	 rc = strcmp(e, v) != 0;

	free(e);
	return (rc);
}

void
text_shquote(struct text *t, const char *v, int space)
{
	const char	*p;
	size_t		 n = strlen(v);

	if (space)
		text_add(t, " ", 1);
	if (n > 0 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
	    "TUVWXYZ0123456789_./:=@%+,-") == n) {
		text_add(t, v, n);
		return;
	}
	if (needs_escape(v)) {
		text_add(t, "$'", 2);
		for (p = v; *p != '\0';) {
			n = strcspn(p, "'");
			text_escape_add(t, p, n);
			p += n;
			if (*p == '\'') {
				text_add(t, "\\'", 2);
				p++;
			}
		}
		text_add(t, "'", 1);
		return;
	}
	text_add(t, "'", 1);
	for (p = v; *p != '\0'; p++) {
		if (*p == '\'')
			text_add(t, "'\\''", 4);
		else
			text_add(t, p, 1);
	}
	text_add(t, "'", 1);
}
