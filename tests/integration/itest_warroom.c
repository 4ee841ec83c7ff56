/* itest_warroom.c: the war room (backends/warroom*.c) against a real
 * redis-server (with a password) started by tests/integration/warroom.sh:
 * publish and follow between consoles of different people, a late joiner,
 * a reconnect after CLIENT KILL without loss or duplicates, MAXLEN
 * trimming, presence and its expiry, the driver key (handover, take the
 * wheel), approvals (approved, rejected, self-approval refused locally and
 * when forged in Redis, expiry, a second answer refused, fetch_request +
 * answer_sync, withdraw), and a black-hole server, where every public
 * call returns at once.  The cases run in order and share the consoles.
 *
 *   itest_warroom                  the cases (TAP with CMOCKA_MESSAGE_OUTPUT)
 *   itest_warroom request [self]   make a request as alice@itest-elsewhere
 *                                  (or as this process's own user) and
 *                                  print its code, for `sitrep approve` */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>

#include "config.h"
#include "util.h"
#include "warroom.h"
#include "warroom_int.h"

#define INC1	"INC-20261122-0001"
#define INC2	"INC-20261122-0002"
#define WAIT_MS	8000

static int			 port, hole_port, refused_port;
static char			 prefix[64];
static struct cfg_warroom	 cfg;
static struct wr_identity	 alice, bob, carol, alice2;
static struct warroom		*wa, *wb, *wc;
static int			 next_b, next_c;	/* records taken */
static atomic_int		 wakes;	/* wake calls, any thread */

/* Setup and helpers ------------------------------------------------------- */

static int
env_int(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL) {
		fprintf(stderr, "itest_warroom: $%s is not set (run "
		    "warroom.sh)\n", name);
		exit(1);
	}
	return (atoi(v));
}

static void
person(struct wr_identity *id, const char *user, unsigned uid,
    const char *host)
{
	wr_identity_self(id);		/* a fresh session */
	snprintf(id->user, sizeof id->user, "%s", user);
	id->uid = uid;
	snprintf(id->host, sizeof id->host, "%s", host);
	snprintf(id->ssh, sizeof id->ssh, "10.9.8.7 5555 22");
}

static void
make_cfg(struct cfg_warroom *c, int p)
{
	memset(c, 0, sizeof *c);
	c->redis.name = "warroom";
	c->redis.url = "redis://127.0.0.1";
	c->redis.host = "127.0.0.1";
	c->redis.port = p;
	c->redis.password_env = "WR_PASSWORD";
	c->redis.connect_timeout_ms = 500;
	c->redis.timeout_ms = 1000;
	c->prefix = prefix;
	c->maxlen = 10000;
	c->presence_ttl_ms = 3000;
	c->approval_ttl_ms = 5000;
	c->present = 1;
}

static int
setup(void **state)
{
	port = env_int("WR_PORT");
	hole_port = env_int("WR_HOLE_PORT");
	refused_port = env_int("WR_REFUSED_PORT");
	snprintf(prefix, sizeof prefix, "itest:%d:", (int)getpid());
	make_cfg(&cfg, port);
	person(&alice, "alice", 1000, "bastion-1");
	person(&bob, "bob", 1001, "bastion-2");
	person(&carol, "carol", 1002, "bastion-1");
	person(&alice2, "alice", 1000, "laptop");
	return (0);
}

static void
on_wake(void *arg)
{
	(void)arg;
	atomic_fetch_add(&wakes, 1);
}

static struct warroom *
room(const struct cfg_warroom *c, const struct wr_identity *who)
{
	struct warroom_opts	o;
	struct warroom		*wr;
	struct error		err;

	memset(&o, 0, sizeof o);
	o.cfg = c;
	o.self = who;
	o.wake = on_wake;
	wr = warroom_new(&o, &err);
	if (wr == NULL)
		print_error("%s\n", err.msg);
	assert_non_null(wr);
	return (wr);
}

static void
sleep_ms(int ms)
{
	usleep((useconds_t)ms * 1000);
}

typedef int (*cond_fn)(struct warroom *, const void *);

