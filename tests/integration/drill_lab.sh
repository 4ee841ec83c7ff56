#!/usr/bin/env bash
# Integration: a DR drill against the real lab (tests/lab/lab.sh:
# PostgreSQL 15 primary + streaming standby, Redis primary + replica), run
# from the drill board in tmux.  The drill is
# tests/fixtures/drills/lab-primary-lost.yaml: its inject runbook
# (tests/fixtures/drills/runbooks/drill-inject-lab-primary.yaml) REALLY
# stops the lab primary (runuser -u sitrep-lab -- pg_ctl stop -m
# immediate, every path a parameter, no shell); its response is the
# shipped dr-failover, whose live promote step runs SELECT
# pg_promote(false) on the lab standby: danger: high (the target typed)
# and two-person (approved by the Unix user sitrep-bob with `sitrep
# approve --yes` through the war room, the lab's Redis primary).
#
# WAL in flight: replay is paused on the standby and 20000 rows are
# written, so that at the failover the standby has received WAL it has
# not replayed; the RPO sitrep records must equal what the lab says (the
# LSNs read here before the stop).  PostgreSQL 14 and later end a paused
# recovery when a promotion is requested ("received promote request" ...
# the paused state ends and the promotion continues): the startup process
# first replays the WAL it has received, then ends recovery, so the rows
# written while replay was paused are on the promoted standby (checked).
# On PostgreSQL 13 and older the promotion would wait for
# pg_wal_replay_resume(); the lab is 15.
#
# Checks: the primary really stopped; the standby really left recovery
# (pg_is_in_recovery() = f) with every row; the board's RTO ends when
# {{pg.primary_up}} == 1 holds again (the promoted standby says it is the
# primary); the RPO bytes in the trail match the lab's LSNs; the report's
# figures equal the trail's (tests/fixtures/drill_check.py); the trails
# verify.  Needs root (runuser, the second person) and the lab's
# prerequisites (PostgreSQL 15 server binaries, redis-server).
. "$(dirname "$0")/../e2e/lib.bash"
. "$(dirname "$0")/lib.bash"

if [ "$(id -u)" != 0 ] || ! command -v python3 >/dev/null; then
	echo "not ok - the lab drill test needs root and python3"
	exit 1
fi
T0=$(date +%s)
trap 'cleanup; lab_stop' EXIT
lab_start
id sitrep-bob >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin sitrep-bob

