#!/usr/bin/env bash
# End-to-end: sitrep in tmux with a kubernetes: source against the fixture
# API server (NOT a real Kubernetes, see docs/kubernetes.md): pods appear,
# --context picks the kubeconfig context, an expired token is explained,
# Enter on a pod opens its details.
. "$(dirname "$0")/../e2e/lib.bash"
. "$ROOT/tests/fixtures/kube_env.bash"
KDIR="$TMP/kube"
mkdir -p "$KDIR"
trap 'cleanup; kube_env_stop' EXIT
kube_env_start "$KDIR" >/dev/null || { echo "not ok - fixture API server starts"; exit 1; }
cat >"$TMP/sitrep.yaml" <<YAML
environments:
  kube:
    refresh: 1s
    kubernetes:
      kubeconfig: $KDIR/kubeconfig
      namespace: erp-system
YAML

start 200 50 -- --config "$TMP/sitrep.yaml"
check "kube: pods from the API server appear" wait_for "erp-system +[a-z0-9-]+ +[0-9]/[0-9]" 15
check "kube: the header names the current context" wait_for "ctx token" 5
keys 1 Enter
check "kube: Enter on a pod opens its details" wait_for "(Events|EVENTS|events)" 10
keys Escape q
wait_exit 50

start 200 50 -- --config "$TMP/sitrep.yaml" --context badtoken
check "kube: --context picks another context" wait_for "ctx badtoken" 10
check "kube: a refused token is explained" wait_for "401 unauthorized" 15
keys q
wait_exit 50

out=$("$SITREP" --config "$TMP/sitrep.yaml" --context nosuch 2>&1 </dev/null); rc=$?
check "kube: an unknown context stops the console" test "$rc" -eq 1
check "kube: ... naming the known contexts" grep -q "context 'nosuch' not found (have: token" <<<"$out"
finish
