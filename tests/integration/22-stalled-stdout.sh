#!/usr/bin/env bash
# A reader that stops reading (a paused pager, a stuck pipe) must not cost
# the store anything: with --format json piped into a reader that sleeps
# through a burst, the store keeps every event, nothing is lost as "queue
# full", and what stdout alone missed is counted as lost_stdout, exactly.
. "$(dirname "$0")/lib.sh"
t_begin 22-stalled-stdout

N=${STALL_N:-12000}
probe=$T_DIR/vigil-stall-$$
cp /bin/true "$probe"
db=$T_DIR/events.db
got=$T_DIR/stdout.json
mkdir -p "$T_DIR/state" "$T_DIR/run"
# The reader sleeps until the burst is over ("go" appears), then reads.
"$VIGIL" run --state-dir "$T_DIR/state" --run-dir "$T_DIR/run" \
	--store "$db" --format json \
	> >(while [ ! -e "$T_DIR/go" ]; do sleep 0.1; done; cat > "$got") \
	2> "$T_DIR/vigil.log" &
VIGIL_PID=$!
for _ in $(seq 1 200); do
	[ -s "$T_DIR/run/status" ] && break
	sleep 0.05
done
ok "vigil started" test -s "$T_DIR/run/status"
ok "burst of $N processes ran while stdout is stalled" \
	"$HELPERS/burst" "$N" 4 "$probe" mark
settle
q=$(status_get lost_queue) s=$(status_get lost_sink)
so=$(status_get lost_stdout)
echo "# during the stall: lost_queue=$q lost_sink=$s lost_stdout=$so"
is "the store lost nothing to the stall (queue full 0)" "$q" 0
is "no store write failed" "$s" 0
ok "stdout fell behind and counted it ($so)" test "${so:-0}" -gt 0
# Count by Image through the viewer (the store keeps only a key of it).
n1=$("$VIGIL" view --store "$db" -e 1 -n 0 --format json \
	--field "Image=$probe" | wc -l)
n5=$("$VIGIL" view --store "$db" -e 5 -n 0 --format json \
	--field "Image=$probe" | wc -l)
is "the store has every ProcessCreate" "$n1" "$N"
is "the store has every ProcessTerminate" "$n5" "$N"

# The reader wakes up and drains; then stop.  Every event the store has
# went to stdout or is counted as lost to stdout, in the last report.
touch "$T_DIR/go"
settle
vigil_stop
is "vigil stopped cleanly" "$VIGIL_STATUS" 0
for _ in $(seq 1 50); do
	[ -s "$got" ] && tail -c 200 "$got" | grep -q '"State":"Stopped"' &&
		break
	sleep 0.1
done
stored=$(sqlite3 -readonly "$db" "SELECT count(*) FROM events")
lines=$(wc -l < "$got")
last=$("$VIGIL" view --store "$db" -e 255 -n 1 --format json |
	jq -r .Event.EventData.Description |
	grep -o 'not written to stdout (behind or failed) [0-9]*' |
	grep -o '[0-9]*$')
echo "# stored $stored, on stdout $lines, lost to stdout $last"
is "stdout lines + lost_stdout = events stored" "$((lines + ${last:-0}))" \
	"$stored"
ok "what stdout got is whole JSON lines" jq -e . "$got" > /dev/null
t_end
