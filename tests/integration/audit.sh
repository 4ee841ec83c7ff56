#!/usr/bin/env bash
# audit.sh: the audit trail under stress (docs/audit.md), through the
# driver tests/integration/itest_audit_writer.c:
#   (a) 4 processes appending 1,000 records each to one trail (and 4 x 250
#       with a key): the chain verifies, no record lost;
#   (b) SIGKILL at random moments of runbook runs (the real engine), 100+
#       times: every time the trail verifies and every action (a line in a
#       side file) has its intent record;
#   (c) a full disk (RLIMIT_FSIZE): the action is refused with a clear
#       message and does not run; the trail recovers;
#   (d) anchors in the lab's PostgreSQL and Redis (and a file): verify
#       --anchors detects a cut tail; an anchor that hangs is a record, not
#       a wait; the mirror spools while PostgreSQL is away, then catches up
#       idempotently;
#   (e) the Python verifier of docs/audit.md agrees; `sitrep audit` works.
. "$(dirname "$0")/lib.bash"

W="$B/tests/itest_audit_writer"
T=$(mktemp -d /tmp/sitrep-audit-it.XXXXXX)
chmod 700 "$T"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() {	# name command...
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$(echo "$out" | tail -5)"; fi
}
verify() { "$W" cli verify "$@"; }
cleanup() {
	[ -n "${HANG_PID:-}" ] && kill "$HANG_PID" 2>/dev/null
	lab_stop
	rm -rf "$T"
}
trap cleanup EXIT

# Count the records of a type (complete, valid lines only).
count_type() {	# trail type
	python3 - "$1" "$2" <<'PY'
import json, sys
n = 0
for raw in open(sys.argv[1], "rb"):
    if not raw.endswith(b"\n"):
        continue
    try:
        rec = json.loads(raw)
    except ValueError:
        continue
    n += rec.get("type") == sys.argv[2]
print(n)
PY
}

# Every token in the side file has a started record naming it.
side_has_intents() {	# trail side
	python3 - "$1" "$2" <<'PY'
import json, sys
intents = set()
try:
    trail = open(sys.argv[1], "rb").readlines()
except FileNotFoundError:    # killed before the trail was made
    trail = []
for raw in trail:
    if not raw.endswith(b"\n"):
        continue
    try:
        rec = json.loads(raw)
    except ValueError:
        continue
    if rec.get("type") == "started":
        for a in rec.get("data", {}).get("request", []):
            intents.add(a.split("=", 1)[-1])
try:
    side = [l.strip() for l in open(sys.argv[2]) if l.strip()]
except FileNotFoundError:
    side = []
missing = [t for t in side if t not in intents]
if missing:
    sys.exit("actions without an intent: %s" % missing[:5])
print(len(side))
PY
}

# (a) Concurrent appenders ----------------------------------------------------

A="$T/concurrent/audit.jsonl"
for i in 1 2 3 4; do "$W" append "$A" 1000 & done
wait
check "4 x 1000 concurrent appends: the chain verifies" verify "$A"
notes=$(count_type "$A" note)
[ "$notes" = 4000 ] && ok "4 x 1000 concurrent appends: 4000 notes, none lost" ||
    not_ok "4 x 1000 concurrent appends: 4000 notes, none lost" "got $notes"
distinct=$(grep -o '"text":"pid [0-9]* note [0-9]*"' "$A" | sort -u | wc -l)
[ "$distinct" = 4000 ] && ok "each of the 4000 notes appears once" ||
    not_ok "each of the 4000 notes appears once" "got $distinct"

K="$T/keyed/audit.jsonl"
mkdir -m 700 "$T/keyed"
"$W" cli keygen "$T/keyed/audit.key" >/dev/null
cp "$T/keyed/audit.key" "$T/original.key"
for i in 1 2 3 4; do "$W" append "$K" 250 "$T/keyed/audit.key" & done
wait
check "4 x 250 keyed concurrent appends verify with the original key" \
    verify --key "$T/original.key" "$K"
if verify --key "$T/keyed/audit.key" "$K" >/dev/null 2>&1; then
	not_ok "the key left on the host cannot verify the earlier records"
else
	ok "the key left on the host cannot verify the earlier records"
fi

# (e) The Python verifier of docs/audit.md --------------------------------------

awk '/<!-- verify.py -->/{f=1; next} f && /^```python/{p=1; next} p && /^```/{exit} p' \
    "$ROOT/docs/audit.md" >"$T/verify.py"
