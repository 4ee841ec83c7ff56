#!/usr/bin/env bash
# soak.sh: the console on the demo world for a long time, busy.
#
# sitrep --demo=oom-crashloop --demo-speed=60 --refresh=100 in tmux (the
# world crash-loops inventory for ever, so every panel changes every
# refresh), driven by rounds of keystrokes: focus every panel, zoom, Enter
# on a pod (the demo has no pod details: a message), filter, sort, help,
# :audit, a theme switch, and one run
# of tests/soak/soak-cycle.yaml from start to end through the runner
# (checks, demo-world actions, a wait).  Between rounds, when the process is
# quiescent (no step running, no pager open), RSS (VmRSS), open file
# descriptors (/proc/PID/fd) and threads are sampled into a CSV.
#
# Passes when, after the warm-up (the first tenth, at least 60 s: the
# runner keeps 16 runs, the first minute fills them):
#   RSS: the median of the last quarter of the samples is within
#        SOAK_RSS_PCT (10) % of the median of the first quarter;
#   fds and threads: the same number in every sample;
#   the console quits with status 0 and `sitrep audit verify` accepts the
#   trail the runs wrote.
#
#   SOAK_SECONDS=3600   how long (make soak; tests/e2e/soak_short.sh: 120)
#   SOAK_SAMPLE=10      seconds between samples (at least; taken between rounds)
#   SOAK_OUT=build/soak where the CSV, the trail and the log go
# Prints TAP lines ("ok - ..." / "not ok - ...") and a summary.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECS=${SOAK_SECONDS:-3600}
EVERY=${SOAK_SAMPLE:-10}
OUT=${SOAK_OUT:-$ROOT/build/soak}
RSS_PCT=${SOAK_RSS_PCT:-10}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT/state" "$OUT/audit.jsonl" "$OUT/samples.csv"
# A private copy: a rebuild of ./sitrep during an hour must not change the
# binary under test.  Its data comes from the checkout (SITREP_DATADIR).
cp "${SITREP:-$ROOT/sitrep}" "$OUT/sitrep"
SITREP="$OUT/sitrep"
. "$ROOT/tests/e2e/lib.bash"

CSV="$OUT/samples.csv"
echo "t_s,rss_kb,fds,threads,rounds,runs" >"$CSV"
rounds=0 runs=0 stuck=0

start 160 45 SITREP_DATADIR="$ROOT" XDG_STATE_HOME="$OUT/state" \
    SITREP_RUNBOOKS="$ROOT/tests/soak" -- --demo=oom-crashloop \
    --demo-speed=60 --refresh=100 --audit="$OUT/audit.jsonl"
check "soak: the console starts" wait_for "DEMO oom-crashloop|1 Pods" 10
PID=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
	PID=$(pgrep -P "$(pane_pid)" -x sitrep | head -1)
	[ -n "$PID" ] && break
	sleep 0.2
done
if [ -z "$PID" ]; then not_ok "soak: found the sitrep process"; exit 1; fi

command() { keys :; keys -l "$1"; keys Enter; }
# step PATTERN [SECONDS]: wait for it; a miss is counted, not fatal.
step() { wait_for "$1" "${2:-10}" && return 0; stuck=$((stuck + 1));
	echo "# round $rounds: no '$1' after ${2:-10}s" >&2; return 1; }
back() { keys Escape Escape Escape; sleep 0.2; }

one_run() {
	command "runbook soak-cycle"
	step "Run soak-cycle: parameters" 5 || { back; return; }
	keys Enter Enter
	step "RUNBOOK soak-cycle" 5 || { back; return; }
	keys Enter; step "✓ +1 check|\+ +1 check|v +1 check" 10 || { back; return; }
	keys Enter; step "✓ +2 check|v +2 check" 10 || { back; return; }
	keys y; step "✓ +3 action|v +3 action" 10 || { back; return; }
	keys y; step "✓ +4 action|v +4 action" 10 || { back; return; }
	keys y; step "✓ +5 action|v +5 action" 10 || { back; return; }
	keys Enter; step "RUN COMPLETE" 60 || { back; return; }
	runs=$((runs + 1))
	keys Escape
	step "1 Pods" 5
}

one_round() {
	local p
	for p in 1 2 3 4 5 6; do keys "$p"; done
	keys Tab Tab BTab
	# Zoom the pods, Enter on a pod (details, or the demo's message).
	keys 1 z j j j
	keys Enter
	step "Pod .*Esc closes|pod details need" 5
	keys NPage NPage PPage
	keys Escape
	keys G g Escape
	# Filter, sort, help, the audit trail, a theme, a repaint.
	keys / s a l e s Enter
	step "/sales" 3
	keys Escape
	command "sort restarts desc"
	keys S s s
	command "sort"
	keys '?'
	step "Help \(Esc" 3
	keys NPage Escape
	command "audit"
	sleep 0.3
	keys G NPage PPage Escape
	if [ $((rounds % 2)) = 0 ]; then command "theme mono"
	else command "theme default"; fi
	keys r C-l
	back
	one_run
	back
	rounds=$((rounds + 1))
}

