/* text.c: UTF-8 decoding with column widths. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "text.h"

/* Decode one UTF-8 sequence; returns bytes used, sets *cp (or U+FFFD-ish
 * '?' for invalid input, consuming one byte). */
static int
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	int		n, i;
	uint32_t	c = s[0];

	if (c < 0x80) {
		*cp = c;
		return (1);
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
	} else
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return (n);
bad:
	*cp = '?';
	return (1);
}

int
text_to_wide(const char *s, int maxcols, wchar_t *out, size_t outlen)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 o = 0;
	int			 cols = 0, w;

	while (*p != '\0' && o + 1 < outlen) {
		p += utf8_decode(p, &cp);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			cp = '?';
		w = wcwidth((wchar_t)cp);
		if (w < 0) {
			cp = '?';
			w = 1;
		}
		if (cols + w > maxcols)
			break;
		out[o++] = (wchar_t)cp;
		cols += w;
	}
	out[o] = L'\0';
	return (cols);
}

int
text_width(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 cols = 0, w;

	while (*p != '\0') {
		p += utf8_decode(p, &cp);
		w = wcwidth((wchar_t)cp);
		cols += w < 0 ? 1 : w;
	}
	return (cols);
}

int
text_contains(const char *hay, const char *needle)
{
	size_t	i, n = strlen(needle);

	if (n == 0)
		return (1);
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n; i++) {
			if (hay[i] == '\0' || tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return (1);
	}
	return (0);
}
