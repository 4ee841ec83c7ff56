#!/usr/bin/env bash
# End-to-end: the console in tmux against the demo world, at 200x50 and
# 80x24: panels, focus, zoom, scrolling, filter, sort, help, commands,
# themes, resize, too-small terminals, quit and signals.
. "$(dirname "$0")/lib.bash"

TITLES=("1 Pods" "2 Replication" "3 Outbox" "4 Circuits" "5 Alerts" "6 Redis")

all_titles() {
	local s t
	s=$(screen)
	for t in "${TITLES[@]}"; do
		grep -qF -- "$t" <<<"$s" || return 1
	done
}

# --- 200x50: the grid, every panel with data ------------------------------
start 200 50 -- --demo
check "starts and shows DEMO in the status bar" wait_for "DEMO calm" 10
check "grid at 200x50 shows all six panels" all_titles
check "redis panel shows the demo cache and its replica" wait_for "redis-cache-repl[a-z]* +replic" 5
check "pods panel has pods with kubectl columns" wait_for "gateway-[a-z0-9]+-[a-z0-9]+ .* Running" 5
check "pods panel shows READY and RESTARTS columns" wait_for "READY +STATUS +RESTARTS" 2
both_standbys() { wait_for pg-standby-1 5 && wait_for pg-standby-2 1; }
check "replication shows both standbys" both_standbys
check "outbox shows service outboxes" wait_for "finance +[0-9]+ +(-|[0-9])" 5
check "circuits show gateway to services" wait_for "gateway +(finance|inventory|sales)" 5
check "header shows env, context and UTC clock" wait_for "env demo .*ctx sim-cluster.*[0-9]{2}:[0-9]{2}:[0-9]{2} UTC" 5
check "data age is shown" wait_for "sim [0-9]+s ago" 5

# Focus and zoom.
keys 2
keys z
check "zoom shows only the focused panel" wait_gone "1 Pods" 2
check "zoomed panel is replication" wait_for "2 Replication" 2
keys Escape
check "Esc leaves zoom" wait_for "1 Pods" 3
keys Tab
keys Enter
check "Tab then Enter zooms the next panel (outbox)" wait_for "3 Outbox" 2
check "Enter zoom hides other panels" wait_gone "4 Circuits" 2
keys Escape

# Help.
keys 1 '?'
check "? opens help for the focused panel" wait_for "Help \(Esc" 3
check "help lists pod columns and keys" wait_for "problem pods first" 2
keys Escape
check "Esc closes help" wait_gone "Help \(Esc" 3

# Filter: narrows live, Esc clears.
keys / i n v e n
check "filter narrows live while typing" wait_for "/inven" 2
keys Enter
only_inventory() { wait_gone "gateway-[a-z0-9]+-" 2 && wait_for "inventory-" 1; }
check "filter leaves only matching pods" only_inventory
check "filter shows the count of matches" wait_for "/inven \([0-9]+ of [0-9]+\)" 2
keys Escape
check "Esc clears the filter" wait_for "gateway-[a-z0-9]+-" 3

# Sort by a column from the command line, and with s/S.
keys : s o r t Space r e s t a r t s Space d e s c Enter
check ":sort RESTARTS desc marks the column" wait_for "RESTART(S|)(▼|v)" 3
keys S
check "S reverses the sort" wait_for "RESTART(S|)(▲|\^)" 3
keys : s o r t Enter

# Scrolling the pods list: G to the last row, g to the first.
keys z G
check "G scrolls to the last pod" wait_for "reporting-|production-" 3
keys g Escape

# Commands.
keys : a l e r t s Enter
check ":alerts focuses the alerts panel" wait_for "5 Alerts" 2
keys : b o g u s Enter
check "unknown command says so" wait_for "unknown command ':bogus'" 3
keys : t h e m e Space m o n o Enter
check ":theme mono switches theme" wait_for "theme mono" 3
keys : t h e m e Space n o s u c h Enter
check ":theme with a missing theme gives an error" wait_for "no theme 'nosuch'" 3
keys : t h e m e Space h i g h - c o n t r a s t Enter
check ":theme high-contrast" wait_for "theme high-contrast" 3

