#!/usr/bin/env bash
# Process integrity end to end with real tools: gdb and strace attaching
# (event 10), a helper reading and writing another process's memory with
# process_vm_readv/writev, PTRACE_POKEDATA/SETREGS and /proc/PID/mem
# (10 and 8), fileless execution from a memfd and from a deleted file, a
# shared object written while a process maps it (25), and BPF programs
# loaded by a helper and by bpftool (100).
. "$(dirname "$0")/lib.sh"
t_begin 45-integrity

out=$T_DIR/events.json
cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessAccess onmatch="exclude"/>
    <CreateRemoteThread onmatch="exclude"/>
    <ProcessTampering onmatch="exclude"/>
    <eBPFEvent onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
XML
lib=$T_DIR/libvigil-victim.so
cp "$(ldconfig -p | sed -n 's/.*libz.so.1 .*=> //p' | head -n 1)" "$lib"
tracefs_before=$(grep -c ' tracefs ' /proc/mounts)

vigil_start "$out" --no-store --format json "$T_DIR/config.xml" || t_end
is "no tracefs mount left on the host" \
	"$(grep -c ' tracefs ' /proc/mounts)" "$tracefs_before"

# gdb and strace attach to a sleeping process.
sleep 60 &
sleeper=$!
timeout 10 gdb -p "$sleeper" -batch -ex 'info registers rip' >/dev/null 2>&1
timeout 10 strace -p "$sleeper" -o /dev/null &
strace_pid=$!
sleep 0.5
kill "$strace_pid" 2>/dev/null
wait "$strace_pid" 2>/dev/null

# The helper forks a target and reaches into it every way the sensor knows.
read -r target marker rip < <("$HELPERS/inject" vm-read vm-write poke \
	mem-read mem-write hold | sed 's/[a-z]*=//g')
ok "the helper's target saw the writes" test -n "$target"

# Fileless execution, and a mapped library opened for writing.
"$HELPERS/fileless" memfd /bin/echo from-memfd >/dev/null
"$HELPERS/fileless" deleted /bin/echo from-deleted >/dev/null
mkfifo "$T_DIR/loaded"
python3 -c "import ctypes, sys, time; ctypes.CDLL(sys.argv[1]);
open(sys.argv[2], 'w').write('loaded\n'); time.sleep(30)" "$lib" \
	"$T_DIR/loaded" &
victim=$!
read -r _ < "$T_DIR/loaded"
: >> "$lib"	# open to write (append nothing): the mapped code may change
kill "$victim"
wait "$victim" 2>/dev/null

# BPF programs loaded by others.
bpf_id=$("$HELPERS/bpfload" | sed -n 's/^id=//p')
bpftool prog show >/dev/null 2>&1
kill "$sleeper" 2>/dev/null
wait "$sleeper" 2>/dev/null
settle
vigil_pid=$VIGIL_PID
vigil_stop
is "the daemon exits cleanly" "$VIGIL_STATUS" 0
ok "and says nothing alarming" test -z "$(grep -iE 'error|sanitizer|leak' \
	"$T_DIR/vigil.log")"
is "tracefs still as found after stop" \
	"$(grep -c ' tracefs ' /proc/mounts)" "$tracefs_before"

# ev ID JQ-CONDITION: the EventData of the first event ID matching it.
ev() {
	jq -c --argjson id "$1" "select(.Event.System.EventID == \$id) |
		.Event.EventData | select($2)" "$out" | head -n 1
}
field() { jq -r ".$2" <<<"$1"; }

# --- 10 from debuggers
e=$(ev 10 ".SourceImage == \"$(command -v gdb)\" and
	.TargetProcessId == \"$sleeper\"")
ok "gdb attach is event 10" test -n "$e"
is "gdb: GrantedAccess of an attach" "$(field "$e" GrantedAccess)" 0x1fffff
is "gdb: TargetImage" "$(field "$e" TargetImage)" "$(readlink -f /bin/sleep)"
is "gdb: CallTrace" "$(field "$e" CallTrace)" "-"
is "gdb: SourceUser" "$(field "$e" SourceUser)" root
is "gdb: TargetUser" "$(field "$e" TargetUser)" root
sleeper_guid=$(jq -r --arg p "$sleeper" 'select(.Event.System.EventID == 1
	and .Event.EventData.ProcessId == $p) | .Event.EventData.ProcessGuid' \
	"$out" | head -n 1)
is "gdb: TargetProcessGUID is the target's ProcessGuid" \
	"$(field "$e" TargetProcessGUID)" "$sleeper_guid"
e=$(ev 10 ".SourceImage == \"$(command -v strace)\" and
	.TargetProcessId == \"$sleeper\"")
ok "strace attach (PTRACE_SEIZE) is event 10" test -n "$e"
e=$(ev 10 ".SourceImage == \"$(command -v gdb)\" and
	.TargetProcessId == \"$sleeper\" and .GrantedAccess == \"0x38\"")
ok "gdb's read-write open of /proc/PID/mem is event 10 (0x38)" test -n "$e"
e=$(ev 8 ".SourceImage == \"$(command -v gdb)\" and
	.TargetProcessId == \"$sleeper\"")
