#!/usr/bin/env bash
# End-to-end: `sitrep status` (issue #7).  The demo world's figures as JSON,
# the tmux line (format, colours, width), the plain form, the cache, the
# open incident from the audit trail, sources that are hung or refuse
# (the deadline holds, the failures are marked), and bad options.
. "$(dirname "$0")/lib.bash"

export XDG_RUNTIME_DIR="$TMP/run" XDG_STATE_HOME="$TMP/state"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset NO_COLOR
ms() { echo $(( $(date +%s%N) / 1000000 )); }
st() { "$SITREP" status "$@"; }
# jq-like: json_get EXPR < json  (EXPR on d, python)
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
visible() { sed -E 's/#\[[^]]*\]//g'; }
# No tmux here: a failure shows the output under test, not a screen.
J="" L=""
not_ok() {
	echo "not ok - $1"; NFAIL=$((NFAIL + 1))
	printf 'json: %s\nline: %s\n' "$J" "$L" | cut -c1-400 | sed 's/^/#   /'
}

# --- The demo world -------------------------------------------------------
J=$(st --demo=primary-lost --json --cache=0)
check "json parses and names the demo environment" \
    test "$(json_get 'd["env"]' <<<"$J")" = demo
check "primary-lost at 0s: the primary is up" \
    test "$(json_get 'd["replication"]["primary_down"]' <<<"$J")" = False
check "primary-lost at 0s: two standbys streaming" \
    test "$(json_get '(d["replication"]["standbys"], d["replication"]["not_streaming"])' <<<"$J")" = "(2, 0)"
check "primary-lost at 0s: nothing stale, no critical alert" \
    test "$(json_get '(d["stale"], d["alerts"]["critical"])' <<<"$J")" = "([], 0)"

t0=$(ms)
J=$(st --demo=primary-lost --at=5m --json --cache=0)
t1=$(ms)
echo "# --demo=primary-lost --at=5m --json: $((t1 - t0)) ms"
check "primary-lost at 5m: primary down" \
    test "$(json_get '(d["replication"]["primary_down"], d["replication"]["primary"])' <<<"$J")" = "(True, 'pg-primary')"
check "primary-lost at 5m: both standbys cut off" \
    test "$(json_get 'd["replication"]["not_streaming"]' <<<"$J")" = 2
check "primary-lost at 5m: critical alerts firing (PostgresPrimaryDown)" \
    test "$(json_get 'd["alerts"]["critical"] > 0 and d["alerts"]["ok"]' <<<"$J")" = True
check "primary-lost at 5m: the gateway's circuits are open" \
    test "$(json_get 'd["circuits"]["open"] > 0' <<<"$J")" = True
check "primary-lost at 5m: pods not ready, every kind fresh" \
    test "$(json_get '(d["pods"]["not_ready"] > 0, d["stale"], d["incident"])' <<<"$J")" = "(True, [], None)"
check "json has every member of the format" \
    test "$(json_get 'sorted(d)' <<<"$J")" = "['alerts', 'circuits', 'env', 'incident', 'outbox', 'pods', 'redis', 'replication', 'stale', 'time']"

J=$(st --demo=outbox-backlog --at=10m --json --cache=0)
check "outbox-backlog at 10m: pending and the worst service" \
    test "$(json_get 'd["outbox"]["pending"] > 1000 and d["outbox"]["worst_pending"] > 0 and bool(d["outbox"]["worst_service"])' <<<"$J")" = True
J=$(st --demo=replication-stall --at=10m --json --cache=0)
check "replication-stall at 10m: the worst lag, in bytes and seconds" \
    test "$(json_get 'd["replication"]["lag_bytes"] > 1<<20 and d["replication"]["lag_seconds"] > 60 and d["replication"]["worst"].startswith("pg-standby")' <<<"$J")" = True

