/* connstr.c: connection strings and URLs of the configuration file (see
 * connstr.h): no clear passwords, and the parts sitrep needs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "connstr.h"
#include "xmalloc.h"

/* Always -1. */
static int
connstr_why(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
connstr_why(char *why, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return (-1);
}

static int
connstr_is_password(const char *key, size_t len)
{
	return (len == 8 && strncasecmp(key, "password", 8) == 0);
}

static int
connstr_hex(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Is the percent-encoded URI parameter name s[0..len) "password"? */
static int
connstr_uri_key_is_password(const char *s, size_t len)
{
	char	key[16];
	size_t	i, n = 0;

	for (i = 0; i < len && n < sizeof key; i++) {
		if (s[i] == '%' && i + 2 < len && connstr_hex(s[i + 1]) >= 0 &&
		    connstr_hex(s[i + 2]) >= 0) {
			key[n++] = (char)(connstr_hex(s[i + 1]) * 16 +
			    connstr_hex(s[i + 2]));
			i += 2;
		} else
			key[n++] = s[i];
	}
	return (i == len && connstr_is_password(key, n));
}

/* Does a URI have a user:password@ part or a ?password= parameter?  The
 * user part ends at the first '@' before any '/', as libpq reads it. */
static int
connstr_uri_has_password(const char *s)
{
	const char	*p, *end, *q, *amp, *eq;

	p = strstr(s, "://") + 3;
	end = p + strcspn(p, "@/");
	if (*end == '@' && memchr(p, ':', end - p) != NULL)
		return (1);
	if ((q = strchr(s, '?')) == NULL)
		return (0);
	for (q++; *q != '\0'; q = *amp == '&' ? amp + 1 : amp) {
		amp = q + strcspn(q, "&#");
		eq = memchr(q, '=', amp - q);
		if (connstr_uri_key_is_password(q, (eq != NULL ? eq : amp) - q))
			return (1);
		if (*amp == '#')
			break;
	}
	return (0);
}

/* libpq ------------------------------------------------------------------ */

/* One conninfo value, quoted or not, as libpq reads it; NULL if a quote
 * is not closed.  (No control characters: the only white space is ' '.) */
static const char *
connstr_kv_value(const char *p)
{
	if (*p != '\'') {
		for (; *p != '\0' && *p != ' '; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
		}
		return (p);
	}
	for (p++; *p != '\''; p++) {
		if (*p == '\0')
			return (NULL);
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	return (p + 1);
}

/* "key = value key='quoted value' ..." */
static int
connstr_kv(const char *s, char *why, size_t len)
{
	const char	*p = s, *key;
	size_t		 klen;

	while (*(p += strspn(p, " ")) != '\0') {
		key = p;
		p += strcspn(p, "= ");
		klen = p - key;
		if (*(p += strspn(p, " ")) != '=') {
			return (connstr_why(why, len, "missing \"=\" after "
			    "\"%.*s\"", (int)(klen < 31 ? klen : 31), key));
		}
		if (connstr_is_password(key, klen))
			return (connstr_why(why, len, CONNSTR_NOPASSWORD));
		p++;
		if ((p = connstr_kv_value(p + strspn(p, " "))) == NULL) {
			return (connstr_why(why, len, "unterminated quoted "
			    "string"));
		}
	}
	return (0);
}

int
connstr_pg(const char *s, char *why, size_t len)
{
	if (strncmp(s, "postgresql://", 13) != 0 &&
	    strncmp(s, "postgres://", 11) != 0)
		return (connstr_kv(s, why, len));
	if (connstr_uri_has_password(s))
		return (connstr_why(why, len, CONNSTR_NOPASSWORD));
	return (0);
}

/* Hosts ------------------------------------------------------------------ */

/* Digits in [p, end) as a number up to max; -1 if bad. */
static int
connstr_number(const char *p, const char *end, int max)
{
	long	v = 0;

	if (p == end || end - p > 9)
		return (-1);
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		v = v * 10 + (*p - '0');
	}
	return (v <= max ? (int)v : -1);
}

/* host, [v6], host:port or [v6]:port in [p, end), where end is the '/'
 * after it or the end of the text: the host in [*h, *hend); *port only
 * changes when there is one. */
static int
connstr_host(const char *p, const char *end, const char **h,
    const char **hend, int *port, char *why, size_t len)
{
	*h = p;
	if (*p == '[') {
		if ((*hend = memchr(p, ']', end - p)) == NULL)
			return (connstr_why(why, len, "unclosed [ in host"));
		*h = p + 1;
		p = *hend + 1;
		if (p < end && *p != ':')
			return (connstr_why(why, len, "bad host"));
	} else {
		*hend = p + strcspn(p, ":/");
		p = *hend;
	}
	if (*hend == *h)
		return (connstr_why(why, len, "no host"));
	if (p < end && (*port = connstr_number(p + 1, end, 65535)) <= 0)
		return (connstr_why(why, len, "bad port"));
	return (0);
}

/* Redis ------------------------------------------------------------------ */

int
connstr_redis(const char *url, struct cfg_redis *r, char *why, size_t len)
{
	const char	*p, *end, *at, *h, *hend;

	if (strncmp(url, "redis://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "rediss://", 9) == 0)
		p = url + 9;
	else {
		return (connstr_why(why, len, "expected redis://[user@]host"
		    "[:port][/db] or rediss://..."));
	}
	if (connstr_uri_has_password(url))
		return (connstr_why(why, len, CONNSTR_NOPASSWORD));
	r->tls = url[5] == 's';
	end = p + strcspn(p, "/");
	if ((at = memchr(p, '@', end - p)) != NULL) {
		if (at == p)
			return (connstr_why(why, len, "empty user before @"));
		free(r->username);
		r->username = xstrndup(p, at - p);
		p = at + 1;
	}
	if (strpbrk(url, "?#") != NULL) {
		return (connstr_why(why, len, "query strings and fragments are "
		    "not supported"));
	}
	if (connstr_host(p, end, &h, &hend, &r->port, why, len) != 0)
		return (-1);
	free(r->host);
	r->host = xstrndup(h, hend - h);
	if (*end == '/' && end[1] != '\0' &&
	    (r->db = connstr_number(end + 1, end + strlen(end), 1000000)) < 0)
		return (connstr_why(why, len, "bad database number"));
	return (0);
}

/* HTTP ------------------------------------------------------------------- */

/* A DNS name or IPv4 address, or inside [] an IPv6 address. */
static int
connstr_host_ok(const char *h, const char *hend, int v6)
{
	const char	*ok = v6 ? "0123456789abcdefABCDEF:." :
			    "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";

	for (; h < hend; h++) {
		if (strchr(ok, *h) == NULL)
			return (0);
	}
	return (1);
}

int
connstr_http(const char *url, char *why, size_t len)
{
	const char	*p, *end, *at, *h, *hend;
	int		 port = 0;

	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else {
		return (connstr_why(why, len, "expected http://host[:port]"
		    "[/path] or https://..."));
	}
	if (connstr_uri_has_password(url))
		return (connstr_why(why, len, CONNSTR_NOPASSWORD));
	end = p + strcspn(p, "/?#");
	for (at = NULL, h = p; h < end; h++) {
		if (*h == '@')
			at = h;
	}
	if (at != NULL && memchr(p, ':', at - p) != NULL)
		return (connstr_why(why, len, CONNSTR_NOPASSWORD));
	if (at != NULL) {
		return (connstr_why(why, len, "no user in the URL; use "
		    "basic_user with password_env or password_file"));
	}
	if (strpbrk(url, "?#") != NULL) {
		return (connstr_why(why, len, "query strings and fragments are "
		    "not supported"));
	}
	if (strchr(url, ' ') != NULL)
		return (connstr_why(why, len, "space in URL (write %%20)"));
	if (connstr_host(p, end, &h, &hend, &port, why, len) != 0)
		return (-1);
	if (!connstr_host_ok(h, hend, *p == '['))
		return (connstr_why(why, len, "bad host"));
	return (0);
}
