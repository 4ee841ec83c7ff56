#!/usr/bin/env bash
# Keystrokes while the console lists 10,000 pods (~30 MB) from the fixture
# API server (NOT a real Kubernetes, see docs/kubernetes.md): the list is
# fetched and parsed on the worker thread, the UI must stay responsive.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build/std}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
. "$ROOT/tests/fixtures/kube_env.bash"
KDIR=$(mktemp -d /tmp/sitrep-bench-kc.XXXXXX)
trap 'kube_env_stop; rm -rf "$KDIR"' EXIT
kube_env_start "$KDIR" >/dev/null || exit 1
curl -s -o /dev/null --cacert "$KDIR/certs/ca.pem" -X POST \
    -d '{"ns":"erp-system","count":10000}' \
    "https://127.0.0.1:$KUBE_PORT/_admin/bulk"
cat >"$KDIR/sitrep.yaml" <<YAML
environments:
  kube:
    refresh: 2s
    kubernetes:
      kubeconfig: $KDIR/kubeconfig
      context: token
      namespace: erp-system
YAML
echo "== console, 200x50, 10,000 pods being listed and parsed (Tab/S-Tab)"
BENCH_MARKS=0 BENCH_KEYS=tab "$B/tests/bench/bench_console" "$ROOT/sitrep" 0 \
    200 50 --config "$KDIR/sitrep.yaml" | grep -E "keystroke|RSS"
