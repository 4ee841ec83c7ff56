/* test_warroom.c: the war room's pure parts (warroom.h): the same-person
 * rule of approvals, identities and requests as JSON and back, answers,
 * approval codes, and warroom_new without a Redis URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "config.h"
#include "warroom.h"
#include "warroom_int.h"
#include "xmalloc.h"

static void
ident(struct wr_identity *id, const char *user, unsigned uid,
    const char *host)
{
	memset(id, 0, sizeof *id);
	snprintf(id->session, sizeof id->session, "%016x", uid ^ 0x5a5a);
	snprintf(id->user, sizeof id->user, "%s", user);
	id->uid = uid;
	snprintf(id->host, sizeof id->host, "%s", host);
	snprintf(id->ssh, sizeof id->ssh, "10.1.2.3 51234 22");
	snprintf(id->tty, sizeof id->tty, "/dev/pts/3");
	id->pid = 4242;
}

static void
test_same_person(void **state)
{
	struct wr_identity	a, b;

	ident(&a, "alice", 1000, "bastion-1");
	ident(&b, "alice", 1000, "bastion-1");
	assert_true(wr_identity_same_person(&a, &b));
	/* The same name anywhere is the same person. */
	ident(&b, "alice", 2000, "laptop");
	assert_true(wr_identity_same_person(&a, &b));
	/* Another name, same uid on the same host: the same account. */
	ident(&b, "alice2", 1000, "bastion-1");
	assert_true(wr_identity_same_person(&a, &b));
	/* Another name and uid on the same host, or the same uid on
	 * another host: different people. */
	ident(&b, "bob", 1001, "bastion-1");
	assert_false(wr_identity_same_person(&a, &b));
	ident(&b, "bob", 1000, "bastion-2");
	assert_false(wr_identity_same_person(&a, &b));
	assert_false(wr_identity_same_person(&b, &a));
	/* Sessions do not matter. */
	ident(&b, "alice", 1000, "bastion-1");
	strcpy(b.session, "ffffffffffffffff");
	assert_true(wr_identity_same_person(&a, &b));
}

static void
test_identity_self_and_name(void **state)
{
	struct wr_identity	a, b;
	char			name[256];
	size_t			i;

	wr_identity_self(&a);
	wr_identity_self(&b);
	assert_int_equal(strlen(a.session), 16);
	for (i = 0; i < 16; i++)
		assert_non_null(strchr("0123456789abcdef", a.session[i]));
	assert_string_not_equal(a.session, b.session);
	assert_int_equal(a.uid, (unsigned)getuid());
	assert_int_equal(a.pid, (int)getpid());
	assert_true(a.user[0] != '\0' && a.host[0] != '\0');
	assert_true(wr_identity_same_person(&a, &b));
	ident(&a, "alice", 1000, "bastion-1");
	wr_identity_name(&a, name, sizeof name);
	assert_string_equal(name, "alice@bastion-1");
}

static void
test_identity_json(void **state)
{
	struct wr_identity	a, b;
	cJSON			*o;

	ident(&a, "al\"ice\n", 1000, "bastion-1");
	o = wr_identity_json(&a);
	assert_int_equal(wr_identity_from_json(o, &b), 0);
	assert_memory_equal(&a, &b, sizeof a);
	cJSON_DeleteItemFromObject(o, "user");
	assert_int_equal(wr_identity_from_json(o, &b), -1);
	cJSON_Delete(o);
	assert_int_equal(wr_identity_from_json(NULL, &b), -1);
	o = cJSON_Parse("{\"session\":\"s\",\"user\":\"u\",\"host\":\"h\","
	    "\"uid\":\"0\"}");
	assert_int_equal(wr_identity_from_json(o, &b), -1);	/* uid text */
	cJSON_Delete(o);
	o = cJSON_Parse("{\"session\":\"s\",\"user\":\"u\",\"host\":\"h\","
	    "\"uid\":7}");
	assert_int_equal(wr_identity_from_json(o, &b), 0);	/* ssh, tty,
								 * pid: opt. */
	assert_int_equal(b.uid, 7);
	assert_string_equal(b.ssh, "");
	cJSON_Delete(o);
}

