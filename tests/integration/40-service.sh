#!/usr/bin/env bash
# The service lifecycle through Sysmon's switches, on a host without
# systemd as PID 1: install with a config (detached daemon), events flow,
# reconfigure while processes are being spawned (each one logged under
# exactly one of the two configs, none lost), a bad config leaves the
# running one in place, status, uninstall (nothing left running, the
# store stays).  All of that under VIGIL_ROOT in a temporary folder; then
# one real install and uninstall at the real paths, unless this host
# already has vigil installed.
. "$(dirname "$0")/lib.sh"
t_begin 40-service

R=$T_DIR/root
mkdir -p "$R"
export VIGIL_ROOT=$R
marker=$T_DIR/vigil-svc-marker-$$
cp /bin/true "$marker"
jsonl=$T_DIR/events.jsonl
status_file=$R/run/vigil/status

# Stop whatever this test started, even when it fails half-way.
svc_cleanup() {
	local pid
	pid=$(cat "$R/run/vigil/vigil.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	[ -n "${LOOP_PID:-}" ] && kill "$LOOP_PID" 2>/dev/null
	if [ -n "${REAL_INSTALL:-}" ] && [ -x /usr/local/sbin/vigil ]; then
		VIGIL_ROOT= /usr/local/sbin/vigil -u force -purge > /dev/null 2>&1
	fi
	REAL_INSTALL=
	t_cleanup
}
trap svc_cleanup EXIT
finish() {
	svc_cleanup
	trap - EXIT
	t_end
}

# live_daemons: pids of `vigil run` processes of this install (zombies
# do not count: they are gone, only not yet reaped).
live_daemons() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(awk '{print $3}' "$p/stat" 2>/dev/null)" == Z ] && continue
		tr '\0' ' ' 2> /dev/null < "$p/cmdline" |
			grep -q "^$R/usr/local/sbin/vigil run" && echo "${p#/proc/}"
	done
}

st() { sed -n "s/^$1=//p" "$status_file" 2>/dev/null; }

# count_rule NAME: events 1 of the marker logged under rule NAME so far.
count_rule() {
	jq -r --arg m "$marker" --arg r "$1" 'select(.Event.System.EventID == 1
		and .Event.EventData.Image == $m and
		.Event.EventData.RuleName == $r) | 1' "$jsonl" 2>/dev/null |
		wc -l
}

rule_at_least() { [ "$(count_rule "$1")" -ge "$2" ]; }
logged_above() { [ "$(st logged)" -gt "$1" ]; }