# --- The tmux line --------------------------------------------------------
t0=$(ms)
L=$(st --demo=primary-lost --at=5m --cache=0)
t1=$(ms)
echo "# --demo=primary-lost --at=5m --tmux: $((t1 - t0)) ms"
echo "# line: $L"
check "tmux is the default form: one line" test "$(printf '%s\n' "$L" | wc -l)" = 1
check "tmux line says PRIMARY DOWN in red" grep -qF '#[fg=red]PRIMARY DOWN#[default]' <<<"$L"
check "tmux line counts critical alerts in red" grep -qE '#\[fg=red\][0-9]+ crit#\[default\]' <<<"$L"
check "tmux line counts open circuits" grep -qE '[0-9]+ open' <<<"$L"
w=$(visible <<<"$L" | tr -d '\n' | wc -m)
check "tmux line is shorter than 80 characters ($w)" test "$w" -lt 80
L2=$(st --demo=primary-lost --at=5m --tmux --no-color --cache=0)
check "--no-color: no tmux colours, same text" test "$L2" = "$(visible <<<"$L")"
L3=$(NO_COLOR=1 st --demo --cache=0)
check "NO_COLOR=1: no tmux colours" test "${L3#*#[}" = "$L3"
check "calm: no alerts, the lag, the outbox" grep -qE '^0 alerts · lag [0-9.]+[BKMG]/[0-9.]+s · outbox [0-9.k]+$' <<<"$L3"
P=$(st --demo=primary-lost --at=5m --plain --cache=0)
check "--plain: a line per kind" test "$(grep -cE '^(alerts|replication|outbox|circuits|pods|redis) ' <<<"$P")" = 6
check "--plain: primary down with the reason" grep -qE '^replication +PRIMARY DOWN: pg-primary \(connection refused\)' <<<"$P"

# --- The cache ------------------------------------------------------------
t0=$(ms); A=$(st --demo=oom-crashloop --at=3m --json); t1=$(ms)
B1=$(st --demo=oom-crashloop --at=3m --json); t2=$(ms)
echo "# cache: first call $((t1 - t0)) ms, second (cached) $((t2 - t1)) ms"
check "the second call gives the same output" test "$A" = "$B1"
f=$(ls "$XDG_RUNTIME_DIR"/sitrep/status-* 2>/dev/null | head -1)
check "the cache is in \$XDG_RUNTIME_DIR/sitrep" test -f "$f"
check "the cache file is 0600" test "$(stat -c %a "$f")" = 600
ncache=$(ls "$XDG_RUNTIME_DIR"/sitrep/ | wc -l)
check "one cache file, no temporary left" test "$ncache" = 1
# Served from the file: mark it and ask again.
printf '{"cached":1}\n' >"$f"
check "a young cache file is served" test "$(st --demo=oom-crashloop --at=3m --json)" = '{"cached":1}'
check "--cache=0 does not read it" test "$(st --demo=oom-crashloop --at=3m --json --cache=0 | json_get '"cached" in d')" = False
check "another form has its own cache" test "$(st --demo=oom-crashloop --at=3m --plain | head -c 3)" = "env"
touch -d '-10 seconds' "$f"
check "an old cache file is not served" test "$(st --demo=oom-crashloop --at=3m --json | json_get '"cached" in d')" = False
printf 'x\n' >"$f"; touch -d '-10 seconds' "$f"
check "--cache=30s serves an older one" test "$(st --demo=oom-crashloop --at=3m --json --cache=30s)" = x
chmod 644 "$f"; touch "$f"
check "a cache readable by others is not trusted" test "$(st --demo=oom-crashloop --at=3m --json | head -c 1)" = "{"
rm -rf "$XDG_RUNTIME_DIR/sitrep"
XDG_RUNTIME_DIR= st --demo --json >/dev/null
check "without \$XDG_RUNTIME_DIR the cache is in the state directory" \
    test "$(ls "$XDG_STATE_HOME"/sitrep/status-* 2>/dev/null | wc -l)" = 1

# --- The open incident from the audit trail --------------------------------
TRAIL="$XDG_STATE_HOME/sitrep/audit.jsonl"
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
old=$(date -u -d '-2 days' +%Y-%m-%dT%H:%M:%S.000Z)
rec() {	# TYPE INCIDENT ENV TIME
	printf '{"v":1,"seq":1,"time":"%s","type":"%s","incident":"%s","env":"%s"}\n' "$4" "$1" "$2" "$3" >>"$TRAIL"
}
rec incident_opened INC-20261120-0001 demo "$old"
check "an incident untouched for two days is not open" \
    test "$(st --demo --json --cache=0 | json_get 'd["incident"]')" = None
rec incident_opened INC-20261122-0003 demo "$now"
rec step_shown INC-20261122-0003 demo "$now"
rec incident_opened INC-20261122-0009 prod "$now"
check "the open incident of the environment (json)" \
    test "$(st --demo --json --cache=0 | json_get 'd["incident"]')" = INC-20261122-0003
check "the tmux line ends with the incident" \
    grep -qE ' · INC-20261122-0003$' <<<"$(st --demo --cache=0)"
check "--plain names the incident" \
    grep -qF "incident INC-20261122-0003" <<<"$(st --demo --plain --cache=0)"