ok "... and event 8" test -n "$e"

# --- 10 and 8 from the helper
helper=$HELPERS/inject
acc() {	# acc ACCESS: the helper's event 10 with GrantedAccess ACCESS
	ev 10 ".SourceImage == \"$helper\" and .TargetProcessId == \"$target\"
		and .GrantedAccess == \"$1\""
}
e=$(acc 0x10)
ok "process_vm_readv / mem read: event 10 with 0x10" test -n "$e"
is "SourceThreadId" "$(field "$e" SourceThreadId)" \
	"$(field "$e" SourceProcessId)"
is "TargetImage" "$(field "$e" TargetImage)" "$helper"
ok "process_vm_writev: event 10 with 0x28" test -n "$(acc 0x28)"
ok "PTRACE_ATTACH: event 10 with 0x1fffff" test -n "$(acc 0x1fffff)"
ok "/proc/PID/mem read-write: event 10 with 0x38" test -n "$(acc 0x38)"
inj() {	# inj START: the helper's event 8 with StartAddress START
	ev 8 ".SourceImage == \"$helper\" and .TargetProcessId == \"$target\"
		and .StartAddress == \"$1\""
}
n=$(jq -c --arg s "$helper" 'select(.Event.System.EventID == 8 and
	.Event.EventData.SourceImage == $s)' "$out" | wc -l)
is "event 8: writev, poke, setregs, mem write (repeats within 1 s are one)" \
	"$n" 4
e=$(inj "$marker")
ok "event 8 at the marker (writev or POKEDATA)" test -n "$e"
is "NewThreadId" "$(field "$e" NewThreadId)" "$target"
is "StartModule: the target's image, where the marker lives" \
	"$(field "$e" StartModule)" "$helper"
e=$(inj "$rip")
ok "PTRACE_SETREGS: event 8 at the new instruction pointer" test -n "$e"
ok "its StartModule is the C library (the target sleeps in read())" \
	grep -q '/libc\.so' <<<"$(field "$e" StartModule)"
ok "/proc/PID/mem opened to write: event 8, address unknown" \
	test -n "$(inj -)"

# --- 25
e=$(ev 25 '.Type == "Image is fileless (memfd)"')
ok "exec of a memfd is event 25" test -n "$e"
ok "its Image names the memfd" grep -q 'memfd:vigil-fileless' \
	<<<"$(field "$e" Image)"
e=$(ev 25 '.Type == "Image is deleted"')
ok "exec of a deleted file is event 25" test -n "$e"
ok "its Image is the deleted path" \
	grep -Eq '^/tmp/vigil-fileless-.{6} \(deleted\)$' <<<"$(field "$e" Image)"
is "User" "$(field "$e" User)" root
e1=$(jq -c --arg i "$(field "$e" Image)" 'select(.Event.System.EventID == 1
	and .Event.EventData.Image == $i) | .Event.EventData' "$out" | head -n 1)
is "ProcessGuid joins event 1 of that exec" "$(field "$e" ProcessGuid)" \
	"$(field "$e1" ProcessGuid)"
e=$(ev 25 '.Type == "Image is replaced"')
ok "a library written while mapped is event 25" test -n "$e"
ok "the victim is the process mapping it" grep -q python \
	<<<"$(field "$e" Image)"

# --- 100
e=$(ev 100 ".Image == \"$HELPERS/bpfload\"")
ok "BPF_PROG_LOAD is event 100" test -n "$e"
is "BpfCommand" "$(field "$e" BpfCommand)" BPF_PROG_LOAD
is "BpfProgramType" "$(field "$e" BpfProgramType)" SOCKET_FILTER
is "BpfProgramId is the kernel's id" "$(field "$e" BpfProgramId)" "$bpf_id"
is "BpfProgramName" "$(field "$e" BpfProgramName)" vigil_probe
n=$(jq -c --argjson p "$vigil_pid" 'select(.Event.System.EventID == 100
	and (.Event.EventData.ProcessId | tonumber) == $p)' "$out" | wc -l)
is "vigil's own programs are not reported" "$n" 0

# A config that wants 10 alone: the same calls give no 8 and no 25.
cat > "$T_DIR/only10.xml" <<XML
<Sysmon schemaversion="4.90"><EventFiltering>
  <ProcessAccess onmatch="exclude"/>
</EventFiltering></Sysmon>
XML
vigil_start "$T_DIR/only10.json" --no-store --format json \
	"$T_DIR/only10.xml" || t_end
"$HELPERS/inject" vm-write poke mem-write >/dev/null
"$HELPERS/fileless" memfd /bin/true
settle
vigil_stop
ok "only 10 wanted: the writes are event 10" test "$(jq -c \
	'select(.Event.System.EventID == 10)' "$T_DIR/only10.json" | wc -l)" -ge 3
is "and no event 8 or 25" "$(jq -c 'select(.Event.System.EventID == 8 or
	.Event.System.EventID == 25)' "$T_DIR/only10.json" | wc -l)" 0
t_end
