# lib.bash: integration tests against real servers.  Sourced by
# tests/integration/*.sh.  lab_start starts a private lab (PostgreSQL
# primary + standby, Redis primary + replica) on its own ports and stops it
# on exit.  Results are TAP lines: "ok N - name" / "not ok N - name".
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build/std}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
LAB_DIR=$(mktemp -d /tmp/sitrep-itest.XXXXXX)
rmdir "$LAB_DIR"
# A port base of our own so that parallel runs and a person's lab do not meet.
export LAB_PORT_BASE=${LAB_PORT_BASE:-$((20000 + ($$ % 2000) * 8))}

lab_start() {
	bash "$ROOT/tests/lab/lab.sh" start "$LAB_DIR" >"/tmp/lab-start.$$.log" 2>&1 || {
		echo "not ok - lab starts"
		sed 's/^/# /' "/tmp/lab-start.$$.log"
		exit 1
	}
	rm -f "/tmp/lab-start.$$.log"
	set -a; . "$LAB_DIR/env"; set +a
	trap lab_stop EXIT
}

lab_stop() { bash "$ROOT/tests/lab/lab.sh" stop "$LAB_DIR" >/dev/null 2>&1; }

# Run a cmocka integration binary with TAP output.
run_itest() {	# name
	CMOCKA_MESSAGE_OUTPUT=TAP "$B/tests/$1"
}

# SQL on the lab as the superuser.  psql_on PORT SQL...
psql_on() {
	local port=$1; shift
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$LAB_USER" -- psql -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d erp "$@"
	else
		psql -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d erp "$@"
	fi
}
