#!/usr/bin/env bash
# Forwarding into ClickHouse (Debian's clickhouse-server, started here on
# loopback with a private data directory): two daemons with different
# host names (each in its own UTS namespace) ship into one table; the
# fleet query (`vigil view --fleet`) finds each host's marker process
# with the local store's filters plus --host, and renders it exactly as
# the local store does; ClickHouse stopped and started again during a
# burst: every event of both stores is in the table, none twice.
. "$(dirname "$0")/lib.sh"
t_begin 61-forward-clickhouse

N=${FORWARD_BURST_N:-5000} # processes: 2N events
CH_PID= PID_A= PID_B=
for cmd in clickhouse-server unshare curl; do
	command -v "$cmd" >/dev/null || { ok "$cmd is installed" false; t_end; }
done
chmod 755 "$T_DIR" # the forwarders run as nobody: let them reach the stores
. "$(dirname "$0")/clickhouse.sh"
http=$CH_HTTP
stop_pid() {	# stop_pid PID: SIGINT, bounded wait, then SIGKILL
	[ -n "$1" ] || return 0
	kill -INT "$1" 2>/dev/null
	for _ in $(seq 1 200); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
t_cleanup() {
	stop_pid "$PID_A"
	stop_pid "$PID_B"
	ch_stop
	[ -n "$T_DIR" ] && rm -rf "$T_DIR"
}
t0=$(date +%s.%N)
ok "clickhouse-server answers on 127.0.0.1:$http" ch_start
echo "# started in $(echo "$(date +%s.%N) - $t0" | bc) s:" \
	"$(chq 'SELECT version()')"

# --- two daemons, hosts vigil-host-a and vigil-host-b, each logging only
# its own probe, both shipping into one table
start_host() {	# start_host a|b: sets PID_<A|B>
	local h=$1 d=$T_DIR/host-$1
	mkdir -p "$d/state" "$d/run"
	cp /bin/true "$d/vigil-fleet-$h"
	cat >"$d/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="end with">/vigil-fleet-$h</Image>
    </ProcessCreate>
    <ProcessTerminate onmatch="include">
      <Image condition="end with">/vigil-fleet-$h</Image>
    </ProcessTerminate>
  </EventFiltering>
</Sysmon>
XML
	cat >"$d/vigil.conf" <<EOF
store_path = $d/db/events.db
state_dir = $d/state
run_dir = $d/run
forward.fleet.url = http://127.0.0.1:$http
forward.fleet.batch_events = 2000
EOF
	unshare --uts bash -c 'hostname "$1"; shift; exec "$@"' bash \
		"vigil-host-$h" "$VIGIL" run --quiet --settings "$d/vigil.conf" \
		"$d/config.xml" >/dev/null 2>"$d/vigil.log" &
	eval "PID_${h^^}=$!"
	for _ in $(seq 1 200); do
		[ -s "$d/run/status" ] && [ -s "$d/run/forward/status" ] &&
			return 0
		sleep 0.05
	done
	sed 's/^/#   /' "$d/vigil.log"
	return 1
}
ok "daemon of vigil-host-a started" start_host a
ok "daemon of vigil-host-b started" start_host b
view_local() {	# view_local a|b ARGS...
	local h=$1; shift
	"$VIGIL" view --store "$T_DIR/host-$h/db/events.db" "$@"
}
store_max() {
	view_local "$1" --format json -n 1 2>/dev/null |
		sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p'
}
cursor() {
	sed -n 's/^dest\.fleet\.cursor=//p' "$T_DIR/host-$1/run/forward/status"
}
# settle_hosts: both daemons have written what they queued (their logged
# counts stop moving), as lib.sh's settle does for one
settle_hosts() {
	local last=-1 now
	for _ in $(seq 1 100); do
		sleep 0.3
		now=$(sed -n 's/^logged=//p' "$T_DIR"/host-[ab]/run/status |
			paste -sd,)
		[ "$now" == "$last" ] && return 0
		last=$now
	done
}
caught_up() {
	settle_hosts
	for _ in $(seq 1 600); do
		[ -n "$(store_max a)" ] && [ "$(cursor a)" == "$(store_max a)" ] &&
			[ -n "$(store_max b)" ] &&
			[ "$(cursor b)" == "$(store_max b)" ] && return 0
		sleep 0.2
	done
	echo "# a: cursor $(cursor a) of $(store_max a)," \
		"b: cursor $(cursor b) of $(store_max b)"
	return 1
}

"$T_DIR/host-a/vigil-fleet-a" 'marker-a quote" amp& lt< tab	é'
"$T_DIR/host-b/vigil-fleet-b" marker-b
for i in 1 2 3; do "$T_DIR/host-a/vigil-fleet-a" "a-$i"; done
ok "both forwarders caught up" caught_up
fleet() { "$VIGIL" view --fleet "http://127.0.0.1:$http" "$@"; }
ids() { sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p' | paste -sd, -; }
ok "the table was created and holds both hosts" test \
	"$(chq 'SELECT Computer, count() > 0 FROM vigil_events GROUP BY Computer ORDER BY Computer' |
		tr '\t\n' ' ')" == "vigil-host-a 1 vigil-host-b 1 "
is "fleet query finds host a's marker, only on host a" \
	"$(fleet --field 'CommandLine~marker-a' -e 1 --format json |
		grep -o '"Computer":"[^"]*"')" '"Computer":"vigil-host-a"'
