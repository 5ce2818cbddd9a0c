#!/usr/bin/env bash
# Faults around a running daemon, played for real:
#  1. its config file replaced by garbage, then deleted, and SIGHUP: the
#     daemon keeps its rules, says why (log and event 255), and takes a
#     good file again;
#  2. the system clock set back an hour, then forward again (restored in
#     a trap: the host's clock is left as it was): events keep flowing,
#     ids keep their order, event times follow the clock, and each step
#     is told as event 255 ClockChanged;
#  3. the JSON-lines file moved away, then its directory removed: a new
#     file is written at the path; while it cannot be, the events it
#     misses are counted (lost_jsonl) and it takes events again later.
# Docs: docs/reliability.md.
. "$(dirname "$0")/lib.sh"
t_begin 26-faults

SHIFTED=0
eval "orig_$(declare -f t_cleanup)"
t_cleanup() {
	# the clock first: whatever else failed, the host gets its time back
	if [ "$SHIFTED" -ne 0 ]; then
		"$HELPERS/clock_shift" $((-SHIFTED)) && SHIFTED=0
	fi
	orig_t_cleanup
}

probe=$T_DIR/vigil-fault-probe
cp /bin/true "$probe"
conf=$T_DIR/config.xml
write_config() {	# write_config SUFFIX: log the probe's starts
	cat >"$conf" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="end with">/vigil-fault-probe</Image>
      <CommandLine condition="contains">$1</CommandLine>
    </ProcessCreate>
  </EventFiltering>
</Sysmon>
XML
}
out=$T_DIR/out.json
jsonl=$T_DIR/j/events.jsonl
mkdir -p "$T_DIR/j"
seen() {	# seen MARK: the probe's events 1 with MARK in the output
	jq -r --arg m "$1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | endswith($m))) |
		.Event.System.EventRecordID' "$out" | wc -l
}
err255() {	# err255 ID: Descriptions of the events 255 with that ID
	jq -r --arg id "$1" 'select(.Event.System.EventID == 255 and
		.Event.EventData.ID == $id) | .Event.EventData.Description' \
		"$out"
}
wait_for() {	# wait_for SECONDS COMMAND...
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}
alive() { kill -0 "$VIGIL_PID" 2>/dev/null; }
write_config keep
vigil_start "$out" --format json --no-store --jsonl "$jsonl" "$conf" ||
	t_end
hash0=$(status_get config_hash)

# --- 1. the config file replaced by garbage, then deleted ----------------
printf '<Sysmon schemaversion="4.90"><EventFiltering><ProcessCreate onmatch=' \
	>"$conf"
printf '\x00\xff garbage' >>"$conf"
kill -HUP "$VIGIL_PID"
"$probe" garbage-keep
ok "garbage: event 255 ConfigurationError names the file" wait_for 5 \
	eval 'err255 ConfigurationError | grep -q "configuration not changed: $conf:[0-9]*:[0-9]*: "'
ok "garbage: the old rules still log" wait_for 5 eval '[ "$(seen garbage-keep)" -eq 1 ]'
is "garbage: the status keeps the old config's hash" \
	"$(status_get config_hash)" "$hash0"
rm -f "$conf"
kill -HUP "$VIGIL_PID"
"$probe" deleted-keep
ok "deleted: event 255 says it cannot open it" wait_for 5 \
	eval 'err255 ConfigurationError | grep -q "$conf:0:0: cannot open: No such file"'
ok "deleted: the old rules still log" wait_for 5 eval '[ "$(seen deleted-keep)" -eq 1 ]'
ok "the daemon runs" alive
ok "the log says it, each time" test "$(grep -c "configuration not changed" \
	"$T_DIR/vigil.log")" -eq 2
write_config other
kill -HUP "$VIGIL_PID"
ok "a good file again: taken (status shows its hash)" wait_for 5 eval \
	'[ "$(status_get config_hash)" == "$(sha256sum "$conf" | cut -d" " -f1)" ]'
"$probe" now-other
"$probe" now-keep
ok "... and its rules apply" wait_for 5 eval '[ "$(seen now-other)" -eq 1 ]'
is "... the old ones no longer" "$(seen now-keep)" 0
write_config clock
kill -HUP "$VIGIL_PID"
wait_for 5 eval '[ "$(status_get config_hash)" == "$(sha256sum "$conf" |
	cut -d" " -f1)" ]'

