/* test_kstatus.c: the pod STATUS column, against kubectl's printPod. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kstatus.h"
#include "util.h"

static struct kcontainer
ctr(enum kstate state, const char *reason, int code, int ready)
{
	struct kcontainer	c;

	memset(&c, 0, sizeof c);
	c.state = state;
	strlcpy_(c.reason, reason, sizeof c.reason);
	c.exit_code = code;
	c.ready = ready;
	return (c);
}

static struct kpod
pod(const char *phase, const struct kcontainer *c, int n)
{
	struct kpod	p;

	memset(&p, 0, sizeof p);
	strlcpy_(p.phase, phase, sizeof p.phase);
	p.containers = c;
	p.ncontainers = p.ncontainer_status = n;
	p.ready_condition = 1;
	return (p);
}

static const char *
status(const struct kpod *p, struct kstatus *ks)
{
	kstatus_compute(p, ks);
	return (ks->status);
}

static int
sev(const struct kstatus *ks)
{
	return (kstatus_severity(ks->status, ks->ready, ks->total,
	    ks->restarts));
}

static void
test_running(void **state)
{
	struct kcontainer	c[2] = {
		ctr(KSTATE_RUNNING, "", 0, 1), ctr(KSTATE_RUNNING, "", 0, 1)
	};
	struct kpod		p = pod("Running", c, 2);
	struct kstatus		ks;

	assert_string_equal(status(&p, &ks), "Running");
	assert_int_equal(ks.ready, 2);
	assert_int_equal(ks.total, 2);
	assert_int_equal(ks.restarts, 0);
	assert_int_equal(sev(&ks), 0);
	c[1].ready = 0;
	assert_string_equal(status(&p, &ks), "Running");
	assert_int_equal(ks.ready, 1);
	assert_int_equal(sev(&ks), 1);
}

static void
test_crashloop_oomkilled(void **state)
{
	struct kcontainer	c[2] = {
		ctr(KSTATE_WAITING, "CrashLoopBackOff", 0, 0),
		ctr(KSTATE_RUNNING, "", 0, 1)
	};
	struct kpod		p;
	struct kstatus		ks;

	c[0].restarts = 5;
	strlcpy_(c[0].last_reason, "OOMKilled", sizeof c[0].last_reason);
	p = pod("Running", c, 2);
	p.ready_condition = 0;
	assert_string_equal(status(&p, &ks), "CrashLoopBackOff");
	assert_string_equal(ks.last_reason, "OOMKilled");
	assert_int_equal(ks.restarts, 5);
	assert_int_equal(ks.ready, 1);
	assert_int_equal(sev(&ks), 2);
	/* The moment it died, before the kubelet's back-off. */
	c[0] = ctr(KSTATE_TERMINATED, "OOMKilled", 137, 0);
	assert_string_equal(status(&p, &ks), "OOMKilled");
	assert_int_equal(sev(&ks), 2);
}

static void
test_completed(void **state)
{
	struct kcontainer	c[1] = { ctr(KSTATE_TERMINATED, "Completed", 0,
				    0) };
	struct kpod		p = pod("Succeeded", c, 1);
	struct kstatus		ks;

	p.ready_condition = 0;
	assert_string_equal(status(&p, &ks), "Completed");
	assert_int_equal(ks.ready, 0);
	assert_int_equal(sev(&ks), 0);
}

static void
test_completed_and_running(void **state)
{
	struct kcontainer	c[2] = {
		ctr(KSTATE_RUNNING, "", 0, 1),
		ctr(KSTATE_TERMINATED, "Completed", 0, 0)
	};
	struct kpod		p = pod("Running", c, 2);
	struct kstatus		ks;

	assert_string_equal(status(&p, &ks), "Running");
	p.ready_condition = 0;
	assert_string_equal(status(&p, &ks), "NotReady");
	assert_int_equal(sev(&ks), 1);
}

