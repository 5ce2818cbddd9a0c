#!/usr/bin/env bash
# Event 22 DnsQuery against a real DNS server (Debian's dnsmasq) on
# loopback with known records: dig over UDP and TCP, the glibc resolver
# (getent, python's getaddrinfo) and a caching forwarder, each event with
# its name, status, answers and asking process; event 3 names the address
# a process resolved; a query nobody answers is logged as such.
. "$(dirname "$0")/lib.sh"
t_begin 31-dns

for tool in dnsmasq dig unshare python3; do
	if ! command -v "$tool" >/dev/null; then
		ok "$tool is installed (scripts/deps.sh)" false
		t_end
	fi
done
dig=$(readlink -f "$(command -v dig)")
getent=$(readlink -f "$(command -v getent)")

ns=127.0.0.153 fwd=127.0.0.155 dead=127.0.0.156 local_ip=127.0.0.154
dm_pids=()
# dnsmasq ADDR ARGS...: a server on ADDR:53 in the foreground, by PID.
dnsmasq_start() {
	local addr=$1; shift
	dnsmasq --keep-in-foreground --conf-file=/dev/null --no-hosts \
		--listen-address="$addr" --bind-interfaces --port=53 \
		--user=root --pid-file= "$@" 2>>"$T_DIR/dnsmasq.log" &
	dm_pids+=($!)
	for _ in $(seq 1 50); do
		dig +short +tries=1 +time=1 @"$addr" probe.vigil.test \
			>/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}
dnsmasq_stop() {
	local p
	for p in "${dm_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	dm_pids=()
}
cleanup_all() { dnsmasq_stop; t_cleanup; }
trap cleanup_all EXIT

ok "dnsmasq serves the test zone" dnsmasq_start "$ns" --no-resolv \
	--local=/vigil.test/ \
	--host-record=host.vigil.test,192.0.2.10,2001:db8::10 \
	--host-record=local.vigil.test,$local_ip \
	--cname=alias.vigil.test,host.vigil.test
# A caching forwarder in front of it, as systemd-resolved or a local
# dnsmasq would be.
ok "a forwarder in front of it" dnsmasq_start "$fwd" --no-resolv \
	--server="$ns"
fwd_pid=${dm_pids[1]}
echo "nameserver $ns" >"$T_DIR/resolv.conf"
# in_ns CMD...: run with /etc/resolv.conf naming the test server, in a
# mount namespace of its own (the host's file is not touched).  It execs:
# run it in the background or a subshell, and $! is the command's PID.
in_ns() {
	exec unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$T_DIR/resolv.conf" "$@"
}

out=$T_DIR/events.json
cat >"$T_DIR/dns.xml" <<'EOF'
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <NetworkConnect onmatch="exclude"/>
    <DnsQuery onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
EOF
vigil_start "$out" --no-store --format json "$T_DIR/dns.xml" || t_end

dig +short @"$ns" alias.vigil.test >"$T_DIR/dig-udp" & udp_pid=$!
wait $udp_pid
dig +short +tcp @"$ns" host.vigil.test AAAA >"$T_DIR/dig-tcp" & tcp_pid=$!
wait $tcp_pid
dig @"$ns" nope.vigil.test >"$T_DIR/dig-nx" & nx_pid=$!
wait $nx_pid
dig +short @"$fwd" host.vigil.test >/dev/null & fwd_dig_pid=$!
wait $fwd_dig_pid
in_ns "$getent" ahostsv4 host.vigil.test >"$T_DIR/getent" & getent_pid=$!
wait $getent_pid
# python: getaddrinfo, then a TCP connection to the address it got.
NETTOOL_PORT=7777 "$HELPERS/nettool" listen "$local_ip" "$T_DIR/l.port" &
listen_pid=$!
wait_file() { for _ in $(seq 1 100); do [ -s "$1" ] && return; sleep 0.02; done; }
wait_file "$T_DIR/l.port"
(in_ns python3 -c '
import os, socket
print(os.getpid(), flush=True)
ai = socket.getaddrinfo("local.vigil.test", 7777, socket.AF_INET, socket.SOCK_STREAM)
socket.create_connection(ai[0][4]).close()') >"$T_DIR/py" 2>&1
wait $listen_pid
py_pid=$(head -n 1 "$T_DIR/py")
# A query to a server that is not there: never answered.
dig +tries=1 +time=1 @"$dead" lost.vigil.test >/dev/null 2>&1 & dead_pid=$!
wait $dead_pid

settle
vigil_stop
is "the daemon exits cleanly" "$VIGIL_STATUS" 0
is "dig's answer over UDP" "$(cat "$T_DIR/dig-udp")" \
	"$(printf 'host.vigil.test.\n192.0.2.10')"

# ev22 PID NAME: event 22 of process PID for NAME.
ev22() {
	jq -c --arg p "$1" --arg n "$2" 'select(.Event.System.EventID == 22
		and .Event.EventData.ProcessId == $p and
		.Event.EventData.QueryName == $n) | .Event.EventData' "$out"
}
field() { jq -r ".$2" <<<"$1"; }