static void
test_request_json(void **state)
{
	struct wr_request	 r, back, copy;
	char			*lines[] = { "kubectl -n db exec pg-1 -- "
				    "pg_ctl promote", "second \"line\"" };
	char			*figures[] = { "replication lag: 4.2 MiB" };
	char			*text;
	cJSON			*o;

	memset(&r, 0, sizeof r);
	strcpy(r.code, "K7QX-2M9D");
	strcpy(r.incident, "INC-20261122-0001");
	strcpy(r.runbook, "pg-failover");
	r.step = 3;
	strcpy(r.step_id, "promote");
	strcpy(r.title, "Promote the standby");
	r.lines = lines;
	r.nlines = 2;
	r.figures = figures;
	r.nfigures = 1;
	ident(&r.requester, "alice", 1000, "bastion-1");
	r.requested_ms = 1795000000000LL;
	r.expires_ms = 1795000300000LL;
	o = wr_request_json(&r);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	assert_int_equal(wr_request_parse(text, &back), 0);
	cJSON_free(text);
	assert_string_equal(back.code, r.code);
	assert_string_equal(back.incident, r.incident);
	assert_string_equal(back.runbook, r.runbook);
	assert_int_equal(back.step, 3);
	assert_string_equal(back.step_id, r.step_id);
	assert_string_equal(back.title, r.title);
	assert_int_equal(back.nlines, 2);
	assert_string_equal(back.lines[1], "second \"line\"");
	assert_int_equal(back.nfigures, 1);
	assert_string_equal(back.figures[0], figures[0]);
	assert_memory_equal(&back.requester, &r.requester,
	    sizeof r.requester);
	assert_true(back.requested_ms == r.requested_ms);
	assert_true(back.expires_ms == r.expires_ms);
	wr_request_copy(&copy, &back);
	wr_request_free(&back);
	assert_string_equal(copy.lines[0], lines[0]);
	wr_request_free(&copy);
	/* No requester, no code, no expiry: not a request. */
	assert_int_equal(wr_request_parse("{\"code\":\"A\"}", &back), -1);
	assert_int_equal(wr_request_parse("[1,2]", &back), -1);
	assert_int_equal(wr_request_parse("not json", &back), -1);
}

static void
test_answer_json(void **state)
{
	struct wr_identity	 bob;
	struct wr_answer	 a;
	char			*text, code[WR_CODE_LEN];

	ident(&bob, "bob", 1001, "bastion-2");
	text = wr_answer_text("K7QX-2M9D", 0, &bob, "lag too high", 42);
	assert_int_equal(wr_answer_parse(text, code, sizeof code, &a), 0);
	cJSON_free(text);
	assert_string_equal(code, "K7QX-2M9D");
	assert_int_equal(a.state, WR_REJECTED);
	assert_string_equal(a.reason, "lag too high");
	assert_string_equal(a.who.user, "bob");
	assert_true(a.time_ms == 42);
	text = wr_answer_text("K7QX-2M9D", 1, &bob, NULL, 43);
	assert_int_equal(wr_answer_parse(text, code, sizeof code, &a), 0);
	cJSON_free(text);
	assert_int_equal(a.state, WR_APPROVED);
	assert_int_equal(wr_answer_parse("{\"decision\":\"approved\"}", code,
	    sizeof code, &a), -1);
}

static void
test_codes(void **state)
{
	static const char	ok[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	char			c[WR_CODE_LEN], prev[WR_CODE_LEN] = "", n[16];
	int			i, j, same = 0;

	for (i = 0; i < 1000; i++) {
		wr_random_code(c, sizeof c);
		assert_int_equal(strlen(c), 9);
		assert_int_equal(c[4], '-');
		for (j = 0; j < 9; j++)
			if (j != 4)
				assert_non_null(strchr(ok, c[j]));
		same += strcmp(c, prev) == 0;
		strcpy(prev, c);
		assert_int_equal(wr_code_normalize(c, n, sizeof n), 0);
		assert_string_equal(n, c);
	}
	assert_int_equal(same, 0);
	assert_int_equal(wr_code_normalize(" k7qx2m9d\n", n, sizeof n), 0);
	assert_string_equal(n, "K7QX-2M9D");
	assert_int_equal(wr_code_normalize("K7QX-2M9", n, sizeof n), -1);
	assert_int_equal(wr_code_normalize("K7QX-2M9DD", n, sizeof n), -1);
	assert_int_equal(wr_code_normalize("K0QX-2M9D", n, sizeof n), -1);
	assert_int_equal(wr_code_normalize("K7QX-2M9*", n, sizeof n), -1);
	assert_int_equal(wr_code_normalize("", n, sizeof n), -1);
}

static void
test_new_needs_url(void **state)
{
	struct cfg_warroom	cfg;
	struct wr_identity	self;
	struct warroom_opts	o;
	struct error		err;

	memset(&cfg, 0, sizeof cfg);
	wr_identity_self(&self);
	memset(&o, 0, sizeof o);
	o.cfg = &cfg;
	o.self = &self;
	assert_null(warroom_new(&o, &err));
	assert_non_null(strstr(err.msg, "no Redis URL"));
	o.cfg = NULL;
	assert_null(warroom_new(&o, &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_person),
		cmocka_unit_test(test_identity_self_and_name),
		cmocka_unit_test(test_identity_json),
		cmocka_unit_test(test_request_json),
		cmocka_unit_test(test_answer_json),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_new_needs_url),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
