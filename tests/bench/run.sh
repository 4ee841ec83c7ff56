#!/bin/sh
# make bench: the console benchmarks (docs/performance.md records them).
#   BENCH_IDLE=60  seconds of idle measurement
#   BENCH_OUTBOX=0 skip the outbox benchmark (tests/bench/bench_outbox.sh)
B=${B:-build/std}
IDLE=${BENCH_IDLE:-60}
echo "== console, 200x50, demo world, ${IDLE}s idle at 1 s refresh"
"$B/tests/bench/bench_console" ./sitrep "$IDLE" 200 50
echo "== console, 80x24"
"$B/tests/bench/bench_console" ./sitrep 10 80 24
sh tests/bench/hung.sh
# The outbox source against 10 million rows (starts its own lab, or uses
# $LAB_DIR); BENCH_OUTBOX=0 skips it.
[ "${BENCH_OUTBOX:-1}" = 0 ] || B="$B" bash tests/bench/bench_outbox.sh
# The Kubernetes source, 10,000 pods from the fixture API server.
echo "== kubernetes, 10,000 pods (~33 MB of PodList) from the fixture API server"; B="$B" bash tests/bench/kube.sh
# The audit trail: records per second, each fsync'ed (docs/audit.md).
echo "== audit trail, 3000 records, fsync each"; "$B/tests/bench/bench_audit" 3000
bash tests/bench/kube_console.sh
