#!/usr/bin/env bash
# End-to-end: the console on other terminals.  For each TERM in xterm,
# screen, tmux-256color, linux and vt100, with LANG=C and LANG=C.UTF-8, and
# with NO_COLOR=1: it opens, the header, the panels with their borders, the
# status bar, help, a runbook run's view, resizing and quitting draw
# correctly.  With LANG=C nothing but ASCII reaches the screen (borders are
# the terminal's line drawing: tmux's capture shows them as ACS letters
# between SO and SI, "lqqk"), marks fall back to ASCII; nothing is wider
# than the terminal, no escape sequence shows as text.
. "$(dirname "$0")/lib.bash"

COLS=100 ROWS=30
TITLES=("1 Pods" "2 Replication" "3 Outbox" "4 Circuits" "5 Alerts" "6 Redis")

all_titles() {
	local s t
	s=$(screen)
	for t in "${TITLES[@]}"; do
		grep -qF -- "$t" <<<"$s" || return 1
	done
}
status_bar() { screen | tail -1 | grep -qE '^ q quit .*\? help +DEMO calm *$'; }
term_is() {	# the TERM sitrep runs with
	local pid
	pid=$(pgrep -P "$(pane_pid)" | head -1)
	[ -n "$pid" ] && tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "TERM=$1"
}
command() { keys :; keys -l "$1"; keys Enter; }
# The screen as tmux holds it, attributes and charsets as escapes.
escaped() { tm capture-pane -e -p -t t; }

# Only printable ASCII (LANG=C); no text wider than the terminal;
# no escape sequence or replacement character shown as text.
only_ascii() { ! screen | LC_ALL=C grep -q '[^ -~]'; }
fits() { test "$(screen | LC_ALL=C.UTF-8 wc -L)" -le "${1:-$COLS}"; }
no_junk() { ! screen | LC_ALL=C.UTF-8 grep -qE $'\e|\\[[0-9;]+m|\xef\xbf\xbd|\\^\\['; }
clean() { fits "$@" && no_junk; }

# The pods panel's frame: a corner and a line on row 2, a side on row 3
# at both edges (ACS letters between SO/SI, box drawing, or + - |).
framed() {
	local top side
	top=$(escaped | sed -n 2p | sed -E $'s/\e\\[[0-9;]*m//g')
	side=$(screen | sed -n 3p)
	case "$top" in
	$'\016lq'*|'┌─'*|'+-'*) ;;
	*) return 1 ;;
	esac
	grep -qE '^(x|│|\|).*(x|│|\|)$' <<<"$side" || return 1
	if [ "$LANG" = C ]; then case "$top" in '┌'*) return 1 ;; esac; fi
	return 0
}

# No colour at all (NO_COLOR): no SGR 30-38, 40-48, 90-97, 100-107.
colourless() {
	! escaped | grep -qE $'\e\\[([0-9]+;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]'
}

one() {	# TERM LANG [ENV...]
	local term=$1 lang=$2 tag
	shift 2
	tag="$term $lang${1:+ $*}"
	TERM_E2E=$term
	printf 'set -g default-terminal "%s"\nset -g status off\nset -g remain-on-exit on\nset -g history-limit 100\n' \
	    "$term" >"$TMUX_CONF"
	tm kill-server >/dev/null 2>&1
	export LANG=$lang
	rm -rf "$TMP/state" "$TMP/audit.jsonl"
	start $COLS $ROWS SITREP_DATADIR="$ROOT" SITREP_RUNBOOKS="$ROOT/tests/soak" \
	    XDG_STATE_HOME="$TMP/state" "$@" -- --demo --audit="$TMP/audit.jsonl"
	if ! wait_for "DEMO calm" 10; then
		not_ok "$tag: opens"
		return
	fi
	ok "$tag: opens"
	check "$tag: TERM in the pane" term_is "$term"
	wait_for "sim [0-9]+s ago" 5
	check "$tag: header" wait_for \
	    "^ sitrep  env demo +ctx sim-cluster +[0-9]{2}:[0-9]{2}:[0-9]{2} UTC *$" 3
	check "$tag: status bar" status_bar
	check "$tag: six panels" all_titles
	check "$tag: panel borders" framed
	check "$tag: nothing garbled" clean
	[ "$lang" = C ] && check "$tag: ASCII only" only_ascii
	case " $* " in *" NO_COLOR=1 "*) check "$tag: no colour" colourless ;; esac

	keys '?'
	check "$tag: help" wait_for "Help \(Esc" 3
	check "$tag: help drawn clean" clean
	[ "$lang" = C ] && check "$tag: help ASCII only" only_ascii
	keys Escape
	wait_gone "Help \(Esc" 3

	command "sort restarts desc"
	if [ "$lang" = C ]; then
		check "$tag: sort mark in ASCII" wait_for "RESTART(S|)v" 3
	else
		check "$tag: sort mark" wait_for "RESTART(S|)(▼|v)" 3
	fi
	command "sort"

	command "runbook soak-cycle"
	wait_for "Run soak-cycle: parameters" 5
	check "$tag: runbook form drawn clean" clean
	keys Enter Enter
	check "$tag: runbook view" wait_for "RUNBOOK soak-cycle" 5
	keys Enter
	if [ "$lang" = C ]; then
		check "$tag: step marks in ASCII" wait_for "^ \+ +1 check" 10
		check "$tag: runbook view ASCII only" only_ascii
	else
		check "$tag: step marks" wait_for "(✓|\+) +1 check" 10
	fi
	check "$tag: runbook view clean" clean
	keys Escape
	wait_for "1 Pods" 3
	command "audit"
	check "$tag: the audit pager" wait_for "Audit trail: the last" 5
	check "$tag: the audit pager clean" clean
	[ "$lang" = C ] && check "$tag: audit pager ASCII only" only_ascii
	keys Escape
	wait_for "1 Pods" 3

	tm resize-window -t t -x 80 -y 24
	sleep 0.5
	check "$tag: 80x24 keeps every panel" all_titles
	check "$tag: 80x24 clean" clean 80
	tm resize-window -t t -x 60 -y 20
	check "$tag: too small says so" \
	    wait_for "terminal too small: 60x20, need 80x24" 3
	tm resize-window -t t -x $COLS -y $ROWS
	check "$tag: back to ${COLS}x$ROWS" wait_for "1 Pods" 3
	sleep 0.3
	check "$tag: redrawn clean" clean

	keys q
	wait_exit 30 || { keys y; wait_exit 30; }
	check "$tag: quits with status 0" test "$(exit_code)" = 0
	check "$tag: leaves the alternate screen" \
	    test "$(tm display -p -t t '#{alternate_on}')" = 0
}

for term in xterm screen tmux-256color linux vt100; do
	for lang in C C.UTF-8; do
		one "$term" "$lang"
	done
done
one tmux-256color C.UTF-8 NO_COLOR=1
one xterm C NO_COLOR=1
finish
