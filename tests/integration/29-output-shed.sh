#!/usr/bin/env bash
# One output backs up and sheds by shed_first: stdout goes to a reader
# that stops reading while three processes create and delete files as
# fast as they can and 100 processes start one after another.  stdout's
# backlog (as deep as the writer queue, 1024 here) fills; from three
# quarters on the file events of shed_first are shed for stdout alone
# (lost_stdout_shed) and the last quarter is kept for the rest.  When the
# reader reads again: every ProcessCreate and ProcessTerminate the store
# has is on stdout, nothing was lost to a full backlog (lost_stdout 0),
# and the file events the store has that stdout has not are exactly
# lost_stdout_shed, as the status file and the last event 255 say.
# Docs: docs/reliability.md section 3.
. "$(dirname "$0")/lib.sh"
t_begin 29-output-shed

N=100
FLOOD=${SHED_FLOOD_N:-5000}
probe=$T_DIR/vigil-oshed-probe
cp /bin/true "$probe"
churn=$T_DIR/churn
mkdir -p "$churn" "$T_DIR/state" "$T_DIR/run"
cat >"$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <FileCreate onmatch="include">
      <TargetFilename condition="begin with">$churn/</TargetFilename>
    </FileCreate>
    <FileDelete onmatch="include">
      <TargetFilename condition="begin with">$churn/</TargetFilename>
    </FileDelete>
    <ProcessCreate onmatch="include">
      <Image condition="end with">/vigil-oshed-probe</Image>
    </ProcessCreate>
    <ProcessTerminate onmatch="include">
      <Image condition="end with">/vigil-oshed-probe</Image>
    </ProcessTerminate>
  </EventFiltering>
</Sysmon>
XML
printf 'queue_events = 1024\nshed_first = 11, 23\n' >"$T_DIR/vigil.conf"
db=$T_DIR/events.db
got=$T_DIR/stdout.json
# The reader sleeps until the flood is over ("go" appears), then reads.
"$VIGIL" run --state-dir "$T_DIR/state" --run-dir "$T_DIR/run" \
	--settings "$T_DIR/vigil.conf" --store "$db" --format json \
	"$T_DIR/config.xml" \
	> >(while [ ! -e "$T_DIR/go" ]; do sleep 0.1; done; cat >"$got") \
	2>"$T_DIR/vigil.log" &
VIGIL_PID=$!
for _ in $(seq 1 200); do
	[ -s "$T_DIR/run/status" ] && break
	sleep 0.05
done
ok "vigil started" test -s "$T_DIR/run/status"

pids=()
for i in 1 2 3; do
	mkdir -p "$churn/$i"
	"$HELPERS/file_ops" churn "$FLOOD" "$churn/$i" &
	pids+=($!)
done
t_track "${pids[@]}"
"$HELPERS/burst" "$N" 1 "$probe" oshed
for p in "${pids[@]}"; do
	wait "$p"
done
settle
sleep 1.2 # the status file, a tick later
oshed=$(status_get lost_stdout_shed)
echo "# while stdout stalled: lost_stdout_shed=$oshed" \
	"lost_stdout=$(status_get lost_stdout) lost_shed=$(status_get lost_shed)"
ok "stdout fell behind and shed file events ($oshed)" \
	test "${oshed:-0}" -gt 0
q() { sqlite3 -readonly "$db" "$1"; }
is "the store has every ProcessCreate" \
	"$("$VIGIL" view --store "$db" -e 1 -n 0 --format json \
		--field "Image=$probe" | wc -l)" "$N"

# The reader wakes up and drains; then stop.
touch "$T_DIR/go"
settle
vigil_stop
is "vigil stopped cleanly" "$VIGIL_STATUS" 0
for _ in $(seq 1 50); do
	[ -s "$got" ] && tail -c 200 "$got" | grep -q '"State":"Stopped"' &&
		break
	sleep 0.1
done
on_stdout() {	# on_stdout ID: events ID on stdout
	jq -r --argjson id "$1" 'select(.Event.System.EventID == $id) |
		.Event.System.EventRecordID' "$got" | wc -l
}
in_store() { q "SELECT count(*) FROM events WHERE EventID = $1"; }
is "stdout has every ProcessCreate the store has" "$(on_stdout 1)" \
	"$(in_store 1)"
is "stdout has every ProcessTerminate the store has" "$(on_stdout 5)" \
	"$(in_store 5)"
# the last report in the store has the final totals
last=$("$VIGIL" view --store "$db" -e 255 -n 1 --format json |
	jq -r .Event.EventData.Description)
count_of() {	# count_of TEXT: that reason's total in the last report
	grep -o "$1 [0-9]*" <<<"$last" | grep -o '[0-9]*$'
}
rshed=$(count_of 'shed before stdout (shed_first)')
rfull=$(count_of 'not written to stdout (behind or failed)')
is "event 255 has the status file's count" "$rshed" "$oshed"
is "nothing lost to a full backlog: the last quarter held" "$rfull" 0
files_store=$(($(in_store 11) + $(in_store 23)))
files_out=$(($(on_stdout 11) + $(on_stdout 23)))
echo "# file events: stored $files_store, on stdout $files_out"
is "file events stored - on stdout = shed for stdout, exactly" \
	"$((files_store - files_out))" "$rshed"
is "stdout lines + its losses = events stored" \
	"$(($(wc -l <"$got") + rshed + rfull))" "$(q "SELECT count(*) FROM events")"
t_end
