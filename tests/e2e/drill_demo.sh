#!/usr/bin/env bash
# End-to-end: a DR drill run from start to report in the demo world
# (docs/drills.md).  `sitrep drill start primary-lost --demo=calm
# --demo-speed=60` in tmux, with a war room (a redis-server on a loopback
# port) because dr-failover's promote-demo is a two-person step: the
# pre-drill checklist; the injection (drill-inject-primary-lost, its
# steps confirmed as always: the notify skipped with a reason, the
# danger: high stop typed); the phases timed and marked done; the
# response runbook dr-failover run to its end (checks, a choice, the
# promotion typed and approved by another Unix user with `sitrep approve
# --yes`, waits, actions, manual steps); one observation of each kind; the
# end.  On screen: the phase timers and PASS, the RTO running then final,
# the RPO.  Then `sitrep drill report` (JSON and Markdown): every figure
# equals what the drill_* records of the trail say
# (tests/fixtures/drill_check.py, which also checks the board's last
# screen), and the trails verify.
#
# Needs root (it creates the user sitrep-bob, the second person, and runs
# `sitrep approve` as him with runuser) and redis-server.
. "$(dirname "$0")/lib.bash"

if [ "$(id -u)" != 0 ] || ! command -v redis-server >/dev/null ||
    ! command -v python3 >/dev/null; then
	echo "not ok - the drill test needs root, redis-server and python3"
	exit 1
fi
id sitrep-bob >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin sitrep-bob
T0=$(date +%s)

PORT=$(( 25000 + ($$ % 4000) ))
chmod 755 "$TMP"
mkdir -p "$TMP/bin" "$TMP/state" "$TMP/bob"
cp "$SITREP" "$TMP/bin/sitrep"
chmod 755 "$TMP/bin" "$TMP/bin/sitrep"
chown sitrep-bob "$TMP/bob"
chmod 700 "$TMP/bob"
TRAIL=$TMP/state/audit.jsonl
cat >"$TMP/wr.yaml" <<YAML
environments:
  demo:
    redis:
      - name: unused
        url: redis://127.0.0.1:1
warroom:
  redis:
    url: redis://127.0.0.1:$PORT
  approval_ttl: 2m
YAML
chmod 644 "$TMP/wr.yaml"

redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
    >"$TMP/redis.log" 2>&1 &
REDIS_PID=$!
trap 'kill $REDIS_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do
	redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
	sleep 0.1
done
check "redis-server is up (the war room)" redis-cli -p "$PORT" ping

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
# ticked: how many items of the checklist shown are ticked.
ticked() { screen | grep -c '\[x\]'; }
is_ticked() { [ "$(ticked)" = "$1" ]; }
# records TYPE: the drill's records of TYPE in the trail.
records() { grep -c "\"type\":\"$1\"" "$TRAIL"; }
has_records() { [ "$(records "$1")" = "$2" ]; }
board() { keys Escape; command drill; wait_for "DR drill  Full failover" 5; }
phase_done() {	# N TITLE
	keys p
	wait_for "Phase $1, $2, is done" 5 || return 1
	keys y
	wait_for "^ +$1 $2 .* PASS" 5
}
# the time the board shows for the running phase 1
phase1_time() { screen | sed -nE 's/^ +1 Detection +5 min +([0-9]+:[0-9]{2}) +running.*/\1/p'; }
moves() {	# the phase timer moves within 5 s
	local t0 i
	t0=$(phase1_time)
	[ -n "$t0" ] || return 1
	for ((i = 0; i < 50; i++)); do
		[ "$(phase1_time)" != "$t0" ] && [ -n "$(phase1_time)" ] && return 0
		sleep 0.1
	done
	return 1
}

# 1. The board, the pre-drill checklist ------------------------------------
start 170 50 -u SITREP_RUNBOOKS -u SITREP_DRILLS -u SITREP_SLACK_WEBHOOK \
    XDG_STATE_HOME="$TMP/state" SITREP_DATADIR="$ROOT" -- \
    drill start primary-lost --demo=calm --demo-speed=60 -c "$TMP/wr.yaml" \
    --audit "$TRAIL"
if ! wait_for "DR drill  Full failover - the database primary is lost" 15; then
	not_ok "drill start opens the board"
	exit 1
fi
ok "drill start opens the board"
INC=$(screen | grep -oE 'INC-[0-9]{8}-[0-9]{4}' | head -1)
check "the drill runs under a new incident ($INC)" test -n "$INC"
check "before the failure: pre-drill, RTO not started" \
    wait_for "RTO  target 30 min  not started" 3
check "the RPO waits for the failover step" \
    wait_for "RPO  measured when dr-failover starts promote" 3
check "the drill_start record" wait_until "has_records drill_start 1" 5
tick 8
pre_ticked() { [ "$(grep '"drill_checklist"' "$TRAIL" | grep -c '"list":"pre"')" = "$1" ]; }
check "all 8 pre-drill items ticked on screen" wait_until "is_ticked 8" 5
check "each tick recorded" wait_until "pre_ticked 8" 5

