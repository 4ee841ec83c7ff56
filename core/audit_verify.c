/* audit_verify.c: `sitrep audit verify`.  Reads the trail line by line
 * and stops at the first bad record, saying which (line, seq) and what:
 *
 *   edited      the hash does not match the record (or its prev does not
 *               match the record before), or it is not in canonical form
 *   deleted     a gap in seq, or the first records are missing
 *   reordered   a seq comes before a smaller one
 *   inserted    a seq appears twice; with the key, a record whose hash is
 *               not the HMAC (made without the key)
 *   truncated   an anchored head (seq, hash) is past the end of the file
 *   damaged     a line that is not a record, not explained by a
 *               "recovered" record after it
 *
 * A last line without its newline is a write cut short by a crash: a
 * warning, not a failure (the next append records it as "recovered"). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "xmalloc.h"

#define VERIFY_LOOKAHEAD	100000	/* lines searched to tell reordered
					 * from deleted */

struct vstate {
	const char			*trail;
	struct audit_verify_result	*res;
	struct akey			 key;
	int				 has_key;
	int				 key_active;	/* wound to a keyed record */
	struct anchor			*anchors;
	int				 nanchors;
	char				 prev[65];
	uint64_t			 last;		/* seq of the last record */
	char				*junk;		/* non-record lines */
	size_t				 njunk;
	long				 junk_line;
	struct areader			 rd;
};

