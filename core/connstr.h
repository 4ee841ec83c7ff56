/* connstr.h: connection strings and URLs of the configuration file.
 *
 * libpq conninfo strings and postgresql:// URIs must hold no password;
 * Redis URLs are split into host, port, database and ACL user; HTTP URLs
 * must be http(s)://host[:port][/path] with no credentials in them.  The
 * text was checked by the caller: no control characters.  Each check
 * returns 0, or -1 with what is wrong (no file, line or key) in why. */
#ifndef SITREP_CONNSTR_H
#define SITREP_CONNSTR_H

#include <stddef.h>

struct cfg_redis;

#define CONNSTR_NOPASSWORD	"passwords are not allowed in the file; " \
				"use password_env or password_file"

/* "host=... password=..." or postgres[ql]://user:pw@... is refused. */
int	connstr_pg(const char *conninfo, char *why, size_t);
/* redis://[user@]host[:port][/db] or rediss://: sets r's url parts
 * (host and username replace r's, which r owns; port and db only when the
 * URL gives them). */
int	connstr_redis(const char *url, struct cfg_redis *r, char *why, size_t);
/* http:// or https://, a host, an optional port and path. */
int	connstr_http(const char *url, char *why, size_t);

#endif