is "fleet query finds host b's marker" \
	"$(fleet --host VIGIL-HOST-B --field 'CommandLine~marker-b' -e 1 \
		--format json | grep -c '"Image":".*vigil-fleet-b"')" 1
is "--host b does not see host a's marker" \
	"$(fleet --host vigil-host-b --field 'CommandLine~marker-a' \
		>/dev/null 2>&1; echo $?)" 1
for fmt in xml json text; do
	is "the marker in $fmt is what the local store shows" \
		"$(fleet --host vigil-host-a --grep 'quote" amp&' -e 1 \
			--format "$fmt")" \
		"$(view_local a --grep 'quote" amp&' -e 1 --format "$fmt")"
done
is "filters: ids, --oldest, -n, Image= ignoring case" \
	"$(fleet --host vigil-host-a -e 1 --oldest -n 2 \
		--field "Image=$(tr a-z A-Z <<<"$T_DIR/host-a/vigil-fleet-a")" \
		--format json | ids)" \
	"$(view_local a -e 1 --oldest -n 2 --format json | ids)"
is "filters: a field without a column, --from-id" \
	"$(fleet --host vigil-host-a -e 1 --field 'IntegrityLevel=NO LEVEL' \
		--from-id 3 --format json | ids)" \
	"$(view_local a -e 1 --field 'IntegrityLevel=NO LEVEL' --from-id 3 \
		--format json | ids)"
is "filters: --since in the future finds nothing" \
	"$(fleet --since "$(date -u -d '+1 day' '+%Y-%m-%d')" >/dev/null 2>&1
	echo $?)" 1
# Every query of `view --fleet` asks ClickHouse for read-only rights
# (readonly=2), whatever the user may do: vigil's client sends no
# User-Agent, curl (chq) does.  (ClickHouse 18: type 2 is QueryFinish.)
chq 'SYSTEM FLUSH LOGS' >/dev/null
ok "fleet queries were logged by ClickHouse" test \
	"$(chq "SELECT count() FROM system.query_log WHERE type = 2
		AND http_user_agent = '' AND query LIKE 'SELECT record FROM%'")" -gt 5
is "every fleet query ran with readonly=2" \
	"$(chq "SELECT count() FROM system.query_log WHERE type = 2
		AND http_user_agent = '' AND query LIKE 'SELECT record FROM%'
		AND Settings.Values[indexOf(Settings.Names, 'readonly')] != '2'")" 0

# --- ClickHouse killed during a burst (an INSERT may be cut off half
# way), down for a while, started again: nothing missing, nothing twice
ch_kill() {
	kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	CH_PID=
}
fwd_error() {
	sed -n 's/^dest\.fleet\.error=//p' "$T_DIR/host-$1/run/forward/status"
}
"$HELPERS/burst" "$N" 4 "$T_DIR/host-a/vigil-fleet-a" burst >/dev/null &
burst_pid=$!
"$HELPERS/burst" 200 2 "$T_DIR/host-b/vigil-fleet-b" burst >/dev/null
sleep 0.5
ch_kill
for _ in $(seq 1 50); do
	[ -n "$(fwd_error a)" ] && break
	sleep 0.1
done
echo "# host a's forwarder says: $(fwd_error a)"
ok "the forwarder noticed ClickHouse was gone" \
	grep -q "ClickHouse at http://127.0.0.1:$http/" <<<"$(fwd_error a)"
sleep 1
ok "ClickHouse started again" ch_start
wait "$burst_pid"
ok "burst of $N processes ran" test $? -eq 0
t0=$(date +%s.%N)
ok "both forwarders caught up after the outage" caught_up
echo "# caught up $(echo "$(date +%s.%N) - $t0" | bc) s after the burst;" \
	"stores: a $(store_max a), b $(store_max b) events"
grep -h "forward fleet" "$T_DIR"/host-*/vigil.log | sort | uniq -c |
	sort -rn | head -4 | sed 's/^/# /'
for h in a b; do
	in_ch=$(chq "SELECT EventRecordID FROM vigil_events
		WHERE Computer = 'vigil-host-$h' ORDER BY EventRecordID" |
		paste -sd, -)
	in_store=$(view_local "$h" --oldest --format json | ids)
	ok "host $h: every event of the store is in ClickHouse once" \
		test "$in_ch" == "$in_store"
done
is "no row twice in the table" \
	"$(chq 'SELECT count() - uniqExact(Computer, EventRecordID) FROM vigil_events')" 0
is "the fleet query counts every event of both hosts" \
	"$(fleet --format json | wc -l)" \
	"$(( $(store_max a) + $(store_max b) ))"
echo "# $SECONDS s"
t_end
