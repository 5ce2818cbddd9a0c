#!/usr/bin/env bash
# Event 3 NetworkConnect end to end on loopback: TCP over IPv4, IPv6 and a
# v4-mapped address (both ends, each attributed to its own process), a
# refused connect (nothing), io_uring connects and accepts, port names.
. "$(dirname "$0")/lib.sh"
t_begin 30-network

out=$T_DIR/events.json
cat >"$T_DIR/net.xml" <<'EOF'
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <NetworkConnect onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
EOF
for who in acceptor connector; do
	cp "$HELPERS/nettool" "$T_DIR/$who"
done
acceptor=$T_DIR/acceptor connector=$T_DIR/connector

# A server that listens before the daemon starts (sshd on a real host):
# the sockets it holds are found when the family is armed.
cp "$HELPERS/nettool" "$T_DIR/early-server"
"$T_DIR/early-server" listen 127.0.0.1 "$T_DIR/early.port" >/dev/null &
early_lpid=$!
for _ in $(seq 1 100); do [ -s "$T_DIR/early.port" ] && break; sleep 0.02; done

vigil_start "$out" --no-store --format json "$T_DIR/net.xml" ||
	{ kill "$early_lpid"; t_end; }

# wait_port FILE: the port a listener wrote, once it did.
wait_port() {
	for _ in $(seq 1 100); do
		[ -s "$1" ] && { cat "$1"; return 0; }
		sleep 0.02
	done
	return 1
}

# tcp_pair NAME LISTEN_ADDR CONNECT_ADDR [uring]: one connection between
# two processes; sets <NAME>_lpid, <NAME>_cpid, <NAME>_port, <NAME>_cport.
tcp_pair() {
	local name=$1 laddr=$2 caddr=$3 lmode=listen cmode=connect port
	if [ "${4:-}" == uring ]; then lmode=uring-listen cmode=uring-connect; fi
	"$acceptor" $lmode "$laddr" "$T_DIR/$name.port" >"$T_DIR/$name.l" &
	local lpid=$!
	port=$(wait_port "$T_DIR/$name.port")
	"$connector" $cmode "$caddr" "$port" >"$T_DIR/$name.c"
	wait $lpid
	printf -v "${name}_lpid" '%s' "$lpid"
	printf -v "${name}_port" '%s' "$port"
	printf -v "${name}_cpid" '%s' "$(sed -n 's/^pid=\([0-9]*\).*/\1/p' "$T_DIR/$name.c")"
	printf -v "${name}_cport" '%s' "$(sed -n 's/.*local=\([0-9]*\).*/\1/p' "$T_DIR/$name.c")"
}

tcp_pair v4 127.0.0.1 127.0.0.1
tcp_pair v6 ::1 ::1
tcp_pair mapped :: ::ffff:127.0.0.1
tcp_pair uring 127.0.0.1 127.0.0.1 uring
"$connector" connect 127.0.0.1 "$(cat "$T_DIR/early.port")" >/dev/null
wait $early_lpid
# A refused connect: a port with no listener (the listener is gone).
"$connector" connect 127.0.0.1 "$v4_port" >"$T_DIR/refused.c"
refused_pid=$(sed -n 's/^pid=\([0-9]*\).*/\1/p' "$T_DIR/refused.c")
ok "the refused connect was refused" grep -q "connect=Connection refused" \
	"$T_DIR/refused.c"
# A well-known port: finger, 79/tcp in services(5).
NETTOOL_PORT=79 tcp_pair named 127.0.0.79 127.0.0.79

# udp_pair NAME ADDR MODE N [c]: a receiver answering N datagrams from one
# sender socket (MODE udp-send or udp-mmsg); sets the same variables.
udp_pair() {
	local name=$1 addr=$2 mode=$3 n=$4 port lpid
	"$acceptor" udp-recv "$addr" "$T_DIR/$name.port" "$n" >"$T_DIR/$name.l" &
	lpid=$!
	port=$(wait_port "$T_DIR/$name.port")
	"$connector" "$mode" "$addr" "$port" "$n" ${5:-} >"$T_DIR/$name.c"
	wait $lpid
	printf -v "${name}_lpid" '%s' "$lpid"
	printf -v "${name}_port" '%s' "$port"
	printf -v "${name}_cpid" '%s' "$(sed -n 's/^pid=\([0-9]*\).*/\1/p' "$T_DIR/$name.c")"
	printf -v "${name}_cport" '%s' "$(sed -n 's/.*local=\([0-9]*\).*/\1/p' "$T_DIR/$name.c")"
}
udp_pair u4 127.0.0.1 udp-send 3
udp_pair u6 ::1 udp-send 3
udp_pair uconn 127.0.0.1 udp-send 3 c
udp_pair ummsg 127.0.0.1 udp-mmsg 4
NETTOOL_PORT=7 udp_pair uecho 127.0.0.7 udp-send 1

