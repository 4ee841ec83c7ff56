#!/usr/bin/env bash
# End-to-end: the war room.  Two consoles as two different Unix users
# (sitrep-alice drives, sitrep-bob follows) against a real redis-server on
# a loopback port, both on the demo world.  Alice runs a runbook; Bob
# follows it (late join: he sees the step that ran before he came), both
# headers say who drives and who watches; a two-person step waits for
# another person: Alice's own approval is refused, Bob's `sitrep approve`
# runs it; after a dropped connection (CLIENT KILL) the follow view goes
# on; Bob approves the next one from his follow view; a request expires;
# Alice hands the wheel to Bob, who takes the run over and goes on, while
# Alice's console refuses to take steps.  Every step is in the trails:
# Alice's (requests, answers with Bob's identity, the handover) and
# Bob's (his answers, taking over), and both verify.
#
# Needs root (it creates the two users and runs the consoles as them with
# runuser).
. "$(dirname "$0")/lib.bash"

if [ "$(id -u)" != 0 ] || ! command -v redis-server >/dev/null; then
	echo "not ok - the war room test needs root and redis-server"
	exit 1
fi
for u in sitrep-alice sitrep-bob; do
	id "$u" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$u"
done

PORT=$(( 21000 + ($$ % 4000) ))
chmod 755 "$TMP"
mkdir -p "$TMP/bin" "$TMP/rb" "$TMP/data"
cp "$SITREP" "$TMP/bin/sitrep"
cp -r "$ROOT/scenarios" "$TMP/data/"
cp "$ROOT/tests/fixtures/warroom/e2e-warroom.yaml" "$TMP/rb/"
chmod -R a+rX "$TMP/bin" "$TMP/rb" "$TMP/data"
for u in alice bob; do
	mkdir -p "$TMP/$u/state"
	chown -R "sitrep-$u" "$TMP/$u"
	chmod 700 "$TMP/$u"
done
cat >"$TMP/wr.yaml" <<YAML
environments:
  demo:
    redis:
      - name: unused
        url: redis://127.0.0.1:1
warroom:
  redis:
    url: redis://127.0.0.1:$PORT
  presence_ttl: 6s
  approval_ttl: 12s
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
check "redis-server is up" redis-cli -p "$PORT" ping

