#!/usr/bin/env bash
# Loss is never silent: with a tiny queue and an output that stalls, the
# events that output cannot take are counted and reported as event 255
# with exact counts (the reports themselves reach the output when it moves
# again), and everything else still arrives.
. "$(dirname "$0")/lib.sh"
t_begin 13-loss-reported

N=3000
probe=$T_DIR/vigil-loss-$$
cp /bin/true "$probe"
cat > "$T_DIR/small.conf" <<CONF
queue_events = 64
CONF
mkfifo "$T_DIR/pipe"
out=$T_DIR/events.json
# The reader opens the pipe with the daemon, then stalls: the daemon's
# writes block once the pipe buffer is full, and stdout's backlog fills.
bash -c "exec 3< '$T_DIR/pipe'; sleep 8; cat <&3 > '$out'" &
reader=$!
vigil_start "$T_DIR/pipe" --settings "$T_DIR/small.conf" --no-store \
	--format json || t_end
"$HELPERS/burst" "$N" 4 "$probe" loss
wait_reader() {
	for _ in $(seq 1 100); do
		[ -s "$out" ] && return 0
		sleep 0.2
	done
}
wait_reader
settle
vigil_stop
wait "$reader"

seen=$(jq -r --arg p "$probe" 'select(.Event.System.EventID == 1 and
	.Event.EventData.Image == $p) | 1' "$out" | wc -l)
reports=$(jq -r 'select(.Event.System.EventID == 255) |
	.Event.EventData.Description' "$out")
lost=$(sed -n 's/^\([0-9]*\) events\{0,1\} lost.*/\1/p' <<<"$reports" |
	paste -sd+ | bc)
echo "# logged $seen of $N, reported lost ${lost:-0}"
ok "some events were lost (the test stalls the output)" test "${lost:-0}" -gt 0
ok "the loss report names the stalled output" \
	grep -q 'not written to stdout (behind or failed) [1-9]' <<<"$reports"
ok "every process logged or its loss reported" \
	test $((seen + ${lost:-0})) -ge "$N"
ok "event 255 is level 2 (error)" test "$(jq -r 'select(.Event.System.EventID
	== 255) | .Event.System.Level' "$out" | sort -u)" == 2
t_end
