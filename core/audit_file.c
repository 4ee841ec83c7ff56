/* audit_file.c: the trail file.  Created 0600 (its directories 0700) and
 * fsync'ed with its directory; refused when group or others may write it
 * or its directory.  Every append, under flock(LOCK_EX): re-read the tail
 * (the last good record: seq, hash, keyed), record a torn tail left by a
 * writer that died mid-write, complete the record (seq, time, alg, prev),
 * hash it (the key wound forward to its seq), one write(), fsync(), then
 * the key file replaced by the next key. */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_int.h"
#include "xmalloc.h"

/* Directories ------------------------------------------------------------ */

int
afile_fsync_dir(const char *path, struct error *err)
{
	char	buf[PATH_MAX];
	int	fd, rc;

	strlcpy_(buf, path, sizeof buf);
	if ((fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		error_set(err, "%s: %s", buf, strerror(errno));
		return (-1);
	}
	rc = fsync(fd);
	close(fd);
	if (rc != 0)
		error_set(err, "fsync %s: %s", buf, strerror(errno));
	return (rc);
}

int
afile_check_dir(const char *dir, struct error *err)
{
	struct stat	sb;

	if (stat(dir, &sb) != 0) {
		error_set(err, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode)) {
		error_set(err, "%s: not a directory", dir);
		return (-1);
	}
	if ((sb.st_mode & 022) != 0) {
		error_set(err, "%s: writable by group or others; the audit "
		    "trail refuses it (chmod go-w)", dir);
		return (-1);
	}
	if (sb.st_uid != geteuid() && sb.st_uid != 0) {
		error_set(err, "%s: owned by uid %u; the audit trail needs a "
		    "directory of its own user or root", dir,
		    (unsigned)sb.st_uid);
		return (-1);
	}
	return (0);
}

/* mkdir -p, 0700, each new directory's parent fsync'ed. */
static int
afile_mkdirs(const char *dir, struct error *err)
{
	char	buf[PATH_MAX], *p, c;

	if (strlcpy_(buf, dir, sizeof buf) >= sizeof buf) {
		error_set(err, "%s: path too long", dir);
		return (-1);
	}
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(buf, 0700) == 0) {
			if (afile_fsync_dir(buf, err) != 0)
				return (-1);
		} else if (errno != EEXIST) {
			error_set(err, "mkdir %s: %s", buf, strerror(errno));
			return (-1);
		}
		if (c == '\0')
			return (0);
		*p = c;
	}
}

/* The trail -------------------------------------------------------------- */