# 2. The injection -----------------------------------------------------------
keys i
must "i opens the inject runbook's parameters" \
    wait_for "Run drill-inject-primary-lost: parameters" 5
keys Enter Enter
check "the inject run begins under the drill's incident" \
    wait_for "RUNBOOK drill-inject-primary-lost .*$INC" 5
check "its first step is the announcement" wait_for "Step 1 of 7 +notify +announce" 5
check "the announcement is skipped with a reason (no webhook here)" \
    skip "e2e: no webhook in the test"
check "the environment is confirmed" wait_for "Step 2 of 7 +manual" 5
keys y
check "the live stop is skipped by its when: the demo twin is shown" \
    wait_for "Step 4 of 7 +action +stop-primary-demo" 5
check "no injection before the step ran" test "$(records drill_inject)" = 0
check "the stop is danger: high: the target is typed" typed pg-primary
must "the primary is stopped" wait_for "✓ +4 action" 10
check "the injection is recorded when the step finished OK" \
    wait_until "has_records drill_inject 1" 5
check "the wait for the primary to be down is shown" wait_for "Step 6 of 7 +wait" 5
keys Enter
check "the primary is down (wait ok)" wait_for "✓ +6 wait" 60
check "the handover step" wait_for "Step 7 of 7 +manual +handover" 5
keys y
check "the inject run is complete" wait_for "run complete" 5

# 3. The outage on the board -------------------------------------------------
board
check "the board: the failure with its step" \
    wait_for "Failure  inject at [0-9:]{8} UTC, step stop-primary-demo" 5
check "the board: the RTO runs from the injection" \
    wait_for "RTO  target 30 min  [0-9]+:[0-9]{2} running" 5
check "the board: the outage is seen" wait_for "RTO .* running  \(outage seen;" 30
check "the board: phase 1 is running" \
    wait_for "^ +1 Detection +5 min +[0-9]+:[0-9]{2} +running" 5
check "the board: the phase timer moves" moves
check "the board: phase 1's checklist is shown" \
    wait_for "Phase 1 checklist: Detection" 3
tick 4
check "phase 1's checklist is ticked (the cursor starts on its first item)" \
    wait_until "is_ticked 4" 5
check "phase 1 done: PASS" phase_done 1 Detection
check "phase 2 runs, its checklist shown" \
    wait_for "Phase 2 checklist: Assessment" 3
tick 4
check "phase 2's checklist is ticked" wait_until "is_ticked 4" 5
check "phase 2 done: PASS" phase_done 2 Assessment
check "phase 3 is running" wait_for "^ +3 Failover +15 min +[0-9]+:[0-9]{2} +running" 3

# 4. The response: dr-failover ----------------------------------------------
keys r
must "r opens dr-failover's parameters" wait_for "Run dr-failover: parameters" 5
keys Enter Enter Enter Enter Enter Enter
check "the response run begins" wait_for "Step 1 of 27 +notify +page" 5
check "the page is skipped with a reason" skip "e2e: no webhook in the test"
check "the scope check is next (live checks skipped)" \
    wait_for "Step 3 of 27 +check +assess-demo" 5
keys Enter
check "the standby's position" wait_for "Step 6 of 27 +check +position-demo" 10
keys Enter
check "the other standby's position" wait_for "Step 7 of 27 +check" 10
keys Enter
check "the choice: fail over?" wait_for "Step 8 of 27 +choice +decide" 10
keys 1
check "the promotion is shown, two-person" \
    wait_for "Step 10 of 27 +action +promote-demo" 5
check "the promotion is danger: high: the target is typed" typed pg-standby-1
must "it waits for another person's approval" \
    wait_for "approval [2-9A-Z]{4}-[2-9A-Z]{4}" 10
CODE=$(screen | grep -oE 'approval [2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}' |
    head -1 | cut -d' ' -f2)
check "the request has a code ($CODE)" test -n "$CODE"
sleep 1
check "not approved: the promotion has not started, no RPO yet" \
    test "$(records drill_rpo)" = 0
out=$(runuser -u sitrep-bob -- env HOME="$TMP/bob" XDG_STATE_HOME="$TMP/bob" \
    LANG=C.UTF-8 "$TMP/bin/sitrep" approve --yes -c "$TMP/wr.yaml" \
    --audit "$TMP/bob/audit.jsonl" "$CODE" 2>&1); rc=$?
check "sitrep-bob approves with sitrep approve --yes (exit $rc)" test "$rc" = 0
check "bob saw what will run" grep -q "sim promote standby=pg-standby-1" <<<"$out"
[ "$rc" = 0 ] || sed 's/^/#   /' <<<"$out"
must "the promotion runs once approved" wait_for "✓ 10 action" 15
check "the RPO is recorded at the promotion" wait_until "has_records drill_rpo 1" 5
check "the trail: bob's answer" \
    bash -c "grep '\"type\":\"approval_answered\"' '$TRAIL' | grep -q '\"user\":\"sitrep-bob\"'"