out=$(python3 "$T/verify.py" "$A")
case "$out" in "ok: 4008 records"*) ok "docs/audit.md's Python verifier agrees (plain)" ;;
*) not_ok "docs/audit.md's Python verifier agrees (plain)" "$out" ;; esac
out=$(python3 "$T/verify.py" "$K" "$T/original.key")
case "$out" in "ok: 1008 records"*) ok "docs/audit.md's Python verifier agrees (HMAC)" ;;
*) not_ok "docs/audit.md's Python verifier agrees (HMAC)" "$out" ;; esac
cp "$A" "$T/edited.jsonl"
sed -i '1234s/note /notE /' "$T/edited.jsonl"
out=$(python3 "$T/verify.py" "$T/edited.jsonl")
[ "$out" = "line 1234: hash mismatch" ] && ok "the Python verifier sees an edit" ||
    not_ok "the Python verifier sees an edit" "$out"

# (b) SIGKILL at random moments ---------------------------------------------------

S="$T/kill/audit.jsonl"
SIDE="$T/kill/side"
mkdir -m 700 "$T/kill"
kills=0 bad=0 why=""
for i in $(seq 1 120); do
	"$W" run "$S" "$SIDE" 0 >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 6))$((RANDOM % 10))"
	kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	if [ -e "$S" ] && ! o=$(verify "$S" 2>&1); then bad=$((bad + 1)); why="$o"; fi
	if ! o=$(side_has_intents "$S" "$SIDE" 2>&1); then bad=$((bad + 1)); why="$o"; fi
done
actions=$(side_has_intents "$S" "$SIDE" 2>/dev/null)
if [ "$bad" = 0 ] && [ "$kills" -ge 100 ] && [ "${actions:-0}" -gt 0 ]; then
	ok "$kills SIGKILLs: the trail verified every time, all $actions actions had their intent"
else
	not_ok "SIGKILL at random moments" "kills=$kills bad=$bad actions=$actions" "$why"
fi
check "after the kills, the next append records any torn tail and verifies" \
    bash -c "'$W' append '$S' 1 && '$W' cli verify '$S'"
out=$("$W" cli unfinished "$S")
case "$out" in *"side-effect"*|"no unfinished run"*) ok "unfinished runs are listed" ;;
*) not_ok "unfinished runs are listed" "$out" ;; esac
out=$("$W" cli export --incident INC-20261121-0042 --format md "$S")
case "$out" in *"# Post-incident review: INC-20261121-0042"*"## Actions taken"*"intact"*)
	ok "export writes the post-incident timeline" ;;
*) not_ok "export writes the post-incident timeline" "$(echo "$out" | head -3)" ;; esac

# (c) A full disk (RLIMIT_FSIZE) ----------------------------------------------------

F="$T/full/audit.jsonl"
FSIDE="$T/full/side"
mkdir -m 700 "$T/full"
out=$("$W" run "$F" "$FSIDE" 0 20000 2>&1)
rc=$?
case "$out" in *"refused: the intent could not be recorded: not run"*"file size limit"*)
	[ $rc = 0 ] && ok "full disk: the action is refused with a clear message" ||
	    not_ok "full disk: the action is refused with a clear message" "rc=$rc $out" ;;
*) not_ok "full disk: the action is refused with a clear message" "$out" ;; esac
started=$(count_type "$F" started)
sides=$(side_has_intents "$F" "$FSIDE")
[ "$started" = "$sides" ] && ok "full disk: the refused action did not run ($sides ran, $started intents)" ||
    not_ok "full disk: the refused action did not run" "started=$started side=$sides"
check "full disk: the trail still verifies" verify "$F"
check "full disk: with space again, appends resume and verify" \
    bash -c "'$W' append '$F' 3 && '$W' cli verify '$F' && grep -q '\"type\":\"recovered\"' '$F'"

# (e) sitrep audit ----------------------------------------------------------------------

check "sitrep audit verify is wired (sitrep.c)" "$ROOT/sitrep" audit verify "$A"

# (d) Anchors and the mirror in the lab -------------------------------------------------

lab_start
PGC="host=127.0.0.1 port=$PG_PRIMARY_PORT dbname=erp user=sitrep connect_timeout=3"
cat >"$T/anchors.yaml" <<YAML
environments: {lab: {}}
audit:
  anchor_every: 100
  anchors:
    file: $T/anchors.jsonl
    postgres: {conninfo: "$PGC", password_file: $LAB_DIR/pg.pass}
    redis: {url: "redis://127.0.0.1:$REDIS_PRIMARY_PORT/0", password_file: $LAB_DIR/redis.pass}
YAML
cat >"$T/pg-only.yaml" <<YAML
environments: {lab: {}}
audit: {anchors: {postgres: {conninfo: "$PGC", password_file: $LAB_DIR/pg.pass}}}
YAML
cat >"$T/redis-only.yaml" <<YAML
environments: {lab: {}}
audit: {anchors: {redis: {url: "redis://127.0.0.1:$REDIS_PRIMARY_PORT/0", password_file: $LAB_DIR/redis.pass}}}
YAML
N="$T/anchored/audit.jsonl"
check "250 records anchored in a file, PostgreSQL and Redis" "$W" anchor "$T/anchors.yaml" "$N" 250
rows=$(psql_on "$PG_PRIMARY_PORT" -c "SELECT count(*) FROM sitrep_audit_anchor")
[ "$rows" = 3 ] && ok "PostgreSQL holds the anchors (seq 100, 200, the end)" ||
    not_ok "PostgreSQL holds the anchors" "rows=$rows"
