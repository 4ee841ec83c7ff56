/* runbook_shell.c: what lint needs to know about other languages: where
 * an argv turns into script text (sh -c, su -c, ssh host cmd, env -S,
 * watch, python -c, psql -c, ...), the $N parameters and statements of a
 * SQL text, and which SQL and Redis commands only read.
 *
 * The argv rule over-approximates on purpose: once a shell (or su, ssh,
 * an interpreter) appears anywhere in argv, every element after its -c
 * (or host, for ssh) is script text, whatever wraps it (sudo, env,
 * kubectl exec --, docker exec, xargs, find -exec). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "runbook_int.h"

/* Program: its script option ("-c"), whether option clusters count
 * ("-ec" for shells), and its long form ("--command"). */
static const struct rb_interp {
	const char	*name;
	const char	*opt;
	int		 cluster;
	const char	*longopt;
} rb_interps[] = {
	{ "sh", "-c", 1, NULL }, { "bash", "-c", 1, NULL },
	{ "dash", "-c", 1, NULL }, { "zsh", "-c", 1, NULL },
	{ "ksh", "-c", 1, NULL }, { "mksh", "-c", 1, NULL },
	{ "ash", "-c", 1, NULL }, { "fish", "-c", 1, "--command" },
	{ "busybox", "-c", 1, NULL }, { "csh", "-c", 1, NULL },
	{ "tcsh", "-c", 1, NULL },
	{ "su", "-c", 0, "--command" }, { "runuser", "-c", 0, "--command" },
	{ "python", "-c", 0, NULL }, { "python3", "-c", 0, NULL },
	{ "python2", "-c", 0, NULL }, { "perl", "-e", 1, NULL },
	{ "ruby", "-e", 0, NULL }, { "node", "-e", 0, "--eval" },
	{ "php", "-r", 0, NULL }, { "lua", "-e", 0, NULL },
	{ "psql", "-c", 0, "--command" }, { "mysql", "-e", 0, "--execute" },
	{ "sqlite3", "-cmd", 0, NULL }, { "redis-cli", "EVAL", 0, NULL },
};
#define RB_NINTERPS ((int)(sizeof rb_interps / sizeof rb_interps[0]))

static const char *
rb_base(const char *s)
{
	const char	*slash = strrchr(s, '/');

	return (slash != NULL ? slash + 1 : s);
}

static const struct rb_interp *
rb_interp(const char *s)
{
	const char	*b = rb_base(s);
	int		 i;

	for (i = 0; i < RB_NINTERPS; i++)
		if (strcmp(b, rb_interps[i].name) == 0)
			return (&rb_interps[i]);
	return (NULL);
}

/* Whether s is the script option of it: "-c", "-ec", "--command", or
 * "--command=..." (then the element itself is script: returns 2). */
static int
rb_is_script_opt(const struct rb_interp *it, const char *s)
{
	size_t	n;

	if (strcmp(s, it->opt) == 0)
		return (1);
	if (it->cluster && s[0] == '-' && s[1] != '-' && s[1] != '\0' &&
	    strchr(s + 1, it->opt[1]) != NULL && strspn(s + 1,
	    "abcefhiklmnprsuvxBCEHPT") == strlen(s + 1))
		return (1);
	if (it->longopt == NULL)
		return (0);
	n = strlen(it->longopt);
	if (strncmp(s, it->longopt, n) == 0 && s[n] == '\0')
		return (1);
	if (strncmp(s, it->longopt, n) == 0 && s[n] == '=')
		return (2);
	return (0);
}

/* ssh: options that take an argument. */
static int
rb_ssh_host(const struct rb_str *v, int n, int i)
{
	for (i++; i < n; i++) {
		const char	*s = v[i].s;

		if (strcmp(s, "--") == 0)
			return (i + 1 < n ? i + 1 : n);
		if (s[0] != '-' || s[1] == '\0')
			return (i);
		if (s[2] == '\0' && strchr("BbcDEeFIiJLlmOoPpQRSWw", s[1]))
			i++;
	}
	return (n);
}

/* The script start for the program at i, or n. */
static int
rb_script_at(const struct rb_str *v, int n, int i)
{
	const struct rb_interp	*it;
	const char		*b = rb_base(v[i].s);
	int			 j, k;

	if (strcmp(b, "ssh") == 0) {
		j = rb_ssh_host(v, n, i);
		return (j < n ? j + 1 : n);
	}
	if (strcmp(b, "watch") == 0) {
		for (j = i + 1; j < n && v[j].s[0] == '-'; j++)
			;
		return (j);
	}
	if (strcmp(b, "env") == 0) {
		for (j = i + 1; j < n; j++)
			if (strcmp(v[j].s, "-S") == 0 ||
			    strncmp(v[j].s, "--split-string", 14) == 0)
				return (j + (v[j].s[2] == '\0' ||
				    strchr(v[j].s, '=') == NULL ? 1 : 0));
		return (n);
	}
	if ((it = rb_interp(v[i].s)) == NULL)
		return (n);
	for (j = i + 1; j < n; j++) {
		if ((k = rb_is_script_opt(it, v[j].s)) != 0)
			return (k == 2 ? j : j + 1);
	}
	return (n);
}

