#!/usr/bin/env bash
# redis.sh: the Redis source (backends/redis.c) against the lab's real
# Redis primary and replica, plus a listener that accepts connections and
# never answers (the hung server).  The cases are in itest_redis.c; they
# end by stopping the primary and starting it again (ITEST_REDIS_RESTART).
. "$(dirname "$0")/lib.bash"

lab_start

# A port that accepts and never answers, one whose accept queue is full
# (connections time out: the SYN is dropped), and one nobody listens on.
HANG_PORT=$((LAB_PORT_BASE + 5))
FULL_PORT=$((LAB_PORT_BASE + 6))
REFUSED_PORT=$((LAB_PORT_BASE + 7))
HANG_READY="$LAB_DIR/hang.ready"
python3 - "$HANG_PORT" "$FULL_PORT" "$HANG_READY" <<'PY' &
import socket, sys
def listener(port, backlog):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(backlog)
    return s
hang = listener(int(sys.argv[1]), 64)
full = listener(int(sys.argv[2]), 0)
filler = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
open(sys.argv[3], "w").close()
held = []
while True:
    c, _ = hang.accept()
    held.append(c)      # keep it open, never read, never write
PY
HANG_PID=$!
# A replica whose master was never there (no password, no data).
ORPHAN_PORT=$((LAB_PORT_BASE + 4))
redis-server --port "$ORPHAN_PORT" --bind 127.0.0.1 --daemonize yes \
    --dir "$LAB_DIR" --dbfilename orphan.rdb --pidfile "$LAB_DIR/orphan.pid" \
    --logfile "$LAB_DIR/orphan.log" --replicaof 127.0.0.1 "$REFUSED_PORT" \
    --save '' --appendonly no >/dev/null
cleanup() {
	kill "$HANG_PID" 2>/dev/null
	[ -f "$LAB_DIR/orphan.pid" ] && kill "$(cat "$LAB_DIR/orphan.pid")" 2>/dev/null
	lab_stop
}
trap cleanup EXIT
for _ in $(seq 1 50); do [ -f "$HANG_READY" ] && [ -f "$LAB_DIR/orphan.pid" ] && break; sleep 0.1; done
[ -f "$HANG_READY" ] || { echo "not ok - hung listeners start"; exit 1; }
[ -f "$LAB_DIR/orphan.pid" ] || { echo "not ok - orphan replica starts"; exit 1; }

# The primary as lab.sh starts it, for the restart case.
AS_LAB=""
[ "$(id -u)" -eq 0 ] && AS_LAB="runuser -u $LAB_USER --"
ITEST_REDIS_RESTART="$AS_LAB redis-server --port $REDIS_PRIMARY_PORT \
--bind 127.0.0.1 --daemonize yes --dir $LAB_DIR --dbfilename rp.rdb \
--pidfile $LAB_DIR/redis-primary.pid --logfile $LAB_DIR/redis-primary.log \
--requirepass $REDIS_PASSWORD --masterauth $REDIS_PASSWORD --maxmemory 64mb \
--save '' --appendonly no >/dev/null"

export HANG_PORT FULL_PORT REFUSED_PORT ORPHAN_PORT ITEST_REDIS_RESTART
run_itest itest_redis
