#!/usr/bin/env bash
# executors.sh: the runbook executors (backends/*_exec.c) against real
# servers: the lab's PostgreSQL primary and standby and Redis primary and
# replica, an HTTP server that echoes what it receives
# (tests/fixtures/echo_http.py, also the webhook for notify) and a port
# that accepts and never answers (tests/fixtures/blackhole.py).  The cases
# are in itest_executors.c.  TAP output.
. "$(dirname "$0")/lib.bash"

if [ ! -x "$B/tests/itest_executors" ]; then
	echo "not ok 1 - itest_executors is built (make $B/tests/itest_executors)"
	exit 1
fi
lab_start

export HTTP_PORT=$((LAB_PORT_BASE + 5))
export HANG_PORT=$((LAB_PORT_BASE + 6))
export HTTP_RECORD="$LAB_DIR/http-record.json"
python3 "$ROOT/tests/fixtures/echo_http.py" "$HTTP_PORT" "$HTTP_RECORD" \
    >"$LAB_DIR/echo_http.out" 2>&1 &
HTTP_PID=$!
python3 "$ROOT/tests/fixtures/blackhole.py" "$HANG_PORT" \
    >"$LAB_DIR/blackhole.out" 2>&1 &
HANG_PID=$!
trap 'kill $HTTP_PID $HANG_PID 2>/dev/null; lab_stop' EXIT
for _ in $(seq 1 50); do
	grep -q ready "$LAB_DIR/echo_http.out" 2>/dev/null &&
	    grep -q ready "$LAB_DIR/blackhole.out" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q ready "$LAB_DIR/echo_http.out" ||
    ! grep -q ready "$LAB_DIR/blackhole.out"; then
	echo "not ok 1 - the echo and blackhole servers start"
	sed 's/^/# /' "$LAB_DIR/echo_http.out" "$LAB_DIR/blackhole.out"
	exit 1
fi

run_itest itest_executors