static void
test_init_progress(void **state)
{
	struct kcontainer	init[2] = {
		ctr(KSTATE_RUNNING, "", 0, 0),
		ctr(KSTATE_WAITING, "PodInitializing", 0, 0)
	};
	struct kcontainer	c[1] = { ctr(KSTATE_WAITING, "PodInitializing",
				    0, 0) };
	struct kpod		p = pod("Pending", c, 1);
	struct kstatus		ks;

	p.ninit = p.ninit_status = 2;
	p.init = init;
	assert_string_equal(status(&p, &ks), "Init:0/2");
	assert_int_equal(sev(&ks), 1);
	init[0] = ctr(KSTATE_TERMINATED, "Completed", 0, 0);
	init[1] = ctr(KSTATE_RUNNING, "", 0, 0);
	assert_string_equal(status(&p, &ks), "Init:1/2");
	/* No init container statuses yet: the pod's phase. */
	p.ninit_status = 0;
	p.ncontainer_status = 0;
	assert_string_equal(status(&p, &ks), "Pending");
}

static void
test_init_failures(void **state)
{
	struct kcontainer	init[1];
	struct kcontainer	c[1] = { ctr(KSTATE_WAITING, "PodInitializing",
				    0, 0) };
	struct kpod		p = pod("Pending", c, 1);
	struct kstatus		ks;

	p.ninit = p.ninit_status = 1;
	p.init = init;
	init[0] = ctr(KSTATE_WAITING, "CrashLoopBackOff", 0, 0);
	init[0].restarts = 3;
	assert_string_equal(status(&p, &ks), "Init:CrashLoopBackOff");
	assert_int_equal(ks.restarts, 3);
	assert_int_equal(sev(&ks), 2);
	init[0] = ctr(KSTATE_TERMINATED, "", 1, 0);
	assert_string_equal(status(&p, &ks), "Init:ExitCode:1");
	assert_int_equal(sev(&ks), 2);
	init[0].signal = 9;
	assert_string_equal(status(&p, &ks), "Init:Signal:9");
	init[0] = ctr(KSTATE_TERMINATED, "Error", 1, 0);
	assert_string_equal(status(&p, &ks), "Init:Error");
	assert_int_equal(sev(&ks), 2);
}

static void
test_exit_codes_and_signals(void **state)
{
	struct kcontainer	c[1] = { ctr(KSTATE_TERMINATED, "", 2, 0) };
	struct kpod		p = pod("Running", c, 1);
	struct kstatus		ks;

	assert_string_equal(status(&p, &ks), "ExitCode:2");
	assert_int_equal(sev(&ks), 2);
	c[0].signal = 9;
	c[0].exit_code = 137;
	assert_string_equal(status(&p, &ks), "Signal:9");
	assert_int_equal(sev(&ks), 2);
	c[0] = ctr(KSTATE_TERMINATED, "Error", 1, 0);
	assert_string_equal(status(&p, &ks), "Error");
}

static void
test_terminating_and_unknown(void **state)
{
	struct kcontainer	c[1] = { ctr(KSTATE_RUNNING, "", 0, 1) };
	struct kpod		p = pod("Running", c, 1);
	struct kstatus		ks;

	p.deleting = 1;
	assert_string_equal(status(&p, &ks), "Terminating");
	assert_int_equal(sev(&ks), 1);
	strlcpy_(p.reason, "NodeLost", sizeof p.reason);
	assert_string_equal(status(&p, &ks), "Unknown");
	assert_int_equal(sev(&ks), 2);
	/* Not being deleted: the pod's reason, as kubectl shows it. */
	p.deleting = 0;
	assert_string_equal(status(&p, &ks), "NodeLost");
}

/* kubectl: a pod in a terminal phase keeps its status while deleted. */
static void
test_terminating_terminal_phase(void **state)
{
	struct kcontainer	c[1] = { ctr(KSTATE_TERMINATED, "Completed", 0,
				    0) };
	struct kpod		p = pod("Succeeded", c, 1);
	struct kstatus		ks;

	p.deleting = 1;
	assert_string_equal(status(&p, &ks), "Completed");
	c[0] = ctr(KSTATE_TERMINATED, "Error", 1, 0);
	strlcpy_(p.phase, "Failed", sizeof p.phase);
	assert_string_equal(status(&p, &ks), "Error");
}

