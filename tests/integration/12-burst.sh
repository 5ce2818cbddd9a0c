#!/usr/bin/env bash
# A burst of 20,000 short processes: every one is logged, or the shortfall
# is reported as event 255 with its count.  Never silent.
. "$(dirname "$0")/lib.sh"
t_begin 12-burst

N=${BURST_N:-20000}
out=$T_DIR/events.json
probe=$T_DIR/vigil-burst-$$
cp /bin/true "$probe"
vigil_start "$out" --no-store --format json || t_end
start=$(date +%s.%N)
ok "burst of $N processes ran" "$HELPERS/burst" "$N" 4 "$probe" mark
end=$(date +%s.%N)
settle
vigil_stop
echo "# $N execs in $(echo "$end - $start" | bc) s"

seen=$(jq -r --arg p "$probe" 'select(.Event.System.EventID == 1 and
	.Event.EventData.Image == $p) | .Event.EventData.CommandLine' "$out" |
	sort -u | wc -l)
lost=$(jq -r 'select(.Event.System.EventID == 255) |
	.Event.EventData.Description' "$out" |
	sed -n 's/^\([0-9]*\) events\{0,1\} lost.*/\1/p' | paste -sd+ | bc)
lost=${lost:-0}
echo "# logged $seen of $N, reported lost $lost"
ok "every process logged or its loss reported" \
	test $((seen + lost)) -ge "$N"
ok "nothing logged twice" test "$(jq -r --arg p "$probe" 'select(
	.Event.System.EventID == 1 and .Event.EventData.Image == $p) | 1' \
	"$out" | wc -l)" -eq "$seen"
exits=$(jq -r --arg p "$probe" 'select(.Event.System.EventID == 5 and
	.Event.EventData.Image == $p) | 1' "$out" | wc -l)
ok "every logged process has its event 5 ($exits)" \
	test $((exits + lost)) -ge "$N"
t_end
