#!/usr/bin/env bash
# Readers that follow the store keep following when the daemon replaces
# it: `vigil view --follow` and `vigil web`'s API (what its live mode
# polls) run while the store is truncated under the running daemon (it
# is moved aside as events.db.damaged-<epoch> and a new store started),
# then deleted (a new one started).  Every probe logged after each fault
# reaches the follower and the web API, record ids strictly increasing,
# none printed twice, and the follower's ids are exactly the stores'.
# Docs: docs/reliability.md section 5.
. "$(dirname "$0")/lib.sh"
t_begin 28-follow-replaced

chmod 755 "$T_DIR" # the web server runs as nobody, in the store's group
probe=$T_DIR/vigil-follow-probe
cp /bin/true "$probe"
cat >"$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="end with">/vigil-follow-probe</Image>
    </ProcessCreate>
  </EventFiltering>
</Sysmon>
XML
db=$T_DIR/store/events.db
out=$T_DIR/follow.json
mkdir -p "$T_DIR/store"
vigil_start /dev/null --quiet --store "$db" "$T_DIR/config.xml" || t_end
"$VIGIL" view --store "$db" --follow --format json -e 1 \
	>"$out" 2>"$T_DIR/follow.err" &
FPID=$!
t_track "$FPID"

python3 -c 'import secrets; print(secrets.token_hex(32))' >"$T_DIR/token"
chmod 640 "$T_DIR/token"
chgrp adm "$T_DIR/token" 2>/dev/null
auth=(-H "Authorization: Bearer $(cat "$T_DIR/token")")
"$VIGIL" web --listen 127.0.0.1:0 --store "$db" \
	--token-file "$T_DIR/token" >"$T_DIR/web.out" 2>"$T_DIR/web.err" &
WEB_PID=$!
t_track "$WEB_PID"
for _ in $(seq 1 100); do
	grep -q serving "$T_DIR/web.out" && break
	sleep 0.05
done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$T_DIR/web.out")
ok "vigil web serves" test -n "$url"

marks() {	# marks FILE: the probe marks the follower printed, in order
	jq -r '.Event.EventData.CommandLine | split(" ") | .[1]' "$1"
}
# has_all PREFIX N: the follower printed PREFIX-1 .. PREFIX-N
has_all() {
	[ "$(marks "$out" | grep -c "^$1-")" -eq "$2" ]
}
wait_for() {	# wait_for SECONDS COMMAND...
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}
probes() {	# probes PREFIX N: N probes, one after another
	for i in $(seq 1 "$2"); do "$probe" "$1-$i"; done
}
# web_marks AFTER: the probe marks of events after AFTER, in the web API
web_marks() {
	curl -s "${auth[@]}" "$url/api/events?order=asc&after=$1&limit=500&q=vigil-follow-probe" |
		jq -r '.events[].record.Event.EventData.CommandLine // empty' |
		awk '{print $2}'
}

probes before 20
ok "the follower prints what the daemon logs" wait_for 10 has_all before 20
web_before=$(web_marks 0 | grep -c '^before-')
is "the web API has it too" "$web_before" 20
last_before=$(jq -r .Event.System.EventRecordID "$out" | tail -n 1)

# --- the store truncated under the daemon: moved aside, a new one --------
: >"$db"
probes damaged 20
ok "the daemon moved the damaged store aside" wait_for 10 eval \
	'ls "$db".damaged-* >/dev/null 2>&1'
ok "the follower prints the events logged after it" wait_for 10 \
	has_all damaged 20
ok "the follower says it follows the new file" grep -q "a new store file" \
	"$T_DIR/follow.err"
ok "the follower is still running" kill -0 "$FPID"
# the daemon has dropped CAP_CHOWN by now: its group adm lets it give the
# new file the group its readers (vigil web as nobody) read through
if getent group adm >/dev/null; then
	is "the new store has group adm, as the first had" \
		"$(stat -c %G "$db")" adm
fi
is "the web API reads the new store" "$(web_marks "$last_before" |
	grep -c '^damaged-')" 20

# --- the store deleted: the daemon starts a new one ----------------------
last_damaged=$(jq -r .Event.System.EventRecordID "$out" | tail -n 1)
rm -f "$db" "$db-wal" "$db-shm"
probes deleted 20
ok "the follower prints the events logged after the deletion" \
	wait_for 10 has_all deleted 20
is "the web API reads that one too" "$(web_marks "$last_damaged" |
	grep -c '^deleted-')" 20

# --- what the follower printed ---------------------------------------------
ids=$(jq -r .Event.System.EventRecordID "$out")
is "record ids strictly increasing, none twice" \
	"$(sort -n -u <<<"$ids" | tr '\n' ' ')" "$(tr '\n' ' ' <<<"$ids")"
is "every probe printed once" "$(marks "$out" | sort | uniq -d | wc -l)" 0
is "60 probes printed" "$(marks "$out" | wc -l)" 60
# the new store's probe events are exactly those the follower printed
# after the deletion
stored=$(sqlite3 -readonly "$db" "SELECT EventRecordID FROM events
	WHERE EventID = 1 ORDER BY EventRecordID" | tr '\n' ' ')
is "the follower's ids after the deletion are the store's" \
	"$(awk -v l="$last_damaged" '$1 > l' <<<"$ids" | tr '\n' ' ')" "$stored"
kill -TERM "$FPID"
wait "$FPID"
is "the follower exits 0" $? 0
t_end