# --- 2. the clock set back an hour, and forward again --------------------
# CLOCK_REALTIME minus CLOCK_MONOTONIC: the same before and after, to
# within the shifts' own error, when the clock is left as it was.
offset() { python3 -c 'import time; print(time.time() - time.monotonic())'; }
utc() {	# utc MARK: the UtcTime of the event 1 with MARK, as epoch seconds
	jq -r --arg m "$1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | endswith($m))) |
		.Event.EventData.UtcTime' "$out" | head -n 1 |
		xargs -I{} date -u -d "{}" +%s.%N
}
rid() {
	jq -r --arg m "$1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | endswith($m))) |
		.Event.System.EventRecordID' "$out" | head -n 1
}
off0=$(offset)
"$probe" clock-before
wait_for 5 eval '[ "$(seen clock-before)" -eq 1 ]'
"$HELPERS/clock_shift" -3600 && SHIFTED=-3600
ok "clock set back an hour" test "$SHIFTED" -eq -3600
sleep 1.5 # the daemon reads the clock's offset once a second
"$probe" clock-back
ok "set back: the event is logged at once" wait_for 3 eval \
	'[ "$(seen clock-back)" -eq 1 ]'
ok "set back: its record id follows" test "$(rid clock-back)" -gt \
	"$(rid clock-before)"
d=$(echo "$(utc clock-before) - $(utc clock-back)" | bc)
ok "set back: its time follows the clock (${d%.*} s earlier)" \
	test "${d%.*}" -ge 3590 -a "${d%.*}" -le 3610
ok "set back: event 255 ClockChanged says so" wait_for 3 eval \
	'err255 ClockChanged | grep -q "set back by 3[56][0-9][0-9]\."'
ok "set back: the log says so" grep -q "system clock was set back" \
	"$T_DIR/vigil.log"
ok "set back: the status file is still written" wait_for 3 eval \
	'[ "$(status_get logged)" -gt 0 ] && [ "$(find "$T_DIR/run/status" -newermt "-5 seconds" | wc -l)" -eq 1 ]'
"$HELPERS/clock_shift" 3600 && SHIFTED=0
ok "clock set forward again" test "$SHIFTED" -eq 0
sleep 1.5
"$probe" clock-after
ok "forward again: logged" wait_for 3 eval '[ "$(seen clock-after)" -eq 1 ]'
ok "forward again: told too" wait_for 3 eval \
	'err255 ClockChanged | grep -q "set forward by 3[56][0-9][0-9]\."'
d=$(echo "$(offset) - $off0" | bc)
ok "the host's clock is as it was (off by ${d} s)" \
	test "$(echo "$d < 0.5 && $d > -0.5" | bc)" -eq 1

# --- 3. the JSON-lines file moved away, its directory removed ------------
ok "the JSON lines have the probe" grep -q 'clock-after"' "$jsonl"
mv "$jsonl" "$jsonl.1"
"$probe" clock-moved
ok "moved: a new file at the path gets the next events" wait_for 5 \
	grep -q 'clock-moved"' "$jsonl"
ok "moved: the log says so" grep -q "events.jsonl was moved or deleted" \
	"$T_DIR/vigil.log"
lost0=$(status_get lost_jsonl)
rm -rf "$T_DIR/j"
sleep 1.2
for i in 1 2 3; do "$probe" clock-gone-$i; done
ok "gone: the events it cannot take are counted" wait_for 5 eval \
	'[ "$(status_get lost_jsonl)" -ge $((lost0 + 3)) ]'
ok "gone: the log says so" grep -q "events.jsonl is gone and cannot be created" \
	"$T_DIR/vigil.log"
ok "gone: the daemon runs, stdout has them" wait_for 3 eval \
	'[ "$(seen clock-gone-3)" -eq 1 ]'
mkdir -p "$T_DIR/j"
sleep 1.2
"$probe" clock-back-again
ok "back: written again once it can be" wait_for 5 \
	grep -q 'clock-back-again"' "$jsonl"
ok "back: the loss report reached the new file" wait_for 5 \
	grep -q 'not written to the JSON file (behind or failed) [1-9]' "$jsonl"
vigil_stop
is "stops cleanly" "$VIGIL_STATUS" 0
echo "# $SECONDS s"
t_end
