#!/usr/bin/env bash
# The other outputs of the real daemon: --syslog writes Sysmon for Linux's
# line (tag "sysmon", no pid, priority user.info = 14, the XML record as
# the whole message) and --jsonl appends the same events as JSON lines to
# a 0640 file.  /dev/log is a socket of the test's own, in a private mount
# namespace, so the host's syslog is not touched.
. "$(dirname "$0")/lib.sh"
t_begin 53-syslog-jsonl

if ! command -v unshare >/dev/null || ! command -v python3 >/dev/null; then
	ok "unshare and python3 available" false
	t_end
fi
cat >"$T_DIR/recv.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as f:
    open(sys.argv[2] + ".ready", "w").close()
    while True:
        f.write(s.recv(1 << 20) + b"\n")
EOF
mkdir -p "$T_DIR/state" "$T_DIR/run"
jsonl=$T_DIR/out/events.jsonl
mkdir -p "$T_DIR/out"
probe=$T_DIR/vigil-syslog-$$
cp /bin/true "$probe"

# a private /dev with the usual nodes and our /dev/log, then the daemon
unshare -m --propagation private bash -c '
	set -e
	d=$1; shift
	mkdir -p "$d/dev"
	mount -t tmpfs -o mode=755 tmpfs "$d/dev"
	for n in null zero full random urandom; do
		touch "$d/dev/$n"; mount --bind "/dev/$n" "$d/dev/$n"
	done
	mount --bind "$d/dev" /dev
	python3 "$d/recv.py" /dev/log "$d/syslog.out" &
	echo $! >"$d/recv.pid"
	for _ in $(seq 1 100); do
		[ -e "$d/syslog.out.ready" ] && break; sleep 0.05
	done
	exec "$@"
' bash "$T_DIR" "$VIGIL" run --syslog --no-store --jsonl "$jsonl" --quiet \
	--state-dir "$T_DIR/state" --run-dir "$T_DIR/run" \
	>/dev/null 2>"$T_DIR/vigil.log" &
VIGIL_PID=$!
for _ in $(seq 1 200); do
	[ -s "$T_DIR/run/status" ] && break
	sleep 0.05
done
ok "daemon started with --syslog --jsonl" test -s "$T_DIR/run/status"
for i in 1 2 3 4 5; do "$probe" "marker-$i"; done
"$probe" 'quote" amp& lt< newline
tab	end'
sleep 2
vigil_stop
[ -s "$T_DIR/recv.pid" ] && kill "$(cat "$T_DIR/recv.pid")" 2>/dev/null

out=$T_DIR/syslog.out
ok "syslog messages arrived" test -s "$out"
line=$(grep -m1 "marker-3" "$out")
ok "priority user.info, tag sysmon without pid, then the XML" grep -qE \
	'^<14>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="\{ff032593-a8d3-4f13-b0d6-01fc615a0f97\}"/><EventID>1</EventID>' \
	<<<"$line"
ok "one message is one whole record" grep -q '</EventData></Event>$' \
	<<<"$line"
ok "markup in values is escaped (quotes only in attributes, as libxml2)" \
	grep -qF 'quote" amp&amp; lt&lt; newline&#10;tab&#9;end' "$out"
ids() { sed -n "$1" "$2" | sort -n | paste -sd, -; }
sys_ids=$(ids 's/.*<EventRecordID>\([0-9]*\)<.*/\1/p' "$out")
json_ids=$(ids 's/.*"EventRecordID":\([0-9]*\).*/\1/p' "$jsonl")
ok "events were logged (${sys_ids:0:40}...)" test -n "$sys_ids"
is "syslog and JSON lines carry the same events" "$sys_ids" "$json_ids"
ok "JSON lines file is 0640" test "$(stat -c %a "$jsonl")" = 640
ok "every JSON line parses" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    json.loads(l)
' "$jsonl"
ok "the probe is in the JSON lines" grep -q 'marker-5' "$jsonl"
t_end