int
rb_script_start(const struct rb_str *argv, int argc)
{
	int	i, s, best = argc;

	for (i = 0; i < argc; i++) {
		if (argv[i].s == NULL)
			continue;
		s = rb_script_at(argv, argc, i);
		if (s < best)
			best = s;
	}
	return (best);
}

/* SQL -------------------------------------------------------------------- */

/* Skip a quoted string, a comment or a dollar-quoted string at s, if it
 * is one; returns the position after it (or s). */
static const char *
rb_sql_skip(const char *s)
{
	const char	*e, *tag_end;
	char		 tag[64];
	size_t		 n;

	if (*s == '\'' || *s == '"') {
		for (e = s + 1; *e != '\0'; e++)
			if (*e == *s && e[1] != *s)
				return (e + 1);
			else if (*e == *s)
				e++;
		return (e);
	}
	if (s[0] == '-' && s[1] == '-')
		return (s + strcspn(s, "\n"));
	if (s[0] == '/' && s[1] == '*') {
		e = strstr(s + 2, "*/");
		return (e != NULL ? e + 2 : s + strlen(s));
	}
	if (s[0] == '$' && (tag_end = strchr(s + 1, '$')) != NULL) {
		n = (size_t)(tag_end - s) + 1;
		if (n < sizeof tag && strspn(s + 1, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == n - 2) {
			memcpy(tag, s, n);
			tag[n] = '\0';
			e = strstr(s + n, tag);
			return (e != NULL ? e + n : s + strlen(s));
		}
	}
	return (s);
}

void
rb_sql_scan(const char *q, int *maxn, unsigned long long *used, int *multi)
{
	const char	*s = q, *t;
	int		 n, ended = 0;

	*maxn = 0;
	*used = 0;
	*multi = 0;
	while (*s != '\0') {
		if ((t = rb_sql_skip(s)) != s) {
			s = t;
			continue;
		}
		if (ended && !isspace((unsigned char)*s) && *s != ';')
			*multi = 1;
		if (*s == ';')
			ended = 1;
		if (*s == '$' && isdigit((unsigned char)s[1])) {
			for (n = 0, s++; isdigit((unsigned char)*s); s++)
				n = n < 100000 ? n * 10 + (*s - '0') : n;
			if (n > *maxn)
				*maxn = n;
			if (n >= 1 && n <= 63)
				*used |= 1ULL << n;
			continue;
		}
		s++;
	}
}

int
rb_sql_read_only(const char *q)
{
	static const char *const words[] = { "SELECT", "SHOW", "EXPLAIN",
	    "WITH", "VALUES", "TABLE" };
	const char	*s = q, *t;
	size_t		 n;
	int		 i;

	for (;;) {
		while (isspace((unsigned char)*s) || *s == '(')
			s++;
		if ((t = rb_sql_skip(s)) == s || (*s != '-' && *s != '/'))
			break;
		s = t;
	}
	for (n = 0; isalpha((unsigned char)s[n]); n++)
		;
	for (i = 0; i < (int)(sizeof words / sizeof words[0]); i++)
		if (n == strlen(words[i]) && strncasecmp(s, words[i], n) == 0)
			return (1);
	return (0);
}

/* Redis ------------------------------------------------------------------ */

int
rb_redis_read_only(const char *cmd)
{
	static const char	 ro[] = " GET MGET STRLEN GETRANGE EXISTS "
	    "TYPE "
	    "TTL PTTL INFO PING DBSIZE TIME LLEN LRANGE LINDEX SCARD "
	    "SMEMBERS SISMEMBER SRANDMEMBER HGET HMGET HGETALL HLEN HKEYS "
	    "HVALS HEXISTS ZCARD ZCOUNT ZRANGE ZRANGEBYSCORE ZREVRANGE ZSCORE "
	    "ZRANK XLEN XRANGE XREVRANGE XINFO XPENDING SCAN SSCAN HSCAN "
	    "ZSCAN MEMORY SLOWLOG LATENCY ROLE LASTSAVE OBJECT PFCOUNT "
	    "BITCOUNT GETBIT CLUSTER ";
	char			 word[40];
	size_t			 i, n = strlen(cmd);

	if (n == 0 || n > 30)
		return (0);
	word[0] = ' ';
	for (i = 0; i < n; i++) {
		if (!isalpha((unsigned char)cmd[i]))
			return (0);
		word[i + 1] = (char)toupper((unsigned char)cmd[i]);
	}
	word[n + 1] = ' ';
	word[n + 2] = '\0';
	return (strstr(ro, word) != NULL);
}
