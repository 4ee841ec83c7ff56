#!/usr/bin/env bash
# kubernetes.sh: the Kubernetes source and actions (backends/kubernetes.c)
# against tests/fixtures/kube_api_server.py, a Kubernetes-shaped HTTPS
# server on a free loopback port (NOT a real Kubernetes: see
# docs/kubernetes.md).  tests/fixtures/kube_env.bash makes a test CA,
# server and client certificates with the openssl CLI and a kubeconfig with
# one context per way in; itest_kubernetes prints TAP.  No PostgreSQL lab.
. "$(dirname "$0")/lib.bash"
. "$ROOT/tests/fixtures/kube_env.bash"

if [ ! -x "$B/tests/itest_kubernetes" ]; then
	echo "not ok - itest_kubernetes is built (make $B/tests/itest_kubernetes)"
	exit 1
fi
for tool in python3 openssl base64; do
	command -v "$tool" >/dev/null || { echo "not ok - $tool is installed"; exit 1; }
done

KDIR="$LAB_DIR-kube"
trap 'kube_env_stop; rm -rf "$KDIR"' EXIT
kube_env_start "$KDIR" || exit 1

export KUBE_ITEST_DIR="$KDIR" KUBE_ITEST_PORT="$KUBE_PORT"
export KUBECONFIG="$KDIR/kubeconfig"
run_itest itest_kubernetes
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "# fixture server log:"
	tail -20 "$KDIR/server.log" | sed 's/^/# /'
fi
exit $rc