chmod 755 "$TMP"
mkdir -p "$TMP/bin" "$TMP/state" "$TMP/bob"
cp "$SITREP" "$TMP/bin/sitrep"
chmod 755 "$TMP/bin" "$TMP/bin/sitrep"
chown sitrep-bob "$TMP/bob"
chmod 700 "$TMP/bob"
TRAIL=$TMP/state/audit.jsonl
FIX=$ROOT/tests/fixtures/drills
WARROOM=redis://127.0.0.1:$REDIS_PRIMARY_PORT/1
# The lab's configuration and a war room on the lab's Redis primary (db 1).
{ cat "$LAB_DIR/sitrep.yaml"; cat <<YAML
warroom:
  redis:
    url: $WARROOM
    password_file: $LAB_DIR/redis.pass
  approval_ttl: 2m
YAML
} >"$TMP/lab.yaml"
chmod 600 "$TMP/lab.yaml"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
P() { psql_on "$PG_PRIMARY_PORT" -v ON_ERROR_STOP=1 -c "$1"; }
S() { psql_on "$PG_STANDBY_PORT" -v ON_ERROR_STOP=1 -c "$1"; }
# until_sql PORT SQL [SECONDS]: until the query says t.
until_sql() {
	local i n=$(( ${3:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		[ "$(psql_on "$1" -c "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.1
	done
	echo "# never true on :$1: $2"
	return 1
}

# 0. The lab: rows replicated and replayed; pg_promote for sitrep -----------
P "GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO sitrep" >/dev/null
# autovacuum off on the table: its WAL would move the LSNs compared below
P "CREATE TABLE drill_rows (id bigserial PRIMARY KEY, payload text) WITH (autovacuum_enabled = off)" >/dev/null
P "INSERT INTO drill_rows (payload) SELECT repeat('a', 100) FROM generate_series(1, 1000)" >/dev/null
LSN=$(P "SELECT pg_current_wal_lsn()")
check "lab: the first rows are replayed on the standby" \
    until_sql "$PG_STANDBY_PORT" "SELECT pg_last_wal_replay_lsn() >= '$LSN'" 20

command() { keys :; keys -l "$1"; keys Enter; }
# must NAME COMMAND...: check; on failure give up (the rest depends on it,
# and every later wait would only time out).
must() {
	local name=$1; shift
	if "$@"; then ok "$name"; else
		not_ok "$name"
		echo "# giving up: the rest of the drill depends on it"
		exit 1
	fi
}
records() { grep -c "\"type\":\"$1\"" "$TRAIL"; }
has_records() { [ "$(records "$1")" = "$2" ]; }
board() { keys Escape; command drill; wait_for "DR drill  Lab failover" 5; }
phase_done() {	# N TITLE
	keys p
	wait_for "Phase $1, $2, is done" 5 || return 1
	keys y
	wait_for "^ +$1 $2 .* PASS" 5
}
# step N ID: the run view shows step N of dr-failover's 27, id ID.
step() { wait_for "Step $1 of 27 +[a-z]+ +$2 " "${3:-10}"; }

# 1. The board --------------------------------------------------------------
# PATH: the inject step's argv[0] is runuser (in /usr/sbin).
start 170 50 -u SITREP_SLACK_WEBHOOK PATH="$PATH:/usr/sbin:/sbin" \
    XDG_STATE_HOME="$TMP/state" \
    SITREP_DRILLS="$FIX" SITREP_RUNBOOKS="$FIX/runbooks:$ROOT/runbooks" -- \
    drill start lab-primary-lost -c "$TMP/lab.yaml" --audit "$TRAIL"
if ! wait_for "DR drill  Lab failover - the lab primary is stopped" 15; then
	not_ok "lab: drill start opens the board"
	exit 1
fi
ok "lab: drill start opens the board"
INC=$(screen | grep -oE 'INC-[0-9]{8}-[0-9]{4}' | head -1)
check "lab: the drill runs under incident $INC" test -n "$INC"
check "lab: the environment is the lab" wait_for "env lab" 3
tick 2
pre_ticked() { [ "$(grep '"drill_checklist"' "$TRAIL" | grep -c '"list":"pre"')" = "$1" ]; }
check "lab: the pre-drill checklist is ticked (recorded)" wait_until "pre_ticked 2" 5

# 2. WAL in flight: replay paused, rows written ------------------------------
S "SELECT pg_wal_replay_pause()" >/dev/null
check "lab: replay is paused on the standby" \
    until_sql "$PG_STANDBY_PORT" "SELECT pg_get_wal_replay_pause_state() = 'paused'" 10
PAUSED_MS=$(ms)
P "INSERT INTO drill_rows (payload) SELECT repeat('b', 100) FROM generate_series(1, 20000)" >/dev/null
LSN=$(P "SELECT pg_current_wal_lsn()")
check "lab: the standby received every row (not replayed)" \
    until_sql "$PG_STANDBY_PORT" "SELECT pg_last_wal_receive_lsn() >= '$LSN'" 20
# sitrep polls every second (refresh: 1s): let it see the standby caught up
# in receiving, so that its last pg_stat_replication row before the stop
# has nothing in flight.  Nothing on screen says so: a fixed wait.
sleep 2.5
ROWS=$(P "SELECT count(*) FROM drill_rows")
PRIMARY_LSN=$(P "SELECT pg_current_wal_lsn()")
RECEIVED_LSN=$(S "SELECT pg_last_wal_receive_lsn()")
REPLAYED_LSN=$(S "SELECT pg_last_wal_replay_lsn()")
LAB_BYTES=$(P "SELECT pg_wal_lsn_diff('$PRIMARY_LSN', '$REPLAYED_LSN')::bigint")
LAB_UNREPLAYED=$(P "SELECT pg_wal_lsn_diff('$RECEIVED_LSN', '$REPLAYED_LSN')::bigint")
echo "# lab before the stop: $ROWS rows; primary at $PRIMARY_LSN," \
    "standby received $RECEIVED_LSN, replayed $REPLAYED_LSN:" \
    "$LAB_BYTES bytes behind, $LAB_UNREPLAYED received not replayed"
check "lab: WAL in flight ($LAB_BYTES bytes > 1 MiB)" test "$LAB_BYTES" -gt 1048576

# 3. The injection: the primary really stops ---------------------------------
keys i
must "lab: i opens the inject runbook's parameters" \
    wait_for "Run drill-inject-lab-primary: parameters" 5
keys Enter Enter
keys -l "$PGBIN/pg_ctl"; keys Enter
keys -l "$LAB_DIR/pg-primary"; keys Enter
check "lab: the card shows the exact argv (runuser, pg_ctl, no shell)" \
    wait_for "\\\$ runuser -u $LAB_USER -- $PGBIN/pg_ctl -D $LAB_DIR/pg-primary -m immediate -w -t 30" 5
check "lab: no injection before the step ran" test "$(records drill_inject)" = 0
STOP_MS=$(ms)
check "lab: the stop is danger: high: the target is typed" typed lab-primary
must "lab: pg_ctl stopped the primary" wait_for "✓ +1 action" 40
runuser -u "$LAB_USER" -- "$PGBIN/pg_ctl" -D "$LAB_DIR/pg-primary" status >/dev/null 2>&1
check "lab: the primary is really down (pg_ctl status exit 3)" test $? = 3
check "lab: the injection is recorded" wait_until "has_records drill_inject 1" 5
# The primary is down: nothing more reaches the standby.  What it received
# is now fixed; read it again (WAL the idle primary wrote between the read
# above and the stop, a running-xacts record or so, arrived meanwhile).
RECEIVED_LSN=$(S "SELECT pg_last_wal_receive_lsn()")
LAB_UNREPLAYED=$(S "SELECT pg_wal_lsn_diff('$RECEIVED_LSN', '$REPLAYED_LSN')::bigint")
echo "# lab after the stop: standby received $RECEIVED_LSN," \
    "$LAB_UNREPLAYED bytes received not replayed"
check "lab: the handover step" wait_for "Step 2 of 2 +manual +handover" 5
keys y
keys Escape
wait_for "DR drill  Lab failover" 5 && keys Escape
check "lab: the panels show PRIMARY DOWN" wait_for "Replication ─ PRIMARY DOWN" 15
board
check "lab: the board: the failure with its step" \
    wait_for "Failure  inject at [0-9:]{8} UTC, step stop-primary" 5
check "lab: the board: the RTO runs, the outage seen" \
    wait_for "RTO  target 10 min  [0-9]+:[0-9]{2} running  \(outage seen; healthy when \{\{pg.primary_up\}\} == 1\)" 15
check "lab: the board: phase 1 is running" \
    wait_for "^ +1 Detection +5 min +[0-9]+:[0-9]{2} +running" 3
tick 2
check "lab: phase 1 done: PASS" phase_done 1 Detection

# 4. The response: dr-failover's live steps ----------------------------------
keys r
must "lab: r opens dr-failover's parameters" wait_for "Run dr-failover: parameters" 5
keys C-u; keys -l lab-standby; keys Enter
keys C-u; keys -l lab-standby; keys Enter
keys C-u; keys -l lab-primary; keys Enter
keys Enter Enter Enter
check "lab: the run begins with the lab's servers as parameters" \
    wait_for "standby=lab-standby  other_standby=lab-standby  old_primary=lab-primary" 5
check "lab: the page" step 1 page
check "lab: the page is skipped with a reason" skip "lab: no webhook in the test"
check "lab: the pod check needs kubectl" step 2 db-pods
check "lab: skipped with a reason" skip "lab: no Kubernetes in the lab"
check "lab: the standby's position (SQL on lab-standby)" step 4 position
keys Enter
check "lab: it is in recovery, paused behind" \
    wait_for " t +\| $RECEIVED_LSN \| $REPLAYED_LSN \|" 10
check "lab: the other standby's position (the same server here)" step 5 position-other
keys Enter
check "lab: the choice: fail over?" step 8 decide
keys 1
check "lab: the promotion: SELECT pg_promote(false) on lab-standby" step 9 promote
check "lab: the card shows the SQL" wait_for "SELECT pg_promote\(false\)" 3
check "lab: the promotion is danger: high: the target is typed" typed lab-standby
must "lab: it waits for another person's approval" \
    wait_for "approval [2-9A-Z]{4}-[2-9A-Z]{4}" 10
CODE=$(screen | grep -oE 'approval [2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}' |
    head -1 | cut -d' ' -f2)
check "lab: the request has a code ($CODE)" test -n "$CODE"
check "lab: not approved: the standby is still in recovery" \
    test "$(S "SELECT pg_is_in_recovery()")" = t
check "lab: no RPO before the promotion starts" test "$(records drill_rpo)" = 0
out=$(runuser -u sitrep-bob -- env HOME="$TMP/bob" XDG_STATE_HOME="$TMP/bob" \
    SITREP_WARROOM_PASSWORD="$REDIS_PASSWORD" LANG=C.UTF-8 \
    "$TMP/bin/sitrep" approve --yes --warroom "$WARROOM" \
    --audit "$TMP/bob/audit.jsonl" "$CODE" 2>&1); rc=$?
check "lab: sitrep-bob approves with sitrep approve --yes (exit $rc)" test "$rc" = 0
check "lab: bob saw the SQL that will run" grep -q "SELECT pg_promote(false)" <<<"$out"
[ "$rc" = 0 ] || sed 's/^/#   /' <<<"$out"
must "lab: the promotion runs once approved" wait_for "✓  9 action" 20
check "lab: the RPO is recorded at the promotion" wait_until "has_records drill_rpo 1" 5
check "lab: the wait for pg_is_in_recovery() = f" step 11 promoted
keys Enter
must "lab: the wait sees the standby promoted" step 13 repoint 60
check "lab: the standby really left recovery (pg_is_in_recovery() = f)" \
    test "$(S "SELECT pg_is_in_recovery()")" = f
check "lab: every row written before the stop is on the promoted standby ($ROWS)" \
    test "$(S "SELECT count(*) FROM drill_rows")" = "$ROWS"
check "lab: the promoted standby is writable" \
    S "INSERT INTO drill_rows (payload) VALUES ('after the failover')"
check "lab: the standby's log: promoted while paused" \
    grep -q "received promote request" "$LAB_DIR/pg-standby.log"
check "lab: the DNS change needs aws" skip "lab: no DNS in the lab"
check "lab: the scale-up" step 15 scale-up
check "lab: needs Kubernetes" skip "lab: no Kubernetes in the lab"
check "lab: the health check" step 17 healthy
check "lab: the API is not in the lab" skip "lab: no API in the lab"
check "lab: the update" step 20 tell-failover
check "lab: skipped with a reason" skip "lab: no webhook in the test"
check "lab: validation" step 21 validate
keys y
check "lab: the rebuild of the old primary" step 22 rejoin
check "lab: not in this test" skip "lab: the old primary is not rebuilt here"
check "lab: the resolution" step 25 resolved
check "lab: skipped with a reason" skip "lab: no webhook in the test"
check "lab: the report step" step 27 report
keys y
must "lab: the response run is complete" wait_for "run complete" 5

# 5. The board: RTO, RPO ----------------------------------------------------
board
check "lab: the board: RTO final, PASS" \
    wait_for "RTO  target 10 min  [0-9]+:[0-9]{2} final  PASS" 15
check "lab: the board: the RPO at promote" \
    wait_for "RPO  [0-9.]+ (B|KiB|MiB), [0-9.]+ s at promote \(promoting lab-standby\)  PASS" 5
tick 2
check "lab: phase 2 done: PASS" phase_done 2 Failover
tick 1
check "lab: phase 3 done: PASS" phase_done 3 Validation
keys o
wait_for "Kind: went-well" 5
keys Tab; keys -l "lab: every row survived the promotion"
keys Enter Enter Enter Enter
check "lab: a went-well observation" wait_for "1 observation" 5
keys o
wait_for "Kind: went-well" 5
keys C-u; keys -l went-wrong; keys Tab; keys -l "lab: replay was paused on the standby"
keys Enter Enter Enter Enter
check "lab: a went-wrong observation" wait_for "2 observations" 5
keys o
wait_for "Kind: went-well" 5
keys C-u; keys -l action; keys Tab; keys -l "lab: alert on paused replay"
keys Tab; keys -l sitrep-bob; keys Tab; keys -l 2026-12-31; keys Tab; keys -l P1
keys Enter
check "lab: an action" wait_for "3 observations" 5
keys E
check "lab: E asks before ending" wait_for "End drill lab-primary-lost" 5
keys y
must "lab: the drill ends" wait_for "\[ended\]" 5
screen >"$TMP/board.txt"
keys Escape Escape q
wait_exit 50 || { keys y; wait_exit 50; }
check "lab: the console quits" test "$(exit_code)" = 0

# 6. The trail against the lab, the report against the trail ---------------
RPO=$(grep '"type":"drill_rpo"' "$TRAIL" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read())["data"]; print(d["bytes"], d["unreceived_bytes"], d["unreplayed_bytes"], d["lag_ms"], d["standby"], d["seen_primary"])')
read -r RPO_BYTES RPO_UNRECEIVED RPO_UNREPLAYED RPO_LAG RPO_STANDBY RPO_SEEN <<<"$RPO"
echo "# trail: RPO $RPO_BYTES bytes ($RPO_UNRECEIVED not received, $RPO_UNREPLAYED not replayed), lag $RPO_LAG ms; lab: $LAB_BYTES bytes, $LAB_UNREPLAYED received not replayed"
check "lab: the RPO is the promoted standby's, seen from lab-primary" \
    test "$RPO_STANDBY $RPO_SEEN" = "lab-standby lab-primary"
# The standby's own figures: nothing arrives after the stop, so what sitrep
# read at the failover is exactly what was read here after the stop.
check "lab: RPO received-not-replayed = the standby's receive - replay LSN (exact)" \
    test "$RPO_UNREPLAYED" = "$LAB_UNREPLAYED"
# The primary's side: sitrep's last pg_stat_replication row before the stop
# was taken after the standby had received everything (the wait above).
check "lab: RPO not received = 0 (the standby had received every byte)" \
    test "$RPO_UNRECEIVED" = 0
# The total against the primary's own position before the stop: equal, but
# for WAL the idle lab writes in the seconds between our read and the stop
# (a running-xacts record every 15 s, ~100 bytes; autovacuum is off on the
# table written): within one WAL page, 8 KiB.
D=$(( RPO_BYTES - LAB_BYTES )); D=${D#-}
check "lab: RPO bytes = the primary's LSN - the standby's replay LSN (|$D| <= 8192)" \
    test "$D" -le 8192
# The lag: pg_stat_replication's replay_lag as last seen: the age of the
# oldest WAL not replayed, so at most the time replay was paused.
check "lab: RPO lag ($RPO_LAG ms) within the pause ($((STOP_MS - PAUSED_MS)) ms + 2 s)" \
    test "$RPO_LAG" -gt 0 -a "$RPO_LAG" -le $(( STOP_MS - PAUSED_MS + 2000 ))
check "lab: the RTO ended on pg.primary_up = 1" \
    bash -c "grep '\"type\":\"drill_healthy\"' '$TRAIL' | grep -q '\"pg.primary_up\":\"1\"'"
"$SITREP" drill report "$INC" --audit "$TRAIL" --format json >"$TMP/r.json"
check "lab: drill report --format json" test -s "$TMP/r.json"
"$SITREP" drill report "$INC" --audit "$TRAIL" --format md >"$TMP/r.md"
check "lab: drill report --format md" test -s "$TMP/r.md"
python3 "$ROOT/tests/fixtures/drill_check.py" "$TRAIL" "$INC" "$TMP/r.json" \
    "$TMP/r.md" "$TMP/board.txt" | sed -E 's/^(not )?ok - /&lab: /' | tee "$TMP/check.log"
check "lab: the report's figures were checked" grep -q "^ok - lab: json: the RPO" "$TMP/check.log"
check "lab: the trail verifies" "$SITREP" audit verify "$TRAIL"
check "lab: bob's trail verifies" runuser -u sitrep-bob -- "$TMP/bin/sitrep" \
    audit verify "$TMP/bob/audit.jsonl"
[ -n "${DRILL_KEEP:-}" ] && cp "$TRAIL" "$TMP/r.json" "$TMP/r.md" "$TMP/board.txt" "$DRILL_KEEP"/
echo "# drill_lab: $(( $(date +%s) - T0 )) s"
finish