wait_for() {	# wait_for SECONDS COMMAND...: poll until COMMAND succeeds
	local n=$(($1 * 10)); shift
	for _ in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

config() {	# config RULENAME: a config logging the marker under RULENAME
	cat <<XML
<Sysmon schemaversion="4.90">
  <HashAlgorithms>sha256</HashAlgorithms>
  <EventFiltering>
    <RuleGroup name="" groupRelation="or">
      <ProcessCreate onmatch="include">
        <Image condition="is" name="$1">$marker</Image>
      </ProcessCreate>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
XML
}
config cfgA > "$T_DIR/a.xml"
config cfgB > "$T_DIR/b.xml"
printf '<Sysmon schemaversion="4.90">\n  <EventFiltering>\n    <ProcessCreate onmatch="include">\n      <Image condition="bogus">x</Image>\n    </ProcessCreate>\n  </EventFiltering>\n</Sysmon>\n' \
	> "$T_DIR/bad.xml"

# ---- before installing ------------------------------------------------
"$VIGIL" -i "$T_DIR/bad.xml" > "$T_DIR/out" 2>&1
rc=$?
ok "-i with a bad config fails" test "$rc" -eq 1
ok "-i with a bad config names file:line:col" \
	grep -q "bad.xml:4:[0-9]*: Unknown condition" "$T_DIR/out"
ok "-i with a bad config installs nothing" \
	test ! -e "$R/etc/vigil/config.xml" -a ! -e "$R/usr/local/sbin/vigil"
"$VIGIL" -c "$T_DIR/a.xml" > /dev/null 2>&1
is "-c before -i fails" "$?" 1
"$VIGIL" status > /dev/null
is "status before -i: not running (3)" "$?" 3
"$VIGIL" -i -c > /dev/null 2>&1
is "exclusive switches: usage error (2)" "$?" 2

# ---- -t: foreground debug mode, text on stdout --------------------------
"$VIGIL" -t > "$T_DIR/debug.out" 2> "$T_DIR/debug.err" &
dbg=$!
wait_for 15 grep -q "monitoring" "$T_DIR/debug.err"
"$marker" debug-mode-probe
wait_for 10 grep -q "debug-mode-probe" "$T_DIR/debug.out"
kill -INT "$dbg"
wait "$dbg"
is "-t exits 0 on SIGINT" "$?" 0
ok "-t printed the probe's event as text" \
	grep -q "Image: $marker" "$T_DIR/debug.out"
ok "-t left no files behind in the install root" \
	test ! -e "$R/run/vigil/status" -a ! -e "$R/var/lib/vigil/events.db"

# ---- install ----------------------------------------------------------
# Settings seeded before the install are kept: here, an extra JSON-lines
# output that the checks below read.
mkdir -p "$R/etc/vigil"
cat > "$R/etc/vigil/vigil.conf" <<CONF
state_dir = $R/var/lib/vigil
run_dir = $R/run/vigil
store_path = $R/var/lib/vigil/events.db
stdout = no
jsonl_path = $jsonl
CONF
"$VIGIL" -accepteula -i "$T_DIR/a.xml" > "$T_DIR/install.out" 2>&1
rc=$?
sed 's/^/#   /' "$T_DIR/install.out"
is "-i exits 0" "$rc" 0
ok "-i says it started the daemon itself (no systemd)" \
	grep -q "detached" "$T_DIR/install.out"
ok "-i kept the seeded settings" grep -q "kept the existing file" \
	"$T_DIR/install.out"
for f in usr/local/sbin/vigil etc/vigil/config.xml \
	etc/systemd/system/vigil.service usr/local/share/man/man8/vigil.8 \
	usr/local/share/man/man5/vigil.conf.5; do
	ok "installed $f" test -s "$R/$f"
done
ok "config.xml is the given file" cmp -s "$T_DIR/a.xml" \
	"$R/etc/vigil/config.xml"
is "config.xml is readable by root only" \
	"$(stat -c %a "$R/etc/vigil/config.xml")" 600
mode() { stat -c '%a %U:%G' "$R/$1" 2>&1; }
is "the state folder: admins (adm) may enter" "$(mode var/lib/vigil)" \
	"750 root:adm"
is "vigil.conf" "$(mode etc/vigil/vigil.conf)" "644 root:root"
is "the unit" "$(mode etc/systemd/system/vigil.service)" "644 root:root"
is "the binary" "$(mode usr/local/sbin/vigil)" "755 root:root"
is "the log folder: root only" "$(mode var/log/vigil)" "750 root:root"
pid=$(cat "$R/run/vigil/vigil.pid" 2>/dev/null)
ok "the daemon runs" kill -0 "${pid:-0}"
ok "-i wrote the web viewer's token (64 hex digits)" \
	grep -qx '[0-9a-f]\{64\}' "$R/etc/vigil/web.token"
is "the token is readable by root and its group only" \
	"$(stat -c %a "$R/etc/vigil/web.token")" 640
ok "vigil status shows the web login link with the token" grep -q \
	"login#token=$(cat "$R/etc/vigil/web.token")" <("$VIGIL" status)
hash_a=$(sha256sum "$T_DIR/a.xml" | cut -d' ' -f1)
is "status reports config A's hash" "$(st config_hash)" "$hash_a"
if command -v systemd-analyze > /dev/null; then
	# --man=no: the man pages are under the test root, not in MANPATH.
	ok "the unit passes systemd-analyze verify" \
		systemd-analyze verify --man=no "$R/etc/systemd/system/vigil.service"
fi
"$VIGIL" -i "$T_DIR/b.xml" > "$T_DIR/out" 2>&1
is "a second -i fails" "$?" 1
ok "a second -i says it is installed" grep -q "already installed" "$T_DIR/out"
ok "a second -i changed nothing" cmp -s "$T_DIR/a.xml" \
	"$R/etc/vigil/config.xml"

# ---- events flow ------------------------------------------------------
before=$(st logged)
for i in 1 2 3; do "$marker" warm-up; done
ok "marker events logged under cfgA" wait_for 10 rule_at_least cfgA 3
ok "status 'logged' rises" wait_for 5 logged_above "${before:-0}"
ok "events are in the store" test -s "$R/var/lib/vigil/events.db"
"$VIGIL" view --store "$R/var/lib/vigil/events.db" --format json -e 1 \
	> "$T_DIR/view.out" 2>&1
ok "vigil view finds the marker in the store" grep -q "warm-up" \
	"$T_DIR/view.out"

# ---- reconfigure under load -------------------------------------------
# A loop spawns numbered markers until told to stop; config B replaces A
# in the middle.  Every number must be logged exactly once, numbers under
# A all before numbers under B.
rm -f "$T_DIR/stop"
a_before=$(count_rule cfgA)
(
	i=0
	while [ ! -e "$T_DIR/stop" ] && [ $i -lt 50000 ]; do
		i=$((i + 1))
		"$marker" "seq-$i"
	done
	echo "$i" > "$T_DIR/spawned"
) &
LOOP_PID=$!
wait_for 10 rule_at_least cfgA $((a_before + 50))
"$VIGIL" -c "$T_DIR/b.xml" > "$T_DIR/reconf.out" 2>&1
rc=$?
sed 's/^/#   /' "$T_DIR/reconf.out"
is "-c b.xml exits 0" "$rc" 0
ok "-c waited for the daemon to run it" grep -q "running the new" \
	"$T_DIR/reconf.out"
hash_b=$(sha256sum "$T_DIR/b.xml" | cut -d' ' -f1)
is "status reports config B's hash" "$(st config_hash)" "$hash_b"
wait_for 10 rule_at_least cfgB 50
touch "$T_DIR/stop"
wait "$LOOP_PID"
LOOP_PID=
spawned=$(cat "$T_DIR/spawned")
# Settle: the logged count stops moving.
last=-1
for _ in $(seq 1 50); do
	sleep 0.4
	now=$(st logged)
	[ "$now" == "$last" ] && break
	last=$now
done
jq -r --arg m "$marker" 'select(.Event.System.EventID == 1 and
	.Event.EventData.Image == $m and
	(.Event.EventData.CommandLine | contains(" seq-"))) |
	"\(.Event.EventData.CommandLine | split(" seq-")[1]) \(.Event.EventData.RuleName)"' \
	"$jsonl" | sort -n > "$T_DIR/seqs"