/* Wait until cond holds (polling the view every 20 ms); fail after ms. */
static void
wait_for(struct warroom *wr, cond_fn cond, const void *arg, const char *what)
{
	int64_t		until = mono_ms() + WAIT_MS;
	struct wr_view	v;

	while (!cond(wr, arg)) {
		if (mono_ms() > until) {
			warroom_view(wr, &v);
			print_error("timed out waiting for %s (connected %d, "
			    "error \"%s\", role %d, people %d, driver %s)\n",
			    what, v.connected, v.error, v.role, v.npeople,
			    v.driver);
			fail();
		}
		sleep_ms(20);
	}
}

static int
is_connected(struct warroom *wr, const void *arg)
{
	struct wr_view	v;

	warroom_view(wr, &v);
	return (v.connected && strcmp(v.incident, (const char *)arg) == 0);
}

static int
has_role(struct warroom *wr, const void *arg)
{
	struct wr_view	v;

	warroom_view(wr, &v);
	return (v.role == *(const enum wr_role *)arg);
}

static int
has_people(struct warroom *wr, const void *arg)
{
	struct wr_view	v;

	warroom_view(wr, &v);
	return (v.npeople == *(const int *)arg);
}

static int
answer_is(struct warroom *wr, const void *arg)
{
	const struct wr_request	*r = arg;
	struct wr_answer	 a;

	warroom_answer_state(wr, r->code, &a);
	return (a.state != WR_PENDING);
}

static void
wait_role(struct warroom *wr, enum wr_role role)
{
	wait_for(wr, has_role, &role, role == WR_DRIVING ? "driving" :
	    "watching");
}

static void
wait_people(struct warroom *wr, int n)
{
	wait_for(wr, has_people, &n, "people");
}

/* Take records until n have arrived (in total, from *next), checking
 * that they are "rec-<next>" in order: no loss, no duplicate. */
static void
take_upto(struct warroom *wr, int *next, int upto)
{
	int64_t	  until = mono_ms() + WAIT_MS;
	char	**lines, want[64];
	int	  i, n;

	while (*next < upto) {
		if (mono_ms() > until) {
			print_error("records: %d of %d\n", *next, upto);
			fail();
		}
		if (warroom_take(wr, &lines, &n) == 0) {
			sleep_ms(20);
			continue;
		}
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof want, "{\"rec\":%d}", *next);
			if (strcmp(lines[i], want) != 0)
				print_error("record %d: got %s\n", *next,
				    lines[i]);
			assert_string_equal(lines[i], want);
			(*next)++;
			free(lines[i]);
		}
		free(lines);
	}
	sleep_ms(300);		/* nothing more */
	assert_int_equal(warroom_take(wr, &lines, &n), 0);
}

static void
publish_range(struct warroom *wr, const char *inc, int from, int to)
{
	char	line[64];
	int	i;

	for (i = from; i < to; i++) {
		snprintf(line, sizeof line, "{\"rec\":%d}", i);
		warroom_publish(wr, inc, line);
	}
}

static redisContext *
direct(void)
{
	redisContext	*c = redisConnect("127.0.0.1", port);
	redisReply	*r;

	assert_non_null(c);
	assert_int_equal(c->err, 0);
	r = redisCommand(c, "AUTH %s", getenv("WR_PASSWORD"));
	assert_non_null(r);
	freeReplyObject(r);
	return (c);
}

/* A reply to a command of whole arguments (caller frees). */
static redisReply *
cmd(redisContext *c, int argc, const char **argv)
{
	redisReply	*r = redisCommandArgv(c, argc, argv, NULL);

	assert_non_null(r);
	return (r);
}

static int
has_message(struct warroom *wr, const char *part)
{
	char	**m;
	int	  i, n, found = 0;

	warroom_messages(wr, &m, &n);
	for (i = 0; i < n; i++) {
		found |= strstr(m[i], part) != NULL;
		free(m[i]);
	}
	free(m);
	return (found);
}

static void
wait_message(struct warroom *wr, const char *part)
{
	int64_t	until = mono_ms() + WAIT_MS;

	while (!has_message(wr, part)) {
		if (mono_ms() > until) {
			print_error("no message \"%s\"\n", part);
			fail();
		}
		sleep_ms(20);
	}
}

