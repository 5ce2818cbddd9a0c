#!/usr/bin/env bash
# `vigil web` in fleet mode: the pages over the ClickHouse fleet table.
# A real daemon (host vigil-fleet-a, in its own UTS namespace) forwards a
# marker process and its parent into a ClickHouse server started here; a
# second host's rows (vigil-fleet-b) are host a's copied with the names
# changed, so both hosts hold the same record ids and GUIDs and only the
# host tells them apart; a third host's name is hostile (a quote and
# markup), and one row's record is damaged.  curl checks access, the
# host filter, key paging and the strict answers; headless Chromium
# (tests/web/fleet.py) logs in, filters by host, opens the details and
# the process view, and takes docs/web-fleet.png (to $WEB_SHOTS).
. "$(dirname "$0")/lib.sh"
t_begin 71-web-fleet
here=$(cd "$(dirname "$0")/.." && pwd)

for cmd in clickhouse-server chromium curl jq unshare; do
	command -v "$cmd" >/dev/null || { ok "$cmd is installed" false; t_end; }
done
chmod 755 "$T_DIR" # the daemon's forwarder and the server run as nobody
. "$(dirname "$0")/clickhouse.sh"
WEB_PID= DAEMON_PID=
t_cleanup() {
	[ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null
	if [ -n "$DAEMON_PID" ]; then
		kill -INT "$DAEMON_PID" 2>/dev/null
		for _ in $(seq 1 200); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	ch_stop
	[ -n "$T_DIR" ] && rm -rf "$T_DIR"
}
ok "clickhouse-server answers on 127.0.0.1:$CH_HTTP" ch_start

python3 -c 'import secrets; print(secrets.token_hex(32))' >"$T_DIR/token"
chmod 640 "$T_DIR/token"
chgrp adm "$T_DIR/token" 2>/dev/null
token=$(cat "$T_DIR/token")

# 1. host a: the real daemon logs a shell (vigil-fleet-sh) that starts a
#    marker (vigil-fleet-true), and ships them to ClickHouse
d=$T_DIR/host-a
mkdir -p "$d/state" "$d/run"
cp /bin/bash "$d/vigil-fleet-sh"
cp /bin/true "$d/vigil-fleet-true"
cat >"$d/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="contains">/vigil-fleet-</Image>
    </ProcessCreate>
    <ProcessTerminate onmatch="include">
      <Image condition="contains">/vigil-fleet-</Image>
    </ProcessTerminate>
  </EventFiltering>
</Sysmon>
XML
cat >"$T_DIR/vigil.conf" <<EOF
store_path = $d/db/events.db
state_dir = $d/state
run_dir = $d/run
forward.fleet.url = http://127.0.0.1:$CH_HTTP
EOF
unshare --uts bash -c 'hostname vigil-fleet-a; exec "$@"' bash \
	"$VIGIL" run --quiet --settings "$T_DIR/vigil.conf" "$d/config.xml" \
	>/dev/null 2>"$d/vigil.log" &
DAEMON_PID=$!
started() {
	for _ in $(seq 1 200); do
		[ -s "$d/run/status" ] && [ -s "$d/run/forward/status" ] &&
			return 0
		sleep 0.05
	done
	sed 's/^/#   /' "$d/vigil.log"
	return 1
}
ok "the daemon of vigil-fleet-a started, forwarding" started
"$d/vigil-fleet-sh" -c '"$1" marker-a; "$1" second; true' _ \
	"$d/vigil-fleet-true"
store_max() {
	"$VIGIL" view --store "$d/db/events.db" --format json -n 1 2>/dev/null |
		jq -r .Event.System.EventRecordID
}
caught_up() {
	for _ in $(seq 1 300); do
		[ "$(store_max)" -ge 6 ] 2>/dev/null &&
			[ "$(sed -n 's/^dest\.fleet\.cursor=//p' \
				"$d/run/forward/status")" == "$(store_max)" ] &&
			return 0
		sleep 0.1
	done
	echo "# store $(store_max), $(cat "$d/run/forward/status")"
	return 1
}
ok "host a's six events are in ClickHouse" caught_up

# 2. host b: host a's rows under another name; a hostile host name; a
#    damaged record (it would add keys to the reply if passed through)
copy_rows() {	# copy_rows HOST WHERE: host a's rows, renamed
	local cols sel="" c e q
	q=${1//\'/\\\'} # as a ClickHouse string
	cols=$(chq "SELECT name FROM system.columns WHERE database =
		currentDatabase() AND table = 'vigil_events'")
	for c in $cols; do
		case $c in
		Computer) e="'$q'" ;;
		CommandLine | record) e="replaceAll(replaceAll($c,
			'vigil-fleet-a', '$q'), 'marker-a', 'marker-b')" ;;
		*) e=$c ;;
		esac
		sel+=${sel:+,}$e
	done
	chq "INSERT INTO vigil_events ($(paste -sd, <<<"$cols")) SELECT $sel
		FROM vigil_events WHERE Computer = 'vigil-fleet-a' $2"
}
copy_rows vigil-fleet-b ""
evil_name="evil' OR '1'='1 <img src=x onerror=vigilPwned(1)>"
copy_rows "$evil_name" "AND EventID = 1 AND CommandLine LIKE '%second'"
t_damaged=$(chq 'SELECT min(time_ns) - 1000000000 FROM vigil_events')
chq "INSERT INTO vigil_events (Computer, EventRecordID, EventID, UtcTime,
	time_ns, record) VALUES ('vigil-fleet-b', 999999, 1,
	$((t_damaged / 1000000000)), $t_damaged,
	'{\"Event\":{}},\"rid\":1,\"x\":{\"y\":1}')"
