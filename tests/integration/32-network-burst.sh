#!/usr/bin/env bash
# 20,000 loopback TCP connections with NetworkConnect on: every connect
# and every accept is logged, or the shortfall is reported as event 255.
. "$(dirname "$0")/lib.sh"
t_begin 32-network-burst

N=${NET_BURST_N:-20000}
out=$T_DIR/events.json
cat >"$T_DIR/net.xml" <<'EOF2'
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <NetworkConnect onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
EOF2
vigil_start "$out" --no-store --format json "$T_DIR/net.xml" || t_end
start=$(date +%s.%N)
"$HELPERS/nettool" loop "$N" >"$T_DIR/loop.out"
ok "$N connections made" test $? -eq 0
end=$(date +%s.%N)
settle
vigil_stop
pid=$(sed -n 's/^pid=\([0-9]*\).*/\1/p' "$T_DIR/loop.out")
port=$(sed -n 's/.*listen=\([0-9]*\).*/\1/p' "$T_DIR/loop.out")
echo "# $N connections in $(echo "$end - $start" | bc) s"

counts=$(jq -r --arg p "$pid" --arg l "$port" 'select(.Event.System.EventID
	== 3 and .Event.EventData.ProcessId == $p) | .Event.EventData |
	if .Initiated == "true" and .DestinationPort == $l then "c"
	elif .Initiated == "false" and .SourcePort == $l then "a"
	else "other" end' "$out" | sort | uniq -c)
connects=$(awk '$2 == "c" { print $1 }' <<<"$counts")
accepts=$(awk '$2 == "a" { print $1 }' <<<"$counts")
lost=$(jq -r 'select(.Event.System.EventID == 255) |
	.Event.EventData.Description' "$out" |
	sed -n 's/^\([0-9]*\) events lost.*/\1/p' | paste -sd+ | bc)
connects=${connects:-0} accepts=${accepts:-0} lost=${lost:-0}
echo "# logged $connects connects and $accepts accepts of $N, reported lost $lost"
ok "every connect logged or its loss reported" \
	test $((connects + lost)) -ge "$N"
ok "every accept logged or its loss reported" \
	test $((accepts + lost)) -ge "$N"
ok "nothing logged twice" test "$connects" -le "$N" -a "$accepts" -le "$N"
ok "nothing else logged for the loop" test -z "$(awk '$2 == "other"' <<<"$counts")"
t_end
