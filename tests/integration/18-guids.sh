#!/usr/bin/env bash
# ProcessGuids on the real kernel.  Pid reuse: two processes with the same
# pid and different images get distinct GUIDs, their own images, and each
# one's child points at the right parent.  Restart: a process keeps its
# ProcessGuid across a daemon restart, whether the first run saw its exec
# or found it in /proc, and the second run found it in /proc.
#
# Events carry host pids, so the pid must repeat in the host's numbering:
# a pid namespace's own pid_max wraps only the namespace's numbers.  The
# test lowers the host's /proc/sys/kernel/pid_max for about a second so
# that pids wrap after about 1000 forks, and puts it back (also on exit).
. "$(dirname "$0")/lib.sh"
t_begin 18-guids

PID_MAX_FILE=/proc/sys/kernel/pid_max
pid_max_saved=
restore_pid_max() {
	if [ -n "$pid_max_saved" ]; then
		echo "$pid_max_saved" > "$PID_MAX_FILE"
		pid_max_saved=
	fi
}
trap 'restore_pid_max; t_cleanup' EXIT
trap 'exit 1' INT TERM HUP

cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="contains">vigil-guid-</Image>
    </ProcessCreate>
    <ProcessTerminate onmatch="include">
      <Image condition="contains">vigil-guid-</Image>
    </ProcessTerminate>
  </EventFiltering>
</Sysmon>
XML
leaf=$T_DIR/vigil-guid-leaf
img_a=$T_DIR/vigil-guid-a
img_b=$T_DIR/vigil-guid-b
img_p=$T_DIR/vigil-guid-p
img_q=$T_DIR/vigil-guid-q
cp /bin/true "$leaf"
# A and B: two names of one binary, run without address randomisation,
# so only the start time tells their GUIDs apart (same end of code).
cp "$(readlink -f /bin/sh)" "$img_a"
cp "$(readlink -f /bin/sh)" "$img_b"
cp "$(readlink -f /bin/bash)" "$img_p"
cp "$(readlink -f /bin/bash)" "$img_q"
for f in p1 p2 q1 q2; do mkfifo "$T_DIR/$f"; done
# A bash that spawns a leaf child on each line it reads, then exits.
script='read -r _ < "$1"; "$3" "$0-first"; read -r _ < "$2"; "$3" "$0-second"; exit 0'

# Q runs before the daemon starts: both runs know it from /proc.
"$img_q" -c "$script" q "$T_DIR/q1" "$T_DIR/q2" "$leaf" &
q_pid=$!
out1=$T_DIR/run1.json out2=$T_DIR/run2.json
vigil_start "$out1" --no-store --format json "$T_DIR/config.xml" || t_end
# P starts under the first run: it sees P's exec.
"$img_p" -c "$script" p "$T_DIR/p1" "$T_DIR/p2" "$leaf" &
p_pid=$!
sleep 0.2
echo > "$T_DIR/p1"
echo > "$T_DIR/q1"

# Pid reuse, under the first run.
pid_max_saved=$(cat "$PID_MAX_FILE")
pid_max_orig=$pid_max_saved
# A limit with about 1000 free pids above the 300 the kernel reserves
# (thread ids take pids too).
limit=$(ls /proc/[0-9]*/task 2>/dev/null | grep -E '^[0-9]+$' | sort -n |
	awk 'BEGIN { n = 1300 } $1 >= 300 && $1 < n { n++ } END { print n }')
echo "$limit" > "$PID_MAX_FILE"
reuse=$("$HELPERS/pid_reuse" 20000 "$img_a" "$img_b" -c '"$0" x; exit 0' \
	"$leaf")
reuse_status=$?
restore_pid_max
is "pid_max restored" "$(cat "$PID_MAX_FILE")" "$pid_max_orig"
ok "a pid came back (pid, forks: $reuse)" test "$reuse_status" -eq 0
reused=${reuse%% *}

settle
vigil_stop
is "first run exits cleanly" "$VIGIL_STATUS" 0

# The second run: P and Q spawn again, then exit.
vigil_start "$out2" --no-store --format json "$T_DIR/config.xml" || t_end
echo > "$T_DIR/p2"
echo > "$T_DIR/q2"
wait "$p_pid" "$q_pid"
settle
vigil_stop
is "second run exits cleanly" "$VIGIL_STATUS" 0

