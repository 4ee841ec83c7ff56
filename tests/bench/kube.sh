#!/usr/bin/env bash
# kube.sh: bench_kube against the fixture API server (NOT a real
# Kubernetes, see docs/kubernetes.md) holding 10,000 pods.
#   BENCH_KUBE_ROUNDS=50  watch events to time
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build/std}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
. "$ROOT/tests/fixtures/kube_env.bash"
KDIR=$(mktemp -d /tmp/sitrep-bench-kube.XXXXXX)
trap 'kube_env_stop; rm -rf "$KDIR"' EXIT
kube_env_start "$KDIR" || exit 1
"$B/tests/bench/bench_kube" "$KDIR/kubeconfig" "$KDIR/certs/ca.pem" \
    "https://127.0.0.1:$KUBE_PORT" "${BENCH_KUBE_ROUNDS:-50}" || exit 1
echo "-- the same list as one body (a server that ignores limit)"
curl -s -o /dev/null --cacert "$KDIR/certs/ca.pem" -X POST \
    "https://127.0.0.1:$KUBE_PORT/_admin/reset" || true
"$B/tests/bench/bench_kube" "$KDIR/kubeconfig" "$KDIR/certs/ca.pem" \
    "https://127.0.0.1:$KUBE_PORT" 0 one-body
