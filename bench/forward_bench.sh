#!/usr/bin/env bash
# bench/forward_bench.sh - the forwarder's figures, each with a baseline
# measured in the same run:
#
#   throughput: a store of N events (default 1,000,000) shipped from
#     cursor 0 by `vigil forward` to a real rsyslog (Debian's) over TLS,
#     over plain TCP, and to a real ClickHouse (HTTP, batched inserts),
#     against reading and rendering the same store alone (`vigil view
#     --oldest --format xml|json > /dev/null`): events/s each;
#   exec ratio: the sensor's exec workload (exec_loop) under the daemon
#     while `vigil forward` catches up on that backlog of N events, to
#     the same workload under the same daemon with the forwarder idle.
#
# Prints key=value lines (bench/run.sh puts them in BENCHMARKS.md).  Needs
# root (the daemon loads BPF).  A benchmark reports; it never fails on a
# timing.
#
# Usage: VIGIL=/abs/vigil bench/forward_bench.sh
# Environment: FWD_BENCH_N (events, default 1000000), BENCH_BIN (folder of
# exec_loop), STORE_WRITER (tests/store_test, fills the store),
# FWD_BENCH_EXEC_N (execs per round, 5000), FWD_BENCH_REPS (rounds, 3).
set -euo pipefail

: "${VIGIL:?VIGIL must name the vigil binary}"
here=$(cd "$(dirname "$0")" && pwd)
N=${FWD_BENCH_N:-1000000}
bin=${BENCH_BIN:-$(dirname "$VIGIL")/bench}
writer=${STORE_WRITER:-$(dirname "$VIGIL")/tests/store_test}
exec_n=${FWD_BENCH_EXEC_N:-5000}
reps=${FWD_BENCH_REPS:-3}
config=$here/collect-all.xml

work=$(mktemp -d /tmp/vigil-fwd-bench.XXXXXX)
chmod 755 "$work"
rs_pid="" ch_pid="" fwd_pid="" vigil_pid="" sink_pid="" web_pid=""
say() { printf 'forward_bench: [%3ds] %s\n' "$SECONDS" "$*" >&2; }
stop() {	# stop PID [SIGNAL]: signal, wait (bounded), kill
	[ -n "$1" ] || return 0
	kill "-${2:-TERM}" "$1" 2>/dev/null || true
	for _ in $(seq 1 300); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	set +e
	stop "$fwd_pid"
	stop "$web_pid"
	stop "$vigil_pid" INT
	stop "$rs_pid"
	stop "$ch_pid"
	stop "$sink_pid"
	rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
rate() { echo "$1 / ($3 - $2)" | bc; } # rate N T0 T1: events/s

for p in "$writer" "$bin/exec_loop"; do
	[ -x "$p" ] || { say "missing $p (make bench; make test builds store_test)"; exit 1; }
done

# --- the store: N events ---------------------------------------------------
db=$work/db/events.db
say "filling a store with $N events"
"$writer" --burst "$db" "$N" 1000 >/dev/null
echo "forward_store_events=$N"
echo "forward_store_bytes=$(du -cb "$db"* | tail -n 1 | cut -f1)"

# --- baseline: read and render the store alone -----------------------------
for fmt in xml json; do
	t0=$(now)
	"$VIGIL" view --store "$db" --oldest --format "$fmt" >/dev/null
	echo "forward_render_${fmt}_events_per_s=$(rate "$N" "$t0" "$(now)")"
done

# --- receivers ---------------------------------------------------------------
pki=$work/pki
mkdir -p "$pki" "$work/rs" "$work/ch"/{data,tmp,files,log}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$pki/ca.key" -out "$pki/ca.pem" -days 2 -subj /CN=ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$pki/server.key" -out "$pki/server.csr" -subj /CN=localhost \
	2>/dev/null
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
	-CAcreateserial -days 2 -out "$pki/server.pem" \
	-extfile <(echo subjectAltName=DNS:localhost) 2>/dev/null
port=$((20000 + RANDOM % 20000))
cat >"$work/rs/rsyslog.conf" <<EOF
global(workDirectory="$work/rs" maxMessageSize="64k" net.enableDNS="off"
       defaultNetstreamDriverCAFile="$pki/ca.pem"
       defaultNetstreamDriverCertFile="$pki/server.pem"
       defaultNetstreamDriverKeyFile="$pki/server.key")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="out")
