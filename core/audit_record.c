/* audit_record.c: one record of the trail.  The canonical serialisation
 * (cJSON, members in the writer's fixed order, no whitespace), the line
 * (the canonical bytes with ,"hash":"..." put before the closing brace),
 * the digest (SHA-256, or HMAC-SHA256 with an evolving key; OpenSSL EVP
 * only), the key file, and text made fit for a record. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "audit_int.h"
#include "json_num.h"
#include "xmalloc.h"

/* The top-level members, in the only order a record may have them. */
static const char *const arec_order[] = {
	"v", "seq", "time", "type", "actor", "incident", "env", "production",
	"runbook", "step", "data", "alg", "prev", NULL
};

/* Hashing ---------------------------------------------------------------- */

static void
arec_hex(const unsigned char *md, size_t n, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

void
arec_sha256(const void *buf, size_t len, char out[65])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0;

	if (EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		fatalx("audit: SHA-256 failed");
	arec_hex(md, 32, out);
}

int
arec_is_hex64(const char *s)
{
	int	i;

	for (i = 0; i < 64; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return (0);
	}
	return (s[64] == '\0');
}

static int
arec_sha_parts(const char *prev, const char *canon, size_t len,
    unsigned char md[32])
{
	EVP_MD_CTX	*c;
	unsigned int	 n = 0;
	int		 ok;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return (-1);
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, prev, 64) == 1 &&
	    EVP_DigestUpdate(c, canon, len) == 1 &&
	    EVP_DigestUpdate(c, "}", 1) == 1 &&
	    EVP_DigestFinal_ex(c, md, &n) == 1 && n == 32;
	EVP_MD_CTX_free(c);
	return (ok ? 0 : -1);
}

static int
arec_hmac_parts(const unsigned char *key, const char *prev, const char *canon,
    size_t len, unsigned char md[32])
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*c = NULL;
	OSSL_PARAM	 params[2];
	char		 digest[] = "SHA256";
	size_t		 n = 0;
	int		 ok = 0;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return (-1);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((c = EVP_MAC_CTX_new(mac)) != NULL)
		ok = EVP_MAC_init(c, key, 32, params) == 1 &&
		    EVP_MAC_update(c, (const unsigned char *)prev, 64) == 1 &&
		    EVP_MAC_update(c, (const unsigned char *)canon, len) == 1 &&
		    EVP_MAC_update(c, (const unsigned char *)"}", 1) == 1 &&
		    EVP_MAC_final(c, md, &n, 32) == 1 && n == 32;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(mac);
	return (ok ? 0 : -1);
}

int
arec_digest(const unsigned char *key, const char *prev, const char *line,
    size_t canon_len, char out[65])
{
	unsigned char	md[32];
	int		rc;

	if (key != NULL)
		rc = arec_hmac_parts(key, prev, line, canon_len, md);
	else
		rc = arec_sha_parts(prev, line, canon_len, md);
	if (rc != 0)
		return (-1);
	arec_hex(md, 32, out);
	return (0);
}

/* Lines ------------------------------------------------------------------ */

char *
arec_line(cJSON *rec, const unsigned char *key, size_t *lenp, char hash[65])
{
	const char	*prev = arec_str(rec, "prev");
	char		*canon, *line;
	size_t		 n;

	if (prev == NULL || !arec_is_hex64(prev))
		fatalx("audit: a record without prev");
	if ((canon = cJSON_PrintUnformatted(rec)) == NULL)
		fatalx("audit: out of memory");
	n = strlen(canon) - 1;			/* without the '}' */
	if (arec_digest(key, prev, canon, n, hash) != 0) {
		cJSON_free(canon);
		return (NULL);
	}
	line = xmalloc(n + AUDIT_HASH_SUFFIX + 2);
	memcpy(line, canon, n);
	snprintf(line + n, AUDIT_HASH_SUFFIX + 2, ",\"hash\":\"%s\"}\n", hash);
	*lenp = n + AUDIT_HASH_SUFFIX + 1;
	cJSON_free(canon);
	return (line);
}

