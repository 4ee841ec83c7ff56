#!/usr/bin/env bash
# follow.sh: the follow view (panels/follow.c) on a real war room: a
# redis-server with a password; the cases are in itest_follow.c.
. "$(dirname "$0")/lib.bash"

mkdir -p "$LAB_DIR"
chmod 700 "$LAB_DIR"
WR_PORT=$((LAB_PORT_BASE + 5))
WR_PASSWORD="follow-itest-$$-$RANDOM"

cleanup() {
	if [ -f "$LAB_DIR/redis.pid" ]; then
		kill "$(cat "$LAB_DIR/redis.pid")" 2>/dev/null
		sleep 0.2
	fi
	rm -rf "$LAB_DIR"
}
trap cleanup EXIT

redis-server --port "$WR_PORT" --bind 127.0.0.1 --daemonize yes \
    --dir "$LAB_DIR" --pidfile "$LAB_DIR/redis.pid" \
    --logfile "$LAB_DIR/redis.log" --requirepass "$WR_PASSWORD" \
    --save '' --appendonly no >/dev/null
for _ in $(seq 1 50); do
	[ "$(REDISCLI_AUTH="$WR_PASSWORD" redis-cli -p "$WR_PORT" ping 2>/dev/null)" = PONG ] && break
	sleep 0.1
done
[ "$(REDISCLI_AUTH="$WR_PASSWORD" redis-cli -p "$WR_PORT" ping 2>/dev/null)" = PONG ] ||
    { echo "not ok - redis-server starts"; exit 1; }

export WR_PORT WR_PASSWORD
run_itest itest_follow
