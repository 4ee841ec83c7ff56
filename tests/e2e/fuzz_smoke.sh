#!/usr/bin/env bash
# fuzz_smoke.sh: the fuzz targets in the test suite (docs/reliability.md,
# "Fuzzing"): build them (make fuzz-build: clang, libFuzzer, ASan, UBSan,
# into build/fuzz/), replay every saved crash of tests/fuzz/regress/TARGET/
# (each once: it must pass), then run each target for FUZZ_SMOKE_TIME
# seconds (default 10) on a fresh corpus, its committed seeds only, as in
# a fresh clone (the corpus that build/fuzz/corpus/ grew locally would
# hide what a fresh one finds first).  A failure names libFuzzer's seed;
# FUZZ_SEED=N replays the same mutations (the targets read the clock, so
# not always to the same input).  TAP lines:
#   ok - fuzz regress TARGET/FILE
#   ok - fuzz TARGET: N runs, no crash (cov: ...)
# The long runs are `make fuzz FUZZ_TIME=600`.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
FUZZ_B=build/fuzz
SECS=${FUZZ_SMOKE_TIME:-10}
TMP=$(mktemp -d /tmp/sitrep-fuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# libFuzzer comes with clang's runtime (mk/deps.sh installs it).
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n'\
'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n'\
'{ (void)d; (void)n; return 0; }\n' >"$TMP/t.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$TMP/t" "$TMP/t.c" \
    >"$TMP/cc.log" 2>&1; then
	echo "not ok - fuzz: clang with libFuzzer is installed (make deps)"
	sed 's/^/#   /' "$TMP/cc.log" | head -5
	exit 1
fi
if ! make -s fuzz-build >"$TMP/build.log" 2>&1; then
	echo "not ok - fuzz: the targets build (make fuzz-build)"
	grep -E 'error|Error' "$TMP/build.log" | head -10 | sed 's/^/#   /'
	exit 1
fi

nfail=0
for d in tests/fuzz/regress/fuzz_*/; do
	[ -d "$d" ] || continue
	t=$(basename "$d")
	for f in "$d"*; do
		[ -f "$f" ] || continue
		if "$FUZZ_B/$t" "$f" >"$TMP/replay.log" 2>&1; then
			echo "ok - fuzz regress ${t#fuzz_}/$(basename "$f")"
		else
			echo "not ok - fuzz regress ${t#fuzz_}/$(basename "$f")"
			grep -E 'ERROR|SUMMARY|runtime error' "$TMP/replay.log" |
			    head -5 | sed 's/^/#   /'
			nfail=$((nfail + 1))
		fi
	done
done

FUZZ_B=$FUZZ_B FUZZ_LOGS=$FUZZ_B/smoke-logs FUZZ_CORPUS=$TMP/corpus \
    sh tests/fuzz/run.sh "$SECS" || nfail=$((nfail + 1))
[ "$nfail" -eq 0 ]