settle
vigil_stop
is "the daemon exits cleanly" "$VIGIL_STATUS" 0

# ev3 PID: the event 3 records of process PID, one JSON object per line.
ev3() {
	jq -c --arg p "$1" 'select(.Event.System.EventID == 3 and
		.Event.EventData.ProcessId == $p) | .Event.EventData' "$out"
}
field() { jq -r ".$2" <<<"$1"; }
guid_of() {	# the ProcessGuid event 1 gave process PID
	jq -r --arg p "$1" 'select(.Event.System.EventID == 1 and
		.Event.EventData.ProcessId == $p) | .Event.EventData.ProcessGuid' \
		"$out" | head -n 1
}

# check_pair NAME IP IS_IPV6 [CLIENT_IP]: both ends of connection NAME
# (the client's address is IP unless given).
check_pair() {
	local name=$1 ip=$2 v6=$3 cip=${4:-$2} lpid cpid port cport c a
	lpid=${name}_lpid cpid=${name}_cpid port=${name}_port cport=${name}_cport
	lpid=${!lpid} cpid=${!cpid} port=${!port} cport=${!cport}
	c=$(ev3 "$cpid")
	a=$(ev3 "$lpid")
	is "$name: one event for the connector" "$(grep -c . <<<"$c")" 1
	is "$name: one event for the acceptor" "$(grep -c . <<<"$a")" 1
	is "$name: connector Image" "$(field "$c" Image)" "$connector"
	is "$name: connector Initiated" "$(field "$c" Initiated)" true
	is "$name: connector Protocol" "$(field "$c" Protocol)" "${PROTO:-tcp}"
	is "$name: connector SourceIp" "$(field "$c" SourceIp)" "$cip"
	is "$name: connector SourceIsIpv6" "$(field "$c" SourceIsIpv6)" "$v6"
	is "$name: connector SourcePort" "$(field "$c" SourcePort)" "$cport"
	is "$name: connector DestinationIp" "$(field "$c" DestinationIp)" "$ip"
	is "$name: connector DestinationIsIpv6" \
		"$(field "$c" DestinationIsIpv6)" "$v6"
	is "$name: connector DestinationPort" "$(field "$c" DestinationPort)" "$port"
	is "$name: connector User" "$(field "$c" User)" root
	is "$name: acceptor Image" "$(field "$a" Image)" "$acceptor"
	is "$name: acceptor Initiated" "$(field "$a" Initiated)" false
	# Source is this host's end for inbound too (Windows Sysmon's way).
	is "$name: acceptor SourcePort is the listener's" \
		"$(field "$a" SourcePort)" "$port"
	is "$name: acceptor DestinationPort is the peer's" \
		"$(field "$a" DestinationPort)" "$cport"
	is "$name: acceptor SourceIp" "$(field "$a" SourceIp)" "$ip"
	is "$name: acceptor DestinationIp" "$(field "$a" DestinationIp)" "$cip"
	is "$name: connector GUID is its event 1's" \
		"$(field "$c" ProcessGuid)" "$(guid_of "$cpid")"
	is "$name: acceptor GUID is its event 1's" \
		"$(field "$a" ProcessGuid)" "$(guid_of "$lpid")"
}

check_pair v4 127.0.0.1 false
check_pair v6 0:0:0:0:0:0:0:1 true
# An AF_INET6 socket talking to ::ffff:127.0.0.1 is IPv4 on the wire: it
# is written as such, so IPv4 rules see it.
check_pair mapped 127.0.0.1 false
check_pair uring 127.0.0.1 false
check_pair named 127.0.0.79 false 127.0.0.1

ok "the refused connector ran and was logged (event 1)" \
	test -n "$(guid_of "$refused_pid")"
a=$(ev3 "$early_lpid")
is "a listener older than the daemon: its accept is attributed to it" \
	"$(field "$a" Image)" "$T_DIR/early-server"
is "and it is an accept" "$(field "$a" Initiated)" false
is "no event 3 for the refused connect" "$(ev3 "$refused_pid")" ""
# UDP: the first datagram of a flow, either way, once.
PROTO=udp check_pair u4 127.0.0.1 false
PROTO=udp check_pair u6 0:0:0:0:0:0:0:1 true
PROTO=udp check_pair uconn 127.0.0.1 false
PROTO=udp check_pair ummsg 127.0.0.1 false
PROTO=udp check_pair uecho 127.0.0.7 false 127.0.0.1
c=$(ev3 "$uecho_cpid")
is "udp DestinationPortName of port 7" "$(field "$c" DestinationPortName)" echo
c=$(ev3 "$named_cpid")
is "DestinationPortName of port 79" "$(field "$c" DestinationPortName)" finger
is "SourcePortName of an ephemeral port" "$(field "$c" SourcePortName)" -
a=$(ev3 "$named_lpid")
is "the acceptor's SourcePortName" "$(field "$a" SourcePortName)" finger
t_end
