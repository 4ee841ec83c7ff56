#!/usr/bin/env bash
# End-to-end: sitrep in tmux against the real lab (PostgreSQL primary +
# standby, Redis primary + replica, an outbox table) shows the real figures,
# and follows when the lab breaks.
. "$(dirname "$0")/../e2e/lib.bash"
. "$(dirname "$0")/lib.bash"
trap 'cleanup; lab_stop' EXIT
lab_start

start 200 50 -- --config "$LAB_DIR/sitrep.yaml"
check "lab: the console opens on the lab environment" wait_for "env lab" 10
check "lab: the primary is seen as primary" wait_for "lab-primary +.*primary" 10
check "lab: the standby is seen streaming" wait_for "lab-standby +.*standby streaming" 10
check "lab: pg_stat_replication row of the standby" wait_for "lab-standby +streaming" 10
check "lab: the inactive slot is listed" wait_for "lab_inactive" 5
check "lab: redis master and replica" wait_for "redis-replica .*replica" 10
check "lab: outbox figures from the table" wait_for "finance +[0-9]+ " 10
check "lab: panels without a source say so" wait_for "Pods ─ not configured" 5

# Pause replay and write WAL: the standby's lag shows on screen.
psql_on "$PG_STANDBY_PORT" -c "SELECT pg_wal_replay_pause()" >/dev/null
psql_on "$PG_PRIMARY_PORT" -c "CREATE TABLE lagtest AS SELECT g FROM generate_series(1, 200000) g" >/dev/null
check "lab: paused replay shows as lag" wait_for "lab-standby .*(paused|[0-9.]+ (KiB|MiB))" 15
psql_on "$PG_STANDBY_PORT" -c "SELECT pg_wal_replay_resume()" >/dev/null

# Stop the Redis primary: the replica's link goes down on screen.
kill "$(cat "$LAB_DIR/redis-primary.pid")"
check "lab: redis replica link down after the primary stops" wait_for "DOWN [0-9]+s" 20

# Stop the PostgreSQL primary: PRIMARY DOWN.
if [ "$(id -u)" -eq 0 ]; then
	runuser -u "$LAB_USER" -- "$PGBIN/pg_ctl" -D "$LAB_DIR/pg-primary" -m immediate -w stop >/dev/null
else
	"$PGBIN/pg_ctl" -D "$LAB_DIR/pg-primary" -m immediate -w stop >/dev/null
fi
check "lab: a stopped primary shows PRIMARY DOWN" wait_for "PRIMARY DOWN" 20
keys 2 z
check "lab: zoom works while a source is down" wait_for "2 Replication" 3
keys q
check "lab: quits cleanly" wait_exit 50
finish
