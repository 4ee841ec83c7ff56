#!/usr/bin/env bash
# prometheus.sh: the circuits source (backends/prometheus*.c) against a
# real Prometheus scraping, every second, a small exporter
# (tests/fixtures/circuit_exporter.py) whose resilience4j, Polly, Envoy
# and custom metrics and health endpoints the cases change; plus fake
# servers for Prometheus' error answers and a server that never answers.
# The cases are in itest_prometheus.c.  TAP output.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/servers.bash"

if [ ! -x "$B/tests/itest_prometheus" ]; then
	echo "not ok 1 - itest_prometheus is built (make $B/tests/itest_prometheus)"
	exit 1
fi
if [ ! -x /usr/bin/prometheus ]; then
	echo "not ok 1 - prometheus is installed (make deps)"
	exit 1
fi

P=$LAB_PORT_BASE
export PROM_PORT=$P EXPORTER_PORT=$((P + 1)) PROMERR_PORT=$((P + 2))
export HANG_PORT=$((P + 3)) REFUSED_PORT=$((P + 4)) BAD_PORT=$((P + 5))

if ! exporter_start "$EXPORTER_PORT"; then
	echo "not ok 1 - the circuit exporter starts"
	sed 's/^/# /' "$SRV_DIR/exporter.log"
	exit 1
fi
if ! prom_start "$PROM_PORT" "$EXPORTER_PORT"; then
	echo "not ok 1 - Prometheus starts"
	server_log prometheus
	exit 1
fi
if ! fake_start "$PROMERR_PORT:promerr" "$HANG_PORT:hang" \
    "$BAD_PORT:malformed"; then
	echo "not ok 1 - fake servers start"
	exit 1
fi

run_itest itest_prometheus
