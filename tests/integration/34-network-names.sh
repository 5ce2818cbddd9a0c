#!/usr/bin/env bash
# Host names by reverse lookup (DnsLookup, on by default as in Sysmon): as
# Sysmon does it, off the event path: an address seen for the first time
# is "-" while the worker resolves it, later events carry the name; with
# <DnsLookup>false</DnsLookup> never.
. "$(dirname "$0")/lib.sh"
t_begin 34-network-names

out=$T_DIR/events.json
want=$(getent hosts 127.0.0.1 | awk '{ print $2; exit }')
ok "127.0.0.1 has a name here (/etc/hosts)" test -n "$want"
mk() {	# mk FILE DNSLOOKUP_ELEMENT
	cat >"$1" <<EOF2
<Sysmon schemaversion="4.90">
  $2
  <EventFiltering>
    <NetworkConnect onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
EOF2
}
mk "$T_DIR/on.xml" ""
mk "$T_DIR/off.xml" "<DnsLookup>false</DnsLookup>"
cp "$T_DIR/on.xml" "$T_DIR/net.xml"
vigil_start "$out" --no-store --format json "$T_DIR/net.xml" || t_end

# one NAME: one connection to 127.0.0.1, the connector's PID in NAME_pid.
one() {
	rm -f "$T_DIR/$1.port"
	"$HELPERS/nettool" listen 127.0.0.1 "$T_DIR/$1.port" >/dev/null &
	local l=$!
	for _ in $(seq 1 100); do [ -s "$T_DIR/$1.port" ] && break; sleep 0.02; done
	printf -v "${1}_pid" '%s' "$("$HELPERS/nettool" connect 127.0.0.1 \
		"$(cat "$T_DIR/$1.port")" | sed -n 's/^pid=\([0-9]*\).*/\1/p')"
	wait $l
}
one first
sleep 1 # the worker resolves 127.0.0.1 meanwhile
one second
n=$(grep -c '"EventID":16' "$out")
cp "$T_DIR/off.xml" "$T_DIR/net.xml"
kill -HUP "$VIGIL_PID"
for _ in $(seq 1 50); do
	[ "$(grep -c '"EventID":16' "$out")" -gt "$n" ] && break
	sleep 0.1
done
one third
settle
vigil_stop

name() {	# name PID FIELD
	jq -r --arg p "$1" 'select(.Event.System.EventID == 3 and
		.Event.EventData.ProcessId == $p) | .Event.EventData.'"$2" "$out"
}
is "a later connection: DestinationHostname by reverse lookup" \
	"$(name "$second_pid" DestinationHostname)" "$want"
is "and SourceHostname" "$(name "$second_pid" SourceHostname)" "$want"
is "DnsLookup false: no reverse lookup" \
	"$(name "$third_pid" DestinationHostname)" -
t_end
