#!/bin/sh
# Runs every test and prints one closing line: "N passed, N failed".
#   unit tests:  $B/tests/test_* (cmocka), counted per test case
#   e2e tests:   tests/e2e/*.sh, each prints "ok - NAME" or "not ok - NAME"
#   integration: tests/integration/*.sh, same protocol
# ONLY=unit|e2e|integration runs one group.  Logs go to build/test-logs/.
B=${B:-build/std}
LOGS=build/test-logs
mkdir -p "$LOGS"
pass=0
fail=0
failed_names=""

count_tap() {	# file -> adds to pass/fail
	p=$(grep -cE '^ok [0-9]* *- ' "$1")
	f=$(grep -cE '^not ok [0-9]* *- ' "$1")
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -gt 0 ] && failed_names="$failed_names $(grep -E '^not ok [0-9]* *- ' "$1" |
	    sed -E 's/^not ok [0-9]* *- //' | tr ' ' '_' | tr '\n' ' ')"
}

run_unit() {
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		"$t" >"$LOGS/$n.log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$LOGS/$n.log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$LOGS/$n.log" | tail -1)
		p=${p:-0}; f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		pass=$((pass + p)); fail=$((fail + f))
		if [ "$f" -gt 0 ]; then
			failed_names="$failed_names $n"
			echo "FAIL $n (see $LOGS/$n.log)"; grep -E '^\[  (FAILED|ERROR)|error:|Assert|failure' "$LOGS/$n.log" | head -20
		else
			echo "pass $n: $p"
		fi
	done
}

run_scripts() {	# dir
	for t in "$1"/*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh)
		B="$B" bash "$t" >"$LOGS/$n.log" 2>&1
		rc=$?
		before=$fail
		count_tap "$LOGS/$n.log"
		if [ "$rc" -ne 0 ] && [ "$fail" -eq "$before" ]; then
			fail=$((fail + 1)); failed_names="$failed_names $n(exit=$rc)"
		fi
		if [ "$fail" -gt "$before" ] || [ "$rc" -ne 0 ]; then
			echo "FAIL $n (see $LOGS/$n.log)"; grep -E '^not ok|^#' "$LOGS/$n.log" | head -30
		else
			echo "pass $n: $(grep -cE '^ok [0-9]* *- ' "$LOGS/$n.log")"
		fi
	done
}

case "${ONLY:-all}" in
unit)		run_unit ;;
e2e)		run_scripts tests/e2e ;;
integration)	run_scripts tests/integration ;;
*)		run_unit; run_scripts tests/integration; run_scripts tests/e2e ;;
esac
[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
