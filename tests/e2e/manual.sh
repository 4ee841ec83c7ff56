#!/usr/bin/env bash
# The manual agrees with the program: every option of `sitrep --help` and
# of every `sitrep COMMAND --help`, every subcommand, every key the help
# overlays list (tests read the keyhelp tables of panels/*.c), every
# environment variable the code reads (getenv) and every ':' command are
# in docs/sitrep.1; every --help exits 0; `make install` puts the page in
# place (tests/e2e/install.sh).
. "$(dirname "$0")/lib.bash"
MAN="$ROOT/docs/sitrep.1"

# man_has WORD: the page mentions WORD (roff escapes undone).
python3 - "$MAN" >"$TMP/man.txt" <<'EOF'
import re, sys
s = open(sys.argv[1]).read().replace('\\-', '-').replace('\\&', '')
out = set()
for m in re.finditer(r'\bFl (-?[A-Za-z0-9][-A-Za-z0-9]*)', s):
    out.add('-' + m.group(1))
for m in re.finditer(r'\b(?:Ic|Cm|Ev|Li) ([^\s]+)', s):
    out.add(m.group(1))
for m in re.finditer(r'\b(?:Ic|Cm) (:[a-z]+)', s):
    out.add(m.group(1))
print('\n'.join(sorted(out)))
EOF
man_has() { grep -qxF -- "$1" "$TMP/man.txt"; }
# key_has KEY: "1-6" is written "Ic 1 No - Ic 6".
key_has() {
	case "$1" in
	[0-9]-[0-9]) man_has "${1%-*}" && man_has "${1#*-}" ;;
	*) man_has "$1" ;;
	esac
}

# Every --help: exit 0, and each long option it names is in the page.
for cmd in "" runbook audit approve status drill follow "drill start"; do
	out=$($SITREP $cmd --help 2>&1); rc=$?
	check "sitrep $cmd --help exits 0 (rc $rc)" test "$rc" = 0
	missing=""
	for opt in $(grep -oE -- '--[a-z][a-z-]+' <<<"$out" | sort -u); do
		man_has "$opt" || missing="$missing $opt"
	done
	check "sitrep $cmd --help: its options are in sitrep.1${missing:+ (missing:$missing)}" \
	    test -z "$missing"
done

for sub in runbook audit follow approve status drill; do
	check "subcommand $sub is in sitrep.1" grep -qE "Cm $sub\b" "$MAN"
done

# Keys of the help overlays: the first key of each row.
missing=""
for k in $(sed -n '/keyhelp [a-z_]*\[\] = {/,/NULL, NULL/p' \
    "$ROOT"/panels/*.c | grep -oE '\{ "[^"]+"' | sed 's/{ "//; s/"$//' |
    awk '{print $1}' | sort -u); do
	key_has "$k" || missing="$missing $k"
done
check "every key of the help overlays is in sitrep.1${missing:+ (missing:$missing)}" \
    test -z "$missing"

# ':' commands of the console.
missing=""
for c in $(grep -oE '^	\{ "[a-z]+", "' "$ROOT/panels/console.c" |
    grep -oE '"[a-z]+"' | tr -d '"'); do
	{ [ "$c" = q ] || [ "$c" = r ]; } && continue
	grep -qE "Ic :$c\b|:$c\b" "$MAN" || missing="$missing :$c"
done
check "every : command is in sitrep.1${missing:+ (missing:$missing)}" \
    test -z "$missing"

# Environment variables read by the code (HOME, PATH, SSH_CLIENT are
# standard, not sitrep's settings).
missing=""
for v in $(grep -rhoE 'getenv\("[A-Z_]+"\)' "$ROOT"/core "$ROOT"/tui \
    "$ROOT"/panels "$ROOT"/backends "$ROOT"/sitrep.c | grep -oE '[A-Z_]{3,}' |
    sort -u); do
	case "$v" in HOME|PATH|SSH_CLIENT) continue ;; esac
	grep -qE "Ev $v\b" "$MAN" || missing="$missing $v"
done
check "every environment variable is in sitrep.1${missing:+ (missing:$missing)}" \
    test -z "$missing"

for sec in SYNOPSIS OPTIONS KEYS COMMANDS SUBCOMMANDS ENVIRONMENT FILES \
    "EXIT STATUS"; do
	check "sitrep.1 has $sec" grep -qE "^\.Sh $sec\$" "$MAN"
done
if command -v groff >/dev/null; then
	check "sitrep.1 formats without warnings" \
	    bash -c "! groff -mdoc -Tutf8 -ww '$MAN' 2>&1 >/dev/null | grep -q ."
fi
finish
