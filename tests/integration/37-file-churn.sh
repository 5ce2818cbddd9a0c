#!/usr/bin/env bash
# File churn: 20,000 times create, write, close and delete a file with
# FileCreate and FileDelete logging every one of them.  Every event is
# logged, or the shortfall is reported in event 255 (EventsLost).
. "$(dirname "$0")/lib.sh"
t_begin 37-file-churn

out=$T_DIR/events.json
d=$T_DIR/churn
n=20000
mkdir -p "$d"
cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <FileCreate onmatch="include">
      <TargetFilename condition="begin with">$d/</TargetFilename>
    </FileCreate>
    <FileDelete onmatch="include">
      <TargetFilename condition="begin with">$d/</TargetFilename>
    </FileDelete>
  </EventFiltering>
</Sysmon>
XML

vigil_start "$out" --no-store --format json "$T_DIR/config.xml" || t_end
start=$(date +%s.%N)
ok "the churn ran" "$HELPERS/file_ops" churn "$n" "$d"
end=$(date +%s.%N)
settle
vigil_stop
is "the daemon exits cleanly" "$VIGIL_STATUS" 0

count() {
	jq -r --argjson id "$1" --arg p "$d/" 'select(.Event.System.EventID ==
		$id and (.Event.EventData.TargetFilename | startswith($p))) |
		.Event.EventData.TargetFilename' "$out" | sort -u | wc -l
}
created=$(count 11)
deleted=$(count 23)
lost=$(jq -r 'select(.Event.System.EventID == 255 and
	.Event.EventData.ID == "EventsLost") | .Event.EventData.Description' \
	"$out" | awk '{n += $1} END {print n + 0}')
echo "# $n files in $(echo "$end - $start" | bc) s: $created created and" \
	"$deleted deleted logged, $lost reported lost"
missing=$((2 * n - created - deleted))
ok "every file logged twice, or the shortfall reported as lost" \
	test "$missing" -le "$lost"
is "no file logged that the churn did not make" \
	"$(jq -r --arg p "$d/" 'select(.Event.EventData.TargetFilename //
	"" | startswith($p)) | .Event.EventData.TargetFilename' "$out" |
	grep -cv "^$d/f[0-9]*\$")" 0
t_end
