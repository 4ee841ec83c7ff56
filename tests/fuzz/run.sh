#!/bin/sh
# run.sh: run libFuzzer targets, each for a bounded time (make fuzz, and
# the short run of tests/e2e/fuzz_smoke.sh).
#
#   sh tests/fuzz/run.sh SECONDS [TARGET...]     (default: every target
#                                                 built in $FUZZ_B)
#
# Each corpus is $FUZZ_CORPUS/TARGET/ (default build/fuzz/corpus/): the
# committed seeds of tests/fuzz/corpus/TARGET/ and copies of the fixtures
# (below), then what libFuzzer adds.  Crashes, leaks, timeouts and OOMs
# are saved to build/fuzz/crashes/TARGET/ and printed in base64 (up to
# 3 KB: a CI log is enough to reproduce); the log of a run is
# build/fuzz/logs/TARGET.log ($FUZZ_LOGS/TARGET.log when set).
# FUZZ_SEED sets libFuzzer's random seed (a failure prints the one used).
# Prints "ok - fuzz TARGET: N runs, no crash" or "not ok - fuzz TARGET:
# ..." per target (the protocol of tests/run.sh) and fails if any failed.
FUZZ_B=${FUZZ_B:-build/fuzz}
secs=${1:-30}
[ $# -gt 0 ] && shift
targets=$*
[ -n "$targets" ] || targets=$(cd "$FUZZ_B" 2>/dev/null &&
    ls fuzz_* 2>/dev/null | grep -v '\.d$')
[ -n "$targets" ] || { echo "not ok - fuzz: no targets in $FUZZ_B" \
    "(make fuzz-build)"; exit 1; }

# The fixtures each target starts from, besides its committed seeds.
seeds() {
	case "$1" in
	fuzz_runbook)	ls runbooks/*.yaml tests/fixtures/runbooks/*.yaml ;;
	fuzz_drill)	ls runbooks/drills/*.yaml ;;
	fuzz_theme)	ls themes/*.yaml ;;
	esac 2>/dev/null
}

dict() {
	case "$1" in
	fuzz_runbook|fuzz_drill)	d=tests/fuzz/runbook.dict ;;
	*)				d=tests/fuzz/${1#fuzz_}.dict ;;
	esac
	[ -f "$d" ] && echo "-dict=$d"
}

nfail=0
for t in $targets; do
	bin=$FUZZ_B/$t
	corpus=${FUZZ_CORPUS:-$FUZZ_B/corpus}/$t
	crashes=$FUZZ_B/crashes/$t
	logs=${FUZZ_LOGS:-$FUZZ_B/logs}
	log=$logs/$t.log
	name=${t#fuzz_}
	mkdir -p "$corpus" "$crashes" "$logs"
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz $name: $bin not built (make fuzz-build)"
		nfail=$((nfail + 1))
		continue
	fi
	[ -d "tests/fuzz/corpus/$t" ] && cp -p "tests/fuzz/corpus/$t"/* \
	    "$corpus"/ 2>/dev/null
	for f in $(seeds "$t"); do
		cp -p "$f" "$corpus/fixture-$(echo "$f" | tr / _)"
	done
	stamp=$logs/$t.stamp
	: >"$stamp"
	# shellcheck disable=SC2046
	"$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
	    -artifact_prefix="$crashes/" $(dict "$t") "$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	found=$(find "$crashes" -type f -newer "$stamp" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
		echo "not ok - fuzz $name: exit $rc, $found new input(s) in" \
		    "$crashes/ (log: $log; $(grep -m1 -o 'Seed: [0-9]*' \
		    "$log"))"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" |
		    head -5 | sed 's/^/#   /'
		find "$crashes" -type f -newer "$stamp" -size -3k | head -3 |
		    while read -r f; do
			echo "#   $(basename "$f") in base64:"
			base64 -w 76 "$f" | sed 's/^/#     /'
		done
		nfail=$((nfail + 1))
	else
		echo "ok - fuzz $name: ${runs:-0} runs, no crash" \
		    "($(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" |
		    sed -E 's/.*(cov: [0-9]+ ft: [0-9]+ corp: [^ ]+).*/\1/'))"
	fi
	rm -f "$stamp"
done
[ "$nfail" -eq 0 ]
