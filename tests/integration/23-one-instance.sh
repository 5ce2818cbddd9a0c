#!/usr/bin/env bash
# Two daemons on the same state would overwrite each other's pid file and
# race on the store's record ids.  A second `vigil run` with the same run
# directory, or only the same store, refuses to start: "already running",
# a non-zero exit, nothing changed; the first runs on intact.
. "$(dirname "$0")/lib.sh"
t_begin 23-one-instance

db=$T_DIR/events.db
probe=$T_DIR/vigil-one-$$
cp /bin/true "$probe"
vigil_start "$T_DIR/out.json" --store "$db" --format json || t_end
first=$VIGIL_PID
pidfile=$T_DIR/run/vigil.pid
is "the pid file names the first daemon" "$(cat "$pidfile")" "$first"
before=$(stat -c '%i %s %Y' "$pidfile"; stat -c '%a %g' "$db")
runs=$(sqlite3 -readonly "$db" "SELECT count(*) FROM runs")

"$VIGIL" run --state-dir "$T_DIR/state" --run-dir "$T_DIR/run" \
	--store "$db" > "$T_DIR/second.out" 2> "$T_DIR/second.log"
rc=$?
ok "same run dir: refused with a non-zero exit ($rc)" test "$rc" -ne 0
ok "same run dir: says 'already running, pid $first'" \
	grep -q "already running, pid $first" "$T_DIR/second.log"
ok "same run dir: wrote nothing to stdout" test ! -s "$T_DIR/second.out"

mkdir -p "$T_DIR/state2" "$T_DIR/run2"
"$VIGIL" run --state-dir "$T_DIR/state2" --run-dir "$T_DIR/run2" \
	--store "$db" > /dev/null 2> "$T_DIR/third.log"
rc=$?
ok "same store, other run dir: refused ($rc)" test "$rc" -ne 0
ok "same store: says the store is in use by another vigil" \
	grep -q "in use by another vigil" "$T_DIR/third.log"
ok "same store: left no pid file of its own" test ! -e "$T_DIR/run2/vigil.pid"

is "the pid file is untouched" \
	"$(stat -c '%i %s %Y' "$pidfile"; stat -c '%a %g' "$db")" "$before"
is "the pid file still names the first daemon" "$(cat "$pidfile")" "$first"
is "no run was added to the store" \
	"$(sqlite3 -readonly "$db" "SELECT count(*) FROM runs")" "$runs"
ok "the first daemon still runs" kill -0 "$first"

# ... and keeps logging, to the end, without errors.
"$probe" after-the-attempts
settle
vigil_stop
is "the first daemon exits 0" "$VIGIL_STATUS" 0
ok "its log has no error" bash -c "! grep -q error '$T_DIR/vigil.log'"
is "the first daemon logged the process started after the attempts" \
	"$("$VIGIL" view --store "$db" -e 1 --field "CommandLine~after-the-attempts" \
		--format json | wc -l)" 1
ok "its pid file is gone" test ! -e "$pidfile"

# Once it is gone, a new daemon starts on the same state.
vigil_start "$T_DIR/out2.json" --store "$db" --format json
ok "a new daemon starts once the first has stopped" kill -0 "$VIGIL_PID"
vigil_stop
t_end