static void
request(struct warroom *wr, struct wr_request *r, const char *title)
{
	static char	*lines[] = { "kubectl -n db exec pg-1 -- pg_ctl "
			    "promote", "psql -c 'SELECT 1'" };
	static char	*figures[] = { "replication lag: 4.2 MiB / 3.1 s",
			    "alert PostgresPrimaryDown: firing" };

	memset(r, 0, sizeof *r);
	snprintf(r->incident, sizeof r->incident, "%s", INC1);
	snprintf(r->runbook, sizeof r->runbook, "pg-failover");
	r->step = 2;
	snprintf(r->step_id, sizeof r->step_id, "promote");
	snprintf(r->title, sizeof r->title, "%s", title);
	r->lines = lines;
	r->nlines = 2;
	r->figures = figures;
	r->nfigures = 2;
	assert_int_equal(warroom_request(wr, r), 0);
}

/* Stream, presence, reconnect ----------------------------------------------- */

static void
test_join_and_drive(void **state)
{
	struct wr_view	v;

	wa = room(&cfg, &alice);
	warroom_join(wa, INC1, WR_DRIVING);
	wait_for(wa, is_connected, INC1, "connected");
	wait_role(wa, WR_DRIVING);
	wait_people(wa, 1);
	warroom_view(wa, &v);
	assert_string_equal(v.error, "");
	assert_string_equal(v.driver, alice.session);
	assert_string_equal(v.driver_name, "alice@bastion-1");
	assert_true(v.people[0].driver);
	assert_int_equal(v.people[0].role, WR_DRIVING);
	assert_true(atomic_load(&wakes) > 0);
}

static void
test_publish_and_follow(void **state)
{
	struct wr_view	v;
	int		i, driving = 0;

	wb = room(&cfg, &bob);
	warroom_join(wb, INC1, WR_DRIVING);	/* alice drives: bob watches */
	wait_for(wb, is_connected, INC1, "bob connected");
	wait_people(wb, 2);
	wait_people(wa, 2);
	publish_range(wa, INC1, 0, 10);
	take_upto(wb, &next_b, 10);
	warroom_view(wb, &v);
	assert_int_equal(v.role, WR_WATCHING);
	assert_string_equal(v.driver, alice.session);
	assert_string_equal(v.driver_name, "alice@bastion-1");
	assert_true(v.records == 10);
	for (i = 0; i < v.npeople; i++)
		driving += v.people[i].driver;
	assert_int_equal(driving, 1);
	/* Bob publishes too; both see everything, in order. */
	publish_range(wb, INC1, 10, 12);
	take_upto(wb, &next_b, 12);
}

static void
test_late_join(void **state)
{
	publish_range(wa, INC1, 12, 15);
	take_upto(wb, &next_b, 15);
	wc = room(&cfg, &carol);
	warroom_join(wc, INC1, WR_WATCHING);
	take_upto(wc, &next_c, 15);		/* the run so far, from 0 */
	wait_people(wa, 3);
}

static void
test_reconnect(void **state)
{
	const char	*kill[] = { "CLIENT", "KILL", "TYPE", "normal" };
	redisContext	*c = direct();
	redisReply	*r;
	struct wr_view	 v;

	r = cmd(c, 4, kill);
	assert_true(r->type == REDIS_REPLY_INTEGER && r->integer >= 3);
	freeReplyObject(r);
	publish_range(wa, INC1, 15, 35);	/* during the drop */
	take_upto(wb, &next_b, 35);
	take_upto(wc, &next_c, 35);
	wait_for(wa, is_connected, INC1, "alice reconnected");
	warroom_view(wa, &v);
	assert_int_equal(v.role, WR_DRIVING);	/* still ours */
	/* Once more, killed while idle. */
	r = cmd(c, 4, kill);
	freeReplyObject(r);
	sleep_ms(50);
	publish_range(wb, INC1, 35, 40);
	take_upto(wc, &next_c, 40);
	take_upto(wb, &next_b, 40);
	redisFree(c);
}

