#!/usr/bin/env bash
# faults.sh: the fault matrix (docs/reliability.md, "The fault matrix").
#
# Every source goes through every fault: real servers (the lab's PostgreSQL
# and Redis, a real Alertmanager and Prometheus, the Kubernetes fixture API
# server, health endpoints of the circuit exporter) each behind
# tests/fixtures/fault_proxy.py, and the real sitrep in tmux pointed at the
# proxies with a 1 s refresh.  tests/integration/fault_matrix.py switches
# the proxies fault by fault and reads the screen; it prints
# "ok - <source> <fault>: ..." lines and, with FAULTS_WRITE_DOC=1, writes
# the table into docs/reliability.md.  FAULTS=refuse,slow,... runs some
# faults only, FAULT_SOURCES=Redis,Kubernetes some sources (the table is
# then not written).  FAULTS_SETUP_ONLY=SECONDS starts everything and
# waits (to look at it by hand: tmux -L <socket> attach); FAULT_PROXY_DEBUG=1
# keeps the proxy's log of every connection.
. "$(dirname "$0")/../e2e/lib.bash"
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/servers.bash"
PROXY_PID=""
KSRV_PID=""
all_stop() {
	[ -n "$PROXY_PID" ] && stop_pid "$PROXY_PID"
	[ -n "$KSRV_PID" ] && stop_pid "$KSRV_PID"
	cleanup
	servers_stop
	lab_stop
}

# Free loopback ports, as the kernel hands them out.
free_ports() {	# N
	python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

T0=$(date +%s)
lab_start
trap all_stop EXIT	# after lab_start, which sets its own
trap "exit 143" TERM INT
CERTS="$TMP/certs"
sh "$ROOT/tests/fixtures/make_certs.sh" "$CERTS" || {
	echo "not ok - test certificates are made"; exit 1; }

read -r P_AM P_PROM P_EXP P_CTL X_PG X_RD X_KUBE X_AM X_PROM X_HEALTH \
    <<<"$(free_ports 10)"

# The Kubernetes fixture API server (tests/fixtures/kube_api_server.py).
python3 "$ROOT/tests/fixtures/kube_api_server.py" --certs "$CERTS" \
    --token itest-token --ready "$TMP/kube.ready" >"$TMP/kube.log" 2>&1 &
KSRV_PID=$!
wait_file "$TMP/kube.ready" 10 && sleep 0.2
P_KUBE=$(awk '{print $NF}' "$TMP/kube.ready" 2>/dev/null)
if [ -z "$P_KUBE" ]; then
	echo "not ok - the Kubernetes fixture starts"; sed 's/^/# /' "$TMP/kube.log"; exit 1
fi

if ! am_start am "$P_AM" ""; then
	echo "not ok - Alertmanager starts"; server_log am; exit 1
fi
if ! exporter_start "$P_EXP"; then
	echo "not ok - the circuit exporter starts"; exit 1
fi
if ! prom_start "$P_PROM" "$P_EXP"; then
	echo "not ok - Prometheus starts"; server_log prometheus; exit 1
fi
# A circuit for the Circuits panel, and two alerts that stay firing.
curl -fsS -o /dev/null "http://127.0.0.1:$P_EXP/admin" \
    -d '{"kind": "r4j", "service": "finance", "dep": "ledger", "state": "open"}'
ENDS=$(date -u -d '+3 hour' +%Y-%m-%dT%H:%M:%SZ)
curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    "http://127.0.0.1:$P_AM/api/v2/alerts" -d '[
 {"labels": {"alertname": "FaultMatrixCritical", "severity": "critical",
   "service": "finance"}, "annotations": {"summary": "the fault matrix"},
   "endsAt": "'"$ENDS"'"},
 {"labels": {"alertname": "FaultMatrixWarning", "severity": "warning",
   "service": "orders"}, "annotations": {"summary": "the fault matrix"},
   "endsAt": "'"$ENDS"'"}]'

