#!/usr/bin/env bash
# The store under a running daemon, played for real:
#  1. its file system fills up (a small tmpfs): the daemon keeps running,
#     every event the store could not take is counted (lost_sink, event
#     255, exactly: rows stored + lost = events logged), and it stores
#     again once there is room, nothing stored before lost;
#  2. its file is truncated, then deleted: moved aside (kept), a new store
#     started, ids continuing above the old ones, event 255 says so;
#  3. SIGKILL during a burst, with the JSON-lines file beside the store:
#     after the restart no record id appears twice in either output.
# Docs: docs/reliability.md.
. "$(dirname "$0")/lib.sh"
t_begin 25-store-faults

MNT=
eval "orig_$(declare -f t_cleanup)"
t_cleanup() {
	vigil_stop
	[ -n "$MNT" ] && mountpoint -q "$MNT" && umount "$MNT"
	orig_t_cleanup
}

probe=$T_DIR/vigil-sf-probe
cp /bin/true "$probe"
# Only the probe is logged: other processes on the machine do not move
# the counts.
cat >"$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="end with">/vigil-sf-probe</Image>
    </ProcessCreate>
    <ProcessTerminate onmatch="include">
      <Image condition="end with">/vigil-sf-probe</Image>
    </ProcessTerminate>
  </EventFiltering>
</Sysmon>
XML
q() { sqlite3 -readonly "$1" "$2" 2>/dev/null; }
marked() {	# marked DB MARK: probe starts (event 1) whose command line has MARK
	"$VIGIL" view --store "$1" -n 0 -e 1 --grep "vigil-sf-probe $2-" \
		--format json 2>/dev/null | wc -l
}
# quiet: the status file says the same twice, a tick apart (settle
# compares within one tick; a loss report may still be on its way)
quiet() {
	local a b
	settle
	for _ in $(seq 1 20); do
		a=$(status_get logged),$(status_get lost_sink)
		sleep 1.1
		b=$(status_get logged),$(status_get lost_sink)
		[ "$a" == "$b" ] && return 0
	done
}
alive() { kill -0 "$VIGIL_PID" 2>/dev/null; }

# --- 1. the file system fills up -----------------------------------------
MNT=$T_DIR/small
mkdir -p "$MNT"
ok "a 8 MiB tmpfs for the store" mount -t tmpfs -o size=8m,mode=0755 \
	vigil-test "$MNT"
db=$MNT/events.db
vigil_start /dev/null --quiet --store "$db" "$T_DIR/config.xml" || t_end
"$HELPERS/burst" 100 4 "$probe" before
settle
before=$(marked "$db" before)
is "before: every event stored" "$before" 100
# fill what is left
dd if=/dev/zero of="$MNT/filler" bs=64k status=none 2>/dev/null
ok "the file system is full" test "$(df --output=avail -k "$MNT" |
	tail -n 1 | tr -d ' ')" -lt 64
"$HELPERS/burst" 2000 4 "$probe" full
settle
ok "the daemon runs on a full disk" alive
full_lost=$(status_get lost_sink)
ok "events the store could not take are counted ($full_lost)" \
	test "${full_lost:-0}" -gt 0
ok "the log says why" grep -q "store: .*: .*full" "$T_DIR/vigil.log"
rm -f "$MNT/filler"
"$HELPERS/burst" 100 4 "$probe" after
quiet
ok "with room again, the store takes events" \
	test "$(marked "$db" after)" -eq 100
ok "the log says it writes again" grep -q "writing again after" \
	"$T_DIR/vigil.log"
logged=$(status_get logged)
lost=$(status_get lost_sink)
rows=$(q "$db" "SELECT count(*) FROM events")
echo "# logged $logged, stored $rows, lost to the store $lost"
is "stored + lost = logged, exactly" "$((rows + lost))" "$logged"
is "nothing stored before the disk filled is gone" "$(marked "$db" before)" \
	"$before"
last255=$("$VIGIL" view --store "$db" -e 255 -n 1 --format json |
	jq -r .Event.EventData.Description)
is "the last event 255 in the store gives that count" \
	"$(grep -o 'output failed [0-9]*' <<<"$last255")" "output failed $lost"
vigil_stop
is "stops cleanly" "$VIGIL_STATUS" 0
ok "integrity_check ok" "$VIGIL" view --store "$db" --check
is "no record id twice" "$(q "$db" "SELECT count(*) - count(DISTINCT
	EventRecordID) FROM events")" 0