static void
test_maxlen(void **state)
{
	struct cfg_warroom	 small;
	struct warroom		*wd;
	redisContext		*c;
	redisReply		*r;
	const char		*argv[2];
	char			 key[128];
	int			 i;

	make_cfg(&small, port);
	small.maxlen = 100;
	wd = room(&small, &carol);
	publish_range(wd, INC2, 0, 1000);
	snprintf(key, sizeof key, "%sinc:%s:log", prefix, INC2);
	c = direct();
	argv[0] = "XLEN";
	argv[1] = key;
	for (i = 0; i < 200; i++) {		/* until the last one is in */
		r = cmd(c, 2, argv);
		freeReplyObject(r);
		argv[0] = "XREVRANGE";
		{
			const char *rv[] = { "XREVRANGE", key, "+", "-",
			    "COUNT", "1" };
			r = cmd(c, 6, rv);
		}
		argv[0] = "XLEN";
		if (r->elements == 1 && strstr(r->element[0]->element[1]->
		    element[1]->str, "999") != NULL) {
			freeReplyObject(r);
			break;
		}
		freeReplyObject(r);
		sleep_ms(20);
	}
	r = cmd(c, 2, argv);
	assert_int_equal(r->type, REDIS_REPLY_INTEGER);
	/* "~": whole nodes of 100 entries are trimmed. */
	assert_true(r->integer >= 100 && r->integer <= 200);
	freeReplyObject(r);
	redisFree(c);
	warroom_free(wd);
}

static void
test_presence_expiry(void **state)
{
	const char		*argv[5];
	struct wr_identity	 ghost;
	struct warroom		*wd;
	struct wr_view		 v;
	redisContext		*c = direct();
	redisReply		*r;
	char			 key[160], *json;
	cJSON			*o;
	int			 i, found = 0;

	/* A console whose process died: its key expires. */
	person(&ghost, "dave", 1003, "bastion-3");
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "who", wr_identity_json(&ghost));
	cJSON_AddStringToObject(o, "role", "watching");
	cJSON_AddNumberToObject(o, "since", (double)now_ms());
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	snprintf(key, sizeof key, "%sinc:%s:presence:%s", prefix, INC1,
	    ghost.session);
	argv[0] = "SET"; argv[1] = key; argv[2] = json; argv[3] = "PX";
	argv[4] = "1200";
	r = cmd(c, 5, argv);
	freeReplyObject(r);
	cJSON_free(json);
	wait_people(wa, 4);
	warroom_view(wa, &v);
	for (i = 0; i < v.npeople; i++)
		found |= strcmp(v.people[i].who.user, "dave") == 0 &&
		    v.people[i].role == WR_WATCHING && !v.people[i].driver;
	assert_true(found);
	wait_people(wa, 3);			/* expired */
	/* A console that leaves is gone at once; ours stay (refreshed
	 * every ttl/3) well past the ttl. */
	wd = room(&cfg, &alice2);
	warroom_join(wd, INC1, WR_WATCHING);
	wait_people(wa, 4);
	warroom_free(wd);
	wait_people(wa, 3);
	sleep_ms(3500);
	warroom_view(wa, &v);
	assert_int_equal(v.npeople, 3);
	assert_int_equal(v.role, WR_DRIVING);
	redisFree(c);
}

static void
test_handover(void **state)
{
	assert_int_equal(warroom_handover(wb, alice.session), -1);  /* bob
							     * does not drive */
	assert_int_equal(warroom_handover(wa, "no-such-session"), -1);
	assert_int_equal(warroom_handover(wa, bob.session), 0);
	wait_role(wb, WR_DRIVING);
	wait_role(wa, WR_WATCHING);
	wait_message(wa, "handed the wheel over");
	assert_int_equal(warroom_handover(wa, carol.session), -1);
	/* Bob keeps the key alive past its ttl. */
	sleep_ms(3500);
	wait_role(wb, WR_DRIVING);
	/* A taking the wheel while bob holds it is refused. */
	assert_int_equal(warroom_take_wheel(wa), 0);
	wait_message(wa, "held by someone else");
	wait_role(wb, WR_DRIVING);
}

static void
test_take_wheel(void **state)
{
	const char	*argv[6];
	redisContext	*c = direct();
	redisReply	*r;
	char		 key[128];

	/* Bob's console goes: its wheel is released. */
	warroom_free(wb);
	wb = NULL;
	wait_people(wa, 2);
	/* A driver that died holding the key: it expires. */
	snprintf(key, sizeof key, "%sinc:%s:driver", prefix, INC1);
	argv[0] = "SET"; argv[1] = key; argv[2] = "0123456789abcdef";
	argv[3] = "PX"; argv[4] = "1000";
	r = cmd(c, 5, argv);
	freeReplyObject(r);
	assert_int_equal(warroom_take_wheel(wc), 0);
	wait_message(wc, "held by someone else");
	sleep_ms(1100);
	assert_int_equal(warroom_take_wheel(wc), 0);
	wait_message(wc, "you have the wheel");
	wait_role(wc, WR_DRIVING);
	wait_role(wa, WR_WATCHING);
	/* Back to alice for the rest. */
	wait_people(wc, 2);
	assert_int_equal(warroom_handover(wc, alice.session), 0);
	wait_role(wa, WR_DRIVING);
	redisFree(c);
	wb = room(&cfg, &bob);
	warroom_join(wb, INC1, WR_WATCHING);
	wait_people(wa, 3);
}