static void
test_pending_and_creating(void **state)
{
	struct kcontainer	c[1] = { ctr(KSTATE_WAITING,
				    "ContainerCreating", 0, 0) };
	struct kpod		p = pod("Pending", c, 1);
	struct kstatus		ks;

	p.ncontainer_status = 0;
	assert_string_equal(status(&p, &ks), "Pending");
	assert_int_equal(ks.total, 1);
	assert_int_equal(sev(&ks), 1);
	p.ncontainer_status = 1;
	assert_string_equal(status(&p, &ks), "ContainerCreating");
	assert_int_equal(sev(&ks), 1);
	c[0] = ctr(KSTATE_WAITING, "ImagePullBackOff", 0, 0);
	assert_string_equal(status(&p, &ks), "ImagePullBackOff");
	assert_int_equal(sev(&ks), 2);
	c[0] = ctr(KSTATE_WAITING, "ErrImagePull", 0, 0);
	assert_int_equal(sev(&ks), 2);
}

static void
test_sidecar_init_containers(void **state)
{
	struct kcontainer	init[2] = {
		ctr(KSTATE_TERMINATED, "Completed", 0, 0),
		ctr(KSTATE_RUNNING, "", 0, 1)
	};
	struct kcontainer	c[1] = { ctr(KSTATE_RUNNING, "", 0, 1) };
	struct kpod		p = pod("Running", c, 1);
	struct kstatus		ks;

	p.ninit = p.ninit_status = 2;
	p.init = init;
	init[1].restartable = 1;
	init[1].started = 1;
	init[1].restarts = 2;
	c[0].restarts = 1;
	assert_string_equal(status(&p, &ks), "Running");
	assert_int_equal(ks.ready, 2);
	assert_int_equal(ks.total, 2);
	/* The sidecar's restarts count with the app's. */
	assert_int_equal(ks.restarts, 3);
	/* A sidecar that has not started yet holds initialisation. */
	init[1].started = 0;
	init[1].ready = 0;
	init[1].state = KSTATE_WAITING;
	c[0] = ctr(KSTATE_WAITING, "PodInitializing", 0, 0);
	assert_string_equal(status(&p, &ks), "Init:1/2");
	assert_int_equal(ks.total, 2);
}

static void
test_evicted(void **state)
{
	struct kcontainer	c[1] = { ctr(KSTATE_TERMINATED,
				    "ContainerStatusUnknown", 137, 0) };
	struct kpod		p = pod("Failed", c, 1);
	struct kstatus		ks;

	strlcpy_(p.reason, "Evicted", sizeof p.reason);
	p.ncontainer_status = 0;
	assert_string_equal(status(&p, &ks), "Evicted");
	assert_int_equal(sev(&ks), 2);
}

static void
test_severity_table(void **state)
{
	assert_int_equal(kstatus_severity("Running", 1, 1, 0), 0);
	assert_int_equal(kstatus_severity("Running", 1, 1, 2), 1);
	assert_int_equal(kstatus_severity("Completed", 0, 1, 0), 0);
	assert_int_equal(kstatus_severity("Terminating", 1, 1, 0), 1);
	assert_int_equal(kstatus_severity("PodInitializing", 0, 1, 0), 1);
	assert_int_equal(kstatus_severity("Init:0/2", 0, 1, 0), 1);
	assert_int_equal(kstatus_severity("Init:OOMKilled", 0, 1, 0), 2);
	assert_int_equal(kstatus_severity("CreateContainerConfigError", 0, 1,
	    0), 2);
	assert_int_equal(kstatus_severity("Unknown", 0, 1, 0), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_crashloop_oomkilled),
		cmocka_unit_test(test_completed),
		cmocka_unit_test(test_completed_and_running),
		cmocka_unit_test(test_init_progress),
		cmocka_unit_test(test_init_failures),
		cmocka_unit_test(test_exit_codes_and_signals),
		cmocka_unit_test(test_terminating_and_unknown),
		cmocka_unit_test(test_terminating_terminal_phase),
		cmocka_unit_test(test_pending_and_creating),
		cmocka_unit_test(test_sidecar_init_containers),
		cmocka_unit_test(test_evicted),
		cmocka_unit_test(test_severity_table),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
