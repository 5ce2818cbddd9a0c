#!/usr/bin/env bash
# Least privilege, read from the kernel: after start-up the daemon holds
# exactly the capabilities it still uses (/proc/PID/status), the web
# viewer and the forwarder it starts run as nobody with none, a viewer
# reads the store as an unprivileged member of adm and is refused without
# it, and every file and folder the daemon creates has its intended mode
# and owner, even under a umask of 000.
. "$(dirname "$0")/lib.sh"
t_begin 25-least-privilege

chmod 755 "$T_DIR" # web and forward run as nobody: let them reach the store
port=$((20000 + RANDOM % 20000))
python3 -c 'import secrets; print(secrets.token_hex(32))' > "$T_DIR/token"
chmod 640 "$T_DIR/token"
# The store's folder, the record-id counter's folder and the JSON-lines
# file do not exist yet: the daemon creates them.
cat > "$T_DIR/vigil.conf" <<CONF
web = yes
web_listen = 127.0.0.1:$port
web_token_path = $T_DIR/token
jsonl_path = $T_DIR/log/events.jsonl
forward.relay.url = udp://127.0.0.1:$((port + 1))
CONF
mkdir -p "$T_DIR/log" "$T_DIR/state" "$T_DIR/run"
chmod 755 "$T_DIR/run" # as systemd's RuntimeDirectory= makes it
old_umask=$(umask)
umask 000
vigil_start "$T_DIR/out" --settings "$T_DIR/vigil.conf" --quiet \
	--store "$T_DIR/store/events.db" --state-dir "$T_DIR/state/lib" || t_end
umask "$old_umask"
/bin/true least-privilege-marker
settle
for _ in $(seq 1 50); do # the forwarder writes its status every second
	[ -e "$T_DIR/run/forward/status" ] && break
	sleep 0.1
done

st() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
hex() { printf '%016x' "$1"; }
child() {	# child WORD: the pid of the daemon's child `vigil WORD`
	local p
	for p in $(cat /proc/"$VIGIL_PID"/task/*/children 2>/dev/null); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null |
			grep -q "^vigil $1 " && { echo "$p"; return; }
	done
}

# ---- the daemon -------------------------------------------------------
# CAP_DAC_READ_SEARCH (2)  hash any image and read any /proc file (root's
#                          own files only without it: no DAC_OVERRIDE);
# CAP_SYS_PTRACE (19)      /proc/PID/exe, maps and fds of other users'
#                          processes (ptrace access mode checks);
# CAP_PERFMON (38), CAP_BPF (39)  read and update the maps, and arm the
#                          programs of a family a new config wants.
# Nothing else: no CAP_SYS_ADMIN, no DAC_OVERRIDE, no SETUID/SETGID (the
# children were started before the drop), no NET_ADMIN, no SYS_RESOURCE.
if [ "$(cat /proc/sys/kernel/cap_last_cap)" -ge 39 ]; then
	want=$(hex $((1 << 2 | 1 << 19 | 1 << 38 | 1 << 39)))
else # before 5.8, CAP_SYS_ADMIN (21) stands for BPF and PERFMON
	want=$(hex $((1 << 2 | 1 << 19 | 1 << 21)))
fi
is "daemon CapEff: exactly what it uses" "$(st "$VIGIL_PID" CapEff)" "$want"
is "daemon CapPrm: the same" "$(st "$VIGIL_PID" CapPrm)" "$want"
is "daemon CapBnd: the same (no way back, even through exec)" \
	"$(st "$VIGIL_PID" CapBnd)" "$want"
is "daemon CapInh: none" "$(st "$VIGIL_PID" CapInh)" 0000000000000000
is "daemon CapAmb: none" "$(st "$VIGIL_PID" CapAmb)" 0000000000000000
is "daemon NoNewPrivs" "$(st "$VIGIL_PID" NoNewPrivs)" 1
# It stays uid 0 on purpose: it owns the store and the state it writes.
is "daemon uid: root (its files are root's)" \
	"$(st "$VIGIL_PID" Uid | awk '{print $2}')" 0
for t in /proc/"$VIGIL_PID"/task/*; do
	[ "$(sed -n 's/^CapEff:\t//p' "$t/status")" == "$want" ] ||
		bad_task=${t##*/}
done
ok "every daemon thread holds the same set (${bad_task:-all})" \
	test -z "${bad_task:-}"

# ---- the children: nobody, no capabilities --------------------------------
nobody=$(id -u nobody)
for word in web forward; do
	pid=$(child "$word")
	ok "the daemon started vigil $word" test -n "$pid"
	[ -n "$pid" ] || continue
	is "vigil $word: real, effective, saved uid nobody" \
		"$(st "$pid" Uid | awk '{print $1,$2,$3}')" \
		"$nobody $nobody $nobody"
	is "vigil $word: CapEff none" "$(st "$pid" CapEff)" 0000000000000000
	is "vigil $word: CapPrm none" "$(st "$pid" CapPrm)" 0000000000000000
	is "vigil $word: CapAmb none" "$(st "$pid" CapAmb)" 0000000000000000
	is "vigil $word: NoNewPrivs" "$(st "$pid" NoNewPrivs)" 1
	ok "vigil $word: not in group root" \
		bash -c "! grep -qE '^Groups:.*\b0\b' /proc/$pid/status"
done

# ---- a viewer needs no privilege: group adm is enough -------------------
db=$T_DIR/store/events.db
as() { setpriv --reuid=nobody --regid=nogroup "$@"; }
as --groups=adm "$VIGIL" view --store "$db" -e 1 --format json \
	> "$T_DIR/view.out" 2> "$T_DIR/view.err"
ok "vigil view as nobody in group adm reads the store" \
	grep -q least-privilege-marker "$T_DIR/view.out"
as --clear-groups "$VIGIL" view --store "$db" -e 1 > /dev/null 2>&1
ok "vigil view as nobody outside adm is refused" test $? -ne 0

# ---- modes and owners ---------------------------------------------------
mode() { stat -c '%a %U:%G' "$1" 2>&1; }
is "store folder" "$(mode "$T_DIR/store")" "750 root:adm"
is "store" "$(mode "$db")" "640 root:adm"
is "store WAL" "$(mode "$db-wal")" "640 root:adm"
is "store shared memory" "$(mode "$db-shm")" "640 root:adm"
is "state folder (adm: the forwarder keeps its cursors below)" \
	"$(mode "$T_DIR/state/lib")" "750 root:adm"
is "record-id counter" "$(mode "$(ls -d "$T_DIR"/state/lib/* | grep -v forward | head -n 1)")" \
	"640 root:root"
is "forwarder's state folder" "$(mode "$T_DIR/state/lib/forward")" \
	"750 nobody:adm"
is "run folder" "$(mode "$T_DIR/run")" "755 root:root"
is "status file" "$(mode "$T_DIR/run/status")" "640 root:root"
is "pid file" "$(mode "$T_DIR/run/vigil.pid")" "644 root:root"
is "forwarder's run folder" "$(mode "$T_DIR/run/forward")" "750 nobody:adm"
is "forwarder's status" "$(mode "$T_DIR/run/forward/status")" \
	"640 nobody:adm"
is "JSON-lines file" "$(mode "$T_DIR/log/events.jsonl")" "640 root:adm"
made=("$T_DIR/store" "$T_DIR/state/lib" "$T_DIR/run" "$T_DIR/log/events.jsonl")
ok "nothing the daemon made is world-writable" \
	test -z "$(find "${made[@]}" -perm -o+w)"
ok "nothing the daemon made is world-readable but the pid and run folder" \
	test "$(find "${made[@]}" -perm -o+r | sort | tr '\n' ' ')" == \
	"$T_DIR/run $T_DIR/run/vigil.pid "
vigil_stop
is "the daemon exits 0" "$VIGIL_STATUS" 0
ok "the cursor the forwarder saved is nobody's, 640" \
	test "$(mode "$T_DIR/state/lib/forward/relay.cursor")" == "640 nobody:adm"
t_end
