/* warroom_ident.c: who someone is in the war room (warroom.h): the
 * identity of this process, its name, the same-person rule of approvals,
 * its JSON; and the random session ids and approval codes. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/rand.h>

#include "warroom_int.h"
#include "xmalloc.h"

/* Easy to read aloud and to type: no 0/O, 1/I/L. */
static const char wr_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

static void
wr_random(unsigned char *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) == 1)
		return;
	if (getrandom(buf, len, 0) != (ssize_t)len)
		fatalx("war room: no random bytes");
}

/* nhex hex characters (even) and the NUL into buf. */
void
wr_random_hex(char *buf, size_t nhex)
{
	unsigned char	raw[32];
	size_t		i;

	if (nhex / 2 > sizeof raw)
		nhex = 2 * sizeof raw;
	wr_random(raw, nhex / 2);
	for (i = 0; i < nhex / 2; i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
	buf[nhex / 2 * 2] = '\0';
	explicit_bzero(raw, sizeof raw);
}

/* "K7QX-2M9D": 8 characters of wr_alphabet (no modulo bias: bytes past
 * the last whole multiple of the alphabet are drawn again). */
void
wr_random_code(char *buf, size_t len)
{
	const size_t	 n = sizeof wr_alphabet - 1;
	const unsigned	 limit = 256 - 256 % n;
	unsigned char	 b;
	char		 c[8];
	size_t		 i = 0;

	while (i < sizeof c) {
		wr_random(&b, 1);
		if (b < limit)
			c[i++] = wr_alphabet[b % n];
	}
	snprintf(buf, len, "%.4s-%.4s", c, c + 4);
}

void
wr_identity_self(struct wr_identity *id)
{
	struct passwd	*pw;
	const char	*ssh = getenv("SSH_CLIENT");
	char		*tty;

	memset(id, 0, sizeof *id);
	wr_random_hex(id->session, 16);
	id->uid = (unsigned)getuid();
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL)
		strlcpy_(id->user, pw->pw_name, sizeof id->user);
	else
		snprintf(id->user, sizeof id->user, "uid%u", id->uid);
	if (gethostname(id->host, sizeof id->host) != 0)
		strlcpy_(id->host, "unknown", sizeof id->host);
	id->host[sizeof id->host - 1] = '\0';
	if (ssh != NULL)
		strlcpy_(id->ssh, ssh, sizeof id->ssh);
	if ((tty = ttyname(0)) != NULL)
		strlcpy_(id->tty, tty, sizeof id->tty);
	id->pid = (int)getpid();
}

void
wr_identity_name(const struct wr_identity *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s@%s", id->user, id->host);
}

int
wr_identity_same_person(const struct wr_identity *a,
    const struct wr_identity *b)
{
	if (a->user[0] != '\0' && strcmp(a->user, b->user) == 0)
		return (1);
	return (a->host[0] != '\0' && strcmp(a->host, b->host) == 0 &&
	    a->uid == b->uid);
}

struct cJSON *
wr_identity_json(const struct wr_identity *id)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "session", id->session);
	cJSON_AddStringToObject(o, "user", id->user);
	cJSON_AddNumberToObject(o, "uid", id->uid);
	cJSON_AddStringToObject(o, "host", id->host);
	cJSON_AddStringToObject(o, "ssh", id->ssh);
	cJSON_AddStringToObject(o, "tty", id->tty);
	cJSON_AddNumberToObject(o, "pid", id->pid);
	return (o);
}

/* A string member into buf; -1 when it is missing (and required). */
static int
wr_json_str(const cJSON *o, const char *name, char *buf, size_t len,
    int required)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		buf[0] = '\0';
		return (required ? -1 : 0);
	}
	strlcpy_(buf, v->valuestring, len);
	return (0);
}

int
wr_identity_from_json(const struct cJSON *o, struct wr_identity *id)
{
	const cJSON	*uid, *pid;

	memset(id, 0, sizeof *id);
	if (!cJSON_IsObject(o))
		return (-1);
	uid = cJSON_GetObjectItemCaseSensitive(o, "uid");
	pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
	if (wr_json_str(o, "session", id->session, sizeof id->session, 1) != 0 ||
	    wr_json_str(o, "user", id->user, sizeof id->user, 1) != 0 ||
	    wr_json_str(o, "host", id->host, sizeof id->host, 1) != 0 ||
	    !cJSON_IsNumber(uid) || uid->valuedouble < 0 ||
	    uid->valuedouble > 4294967295.0)
		return (-1);
	wr_json_str(o, "ssh", id->ssh, sizeof id->ssh, 0);
	wr_json_str(o, "tty", id->tty, sizeof id->tty, 0);
	id->uid = (unsigned)uid->valuedouble;
	id->pid = cJSON_IsNumber(pid) ? pid->valueint : 0;
	return (0);
}
