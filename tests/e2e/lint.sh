#!/usr/bin/env bash
# make lint in the test suite: cppcheck over every file, clang-tidy with
# every chosen check but the static analyzer over every file and with the
# analyzer over tui/ (LINT_QUICK=1; the whole of `make lint` takes about
# 15 minutes on 2 cores).  Findings are in the log.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
# The sources are the same in the sanitizer run (make test-san): once is enough.
case "${B:-}" in *san*)
	echo "ok - cppcheck clean # SKIP checked in the plain run"
	echo "ok - clang-tidy clean # SKIP checked in the plain run"
	exit 0 ;;
esac
for tool in cppcheck clang-tidy; do
	if ! command -v $tool >/dev/null; then
		echo "not ok - $tool installed (make deps)"
		continue
	fi
	target=lint-${tool#clang-}
	if out=$(make --no-print-directory $target LINT_QUICK=1 2>&1); then
		echo "ok - $tool clean"
	else
		echo "not ok - $tool clean"
		sed 's/^/# /' <<<"$out" | head -60
	fi
done
exit 0
