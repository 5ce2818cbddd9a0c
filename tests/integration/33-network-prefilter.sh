#!/usr/bin/env bash
# The kernel prefilter: with rules that can only log DestinationPort 79,
# connections on other ports are dropped in the kernel (counted as
# filtered, not lost) and port 79 still logs; a reload to rules without a
# port condition lifts it.
. "$(dirname "$0")/lib.sh"
t_begin 33-network-prefilter

out=$T_DIR/events.json
cat >"$T_DIR/ports.xml" <<'EOF2'
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <RuleGroup groupRelation="or">
      <NetworkConnect onmatch="include">
        <DestinationPort condition="is">79</DestinationPort>
      </NetworkConnect>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
EOF2
cat >"$T_DIR/all.xml" <<'EOF2'
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <NetworkConnect onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
EOF2
cat >"$T_DIR/none.xml" <<'EOF2'
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
EOF2
# links: the BPF links the daemon holds (attached programs).
links() {
	grep -l '^link_id:' /proc/"$VIGIL_PID"/fdinfo/* 2>/dev/null | wc -l
}
# reload FILE: make FILE the config and wait for its event 16.
reload() {
	local n
	n=$(grep -c '"EventID":16' "$out")
	cp "$1" "$T_DIR/net.xml"
	kill -HUP "$VIGIL_PID"
	for _ in $(seq 1 50); do
		[ "$(grep -c '"EventID":16' "$out")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}

# No network rules: the network programs are not even attached.
cp "$T_DIR/none.xml" "$T_DIR/net.xml"
vigil_start "$out" --no-store --format json "$T_DIR/net.xml" || t_end
links0=$(links)
ok "without network rules: 3 or 22 not armed" \
	grep -Eq '^armed=1,4,5,16,255$' "$T_DIR/run/status"
ok "reload to port rules" reload "$T_DIR/ports.xml"
# The TCP hook attaches; the cgroup socket-buffer hooks need CAP_NET_ADMIN,
# given up at start-up: UDP and DNS wait for a restart, and say so.
is "after the reload: the TCP and bind hooks attached" \
	"$(($(links) - links0))" 3
ok "and event 255 says a restart is needed for UDP and DNS" \
	grep -q 'only a restart of vigil can attach' "$out"

wait_port() {
	for _ in $(seq 1 100); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.02
	done
	return 1
}
# pair NAME ADDR N: N connections to a listener on ADDR ($NETTOOL_PORT).
pair() {
	local port lpid
	rm -f "$T_DIR/$1.port"
	"$HELPERS/nettool" listen "$2" "$T_DIR/$1.port" "$3" >/dev/null &
	lpid=$!
	port=$(wait_port "$T_DIR/$1.port")
	NETTOOL_PORT= "$HELPERS/nettool" connect "$2" "$port" "$3" >/dev/null
	wait $lpid
	echo "$port"
}
filtered0=$(status_get net_filtered)
other=$(pair other 127.0.0.1 10)
named=$(NETTOOL_PORT=79 pair named 127.0.0.79 1)
settle
sleep 1.1 # the status file is rewritten every second
filtered1=$(status_get net_filtered)
is "the prefilter dropped the 10 connects and 10 accepts in the kernel" \
	"$((filtered1 - filtered0))" 20
is "status: nothing lost" "$(status_get lost_ring)" 0

# Reload to rules that log everything: the prefilter is lifted.
ok "reload to rules without a port condition" reload "$T_DIR/all.xml"
after=$(pair after 127.0.0.1 3)
settle
vigil_stop

count3() {	# count3 PORT: event 3 records with PORT at either end
	jq -r --arg p "$1" 'select(.Event.System.EventID == 3 and
		(.Event.EventData.DestinationPort == $p or
		 .Event.EventData.SourcePort == $p)) | 1' "$out" | wc -l
}
is "no event for the filtered port" "$(count3 "$other")" 0
is "port 79: the connect logged (the accept's DestinationPort is not 79)" \
	"$(count3 79)" 1
is "after the reload: connects and accepts logged" "$(count3 "$after")" 6

# Started with network rules, all five attach; a reload without them
# detaches what can be attached again and leaves the two socket-buffer
# hooks attached but idle.
cp "$T_DIR/all.xml" "$T_DIR/net.xml"
vigil_start "$out" --no-store --format json "$T_DIR/net.xml" || t_end
is "started with network rules: 5 more links" "$(($(links) - links0))" 5
ok "reload to no network rules" reload "$T_DIR/none.xml"
is "after it: the 2 idle socket-buffer hooks remain" \
	"$(($(links) - links0))" 2
n0=$(jq -r 'select(.Event.System.EventID == 3) | 1' "$out" | wc -l)
pair idle 127.0.0.1 2 >/dev/null
"$HELPERS/nettool" udp-recv 127.0.0.1 "$T_DIR/u.port" 1 >/dev/null &
upid=$!
"$HELPERS/nettool" udp-send 127.0.0.1 "$(wait_port "$T_DIR/u.port")" 1 >/dev/null
wait $upid
settle
vigil_stop
is "idle: nothing logged" \
	"$(jq -r 'select(.Event.System.EventID == 3) | 1' "$out" | wc -l)" "$n0"
t_end