python3 "$ROOT/tests/fixtures/fault_proxy.py" --ready "$TMP/proxy.ready" \
    --control "$P_CTL" --cert "$CERTS/server.pem" --key "$CERTS/server.key" \
    --bad-cert "$CERTS/other-ca.pem" --bad-key "$CERTS/other-ca.key" \
    "postgres:pg:$X_PG:127.0.0.1:$PG_PRIMARY_PORT" \
    "redis:redis:$X_RD:127.0.0.1:$REDIS_PRIMARY_PORT" \
    "kubernetes:http:$X_KUBE:127.0.0.1:$P_KUBE:tls" \
    "alertmanager:http:$X_AM:127.0.0.1:$P_AM" \
    "prometheus:http:$X_PROM:127.0.0.1:$P_PROM" \
    "health:http:$X_HEALTH:127.0.0.1:$P_EXP" >"$TMP/proxy.log" 2>&1 &
PROXY_PID=$!
if ! wait_file "$TMP/proxy.ready" 10; then
	echo "not ok - the fault proxy starts"; sed 's/^/# /' "$TMP/proxy.log"; exit 1
fi

cat >"$TMP/kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: faults
clusters:
- name: faults
  cluster:
    server: https://127.0.0.1:$X_KUBE
    certificate-authority: $CERTS/ca.pem
contexts:
- name: faults
  context: {cluster: faults, user: token-user, namespace: erp-system}
users:
- name: token-user
  user: {token: itest-token}
EOF
# One console for the sources with panels of their own; the health
# endpoints in a second one: they share the Circuits panel (and its
# source) with Prometheus, and a Prometheus fault would hide theirs.
cat >"$TMP/sitrep.yaml" <<YAML
environments:
  faults:
    refresh: 1s
    postgres:
      - name: pg
        conninfo: "host=127.0.0.1 port=$X_PG dbname=erp user=sitrep sslmode=verify-full sslrootcert=$CERTS/ca.pem"
        password_file: $LAB_DIR/pg.pass
        connect_timeout: 2s
        statement_timeout: 2s
    redis:
      - name: cache
        url: redis://127.0.0.1:$X_RD/0
        password_file: $LAB_DIR/redis.pass
        connect_timeout: 2s
        timeout: 2s
    kubernetes:
      kubeconfig: $TMP/kubeconfig
      namespace: erp-system
      timeout: 3s
    alertmanager:
      - name: am
        url: https://127.0.0.1:$X_AM
        ca_file: $CERTS/ca.pem
        connect_timeout: 2s
        timeout: 3s
    prometheus:
      url: https://127.0.0.1:$X_PROM
      ca_file: $CERTS/ca.pem
      circuits: resilience4j
      connect_timeout: 2s
      timeout: 3s
  health:
    refresh: 1s
    health:
      - name: billing
        url: https://127.0.0.1:$X_HEALTH/health/billing
        ca_file: $CERTS/ca.pem
        connect_timeout: 2s
        timeout: 3s
  rediss:
    refresh: 1s
    redis:
      - name: tls-cache
        url: rediss://127.0.0.1:$X_RD/0
YAML

# The consoles (a third for the rediss:// refusal), one tmux server; 120x40 is the stacked layout: one line
# of title (with the data age) per panel, and its error line under it.
tm new-session -d -s main -x 120 -y 40 \
    "$SITREP --config $TMP/sitrep.yaml --env faults; echo \$? > $TMP/exit.main"
tm new-session -d -s health -x 120 -y 40 \
    "$SITREP --config $TMP/sitrep.yaml --env health; echo \$? > $TMP/exit.health"
tm new-session -d -s rediss -x 120 -y 40 \
    "$SITREP --config $TMP/sitrep.yaml --env rediss; echo \$? > $TMP/exit.rediss"
echo "# setup took $(( $(date +%s) - T0 )) s"

if [ -n "${FAULTS_SETUP_ONLY:-}" ]; then
	echo "# tmux -L $SOCK attach; control port $P_CTL"
	sleep "$FAULTS_SETUP_ONLY"
	exit 0
fi

python3 "$ROOT/tests/integration/fault_matrix.py" --tmux-socket "$SOCK" \
    --tmux-conf "$TMUX_CONF" --control "$P_CTL" --tmp "$TMP" \
    --doc "$ROOT/docs/reliability.md" --faults "${FAULTS:-}" \
    --sources "${FAULT_SOURCES:-}" --write-doc "${FAULTS_WRITE_DOC:-0}"
rc=$?
if [ -n "${FAULT_PROXY_DEBUG:-}" ]; then
	cp "$TMP/proxy.log" "/tmp/fault_proxy.$$.log"
	echo "# the proxy's log: /tmp/fault_proxy.$$.log"
fi
echo "# the whole run took $(( $(date +%s) - T0 )) s"
exit "$rc"