static int
vfail(struct vstate *v, long line, uint64_t seq, const char *what,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
vfail(struct vstate *v, long line, uint64_t seq, const char *what,
    const char *fmt, ...)
{
	va_list	ap;

	v->res->ok = 0;
	v->res->bad_line = line;
	v->res->bad_seq = seq;
	snprintf(v->res->what, sizeof v->res->what, "%s", what);
	va_start(ap, fmt);
	vsnprintf(v->res->detail, sizeof v->res->detail, fmt, ap);
	va_end(ap);
	return (-1);
}

/* Is seq somewhere in the next lines (from offset off)? */
static int
vfind_seq(const struct vstate *v, off_t off, uint64_t seq)
{
	struct areader	rd;
	struct arec	r;
	char		why[64];
	int		n = 0, found = 0;

	if (areader_open(&rd, v->trail) != 0)
		return (0);
	if (fseeko(rd.f, off, SEEK_SET) != 0) {
		areader_close(&rd);
		return (0);
	}
	while (!found && n++ < VERIFY_LOOKAHEAD && areader_next(&rd) == 1) {
		if (arec_parse(rd.buf, rd.len, &r, why, sizeof why) != 0)
			continue;
		found = r.seq == seq;
		arec_free(&r);
	}
	areader_close(&rd);
	return (found);
}

static int
vseq(struct vstate *v, const struct arec *r, long line)
{
	uint64_t	want = v->last + 1;

	if (r->seq == want)
		return (0);
	if (r->seq < want)
		return (vfail(v, line, r->seq, "inserted", "seq %llu again "
		    "after seq %llu (a record was added or copied)",
		    (unsigned long long)r->seq, (unsigned long long)v->last));
	if (vfind_seq(v, v->rd.next, want))
		return (vfail(v, line, r->seq, "reordered", "seq %llu comes "
		    "before seq %llu", (unsigned long long)r->seq,
		    (unsigned long long)want));
	if (v->last == 0)
		return (vfail(v, line, r->seq, "deleted", "the trail starts "
		    "at seq %llu: seq 1 to %llu are missing",
		    (unsigned long long)r->seq,
		    (unsigned long long)r->seq - 1));
	return (vfail(v, line, r->seq, "deleted", "seq %llu to %llu are "
	    "missing (after seq %llu)", (unsigned long long)want,
	    (unsigned long long)r->seq - 1, (unsigned long long)v->last));
}

static int
vhash(struct vstate *v, const struct arec *r, const char *line, long ln)
{
	char	h[65];

	if (r->keyed && !v->has_key) {
		v->res->unkeyed++;
		return (0);
	}
	if (!r->keyed && v->has_key && (v->key_active || (v->key.seq != 0 &&
	    r->seq >= v->key.seq)))
		return (vfail(v, ln, r->seq, "inserted", "a plain SHA-256 "
		    "record in the keyed part of the trail (made without the "
		    "key)"));
	if (r->keyed) {
		if (!v->key_active && v->key.seq == 0)
			v->key.seq = r->seq;		/* an unbound key */
		if (r->seq < v->key.seq)
			return (vfail(v, ln, r->seq, "inserted", "a keyed "
			    "record before the key's first seq %llu",
			    (unsigned long long)v->key.seq));
		v->key_active = 1;
		akey_advance(&v->key, r->seq);
	}
	if (arec_digest(r->keyed ? v->key.k : NULL, r->prev, line,
	    r->canon_len, h) != 0)
		return (vfail(v, ln, r->seq, "damaged", "OpenSSL failed"));
	if (strcmp(h, r->hash) == 0)
		return (0);
	if (r->keyed)
		return (vfail(v, ln, r->seq, "inserted", "the HMAC does not "
		    "match: the record was edited, or made without the key "
		    "(a recomputed plain hash)"));
	return (vfail(v, ln, r->seq, "edited", "the hash does not match the "
	    "record (a field was changed)"));
}

static int
vanchor(struct vstate *v, const struct arec *r, long ln)
{
	int	i;

	for (i = 0; i < v->nanchors; i++) {
		if (v->anchors[i].seq != r->seq || strcmp(v->anchors[i].hash,
		    r->hash) == 0)
			continue;
		return (vfail(v, ln, r->seq, "edited", "the record differs "
		    "from its anchor in %s (anchored %s): rewritten",
		    v->anchors[i].source, v->anchors[i].time));
	}
	return (0);
}

/* Lines that were not records must be exactly what the "recovered" record
 * after them describes. */
static int
vjunk(struct vstate *v, const struct arec *r, long ln)
{
	const cJSON	*d = cJSON_GetObjectItemCaseSensitive(r->root, "data");
	int		 recovered = strcmp(r->type, "recovered") == 0;
	int64_t		 bytes = arec_int(d, "bytes", -1);
	int		 nl = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d,
	    "newline"));
	const char	*sha = arec_str(d, "sha256");
	char		 h[65];

	if (v->njunk == 0 && !recovered)
		return (0);
	if (v->njunk == 0)
		return (vfail(v, ln, r->seq, "edited", "a recovered record "
		    "without the torn bytes it describes"));
	if (!recovered)
		return (vfail(v, v->junk_line, 0, "damaged", "line %ld is not "
		    "a record (edited?)", v->junk_line));
	if (bytes < 0 || (size_t)bytes + (nl ? 1 : 0) != v->njunk || sha ==
	    NULL)
		return (vfail(v, v->junk_line, 0, "damaged", "the torn bytes "
		    "at line %ld are not those recorded at seq %llu",
		    v->junk_line, (unsigned long long)r->seq));
	arec_sha256(v->junk, (size_t)bytes, h);
	if (strcmp(h, sha) != 0)
		return (vfail(v, v->junk_line, 0, "damaged", "the torn bytes "
		    "at line %ld were changed", v->junk_line));
	v->njunk = 0;
	return (0);
}

static void
vjunk_add(struct vstate *v)
{
	if (v->njunk == 0)
		v->junk_line = v->rd.lineno;
	if (v->njunk > AUDIT_TAIL_MAX)
		return;
	v->junk = xrealloc(v->junk, v->njunk + v->rd.len + 1);
	memcpy(v->junk + v->njunk, v->rd.buf, v->rd.len);
	v->njunk += v->rd.len;
	if (v->rd.newline)
		v->junk[v->njunk++] = '\n';
}