static int
afile_check(struct audit *a, int fd, struct error *err)
{
	struct stat	sb;

	if (fstat(fd, &sb) != 0) {
		error_set(err, "%s: %s", a->path, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(sb.st_mode)) {
		error_set(err, "%s: not a regular file", a->path);
		return (-1);
	}
	if ((sb.st_mode & 022) != 0) {
		error_set(err, "%s: writable by group or others; the audit "
		    "trail refuses it (chmod 600)", a->path);
		return (-1);
	}
	if (sb.st_uid != geteuid()) {
		error_set(err, "%s: owned by uid %u, not by this user (uid "
		    "%u)", a->path, (unsigned)sb.st_uid, (unsigned)geteuid());
		return (-1);
	}
	a->dev = sb.st_dev;
	a->ino = sb.st_ino;
	return (0);
}

int
afile_open(struct audit *a, struct error *err)
{
	char	dir[PATH_MAX];
	int	fd, created = 0;
	int	flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW;

	strlcpy_(dir, a->path, sizeof dir);
	strlcpy_(dir, dirname(dir), sizeof dir);
	if (afile_mkdirs(dir, err) != 0 || afile_check_dir(dir, err) != 0)
		return (-1);
	if ((fd = open(a->path, flags | O_CREAT | O_EXCL, 0600)) != -1)
		created = 1;
	else if (errno == EEXIST)
		fd = open(a->path, flags);
	if (fd == -1) {
		error_set(err, "%s: %s%s", a->path, strerror(errno),
		    errno == ELOOP ? " (a symbolic link is refused)" : "");
		return (-1);
	}
	if (created && (fchmod(fd, 0600) != 0 || fsync(fd) != 0 ||
	    afile_fsync_dir(a->path, err) != 0)) {
		if (err->msg[0] == '\0')
			error_set(err, "%s: %s", a->path, strerror(errno));
		close(fd);
		return (-1);
	}
	if (afile_check(a, fd, err) != 0) {
		close(fd);
		return (-1);
	}
	afile_close(a);
	a->fd = fd;
	return (0);
}

void
afile_close(struct audit *a)
{
	if (a->fd != -1)
		close(a->fd);
	a->fd = -1;
}

/* flock with a bound, then make sure the path still names our file (it may
 * have been moved away and replaced: then open the new one). */
static int
afile_lock(struct audit *a, struct error *err)
{
	struct timespec	ts = { 0, 1000000 };
	struct stat	sb;
	int64_t		until = mono_ms() + AUDIT_LOCK_WAIT_MS;
	int		tries;

	for (tries = 0; tries < 3; tries++) {
		if (a->fd == -1 && afile_open(a, err) != 0)
			return (-1);
		while (flock(a->fd, LOCK_EX | LOCK_NB) != 0) {
			if (errno != EWOULDBLOCK && errno != EINTR) {
				error_set(err, "flock %s: %s", a->path,
				    strerror(errno));
				return (-1);
			}
			if (mono_ms() > until) {
				error_set(err, "%s: locked by another process "
				    "for %d s", a->path,
				    AUDIT_LOCK_WAIT_MS / 1000);
				return (-1);
			}
			nanosleep(&ts, NULL);
			if (ts.tv_nsec < 32000000)
				ts.tv_nsec *= 2;
		}
		if (stat(a->path, &sb) == 0 && sb.st_dev == a->dev &&
		    sb.st_ino == a->ino)
			return (0);
		afile_close(a);			/* releases the lock */
	}
	error_set(err, "%s: the file keeps being replaced", a->path);
	return (-1);
}

/* The tail --------------------------------------------------------------- */

/* The last newline-terminated line of buf[0, end) that is a record; 1 and
 * t filled, 0 when none starts in buf, -1 when buf (not the file's start)
 * must grow to see the line's start. */
static int
afile_scan(const char *buf, size_t end, off_t off, struct atail *t)
{
	struct arec	 r;
	const char	*nl;
	size_t		 e = end, s;
	char		 why[64];

	while (e > 0) {
		if (buf[e - 1] != '\n') {		/* torn: no newline */
			nl = memrchr(buf, '\n', e);
			e = nl != NULL ? (size_t)(nl - buf) + 1 : 0;
			continue;
		}
		nl = e > 1 ? memrchr(buf, '\n', e - 1) : NULL;
		if (nl == NULL && off > 0)
			return (-1);
		s = nl != NULL ? (size_t)(nl - buf) + 1 : 0;
		if (arec_parse(buf + s, e - 1 - s, &r, why, sizeof why) == 0) {
			t->seq = r.seq;
			memcpy(t->hash, r.hash, 65);
			t->keyed = r.keyed;
			t->good_end = off + (off_t)e;
			arec_free(&r);
			return (1);
		}
		e = s;
	}
	return (0);
}

int
afile_tail(int fd, struct atail *t, struct error *err)
{
	struct stat	 sb;
	size_t		 chunk = 65536;
	off_t		 off;
	char		*buf;
	int		 rc;

	memset(t, 0, sizeof *t);
	memcpy(t->hash, AUDIT_GENESIS, 65);
	if (fstat(fd, &sb) != 0) {
		error_set(err, "fstat: %s", strerror(errno));
		return (-1);
	}
	if ((t->size = sb.st_size) == 0)
		return (0);
	for (;;) {
		if ((off_t)chunk > t->size)
			chunk = (size_t)t->size;
		off = t->size - (off_t)chunk;
		buf = xmalloc(chunk);
		if (pread(fd, buf, chunk, off) != (ssize_t)chunk) {
			error_set(err, "read: %s", strerror(errno));
			free(buf);
			return (-1);
		}
		rc = afile_scan(buf, chunk, off, t);
		free(buf);
		if (rc == 1 || off == 0)
			return (0);
		if (chunk >= AUDIT_TAIL_MAX) {
			error_set(err, "no complete record in the last %zu "
			    "bytes (sitrep audit verify says more)", chunk);
			return (-1);
		}
		chunk *= 4;
	}
}

/* Appending -------------------------------------------------------------- */

/* A record of the torn bytes after the last good record. */
static cJSON *
afile_torn(struct audit *a, const struct atail *t, int *nl,
    struct error *err)
{
	struct audit_entry	 e;
	size_t			 n = (size_t)(t->size - t->good_end);
	char			*buf, sha[65];
	cJSON			*d;

	if (n > AUDIT_TAIL_MAX) {
		error_set(err, "%zu bytes of damage at the end", n);
		return (NULL);
	}
	buf = xmalloc(n);
	if (pread(a->fd, buf, n, t->good_end) != (ssize_t)n) {
		error_set(err, "read: %s", strerror(errno));
		free(buf);
		return (NULL);
	}
	arec_sha256(buf, n, sha);
	*nl = buf[n - 1] != '\n';
	free(buf);
	memset(&e, 0, sizeof e);
	e.type = "recovered";
	e.step = -1;
	e.data = d = cJSON_CreateObject();
	arec_add_int(d, "bytes", (int64_t)n);
	arec_add_raw(d, "sha256", sha);
	cJSON_AddBoolToObject(d, "newline", *nl);
	return (audit_rec_new(a, &e));
}

/* The key for the next record (seq), or refusal. */
static int
afile_key(struct audit *a, const struct atail *t, struct akey *k,
    struct error *err)
{
	if (a->key_path == NULL) {
		if (!t->keyed)
			return (0);
		error_set(err, "the trail is keyed (HMAC) but no key file is "
		    "configured (audit.key_file)");
		return (-1);
	}
	if (akey_read(a->key_path, k, err) != 0)
		return (-1);
	if (k->seq == 0 && t->keyed) {
		error_set(err, "key file %s is new but the trail is already "
		    "keyed by another key; start a new trail", a->key_path);
		return (-1);
	}
	if (k->seq == 0)
		k->seq = t->seq + 1;
	if (k->seq > t->seq + 1) {
		error_set(err, "key file %s is ahead of the trail (key for "
		    "seq %llu, the trail ends at %llu): records may have been "
		    "cut; run sitrep audit verify", a->key_path,
		    (unsigned long long)k->seq, (unsigned long long)t->seq);
		return (-1);
	}
	akey_advance(k, t->seq + 1);
	return (0);
}

/* Complete rec as record seq after prev; its line appended to *buf. */
static void
afile_seal(cJSON *rec, uint64_t seq, const char *prev, struct akey *k,
    int keyed, char **buf, size_t *len, char hash[65])
{
	char	 tm[32], *line;
	size_t	 n;

	arec_time(now_ms(), tm);
	cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "seq"),
	    (double)seq);
	if (cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(rec, "time"),
	    tm) == NULL)
		fatalx("audit: out of memory");
	cJSON_AddStringToObject(rec, "alg", keyed ? AUDIT_ALG_HMAC :
	    AUDIT_ALG_PLAIN);
	cJSON_AddStringToObject(rec, "prev", prev);
	if ((line = arec_line(rec, keyed ? k->k : NULL, &n, hash)) == NULL)
		fatalx("audit: the digest failed (OpenSSL)");
	*buf = xrealloc(*buf, *len + n);
	memcpy(*buf + *len, line, n);
	*len += n;
	free(line);
	if (keyed) {
		akey_next(k->k);
		k->seq++;
	}
}