/* Approvals -------------------------------------------------------------- */

static int
pending_has(struct warroom *wr, const void *code)
{
	struct wr_request	*v;
	int			 i, n, found = 0;

	warroom_pending(wr, &v, &n);
	for (i = 0; i < n; i++)
		found |= strcmp(v[i].code, (const char *)code) == 0;
	wr_requests_free(v, n);
	return (found);
}

static int
pending_lacks(struct warroom *wr, const void *code)
{
	return (!pending_has(wr, code));
}

static void
test_approved(void **state)
{
	struct wr_request	 r, *v;
	struct wr_answer	 a;
	int			 i, n;

	request(wa, &r, "Promote the standby");
	assert_int_equal(strlen(r.code), 9);
	assert_int_equal(r.code[4], '-');
	assert_string_equal(r.requester.session, alice.session);
	assert_true(r.expires_ms - r.requested_ms == 5000);
	warroom_answer_state(wa, r.code, &a);
	assert_int_equal(a.state, WR_PENDING);
	wait_for(wb, pending_has, r.code, "pending at bob");
	warroom_pending(wb, &v, &n);
	for (i = 0; i < n && strcmp(v[i].code, r.code) != 0; i++)
		;
	assert_true(i < n);
	assert_string_equal(v[i].title, "Promote the standby");
	assert_int_equal(v[i].nlines, 2);
	assert_int_equal(v[i].nfigures, 2);
	assert_string_equal(v[i].requester.user, "alice");
	wr_requests_free(v, n);
	warroom_answer(wb, r.code, 1, NULL);
	wait_message(wb, "approved");
	wait_for(wa, answer_is, &r, "answer");
	warroom_answer_state(wa, r.code, &a);
	assert_int_equal(a.state, WR_APPROVED);
	assert_string_equal(a.who.user, "bob");
	wait_message(wa, "approved");
	wait_for(wb, pending_lacks, r.code, "answered: not pending");
}

static void
test_rejected(void **state)
{
	struct wr_request	r;
	struct wr_answer	a;

	request(wa, &r, "Drop the replication slot");
	wait_for(wc, pending_has, r.code, "pending at carol");
	warroom_answer(wc, r.code, 0, "lag is still falling");
	wait_for(wa, answer_is, &r, "answer");
	warroom_answer_state(wa, r.code, &a);
	assert_int_equal(a.state, WR_REJECTED);
	assert_string_equal(a.who.user, "carol");
	assert_string_equal(a.reason, "lag is still falling");
}

static void
test_self_approval(void **state)
{
	struct wr_request	 r;
	struct wr_answer	 a;
	struct warroom		*wd;
	struct error		 err;

	request(wa, &r, "Fail over");
	/* The requester's own console. */
	warroom_answer(wa, r.code, 1, NULL);
	wait_message(wa, "refused: you requested it yourself");
	/* The same person on another machine. */
	wd = room(&cfg, &alice2);
	warroom_join(wd, INC1, WR_WATCHING);
	wait_for(wd, pending_has, r.code, "pending at alice2");
	warroom_answer(wd, r.code, 1, NULL);
	wait_message(wd, "refused: you requested it yourself");
	warroom_free(wd);
	/* ... and through sitrep approve. */
	assert_int_equal(warroom_answer_sync(&cfg, &alice2, r.code, 1, NULL,
	    &err), -1);
	assert_non_null(strstr(err.msg, "another person must approve"));
	sleep_ms(300);
	warroom_answer_state(wa, r.code, &a);
	assert_int_equal(a.state, WR_PENDING);
}

