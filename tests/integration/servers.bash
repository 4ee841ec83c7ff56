# servers.bash: private Alertmanager, Prometheus and fake HTTP servers on
# loopback ports, for tests/integration/{alertmanager,prometheus}.sh and
# tests/e2e/alerts_silence.sh.  Sourced after lib.bash (ROOT, B,
# LAB_PORT_BASE).  Every server gets a directory under SRV_DIR and is
# stopped by its PID on exit (servers_stop, installed as the EXIT trap).
SRV_DIR=$(mktemp -d /tmp/sitrep-srv.XXXXXX)
SRV_PIDS=()

servers_stop() {
	local pid
	for pid in "${SRV_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${SRV_PIDS[@]}"; do
		for _ in $(seq 1 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	SRV_PIDS=()
	rm -rf "$SRV_DIR"
}
trap servers_stop EXIT

# stop_pid PID: stop one server started here.
stop_pid() {
	local i
	kill "$1" 2>/dev/null
	for i in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
}

# wait_http URL [SECONDS]: until URL answers 200.
wait_http() {
	local i n=$(( ${2:-20} * 10 ))
	for ((i = 0; i < n; i++)); do
		curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_file FILE [SECONDS]
wait_file() {
	local i n=$(( ${2:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# am_start NAME WEB_PORT CLUSTER_PORT [PEER_PORT]: one Alertmanager, in an
# HA cluster with the peer when given; CLUSTER_PORT "" runs it alone.
# Sets AM_PID.
am_start() {
	local name=$1 web=$2 cport=$3 peer=${4:-} d="$SRV_DIR/$1"
	mkdir -p "$d/data"
	cat >"$d/alertmanager.yml" <<'YML'
route:
  receiver: blackhole
  group_wait: 1s
receivers:
  - name: blackhole
YML
	local args=(--config.file="$d/alertmanager.yml"
	    --storage.path="$d/data" --web.listen-address="127.0.0.1:$web"
	    --log.level=warn)
	if [ -n "$cport" ]; then
		args+=(--cluster.listen-address="127.0.0.1:$cport"
		    --cluster.advertise-address="127.0.0.1:$cport"
		    --cluster.gossip-interval=100ms
		    --cluster.pushpull-interval=2s)
	else
		args+=(--cluster.listen-address=)
	fi
	[ -n "$peer" ] && args+=(--cluster.peer="127.0.0.1:$peer")
	/usr/bin/prometheus-alertmanager "${args[@]}" >"$d/log" 2>&1 &
	AM_PID=$!
	disown "$AM_PID"
	SRV_PIDS+=("$AM_PID")
	wait_http "http://127.0.0.1:$web/-/ready" 20
}

# prom_start WEB_PORT SCRAPE_PORT: Prometheus scraping 127.0.0.1:SCRAPE_PORT
# every second.  Sets PROM_PID.
prom_start() {
	local web=$1 target=$2 d="$SRV_DIR/prometheus"
	mkdir -p "$d/data"
	cat >"$d/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: circuits
    static_configs:
      - targets: ['127.0.0.1:$target']
YML
	/usr/bin/prometheus --config.file="$d/prometheus.yml" \
	    --storage.tsdb.path="$d/data" --web.listen-address="127.0.0.1:$web" \
	    --log.level=warn >"$d/log" 2>&1 &
	PROM_PID=$!
	disown "$PROM_PID"
	SRV_PIDS+=("$PROM_PID")
	wait_http "http://127.0.0.1:$web/-/ready" 30
}

# fake_start PORT:MODE ...: tests/fixtures/fake_http.py.
fake_start() {
	local ready="$SRV_DIR/fake.ready.$RANDOM"
	python3 "$ROOT/tests/fixtures/fake_http.py" "$ready" "$@" \
	    >"$SRV_DIR/fake.log" 2>&1 &
	SRV_PIDS+=("$!")
	disown "$!"
	wait_file "$ready" 10
}

# exporter_start PORT: tests/fixtures/circuit_exporter.py.
exporter_start() {
	local ready="$SRV_DIR/exporter.ready"
	python3 "$ROOT/tests/fixtures/circuit_exporter.py" "$1" "$ready" \
	    >"$SRV_DIR/exporter.log" 2>&1 &
	SRV_PIDS+=("$!")
	disown "$!"
	wait_file "$ready" 10
}

# server_log NAME: a server's log as TAP comments (after a failure).
server_log() {
	[ -f "$SRV_DIR/$1/log" ] && tail -20 "$SRV_DIR/$1/log" | sed 's/^/# /'
}