umount "$MNT" && MNT=

# --- 2. the file truncated, then deleted, under the daemon ---------------
db=$T_DIR/store/events.db
vigil_start /dev/null --quiet --store "$db" "$T_DIR/config.xml" || t_end
"$HELPERS/burst" 300 4 "$probe" one
settle
max1=$(q "$db" "SELECT max(EventRecordID) FROM events")
ok "events stored ($max1)" test "${max1:-0}" -gt 0
: >"$db"
"$HELPERS/burst" 300 4 "$probe" two
settle
aside=$(ls "$db".damaged-* 2>/dev/null | grep -v -- '-wal$\|-shm$' | head -n 1)
ok "truncated: the damaged file is moved aside ($aside)" test -n "$aside"
ok "truncated: the log says so" grep -q \
	"events.db: damaged (.*); moved aside" "$T_DIR/vigil.log"
ok "truncated: a new store at the path" "$VIGIL" view --store "$db" --check
min2=$(q "$db" "SELECT min(EventRecordID) FROM events")
ok "truncated: ids continue above the old store's ($min2 > $max1)" \
	test "${min2:-0}" -gt "$max1"
store_error() {
	"$VIGIL" view --store "$db" -e 255 --format json 2>/dev/null |
		grep -q "\"ID\":\"StoreError\".*events.db: damaged"
}
# told at the daemon's next tick, then written: wait for it (bounded)
for _ in $(seq 1 50); do store_error && break; sleep 0.1; done
ok "truncated: event 255 StoreError in the new store" store_error
ok "truncated: the burst after it is stored" \
	test "$(marked "$db" two)" -ge 1
max2=$(q "$db" "SELECT max(EventRecordID) FROM events")
rm -f "$db" "$db-wal" "$db-shm"
"$HELPERS/burst" 100 4 "$probe" three
settle
ok "deleted: the daemon runs" alive
ok "deleted: the log says so" grep -q "events.db: deleted (under the daemon)" \
	"$T_DIR/vigil.log"
ok "deleted: a new store at the path" "$VIGIL" view --store "$db" --check
is "deleted: the burst after it is stored" "$(marked "$db" three)" 100
min3=$(q "$db" "SELECT min(EventRecordID) FROM events")
ok "deleted: ids continue ($min3 > $max2)" test "${min3:-0}" -gt "$max2"
vigil_stop
is "stops cleanly" "$VIGIL_STATUS" 0

# --- 3. SIGKILL during a burst: no id twice, store and JSON lines --------
db=$T_DIR/kill/events.db
jsonl=$T_DIR/kill/events.jsonl
mkdir -p "$T_DIR/kill"
vigil_start /dev/null --quiet --store "$db" --jsonl "$jsonl" \
	"$T_DIR/config.xml" || t_end
"$HELPERS/burst" 20000 4 "$probe" k1 >/dev/null 2>&1 &
bpid=$!
sleep 1.5
seen=$(q "$db" "SELECT max(EventRecordID) FROM events")
seen_n=$(q "$db" "SELECT count(*) FROM events WHERE EventRecordID <= ${seen:-0}")
kill -KILL "$VIGIL_PID"
wait "$VIGIL_PID" 2>/dev/null
VIGIL_PID=
kill "$bpid" 2>/dev/null
wait "$bpid" 2>/dev/null
ok "killed mid-burst with events stored (${seen:-none})" \
	test "${seen:-0}" -gt 0
vigil_start /dev/null --quiet --store "$db" --jsonl "$jsonl" \
	"$T_DIR/config.xml" || t_end
"$HELPERS/burst" 200 4 "$probe" k2
settle
vigil_stop
ok "integrity_check ok after the kill" "$VIGIL" view --store "$db" --check
is "every event a reader saw before the kill is there" "$(q "$db" \
	"SELECT count(*) FROM events WHERE EventRecordID <= ${seen:-0}")" \
	"$seen_n"
is "the store: no id twice" "$(q "$db" "SELECT count(*) -
	count(DISTINCT EventRecordID) FROM events")" 0
ids=$(sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p' "$jsonl")
is "the JSON lines: ids strictly increasing across the kill" \
	"$(sort -n -u <<<"$ids" | tr '\n' ' ')" "$(tr '\n' ' ' <<<"$ids")"
is "after the restart, all of the second burst" "$(marked "$db" k2)" 200
echo "# $SECONDS s"
t_end
