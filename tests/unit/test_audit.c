/* test_audit.c: the audit trail.  Records and their canonical form, the
 * chain, HMAC with the evolving key, redaction, the intent refused when it
 * cannot be written (through the real engine), permissions, torn tails,
 * and verify finding every kind of tampering: a field edited, a record
 * deleted, two swapped, a record inserted with a recomputed plain hash in
 * a keyed trail, the tail cut off (with an anchor file).  Also resume
 * (unfinished runs), export, tail, and the audit: configuration. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "action.h"
#include "audit_int.h"
#include "audit_view.h"
#include "config.h"
#include "engine.h"
#include "pager.h"
#include "panel.h"
#include "runbook.h"
#include "store.h"
#include "xmalloc.h"

#define INC	"INC-20261121-0007"

struct tdir {
	char	dir[64];
	char	trail[128];
	char	key[128];
	char	orig[128];
	char	anchors[128];
};

/* Helpers ---------------------------------------------------------------- */

static int
setup(void **state)
{
	struct tdir	*t = calloc(1, sizeof *t);

	snprintf(t->dir, sizeof t->dir, "/tmp/sitrep-audit.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return (-1);
	snprintf(t->trail, sizeof t->trail, "%s/trail/audit.jsonl", t->dir);
	snprintf(t->key, sizeof t->key, "%s/audit.key", t->dir);
	snprintf(t->orig, sizeof t->orig, "%s/original.key", t->dir);
	snprintf(t->anchors, sizeof t->anchors, "%s/anchors.jsonl", t->dir);
	*state = t;
	return (0);
}

static int
teardown(void **state)
{
	struct tdir	*t = *state;
	char		 cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return (-1);
	free(t);
	return (0);
}

static struct audit *
topen(const char *trail, const char *key, const struct cfg_audit *cfg)
{
	struct audit_opts	 o;
	struct audit		*a;
	struct error		 err;

	memset(&o, 0, sizeof o);
	o.path = trail;
	o.key_file = key;
	o.cfg = cfg;
	o.incident = INC;
	o.env = "prod";
	o.production = 1;
	a = audit_open(&o, &err);
	if (a == NULL)
		fail_msg("audit_open: %s", err.msg);
	return (a);
}

static void
notes(struct audit *a, int n)
{
	struct error	err;
	char		text[64];
	int		i;

	for (i = 0; i < n; i++) {
		snprintf(text, sizeof text, "note %d", i);
		assert_int_equal(audit_note(a, INC, text, &err), 0);
	}
}

/* A trail of n notes between session_start and session_end. */
static void
make_trail(const char *trail, const char *key, int n)
{
	struct audit	*a = topen(trail, key, NULL);

	notes(a, n);
	audit_close(a);
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	return (buf);
}

static void
spit(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The lines of a file (a NULL-terminated array of copies). */
static char **
lines_of(const char *path, int *n)
{
	char	*buf = slurp(path), *p, *nl, **v = NULL;

	*n = 0;
	for (p = buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		v = realloc(v, (*n + 2) * sizeof *v);
		v[(*n)++] = strndup(p, nl - p);
	}
	v[*n] = NULL;
	free(buf);
	return (v);
}

static void
write_lines(const char *path, char **v, int n)
{
	FILE	*f = fopen(path, "w");
	int	 i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", v[i]);
	fclose(f);
}

static void
free_lines(char **v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static struct audit_verify_result
verify(const char *trail, const char *key, const char *anchors)
{
	struct audit_verify_opts	o = { key, NULL, anchors };
	struct audit_verify_result	r;
	struct error			err;

	if (audit_verify(trail, &o, &r, &err) != 0)
		fail_msg("audit_verify: %s", err.msg);
	return (r);
}

static void
expect_bad(const char *trail, const char *key, const char *anchors,
    const char *what, long line)
{
	struct audit_verify_result	r = verify(trail, key, anchors);

	if (r.ok || strcmp(r.what, what) != 0 || (line > 0 &&
	    r.bad_line != line))
		fail_msg("want %s at line %ld; got ok=%d %s at %ld: %s", what,
		    line, r.ok, r.what, r.bad_line, r.detail);
}

/* A forged line: rec re-serialised with a plain hash after prev. */
static char *
forge(cJSON *rec, const char *prev, char hash[65])
{
	size_t	n;

	cJSON_DeleteItemFromObject(rec, "alg");
	cJSON_DeleteItemFromObject(rec, "prev");
	cJSON_AddStringToObject(rec, "alg", AUDIT_ALG_PLAIN);
	cJSON_AddStringToObject(rec, "prev", prev);
	return (arec_line(rec, NULL, &n, hash));
}

/* Records ---------------------------------------------------------------- */

static void
test_record_canonical(void **state)
{
	struct tdir	*t = *state;
	struct arec	 r;
	char		 why[64], want[65], *msg, **v;
	const char	*hashpos;
	int		 n;

	make_trail(t->trail, NULL, 1);
	v = lines_of(t->trail, &n);
	assert_int_equal(n, 3);
	/* Fixed member order, no whitespace. */
	assert_memory_equal(v[1], "{\"v\":1,\"seq\":2,\"time\":\"", 23);
	assert_non_null(strstr(v[1], "\"type\":\"note\",\"actor\":{\"user\":"));
	assert_non_null(strstr(v[1], "\"incident\":\"" INC "\",\"env\":\"prod\","
	    "\"production\":true,\"data\":{\"text\":\"note 0\"},\"alg\":"
	    "\"sha256\",\"prev\":\""));
	assert_null(strstr(v[1], "\": "));
	assert_null(strstr(v[1], ", \""));
	assert_int_equal(arec_parse(v[1], strlen(v[1]), &r, why, sizeof why),
	    0);
	assert_true(arec_is_canonical(&r, v[1]));
	/* hash = SHA-256(prev || the line up to ,"hash" then "}") */
	hashpos = strstr(v[1], ",\"hash\":\"");
	assert_non_null(hashpos);
	xasprintf(&msg, "%s%.*s}", r.prev, (int)(hashpos - v[1]), v[1]);
	arec_sha256(msg, strlen(msg), want);
	assert_string_equal(want, r.hash);
	assert_string_equal(r.type, "note");
	assert_int_equal(r.seq, 2);
	/* The time: UTC, milliseconds, RFC 3339. */
	assert_int_equal(strlen(arec_str(r.root, "time")), 24);
	assert_int_equal(arec_str(r.root, "time")[23], 'Z');
	free(msg);
	arec_free(&r);
	free_lines(v, n);
}

static void
test_record_actor(void **state)
{
	struct tdir	*t = *state;
	struct arec	 r;
	const cJSON	*actor, *tmux;
	char		 why[64], **v;
	int		 n;

	setenv("SUDO_USER", "alice", 1);
	setenv("SSH_CLIENT", "10.1.2.3 51234 22", 1);
	setenv("TMUX", "/tmp/tmux-0/default,4242,7", 1);
	unsetenv("TMUX_PANE");
	make_trail(t->trail, NULL, 0);
	unsetenv("SUDO_USER");
	unsetenv("SSH_CLIENT");
	unsetenv("TMUX");
	v = lines_of(t->trail, &n);
	assert_int_equal(arec_parse(v[0], strlen(v[0]), &r, why, sizeof why),
	    0);
	assert_string_equal(r.type, "session_start");
	actor = cJSON_GetObjectItemCaseSensitive(r.root, "actor");
	assert_string_equal(arec_str(actor, "sudo_user"), "alice");
	assert_string_equal(arec_str(actor, "ssh_client"), "10.1.2.3");
	assert_int_equal(arec_int(actor, "uid", -1), (int)getuid());
	assert_int_equal(arec_int(actor, "euid", -1), (int)geteuid());
	assert_int_equal(arec_int(actor, "pid", -1), (int)getpid());
	assert_non_null(arec_str(actor, "host"));
	assert_non_null(arec_str(actor, "version"));
	tmux = cJSON_GetObjectItemCaseSensitive(actor, "tmux");
	assert_string_equal(arec_str(tmux, "socket"), "/tmp/tmux-0/default");
	assert_string_equal(arec_str(tmux, "session"), "7");
	arec_free(&r);
	free_lines(v, n);
}

static void
test_text_fit(void **state)
{
	char	*s, big[AUDIT_TEXT_MAX + 100];

	s = arec_text("ok \xff bad \xc3\x28 \xe2\x82\xac", 15, 100);
	assert_string_equal(s, "ok \xef\xbf\xbd bad \xef\xbf\xbd( "
	    "\xe2\x82\xac");
	free(s);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	s = arec_text(big, strlen(big), AUDIT_TEXT_MAX);
	assert_non_null(strstr(s, "...[99 bytes cut]"));
	free(s);
}

static void
test_chain(void **state)
{
	struct tdir			*t = *state;
	struct audit_verify_result	 r;
	struct arec			 a, b;
	char				 why[64], **v;
	int				 n, i;

	make_trail(t->trail, NULL, 5);
	make_trail(t->trail, NULL, 5);		/* a second session */
	v = lines_of(t->trail, &n);
	assert_int_equal(n, 14);
	for (i = 1; i < n; i++) {
		assert_int_equal(arec_parse(v[i - 1], strlen(v[i - 1]), &a,
		    why, sizeof why), 0);
		assert_int_equal(arec_parse(v[i], strlen(v[i]), &b, why,
		    sizeof why), 0);
		assert_string_equal(b.prev, a.hash);
		assert_int_equal(b.seq, a.seq + 1);
		arec_free(&a);
		arec_free(&b);
	}
	r = verify(t->trail, NULL, NULL);
	assert_true(r.ok);
	assert_int_equal(r.records, 14);
	assert_int_equal(r.last_seq, 14);
	free_lines(v, n);
}

static void *
thread_notes(void *arg)
{
	notes(arg, 50);
	return (NULL);
}

static void
test_threads(void **state)
{
	struct tdir	*t = *state;
	struct audit	*a = topen(t->trail, NULL, NULL);
	pthread_t	 th[4];
	int		 i;

	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, thread_notes, a);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	audit_close(a);
	assert_true(verify(t->trail, NULL, NULL).ok);
	assert_int_equal(verify(t->trail, NULL, NULL).records, 202);
}

/* HMAC and the key ------------------------------------------------------- */

static void
copy_file(const char *from, const char *to)
{
	char	*s = slurp(from);
	int	 fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	free(s);
}

static void
test_hmac_evolving_key(void **state)
{
	struct tdir			*t = *state;
	struct audit_verify_result	 r;
	struct akey			 k0, k;
	struct error			 err;
	struct arec			 rec;
	char				 why[64], h[65], **v;
	int				 n, i;

	assert_int_equal(audit_keygen(t->key, &err), 0);
	assert_int_equal(audit_keygen(t->key, &err), -1);	/* never over */
	copy_file(t->key, t->orig);			/* the offline copy */
	assert_int_equal(akey_read(t->orig, &k0, &err), 0);
	assert_int_equal(k0.seq, 0);			/* not bound yet */
	make_trail(t->trail, t->key, 3);		/* seq 1..5 */
	/* The key on the host has moved on past seq 5 ... */
	assert_int_equal(akey_read(t->key, &k, &err), 0);
	assert_int_equal(k.seq, 6);
	k0.seq = 1;
	akey_advance(&k0, 6);
	assert_memory_equal(k.k, k0.k, 32);
	/* ... each record is an HMAC under the key of its seq. */
	assert_int_equal(akey_read(t->orig, &k0, &err), 0);
	k0.seq = 1;
	v = lines_of(t->trail, &n);
	for (i = 0; i < n; i++) {
		assert_int_equal(arec_parse(v[i], strlen(v[i]), &rec, why,
		    sizeof why), 0);
		assert_true(rec.keyed);
		akey_advance(&k0, rec.seq);
		assert_int_equal(arec_digest(k0.k, rec.prev, v[i],
		    rec.canon_len, h), 0);
		assert_string_equal(h, rec.hash);
		arec_free(&rec);
	}
	free_lines(v, n);
	r = verify(t->trail, t->orig, NULL);
	assert_true(r.ok);
	assert_int_equal(r.unkeyed, 0);
	/* Without the key: the chain holds, the HMACs are not checked. */
	r = verify(t->trail, NULL, NULL);
	assert_true(r.ok);
	assert_int_equal(r.unkeyed, 5);
	/* The key left on the host cannot vouch for the earlier records. */
	expect_bad(t->trail, t->key, NULL, "inserted", 1);
}

static void
test_key_refusals(void **state)
{
	struct tdir		*t = *state;
	struct audit_opts	 o;
	struct error		 err;

	memset(&o, 0, sizeof o);
	o.path = t->trail;
	assert_int_equal(audit_keygen(t->key, &err), 0);
	chmod(t->key, 0640);
	o.key_file = t->key;
	assert_null(audit_open(&o, &err));
	assert_non_null(strstr(err.msg, "chmod 600"));
	chmod(t->key, 0600);
	make_trail(t->trail, t->key, 1);
	/* A keyed trail without its key is refused. */
	o.key_file = NULL;
	assert_null(audit_open(&o, &err));
	assert_non_null(strstr(err.msg, "keyed"));
	/* A fresh key for a trail keyed by another: refused. */
	unlink(t->key);
	assert_int_equal(audit_keygen(t->key, &err), 0);
	o.key_file = t->key;
	assert_null(audit_open(&o, &err));
	assert_non_null(strstr(err.msg, "another key"));
	/* A key ahead of the trail: records were cut. */
	{
		struct akey	k;

		unlink(t->key);
		unlink(t->trail);
		assert_int_equal(audit_keygen(t->key, &err), 0);
		make_trail(t->trail, t->key, 1);	/* key at seq 4 */
		assert_int_equal(akey_read(t->key, &k, &err), 0);
		k.seq = 9;
		assert_int_equal(akey_write(t->key, &k, &err), 0);
		assert_null(audit_open(&o, &err));
		assert_non_null(strstr(err.msg, "ahead of the trail"));
	}
}

/* Redaction -------------------------------------------------------------- */

static void
test_redaction(void **state)
{
	static const char *const cases[][2] = {
		{ "host=db password=hunter2 user=x",
		  "host=db password=[redacted] user=x" },
		{ "password='sec ret' dbname=erp",
		  "password='[redacted]' dbname=erp" },
		{ "postgresql://sitrep:hunter2@db:5432/erp",
		  "postgresql://sitrep:[redacted]@db:5432/erp" },
		{ "redis://:s3cret@cache:6379/0",
		  "redis://:[redacted]@cache:6379/0" },
		{ "https://user@h/x", "https://user@h/x" },
		{ "header=Authorization: Bearer abc.def-ghi",
		  "header=Authorization: Bearer [redacted]" },
		{ "curl -H 'Authorization: Basic dXNlcjpwdw=='",
		  "curl -H 'Authorization: Basic [redacted]'" },
		{ "Bearer eyJhbGciOi.x.y", "Bearer [redacted]" },
		{ "header.Authorization=Bearer abc",
		  "header.Authorization=Bearer [redacted]" },
		{ "header.X-Api-Key=k1 header.Accept=json",
		  "header.X-Api-Key=[redacted] header.Accept=json" },
		{ "url=https://h/api?token=abc123&x=1",
		  "url=https://h/api?token=[redacted]&x=1" },
		{ "env=PGPASSWORD=pw1", "env=PGPASSWORD=[redacted]" },
		{ "{\"client_secret\":\"zz\",\"a\":1}",
		  "{\"client_secret\":\"[redacted]\",\"a\":1}" },
		{ "GITHUB_TOKEN: ghp_123", "GITHUB_TOKEN: [redacted]" },
		{ "password_env=SITREP_PG_PASSWORD token_file=/x",
		  "password_env=SITREP_PG_PASSWORD token_file=/x" },
		{ "passwords are fine", "passwords are fine" },
		{ "password=\"unclosed", "password=\"[redacted]" },
		{ "api_key=", "api_key=" },
		{ "", "" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = audit_redact(cases[i][0]);
		if (strcmp(s, cases[i][1]) != 0)
			fail_msg("redact(%s) = %s, want %s", cases[i][0], s,
			    cases[i][1]);
		free(s);
	}
}

static void
test_redaction_in_records(void **state)
{
	struct tdir		*t = *state;
	struct audit		*a = topen(t->trail, NULL, NULL);
	struct audit_entry	 e;
	struct error		 err;
	cJSON			*d = cJSON_CreateObject();
	char			*all;

	cJSON_AddStringToObject(d, "conninfo", "postgresql://u:TopSecret1@h/db");
	cJSON_AddStringToObject(d, "header", "Authorization: Bearer TokTok99");
	memset(&e, 0, sizeof e);
	e.type = "note";
	e.step = -1;
	e.data = d;
	assert_int_equal(audit_append(a, &e, &err), 0);
	assert_int_equal(audit_note(a, INC, "redis://:Pw777@c:6379", &err), 0);
	audit_close(a);
	all = slurp(t->trail);
	assert_null(strstr(all, "TopSecret1"));
	assert_null(strstr(all, "TokTok99"));
	assert_null(strstr(all, "Pw777"));
	assert_non_null(strstr(all, "[redacted]"));
	free(all);
	assert_true(verify(t->trail, NULL, NULL).ok);
}

/* Verify: tampering ------------------------------------------------------ */

static void
test_verify_edited(void **state)
{
	struct tdir	*t = *state;
	char		**v, *p;
	int		 n;

	make_trail(t->trail, NULL, 5);
	v = lines_of(t->trail, &n);
	p = strstr(v[3], "note 2");
	assert_non_null(p);
	p[5] = '9';				/* "note 9" */
	write_lines(t->trail, v, n);
	expect_bad(t->trail, NULL, NULL, "edited", 4);
	free_lines(v, n);
}

static void
test_verify_reformatted(void **state)
{
	struct tdir	*t = *state;
	char		**v, *p, *q;
	int		 n;

	make_trail(t->trail, NULL, 3);
	v = lines_of(t->trail, &n);
	p = strstr(v[2], "\"type\":");
	q = malloc(strlen(v[2]) + 2);
	snprintf(q, strlen(v[2]) + 2, "%.*s \"type\":%s", (int)(p - v[2]),
	    v[2], p + 7);
	free(v[2]);
	v[2] = q;
	write_lines(t->trail, v, n);
	expect_bad(t->trail, NULL, NULL, "edited", 3);
	free_lines(v, n);
}

static void
test_verify_deleted(void **state)
{
	struct tdir	*t = *state;
	char		**v;
	int		 n;

	make_trail(t->trail, NULL, 5);
	v = lines_of(t->trail, &n);
	free(v[3]);
	memmove(&v[3], &v[4], (n - 4) * sizeof *v);
	n--;
	write_lines(t->trail, v, n);
	expect_bad(t->trail, NULL, NULL, "deleted", 4);
	free_lines(v, n);
	/* The first record gone. */
	make_trail(t->trail, NULL, 0);
	v = lines_of(t->trail, &n);
	write_lines(t->trail, v + 1, n - 1);
	expect_bad(t->trail, NULL, NULL, "deleted", 1);
	free_lines(v, n);
}

static void
test_verify_swapped(void **state)
{
	struct tdir	*t = *state;
	char		**v, *tmp;
	int		 n;

	make_trail(t->trail, NULL, 5);
	v = lines_of(t->trail, &n);
	tmp = v[2];
	v[2] = v[3];
	v[3] = tmp;
	write_lines(t->trail, v, n);
	expect_bad(t->trail, NULL, NULL, "reordered", 3);
	free_lines(v, n);
}

static void
test_verify_duplicated(void **state)
{
	struct tdir	*t = *state;
	char		**v;
	int		 n;

	make_trail(t->trail, NULL, 3);
	v = lines_of(t->trail, &n);
	v = realloc(v, (n + 2) * sizeof *v);
	memmove(&v[3], &v[2], (n - 2 + 1) * sizeof *v);
	v[2] = strdup(v[3]);
	n++;
	write_lines(t->trail, v, n);
	expect_bad(t->trail, NULL, NULL, "inserted", 4);
	free_lines(v, n);
}

/* Insert a forged record after line `at` (0-based) and re-chain every
 * record after it with plain SHA-256, renumbered: a perfect forgery for
 * anyone without the key. */
static void
forge_insert(const char *trail, int at, const char *alg)
{
	struct arec	 r;
	char		 why[64], prev[65], h[65], **v, **out, *line;
	cJSON		*rec;
	int		 n, i, k = 0;
	uint64_t	 seq;

	v = lines_of(trail, &n);
	out = calloc(n + 2, sizeof *out);
	for (i = 0; i <= at; i++)
		out[k++] = strdup(v[i]);
	assert_int_equal(arec_parse(v[at], strlen(v[at]), &r, why,
	    sizeof why), 0);
	memcpy(prev, r.hash, 65);
	seq = r.seq;
	rec = cJSON_Duplicate(r.root, 1);
	arec_free(&r);
	cJSON_SetNumberValue(cJSON_GetObjectItem(rec, "seq"), (double)++seq);
	cJSON_ReplaceItemInObject(rec, "type", cJSON_CreateString("note"));
	line = forge(rec, prev, h);
	line[strlen(line) - 1] = '\0';
	if (strcmp(alg, AUDIT_ALG_HMAC) == 0) {	/* claim HMAC, plain hash */
		char *p = strstr(line, "\"alg\":\"sha256\"");
		char *q;

		xasprintf(&q, "%.*s\"alg\":\"hmac-sha256\"%s", (int)(p - line),
		    line, p + 14);
		free(line);
		line = q;
	}
	out[k++] = line;
	cJSON_Delete(rec);
	memcpy(prev, h, 65);
	for (i = at + 1; i < n; i++) {
		assert_int_equal(arec_parse(v[i], strlen(v[i]), &r, why,
		    sizeof why), 0);
		rec = cJSON_Duplicate(r.root, 1);
		arec_free(&r);
		cJSON_SetNumberValue(cJSON_GetObjectItem(rec, "seq"),
		    (double)++seq);
		line = forge(rec, prev, h);
		line[strlen(line) - 1] = '\0';
		out[k++] = line;
		memcpy(prev, h, 65);
		cJSON_Delete(rec);
	}
	write_lines(trail, out, k);
	free_lines(out, k);
	free_lines(v, n);
}

static void
test_verify_inserted_with_key(void **state)
{
	struct tdir	*t = *state;
	struct error	 err;

	assert_int_equal(audit_keygen(t->key, &err), 0);
	copy_file(t->key, t->orig);
	make_trail(t->trail, t->key, 5);
	assert_true(verify(t->trail, t->orig, NULL).ok);
	forge_insert(t->trail, 2, AUDIT_ALG_PLAIN);
	/* Without the key the forgery is a valid plain chain ... */
	assert_true(verify(t->trail, NULL, NULL).ok);
	/* ... the original key sees it. */
	expect_bad(t->trail, t->orig, NULL, "inserted", 4);
	/* The same forgery claiming to be an HMAC. */
	unlink(t->trail);
	unlink(t->key);
	assert_int_equal(audit_keygen(t->key, &err), 0);
	copy_file(t->key, t->orig);
	make_trail(t->trail, t->key, 5);
	forge_insert(t->trail, 2, AUDIT_ALG_HMAC);
	expect_bad(t->trail, t->orig, NULL, "inserted", 4);
}

static void
test_verify_truncated(void **state)
{
	struct tdir	*t = *state;
	struct cfg_audit cfg;
	char		**v;
	int		 n;

	memset(&cfg, 0, sizeof cfg);
	cfg.anchor_file = t->anchors;
	cfg.anchor_every = 4;
	{
		struct audit *a = topen(t->trail, NULL, &cfg);

		notes(a, 9);
		audit_close(a);			/* anchors the head: 11 */
	}
	assert_true(verify(t->trail, NULL, t->anchors).ok);
	assert_int_equal(verify(t->trail, NULL, t->anchors).anchors, 3);
	v = lines_of(t->trail, &n);
	assert_int_equal(n, 11);
	write_lines(t->trail, v, n - 2);
	/* Without anchors a cut tail cannot be seen ... */
	assert_true(verify(t->trail, NULL, NULL).ok);
	/* ... with them it is. */
	expect_bad(t->trail, NULL, t->anchors, "truncated", 0);
	/* A rewritten anchored record. */
	write_lines(t->trail, v, n);
	assert_true(verify(t->trail, NULL, t->anchors).ok);
	free_lines(v, n);
}

/* Torn tails ------------------------------------------------------------- */

static void
test_torn_tail(void **state)
{
	struct tdir			*t = *state;
	struct audit_verify_result	 r;
	char				*all;
	FILE				*f;

	make_trail(t->trail, NULL, 2);
	f = fopen(t->trail, "a");
	fputs("{\"v\":1,\"seq\":5,\"time\":\"2026-", f);	/* died here */
	fclose(f);
	r = verify(t->trail, NULL, NULL);
	assert_true(r.ok);
	assert_true(r.torn);
	make_trail(t->trail, NULL, 1);		/* records it as recovered */
	all = slurp(t->trail);
	assert_non_null(strstr(all, "\"type\":\"recovered\""));
	assert_non_null(strstr(all, "\"bytes\":28,"));
	free(all);
	r = verify(t->trail, NULL, NULL);
	assert_true(r.ok);
	assert_false(r.torn);
	assert_int_equal(r.records, 8);
	/* The torn bytes changed afterwards: damaged. */
	all = slurp(t->trail);
	*strstr(all, "2026-\n") = '3';
	spit(t->trail, all);
	free(all);
	expect_bad(t->trail, NULL, NULL, "damaged", 5);
}

static void
test_torn_tail_keyed(void **state)
{
	struct tdir	*t = *state;
	struct error	 err;
	FILE		*f;

	assert_int_equal(audit_keygen(t->key, &err), 0);
	copy_file(t->key, t->orig);
	make_trail(t->trail, t->key, 2);
	f = fopen(t->trail, "a");
	fputs("{\"v\":1,\"seq\":5,", f);
	fclose(f);
	make_trail(t->trail, t->key, 2);
	assert_true(verify(t->trail, t->orig, NULL).ok);
	assert_int_equal(verify(t->trail, t->orig, NULL).records, 9);
}

static void
test_junk_line(void **state)
{
	struct tdir	*t = *state;
	char		**v;
	int		 n;

	make_trail(t->trail, NULL, 3);
	v = lines_of(t->trail, &n);
	free(v[2]);
	v[2] = strdup("{\"hello\":\"world\"}");
	write_lines(t->trail, v, n);
	expect_bad(t->trail, NULL, NULL, "damaged", 3);
	free_lines(v, n);
}

/* Durability: the intent --------------------------------------------------- */

static int calls;

static int
count_action(void *ctx, const struct action_req *req,
    struct action_result *res, const volatile int *cancel)
{
	calls++;
	res->ok = 1;
	snprintf(res->summary, sizeof res->summary, "done");
	return (0);
}

static void
test_intent_refused(void **state)
{
	static const char yaml[] = "id: r\ntitle: R\nseverity: P2\nsteps:\n"
	    "  - id: go\n    kind: action\n    title: Go\n"
	    "    exec: {argv: [echo, hi]}\n";
	struct tdir	*t = *state;
	struct rb_diags	 d;
	struct runbook	*rb;
	struct store	*st = store_new();
	struct actions	*acts = actions_new(st);
	struct engine	*e;
	struct engine_opts o = { .incident = INC };
	struct audit	*a = topen(t->trail, NULL, NULL);
	struct error	 err;
	char		*all;

	rb_diags_init(&d);
	rb = runbook_parse(yaml, sizeof yaml - 1, "r.yaml", &d);
	assert_non_null(rb);
	assert_int_equal(d.n, 0);
	actions_register(acts, "exec", count_action, NULL);
	e = engine_new(rb, acts, &o, &err);
	assert_non_null(e);
	engine_subscribe(e, audit_engine_event, a);
	assert_int_equal(engine_begin(e, &err), 0);
	assert_int_equal(engine_current(e), 0);
	assert_int_equal(engine_confirm(e, 0, NULL, NULL, &err), 0);
	a->fail_next = 1;			/* the intent write fails */
	assert_int_equal(engine_start(e, 0, &err), -1);
	assert_non_null(strstr(err.msg, "intent"));
	assert_non_null(strstr(audit_error(a), "I/O error"));
	usleep(20000);
	actions_collect(acts);
	assert_int_equal(calls, 0);		/* nothing ran */
	engine_free(e);
	audit_close(a);
	all = slurp(t->trail);
	assert_null(strstr(all, "\"type\":\"started\""));
	assert_non_null(strstr(all, "\"type\":\"runbook_opened\""));
	free(all);
	assert_true(verify(t->trail, NULL, NULL).ok);
	actions_free(acts, 1000);
	store_free(st);
	runbook_free(rb);
	rb_diags_free(&d);
}

/* Permissions ------------------------------------------------------------ */

static void
test_permissions(void **state)
{
	struct tdir		*t = *state;
	struct audit_opts	 o;
	struct error		 err;
	struct stat		 sb;
	char			 dir[160];

	make_trail(t->trail, NULL, 0);
	assert_int_equal(stat(t->trail, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(dir, sizeof dir, "%s/trail", t->dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	memset(&o, 0, sizeof o);
	o.path = t->trail;
	chmod(t->trail, 0620);
	assert_null(audit_open(&o, &err));
	assert_non_null(strstr(err.msg, "writable by group or others"));
	chmod(t->trail, 0600);
	chmod(dir, 0777);
	assert_null(audit_open(&o, &err));
	assert_non_null(strstr(err.msg, "writable by group or others"));
	chmod(dir, 0700);
	snprintf(dir, sizeof dir, "%s/link.jsonl", t->dir);
	assert_int_equal(symlink(t->trail, dir), 0);
	o.path = dir;
	assert_null(audit_open(&o, &err));
	assert_non_null(strstr(err.msg, "symbolic link"));
}

/* Readers ---------------------------------------------------------------- */

static void
test_tail_format(void **state)
{
	struct tdir	*t = *state;
	struct error	 err;
	char		**lines, *s;
	int		 n;

	make_trail(t->trail, NULL, 30);
	assert_int_equal(audit_tail(t->trail, 5, &lines, &n, &err), 0);
	assert_int_equal(n, 5);
	s = audit_format(lines[0]);
	assert_non_null(strstr(s, "#28 "));
	assert_non_null(strstr(s, " note text: note 26"));
	free(s);
	s = audit_format(lines[4]);
	assert_non_null(strstr(s, "session_end"));
	free(s);
	audit_lines_free(lines, n);
	assert_int_equal(audit_tail(t->trail, 500, &lines, &n, &err), 0);
	assert_int_equal(n, 32);
	audit_lines_free(lines, n);
	s = audit_format("not json\x01");
	assert_non_null(strstr(s, "?? "));
	assert_non_null(strstr(s, "\\x01"));
	free(s);
}

/* The console's view: "audit.tail" off the UI thread, then a pager. */
static struct pager	*view_pager;
static char		 view_msg[256];

static void
view_message(void *arg, int error, const char *msg)
{
	snprintf(view_msg, sizeof view_msg, "%s%s", error ? "E:" : "", msg);
}

static void
view_show(void *arg, struct pager *pg)
{
	view_pager = pg;
}

static void
test_console_view(void **state)
{
	struct tdir		*t = *state;
	struct store		*st = store_new();
	struct actions		*acts = actions_new(st);
	struct audit		*a = topen(t->trail, NULL, NULL);
	struct panel_host	 host;
	struct pollfd		 pfd = { store_wake_fd(st), POLLIN, 0 };
	int			 i;

	memset(&host, 0, sizeof host);
	host.message = view_message;
	host.pager = view_show;
	audit_view_open(&host);			/* no actions: says so */
	assert_string_equal(view_msg, "E:no audit trail in this session");
	notes(a, 250);
	audit_register_actions(a, acts);
	host.actions = acts;
	audit_view_open(&host);
	for (i = 0; i < 500 && view_pager == NULL; i++) {
		poll(&pfd, 1, 10);
		store_drain(st);
		actions_collect(acts);
	}
	assert_non_null(view_pager);
	assert_int_equal(pager_lines(view_pager), AUDIT_VIEW_RECORDS);
	assert_non_null(strstr(view_msg, "200 records of"));
	pager_free(view_pager);
	view_pager = NULL;
	audit_close(a);
	actions_free(acts, 1000);
	store_free(st);
}

/* A run through the engine events, by hand. */
static void
ev_send(struct audit *a, enum engine_ev type, int step, const char *id,
    int ok)
{
	static uint64_t		 seq;
	struct engine_event	 ev;
	const char		*argv[] = { "argv=kubectl", "argv=scale" };

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.seq = ++seq;
	ev.incident = INC;
	ev.runbook_id = "pg-failover";
	ev.runbook_sha256 = "ab12";
	ev.env_name = "prod";
	ev.step = step;
	ev.step_id = id;
	ev.step_kind = id ? "action" : NULL;
	ev.attempt = 1;
	ev.ok = ok;
	ev.action_kind = "exec";
	ev.argc = type == EV_STEP_STARTED ? 2 : 0;
	ev.argv = argv;
	ev.duration_ms = 1500;
	ev.param = "target";
	ev.value = "db-2";
	ev.reason = type == EV_STEP_SKIPPED ? "already done by hand" : NULL;
	ev.note = "replica lag back under 1 s";
	assert_int_equal(audit_engine_event(a, &ev), 0);
}

static void
test_unfinished(void **state)
{
	struct tdir		*t = *state;
	struct audit		*a = topen(t->trail, NULL, NULL);
	struct audit_run	*runs;
	int			 n;

	ev_send(a, EV_PARAM_SET, -1, NULL, 0);
	ev_send(a, EV_RUN_BEGIN, -1, NULL, 0);
	ev_send(a, EV_STEP_SHOWN, 0, "check", 0);
	ev_send(a, EV_STEP_STARTED, 0, "check", 0);
	ev_send(a, EV_STEP_FINISHED, 0, "check", 1);
	ev_send(a, EV_STEP_SKIPPED, 1, "drain", 0);
	ev_send(a, EV_STEP_CONFIRMED, 2, "promote", 0);
	ev_send(a, EV_STEP_STARTED, 2, "promote", 0);	/* then we die */
	audit_close(a);
	assert_int_equal(audit_unfinished(t->trail, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].incident, INC);
	assert_string_equal(runs[0].runbook_id, "pg-failover");
	assert_int_equal(runs[0].nsteps, 3);
	assert_int_equal(runs[0].nparams, 1);
	assert_string_equal(runs[0].params[0].value, "db-2");
	assert_string_equal(runs[0].steps[0].state, "ok");
	assert_string_equal(runs[0].steps[1].state, "skipped");
	assert_string_equal(runs[0].steps[2].state, "started");
	assert_true(runs[0].steps[2].unknown);
	assert_string_equal(runs[0].steps[2].note,
	    "outcome unknown: check before running again");
	assert_null(runs[0].steps[0].note);
	assert_int_equal(runs[0].nunknown, 1);
	audit_runs_free(runs, n);
	/* Finishing the run closes it. */
	a = topen(t->trail, NULL, NULL);
	ev_send(a, EV_STEP_FINISHED, 2, "promote", 0);
	ev_send(a, EV_RUN_END, -1, NULL, 0);
	audit_close(a);
	assert_int_equal(audit_unfinished(t->trail, &runs, &n), 0);
	assert_int_equal(n, 0);
	audit_runs_free(runs, n);
	assert_int_equal(audit_unfinished("/nonexistent/x", &runs, &n), 0);
}

static void
test_export(void **state)
{
	struct tdir	*t = *state;
	struct audit	*a = topen(t->trail, NULL, NULL);
	struct error	 err;
	char		 out[160], *md;
	FILE		*f;

	assert_int_equal(audit_incident(a, 0, INC, "replication lag P1",
	    &err), 0);
	ev_send(a, EV_RUN_BEGIN, -1, NULL, 0);
	ev_send(a, EV_STEP_STARTED, 0, "check", 0);
	ev_send(a, EV_STEP_FINISHED, 0, "check", 1);
	ev_send(a, EV_STEP_SKIPPED, 1, "drain", 0);
	ev_send(a, EV_NOTE, -1, NULL, 0);
	ev_send(a, EV_STEP_STARTED, 2, "promote", 0);
	assert_int_equal(audit_incident(a, 1, INC, "failed over to db-2",
	    &err), 0);
	audit_close(a);
	snprintf(out, sizeof out, "%s/report.md", t->dir);
	f = fopen(out, "w");
	assert_int_equal(audit_export(t->trail, INC, "md", f, &err), 0);
	fclose(f);
	md = slurp(out);
	assert_non_null(strstr(md, "# Post-incident review: " INC));
	assert_non_null(strstr(md, "| Resolution | failed over to db-2 |"));
	assert_non_null(strstr(md, "## Timeline (UTC)"));
	assert_non_null(strstr(md, "| 2 run: 1 ok, 0 failed, 1 outcome "
	    "unknown |"));
	assert_non_null(strstr(md, "pg-failover/drain: already done by hand"));
	assert_non_null(strstr(md, "replica lag back under 1 s"));
	assert_non_null(strstr(md, "pg-failover/promote started by"));
	assert_non_null(strstr(md, "- [ ] Schedule post-mortem (within 48 "
	    "hours)"));
	assert_non_null(strstr(md, "intact"));
	free(md);
	f = fopen(out, "w");
	assert_int_equal(audit_export(t->trail, INC, "json", f, &err), 0);
	fclose(f);
	md = slurp(out);
	{
		cJSON	*j = cJSON_Parse(md);

		assert_non_null(j);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j,
		    "actions")), 2);
		cJSON_Delete(j);
	}
	free(md);
	assert_int_equal(audit_export(t->trail, "INC-20990101-0001", "md",
	    stdout, &err), -1);
	assert_int_equal(audit_export(t->trail, INC, "pdf", stdout, &err), -1);
}

/* Configuration ---------------------------------------------------------- */

static void
test_config(void **state)
{
	static const char ok[] = "environments: {x: {}}\n"
	    "audit:\n"
	    "  path: ~/audit/trail.jsonl\n"
	    "  key_file: /etc/sitrep/audit.key\n"
	    "  anchor_every: 50\n"
	    "  anchors:\n"
	    "    file: /var/lib/sitrep/anchors.jsonl\n"
	    "    postgres: {conninfo: 'host=a dbname=audit user=s', "
	    "password_env: P, table: anchors}\n"
	    "    redis: {url: 'redis://r:6380/2', key: 'sitrep:head'}\n"
	    "  mirror:\n"
	    "    postgres: {service: audit, statement_timeout: 5s}\n";
	static const char *const bad[][2] = {
		{ "environments: {x: {}}\naudit: {anchor_every: 0}\n",
		  "audit.anchor_every: expected a whole number from 1" },
		{ "environments: {x: {}}\naudit: {anchors: {postgres: "
		  "{conninfo: 'host=a password=x'}}}\n",
		  "audit.anchors.postgres.conninfo: passwords are not allowed" },
		{ "environments: {x: {}}\naudit: {path: rel/x}\n",
		  "audit.path: must be an absolute path" },
		{ "environments: {x: {}}\naudit: {anchors: {redis: {}}}\n",
		  "audit.anchors.redis.url: required" },
		{ "environments: {x: {}}\naudit: {pathh: /x}\n",
		  "audit.pathh: unknown key" },
	};
	struct config	*cfg;
	struct error	 err;
	size_t		 i;

	cfg = config_parse(ok, sizeof ok - 1, "s.yaml", &err);
	if (cfg == NULL)
		fail_msg("%s", err.msg);
	assert_true(cfg->audit.present);
	assert_string_equal(cfg->audit.path, "~/audit/trail.jsonl");
	assert_string_equal(cfg->audit.key_file, "/etc/sitrep/audit.key");
	assert_int_equal(cfg->audit.anchor_every, 50);
	assert_string_equal(cfg->audit.anchor_file,
	    "/var/lib/sitrep/anchors.jsonl");
	assert_string_equal(cfg->audit.anchor_pg->table, "anchors");
	assert_string_equal(cfg->audit.anchor_pg->pg.password_env, "P");
	assert_int_equal(cfg->audit.anchor_pg->pg.connect_timeout_s, 3);
	assert_string_equal(cfg->audit.anchor_redis->redis.host, "r");
	assert_int_equal(cfg->audit.anchor_redis->redis.port, 6380);
	assert_int_equal(cfg->audit.anchor_redis->redis.db, 2);
	assert_string_equal(cfg->audit.anchor_redis->key, "sitrep:head");
	assert_string_equal(cfg->audit.mirror_pg->table, "sitrep_audit");
	assert_string_equal(cfg->audit.mirror_pg->pg.service, "audit");
	assert_int_equal(cfg->audit.mirror_pg->pg.statement_timeout_ms, 5000);
	config_free(cfg);
	cfg = config_parse("environments: {x: {}}\n", 22, "s.yaml", &err);
	assert_false(cfg->audit.present);
	config_free(cfg);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		cfg = config_parse(bad[i][0], strlen(bad[i][0]), "s.yaml",
		    &err);
		if (cfg != NULL || strstr(err.msg, bad[i][1]) == NULL)
			fail_msg("%s: want %s, got %s", bad[i][0], bad[i][1],
			    err.msg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_record_canonical),
		T(test_record_actor),
		cmocka_unit_test(test_text_fit),
		T(test_chain),
		T(test_threads),
		T(test_hmac_evolving_key),
		T(test_key_refusals),
		cmocka_unit_test(test_redaction),
		T(test_redaction_in_records),
		T(test_verify_edited),
		T(test_verify_reformatted),
		T(test_verify_deleted),
		T(test_verify_swapped),
		T(test_verify_duplicated),
		T(test_verify_inserted_with_key),
		T(test_verify_truncated),
		T(test_torn_tail),
		T(test_torn_tail_keyed),
		T(test_junk_line),
		T(test_intent_refused),
		T(test_permissions),
		T(test_tail_format),
		T(test_console_view),
		T(test_unfinished),
		T(test_export),
		cmocka_unit_test(test_config),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