int
arec_parse(const char *line, size_t len, struct arec *r, char *why,
    size_t wlen)
{
	const cJSON	*j;
	const char	*s, *end = NULL;
	char		*canon;
	double		 d;

	memset(r, 0, sizeof *r);
	if (len < AUDIT_HASH_SUFFIX + 2 || memchr(line, '\0', len) != NULL ||
	    memcmp(line + len - AUDIT_HASH_SUFFIX, ",\"hash\":\"", 9) != 0 ||
	    memcmp(line + len - 2, "\"}", 2) != 0) {
		snprintf(why, wlen, "not a record (no hash at the end)");
		return (-1);
	}
	memcpy(r->hash, line + len - AUDIT_HASH_SUFFIX + 9, 64);
	r->hash[64] = '\0';
	r->canon_len = len - AUDIT_HASH_SUFFIX;
	canon = xmalloc(r->canon_len + 2);
	memcpy(canon, line, r->canon_len);
	memcpy(canon + r->canon_len, "}", 2);
	r->root = cJSON_ParseWithLengthOpts(canon, r->canon_len + 1, &end, 0);
	if (r->root != NULL && end != canon + r->canon_len + 1) {
		cJSON_Delete(r->root);		/* something after the object */
		r->root = NULL;
	}
	free(canon);
	if (!arec_is_hex64(r->hash) || !cJSON_IsObject(r->root)) {
		snprintf(why, wlen, "not a record (not a JSON object)");
		goto fail;
	}
	j = cJSON_GetObjectItemCaseSensitive(r->root, "seq");
	d = cJSON_IsNumber(j) ? j->valuedouble : -1;
	if (d < 1 || d > 9007199254740992.0 || d != (double)(uint64_t)d) {
		snprintf(why, wlen, "no valid seq");
		goto fail;
	}
	r->seq = (uint64_t)d;
	s = arec_str(r->root, "prev");
	if (s == NULL || !arec_is_hex64(s)) {
		snprintf(why, wlen, "no valid prev");
		goto fail;
	}
	memcpy(r->prev, s, 65);
	if ((s = arec_str(r->root, "alg")) == NULL ||
	    (strcmp(s, AUDIT_ALG_PLAIN) != 0 && strcmp(s, AUDIT_ALG_HMAC) != 0)) {
		snprintf(why, wlen, "no valid alg");
		goto fail;
	}
	r->keyed = strcmp(s, AUDIT_ALG_HMAC) == 0;
	if ((r->type = arec_str(r->root, "type")) == NULL ||
	    arec_int(r->root, "v", 0) != AUDIT_VERSION) {
		snprintf(why, wlen, "no type or an unknown version");
		goto fail;
	}
	return (0);
fail:
	arec_free(r);
	return (-1);
}

void
arec_free(struct arec *r)
{
	cJSON_Delete(r->root);
	r->root = NULL;
}

static int
arec_order_ok(const cJSON *root)
{
	const cJSON	*c;
	int		 k = 0;

	for (c = root->child; c != NULL; c = c->next) {
		while (arec_order[k] != NULL && strcmp(arec_order[k],
		    c->string) != 0)
			k++;
		if (arec_order[k++] == NULL)
			return (0);
	}
	return (1);
}

int
arec_is_canonical(const struct arec *r, const char *line)
{
	char	*p;
	int	 ok;

	if (!arec_order_ok(r->root))
		return (0);
	if ((p = cJSON_PrintUnformatted(r->root)) == NULL)
		fatalx("audit: out of memory");
	ok = strlen(p) == r->canon_len + 1 && memcmp(p, line,
	    r->canon_len) == 0;
	cJSON_free(p);
	return (ok);
}

void
arec_time(int64_t ms, char buf[32])
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	size_t		n;

	gmtime_r(&t, &tm);
	n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03uZ", (unsigned)(ms % 1000) % 1000u);
}

/* Text ------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
arec_utf8(const unsigned char *s, size_t n)
{
	size_t		need, i;
	uint32_t	cp;

	if (s[0] < 0x80)
		return (s[0] != 0 ? 1 : 0);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return (0);
	if (need > n)
		return (0);
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return (0);
	return (need);
}

char *
arec_text(const char *s, size_t len, size_t max)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*out, *p;
	size_t			 i = 0, n, cut = 0;

	out = p = xmalloc(len * 3 + 48);
	while (i < len) {
		n = arec_utf8(u + i, len - i);
		if ((size_t)(p - out) + (n ? n : 3) > max) {
			cut = len - i;
			break;
		}
		if (n == 0) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			i++;
			continue;
		}
		memcpy(p, s + i, n);
		p += n;
		i += n;
	}
	if (cut > 0)
		p += sprintf(p, "...[%zu bytes cut]", cut);
	*p = '\0';
	return (out);
}

static void
arec_add_fit(cJSON *o, const char *name, const char *text, int redact)
{
	char	*red, *fit;

	if (text == NULL)
		return;
	red = redact ? audit_redact(text) : xstrdup(text);
	fit = arec_text(red, strlen(red), AUDIT_TEXT_MAX);
	if (cJSON_AddStringToObject(o, name, fit) == NULL)
		fatalx("audit: out of memory");
	free(fit);
	free(red);
}

void
arec_add_text(cJSON *o, const char *name, const char *text)
{
	arec_add_fit(o, name, text, 1);
}

void
arec_add_raw(cJSON *o, const char *name, const char *text)
{
	arec_add_fit(o, name, text, 0);
}

void
arec_add_int(cJSON *o, const char *name, int64_t v)
{
	if (cJSON_AddNumberToObject(o, name, (double)v) == NULL)
		fatalx("audit: out of memory");
}

void
arec_redact_tree(cJSON *j)
{
	cJSON	*c;
	char	*red, *fit;

	for (c = j; c != NULL; c = c->next) {
		if (cJSON_IsString(c) && c->valuestring != NULL) {
			red = audit_redact(c->valuestring);
			fit = arec_text(red, strlen(red), AUDIT_TEXT_MAX);
			if (cJSON_SetValuestring(c, fit) == NULL)
				fatalx("audit: out of memory");
			free(fit);
			free(red);
		}
		if (c->child != NULL)
			arec_redact_tree(c->child);
	}
}

const char *
arec_str(const cJSON *o, const char *name)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, name);

	return (cJSON_IsString(j) ? j->valuestring : NULL);
}

int64_t
arec_int(const cJSON *o, const char *name, int64_t def)
{
	return (json_int64(o, name, def));
}

/* The key file ----------------------------------------------------------- */

