#!/usr/bin/env bash
# lab.sh: a real PostgreSQL primary with a streaming standby and a Redis
# primary with a replica, on loopback ports, for the integration tests and
# for a person trying sitrep (make lab / make lab-stop).
#
#   lab.sh start [DIR]    start everything; writes DIR/sitrep.yaml and
#                         DIR/env (shell variables for the tests)
#   lab.sh stop [DIR]     stop everything by PID
#   lab.sh status [DIR]
#
# PostgreSQL refuses to run as root: as root the servers run as the user
# sitrep-lab (created if missing).  Ports: LAB_PORT_BASE (default 55432):
# +0 PostgreSQL primary, +1 standby, +2 Redis primary, +3 Redis replica.
set -euo pipefail

DIR=${2:-${LAB_DIR:-/tmp/sitrep-lab}}
BASE=${LAB_PORT_BASE:-55432}
PG_P=$BASE; PG_S=$((BASE + 1)); RD_P=$((BASE + 2)); RD_S=$((BASE + 3))
LAB_USER=sitrep-lab
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PG_PASSWORD=sitrep-lab-pw
NOMON_PASSWORD=nomon-pw
REDIS_PASSWORD=redis-lab-pw

die() { echo "lab: $*" >&2; exit 1; }

as_lab() {	# run a command as the lab user
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$LAB_USER" -- "$@"
	else
		"$@"
	fi
}

ensure_user() {
	[ "$(id -u)" -eq 0 ] || return 0
	id "$LAB_USER" >/dev/null 2>&1 ||
	    useradd --system --no-create-home --shell /usr/sbin/nologin \
	    "$LAB_USER"
}

wait_pg() {	# port
	local i
	for i in $(seq 1 300); do
		as_lab "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1" && return 0
		sleep 0.1
	done
	return 1
}

psql_p() {	# sql... as superuser on the primary
	as_lab psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_P" \
	    -U postgres -d postgres "$@"
}

start_pg() {
	[ -n "$PGBIN" ] || die "PostgreSQL server binaries not found (make deps)"
	as_lab "$PGBIN/initdb" -D "$DIR/pg-primary" -U postgres -A trust \
	    --no-sync -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 ||
	    die "initdb failed: $(tail -3 "$DIR/initdb.log")"
	cat >>"$DIR/pg-primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_P
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
fsync = off
synchronous_commit = on
wal_keep_size = 0
max_slot_wal_keep_size = 1GB
wal_sender_timeout = 10s
wal_receiver_status_interval = 1s
log_min_messages = warning
CONF
	cat >"$DIR/pg-primary/pg_hba.conf" <<HBA
local   all          postgres                  trust
host    all          postgres   127.0.0.1/32   trust
host    replication  postgres   127.0.0.1/32   trust
host    all          all        127.0.0.1/32   scram-sha-256
HBA
	as_lab "$PGBIN/pg_ctl" -D "$DIR/pg-primary" -l "$DIR/pg-primary.log" \
	    -w -t 30 start >/dev/null || die "primary did not start: $(tail -5 "$DIR/pg-primary.log")"
	psql_p <<SQL
CREATE ROLE sitrep LOGIN PASSWORD '$PG_PASSWORD' IN ROLE pg_monitor;
CREATE ROLE nomon LOGIN PASSWORD '$NOMON_PASSWORD';
CREATE DATABASE erp OWNER sitrep;
SELECT 1 FROM pg_create_physical_replication_slot('lab_inactive', true);
SQL
	# The platform's outbox table, in a schema of the lab's own, with the
	# indexes docs/outbox.md asks for and a little traffic.
	as_lab psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -h 127.0.0.1 \
	    -p "$PG_P" -U postgres -d erp <<SQL
CREATE SCHEMA lab AUTHORIZATION sitrep;
CREATE TABLE lab."OutboxMessages" (
	"Id" bigserial PRIMARY KEY, "Type" text NOT NULL, "Content" text,
	"OccurredOn" timestamptz NOT NULL, "ProcessedOn" timestamptz,
	"Error" text);
ALTER TABLE lab."OutboxMessages" OWNER TO sitrep;
CREATE INDEX ON lab."OutboxMessages" ("OccurredOn") WHERE "ProcessedOn" IS NULL;
CREATE INDEX ON lab."OutboxMessages" ("ProcessedOn");
INSERT INTO lab."OutboxMessages" ("Type", "Content", "OccurredOn", "ProcessedOn", "Error")
SELECT 'InvoicePosted', '{}', now() - i * interval '1 second',
       CASE WHEN i > 40 THEN now() - i * interval '1 second' + interval '200 ms' END,
       CASE WHEN i BETWEEN 30 AND 32 THEN 'broker unreachable' END
FROM generate_series(1, 500) AS i;
SQL
	as_lab "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_P" -U postgres \
	    -D "$DIR/pg-standby" -R -C -S standby1 --no-sync -X stream -c fast \
	    >"$DIR/basebackup.log" 2>&1 || die "pg_basebackup failed: $(tail -3 "$DIR/basebackup.log")"
	echo "port = $PG_S" >>"$DIR/pg-standby/postgresql.conf"
	# postgresql.auto.conf (written by -R) is read last: override there.
	echo "primary_conninfo = 'host=127.0.0.1 port=$PG_P user=postgres application_name=lab-standby'" \
	    >>"$DIR/pg-standby/postgresql.auto.conf"
	as_lab "$PGBIN/pg_ctl" -D "$DIR/pg-standby" -l "$DIR/pg-standby.log" \
	    -w -t 30 start >/dev/null || die "standby did not start: $(tail -5 "$DIR/pg-standby.log")"
	wait_pg "$PG_S" || die "standby not ready"
}