static const char *
afile_why(int e)
{
	switch (e) {
	case ENOSPC:
		return ("the disk is full");
	case EDQUOT:
		return ("the disk quota is exceeded");
	case EFBIG:
		return ("the file size limit is reached");
	case EIO:
		return ("I/O error");
	default:
		return (strerror(e));
	}
}

static int
afile_write(struct audit *a, const char *buf, size_t len, struct error *err)
{
	ssize_t	n;
	size_t	done = 0;

	if (a->fail_next) {
		a->fail_next = 0;
		error_set(err, "%s: write: %s", a->path, afile_why(EIO));
		return (-1);
	}
	while (done < len) {
		if ((n = write(a->fd, buf + done, len - done)) < 0) {
			if (errno == EINTR)
				continue;
			error_set(err, "%s: write: %s", a->path,
			    afile_why(errno));
			return (-1);
		}
		done += (size_t)n;
	}
	if (fsync(a->fd) != 0) {
		error_set(err, "%s: fsync: %s", a->path, afile_why(errno));
		return (-1);
	}
	return (0);
}

/* Seal the torn-tail record (if any) and rec into buf. */
static int
afile_build(struct audit *a, cJSON *rec, const struct atail *t,
    struct akey *k, char **buf, size_t *len, struct error *err)
{
	cJSON		*torn;
	char		 prev[65];
	uint64_t	 seq = t->seq;
	int		 nl = 0, keyed = a->key_path != NULL;

