#!/usr/bin/env bash
# postgres.sh: the PostgreSQL source against a real primary and standby.
# Starts a private lab (lib.bash), then runs itest_postgres, whose cases
# drive the servers themselves (pause and resume replay, generate WAL,
# restart, stop and promote with pg_ctl as the lab user).  TAP out.
. "$(dirname "$0")/lib.bash"

if [ ! -x "$B/tests/itest_postgres" ]; then
	echo "not ok - itest_postgres is built (make $B/tests/itest_postgres)"
	exit 1
fi
lab_start
run_itest itest_postgres