static void
test_forged_answer(void **state)
{
	struct wr_request	 r;
	struct wr_answer	 a;
	const char		*argv[3];
	redisContext		*c = direct();
	redisReply		*rp;
	char			 key[128], *text;
	struct error		 err;

	/* Written straight into Redis, bypassing every check: an answer
	 * by the requester is still refused by the requester's console. */
	request(wa, &r, "Fail over, forged");
	wait_for(wb, pending_has, r.code, "pending");
	snprintf(key, sizeof key, "%sapproval:%s:answer", prefix, r.code);
	text = wr_answer_text(r.code, 1, &alice2, "", now_ms());
	argv[0] = "SET"; argv[1] = key; argv[2] = text;
	rp = cmd(c, 3, argv);
	freeReplyObject(rp);
	cJSON_free(text);
	wait_for(wa, answer_is, &r, "answer");
	warroom_answer_state(wa, r.code, &a);
	assert_int_equal(a.state, WR_FAILED);
	assert_string_equal(a.reason, "refused: the requester cannot approve "
	    "their own request");
	wait_message(wa, "cannot approve their own request");
	/* The forged answer took the slot: a real one is refused too. */
	assert_int_equal(warroom_answer_sync(&cfg, &bob, r.code, 1, NULL,
	    &err), -1);
	assert_non_null(strstr(err.msg, "already answered by alice@laptop"));
	redisFree(c);
}

static void
test_second_answer(void **state)
{
	struct wr_request	r, got;
	struct wr_answer	a;
	struct error		err;

	request(wa, &r, "Restart the outbox relay");
	wait_for(wb, pending_has, r.code, "pending");
	assert_int_equal(warroom_answer_sync(&cfg, &bob, r.code, 1, "ok",
	    &err), 0);
	/* The same answer sent again (a retry) is fine; another is not. */
	assert_int_equal(warroom_answer_sync(&cfg, &bob, r.code, 1, "ok",
	    &err), 0);
	assert_int_equal(warroom_answer_sync(&cfg, &carol, r.code, 0, "no",
	    &err), -1);
	assert_string_equal(err.msg, "already answered by bob@bastion-2 "
	    "(approved)");
	warroom_answer(wc, r.code, 0, "no");
	wait_message(wc, "already answered by bob@bastion-2");
	/* sitrep approve does not even ask. */
	assert_int_equal(warroom_fetch_request(&cfg, r.code, &got, &err), -1);
	assert_non_null(strstr(err.msg, "was already answered by "
	    "bob@bastion-2 (approved)"));
	wait_for(wa, answer_is, &r, "answer");
	warroom_answer_state(wa, r.code, &a);
	assert_int_equal(a.state, WR_APPROVED);
}

static void
test_fetch_and_answer_sync(void **state)
{
	struct wr_request	r, got;
	struct wr_answer	a;
	struct error		err;
	char			lower[16];
	size_t			i;

	request(wa, &r, "Promote, from the command line");
	for (i = 0; i <= strlen(r.code); i++)	/* as someone types it */
		lower[i] = r.code[i] >= 'A' && r.code[i] <= 'Z' ?
		    (char)(r.code[i] - 'A' + 'a') : r.code[i];
	/* The request is stored asynchronously. */
	for (i = 0; i < 100 && warroom_fetch_request(&cfg, lower, &got,
	    &err) != 0; i++)
		sleep_ms(20);
	assert_true(i < 100);
	assert_string_equal(got.code, r.code);
	assert_string_equal(got.incident, INC1);
	assert_string_equal(got.runbook, "pg-failover");
	assert_int_equal(got.step, 2);
	assert_string_equal(got.step_id, "promote");
	assert_string_equal(got.title, "Promote, from the command line");
	assert_int_equal(got.nlines, 2);
	assert_string_equal(got.lines[0], r.lines[0]);
	assert_int_equal(got.nfigures, 2);
	assert_string_equal(got.figures[1], r.figures[1]);
	assert_memory_equal(&got.requester, &alice, sizeof alice);
	wr_request_free(&got);
	assert_int_equal(warroom_answer_sync(&cfg, &carol, lower, 1, NULL,
	    &err), 0);
	wait_for(wa, answer_is, &r, "answer");
	warroom_answer_state(wa, r.code, &a);
	assert_int_equal(a.state, WR_APPROVED);
	assert_string_equal(a.who.user, "carol");
	/* Unknown and malformed codes. */
	assert_int_equal(warroom_fetch_request(&cfg, "2222-2222", &got, &err),
	    -1);
	assert_string_equal(err.msg, "no request 2222-2222 (expired or never "
	    "made)");
	assert_int_equal(warroom_answer_sync(&cfg, &bob, "2222-2222", 1, NULL,
	    &err), -1);
	assert_int_equal(warroom_fetch_request(&cfg, "OOPS", &got, &err), -1);
}

