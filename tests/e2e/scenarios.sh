#!/usr/bin/env bash
# End-to-end: faults of the demo world's scenarios show up in the console
# (run fast with --demo-speed so that minutes pass in seconds).
. "$(dirname "$0")/lib.bash"

first_pod_row() { screen | grep -m1 -E '^│erp-system'; }
inventory_first() { first_pod_row | grep -q inventory; }

start 200 50 -- --demo=oom-crashloop --demo-speed=60
check "oom-crashloop: HighMemoryUsage alert fires" wait_for "HighMemoryUsage" 30
check "oom-crashloop: a pod is OOMKilled" wait_for "OOMKilled" 20
check "oom-crashloop: CrashLoopBackOff with OOMKilled as last reason" wait_for "CrashLoopBackOff .*OOMKilled" 20
check "oom-crashloop: PodCrashLooping alert fires" wait_for "PodCrashLooping" 40
check "oom-crashloop: problem pods sort to the top" inventory_first
check "oom-crashloop: alert names its runbook" wait_for "pod-crash-loop|high-memory-usage" 5
check "oom-crashloop: pods title counts problems" wait_for "1 Pods ─ [0-9]+ crit" 5
keys q
wait_exit 50

start 200 50 -- --demo=primary-lost --demo-speed=60
check "primary-lost: replication says PRIMARY DOWN" wait_for "PRIMARY DOWN" 20
check "primary-lost: PostgresPrimaryDown fires" wait_for "PostgresPrimaryDown" 20
check "primary-lost: circuits open" wait_for " open " 20
keys q
wait_exit 50

start 200 50 -- --demo=replication-stall --demo-speed=60
check "replication-stall: lag alert fires" wait_for "PostgresReplicationLag" 30
check "replication-stall: replay lag in minutes shows" wait_for "pg-standby-2 .*[0-9]+m[0-9]{2}s" 20
keys q
wait_exit 50

start 200 50 -- --demo=outbox-backlog --demo-speed=60
check "outbox-backlog: backlog alert fires" wait_for "OutboxBacklogHigh" 30
check "outbox-backlog: failed messages counted" wait_for "OutboxMessagesFailing" 30
keys q
wait_exit 50

# Determinism as a user sees it: the same seed gives the same pod names.
start 120 30 -- --demo --seed=42
wait_for "erp-system" 10
a=$(screen | grep -oE 'gateway-[a-z0-9]+-[a-z0-9]+' | sort | head -3)
keys q; wait_exit 50
start 120 30 -- --demo --seed=42
wait_for "erp-system" 10
b=$(screen | grep -oE 'gateway-[a-z0-9]+-[a-z0-9]+' | sort | head -3)
keys q; wait_exit 50
check "the same seed gives the same world" test -n "$a" -a "$a" = "$b"
start 120 30 -- --demo --seed=43
wait_for "erp-system" 10
c=$(screen | grep -oE 'gateway-[a-z0-9]+-[a-z0-9]+' | sort | head -3)
keys q; wait_exit 50
check "another seed gives another world" test "$a" != "$c"
finish