# Resize while running, then too small, then back.
tm resize-window -t t -x 100 -y 30
resized_titles() { sleep 0.5; all_titles; }
check "resize to 100x30 keeps every panel" resized_titles
tm resize-window -t t -x 60 -y 20
check "a too-small terminal gets a message, not a crash" wait_for "terminal too small: 60x20, need 80x24" 3
tm resize-window -t t -x 200 -y 50
check "growing back restores the panels" wait_for "1 Pods" 3

# Quit restores the terminal.
keys q
check "q exits with status 0" wait_exit 50
check "exit status is 0" test "$(exit_code)" = 0
check "terminal left the alternate screen" test "$(tm display -p -t t '#{alternate_on}')" = 0

# --- 80x24: every panel visible, the focused one large --------------------
start 80 24 -- --demo
check "80x24 starts" wait_for "DEMO calm" 10
check "80x24 shows all six panels" all_titles
check "80x24 focused pods panel has column headings" wait_for "NAME .*READY" 3
# Six panels at 24 rows: strips of two rows, the title and the worst row.
check "80x24 strips show rows of other panels" wait_for "pg-(primary|standby-[12]) " 3
check "80x24 redis strip shows its master" wait_for "redis-cache +master" 3
keys 5
check "80x24 focus alerts by number" wait_for "SEV +ALERTNAME" 3
keys C-c
check "Ctrl-C quits" wait_exit 50
check "Ctrl-C exit status 0" test "$(exit_code)" = 0

# --- Signals ---------------------------------------------------------------
start 100 30 -- --demo
wait_for "DEMO" 10
pkill -TERM -f "^$SITREP --demo"
check "SIGTERM exits" wait_exit 50
check "SIGTERM exit status is 143" test "$(exit_code)" = 143
check "SIGTERM restores the terminal" test "$(tm display -p -t t '#{alternate_on}')" = 0

start 100 30 -- --demo
wait_for "DEMO" 10
pkill -HUP -f "^$SITREP --demo"
check "SIGHUP (dropped SSH) exits" wait_exit 50

# --- Options and environment ----------------------------------------------
start 100 30 -- --demo --production
check "--production marks the header" wait_for "PRODUCTION demo" 10
keys q

start 100 30 TERM=no-such-terminal -- --demo
check "an unknown TERM falls back and says so" wait_for "unknown terminal type 'no-such-terminal'" 10
check "the console still runs on a fallback terminal" wait_for "Pods" 3
keys q

start 100 30 NO_COLOR=1 -- --demo
check "NO_COLOR runs" wait_for "DEMO calm" 10
keys q

start 100 30 -- --demo --theme /nonexistent/broken.yaml
check "a missing theme file is reported, console runs" wait_for "broken.yaml" 10
keys q

start 100 30 HOME=$TMP XDG_CONFIG_HOME=$TMP/xdg SITREP_CONFIG= --
check "no configuration: the demo world opens" wait_for "DEMO calm" 10
check "no configuration: it says so" wait_for "no configuration found" 3
keys q

cat >"$TMP/bad.yaml" <<'YAML'
environments:
  prod:
    postgres:
      - name: a
        conninfo: "host=x"
        colour: red
YAML
out=$("$SITREP" --config "$TMP/bad.yaml" 2>&1 </dev/null); rc=$?
check "a broken configuration is refused" test "$rc" -eq 1
check "the configuration error names file and line" grep -q "bad.yaml:6" <<<"$out"
out=$("$SITREP" --config "$TMP/nonexistent.yaml" 2>&1 </dev/null); rc=$?
check "a missing --config file is an error" grep -q "nonexistent.yaml" <<<"$out"

out=$("$SITREP" --demo --env prod 2>&1 </dev/null); rc=$?
check "the demo refuses another environment name" test "$rc" -eq 1
check "the demo says why it refuses --env" grep -q "always environment 'demo'" <<<"$out"

out=$("$SITREP" --demo=no-such-scenario 2>&1 </dev/null); rc=$?
check "an unknown scenario is an error" test "$rc" -ne 0
check "the unknown scenario error names it" grep -q "no-such-scenario" <<<"$out"
out=$("$SITREP" --demo </dev/null 2>&1 >/dev/null); rc=$?
check "no terminal: a clear message" grep -q "not a terminal" <<<"$out"
check "--version" bash -c "'$SITREP' --version | grep -q '^sitrep [0-9]'"
check "--help" bash -c "'$SITREP' --help | grep -q -- '--demo'"
finish