static void
test_expiry_and_withdraw(void **state)
{
	struct cfg_warroom	 quick;
	struct wr_request	 r, r2, got;
	struct wr_answer	 a;
	struct warroom		*wd;
	struct error		 err;

	make_cfg(&quick, port);
	quick.approval_ttl_ms = 1000;
	wd = room(&quick, &carol);
	warroom_join(wd, INC1, WR_WATCHING);
	wait_for(wd, is_connected, INC1, "connected");
	request(wd, &r, "Soon gone");
	wait_for(wa, pending_has, r.code, "pending");
	wait_for(wd, answer_is, &r, "expiry");
	warroom_answer_state(wd, r.code, &a);
	assert_int_equal(a.state, WR_EXPIRED);
	wait_message(wd, "expired without an answer");
	wait_for(wa, pending_lacks, r.code, "expired: not pending");
	assert_int_equal(warroom_fetch_request(&cfg, r.code, &got, &err), -1);
	assert_int_equal(warroom_answer_sync(&cfg, &bob, r.code, 1, NULL,
	    &err), -1);
	warroom_free(wd);
	/* Withdrawn (a request that lives long enough to be). */
	request(wa, &r2, "Never mind");
	wait_for(wc, pending_has, r2.code, "pending");
	warroom_withdraw(wa, r2.code);
	warroom_answer_state(wa, r2.code, &a);
	assert_int_equal(a.state, WR_FAILED);
	assert_string_equal(a.reason, "withdrawn");
	wait_for(wc, pending_lacks, r2.code, "withdrawn: not pending");
	assert_int_equal(warroom_answer_sync(&cfg, &bob, r2.code, 1, NULL,
	    &err), -1);
	assert_non_null(strstr(err.msg, "no request"));
}

/* Servers that are not there -------------------------------------------------- */

/* Every public call, timed: each must return within 20 ms. */
static void
all_calls_fast(struct warroom *wr)
{
	struct wr_request	 r, *v;
	struct wr_answer	 a;
	struct wr_view		 view;
	char			**lines;
	int64_t			 t;
	int			 n;
	/* $WR_FAST_MS: more under a sanitizer that slows everything. */
	int			 fast_ms = getenv("WR_FAST_MS") != NULL ?
				    atoi(getenv("WR_FAST_MS")) : 20;

#define FAST(call) do {							\
	t = mono_ms();							\
	call;								\
	if (mono_ms() - t >= fast_ms)					\
		print_error("%s took %lld ms\n", #call,			\
		    (long long)(mono_ms() - t));			\
	assert_true(mono_ms() - t < fast_ms);				\
} while (0)
	memset(&r, 0, sizeof r);
	snprintf(r.incident, sizeof r.incident, "%s", INC1);
	FAST(warroom_join(wr, INC1, WR_DRIVING));
	FAST(publish_range(wr, INC1, 0, 10));
	FAST(warroom_view(wr, &view));
	FAST(warroom_take(wr, &lines, &n));
	FAST(warroom_handover(wr, bob.session));
	FAST(warroom_take_wheel(wr));
	FAST(assert_int_equal(warroom_request(wr, &r), -1));
	FAST(warroom_answer_state(wr, "2222-2222", &a));
	FAST(warroom_withdraw(wr, "2222-2222"));
	FAST(warroom_pending(wr, &v, &n));
	wr_requests_free(v, n);
	FAST(warroom_answer(wr, "2222-2222", 1, NULL));
	FAST(warroom_messages(wr, &lines, &n));
	while (n > 0)
		free(lines[--n]);
	free(lines);
	FAST(warroom_leave(wr));
#undef FAST
}

static int
view_error(struct warroom *wr, const void *part)
{
	struct wr_view	v;

	warroom_view(wr, &v);
	return (!v.connected && strstr(v.error, (const char *)part) != NULL);
}

