#!/usr/bin/env bash
# Integration: `sitrep status` against the real lab (PostgreSQL primary +
# standby, Redis primary + replica, an outbox table): the figures, how long
# a call takes, and a stopped primary.
. "$(dirname "$0")/../e2e/lib.bash"
. "$(dirname "$0")/lib.bash"
trap 'cleanup; lab_stop' EXIT
lab_start

export XDG_RUNTIME_DIR="$TMP/run" XDG_STATE_HOME="$TMP/state"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
CFG="$LAB_DIR/sitrep.yaml"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
not_ok() { echo "not ok - $1"; NFAIL=$((NFAIL + 1)); echo "#   $J"; }
J=""

t0=$(ms); J=$("$SITREP" status -c "$CFG" --json --cache=0); rc=$?; t1=$(ms)
echo "# lab, --json, no cache: $((t1 - t0)) ms"
check "lab: exit 0" test "$rc" = 0
check "lab: environment lab, nothing stale" \
    test "$(json_get '(d["env"], d["stale"])' <<<"$J")" = "('lab', [])"
check "lab: the primary and its streaming standby" \
    test "$(json_get '(d["replication"]["primary_state"], d["replication"]["standbys"], d["replication"]["not_streaming"])' <<<"$J")" = "('primary', 1, 0)"
check "lab: the worst lag is the standby's, in bytes" \
    test "$(json_get 'd["replication"]["worst"] == "lab-standby" and d["replication"]["lag_bytes"] >= 0' <<<"$J")" = True
check "lab: the outbox is read" test "$(json_get 'd["outbox"]["ok"] and d["outbox"]["outboxes"] >= 1' <<<"$J")" = True
check "lab: both Redis nodes up" test "$(json_get '(d["redis"]["nodes"], d["redis"]["down"])' <<<"$J")" = "(2, 0)"
check "lab: kinds without a source are null" test "$(json_get '(d["pods"], d["alerts"], d["circuits"])' <<<"$J")" = "(None, None, None)"

t0=$(ms); L=$("$SITREP" status -c "$CFG" --cache=0); t1=$(ms)
echo "# lab, --tmux, no cache: $((t1 - t0)) ms: $L"
check "lab: the tmux line shows the lag and the outbox" grep -qE 'lag [0-9.]+[BKMG]/[0-9.]+s.* · .*outbox [0-9.k]+' <<<"$L"
check "lab: a call takes less than 3 s" test $((t1 - t0)) -lt 3000
L1=$("$SITREP" status -c "$CFG")
t0=$(ms); L2=$("$SITREP" status -c "$CFG"); t1=$(ms)
echo "# lab, --tmux, from the cache: $((t1 - t0)) ms"
check "lab: a cached call is the same line" test "$L1" = "$L2"

if [ "$(id -u)" -eq 0 ]; then
	runuser -u "$LAB_USER" -- "$PGBIN/pg_ctl" -D "$LAB_DIR/pg-primary" -m immediate -w stop >/dev/null
else
	"$PGBIN/pg_ctl" -D "$LAB_DIR/pg-primary" -m immediate -w stop >/dev/null
fi
t0=$(ms); L=$("$SITREP" status -c "$CFG" --cache=0 --no-color); t1=$(ms)
echo "# lab, primary stopped, --tmux: $((t1 - t0)) ms: $L"
check "lab: a stopped primary shows PRIMARY DOWN" grep -qF "PRIMARY DOWN" <<<"$L"
check "lab: still within 3 s" test $((t1 - t0)) -lt 3000
finish
