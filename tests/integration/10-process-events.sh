#!/usr/bin/env bash
# Events 1 and 5 end to end on the real kernel: fields of a known command,
# hashes, parents that predate the daemon or never exec'd, processes that
# live under a millisecond, and a GUID that event 5 repeats.
. "$(dirname "$0")/lib.sh"
t_begin 10-process-events

out=$T_DIR/events.json
work=$T_DIR/known\ dir
mkdir -p "$work"
probe=$work/vigil-probe-$$
cp /bin/true "$probe"

# A parent that exists before the daemon starts and execs a child later.
mkfifo "$T_DIR/go"
bash -c "read -r _ < '$T_DIR/go'; '$probe' pre-existing-parent; true" &
early_pid=$!

vigil_start "$out" --no-store --format json || t_end
# After start-up the daemon keeps only what it needs: no CAP_SYS_ADMIN (21),
# CAP_DAC_OVERRIDE (1), CAP_NET_ADMIN (12) or CAP_SETUID (7) ...
eff=$((16#$(sed -n 's/^CapEff:\t//p' "/proc/$VIGIL_PID/status")))
ok "capabilities dropped after start-up" \
	test $((eff & (1 << 21 | 1 << 1 | 1 << 12 | 1 << 7))) -eq 0
ok "but CAP_BPF (39) kept for re-arming" test $((eff & (1 << 39))) -ne 0

(cd "$work" && sh -c "'$probe' known-args \"two words\" & wait")
echo go > "$T_DIR/go"
wait "$early_pid"
forker_mid=$("$HELPERS/fork_exec" "$probe" forked-parent)
"$probe" short-lived
settle
vigil_stop
is "the daemon exits cleanly on SIGINT" "$VIGIL_STATUS" 0
ok "and says nothing alarming" test -z "$(grep -iE 'error|sanitizer|leak' \
	"$T_DIR/vigil.log")"

# ev1 MARK: the probe's event 1 whose CommandLine contains MARK, as one JSON object.
ev1() {
	jq -c --arg m "$1" --arg p "$probe" 'select(.Event.System.EventID == 1
		and .Event.EventData.Image == $p and
		(.Event.EventData.CommandLine | contains($m))) | .Event.EventData' \
		"$out" | head -n 1
}
field() { jq -r ".$2" <<<"$1"; }

e=$(ev1 known-args)
ok "event 1 for the known command" test -n "$e"
is "Image" "$(field "$e" Image)" "$probe"
is "CommandLine" "$(field "$e" CommandLine)" "$probe known-args two words"
is "CurrentDirectory" "$(field "$e" CurrentDirectory)" "$work"
is "User" "$(field "$e" User)" "root"
is "IntegrityLevel (root: High)" "$(field "$e" IntegrityLevel)" "High"
is "FileVersion is empty" "$(field "$e" FileVersion)" "-"
sha=$(sha256sum "$probe" | cut -d' ' -f1)
sha1=$(sha1sum "$probe" | cut -d' ' -f1)
md5=$(md5sum "$probe" | cut -d' ' -f1)
is "Hashes" "$(field "$e" Hashes)" "SHA1=$sha1,MD5=$md5,SHA256=$sha"
is "ParentImage" "$(field "$e" ParentImage)" "$(readlink -f /bin/sh)"
ok "ParentCommandLine" grep -q "known-args" <<<"$(field "$e" ParentCommandLine)"
ok "ProcessGuid shape" grep -Eq '^\{[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}\}$' \
	<<<"$(field "$e" ProcessGuid)"
is "ProcessGuid starts with the machine id" \
	"$(field "$e" ProcessGuid | cut -c2-9)" "$(head -c 8 /etc/machine-id)"
ok "UtcTime shape" grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3}$' \
	<<<"$(field "$e" UtcTime)"
guid=$(field "$e" ProcessGuid)
pid=$(field "$e" ProcessId)
parent_guid=$(field "$e" ParentProcessGuid)
shell=$(jq -c --arg g "$parent_guid" 'select(.Event.System.EventID == 1 and
	.Event.EventData.ProcessGuid == $g) | .Event.EventData' "$out")
is "the parent's own event 1 has the ParentProcessGuid" \
	"$(field "$shell" ProcessId)" "$(field "$e" ParentProcessId)"
term=$(jq -c --arg g "$guid" 'select(.Event.System.EventID == 5 and
	.Event.EventData.ProcessGuid == $g) | .Event.EventData' "$out")
is "event 5 repeats the ProcessGuid" "$(field "$term" ProcessId)" "$pid"
is "event 5 Image" "$(field "$term" Image)" "$probe"
is "event 5 User" "$(field "$term" User)" "root"

e=$(ev1 pre-existing-parent)
is "parent started before the daemon: ParentProcessId" \
	"$(field "$e" ParentProcessId)" "$early_pid"
is "parent started before the daemon: ParentImage" \
	"$(field "$e" ParentImage)" "$(readlink -f /bin/bash)"
ok "parent started before the daemon: ParentCommandLine" \
	grep -q "read -r _" <<<"$(field "$e" ParentCommandLine)"
ok "parent started before the daemon: ParentProcessGuid" \
	test "$(field "$e" ParentProcessGuid)" != "-"
is "parent started before the daemon: ParentUser" \
	"$(field "$e" ParentUser)" "root"

e=$(ev1 forked-parent)
is "forked-only parent: ParentProcessId" "$(field "$e" ParentProcessId)" \
	"$forker_mid"
is "forked-only parent: ParentImage" "$(field "$e" ParentImage)" \
	"$HELPERS/fork_exec"
is "forked-only parent: ParentCommandLine" \
	"$(field "$e" ParentCommandLine)" "$HELPERS/fork_exec $probe forked-parent"
ok "forked-only parent has its own GUID" \
	test "$(field "$e" ParentProcessGuid)" != "-"

e=$(ev1 short-lived)
is "short-lived: Image" "$(field "$e" Image)" "$probe"
is "short-lived: CurrentDirectory" "$(field "$e" CurrentDirectory)" "$PWD"
is "short-lived: Hashes" "$(field "$e" Hashes)" \
	"SHA1=$sha1,MD5=$md5,SHA256=$sha"
ok "short-lived: Parent fields" test "$(field "$e" ParentImage)" != "-"

ok "event 4 Started and Stopped" test "$(jq -r 'select(.Event.System.EventID
	== 4) | .Event.EventData.State' "$out" | tr '\n' ' ')" == "Started Stopped "
ok "no event from the daemon itself" test -z "$(jq -r --arg p "$VIGIL" \
	'select(.Event.EventData.Image == $p) | 1' "$out")"
ids=$(jq -r '.Event.System.EventRecordID' "$out")
ok "EventRecordID strictly increasing" test "$(sort -n <<<"$ids" | uniq)" \
	== "$ids"
t_end