input(type="imtcp" address="127.0.0.1" port="$((port + 1))" ruleset="out"
      streamDriver.name="ossl" streamDriver.mode="1"
      streamDriver.authMode="anon")
ruleset(name="out") { action(type="omfile" file="/dev/null") }
EOF
rsyslogd -n -f "$work/rs/rsyslog.conf" -i "$work/rs/pid" \
	>"$work/rs/log" 2>&1 &
rs_pid=$!
http=$((port + 2))
sed -e "s|@CH@|$work/ch|g" -e "s|@HTTP@|$http|g" \
	-e "s|@TCP@|$((port + 3))|g" >"$work/ch/config.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>@CH@/log/server.log</log>
        <errorlog>@CH@/log/err.log</errorlog><size>10M</size><count>1</count>
    </logger>
    <http_port>@HTTP@</http_port><tcp_port>@TCP@</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <max_connections>64</max_connections>
    <max_concurrent_queries>16</max_concurrent_queries>
    <mark_cache_size>53687091</mark_cache_size>
    <path>@CH@/data/</path><tmp_path>@CH@/tmp/</tmp_path>
    <user_files_path>@CH@/files/</user_files_path>
    <users_config>@CH@/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone><mlock_executable>false</mlock_executable>
</yandex>
EOF
cat >"$work/ch/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex><profiles><default/></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries>
    <errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows>
    <execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
