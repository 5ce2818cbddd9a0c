#!/usr/bin/env bash
# A big image is hashed off the pipeline (the enrichment worker), yet its event 1
# carries the right hashes and keeps its place: nothing overtakes it.
. "$(dirname "$0")/lib.sh"
t_begin 14-big-image

out=$T_DIR/events.json
big=$T_DIR/vigil-big-$$
small=$T_DIR/vigil-small-$$
cp /bin/true "$big"
head -c $((48 << 20)) /dev/urandom >> "$big"	# still runs: ELF ignores the tail
cp /bin/true "$small"
vigil_start "$out" --no-store --format json || t_end
"$big" first
"$small" second
settle
vigil_stop

rec() {	# rec IMAGE ID: EventRecordID of IMAGE's event ID
	jq -r --arg p "$1" --argjson id "$2" 'select(.Event.System.EventID ==
		$id and .Event.EventData.Image == $p) |
		.Event.System.EventRecordID' "$out"
}
sha=$(sha256sum "$big" | cut -d' ' -f1)
hashes=$(jq -r --arg p "$big" 'select(.Event.System.EventID == 1 and
	.Event.EventData.Image == $p) | .Event.EventData.Hashes' "$out")
is "big image hashed (SHA256)" "${hashes##*SHA256=}" "$sha"
big1=$(rec "$big" 1) big5=$(rec "$big" 5) small1=$(rec "$small" 1)
ok "big image: event 1 ($big1) before its event 5 ($big5)" \
	test -n "$big1" -a -n "$big5" -a "${big1:-0}" -lt "${big5:-0}"
ok "order kept: the next process ($small1) comes after ($big1)" \
	test -n "$small1" -a "${big1:-0}" -lt "${small1:-0}"
t_end