is "the table holds three hosts" \
	"$(chq 'SELECT Computer, count() FROM vigil_events GROUP BY Computer
		ORDER BY Computer FORMAT TSVRaw' | cut -f1 | paste -sd'|' -)" \
	"$evil_name|vigil-fleet-a|vigil-fleet-b"

# 3. the server: --fleet NAME makes the fleet the default source
"$VIGIL" web --listen 127.0.0.1:0 --fleet fleet \
	--settings "$T_DIR/vigil.conf" --token-file "$T_DIR/token" \
	>"$T_DIR/web.out" 2>"$T_DIR/web.err" &
WEB_PID=$!
for _ in $(seq 1 100); do
	grep -q serving "$T_DIR/web.out" && break
	sleep 0.05
done
url=$(grep -o 'serving http://127\.0\.0\.1:[0-9]*' "$T_DIR/web.out" |
	cut -d' ' -f2)
ok "vigil web --fleet serves on loopback" test -n "$url"
[ -n "$url" ] || { cat "$T_DIR/web.err"; t_end; }
auth=(-H "Authorization: Bearer $token")
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
get() { curl -s "${auth[@]}" "$url/api/$1"; }
is "fleet API without the token: 401" "$(code "$url/api/events")" 401
is "fleet page without the token: sent to the login" \
	"$(code "$url/")" 303
is "the fleet is the default source, the store the other" \
	"$(get meta | jq -c '[.source, .sources, .hosts[1:]]')" \
	'["fleet",["fleet","local"],["vigil-fleet-a","vigil-fleet-b"]]'
is "all hosts: both hosts' markers" \
	"$(get 'events?field=CommandLine~marker&id=1' |
		jq -r '[.events[].host] | unique | join(",")')" \
	"vigil-fleet-a,vigil-fleet-b"
is "host=vigil-fleet-b: only its events (three, and the damaged one)" \
	"$(get 'events?host=vigil-fleet-b&id=1' | jq -r '[([.events[].host] |
		unique | join(",")), (.events | length), ([.events[] |
		select(.record) | .record.Event.EventData.CommandLine |
		select(test("marker-b"))] | length)] | join(" ")')" \
	"vigil-fleet-b 4 2"
enc() { jq -rn --arg v "$1" '$v | @uri'; }
is "a quote in host= is a value, not SQL" \
	"$(get "events?host=$(enc "x' OR '1'='1")" | jq '.count')" 0
is "the hostile host name matches itself only" \
	"$(get "events?host=$(enc "$evil_name")" | jq -r '.events[].host')" \
	"$evil_name"
is "a quote in a field condition is a value too" \
	"$(get "events?field=$(enc "CommandLine~' OR 1=1 --")" | jq .count)" 0
rid=$(get 'events?host=vigil-fleet-b&field=CommandLine~marker-b&id=1' |
	jq -r '.events[0].rid')
is "an event is (host, record id): host b's" \
	"$(get "event?rid=$rid&host=vigil-fleet-b" |
		jq -r .record.Event.EventData.CommandLine)" \
	"$d/vigil-fleet-true marker-b"
is "... and host a's under the same id" \
	"$(get "event?rid=$rid&host=vigil-fleet-a" |
		jq -r .record.Event.EventData.CommandLine)" \
	"$d/vigil-fleet-true marker-a"
is "an event without its host: 400" "$(code "${auth[@]}" \
	"$url/api/event?rid=$rid")" 400
is "a page key that is not one: 400" "$(code "${auth[@]}" \
	"$url/api/events?before=12")" 400