echo "# spawned $spawned markers during the reconfiguration:" \
	"$(grep -c ' cfgA$' "$T_DIR/seqs") under A, $(grep -c ' cfgB$' "$T_DIR/seqs") under B"
is "every spawned marker logged once" "$(wc -l < "$T_DIR/seqs")" "$spawned"
is "no marker logged twice" "$(cut -d' ' -f1 "$T_DIR/seqs" | uniq | wc -l)" \
	"$spawned"
is "markers 1..N all present" "$(cut -d' ' -f1 "$T_DIR/seqs" | tail -n 1)" \
	"$spawned"
is "only cfgA and cfgB" "$(cut -d' ' -f2 "$T_DIR/seqs" | sort -u | tr '\n' ' ')" \
	"cfgA cfgB "
ok "some under A, some under B" test "$(grep -c ' cfgA$' "$T_DIR/seqs")" -gt 0 \
	-a "$(grep -c ' cfgB$' "$T_DIR/seqs")" -gt 0
is "A strictly before B" "$(cut -d' ' -f2 "$T_DIR/seqs" | uniq | tr '\n' ' ')" \
	"cfgA cfgB "
is "nothing lost (ring)" "$(st lost_ring)" 0
is "nothing lost (queue)" "$(st lost_queue)" 0
is "nothing lost (outputs)" "$(st lost_sink)" 0
ok "event 16 for config B" grep -q "\"ConfigurationFileHash\":\"$hash_b\"" \
	"$jsonl"

# ---- a bad config changes nothing -------------------------------------
"$VIGIL" -c "$T_DIR/bad.xml" > "$T_DIR/bad.out" 2>&1
rc=$?
ok "-c bad.xml fails" test "$rc" -ne 0
ok "-c bad.xml reports file:line:col" grep -q "bad.xml:4:[0-9]*:" \
	"$T_DIR/bad.out"
ok "-c bad.xml left config.xml alone" cmp -s "$T_DIR/b.xml" \
	"$R/etc/vigil/config.xml"
printf '<Sysmon schemaversion="4.90">\x00\xff\xfe garbage' >"$T_DIR/garbage.xml"
"$VIGIL" -c "$T_DIR/garbage.xml" >"$T_DIR/garbage.out" 2>&1
ok "-c garbage.xml fails" test "$?" -ne 0
ok "-c garbage.xml names the file" grep -q "garbage.xml:1:[0-9]*:" \
	"$T_DIR/garbage.out"
ok "-c garbage.xml left config.xml alone" cmp -s "$T_DIR/b.xml" \
	"$R/etc/vigil/config.xml"
sleep 1.2
is "the daemon still runs config B" "$(st config_hash)" "$hash_b"
ok "the daemon is the same process" test "$(st pid)" == "$pid"
is "no config error reported" "$(st config_error)" ""
ok "the daemon keeps config B as the last good one" cmp -s "$T_DIR/b.xml" \
	"$R/var/lib/vigil/config-last-good.xml"

# ---- -c dump, -c --, status -------------------------------------------
"$VIGIL" -c > "$T_DIR/dump.out" 2>&1
is "-c alone exits 0" "$?" 0
ok "-c alone prints the rules" grep -q "ProcessCreate.*onmatch: include" \
	"$T_DIR/dump.out"
