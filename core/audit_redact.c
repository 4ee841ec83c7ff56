/* audit_redact.c: secrets out of any text bound for the trail or the
 * screen.  The engine has already replaced the values of parameters marked
 * secret; this catches what a runbook author or an executor let through:
 *
 *   password=VALUE, PGPASSWORD=VALUE, token: VALUE, "client_secret":"..."
 *       (a word ending in password, passwd, passphrase, secret, token,
 *       apikey, api_key, api-key, access_key, private_key, or pwd / pass,
 *       then = or :; quoted values up to their closing quote)
 *   scheme://user:PASSWORD@host        (postgresql://, redis://:pw@, ...)
 *   Authorization: Bearer TOKEN / Basic CREDENTIALS, and Bearer TOKEN
 *
 * Each secret becomes "[redacted]"; the rest of the text is unchanged. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "xmalloc.h"

#define REDACTED	"[redacted]"

struct rbuf {
	char	*p;
	size_t	 len, cap;
};

static void
rb_put(struct rbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int
rd_word_char(int c)
{
	return (isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.');
}

static int
rd_ends(const char *w, size_t n, const char *suffix)
{
	size_t	k = strlen(suffix);

	return (n >= k && strncasecmp(w + n - k, suffix, k) == 0);
}

static int
rd_sensitive(const char *w, size_t n)
{
	static const char *const ends[] = { "password", "passwd",
	    "passphrase", "secret", "token", "apikey", "api_key", "api-key",
	    "access_key", "private_key", NULL };
	int	i;

	for (i = 0; ends[i] != NULL; i++)
		if (rd_ends(w, n, ends[i]))
			return (1);
	return ((n == 3 && strncasecmp(w, "pwd", 3) == 0) ||
	    (n == 4 && strncasecmp(w, "pass", 4) == 0));
}

static int
rd_is_auth(const char *w, size_t n)
{
	return (rd_ends(w, n, "authorization") && (n == 13 ||
	    !isalnum((unsigned char)w[n - 14])));
}

/* End of an unquoted value at s. */
static size_t
rd_value_len(const char *s)
{
	return (strcspn(s, " \t\r\n&;,\"')}]"));
}

/* A quoted value at s (s[0] is the quote): length to the closing quote,
 * backslash escapes skipped; 0 when it is not closed. */
static size_t
rd_quoted_len(const char *s)
{
	size_t	i;

	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] != '\0')
			i++;
		else if (s[i] == s[0])
			return (i);
	}
	return (0);
}

/* Emit n bytes of value at s redacted; an Authorization value keeps its
 * scheme ("Bearer ", "Basic "). */
static void
rd_secret(struct rbuf *b, const char *s, size_t n, int auth)
{
	size_t	w = 0;

	if (auth) {
		while (w < n && isalpha((unsigned char)s[w]))
			w++;
		if (w > 0 && w < n && s[w] == ' ')
			rb_put(b, s, ++w);
		else
			w = 0;
	}
	if (w < n)
		rb_put(b, REDACTED, sizeof REDACTED - 1);
}

/* Emit the value at s, redacted.  Returns the bytes consumed. */
static size_t
rd_value(struct rbuf *b, const char *s, int auth)
{
	size_t	q, n;

	if (*s != '"' && *s != '\'') {
		n = auth ? strcspn(s, "\r\n\"',;") : rd_value_len(s);
		rd_secret(b, s, n, auth);
		return (n);
	}
	rb_put(b, s, 1);
	if ((q = rd_quoted_len(s)) == 0) {	/* not closed: to its end */
		n = rd_value_len(s + 1);
		rd_secret(b, s + 1, n, auth);
		return (1 + n);
	}
	rd_secret(b, s + 1, q - 1, auth);
	rb_put(b, s + q, 1);
	return (q + 1);
}

/* At a word: KEY[quote]SEP[spaces]VALUE.  Returns bytes consumed, 0 if
 * this is not a secret assignment. */
static size_t
rd_assign(struct rbuf *b, const char *s)
{
	size_t	n = 0, i, v;
	int	auth;

	while (rd_word_char(s[n]))
		n++;
	if (n == 0)
		return (0);
	auth = rd_is_auth(s, n);
	if (!auth && !rd_sensitive(s, n))
		return (0);
	i = n;
	if (s[i] == '"' || s[i] == '\'')
		i++;
	if (s[i] != '=' && s[i] != ':')
		return (0);
	if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
		return (0);
	i++;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	rb_put(b, s, i);
	v = rd_value(b, s + i, auth);
	return (i + v);
}

/* At "://": the authority's "user:PASSWORD@".  Returns bytes consumed. */
static size_t
rd_url(struct rbuf *b, const char *s)
{
	size_t	auth = strcspn(s + 3, "/?# \t\r\n\"'"), at = 0, colon, i;

	for (i = 0; i < auth; i++)
		if (s[3 + i] == '@')
			at = i + 1;
	if (at == 0)
		return (0);
	colon = strcspn(s + 3, ":@");
	if (colon >= at - 1)
		return (0);
	rb_put(b, s, 3 + colon + 1);
	rb_put(b, REDACTED, sizeof REDACTED - 1);
	rb_put(b, "@", 1);
	return (3 + at);
}

/* "Bearer TOKEN" anywhere. */
static size_t
rd_bearer(struct rbuf *b, const char *s)
{
	size_t	n;

	if (strncasecmp(s, "bearer ", 7) != 0)
		return (0);
	n = strspn(s + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~+/=");
	if (n == 0 || strncmp(s + 7, REDACTED, sizeof REDACTED - 1) == 0)
		return (0);
	rb_put(b, s, 7);
	rb_put(b, REDACTED, sizeof REDACTED - 1);
	return (7 + n);
}

char *
audit_redact(const char *s)
{
	struct rbuf	b = { NULL, 0, 0 };
	size_t		i = 0, n;
	int		boundary;

	rb_put(&b, "", 0);
	while (s[i] != '\0') {
		boundary = i == 0 || !rd_word_char(s[i - 1]);
		n = 0;
		if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
			n = rd_url(&b, s + i);
		else if (boundary && (n = rd_bearer(&b, s + i)) == 0)
			n = rd_assign(&b, s + i);
		if (n > 0) {
			i += n;
			continue;
		}
		if (boundary && rd_word_char(s[i])) {
			n = 0;
			while (rd_word_char(s[i + n]))
				n++;
			rb_put(&b, s + i, n);
			i += n;
			continue;
		}
		rb_put(&b, s + i, 1);
		i++;
	}
	return (b.p);
}