# ev FILE ID JQ-CONDITION: EventData of the first matching event, as JSON.
ev() {
	jq -c "select(.Event.System.EventID == $2) | .Event.EventData |
		select($3)" "$1" | head -n 1
}
field() { jq -r ".$2" <<<"$1"; }

# --- pid reuse ---
a=$(ev "$out1" 1 ".Image == \"$img_a\"")
b=$(ev "$out1" 1 ".Image == \"$img_b\"")
is "first process: event 1 with the pid" "$(field "$a" ProcessId)" "$reused"
is "second process: event 1 with the same pid" "$(field "$b" ProcessId)" \
	"$reused"
ga=$(field "$a" ProcessGuid) gb=$(field "$b" ProcessGuid)
ok "distinct ProcessGuids ($ga, $gb)" test "$ga" != "$gb" -a "$ga" != null \
	-a "$gb" != null
# The two children of that pid, in the order they ran.
kids=$(jq -c "select(.Event.System.EventID == 1) | .Event.EventData |
	select(.Image == \"$leaf\" and
	(.ParentProcessId | tostring) == \"$reused\")" "$out1")
is "two children of that pid" "$(wc -l <<<"$kids")" 2
la=$(sed -n 1p <<<"$kids") lb=$(sed -n 2p <<<"$kids")
is "first process's child: ParentProcessGuid" \
	"$(field "$la" ParentProcessGuid)" "$ga"
is "first process's child: ParentImage" "$(field "$la" ParentImage)" "$img_a"
is "second process's child: ParentProcessGuid" \
	"$(field "$lb" ParentProcessGuid)" "$gb"
is "second process's child: ParentImage" "$(field "$lb" ParentImage)" "$img_b"
is "second process's child: ParentProcessId" \
	"$(field "$lb" ParentProcessId)" "$reused"
xa=$(ev "$out1" 5 ".ProcessGuid == \"$ga\"")
xb=$(ev "$out1" 5 ".ProcessGuid == \"$gb\"")
is "first process's event 5: its image" "$(field "$xa" Image)" "$img_a"
is "second process's event 5: its image" "$(field "$xb" Image)" "$img_b"

# --- restart: P seen at exec by run 1, found in /proc by run 2 ---
p=$(ev "$out1" 1 ".Image == \"$img_p\"")
gp=$(field "$p" ProcessGuid)
is "P's event 1 in run 1" "$(field "$p" ProcessId)" "$p_pid"
c1=$(ev "$out1" 1 ".CommandLine == \"$leaf p-first\"")
c2=$(ev "$out2" 1 ".CommandLine == \"$leaf p-second\"")
xp=$(ev "$out2" 5 "(.ProcessId | tostring) == \"$p_pid\"")
is "run 1: P's child names P's GUID" "$(field "$c1" ParentProcessGuid)" "$gp"
is "run 2: P's child names the same GUID" \
	"$(field "$c2" ParentProcessGuid)" "$gp"
is "run 2: P's event 5 has the same GUID" "$(field "$xp" ProcessGuid)" "$gp"
is "run 2: P's event 5 Image" "$(field "$xp" Image)" "$img_p"

# --- restart: Q found in /proc by both runs ---
c1=$(ev "$out1" 1 ".CommandLine == \"$leaf q-first\"")
c2=$(ev "$out2" 1 ".CommandLine == \"$leaf q-second\"")
xq=$(ev "$out2" 5 "(.ProcessId | tostring) == \"$q_pid\"")
gq=$(field "$c1" ParentProcessGuid)
ok "run 1: Q's child has a ParentProcessGuid ($gq)" \
	grep -Eq '^\{[0-9a-f]{8}-' <<<"$gq"
is "run 1: Q's child's ParentImage" "$(field "$c1" ParentImage)" "$img_q"
is "run 2: Q's child names the same GUID" \
	"$(field "$c2" ParentProcessGuid)" "$gq"
is "run 2: Q's event 5 has the same GUID" "$(field "$xq" ProcessGuid)" "$gq"
t_end
