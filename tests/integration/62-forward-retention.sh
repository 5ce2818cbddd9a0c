#!/usr/bin/env bash
# A destination that is down never slows the store, and what the store's
# retention deletes before the destination had it is counted exactly and
# reported: in the status file (per destination and as the loss reason
# "retention"), in `vigil status`, and as event 255.
. "$(dirname "$0")/lib.sh"
t_begin 62-forward-retention

N=${RETENTION_BURST_N:-4000}
chmod 755 "$T_DIR"
probe=$T_DIR/vigil-ret-probe
cp /bin/true "$probe"
cat >"$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="end with">/vigil-ret-probe</Image>
    </ProcessCreate>
    <ProcessTerminate onmatch="include">
      <Image condition="end with">/vigil-ret-probe</Image>
    </ProcessTerminate>
  </EventFiltering>
</Sysmon>
XML
# a port nobody listens on: take one, then free it
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db=$T_DIR/db/events.db
cat >"$T_DIR/vigil.conf" <<EOF
store_path = $db
store_max_bytes = 1M
state_dir = $T_DIR/state
run_dir = $T_DIR/run
forward.down.url = tcp://127.0.0.1:$port
EOF
vigil_start /dev/null --quiet --settings "$T_DIR/vigil.conf" \
	"$T_DIR/config.xml" || t_end
ok "burst of $N processes ran" "$HELPERS/burst" "$N" 4 "$probe" ret
settle
# a quiet moment: the status file says the same before and after counting
for _ in $(seq 1 20); do
	sleep 1.1
	before=$(status_get logged),$(status_get dest.down.lost_retention)
	count=$("$VIGIL" view --store "$db" --format json 2>/dev/null | wc -l)
	sleep 1.1
	logged=$(status_get logged)
	lost=$(status_get dest.down.lost_retention)
	[ "$before" == "$logged,$lost" ] && break
done
echo "# logged $logged, in the store $count, lost to retention $lost"
ok "retention deleted events (the store is 1 MiB)" test "$count" -lt "$logged"
is "every deleted event is counted for the destination" "$lost" \
	"$((logged - count))"
is "and as the loss reason retention" "$(status_get lost_retention)" "$lost"
"$VIGIL" status --settings "$T_DIR/vigil.conf" >"$T_DIR/st" 2>&1
ok "vigil status: the destination is down, its losses shown" grep -q \
	"down: tcp://127.0.0.1:$port, not connected" "$T_DIR/st"
ok "vigil status: lost to retention $lost" grep -q \
	"lost to retention $lost\$" "$T_DIR/st"
ok "vigil status: deleted by retention among the losses" grep -q \
	"events lost .*deleted by retention before forwarding $lost" "$T_DIR/st"
sed 's/^/#   /' "$T_DIR/st"
vigil_stop
ok "event 255 reports it" eval '"$VIGIL" view --store "$db" -e 255 \
	--format json | grep -q "deleted by retention before forwarding [1-9]"'
echo "# $SECONDS s"
t_end