e=$(ev22 "$udp_pid" alias.vigil.test)
is "dig UDP: one event" "$(grep -c . <<<"$e")" 1
is "dig UDP: Image" "$(field "$e" Image)" "$dig"
is "dig UDP: QueryStatus" "$(field "$e" QueryStatus)" 0
is "dig UDP: QueryResults (CNAME, then A as Sysmon writes it)" \
	"$(field "$e" QueryResults)" "type:  5 host.vigil.test;::ffff:192.0.2.10;"
is "dig UDP: User" "$(field "$e" User)" root
ok "dig UDP: ProcessGuid shape" grep -Eq '^\{[0-9a-f-]{36}\}$' \
	<<<"$(field "$e" ProcessGuid)"

e=$(ev22 "$tcp_pid" host.vigil.test)
is "dig +tcp: one event" "$(grep -c . <<<"$e")" 1
is "dig +tcp: QueryStatus" "$(field "$e" QueryStatus)" 0
is "dig +tcp: QueryResults (AAAA)" "$(field "$e" QueryResults)" "2001:db8::10;"

e=$(ev22 "$nx_pid" nope.vigil.test)
is "NXDOMAIN: QueryStatus 9003" "$(field "$e" QueryStatus)" 9003
is "NXDOMAIN: QueryResults" "$(field "$e" QueryResults)" -

e=$(ev22 "$fwd_dig_pid" host.vigil.test)
is "through a forwarder: the client's event" "$(field "$e" Image)" "$dig"
is "through a forwarder: its answer" "$(field "$e" QueryResults)" \
	"::ffff:192.0.2.10;"
e=$(ev22 "$fwd_pid" host.vigil.test)
is "the forwarder's own query upstream is its own" \
	"$(field "$e" Image)" "$(readlink -f "$(command -v dnsmasq)")"

e=$(ev22 "$getent_pid" host.vigil.test)
is "getent (glibc resolver): Image" "$(field "$e" Image)" "$getent"
is "getent: QueryResults" "$(field "$e" QueryResults)" "::ffff:192.0.2.10;"

e=$(ev22 "$py_pid" local.vigil.test)
is "python getaddrinfo: one event (AF_INET: A only)" "$(grep -c . <<<"$e")" 1
ok "python getaddrinfo: Image is python" grep -q python <<<"$(field "$e" Image)"
is "python getaddrinfo: QueryResults" "$(field "$e" QueryResults)" \
	"::ffff:$local_ip;"
c=$(jq -c --arg p "$py_pid" 'select(.Event.System.EventID == 3 and
	.Event.EventData.ProcessId == $p and
	.Event.EventData.Protocol == "tcp") | .Event.EventData' "$out")
is "python's connection: DestinationIp" "$(field "$c" DestinationIp)" "$local_ip"
is "python's connection: DestinationHostname is the name it resolved" \
	"$(field "$c" DestinationHostname)" local.vigil.test

e=$(ev22 "$dead_pid" lost.vigil.test)
is "an unanswered query: QueryStatus 1460 (timeout)" \
	"$(field "$e" QueryStatus)" 1460
is "an unanswered query: no results" "$(field "$e" QueryResults)" -
trap - EXIT
dnsmasq_stop
t_end
