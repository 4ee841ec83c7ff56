#!/usr/bin/env bash
# mk/tidy.sh [CLANG-TIDY OPTIONS] -- COMPILER FLAGS: clang-tidy (checks in
# .clang-tidy) over the files named on stdin, LINT_JOBS at a time.  Prints
# every finding not excused in mk/clang-tidy.supp ("FILE CHECK  reason"),
# with its notes, and fails if there is one.  make lint (mk/lint.mk) runs it.
set -u
opts=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
shift
root=$(cd "$(dirname "$0")/.." && pwd)
supp="$root/mk/clang-tidy.supp"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# One report per file, so that a finding's notes stay with it.
xargs -P "${LINT_JOBS:-2}" -I{} sh -c \
    'clang-tidy --quiet "$0" "$@" >"'"$out"'/$(echo "$0" | tr / _).txt" 2>/dev/null; exit 0' \
    {} "${opts[@]}" -- "$@"
cat "$out"/*.txt 2>/dev/null | sed "s|^$root/||" | awk -v supp="$supp" '
BEGIN {
	while ((getline line < supp) > 0) {
		if (line ~ /^#/ || line ~ /^[ \t]*$/) continue
		split(line, f, /[ \t]+/); ok[f[1] " " f[2]] = 1
	}
}
/^[^ ]+:[0-9]+:[0-9]+: (warning|error): / {
	file = $0; sub(/:.*/, "", file)
	checks = ""
	if (match($0, /\[[^]]+\]$/)) checks = substr($0, RSTART + 1, RLENGTH - 2)
	n = split(checks, cs, ",")
	show = 1
	for (i = 1; i <= n; i++) if ((file " " cs[i]) in ok) show = 0
	if (show && ($0 in seen)) show = 0
	seen[$0] = 1
	if (show) found++
}
{ if (show) print }
END { exit found > 0 }'
