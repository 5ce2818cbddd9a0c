#!/usr/bin/env bash
# `vigil view`, the real binary, on a store built through the store sink:
# filters return exactly the matching events, formats are what they say,
# each failure has its own exit status, and a non-root member of the
# store's group can read it (and a non-member cannot).
. "$(dirname "$0")/lib.sh"
t_begin 51-view

WRITER=${STORE_WRITER:-$(dirname "$VIGIL")/tests/store_test}
if [ ! -x "$WRITER" ]; then
	ok "writer $WRITER is built (make test builds it)" false
	t_end
fi
chmod 755 "$T_DIR" # let the unprivileged reader reach the store
db=$T_DIR/store/events.db
view() { "$VIGIL" view --store "$db" "$@"; }
ids() { view --format json "$@" 2>/dev/null |
	sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p' | paste -sd, -; }
n() { view --format json "$@" 2>/dev/null | wc -l; }
status() { "$@" >/dev/null 2>&1; echo $?; }

# 300 ProcessCreate events, ids 1..300: Image is /usr/bin/bash when the id
# is a multiple of 3, /usr/bin/curl otherwise; CommandLine holds the id.
"$WRITER" --burst "$db" 300 100 >/dev/null || t_end

is "newest first, -n" "$(ids -n 4)" "300,299,298,297"
is "--oldest" "$(ids --oldest -n 3)" "1,2,3"
is "--from-id/--to-id" "$(ids --oldest --from-id 10 --to-id 14)" \
	"10,11,12,13,14"
is "Image= ignores case, uses the column" \
	"$(n --field Image=/USR/BIN/BASH)" 100
is "Image~ contains" "$(n --field Image~curl)" 200
is "CommandLine~ (json_extract) finds one" \
	"$(ids --field 'CommandLine~/tmp/out.42 ')" 42
is "--grep over the record" "$(ids --grep 'out.217 ')" 217
is "two conditions together" \
	"$(ids --oldest --field Image=/usr/bin/bash --to-id 10)" "3,6,9"
is "-e 1 matches all" "$(n -e 1)" 300
is "--since 1h (relative) matches all" "$(n --since 1h)" 300
is "no match: exit 1" "$(status view -e 3)" 1
is "--until 1h: none, exit 1" "$(status view --until 1h)" 1
ok "text: header line per event" \
	grep -q '^Record 300  [0-9-]* [0-9:.]* UTC  EventID 1  Process Create$' \
	<(view -n 1)
ok "text: one field per line" grep -q $'^\tImage: /usr/bin/bash$' \
	<(view -n 1)
ok "xml: Sysmon for Linux's record" grep -q \
	'^<Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID>.*<EventRecordID>300</EventRecordID>' \
	<(view -n 1 --format xml)
ok "json: vigil's JSON line" grep -q \
	'^{"Event":{"System":{"Provider":{"Name":"Linux-Sysmon"' \
	<(view -n 1 --format json)
ok "--check: ok" view --check
tree=$(view --tree '{5B8E3F2A-0000-0005-0000-000000000005}')
ok "--tree: the process, marked" grep -q '^    \* 1005 /usr/bin/curl  {5b8e3f2a-0000-0005-0000-000000000005}' <<<"$tree"
ok "--tree: its parent, from before the log" \
	grep -q '^- 999 /usr/bin/bash  .*(started before the log)$' <<<"$tree"
is "--tree of an unknown GUID: exit 1" "$(status view --tree '{nope}')" 1

# exit statuses
is "usage error: 2" "$(status view --bogus)" 2
is "bad time: 2" "$(status view --since yesterday)" 2
is "unknown field: 2" "$(status view --field Nope=1)" 2
is "missing store: 3" "$(status "$VIGIL" view --store "$T_DIR/none.db")" 3
: >"$T_DIR/empty.db"
is "an empty file is not a store: 7" \
	"$(status "$VIGIL" view --store "$T_DIR/empty.db")" 7
ok "an empty file: 'not a vigil event store'" grep -q 'not a vigil event store' \
	<("$VIGIL" view --store "$T_DIR/empty.db" 2>&1)
"$WRITER" --burst "$T_DIR/none.db" 0 1 >/dev/null 2>&1
if [ -s "$T_DIR/none.db" ]; then
	is "a store without events: 5" \
		"$(status "$VIGIL" view --store "$T_DIR/none.db")" 5
fi
head -c 65536 /dev/urandom >"$T_DIR/junk.db"
is "not a database: 7" "$(status "$VIGIL" view --store "$T_DIR/junk.db")" 7
if command -v sqlite3 >/dev/null; then
	sqlite3 "$T_DIR/other.db" 'CREATE TABLE t(x);'
	is "someone else's database: 7" \
		"$(status "$VIGIL" view --store "$T_DIR/other.db")" 7
	# a writer holding the file exclusively: busy after the timeout
	cp "$db" "$T_DIR/locked.db"
	(echo 'PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;'
		sleep 8) | sqlite3 "$T_DIR/locked.db" >/dev/null &
	lpid=$!
	sleep 0.5
	is "store locked past busy_timeout: 6" \
		"$(status "$VIGIL" view --store "$T_DIR/locked.db")" 6
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
fi

# read access through the group only
if getent group adm >/dev/null && command -v setpriv >/dev/null; then
	adm=$(getent group adm | cut -d: -f3)
	as_nobody() { setpriv --reuid=65534 --regid=65534 "$@"; }
	is "adm member (not root) reads the store" \
		"$(as_nobody --groups="$adm" "$VIGIL" view --store "$db" \
			--format json 2>/dev/null | wc -l)" 300
	is "non-member: permission denied, 4" \
		"$(status as_nobody --clear-groups "$VIGIL" view --store "$db")" 4
	ok "store files are root:adm 0640" test \
		"$(stat -c '%U:%G %a' "$db" "$db-wal" "$db-shm" | sort -u)" \
		= "root:adm 640"
fi
t_end
