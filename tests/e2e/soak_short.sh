#!/usr/bin/env bash
# The soak (tests/soak/soak.sh, `make soak` runs it for an hour) for 120 s:
# the busy console keeps its RSS, file descriptors and threads flat, quits
# with status 0, and its runs leave a trail that verifies.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d /tmp/sitrep-soak.XXXXXX)
SOAK_SECONDS=${SOAK_SHORT_SECONDS:-120} SOAK_SAMPLE=3 SOAK_OUT=$out \
    bash "$ROOT/tests/soak/soak.sh"
rc=$?
rm -rf "$out"
exit $rc