void
akey_next(unsigned char k[32])
{
	unsigned char	buf[sizeof AUDIT_KEY_LABEL - 1 + 32], md[32];
	unsigned int	n = 0;

	memcpy(buf, AUDIT_KEY_LABEL, sizeof AUDIT_KEY_LABEL - 1);
	memcpy(buf + sizeof AUDIT_KEY_LABEL - 1, k, 32);
	if (EVP_Digest(buf, sizeof buf, md, &n, EVP_sha256(), NULL) != 1 ||
	    n != 32)
		fatalx("audit: SHA-256 failed");
	memcpy(k, md, 32);
	explicit_bzero(buf, sizeof buf);
	explicit_bzero(md, sizeof md);
}

void
akey_advance(struct akey *k, uint64_t seq)
{
	while (k->seq < seq) {
		akey_next(k->k);
		k->seq++;
	}
}

static int
akey_unhex(const char *s, unsigned char k[32])
{
	unsigned int	v;
	int		i;

	if (!arec_is_hex64(s))
		return (-1);
	for (i = 0; i < 32; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return (-1);
		k[i] = (unsigned char)v;
	}
	return (0);
}

int
akey_read(const char *path, struct akey *k, struct error *err)
{
	struct stat		 sb;
	char			 buf[160], hex[80];
	unsigned long long	 seq;
	ssize_t			 n;
	int			 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		error_set(err, "key file %s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		error_set(err, "key file %s: not a regular file", path);
	else if ((sb.st_mode & 077) != 0)
		error_set(err, "key file %s: group or others may use it; "
		    "chmod 600", path);
	else if (sb.st_uid != geteuid())
		error_set(err, "key file %s: owned by uid %u, not by us",
		    path, (unsigned)sb.st_uid);
	else if ((n = read(fd, buf, sizeof buf - 1)) <= 0)
		error_set(err, "key file %s: cannot read it", path);
	else {
		buf[n] = '\0';
		if (sscanf(buf, AUDIT_KEY_MAGIC " %llu %79s", &seq, hex) != 2 ||
		    akey_unhex(hex, k->k) != 0)
			error_set(err, "key file %s: not a sitrep audit key "
			    "(sitrep audit keygen makes one)", path);
		else {
			k->seq = seq;
			rc = 0;
		}
	}
	explicit_bzero(buf, sizeof buf);
	explicit_bzero(hex, sizeof hex);
	close(fd);
	return (rc);
}

int
akey_write(const char *path, const struct akey *k, struct error *err)
{
	char	tmp[PATH_MAX], buf[160];
	int	fd, n, ok;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		error_set(err, "key file %s: %s", tmp, strerror(errno));
		return (-1);
	}
	n = snprintf(buf, sizeof buf, AUDIT_KEY_MAGIC " %llu ",
	    (unsigned long long)k->seq);
	arec_hex(k->k, 32, buf + n);
	n += 64;
	buf[n++] = '\n';
	ok = write(fd, buf, n) == n && fsync(fd) == 0;
	explicit_bzero(buf, sizeof buf);
	if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
		error_set(err, "key file %s: %s", path, strerror(errno));
		unlink(tmp);
		return (-1);
	}
	return (afile_fsync_dir(path, err));
}

int
audit_keygen(const char *path, struct error *err)
{
	struct akey	k;
	int		rc;

	if (access(path, F_OK) == 0) {
		error_set(err, "%s exists; a key is never overwritten", path);
		return (-1);
	}
	memset(&k, 0, sizeof k);
	if (RAND_bytes(k.k, sizeof k.k) != 1) {
		error_set(err, "no random bytes (OpenSSL RAND_bytes)");
		return (-1);
	}
	rc = akey_write(path, &k, err);
	explicit_bzero(&k, sizeof k);
	return (rc);
}