rec incident_closed INC-20261122-0003 demo "$now"
check "incident_closed ends it" \
    test "$(st --demo --json --cache=0 | json_get 'd["incident"]')" = None

# --- Hung and refusing servers --------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HUNG=$(free_port); DEAD=$(free_port)
python3 "$ROOT/tests/fixtures/blackhole.py" "$HUNG" 120 >"$TMP/bh.out" &
BH=$!
trap 'kill $BH 2>/dev/null; cleanup' EXIT
for i in $(seq 50); do grep -q ready "$TMP/bh.out" && break; sleep 0.1; done
cat >"$TMP/hung.yaml" <<YAML
environments:
  hung:
    refresh: 1s
    postgres:
      - name: dead-pg
        conninfo: "host=127.0.0.1 port=$DEAD dbname=x user=x"
        connect_timeout: 5s
    redis:
      - name: hung-redis
        url: redis://127.0.0.1:$HUNG/0
        connect_timeout: 5s
        timeout: 5s
    alertmanager:
      - name: hung-am
        url: http://127.0.0.1:$HUNG
    prometheus:
      url: http://127.0.0.1:$DEAD
      circuits: resilience4j
YAML
t0=$(ms)
J=$(st -c "$TMP/hung.yaml" --json --timeout=1s --cache=0); rc=$?
t1=$(ms)
echo "# hung/refused sources, --timeout=1s: $((t1 - t0)) ms"
check "hung sources: exit 0 (the failures are in the output)" test "$rc" = 0
check "hung sources: back within the deadline + slack ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 1600
check "hung sources: every configured kind is stale" \
    test "$(json_get 'sorted(d["stale"])' <<<"$J")" = "['alerts', 'circuits', 'redis', 'replication']"
check "hung alertmanager: no answer, named" \
    test "$(json_get '(d["alerts"]["ok"], d["alerts"]["source"], "deadline" in d["alerts"]["error"])' <<<"$J")" = "(False, 'alertmanager', True)"
check "refused prometheus: its error" \
    grep -q "refused" <<<"$(json_get 'd["circuits"]["error"]' <<<"$J")"
check "refused postgres: no figures, an error" \
    test "$(json_get '("primary_down" in d["replication"], bool(d["replication"]["error"]))' <<<"$J")" = "(False, True)"
check "not configured kinds are null" test "$(json_get '(d["pods"], d["outbox"])' <<<"$J")" = "(None, None)"
t0=$(ms)
L=$(st -c "$TMP/hung.yaml" --no-color --cache=0); rc=$?
t1=$(ms)
echo "# hung/refused sources, default --timeout (2s), tmux: $((t1 - t0)) ms"
check "hung sources, tmux: marked, never fresh" test "$L" = "alerts:? · lag:? · cb:? · redis:?"
check "default deadline holds too ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2600
check "hung sources are not cached as fresh: --plain marks them" \
    grep -qE '^alerts +\? alertmanager: no answer before the deadline' <<<"$(st -c "$TMP/hung.yaml" --plain --timeout=500ms --cache=0)"

# --- Errors ---------------------------------------------------------------
for bad in "--bogus" "--timeout=abc" "--timeout=0" "--cache=-1" "--json extra" \
    "--seed=5" "--demo --seed=x" "--demo --at=soon"; do
	st $bad >/dev/null 2>&1
	check "usage error exits 2: $bad" test $? = 2
done
st --help >"$TMP/help" 2>&1
check "--help exits 0 and shows usage" grep -q "usage: sitrep status" "$TMP/help"
st -c "$TMP/nonexistent.yaml" >/dev/null 2>&1
check "a missing configuration exits 1" test $? = 1
st -c "$TMP/hung.yaml" -e nosuch >/dev/null 2>"$TMP/err"
check "an unknown environment exits 1" test $? = 1
st --demo -e prod >/dev/null 2>&1
check "--env with the demo world exits 1" test $? = 1
(cd "$TMP" && HOME="$TMP" XDG_CONFIG_HOME="$TMP/xdg" SITREP_CONFIG= "$SITREP" status >/dev/null 2>"$TMP/err")
check "no configuration: exit 1, never the demo world" test $? = 1
check "no configuration: it says so" grep -q "no configuration found" "$TMP/err"
printf 'environments:\n  x: [\n' >"$TMP/broken.yaml"
st -c "$TMP/broken.yaml" >/dev/null 2>&1
check "a broken configuration exits 1" test $? = 1
finish
