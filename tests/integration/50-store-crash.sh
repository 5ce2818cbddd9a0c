#!/usr/bin/env bash
# The event store survives kill -9: after the writer dies mid-burst the
# file passes PRAGMA integrity_check, every batch whose commit was
# reported is there, no partial batch is, and record ids continue after
# a restart without reuse.  First with a plain writer (store_test
# --burst, which reports each commit), then with the real daemon during
# a burst of processes.
. "$(dirname "$0")/lib.sh"
t_begin 50-store-crash

WRITER=${STORE_WRITER:-$(dirname "$VIGIL")/tests/store_test}
db=$T_DIR/store/events.db
view() { "$VIGIL" view --store "$db" "$@"; }
count() { view --format json --oldest "$@" 2>/dev/null | wc -l; }
max_id() {
	view --format json -n 1 2>/dev/null |
		sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p'
}

# wait_lines FILE N: until FILE has N "committed" lines (bounded, 10 s)
wait_lines() {
	for _ in $(seq 1 200); do
		[ "$(grep -c '^committed' "$1" 2>/dev/null)" -ge "$2" ] &&
			return 0
		sleep 0.05
	done
	return 1
}

if [ ! -x "$WRITER" ]; then
	ok "writer $WRITER is built (make test builds it)" false
	t_end
fi

# --- 1. a writer that reports its commits, killed three times ----------
expect_start=1
for round in 1 2 3; do
	prog=$T_DIR/progress.$round
	"$WRITER" --burst "$db" 1000000 200 >"$prog" 2>"$T_DIR/writer.log" &
	wpid=$!
	ok "round $round: writer committed batches" \
		wait_lines "$prog" $((5 * round))
	# kill at a moment that differs per round, mid-batch most likely
	sleep "0.0$((round * 3))"
	kill -KILL "$wpid"
	wait "$wpid" 2>/dev/null
	start=$(sed -n 's/^start //p' "$prog")
	last=$(grep '^committed' "$prog" | tail -n 1 | cut -d' ' -f2)
	is "round $round: ids continue after the last stored one" \
		"$start" "$expect_start"
	ok "round $round: integrity_check ok" view --check
	max=$(max_id)
	ok "round $round: every reported commit is stored ($last <= $max)" \
		test "${last:-0}" -le "${max:-0}" -a "${last:-0}" -gt 0
	is "round $round: no gap, no partial batch (rows = max id)" \
		"$(count)" "$max"
	is "round $round: a batch is whole (max id on a batch boundary)" \
		"$(((max - start + 1) % 200))" 0
	expect_start=$((max + 1))
done
ok "group readers see the files: mode 0640" \
	test "$(stat -c %a "$db")" = 640

# --- 2. the daemon, killed during a burst of processes -------------------
if [ ! -x "$HELPERS/burst" ]; then
	ok "burst helper built" false
	t_end
fi
ddb=$T_DIR/daemon/events.db
probe=$T_DIR/vigil-crash-$$
cp /bin/true "$probe"
vigil_start /dev/null --store "$ddb" --format json || t_end
"$HELPERS/burst" 20000 4 "$probe" mark >/dev/null 2>&1 &
bpid=$!
sleep 1.5
# what a reader saw committed before the crash must survive it
seen_max=$("$VIGIL" view --store "$ddb" --format json -n 1 2>/dev/null |
	sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p')
seen_count=$("$VIGIL" view --store "$ddb" --format json --to-id "${seen_max:-0}" 2>/dev/null | wc -l)
kill -KILL "$VIGIL_PID"
wait "$VIGIL_PID" 2>/dev/null
VIGIL_PID=
kill "$bpid" 2>/dev/null
wait "$bpid" 2>/dev/null
ok "daemon had stored events before the kill (${seen_max:-none})" \
	test "${seen_max:-0}" -gt 0
ok "daemon store: integrity_check ok" "$VIGIL" view --store "$ddb" --check
is "daemon store: everything a reader saw is still there" \
	"$("$VIGIL" view --store "$ddb" --format json --to-id "${seen_max:-0}" 2>/dev/null | wc -l)" \
	"$seen_count"
before=$("$VIGIL" view --store "$ddb" --format json -n 1 2>/dev/null |
	sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p')

# restart: new events get ids above everything stored, none reused
vigil_start /dev/null --store "$ddb" --format json || t_end
"$HELPERS/burst" 50 2 "$probe" after >/dev/null 2>&1
settle
vigil_stop
new_min=$("$VIGIL" view --store "$ddb" --format json --oldest -n 1 \
	--from-id $((before + 1)) 2>/dev/null |
	sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p')
ok "daemon restart: new events stored (first id ${new_min:-none})" \
	test -n "$new_min"
ok "daemon restart: ids continue above $before" \
	test "${new_min:-0}" -gt "${before:-0}"
dups=$("$VIGIL" view --store "$ddb" --format json --oldest 2>/dev/null |
	sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p' | sort -n | uniq -d |
	wc -l)
is "daemon store: no record id twice" "$dups" 0
t_end