is "a damaged record is marked so, and the reply stays JSON" \
	"$(get 'event?rid=999999&host=vigil-fleet-b' | jq -c .)" \
	"$(jq -nc '{rid: 999999, host: "vigil-fleet-b",
		key: "\($t).\($h).999999", damaged: true}' --arg t "$t_damaged" \
		--arg h "$(chq "SELECT cityHash64('vigil-fleet-b')")")"
total=$(chq 'SELECT count() FROM vigil_events')
pages() {	# every event once, two per page, by next_before
	local before="" seen=""
	for _ in $(seq 1 100); do
		local p
		p=$(get "events?limit=2${before:+&before=$before}")
		seen+=$(jq -r '.events[] | "\(.host)/\(.rid)"' <<<"$p")$'\n'
		[ "$(jq .more <<<"$p")" == true ] || break
		before=$(jq -r .next_before <<<"$p")
	done
	sort <<<"$seen" | sed '/^$/d' | uniq | wc -l
}
is "paging two at a time visits all $total events once" "$(pages)" "$total"
is "the histogram counts them all" "$(get 'histogram?buckets=10' |
	jq '[.total, (.counts | add)]' | paste -sd' ' | tr -d ' ')" \
	"[$total,$total]"
guid=$(get "event?rid=$rid&host=vigil-fleet-b" |
	jq -r .record.Event.EventData.ProcessGuid)
is "the process page: its shell parent, on its host" \
	"$(get "process?guid=$(enc "$guid")&host=vigil-fleet-b" | jq -r \
		'[.host, .process.host, (.ancestors | last | .image |
		 split("/") | last)] | join(" ")')" \
	"vigil-fleet-b vigil-fleet-b vigil-fleet-sh"
is "the timeline of a GUID both hosts have: one host's" \
	"$(get "events?process=$(enc "$guid")&host=vigil-fleet-b&after=0" |
		jq -r '[.events[].host] | unique | join(",")')" "vigil-fleet-b"

# 4. the pages, in headless Chromium
shots=${WEB_SHOTS:-$T_DIR/shots}
mkdir -p "$shots"
# live mode's new event: host b's marker again, stored now
cat >"$T_DIR/live.sql" <<EOF
INSERT INTO vigil_events (Computer, EventRecordID, EventID, UtcTime, time_ns,
	record) SELECT Computer, 1000000, EventID, now(),
	toUInt64(now()) * 1000000000, replaceAll(record,
	'"EventRecordID":$rid,', '"EventRecordID":1000000,')
	FROM vigil_events WHERE Computer = 'vigil-fleet-b'
	AND EventRecordID = $rid
EOF
live="curl -sS http://127.0.0.1:$CH_HTTP/ --data-binary @$T_DIR/live.sql"
while IFS= read -r line; do
	echo "$line"
	case $line in
	"ok - "*) T_PASS=$((T_PASS + 1)) ;;
	"not ok - "*) T_FAIL=$((T_FAIL + 1)) ;;
	esac
done < <(timeout 120 python3 "$here/web/fleet.py" --url "$url" \
	--token "$token" --shots "$shots" --insert "$live" 2>&1)
ok "screenshot web-fleet.png taken" \
	grep -q PNG <(head -c 8 "$shots/web-fleet.png" 2>/dev/null)

# 5. ClickHouse gone (killed: a clean stop waits out the viewer's
#    keep-alive connection): the fleet says so, the store still answers
kill -KILL "$CH_PID"
wait "$CH_PID" 2>/dev/null
CH_PID=
is "ClickHouse stopped: 503 from the fleet" \
	"$(code "${auth[@]}" "$url/api/events")" 503
is "... and the local store still answers" \
	"$(code "${auth[@]}" "$url/api/events?source=local")" 200
kill -TERM "$WEB_PID"
wait "$WEB_PID"
is "vigil web exits 0 on SIGTERM" $? 0
WEB_PID=

# 6. without --fleet, a ClickHouse destination in the settings adds the
#    fleet after the store
"$VIGIL" web --listen 127.0.0.1:0 --settings "$T_DIR/vigil.conf" \
	--token-file "$T_DIR/token" >"$T_DIR/web2.out" 2>&1 &
WEB_PID=$!
for _ in $(seq 1 100); do
	grep -q serving "$T_DIR/web2.out" && break
	sleep 0.05
done
url=$(grep -o 'serving http://127\.0\.0\.1:[0-9]*' "$T_DIR/web2.out" |
	cut -d' ' -f2)
is "a ClickHouse destination adds the fleet as the second source" \
	"$(get meta | jq -c .sources)" '["local","fleet"]'
t_end