# as USER CMD...: a command as sitrep-USER with its own home and state.
as() {
	local u=$1; shift
	runuser -u "sitrep-$u" -- env HOME="$TMP/$u" \
	    XDG_STATE_HOME="$TMP/$u/state" SITREP_RUNBOOKS="$TMP/rb" \
	    SITREP_DATADIR="$TMP/data" LANG=C.UTF-8 "$@"
}
# console USER ARGS...: sitrep as USER in tmux session USER.
console() {
	local u=$1; shift
	tm kill-session -t "$u" >/dev/null 2>&1
	tm new-session -d -s "$u" -x 170 -y 45 \
	    "runuser -u sitrep-$u -- env HOME=$TMP/$u XDG_STATE_HOME=$TMP/$u/state SITREP_RUNBOOKS=$TMP/rb SITREP_DATADIR=$TMP/data LANG=C.UTF-8 TERM=tmux-256color $TMP/bin/sitrep --demo=calm -c $TMP/wr.yaml --audit $TMP/$u/state/audit.jsonl $* ; echo \$? > $TMP/$u.exit"
}
scr() { tm capture-pane -p -t "$1"; }
k() { local s=$1; shift; tm send-keys -t "$s" "$@"; }
cmd() { k "$1" :; k "$1" -l "$2"; k "$1" Enter; }
# waitf SESSION PATTERN [SECONDS]
waitf() {
	local i n=$(( ${3:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		scr "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	echo "# $1 did not show /$2/:"; scr "$1" | sed 's/^/#   /'
	return 1
}
trail() { cat "$TMP/$1/state/audit.jsonl"; }

# 1. Alice drives -------------------------------------------------------
console alice
check "alice's console opens on the demo world" waitf alice "DEMO calm" 15
cmd alice "runbook e2e-warroom"
check "the run view opens" waitf alice "E2E war room" 5
k alice Enter
check "the first check runs" waitf alice "looking around" 10
INC=$(scr alice | grep -oE 'INC-[0-9]{8}-[0-9]{4}' | head -1)
check "an incident is open ($INC)" test -n "$INC"
check "alice drives it" waitf alice "driving: sitrep-alice@" 10

# 2. Bob follows, late --------------------------------------------------
console bob
sleep 0.5
k bob :; k bob -l "follow $INC"; k bob Enter
check "bob's follow view opens on the incident" waitf bob "Following $INC" 10
check "late join: bob sees the step that ran before he came" \
    waitf bob "look" 10
check "bob's header: alice drives" waitf bob "driving: sitrep-alice@" 10
check "alice's header: bob watches" waitf alice "watching: sitrep-bob@" 15

# 3. A two-person step --------------------------------------------------
k alice y
check "the confirmation says another person must approve" \
    waitf alice "Another person approves it" 5
k alice y
check "the request is made" waitf alice "approval [2-9A-Z]{4}-[2-9A-Z]{4}" 10
CODE=$(scr alice | grep -oE '[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}' | head -1)
check "it has a code ($CODE)" test -n "$CODE"
check "the step has not run" bash -c "! grep -q '\"type\":\"started\".*\"id\":\"scale\"' $TMP/alice/state/audit.jsonl"

out=$(as alice "$TMP/bin/sitrep" approve --yes -c "$TMP/wr.yaml" \
    --audit "$TMP/alice/state/audit.jsonl" "$CODE" 2>&1); rc=$?
check "alice cannot approve her own request (exit $rc)" test "$rc" != 0
check "she is told why" grep -qi "another person\|own request" <<<"$out"
sleep 1
check "the step still has not run" bash -c "! grep -q '\"type\":\"started\".*\"id\":\"scale\"' $TMP/alice/state/audit.jsonl"

out=$(as bob "$TMP/bin/sitrep" approve --yes -c "$TMP/wr.yaml" \
    --audit "$TMP/bob/state/audit.jsonl" "$CODE" 2>&1); rc=$?
check "bob approves with sitrep approve (exit $rc)" test "$rc" = 0
check "bob saw what will run" grep -q "inventory" <<<"$out"
check "alice's step runs once bob approved" waitf alice "✓ +2 action" 10
check "alice's trail: the request" grep -q '"type":"approval_requested"' \
    "$TMP/alice/state/audit.jsonl"
check "alice's trail: bob's answer with his identity" \
    bash -c "grep '\"type\":\"approval_answered\"' $TMP/alice/state/audit.jsonl | grep -q '\"user\":\"sitrep-bob\"'"
check "alice's trail: the step confirmed with bob as approver" \
    bash -c "grep '\"type\":\"confirmed\"' $TMP/alice/state/audit.jsonl | grep -q 'sitrep-bob@'"
check "bob's trail: his approval" grep -q '"type":"approval_answer"' \
    "$TMP/bob/state/audit.jsonl"
check "bob's follow view shows the step done" waitf bob "scale" 10

# 4. A dropped connection -----------------------------------------------
redis-cli -p "$PORT" CLIENT KILL TYPE normal >/dev/null
sleep 1
k alice Enter
check "alice runs the next check" waitf alice "approved and done" 10
check "after the dropped connection bob still follows" \
    waitf bob "✓ .*After the approval" 15

# 5. Approval from the follow view --------------------------------------
k alice y
waitf alice "Another person approves it" 5 >/dev/null
k alice y
check "bob's follow view shows the request" waitf bob "APPROVAL" 10
k bob a
check "bob reviews what will run" waitf bob "inventory" 5
k bob y
check "alice's second two-person step runs" waitf alice "✓ +4 action" 10

# 6. Handover -----------------------------------------------------------
cmd alice "handover sitrep-bob"
check "alice is asked to confirm the handover" \
    waitf alice "Hand over the wheel" 5
k alice y
check "bob is handed the wheel" waitf bob "You have the wheel" 10
check "alice's header: bob drives" waitf alice "driving: sitrep-bob@" 10
k bob T
check "bob takes the run over" waitf bob "E2E war room" 10
k bob Enter
check "bob runs the next step" waitf bob "run by the new driver" 15
k alice Escape
cmd alice "runbook e2e-warroom"
k alice Enter
check "alice's console refuses to take steps" \
    waitf alice "sitrep-bob@.* is driving" 10
check "alice's trail: the handover" grep -q '"type":"handover"' \
    "$TMP/alice/state/audit.jsonl"
check "bob's trail: taking over" grep -q '"type":"handover_taken"' \
    "$TMP/bob/state/audit.jsonl"

# 7. Expiry -------------------------------------------------------------
k bob y
waitf bob "Another person approves it" 5 >/dev/null
k bob y
check "an unanswered request expires" waitf bob "expired" 25

# 8. Both trails verify -------------------------------------------------
k alice Escape Escape q; k bob Escape Escape q
sleep 1; k alice y; k bob y
sleep 1
verify() { as "$1" "$TMP/bin/sitrep" audit verify "$TMP/$1/state/audit.jsonl" >/dev/null; }
check "alice's trail verifies" verify alice
check "bob's trail verifies" verify bob
finish
