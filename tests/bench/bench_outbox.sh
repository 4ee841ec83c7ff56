#!/usr/bin/env bash
# bench_outbox.sh: one refresh of the outbox source against a 10-million-row
# "OutboxMessages" with 100,000 pending (docs/performance.md, "Outbox
# queries").  Starts a lab, or uses the one in $LAB_DIR when it has an env
# file; the table goes into the schema "bench" of the database erp.
#
#   BENCH_OUTBOX_ROWS=10000000  BENCH_OUTBOX_PENDING=100000
#   BENCH_OUTBOX_FETCHES=50     BENCH_OUTBOX_KEEP=1 (keep the table)
#
# The rows: the newest PENDING (the last 10 minutes, 1% of them failed) are
# pending; the 60,000 before them were processed over the last 5 minutes
# (200/s: the publisher is behind); the rest were processed 1 s after
# they were written, 250 ms apart, going back about a month.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build/std}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
ROWS=${BENCH_OUTBOX_ROWS:-10000000}
PENDING=${BENCH_OUTBOX_PENDING:-100000}
FETCHES=${BENCH_OUTBOX_FETCHES:-50}
HIST=$((ROWS - PENDING))
HALF=$((ROWS / 2))

if [ -z "${LAB_DIR:-}" ] || [ ! -f "$LAB_DIR/env" ]; then
	LAB_DIR=$(mktemp -d /tmp/sitrep-bench.XXXXXX)
	rmdir "$LAB_DIR"
	export LAB_PORT_BASE=${LAB_PORT_BASE:-$((30000 + ($$ % 2000) * 8))}
	bash "$ROOT/tests/lab/lab.sh" start "$LAB_DIR" >/dev/null
	trap 'bash "$ROOT/tests/lab/lab.sh" stop "$LAB_DIR" >/dev/null 2>&1' EXIT
fi
. "$LAB_DIR/env"

sql() {	# psql as the sitrep user on erp
	PGPASSWORD=$PG_PASSWORD PGOPTIONS="-c client_min_messages=warning" \
	    psql -X -q -At -v ON_ERROR_STOP=1 \
	    -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U sitrep -d erp "$@"
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

load() {	# first last: one half of the rows
	sql <<SQL
INSERT INTO bench."OutboxMessages"
SELECT gen_random_uuid(), 'OrderPlaced', '{"orderId":' || g || '}',
    CASE WHEN g > $HIST THEN now() - ($ROWS - g) * interval '6 ms'
         ELSE now() - interval '10 min' - ($HIST - g) * interval '250 ms' END,
    CASE WHEN g > $HIST THEN NULL
         WHEN g > $HIST - 60000 THEN now() - ($HIST - g) * interval '5 ms'
         ELSE now() - interval '10 min' - ($HIST - g) * interval '250 ms'
             + interval '1 s' END,
    CASE WHEN g > $HIST AND g % 100 = 0 THEN 'broker unavailable' END
FROM generate_series($1, $2) g;
SQL
}

echo "== outbox source, $ROWS rows, $PENDING pending, $FETCHES refreshes"
t0=$(now)
sql <<'SQL'
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
-- UNLOGGED: no WAL to write or to stream to the standby; the queries do
-- not care.
CREATE UNLOGGED TABLE bench."OutboxMessages" (
	"Id"		uuid NOT NULL,
	"Type"		text NOT NULL,
	"Content"	text NOT NULL,
	"OccurredOn"	timestamp with time zone NOT NULL,
	"ProcessedOn"	timestamp with time zone,
	"Error"		text
);
SQL
# Two sessions, one per core.
load 1 "$HALF" &
p1=$!
load $((HALF + 1)) "$ROWS" &
p2=$!
wait $p1
wait $p2
t_load=$(since "$t0")
t1=$(now)
sql <<'SQL'
SET maintenance_work_mem = '512MB';
ALTER TABLE bench."OutboxMessages" ADD PRIMARY KEY ("Id");
CREATE INDEX "IX_OutboxMessages_Pending" ON bench."OutboxMessages"
    ("OccurredOn") WHERE "ProcessedOn" IS NULL;
CREATE INDEX "IX_OutboxMessages_Failed" ON bench."OutboxMessages"
    ("OccurredOn") WHERE "Error" IS NOT NULL AND "ProcessedOn" IS NULL;
CREATE INDEX "IX_OutboxMessages_ProcessedOn" ON bench."OutboxMessages"
    ("ProcessedOn");
SQL
t_index=$(since "$t1")
t2=$(now)
sql -c 'ANALYZE bench."OutboxMessages"'
t_analyze=$(since "$t2")
size=$(sql -c "SELECT pg_size_pretty(pg_total_relation_size('bench.\"OutboxMessages\"'))")
echo "setup: load ${t_load}s, indexes ${t_index}s, analyze ${t_analyze}s," \
    "total $(since "$t0")s ($size with indexes)"

bench() {
	"$B/tests/bench/bench_outbox" \
	    "host=127.0.0.1 port=$PG_PRIMARY_PORT dbname=erp user=sitrep" \
	    "$LAB_DIR/pg.pass" bench OutboxMessages "$FETCHES"
}
# The plan of the source's query (docs/outbox.md), for the record.
plan() {
	sql <<'SQL' | grep -E 'Scan|Execution Time|Heap Fetches' | sed 's/^ */  /'
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
EXPLAIN (ANALYZE, BUFFERS)
SELECT p.n, p.age, f.n, r.n1, r.n5 FROM (SELECT count(*) AS n, coalesce(extract(epoch FROM greatest(now() - min("OccurredOn"), interval '0')), 0) AS age FROM "bench"."OutboxMessages" WHERE "ProcessedOn" IS NULL) p, (SELECT count(*) AS n FROM "bench"."OutboxMessages" WHERE "Error" IS NOT NULL AND "ProcessedOn" IS NULL) f, (SELECT count(*) FILTER (WHERE "ProcessedOn" >= now() - interval '1 minute') AS n1, count(*) AS n5 FROM "bench"."OutboxMessages" WHERE "ProcessedOn" >= now() - interval '5 minutes') r;
SQL
}
# Freshly written pages are not all-visible until a vacuum: every index
# entry the query counts costs a heap visit.  The worst case.
echo "-- before any vacuum (visibility map empty)"
bench
plan
t3=$(now)
sql -c 'VACUUM bench."OutboxMessages"'
echo "-- after VACUUM ($(since "$t3")s; autovacuum's steady state)"
bench
plan

[ -n "${BENCH_OUTBOX_KEEP:-}" ] || sql -c 'DROP SCHEMA bench CASCADE'