ok "-c alone prints the marker filter" grep -qF "$marker" "$T_DIR/dump.out"
"$VIGIL" status > "$T_DIR/status.out"
is "status exits 0 while running" "$?" 0
ok "status: running with the pid" grep -q "pid *$pid" "$T_DIR/status.out"
ok "status: config hash" grep -q "SHA256=$hash_b" "$T_DIR/status.out"
ok "status: events logged" grep -Eq "events logged +[1-9]" "$T_DIR/status.out"
ok "status: store with size" grep -q "store .*events.db (" "$T_DIR/status.out"
"$VIGIL" -c -- > "$T_DIR/out" 2>&1
is "-c -- exits 0" "$?" 0
def_hash=$(sha256sum "$R/etc/vigil/config.xml" | cut -d' ' -f1)
is "-c --: the daemon runs the default config" "$(st config_hash)" "$def_hash"
ok "-c --: the default config has no marker rule" \
	test "$(grep -c "$marker" "$R/etc/vigil/config.xml")" -eq 0

# ---- uninstall --------------------------------------------------------
# With the installed binary, as a user would.
"$R/usr/local/sbin/vigil" -u > "$T_DIR/u.out" 2>&1
rc=$?
sed 's/^/#   /' "$T_DIR/u.out"
is "-u exits 0" "$rc" 0
ok "-u says where the store is" grep -q "kept: $R/var/lib/vigil/events.db" \
	"$T_DIR/u.out"
no_daemons() { [ -z "$(live_daemons)" ]; }
ok "nothing left running" wait_for 5 no_daemons
ok "the store remains" test -s "$R/var/lib/vigil/events.db"
for f in usr/local/sbin/vigil etc/vigil etc/systemd/system/vigil.service \
	run/vigil/vigil.pid var/log/vigil; do
	ok "removed $f" test ! -e "$R/$f"
done
"$VIGIL" status > /dev/null
is "status after -u: not running (3)" "$?" 3
"$VIGIL" -u > /dev/null 2>&1
is "-u again: not installed (1)" "$?" 1

# ---- Sysmon's historic install line -----------------------------------
"$VIGIL" -i -h sha1 -n -l > "$T_DIR/legacy.out" 2>&1
is "-i -h sha1 -n -l exits 0" "$?" 0
ok "-h sha1 is in the installed config" \
	grep -q "<HashAlgorithms>sha1</HashAlgorithms>" "$R/etc/vigil/config.xml"
# -n / -l without a list log every connection / image load: an empty
# exclude set, Sysmon's switch for "all".
ok "-n turned NetworkConnect on in the installed config" \
	grep -q '<NetworkConnect onmatch="exclude"/>' "$R/etc/vigil/config.xml"
ok "-l turned ImageLoad on in the installed config" \
	grep -q '<ImageLoad onmatch="exclude"/>' "$R/etc/vigil/config.xml"
# -n arms the network family (3), -l the image-load family (7), and
# status claims nothing else.
ok "status arms NetworkConnect and ImageLoad, and only what is collected" \
	grep -Eq "^armed=1,3,4,5,7,16,255$" "$status_file"
"$VIGIL" -u -purge > "$T_DIR/out" 2>&1
is "-u -purge exits 0" "$?" 0
ok "-purge deleted the store and state" test ! -e "$R/var/lib/vigil"
ok "nothing left running after -u -purge" wait_for 5 no_daemons

# ---- one real install, at the real paths ------------------------------
unset VIGIL_ROOT
if [ -e /etc/vigil ] || [ -e /usr/local/sbin/vigil ] ||
	[ -e /etc/systemd/system/vigil.service ] || [ -e /var/lib/vigil ]; then
	echo "# real install skipped: vigil is (or was) installed on this host"
else
	REAL_INSTALL=1
	"$VIGIL" -accepteula -i > "$T_DIR/real.out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T_DIR/real.out"
	is "real -i exits 0" "$rc" 0
	ok "real: the daemon runs" kill -0 "$(cat /run/vigil/vigil.pid 2>/dev/null || echo 0)"
	/usr/local/sbin/vigil status > /dev/null
	is "real: status exits 0" "$?" 0
	if command -v systemd-analyze > /dev/null; then
		ok "real: the unit passes systemd-analyze verify" \
			systemd-analyze verify /etc/systemd/system/vigil.service
	fi
	/usr/local/sbin/vigil -u -purge > "$T_DIR/real-u.out" 2>&1
	is "real -u -purge exits 0" "$?" 0
	REAL_INSTALL=
	for f in /usr/local/sbin/vigil /etc/vigil /var/lib/vigil /run/vigil \
		/var/log/vigil /etc/systemd/system/vigil.service \
		/usr/local/share/man/man8/vigil.8; do
		ok "real: removed $f" test ! -e "$f"
	done
fi
finish
