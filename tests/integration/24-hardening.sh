#!/usr/bin/env bash
# The smaller ways vigil's output could mislead, each played for real:
# " (deleted)" follows one rule in events 1 and 5; impossible dates are
# refused; an empty file is not called an empty store; status and event 4
# agree on the schema, and the built-in config has a real hash; --tree does
# not claim that a forked-only parent started before the log.
. "$(dirname "$0")/lib.sh"
t_begin 24-hardening

db=$T_DIR/events.db
bin=$T_DIR/bin
mkdir -p "$bin"
cp /bin/sleep "$bin/vigil-pre-$$"
cp /bin/sleep "$bin/vigil-run-$$"
cp /bin/true "$bin/vigil-gone-$$"
cp /bin/true "$bin/vigil-tree-$$"

# A process from a binary deleted before the daemon starts, and a parent
# that predates the daemon and execs a child later.
"$bin/vigil-pre-$$" 4 &
pre=$!
# the fork runs before the exec: delete the file only once it runs it
for _ in $(seq 1 100); do
	[ "$(readlink "/proc/$pre/exe")" == "$bin/vigil-pre-$$" ] && break
	sleep 0.01
done
rm "$bin/vigil-pre-$$"
mkfifo "$T_DIR/go"
bash -c "read -r _ < '$T_DIR/go'; '$bin/vigil-tree-$$' early-child; true" &
early=$!
sleep 2.5 # the GUID proves "before" to within two seconds (view/tree.c)

# The built-in config (events 1 and 5).
vigil_start "$T_DIR/out.json" --store "$db" --format json || t_end
# A binary deleted while its process runs.
"$bin/vigil-run-$$" 1 &
run=$!
sleep 0.3
rm "$bin/vigil-run-$$"
wait "$run"
# A binary unlinked before it is executed (through an open descriptor).
python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.unlink(sys.argv[1])
os.execv("/proc/self/fd/%d" % fd, ["vigil-gone", "fexec"])' \
	"$bin/vigil-gone-$$"
echo go > "$T_DIR/go"
wait "$early"
mid=$("$HELPERS/fork_exec" "$bin/vigil-tree-$$" forked-child)
wait "$pre"
settle
status_schema=$(status_get schema_version)
status_hash=$(status_get config_hash)
config_schema=$(status_get config_schema)
printf 'run_dir = %s\n' "$T_DIR/run" > "$T_DIR/vigil.conf"
"$VIGIL" status --settings "$T_DIR/vigil.conf" > "$T_DIR/status.txt" 2>&1
vigil_stop
is "the daemon exits 0" "$VIGIL_STATUS" 0

out=$T_DIR/out.json
img() {	# img ID IMAGE-PREFIX: the Images of events ID that start with it
	jq -r --arg p "$2" --argjson id "$1" 'select(.Event.System.EventID ==
		$id and (.Event.EventData.Image | startswith($p))) |
		.Event.EventData.Image' "$out" | sort -u
}
is "found at start-up, deleted before: event 5 says (deleted)" \
	"$(img 5 "$bin/vigil-pre-")" "$bin/vigil-pre-$$ (deleted)"
is "deleted after exec: event 1 names the file as it was" \
	"$(img 1 "$bin/vigil-run-")" "$bin/vigil-run-$$"
is "deleted after exec: event 5 repeats event 1" \
	"$(img 5 "$bin/vigil-run-")" "$bin/vigil-run-$$"
is "unlinked before exec: event 1 says (deleted)" \
	"$(img 1 "$bin/vigil-gone-")" "$bin/vigil-gone-$$ (deleted)"
is "unlinked before exec: event 5 repeats event 1" \
	"$(img 5 "$bin/vigil-gone-")" "$bin/vigil-gone-$$ (deleted)"

# Schema and config hash: one story in status and in events 4 and 16.
ev4=$(jq -r 'select(.Event.System.EventID == 4) |
	.Event.EventData.SchemaVersion' "$out" | head -n 1)
is "status schema_version is event 4's SchemaVersion" "$status_schema" "$ev4"
is "the built-in config declares the same schema" "$config_schema" "$ev4"
ok "vigil status shows that schema" grep -qE "^  schema +$ev4\$" \
	"$T_DIR/status.txt"
ok "the built-in config has a SHA-256, not '-' ($status_hash)" \
	grep -qxE '[0-9a-f]{64}' <<<"$status_hash"
ok "vigil status shows it" grep -qF "SHA256=$status_hash" "$T_DIR/status.txt"
is "event 16 names the same hash" "$(jq -r 'select(.Event.System.EventID ==
	16) | .Event.EventData.ConfigurationFileHash' "$out" | head -n 1)" \
	"$status_hash"

# --tree: a parent from before the log, and one that only forked.
guid() { jq -r --arg m "$1" --arg i "$bin/vigil-tree-$$" 'select(
	.Event.System.EventID == 1 and .Event.EventData.Image == $i and
	(.Event.EventData.CommandLine | endswith($m))) |
	.Event.EventData.ProcessGuid' "$out" | head -n 1; }
t1=$("$VIGIL" view --store "$db" --tree "$(guid early-child)")
ok "--tree: a parent from before the daemon is 'started before the log'" \
	grep -q "^- $early .*(started before the log)\$" <<<"$t1"
t2=$("$VIGIL" view --store "$db" --tree "$(guid forked-child)")
ok "--tree: a forked-only parent is not said to predate the log" \
	grep -q "^- $mid .*(no ProcessCreate in the log)\$" <<<"$t2"

# Dates that do not exist, and an empty file as the store.
st() { "$@" > /dev/null 2>&1; echo $?; }
is "--since 2026-02-30 is a usage error" \
	"$(st "$VIGIL" view --store "$db" --since 2026-02-30)" 2
is "--until 2025-04-31 is a usage error" \
	"$(st "$VIGIL" view --store "$db" --until '2025-04-31 10:00')" 2
ok "--since 2024-02-29 is a date" test "$(st "$VIGIL" view --store "$db" \
	--since 2024-02-29)" -le 1
: > "$T_DIR/empty.db"
is "an empty file as --store: exit 7" \
	"$(st "$VIGIL" view --store "$T_DIR/empty.db")" 7
ok "... said to be no vigil store" grep -q "not a vigil event store" \
	<("$VIGIL" view --store "$T_DIR/empty.db" 2>&1)
ok "... not 'holds no events yet'" bash -c "! '$VIGIL' view --store \
	'$T_DIR/empty.db' 2>&1 | grep -q 'no events yet'"
t_end
