/* test_action.c: actions run off the UI thread; dialogs decide safely. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "action.h"
#include "dialog.h"
#include "keys.h"
#include "store.h"

static int
echo(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	const char	*who = action_arg(req, "who");

	(*(int *)ctx)++;
	if (who == NULL) {
		snprintf(res->summary, sizeof res->summary, "no who");
		return (-1);
	}
	snprintf(res->summary, sizeof res->summary, "hello %s", who);
	return (0);
}

static int
slow(void *ctx, const struct action_req *req, struct action_result *res,
    const volatile int *cancel)
{
	int	i;

	for (i = 0; i < 500 && !*cancel; i++) {
		if (i == 0)
			action_emit(req, "line 1\n", 7);
		usleep(10000);
	}
	snprintf(res->summary, sizeof res->summary, "%s",
	    *cancel ? "cancelled" : "finished");
	return (*cancel ? -1 : 0);
}

struct seen {
	int	calls;
	int	ok;
	char	summary[512];
	char	kind[48];
};

static void
on_done(void *arg, const struct action_req *req,
    const struct action_result *res)
{
	struct seen	*s = arg;

	s->calls++;
	s->ok = res->ok;
	snprintf(s->summary, sizeof s->summary, "%s", res->summary);
	snprintf(s->kind, sizeof s->kind, "%s", req->kind);
}

static void
wait_collect(struct actions *a, struct store *st, struct seen *s)
{
	struct pollfd	pfd = { store_wake_fd(st), POLLIN, 0 };
	int		i;

	for (i = 0; i < 300 && s->calls == 0; i++) {
		poll(&pfd, 1, 10);
		store_drain(st);
		actions_collect(a);
	}
}

static void
test_run_and_collect(void **state)
{
	struct store	*st = store_new();
	struct actions	*a = actions_new(st);
	struct seen	 s;
	int		 ctx = 0;
	const char	*argv[] = { "who=alice; rm -rf /", "x=1" };

	memset(&s, 0, sizeof s);
	actions_register(a, "echo", echo, &ctx);
	assert_true(actions_has(a, "echo"));
	assert_false(actions_has(a, "nope"));
	assert_true(actions_run(a, "echo", 2, argv, on_done, &s) > 0);
	wait_collect(a, st, &s);
	assert_int_equal(s.calls, 1);
	assert_true(s.ok);
	/* The value arrives whole, as one argument. */
	assert_string_equal(s.summary, "hello alice; rm -rf /");
	assert_string_equal(s.kind, "echo");
	assert_int_equal(ctx, 1);
	assert_int_equal(actions_free(a, 100), 0);
	store_free(st);
}

static void
test_failure_and_unknown(void **state)
{
	struct store	*st = store_new();
	struct actions	*a = actions_new(st);
	struct seen	 s;
	int		 ctx = 0;

	memset(&s, 0, sizeof s);
	actions_register(a, "echo", echo, &ctx);
	assert_int_equal(actions_run(a, "missing", 0, NULL, on_done, &s), -1);
	assert_true(actions_run(a, "echo", 0, NULL, on_done, &s) > 0);
	wait_collect(a, st, &s);
	assert_false(s.ok);
	assert_string_equal(s.summary, "no who");
	actions_free(a, 100);
	store_free(st);
}

static void
test_cancel(void **state)
{
	struct store	*st = store_new();
	struct actions	*a = actions_new(st);
	struct seen	 s;
	int		 id;

	memset(&s, 0, sizeof s);
	actions_register(a, "slow", slow, NULL);
	char	*out;
	size_t	 len = 0;

	id = actions_run(a, "slow", 0, NULL, on_done, &s);
	usleep(30000);
	assert_int_equal(actions_running(a), 1);
	out = actions_peek_output(a, id, &len);
	assert_non_null(out);
	assert_string_equal(out, "line 1\n");
	assert_int_equal(len, 7);
	free(out);
	assert_null(actions_peek_output(a, id + 99, &len));
	actions_cancel(a, id);
	wait_collect(a, st, &s);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.summary, "cancelled");
	assert_int_equal(actions_running(a), 0);
	actions_free(a, 100);
	store_free(st);
}

static void
test_dialog_confirm_keys(void **state)
{
	struct dialog	*d = dialog_new("Restart?");

	dialog_line(d, 0, "kubectl rollout restart deployment/inventory");
	/* Enter and other keys never confirm a plain confirmation. */
	assert_int_equal(dialog_key(d, KEYC_ENTER), DIALOG_OPEN);
	assert_int_equal(dialog_key(d, ' '), DIALOG_OPEN);
	assert_int_equal(dialog_key(d, 'y'), DIALOG_CONFIRM);
	assert_int_equal(dialog_key(d, KEYC_ESC), DIALOG_CANCEL);
	assert_int_equal(dialog_key(d, 'n'), DIALOG_CANCEL);
	dialog_free(d);
}

static void
test_dialog_typed(void **state)
{
	struct dialog	*d = dialog_new("Promote");
	const char	*s = "pg-standby-1";

	dialog_require_typed(d, s);
	assert_int_equal(dialog_key(d, 'y'), DIALOG_OPEN);
	assert_int_equal(dialog_key(d, KEYC_ENTER), DIALOG_OPEN);
	dialog_key(d, KEYC_CTRL('u'));
	for (; *s != '\0'; s++)
		dialog_key(d, *s);
	assert_int_equal(dialog_key(d, KEYC_ENTER), DIALOG_CONFIRM);
	dialog_free(d);
}

static void
test_dialog_fields(void **state)
{
	struct dialog	*d = dialog_new("Silence");
	int		 dur, com;

	dur = dialog_field(d, "duration", "2h");
	com = dialog_field(d, "comment", "");
	assert_int_equal(dialog_key(d, KEYC_ENTER), DIALOG_OPEN); /* next */
	dialog_key(d, 'o');
	dialog_key(d, 'k');
	assert_string_equal(dialog_value(d, dur), "2h");
	assert_string_equal(dialog_value(d, com), "ok");
	assert_int_equal(dialog_key(d, KEYC_ENTER), DIALOG_CONFIRM);
	assert_null(dialog_value(d, 5));
	dialog_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_and_collect),
		cmocka_unit_test(test_failure_and_unknown),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_dialog_confirm_keys),
		cmocka_unit_test(test_dialog_typed),
		cmocka_unit_test(test_dialog_fields),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