check "the wait for pg_is_in_recovery() = false" \
    wait_for "Step 12 of 27 +wait +promoted-demo" 5
keys Enter
check "the standby left recovery" wait_for "Step 14 of 27 +check +repoint-demo" 60
keys Enter
check "the scale-up is shown" wait_for "Step 16 of 27 +action +scale-up-demo" 10
keys y
check "the health wait is shown" wait_for "Step 18 of 27 +wait +healthy-demo" 10
keys Enter
check "the services are healthy" wait_for "Step 19 of 27 +wait +circuits-demo" 90
keys Enter
check "every circuit closed" wait_for "Step 20 of 27 +notify +tell-failover" 90
check "the update is skipped with a reason" skip "e2e: no webhook in the test"
check "validation" wait_for "Step 21 of 27 +manual +validate" 5
keys y
check "the rebuild of the old primary" wait_for "Step 23 of 27 +action +rejoin-demo" 5
keys y
check "replication catching up is shown" wait_for "Step 24 of 27 +wait" 10
keys Enter
check "replication is catching up" wait_for "Step 25 of 27 +notify +resolved" 90
check "the resolution is skipped with a reason" skip "e2e: no webhook in the test"
check "the report step (after next: report)" wait_for "Step 27 of 27 +manual +report" 5
keys y
must "the response run is complete" wait_for "run complete" 5

# 5. The board after the failover -------------------------------------------
board
check "the board: RTO final, PASS" \
    wait_for "RTO  target 30 min  [0-9]+:[0-9]{2} final  PASS" 30
check "the board: the RPO at promote-demo, PASS" \
    wait_for "RPO  [0-9.]+ (B|KiB|MiB), [0-9.]+ s at promote-demo \(promoting pg-standby-1\)  PASS" 5
check "the board: the response is done" wait_for "Response  dr-failover: done" 5
check "the board: recovered" wait_for "\[recovered\]" 5
tick 5
check "phase 3 done: PASS" phase_done 3 Failover
tick 5
check "phase 4 done: PASS" phase_done 4 Validation
tick 4
check "phase 5 done: PASS" phase_done 5 Recovery

# 6. Observations, the end --------------------------------------------------
keys o
check "o asks for an observation" wait_for "Kind: went-well, went-wrong or action" 5
keys Tab; keys -l "e2e: the promotion was approved within a minute"
keys Enter Enter Enter Enter
check "a went-well observation" wait_for "1 observation" 5
keys o
wait_for "Kind: went-well" 5
keys C-u; keys -l went-wrong; keys Tab
keys -l "e2e: no webhook for the status updates"
keys Enter Enter Enter Enter
check "a went-wrong observation" wait_for "2 observations" 5
keys o
wait_for "Kind: went-well" 5
keys C-u; keys -l action; keys Tab
keys -l "e2e: set SITREP_SLACK_WEBHOOK in the drill environment"
keys Tab; keys -l sitrep-bob; keys Tab; keys -l 2026-12-31; keys Tab; keys -l P2
keys Enter
check "an action with owner, due date and priority" wait_for "3 observations" 5
check "three drill_observation records" wait_until "has_records drill_observation 3" 5
keys E
check "E asks before ending" wait_for "End drill primary-lost \($INC\)\?" 5
keys y
must "the drill ends" wait_for "\[ended\]" 5
check "the status bar names the report" \
    wait_for "drill ended: sitrep drill report $INC" 5
screen >"$TMP/board.txt"
keys Escape Escape q
wait_exit 50 || { keys y; wait_exit 50; }
check "the console quits" test "$(exit_code)" = 0

# 7. The report against the trail -------------------------------------------
"$SITREP" drill report "$INC" --audit "$TRAIL" --format json >"$TMP/r.json"
check "drill report --format json (exit $?)" test -s "$TMP/r.json"
"$SITREP" drill report "$INC" --audit "$TRAIL" --format md >"$TMP/r.md"
check "drill report --format md (exit $?)" test -s "$TMP/r.md"
python3 "$ROOT/tests/fixtures/drill_check.py" "$TRAIL" "$INC" "$TMP/r.json" \
    "$TMP/r.md" "$TMP/board.txt" | tee "$TMP/check.log"
check "the figures were checked" grep -q "^ok - json: the RPO" "$TMP/check.log"
"$SITREP" drill report primary-lost --audit "$TRAIL" --format json >"$TMP/r2.json"
check "the drill's id finds its latest run" cmp -s "$TMP/r.json" "$TMP/r2.json"
check "the trail verifies" "$SITREP" audit verify "$TRAIL"
check "bob's trail verifies" runuser -u sitrep-bob -- "$TMP/bin/sitrep" \
    audit verify "$TMP/bob/audit.jsonl"
[ -n "${DRILL_KEEP:-}" ] && cp "$TRAIL" "$TMP/r.json" "$TMP/r.md" "$TMP/board.txt" "$DRILL_KEEP"/
echo "# drill_demo: $(( $(date +%s) - T0 )) s"
finish