static void
test_black_hole(void **state)
{
	struct cfg_warroom	 hole;
	struct warroom		*wd;
	struct wr_view		 v;
	int64_t			 t;
	int			 i;

	make_cfg(&hole, hole_port);
	hole.redis.password_env = NULL;
	hole.redis.db = 3;			/* SELECT: it hangs */
	wd = room(&hole, &bob);
	for (i = 0; i < 20; i++) {
		all_calls_fast(wd);
		sleep_ms(60);
	}
	warroom_join(wd, INC1, WR_WATCHING);
	wait_for(wd, view_error, "timeout", "the timeout in the view");
	warroom_view(wd, &v);
	assert_false(v.connected);
	assert_non_null(strstr(v.error, "redis 127.0.0.1:"));
	all_calls_fast(wd);
	t = mono_ms();
	warroom_free(wd);
	assert_true(mono_ms() - t < 700);
}

static void
test_refused(void **state)
{
	struct cfg_warroom	 off;
	struct warroom		*wd;
	char			 want[96];
	int64_t			 t;

	make_cfg(&off, refused_port);
	wd = room(&off, &bob);
	all_calls_fast(wd);
	snprintf(want, sizeof want, "redis 127.0.0.1:%d: Connection refused",
	    refused_port);
	wait_for(wd, view_error, want, "connection refused in the view");
	t = mono_ms();
	warroom_free(wd);
	assert_true(mono_ms() - t < 100);
}

static void
test_leave_and_free(void **state)
{
	redisContext	*c = direct();
	redisReply	*r;
	const char	*argv[2];
	char		 key[128];
	int64_t		 t;

	t = mono_ms();
	warroom_free(wb);
	warroom_free(wc);
	warroom_free(wa);
	assert_true(mono_ms() - t < 1500);
	/* Nobody is left, and the wheel is free. */
	snprintf(key, sizeof key, "%sinc:%s:driver", prefix, INC1);
	argv[0] = "EXISTS";
	argv[1] = key;
	r = cmd(c, 2, argv);
	assert_int_equal(r->integer, 0);
	freeReplyObject(r);
	redisFree(c);
}

/* `itest_warroom request [self]`: a request for sitrep approve ------------- */

static int
make_request(int self)
{
	struct wr_identity	 who;
	struct wr_request	 r, got;
	struct warroom		*wr;
	struct wr_view		 v;
	struct error		 err;
	int			 i;

	port = env_int("WR_PORT");
	snprintf(prefix, sizeof prefix, "sitrep:");
	make_cfg(&cfg, port);
	cfg.approval_ttl_ms = 60000;
	if (self)
		wr_identity_self(&who);
	else
		person(&who, "alice", 4242, "itest-elsewhere");
	wr = room(&cfg, &who);
	warroom_join(wr, INC1, WR_DRIVING);
	for (i = 0; i < 250; i++) {
		warroom_view(wr, &v);
		if (v.connected && v.role == WR_DRIVING)
			break;
		sleep_ms(20);
	}
	request(wr, &r, "Promote the standby (sitrep approve)");
	for (i = 0; i < 250 && warroom_fetch_request(&cfg, r.code, &got,
	    &err) != 0; i++)
		sleep_ms(20);
	if (i < 250)
		wr_request_free(&got);
	printf("%s\n", r.code);
	warroom_free(wr);
	return (i < 250 ? 0 : 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_and_drive),
		cmocka_unit_test(test_publish_and_follow),
		cmocka_unit_test(test_late_join),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_maxlen),
		cmocka_unit_test(test_presence_expiry),
		cmocka_unit_test(test_handover),
		cmocka_unit_test(test_take_wheel),
		cmocka_unit_test(test_approved),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_self_approval),
		cmocka_unit_test(test_forged_answer),
		cmocka_unit_test(test_second_answer),
		cmocka_unit_test(test_fetch_and_answer_sync),
		cmocka_unit_test(test_expiry_and_withdraw),
		cmocka_unit_test(test_black_hole),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_leave_and_free),
	};

	if (argc > 1 && strcmp(argv[1], "request") == 0)
		return (make_request(argc > 2 && strcmp(argv[2], "self") == 0));
	return (cmocka_run_group_tests(tests, setup, NULL));
}