clickhouse-server --config-file="$work/ch/config.xml" >"$work/ch/log/out" 2>&1 &
ch_pid=$!
for _ in $(seq 1 300); do
	[ "$(curl -s "http://127.0.0.1:$http/" --data-binary 'SELECT 1')" == 1 ] &&
		break
	sleep 0.1
done

# ship NAME URL [KEY=VALUE...]: forward the whole store from cursor 0 to
# one destination, print its rate
ship() {
	local name=$1 url=$2 t0 d=$work/fwd-$1
	shift 2
	mkdir -p "$d/state" "$d/run"
	{
		echo "store_path = $db"
		echo "state_dir = $d/state"
		echo "run_dir = $d/run"
		echo "forward.$name.url = $url"
		for kv in "$@"; do echo "forward.$name.${kv%%=*} = ${kv#*=}"; done
	} >"$d/vigil.conf"
	t0=$(now)
	"$VIGIL" forward --settings "$d/vigil.conf" 2>>"$work/forward.log" &
	fwd_pid=$!
	# The status file is rewritten every second: time the cursor between
	# its first and its last change seen (polled every 50 ms), not from
	# the start, so neither the start-up nor that second counts.
	local c last=0 t_first="" c_first=0 t_last=""
	for _ in $(seq 1 12000); do
		c=$(sed -n "s/^dest\.$name\.cursor=//p" "$d/run/forward/status" \
			2>/dev/null || true)
		c=${c:-0}
		if [ "$c" != "$last" ]; then
			if [ -z "$t_first" ]; then
				t_first=$(now) c_first=$c
			else
				t_last=$(now)
			fi
			last=$c
		fi
		[ "$c" == "$N" ] && break
		sleep 0.05
	done
	if [ -n "$t_last" ]; then
		echo "forward_${name}_events_per_s=$(rate $((N - c_first)) "$t_first" "$t_last")"
	elif [ -n "$t_first" ]; then # all within one status period
		echo "forward_${name}_events_per_s=$(rate "$N" "$t0" "$t_first")"
	fi
	stop "$fwd_pid"
	fwd_pid=""
}
say "shipping $N events: rsyslog TLS, rsyslog TCP, ClickHouse"
ship tls "tls://localhost:$((port + 1))" "ca_file=$pki/ca.pem" \
	message_max=64K
ship tcp "tcp://127.0.0.1:$port" message_max=64K
ship clickhouse "http://127.0.0.1:$http"

# --- the web viewer's event page on the table just filled ---------------------
# `vigil web --fleet` over HTTP (curl's time to the last byte, median of
# 11), against the same page from the local store of the same events
# through the same server.
chq() { curl -sS "http://127.0.0.1:$http/" --data-binary "$1"; }
web_ms() {	# web_ms PATH
	local i
	for i in $(seq 1 11); do
		curl -s -o /dev/null -w '%{time_total}\n' \
			-H "Authorization: Bearer $token" "$web_url$1"
	done | sort -n | sed -n 6p | awk '{ printf "%.1f", $1 * 1000 }'
}
token=$(openssl rand -hex 32)
echo "$token" >"$work/web.token"
"$VIGIL" web --listen 127.0.0.1:0 --store "$db" --token-file "$work/web.token" \
	--fleet "http://127.0.0.1:$http" >"$work/web.out" 2>>"$work/web.err" &
web_pid=$!
for _ in $(seq 1 100); do
	grep -q serving "$work/web.out" && break
	sleep 0.05
done
web_url=$(grep -o 'serving http://[0-9.:]*' "$work/web.out" | cut -d' ' -f2)
host=$(chq 'SELECT any(Computer) FROM vigil_events FORMAT TSVRaw')
mid=$(chq "SELECT concat(toString(time_ns), '.',
	toString(cityHash64(Computer)), '.', toString(EventRecordID))
	FROM vigil_events ORDER BY time_ns LIMIT 1 OFFSET $((N / 2))")
echo "forward_web_local_page_ms=$(web_ms '/api/events?limit=100&source=local')"
echo "forward_web_fleet_page_ms=$(web_ms '/api/events?limit=100')"
echo "forward_web_fleet_mid_page_ms=$(web_ms "/api/events?limit=100&before=$mid")"
echo "forward_web_fleet_host_page_ms=$(web_ms \
	"/api/events?limit=100&host=$(jq -rn --arg h "$host" '$h | @uri')")"
echo "forward_web_fleet_histogram_ms=$(web_ms '/api/histogram?buckets=100')"
stop "$web_pid"
web_pid=""
stop "$rs_pid"
rs_pid=""
stop "$ch_pid"
ch_pid=""

# --- the sensor's exec ratio while the forwarder catches up -------------------
# A receiver that only reads (its CPU is not what is measured here).
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
buf = bytearray(1 << 20)
while True:
    c, _ = s.accept()
    while c.recv_into(buf): pass
    c.close()
' "$((port + 4))" &
sink_pid=$!
d=$work/daemon
mkdir -p "$d/state" "$d/run"
"$VIGIL" run --store "$db" --state-dir "$d/state" --run-dir "$d/run" \
	--quiet "$config" >/dev/null 2>"$work/vigil.log" &
vigil_pid=$!
for _ in $(seq 1 200); do [ -s "$d/run/status" ] && break; sleep 0.1; done
cat >"$d/forward.conf" <<EOF
store_path = $db
state_dir = $d/state
run_dir = $d/run
forward.sink.url = tcp://127.0.0.1:$((port + 4))
forward.sink.message_max = 64K
EOF
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
exec_round() {	# sets wall and cpu of one exec_loop run
	local line
	sync
	sleep 1
	line=$("$bin/exec_loop" "$exec_n" /bin/true)
	wall=$(field wall_s <<<" $line") cpu=$(field cpu_s <<<" $line")
}
walls_idle=() walls_busy=() cpus_idle=() cpus_busy=() caught=()
say "exec ratio: $reps rounds of $exec_n execs, forwarder idle / catching up"
for ((r = 0; r < reps; r++)); do
	exec_round
	walls_idle+=("$wall") cpus_idle+=("$cpu")
	rm -f "$d/state/forward/sink.cursor"
	"$VIGIL" forward --settings "$d/forward.conf" 2>>"$work/forward.log" &
	fwd_pid=$!
	sleep 0.5 # connected, shipping
	exec_round
	walls_busy+=("$wall") cpus_busy+=("$cpu")
	caught+=("$(sed -n 's/^dest\.sink\.cursor=//p' "$d/run/forward/status" \
		2>/dev/null || echo 0)")
	stop "$fwd_pid"
	fwd_pid=""
done
lost=$(sed -n 's/^lost_\(ring\|queue\|scratch\)=//p' "$d/run/status" |
	paste -sd+ | bc)
stop "$vigil_pid" INT
vigil_pid=""
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
	END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
wi=$(median "${walls_idle[@]}") wb=$(median "${walls_busy[@]}")
ci=$(median "${cpus_idle[@]}") cb=$(median "${cpus_busy[@]}")
echo "forward_exec_wall_ratio=$(echo "scale=3; $wb / $wi" | bc)"
echo "forward_exec_cpu_ratio=$(echo "scale=3; $cb / $ci" | bc)"
echo "forward_exec_idle_wall_s=$wi"
echo "forward_exec_busy_wall_s=$wb"
echo "forward_exec_backlog_shipped=$(median "${caught[@]}")"
echo "forward_exec_sensor_lost=${lost:-0}"
