#!/usr/bin/env bash
# End-to-end: the runbook runner in tmux against the demo world
# (oom-crashloop, 60 simulated seconds a second).  From the firing alert
# the runbook opens with its parameters filled from the alert's labels; a
# check runs; C-c cancels a running step; a skip needs a reason; a danger:
# high action refuses until the target is typed and Esc never confirms;
# the fix (set-memory-limit, restart) makes the world recover.  Then
# --read-only, --dry-run, the shipped library, the picker with a broken
# runbook, and the question before quitting with a step running.
#
# The flows use tests/fixtures/runbooks/ (echo, sleep and the demo world's
# actions) so that they do not move when runbooks/ changes.
. "$(dirname "$0")/lib.bash"

FIX="$ROOT/tests/fixtures/runbooks"
mkdir -p "$TMP/broken" && chmod 755 "$TMP" "$TMP/broken"
printf 'id: e2e-broken\ntitle: Broken\nseverity: P9\nsteps:\n  - {id: a, kind: manual, instructions: x}\n' \
    >"$TMP/broken/e2e-broken.yaml"

# run RUNBOOK_DIRS [sitrep options]: a fresh console on the demo world.
run() {
	local dirs=$1; shift
	rm -rf "$TMP/state"
	start 120 40 SITREP_DATADIR="$ROOT" XDG_STATE_HOME="$TMP/state" \
	    SITREP_RUNBOOKS="$dirs" -- --demo=oom-crashloop --demo-speed=60 "$@"
}

header_has() { screen | head -1 | grep -qE -- "$1"; }
command() { keys :; keys -l "$1"; keys Enter; }
quit() { keys Escape Escape q; wait_exit 50 || { keys y; wait_exit 50; }; }

# From the alert: 5 focuses the alerts, / narrows to the alert, Enter.
open_from_alert() {
	keys 5 /
	keys -l HighMemoryUsage
	keys Enter Enter
}

# Every pod ok (Running and ready) and no alert firing.
recovered() {
	local s
	s=$(screen)
	echo "$s" | grep -q "Alerts ─ no alerts firing" &&
	    echo "$s" | grep -qE "Pods ─ [0-9]+ pods ok"
}

# 1. The whole fix, from the alert --------------------------------------
run "$FIX"
check "a newly firing alert suggests its runbook" \
    wait_for "HighMemoryUsage firing: press R to open runbook e2e-memory" 30
open_from_alert
check "Enter on the alert opens its runbook's parameters" \
    wait_for "Run e2e-memory: parameters" 5
check "the parameters are filled from the alert's labels" \
    wait_for "deployment +inventory" 2
check "the defaults fill the rest" wait_for "memory_mib +1024" 2
check "no incident before the run begins" wait_gone "INC-" 1
keys Enter Enter
check "the run begins and opens the day's first incident" \
    wait_for "run 1 +INC-[0-9]{8}-0001" 5
check "the header shows the incident" header_has "INC-[0-9]{8}-0001"
check "the runbook and its severity are on top" \
    wait_for "RUNBOOK e2e-memory +P1" 2
check "so is the target environment" wait_for "target: env demo" 2
check "the steps are listed with their marks" \
    wait_for "▶ +1 check +Look at inventory" 2
check "the card says exactly what will run" wait_for "\\\$ echo 'looking at inventory'|echo.*looking at inventory" 2
keys Enter
check "Enter runs the check: its output shows" \
    wait_for "looking at inventory$|looking at inventory +│" 10
check "the check is ok and the next step is shown" \
    wait_for "✓ +1 check" 5
keys Enter
check "the slow check is running" wait_for "RUNNING" 5
keys C-c
check "C-c cancels the running step" wait_for "CANCELLED" 5
check "C-c does not quit sitrep" test ! -s "$TMP/exit"
keys s
check "s asks for a reason" wait_for "Skip step 2\?" 3
keys Enter
check "a skip needs a reason" wait_for "a reason is required" 3
keys -l "e2e: not needed"
keys Enter
check "the step is skipped with the reason" wait_for "↷ +2 check" 3
check "the danger: high action says what it runs" \
    wait_for "sim set-memory-limit deployment=inventory mib=1024" 3
keys Enter
check "Enter does not run an action" wait_for "y confirms and runs this action" 3
keys y
check "y asks for the target's name" wait_for "type inventory to confirm" 3
keys -l "inventor"
keys Enter
check "a wrong name refuses" wait_for "type inventory exactly to confirm" 3
keys Escape
check "Esc cancels: nothing ran" \
    wait_for "step 3 not confirmed: nothing ran" 3