start_redis() {
	command -v redis-server >/dev/null || die "redis-server not found (make deps)"
	as_lab redis-server --port "$RD_P" --bind 127.0.0.1 --daemonize yes \
	    --dir "$DIR" --dbfilename rp.rdb --pidfile "$DIR/redis-primary.pid" \
	    --logfile "$DIR/redis-primary.log" --requirepass "$REDIS_PASSWORD" \
	    --masterauth "$REDIS_PASSWORD" --maxmemory 64mb \
	    --save "" --appendonly no --repl-diskless-sync-delay 0 >/dev/null
	as_lab redis-server --port "$RD_S" --bind 127.0.0.1 --daemonize yes \
	    --dir "$DIR" --dbfilename rr.rdb --pidfile "$DIR/redis-replica.pid" \
	    --logfile "$DIR/redis-replica.log" --requirepass "$REDIS_PASSWORD" \
	    --masterauth "$REDIS_PASSWORD" --replicaof 127.0.0.1 "$RD_P" \
	    --save "" --appendonly no >/dev/null
	# Redis 7 waits repl-diskless-sync-delay (5 s by default, 0 above)
	# before it sends a replica its first copy; a loaded machine is slow
	# to fork as well: up to 30 s.
	local i
	for i in $(seq 1 300); do
		REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p "$RD_S" info replication 2>/dev/null |
		    grep -q "master_link_status:up" && return 0
		sleep 0.1
	done
	die "redis replica did not connect in 30 s: $(tail -3 "$DIR/redis-replica.log")"
}

write_files() {
	cat >"$DIR/env" <<ENV
LAB_DIR=$DIR
PG_PRIMARY_PORT=$PG_P
PG_STANDBY_PORT=$PG_S
PG_PASSWORD=$PG_PASSWORD
NOMON_PASSWORD=$NOMON_PASSWORD
REDIS_PRIMARY_PORT=$RD_P
REDIS_REPLICA_PORT=$RD_S
REDIS_PASSWORD=$REDIS_PASSWORD
PGBIN=$PGBIN
LAB_USER=$LAB_USER
ENV
	printf '%s\n' "$PG_PASSWORD" >"$DIR/pg.pass"
	printf '%s\n' "$REDIS_PASSWORD" >"$DIR/redis.pass"
	chmod 600 "$DIR/pg.pass" "$DIR/redis.pass"
	cat >"$DIR/sitrep.yaml" <<YAML
# Written by tests/lab/lab.sh: the local lab on loopback.
default_environment: lab
environments:
  lab:
    refresh: 1s
    postgres:
      - name: lab-primary
        conninfo: "host=127.0.0.1 port=$PG_P dbname=erp user=sitrep"
        password_file: $DIR/pg.pass
      - name: lab-standby
        conninfo: "host=127.0.0.1 port=$PG_S dbname=erp user=sitrep"
        password_file: $DIR/pg.pass
    outbox:
      - service: finance
        postgres: lab-primary
        schema: lab
        table: OutboxMessages
        preset: outbox-messages
    redis:
      - name: redis-primary
        url: redis://127.0.0.1:$RD_P/0
        password_file: $DIR/redis.pass
      - name: redis-replica
        url: redis://127.0.0.1:$RD_S/0
        password_file: $DIR/redis.pass
YAML
}

cmd_start() {
	if [ -f "$DIR/env" ]; then
		die "a lab is already in $DIR (lab.sh stop $DIR first)"
	fi
	ensure_user
	mkdir -p "$DIR"
	[ "$(id -u)" -eq 0 ] && chown "$LAB_USER" "$DIR"
	chmod 700 "$DIR"
	start_pg
	start_redis
	write_files
	echo "lab: PostgreSQL primary 127.0.0.1:$PG_P, standby :$PG_S;" \
	    "Redis primary :$RD_P, replica :$RD_S (in $DIR)"
}

stop_pid() {	# pidfile
	local pid
	[ -f "$1" ] || return 0
	pid=$(head -1 "$1")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
}

cmd_stop() {
	local d
	for d in pg-standby pg-primary; do
		[ -f "$DIR/$d/postmaster.pid" ] &&
		    as_lab "$PGBIN/pg_ctl" -D "$DIR/$d" -m immediate -w stop \
		    >/dev/null 2>&1 || true
	done
	stop_pid "$DIR/redis-replica.pid"
	stop_pid "$DIR/redis-primary.pid"
	[ -d "$DIR" ] && rm -rf "$DIR"
	return 0
}

cmd_status() {
	[ -f "$DIR/env" ] || { echo "lab: not running ($DIR)"; return 1; }
	cat "$DIR/env"
}

case "${1:-}" in
start)	cmd_start ;;
stop)	cmd_stop ;;
status)	cmd_status ;;
*)	echo "usage: lab.sh start|stop|status [DIR]" >&2; exit 2 ;;
esac