static int
vrecord(struct vstate *v, const struct arec *r)
{
	long	ln = v->rd.lineno;

	if (vjunk(v, r, ln) != 0)
		return (-1);
	if (!arec_is_canonical(r, v->rd.buf))
		return (vfail(v, ln, r->seq, "edited", "not in canonical form "
		    "(members reordered, spaces or escapes changed)"));
	if (vseq(v, r, ln) != 0)
		return (-1);
	if (strcmp(r->prev, v->prev) != 0)
		return (vfail(v, ln, r->seq, "edited", "prev does not match "
		    "the hash of the record before (a record was replaced or "
		    "inserted)"));
	if (vhash(v, r, v->rd.buf, ln) != 0 || vanchor(v, r, ln) != 0)
		return (-1);
	memcpy(v->prev, r->hash, 65);
	v->last = r->seq;
	if (v->res->records++ == 0)
		v->res->first_seq = r->seq;
	return (0);
}

static int
vlines(struct vstate *v)
{
	struct arec	r;
	char		why[64];
	int		rc;

	while ((rc = areader_next(&v->rd)) == 1) {
		if (!v->rd.newline) {
			v->res->torn = 1;
			snprintf(v->res->warning, sizeof v->res->warning,
			    "line %ld: an unfinished last record (%zu bytes; "
			    "a writer died mid-write)", v->rd.lineno,
			    v->rd.len);
			break;
		}
		if (arec_parse(v->rd.buf, v->rd.len, &r, why, sizeof why) !=
		    0) {
			vjunk_add(v);
			continue;
		}
		rc = vrecord(v, &r);
		arec_free(&r);
		if (rc != 0)
			return (0);
	}
	if (rc < 0)
		return (-1);
	if (v->njunk > 0)
		vfail(v, v->junk_line, 0, "damaged", "line %ld is not a record",
		    v->junk_line);
	return (0);
}

/* After the last record: the anchors past it, a key never used. */
static void
vend(struct vstate *v)
{
	int	i;

	for (i = 0; v->res->ok && i < v->nanchors; i++) {
		if (v->anchors[i].seq <= v->last)
			continue;
		vfail(v, v->rd.lineno + 1, v->anchors[i].seq, "truncated",
		    "the head anchored in %s (seq %llu, %s) is missing: the "
		    "file ends at seq %llu", v->anchors[i].source,
		    (unsigned long long)v->anchors[i].seq, v->anchors[i].time,
		    (unsigned long long)v->last);
	}
	if (v->res->ok && v->has_key && !v->key_active && v->key.seq != 0 &&
	    v->last >= v->key.seq)
		vfail(v, 0, v->key.seq, "edited", "the key starts at seq %llu "
		    "but no record carries an HMAC (the keyed records were "
		    "replaced)", (unsigned long long)v->key.seq);
	memcpy(v->res->head, v->prev, 65);
	v->res->last_seq = v->last;
}

static int
vanchors_load(struct vstate *v, const struct audit_verify_opts *o,
    struct error *err)
{
	char	id[65];

	if (o->anchors == NULL && o->anchor_file == NULL)
		return (0);
	if (aread_trail_id(v->trail, id) != 0)
		return (0);			/* no record: nothing anchored */
	if (anet_anchors(o->anchors, o->anchor_file, id, &v->anchors,
	    &v->nanchors, err) != 0)
		return (-1);
	v->res->anchors = v->nanchors;
	return (0);
}

int
audit_verify(const char *trail, const struct audit_verify_opts *o,
    struct audit_verify_result *res, struct error *err)
{
	struct vstate	v;
	int		rc = -1;

	memset(res, 0, sizeof *res);
	memset(&v, 0, sizeof v);
	res->ok = 1;
	v.trail = trail;
	v.res = res;
	memcpy(v.prev, AUDIT_GENESIS, 65);
	if (o->key_file != NULL) {
		if (akey_read(o->key_file, &v.key, err) != 0)
			return (-1);
		v.has_key = 1;
	}
	if (areader_open(&v.rd, trail) != 0) {
		error_set(err, "%s: %s", trail, strerror(errno));
		goto out;
	}
	if (vanchors_load(&v, o, err) != 0)
		goto out;
	if (vlines(&v) != 0) {
		error_set(err, "%s: read error: %s", trail, strerror(errno));
		goto out;
	}
	vend(&v);
	rc = 0;
out:
	areader_close(&v.rd);
	explicit_bzero(&v.key, sizeof v.key);
	free(v.anchors);
	free(v.junk);
	return (rc);
}
