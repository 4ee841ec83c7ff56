#!/bin/sh
# make bench: the console benchmarks (docs/performance.md records them).
#   BENCH_IDLE=60  seconds of idle measurement
B=${B:-build/std}
IDLE=${BENCH_IDLE:-60}
echo "== console, 200x50, demo world, ${IDLE}s idle at 1 s refresh"
"$B/tests/bench/bench_console" ./sitrep "$IDLE" 200 50
echo "== console, 80x24"
"$B/tests/bench/bench_console" ./sitrep 10 80 24
