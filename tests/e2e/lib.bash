# lib.bash: drive the real sitrep binary in tmux.  Sourced by tests/e2e/*.sh.
# Each test prints "ok - NAME" or "not ok - NAME" (tests/run.sh counts).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SITREP=${SITREP:-$ROOT/sitrep}
SOCK="sitrep-e2e-$$"
TMP=$(mktemp -d /tmp/sitrep-e2e.XXXXXX)
TMUX_CONF="$TMP/tmux.conf"
# TERM_E2E: the pane's TERM (tmux sets it from default-terminal); LANG_E2E:
# the locale (tests/e2e/terms.sh runs the console under several of each).
TERM_E2E=${TERM_E2E:-tmux-256color}
printf 'set -g default-terminal "%s"\nset -g status off\nset -g remain-on-exit on\nset -g history-limit 100\n' \
    "$TERM_E2E" >"$TMUX_CONF"
export LANG=${LANG_E2E:-C.UTF-8}
NFAIL=0

tm() { tmux -L "$SOCK" -f "$TMUX_CONF" "$@"; }

cleanup() { tm kill-server >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT

# start COLS ROWS [ENV=VALUE ...] -- ARGS...: run sitrep in a fresh session.
start() {
	local cols=$1 rows=$2 envs=() ; shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	tm kill-session -t t >/dev/null 2>&1
	rm -f "$TMP/exit"
	tm new-session -d -s t -x "$cols" -y "$rows" \
	    "env ${envs[*]:-} $SITREP $* ; echo \$? > $TMP/exit"
}

screen() { tm capture-pane -p -t t; }
keys() { tm send-keys -t t "$@"; }
pane_pid() { tm display -p -t t '#{pane_pid}'; }

# wait_for PATTERN [SECONDS]: until the screen matches (grep -E).
wait_for() {
	local i n=$(( ${2:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# wait_gone PATTERN [SECONDS]
wait_gone() {
	local i n=$(( ${2:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		screen | grep -qE -- "$1" || return 0
		sleep 0.1
	done
	return 1
}

wait_exit() {
	local i
	for ((i = 0; i < ${1:-50}; i++)); do
		[ -s "$TMP/exit" ] && return 0
		sleep 0.1
	done
	return 1
}

exit_code() { cat "$TMP/exit" 2>/dev/null; }

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	NFAIL=$((NFAIL + 1))
	echo "# screen at failure:"; screen | sed 's/^/#   /'
}
# check NAME COMMAND...: ok when the command succeeds.
check() {
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
finish() { exit 0; }

# wait_until COMMAND [SECONDS]: until the command succeeds.
wait_until() {
	local i n=$(( ${2:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		$1 && return 0
		sleep 0.1
	done
	return 1
}
# In a run view: skip REASON skips the step shown, with a reason; typed
# TARGET confirms a danger: high step by typing its target; tick N ticks
# the first N items of a drill board's checklist.
skip() {
	keys s
	wait_for "Skip step [0-9]+\?" 5 || return 1
	keys -l "$1"
	keys Enter
}
typed() {
	keys y
	wait_for "type $1 to confirm" 5 || return 1
	keys -l "$1"
	keys Enter
}
tick() { local i; for ((i = 0; i < $1; i++)); do keys Space j; done; }