keys Escape
check "Esc leaves the view, the run stays open" wait_for "1 Pods" 3
command "runbook e2e-memory"
check ":runbook brings the run back at its step" \
    wait_for "Step 3 of 7 +action +raise-limit" 3
keys y
keys -l inventory
keys Enter
check "typed exactly, the action runs" wait_for "✓ +3 action" 10
keys y
check "y confirms and runs an ordinary action" wait_for "✓ +4 action" 10
check "a wait step shows its condition" \
    wait_for "until \{\{unavailable\}\} == 0 +\(every 2s, at most 300s\)" 3
keys Enter
check "the wait ends when the pods are available" wait_for "✓ +5 wait" 60
keys s
keys -l "no webhook in e2e"
keys Enter
keys y
check "the manual step is done with y: the run is complete" \
    wait_for "RUN COMPLETE" 5
keys Escape
check "the world recovers: pods Running, the alerts resolve" \
    wait_until recovered 90
quit

# 2. --read-only, on production -------------------------------------------
# (sitrep.c passes --read-only and --dry-run in struct console_opts.)
flags=1
"$SITREP" --help 2>&1 | grep -q -- --read-only &&
    "$SITREP" --help 2>&1 | grep -q -- --dry-run || flags=0
check "sitrep has --read-only and --dry-run" test "$flags" = 1
if [ "$flags" = 1 ]; then
run "$FIX" --read-only --production
check "--read-only: READ-ONLY in the header" wait_for "READ-ONLY" 5
check "--read-only: the alert still suggests the runbook" \
    wait_for "press R to open runbook e2e-memory" 30
keys R
keys Enter Enter
check "production: the run says so across its target row" \
    wait_for "TARGET: PRODUCTION \(demo\): actions change production" 5
keys Enter
check "--read-only: checks still run" wait_for "✓ +1 check" 10
keys s
keys -l "read-only"
keys Enter
keys y
check "--read-only refuses actions with the engine's message" \
    wait_for "read-only mode: actions are refused" 3
check "--read-only: no name is asked, nothing ran" \
    wait_gone "type inventory to confirm" 1
quit

# 3. --dry-run ------------------------------------------------------------
run "$FIX" --dry-run
check "--dry-run: DRY RUN in the header" wait_for "DRY RUN" 5
command "runbook e2e-memory"
check "--dry-run: the form asks for the deployment" \
    wait_for "Run e2e-memory: parameters" 3
keys -l inventory
keys Enter Enter
check "--dry-run shows every step rendered" \
    wait_for "Dry run of e2e-memory" 5
check "--dry-run: with the values" \
    wait_for "sim set-memory-limit deployment=inventory mib=1024" 2
keys Escape
keys Enter
check "--dry-run runs nothing" wait_for "dry-run mode: nothing runs" 3
quit
fi

# 4. The shipped library: the alert's own runbook -------------------------
run "$ROOT/runbooks"
check "shipped: the alert fires" wait_for "HighMemoryUsage" 30
open_from_alert
check "shipped: the alert's runbook opens" wait_for "Run [a-z-]+: parameters" 5
check "shipped: its parameters are filled from the labels" \
    wait_for "deployment +inventory" 2
keys Escape
check "shipped: Esc at the parameters starts nothing" \
    wait_for "not started" 3
check "shipped: no incident was opened" wait_gone "INC-" 1
quit

# 5. The picker, a broken runbook, quitting with a step running ----------
run "$FIX:$TMP/broken"
wait_for "erp-system" 10
command "runbook"
check ":runbook lists the runbooks" wait_for "Runbooks: Enter open" 3
check "the picker lists e2e-memory" wait_for "e2e-memory +P1" 2
check "a broken runbook is listed as broken, with the reason" \
    wait_for "e2e-broken.*severity must be.*broken" 2
keys /
keys -l broken
keys Enter Enter
check "a broken runbook never runs" wait_for "is broken, it cannot run" 3
keys /
keys C-u
keys -l memory
keys Enter
check "/ searches the picker" wait_for "/memory: 1 of 2" 3
keys Enter
check "Enter opens the runbook found" wait_for "Run e2e-memory: parameters" 3
keys -l inventory
keys Enter Enter
keys Enter
wait_for "✓ +1 check" 10
keys Enter
wait_for "RUNNING" 5
keys Escape q
check "q with a step running asks first" wait_for "Quit sitrep\?" 3
keys n
check "n stays" test ! -s "$TMP/exit"
keys q
wait_for "Quit sitrep\?" 3
keys y
check "y quits, cancelling the step" wait_exit 50
finish
