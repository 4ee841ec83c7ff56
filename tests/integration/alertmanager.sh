#!/usr/bin/env bash
# alertmanager.sh: the Alertmanager source and the silence actions
# (backends/alertmanager*.c) against two real Alertmanagers forming an HA
# cluster, plus fake servers that answer 401, malformed JSON, or never.
# The cases are in itest_alertmanager.c.  TAP output.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/servers.bash"

if [ ! -x "$B/tests/itest_alertmanager" ]; then
	echo "not ok 1 - itest_alertmanager is built (make $B/tests/itest_alertmanager)"
	exit 1
fi
if [ ! -x /usr/bin/prometheus-alertmanager ]; then
	echo "not ok 1 - prometheus-alertmanager is installed (make deps)"
	exit 1
fi

P=$LAB_PORT_BASE
export AM1_PORT=$P AM2_PORT=$((P + 2))
export AUTH_PORT=$((P + 4)) BAD_PORT=$((P + 5)) HANG_PORT=$((P + 6))
export REFUSED_PORT=$((P + 7))

if ! am_start am1 "$AM1_PORT" $((P + 1)) $((P + 3)) ||
    ! am_start am2 "$AM2_PORT" $((P + 3)) $((P + 1)); then
	echo "not ok 1 - two Alertmanagers start"
	server_log am1
	server_log am2
	exit 1
fi
if ! fake_start "$AUTH_PORT:auth" "$BAD_PORT:malformed" "$HANG_PORT:hang"; then
	echo "not ok 1 - fake servers start"
	exit 1
fi

run_itest itest_alertmanager
