#!/usr/bin/env bash
# End-to-end (issue #7): the console in a shared tmux session.  With
# window-size smallest the window follows the smallest client attached:
# a second client attaching at 100x30 shrinks the pane from 200x50, the
# console redraws for it (the stack layout, borders at the new width, the
# header and the status bar intact), and when that client detaches the
# pane grows back to the grid.  Both clients are control-mode clients
# (tmux -C, fed through a fifo) whose size refresh-client -C sets; they
# show the one pane, so capture-pane after each change is what each sees.
. "$(dirname "$0")/lib.bash"

printf 'set -g window-size smallest\nset -g default-size 200x50\n' >>"$TMUX_CONF"

# A control client: client_open NAME COLSxROWS.  Its commands go in
# through $TMP/NAME.in (held open on an fd), its notifications out to
# $TMP/NAME.out.
# A command sent before the client is attached (%session-changed) would
# be run for another client (tmux picks the "best" one), so wait for it.
declare -A CFD
client_open() {
	local fd i
	rm -f "$TMP/$1.in" "$TMP/$1.out"
	mkfifo "$TMP/$1.in"
	tm -C attach -t t <"$TMP/$1.in" >"$TMP/$1.out" 2>&1 &
	exec {fd}>"$TMP/$1.in"
	CFD[$1]=$fd
	for ((i = 0; i < 50; i++)); do
		grep -q '^%session-changed' "$TMP/$1.out" 2>/dev/null && break
		sleep 0.1
	done
	client_cmd "$1" "refresh-client -C $2"
}
client_cmd() { echo "$2" >&"${CFD[$1]}"; }
client_close() {
	local fd=${CFD[$1]}
	client_cmd "$1" detach-client
	exec {fd}>&-
}
nclients() { tm list-clients -t t -F x 2>/dev/null | wc -l; }

size() { tm display -p -t t '#{window_width}x#{window_height} #{pane_width}x#{pane_height}'; }
# wait_size "WxH WxH" [SECONDS]
wait_size() {
	local i
	for ((i = 0; i < ${2:-5} * 10; i++)); do
		[ "$(size)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_clients() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(nclients)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Every line fits in W characters, each box's top border spans exactly
# its width and ends at column <= W, and the first box ends at column W:
# the console drew for the new size (tmux only crops when it shrinks).
fits() {
	screen | python3 -c '
import sys
w = int(sys.argv[1])
lines = sys.stdin.read().split("\n")
ok = all(len(l) <= w for l in lines)
tops = [l for l in lines if l.startswith("\u250c")]
ok = ok and len(tops) > 0 and len(tops[0]) == w and tops[0].endswith("\u2510")
sys.exit(0 if ok else 1)' "$1"
}
# The header: " sitrep  env demo ...  HH:MM:SS UTC", the clock at the right
# edge (two columns of margin) of a W-column screen.
header_ok() {
	screen | head -1 | python3 -c '
import re, sys
w = int(sys.argv[1])
l = sys.stdin.read().rstrip("\n")
sys.exit(0 if re.match(r"^ sitrep  env demo .* \d\d:\d\d:\d\d UTC$", l)
    and w - 3 <= len(l) <= w else 1)' "$1"
}
status_bar_ok() { [ "$(screen | wc -l)" = "$1" ] && screen | tail -1 | grep -q "DEMO calm"; }
grid() { screen | grep -qF "┐┌" && screen | grep -qE "SEV +ALERTNAME"; }
stack() {
	local s
	s=$(screen)
	! grep -qF "┐┌" <<<"$s" && ! grep -qE "SEV +ALERTNAME" <<<"$s" &&
	    grep -qE "NAMESPACE +NAME" <<<"$s"
}
all_titles() {
	local s t
	s=$(screen)
	for t in "1 Pods" "2 Replication" "3 Outbox" "4 Circuits" "5 Alerts" "6 Redis"; do
		grep -qF -- "$t" <<<"$s" || return 1
	done
}

start 200 50 -- --demo
check "the console starts at 200x50" wait_for "DEMO calm" 10
check "200x50 alone: the grid" grid

client_open big 200x50
check "a first client (200x50) attaches" wait_clients 1
check "one client at 200x50: the pane stays 200x50" wait_size "200x50 200x50"
check "one client: the grid, every panel" all_titles

# --- A smaller client attaches --------------------------------------------
client_open small 100x30
check "a second client (100x30) attaches" wait_clients 2
check "the pane shrinks to the smallest client (100x30)" wait_size "100x30 100x30"
check "both clients are on the one session and window" \
    test "$(tm list-clients -t t -F '#{session_name}:#{window_index}' | sort -u)" = "t:0"
# Each client is told (%layout-change) that the window is now 100x30.
told() {
	local i
	for ((i = 0; i < 30; i++)); do
		grep -q "%layout-change @[0-9]* [0-9a-f]*,$2," "$TMP/$1.out" &&
		    return 0
		sleep 0.1
	done
	return 1
}
check "the big client is told of the 100x30 layout" told big 100x30
check "the small client is told of the 100x30 layout" told small 100x30
check "the console redraws for 100x30: the stack" wait_for "NAMESPACE +NAME" 3
redrawn() { sleep 0.3; stack && fits 100; }
check "100x30: stack layout, nothing beyond column 100" redrawn
check "100x30: every panel still shown (strips)" all_titles
check "100x30: the header is intact, clock at the right edge" header_ok 100
check "100x30: the status bar is the 30th line" status_bar_ok 30
check "100x30: the data keeps flowing" wait_for "sim [0-9]+s ago" 3

# --- It grows back when the small client leaves -----------------------------
client_close small
check "the small client detaches" wait_clients 1
check "the pane grows back to 200x50" wait_size "200x50 200x50"
check "200x50 again: the grid" wait_for "SEV +ALERTNAME" 3
regrid() { sleep 0.3; grid && fits 200 && all_titles; }
check "200x50 again: the grid at full width, every panel" regrid
check "200x50 again: the header is intact" header_ok 200
check "200x50 again: the status bar is the 50th line" status_bar_ok 50

# --- Back and forth, then the last client leaves -----------------------------
client_open small 100x30
wait_size "100x30 100x30"
client_cmd small "refresh-client -C 80x24"
check "the small client shrinks to 80x24: the pane follows" wait_size "80x24 80x24"
check "80x24: the stack, borders at 80" wait_for "NAMESPACE" 3
small80() { sleep 0.3; stack && fits 80 && header_ok 80 && status_bar_ok 24; }
check "80x24: redrawn, header and status bar intact" small80
client_cmd small "refresh-client -C 60x20"
check "60x20: too small, the console says so" wait_for "terminal too small: 60x20, need 80x24" 3
client_cmd small "refresh-client -C 120x40"
check "the small client grows to 120x40: the pane follows" wait_size "120x40 120x40"
check "120x40: redrawn (stack below 160 columns)" wait_for "NAMESPACE" 3
mid() { sleep 0.3; stack && fits 120 && header_ok 120 && status_bar_ok 40; }
check "120x40: fits, header and status bar intact" mid
client_close small
wait_clients 1
check "the small client leaves again: back to 200x50" wait_size "200x50 200x50"
client_close big
check "every client detached" wait_clients 0
# With nobody attached tmux 3.3 keeps the last size; the console runs on.
nobody() { sleep 0.5; [ "$(size)" = "200x50 200x50" ] && grid && fits 200; }
check "no client: the grid at the last size (200x50)" nobody
check "no client: the console still runs and updates" wait_for "sim [0-9]+s ago" 3
keys q
check "the console quits cleanly" wait_exit 50
check "exit status 0" test "$(exit_code)" = 0
finish
