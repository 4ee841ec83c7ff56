#!/bin/sh
# Keystroke latency while every configured source hangs (a server that
# accepts connections and never answers), against the same with the demo.
B=${B:-build/std}
PORT=${BENCH_HUNG_PORT:-47999}
TMP=$(mktemp -d /tmp/sitrep-hung.XXXXXX)
python3 tests/fixtures/blackhole.py "$PORT" 120 >"$TMP/bh.out" &
BH=$!
trap 'kill $BH 2>/dev/null; rm -rf "$TMP"' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q ready "$TMP/bh.out" && break; sleep 0.2; done
cat >"$TMP/hung.yaml" <<YAML
environments:
  hung:
    refresh: 1s
    postgres:
      - name: hung-pg
        conninfo: "host=127.0.0.1 port=$PORT dbname=x user=x"
        connect_timeout: 5s
    redis:
      - name: hung-redis
        url: redis://127.0.0.1:$PORT/0
        connect_timeout: 5s
        timeout: 5s
YAML
echo "== console, 200x50, demo, Tab/S-Tab (the baseline for the next)"
BENCH_KEYS=tab "$B/tests/bench/bench_console" ./sitrep 5 200 50 | grep -E "keystroke"
echo "== console, 200x50, every source hung (accepts, never answers)"
BENCH_MARKS=0 BENCH_KEYS=tab "$B/tests/bench/bench_console" ./sitrep 10 200 50 \
    --config "$TMP/hung.yaml" | grep -E "terminal|keystroke"
