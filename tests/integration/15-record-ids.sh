#!/usr/bin/env bash
# EventRecordID is monotonic across restarts, and after a clean stop it
# continues exactly where it left off (no gap, no reuse).
. "$(dirname "$0")/lib.sh"
t_begin 15-record-ids

db=$T_DIR/events.db
for run in 1 2 3; do
	vigil_start /dev/null --quiet --store "$db" || t_end
	/bin/true "run-$run"
	settle
	vigil_stop
	is "run $run stops cleanly" "$VIGIL_STATUS" 0
done
stats=$(sqlite3 "$db" 'SELECT count(*), min(EventRecordID),
	max(EventRecordID) FROM events')
IFS='|' read -r n lo hi <<<"$stats"
ok "events stored ($n)" test "$n" -gt 6
is "ids contiguous over three runs" "$((hi - lo + 1))" "$n"
is "first id is 1" "$lo" 1
starts=$(sqlite3 "$db" "SELECT EventRecordID FROM events WHERE EventID = 4
	ORDER BY EventRecordID" | tr '\n' ' ')
ok "each run starts and stops with event 4 ($starts)" \
	test "$(wc -w <<<"$starts")" -eq 6
t_end