sample() {	# t
	local rss fds thr
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status" 2>/dev/null)
	thr=$(awk '/^Threads:/ {print $2}' "/proc/$PID/status" 2>/dev/null)
	fds=$(ls "/proc/$PID/fd" 2>/dev/null | wc -l)
	[ -n "$rss" ] && echo "$1,$rss,$fds,$thr,$rounds,$runs" >>"$CSV"
}

t0=$(date +%s)
last=-$EVERY
while :; do
	now=$(( $(date +%s) - t0 ))
	[ "$now" -ge "$SECS" ] && break
	kill -0 "$PID" 2>/dev/null || break
	one_round
	sleep 0.5	# let the last key's redraw and actions settle
	now=$(( $(date +%s) - t0 ))
	if [ $((now - last)) -ge "$EVERY" ]; then sample "$now"; last=$now; fi
done

check "soak: the console is alive after ${SECS}s" kill -0 "$PID"
sample "$(( $(date +%s) - t0 ))"
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status" 2>/dev/null)
back
keys q
check "soak: q exits" wait_exit 100
check "soak: exit status 0" test "$(exit_code)" = 0
out=$("$SITREP" audit verify "$OUT/audit.jsonl" 2>&1); rc=$?
echo "# audit verify: $(tail -1 <<<"$out")"
check "soak: the trail verifies" test "$rc" -eq 0
check "soak: runbook runs completed" test "$runs" -gt 0

# The verdict from the CSV.
read -r verdict summary < <(awk -F, -v secs="$SECS" -v pct="$RSS_PCT" '
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR > 1 { n0++; T[n0] = $1; R[n0] = $2; F[n0] = $3; H[n0] = $4 }
END {
	warm = secs / 10; if (warm < 60) warm = 60
	n = 0
	for (i = 1; i <= n0; i++) if (T[i] >= warm) { n++; r[n] = R[i]; f[n] = F[i]; h[n] = H[i]; t[n] = T[i] }
	if (n < 8) { print "FAIL too-few-samples(" n ")"; exit }
	q = int(n / 4)
	for (i = 1; i <= q; i++) { a[i] = r[i]; b[i] = r[n - q + i] }
	m1 = median(a, q); m2 = median(b, q)
	fmin = fmax = f[1]; hmin = hmax = h[1]; rmin = rmax = r[1]
	for (i = 1; i <= n; i++) {
		if (f[i] < fmin) fmin = f[i]; if (f[i] > fmax) fmax = f[i]
		if (h[i] < hmin) hmin = h[i]; if (h[i] > hmax) hmax = h[i]
		if (r[i] < rmin) rmin = r[i]; if (r[i] > rmax) rmax = r[i]
		sx += t[i]; sy += r[i]; sxx += t[i] * t[i]; sxy += t[i] * r[i]
	}
	slope = (n * sxy - sx * sy) / (n * sxx - sx * sx) * 3600
	growth = m2 - m1
	ok = (growth <= m1 * pct / 100) && fmin == fmax && hmin == hmax
	printf "%s samples=%d warmup=%ds rss_first_q_median=%dkB rss_last_q_median=%dkB growth=%+dkB(%+.1f%%) rss_min=%d rss_max=%d slope=%+.0fkB/h fds=%d..%d threads=%d..%d\n",
	    ok ? "PASS" : "FAIL", n, warm, m1, m2, growth, 100 * growth / m1, rmin, rmax, slope, fmin, fmax, hmin, hmax
}' "$CSV")
echo "# soak: ${SECS}s, $rounds rounds, $runs runbook runs, $stuck missed waits, peak RSS ${hwm:-?} kB"
echo "# soak: $summary"
echo "# soak: samples in $CSV"
if grep -q __asan_init "$SITREP"; then
	# AddressSanitizer's quarantine and shadow memory make RSS grow by
	# design: under SANITIZE the figures are reported, fds and threads
	# still have to be constant, and LeakSanitizer judges the memory at
	# the exit (status 0 above).
	fdthr=$(sed -E 's/.*fds=([0-9]+)\.\.([0-9]+) threads=([0-9]+)\.\.([0-9]+).*/\1 \2 \3 \4/' <<<"$summary")
	read -r f1 f2 h1 h2 <<<"$fdthr"
	check "soak (sanitizer build): fds and threads constant" \
	    test "$f1" = "$f2" -a "$h1" = "$h2"
else
	check "soak: RSS flat (within ${RSS_PCT}%), fds and threads constant" \
	    test "$verdict" = PASS
fi
finish