rkeys=$(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p "$REDIS_PRIMARY_PORT" --scan --pattern 'sitrep:audit:head:*' | wc -l)
[ "$rkeys" = 1 ] && ok "Redis holds the head" || not_ok "Redis holds the head" "keys=$rkeys"
check "verify --anchors: intact" verify --anchors="$T/anchors.yaml" "$N"
head -n 248 "$N" >"$T/cut.jsonl" && cat "$T/cut.jsonl" >"$N"
check "without anchors a cut tail looks intact" verify "$N"
for c in anchors pg-only redis-only; do
	out=$(verify --anchors="$T/$c.yaml" "$N")
	case "$out" in *": truncated: the head anchored in "*) ok "verify --anchors ($c) detects the cut tail" ;;
	*) not_ok "verify --anchors ($c) detects the cut tail" "$out" ;; esac
done

# An anchor that never answers: a record, no wait on the appends.
HANG_PORT=$((LAB_PORT_BASE + 5))
python3 "$ROOT/tests/fixtures/blackhole.py" "$HANG_PORT" 120 >"$T/hang.out" &
HANG_PID=$!
for _ in $(seq 1 50); do grep -q ready "$T/hang.out" 2>/dev/null && break; sleep 0.1; done
cat >"$T/hang.yaml" <<YAML
environments: {lab: {}}
audit:
  anchor_every: 50
  anchors: {postgres: {conninfo: "host=127.0.0.1 port=$HANG_PORT dbname=x user=x", connect_timeout: 1s}}
YAML
H="$T/hang/audit.jsonl"
out=$("$W" anchor "$T/hang.yaml" "$H" 200)
ms=$(echo "$out" | sed -n 's/appended 200 in \([0-9]*\) ms/\1/p')
[ -n "$ms" ] && [ "$ms" -lt 2000 ] && ok "a hung anchor does not hold up appends (200 in $ms ms)" ||
    not_ok "a hung anchor does not hold up appends" "$out"
failed=$(count_type "$H" anchor_failed)
[ "${failed:-0}" -ge 1 ] && ok "anchor failures are records ($failed)" ||
    not_ok "anchor failures are records" "anchor_failed=$failed"
check "the trail with anchor failures verifies" verify "$H"

# The mirror: spooled while the database is away, then caught up.
cat >"$T/mirror-down.yaml" <<YAML
environments: {lab: {}}
audit: {mirror: {postgres: {conninfo: "host=127.0.0.1 port=1 dbname=x user=x"}}}
YAML
cat >"$T/mirror.yaml" <<YAML
environments: {lab: {}}
audit: {mirror: {postgres: {conninfo: "$PGC", password_file: $LAB_DIR/pg.pass}}}
YAML
M="$T/mirror/audit.jsonl"
"$W" anchor "$T/mirror-down.yaml" "$M" 120 >/dev/null
[ ! -s "$M.mirror" ] || [ "$(cut -d' ' -f1 "$M.mirror")" = 0 ] &&
    ok "the database away: records stay spooled in the trail" ||
    not_ok "the database away: records stay spooled in the trail" "$(cat "$M.mirror")"
check "the database back: the mirror catches up" "$W" mirror "$T/mirror.yaml" "$M"
lines=$(wc -l <"$M")
rows=$(psql_on "$PG_PRIMARY_PORT" -c "SELECT count(*) FROM sitrep_audit WHERE trail = (SELECT trail FROM sitrep_audit WHERE seq = 1 LIMIT 1)")
[ "$rows" = "$lines" ] && ok "every record is in the mirror ($rows)" ||
    not_ok "every record is in the mirror" "rows=$rows lines=$lines"
rm -f "$M.mirror"
check "mirroring again from the start" "$W" mirror "$T/mirror.yaml" "$M"
rows2=$(psql_on "$PG_PRIMARY_PORT" -c "SELECT count(*) FROM sitrep_audit")
[ "$rows2" = "$rows" ] && ok "the mirror is idempotent (ON CONFLICT (seq, hash))" ||
    not_ok "the mirror is idempotent" "rows=$rows2, was $rows"
same=$(psql_on "$PG_PRIMARY_PORT" -c "SELECT line FROM sitrep_audit ORDER BY seq" | cmp - "$M" && echo same)
[ "$same" = same ] && ok "the mirrored lines are the trail's, byte for byte" ||
    not_ok "the mirrored lines are the trail's, byte for byte"