	memcpy(prev, t->hash, 65);
	a->tail_seq = t->seq;
	if (t->good_end < t->size) {
		if ((torn = afile_torn(a, t, &nl, err)) == NULL)
			return (-1);
		if (nl) {
			*buf = xrealloc(*buf, *len + 1);
			(*buf)[(*len)++] = '\n';
		}
		afile_seal(torn, ++seq, prev, k, keyed, buf, len, prev);
		cJSON_Delete(torn);
	}
	afile_seal(rec, ++seq, prev, k, keyed, buf, len, a->last_hash);
	a->last_seq = seq;
	return (0);
}

/* Hand the record just written (the last line of buf) to the tap. */
static void
afile_tap(struct audit *a, const cJSON *rec, const char *buf, size_t len)
{
	const cJSON	*inc;
	char		*line;
	size_t		 start;

	if (a->tap == NULL || len == 0)
		return;
	if (buf[len - 1] == '\n')
		len--;
	for (start = len; start > 0 && buf[start - 1] != '\n'; start--)
		;
	line = xstrndup(buf + start, len - start);
	inc = cJSON_GetObjectItemCaseSensitive(rec, "incident");
	a->tap(a->tap_arg, cJSON_IsString(inc) && *inc->valuestring != '\0' ?
	    inc->valuestring : NULL, line);
	free(line);
}

int
afile_append(struct audit *a, cJSON *rec, struct error *err)
{
	struct atail	 t;
	struct akey	 k;
	struct error	 kerr;
	char		*buf = NULL;
	size_t		 len = 0;
	int		 rc = -1;

	memset(&k, 0, sizeof k);
	if (afile_lock(a, err) != 0) {
		cJSON_Delete(rec);
		return (-1);
	}
	if (afile_tail(a->fd, &t, err) != 0) {
		error_set(err, "%s: %.200s", a->path, err->msg);
		goto out;
	}
	if (afile_key(a, &t, &k, err) != 0 ||
	    afile_build(a, rec, &t, &k, &buf, &len, err) != 0 ||
	    afile_write(a, buf, len, err) != 0)
		goto out;
	rc = 0;
	afile_tap(a, rec, buf, len);
	if (a->key_path != NULL && akey_write(a->key_path, &k, &kerr) != 0)
		snprintf(a->err, sizeof a->err, "the key was not wound on: "
		    "%.200s", kerr.msg);
out:
	explicit_bzero(&k, sizeof k);
	flock(a->fd, LOCK_UN);
	free(buf);
	cJSON_Delete(rec);
	return (rc);
}

/* At open, under the lock: refuse now what every append would refuse (a
 * damaged tail, a keyed trail without its key, a bad key file, a key
 * ahead of the trail). */
int
afile_precheck(struct audit *a, struct error *err)
{
	struct atail	t;
	struct akey	k;
	int		rc = -1;

	if (afile_lock(a, err) != 0)
		return (-1);
	if (afile_tail(a->fd, &t, err) != 0)
		error_set(err, "%s: %.200s", a->path, err->msg);
	else
		rc = afile_key(a, &t, &k, err);
	explicit_bzero(&k, sizeof k);
	flock(a->fd, LOCK_UN);
	return (rc);
}
