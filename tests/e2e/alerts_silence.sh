#!/usr/bin/env bash
# End-to-end: sitrep in tmux against a real Alertmanager (configured with
# --config): an alert fires, the operator focuses the alerts panel, presses
# m, writes a comment, confirms the form and the restatement, and the alert
# turns silenced on screen; Alertmanager has the silence with the
# operator's user@host; x and y expire it and the alert is active again; M
# lists the silences.
. "$(dirname "$0")/lib.bash"
LAB_PORT_BASE=${LAB_PORT_BASE:-$((20000 + ($$ % 2000) * 8))}
. "$ROOT/tests/integration/servers.bash"
trap 'servers_stop; cleanup' EXIT

AM_PORT=$((LAB_PORT_BASE + 6))
AM="http://127.0.0.1:$AM_PORT"
if [ ! -x /usr/bin/prometheus-alertmanager ] || ! am_start am "$AM_PORT" ""; then
	not_ok "Alertmanager starts"
	server_log am
	exit 1
fi

fire() {	# endsAt offset in seconds
	local ends
	ends=$(date -u -d "$1 seconds" +%Y-%m-%dT%H:%M:%SZ)
	curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
	    "$AM/api/v2/alerts" -d '[{"labels": {"alertname": "E2eCrashLoop",
	    "severity": "critical", "namespace": "erp-system",
	    "pod": "finance-7d9-x1"}, "annotations": {"summary":
	    "finance crash looping", "runbook":
	    "https://runbooks.chiroerp.com/pod-crash-loop"},
	    "endsAt": "'"$ends"'"}]'
}
check "an alert is posted to Alertmanager" fire 600

cat >"$TMP/sitrep.yaml" <<YAML
environments:
  e2e:
    refresh: 1s
    alertmanager:
      - name: am-1
        url: $AM
        timeout: 3s
YAML

start 120 36 -- --config "$TMP/sitrep.yaml"
check "the alerts panel has the alert" wait_for "E2eCrashLoop" 15
keys 5 z
check "5 focuses the alerts panel (z zooms it)" wait_gone "1 Pods" 3
check "the alert shows with its runbook" wait_for "E2eCrashLoop .*active +pod-crash-loop" 5
keys m
if ! wait_for "Silence E2eCrashLoop" 5; then
	not_ok "m opens the silence form"
	echo "# (sitrep.c must call alertmanager_register_actions for the sources)"
	exit 1
fi
ok "m opens the silence form"
check "the form shows the matchers" wait_for "alertname=E2eCrashLoop" 2
check "the form names the operator" wait_for "created by [^ ]+@[^ ]+" 2
check "duration defaults to 2h" wait_for "duration +2h" 2
keys Enter
keys -l "e2e: finance deploy, INC-42"
keys Enter
check "the restatement says what will be created" \
    wait_for "Create silence for 2h \(until [0-9]{2}:[0-9]{2} UTC\): alertname=E2eCrashLoop" 5
check "the restatement has the comment" \
    wait_for "comment: e2e: finance deploy, INC-42;" 2
check "the restatement names the author" wait_for "by [^ ]+@[^ ]+\?" 2
keys y
check "the status bar names the new silence" wait_for "silence [0-9a-f-]+ created on am-1" 10
check "the alert turns silenced" wait_for "E2eCrashLoop .*silenced" 10

silence_by_operator() {
	curl -fsS "$AM/api/v2/silences" | python3 -c '
import json, sys
s = [x for x in json.load(sys.stdin) if x["status"]["state"] == "active"]
ok = len(s) == 1 and s[0]["comment"] == "e2e: finance deploy, INC-42" and \
    "@" in s[0]["createdBy"] and \
    {"name": "alertname", "value": "E2eCrashLoop", "isRegex": False,
     "isEqual": True} in s[0]["matchers"]
sys.exit(0 if ok else 1)'
}
check "Alertmanager has the silence, by user@host, matching the labels" silence_by_operator

keys M
check "M lists the silences" wait_for "Silences \(Esc" 10
check "the list shows the comment" wait_for "comment: e2e: finance deploy, INC-42" 2
keys Escape

keys x
check "x asks before expiring" wait_for "Expire this silence\?" 5
keys y
check "the status bar says it expired" wait_for "silence [0-9a-f-]+ expired on am-1" 10
check "the alert is active again" wait_for "E2eCrashLoop .*active" 10

keys q
check "q quits" wait_exit 50
finish
