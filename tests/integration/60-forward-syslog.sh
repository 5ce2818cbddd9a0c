#!/usr/bin/env bash
# Forwarding to a real rsyslog (Debian's, started here on loopback with its
# own config): RFC 5424 messages, octet-counted over plain TCP and over
# TLS with a test CA and a client certificate (mutual TLS).  Every event
# of the store arrives intact (record ids and the whole XML compared with
# the store); a record longer than message_max is cut, not split, and
# stays valid XML; an untrusted and a wrong-host server certificate are
# refused with a clear error and nothing is sent; rsyslog stopped during a
# burst of 20,000 events (10,000 processes, each logged twice: events 1
# and 5) and started again: no event missing, and a repeated event is a
# byte-identical duplicate with the same record id.
. "$(dirname "$0")/lib.sh"
t_begin 60-forward-syslog

N=${FORWARD_BURST_N:-10000} # processes: 2N events
RSYSLOG_PID=
for cmd in rsyslogd openssl python3 xmllint; do
	command -v "$cmd" >/dev/null || { ok "$cmd is installed" false; t_end; }
done
if [ ! -e /usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_ossl.so ] &&
	[ ! -e /usr/lib/rsyslog/lmnsd_ossl.so ]; then
	ok "rsyslog-openssl is installed (TLS driver)" false
	t_end
fi
chmod 755 "$T_DIR" # the forwarder runs as nobody: let it reach the store
rs=$T_DIR/rsyslog
mkdir -p "$rs/work" "$rs/out" "$T_DIR/pki"

# --- a test CA, a server certificate for "localhost" only, a client
# certificate, and a second CA nobody trusts
pki=$T_DIR/pki
mkcert() {	# mkcert NAME CN SAN CA-NAME
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "/CN=$2" \
		2>/dev/null &&
	openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$4.pem" \
		-CAkey "$pki/$4.key" -CAcreateserial -days 2 \
		-out "$pki/$1.pem" -extfile <(printf '%s\n' "$3") 2>/dev/null
}
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$pki/$1.key" -out "$pki/$1.pem" -days 2 \
		-subj "/CN=$1" 2>/dev/null
}
ok "test certificates made" eval 'mkca ca && mkca other-ca &&
	mkcert server localhost "subjectAltName=DNS:localhost" ca &&
	mkcert client agent01 "extendedKeyUsage=clientAuth" ca'

# --- rsyslog: plain TCP and TLS (client certificate required), every
# message stored raw (the whole RFC 5424 message) in one file
port=$((20000 + RANDOM % 20000))
tport=$((port + 1))
uport=$((port + 2))
cat >"$rs/rsyslog.conf" <<EOF
global(workDirectory="$rs/work" maxMessageSize="256k" net.enableDNS="off"
       defaultNetstreamDriverCAFile="$pki/ca.pem"
       defaultNetstreamDriverCertFile="$pki/server.pem"
       defaultNetstreamDriverKeyFile="$pki/server.key")
module(load="imtcp" maxSessions="50")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="store")
input(type="imudp" address="127.0.0.1" port="$uport" ruleset="store")
input(type="imtcp" address="127.0.0.1" port="$tport" ruleset="store"
      streamDriver.name="ossl" streamDriver.mode="1"
      streamDriver.authMode="x509/certvalid")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="store") {
  action(type="omfile" file="$rs/out/raw.log" template="raw")
}
EOF
rsyslog_start() {
	rsyslogd -n -f "$rs/rsyslog.conf" -i "$rs/rsyslogd.pid" \
		>>"$rs/rsyslogd.log" 2>&1 &
	RSYSLOG_PID=$!
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
			(exec 3<>"/dev/tcp/127.0.0.1/$tport") 2>/dev/null &&
			return 0
		sleep 0.05
	done
	return 1
}
rsyslog_stop() {
	[ -n "$RSYSLOG_PID" ] || return 0
	kill -TERM "$RSYSLOG_PID" 2>/dev/null
	wait "$RSYSLOG_PID" 2>/dev/null
	RSYSLOG_PID=
}
# lib.sh's cleanup, and rsyslog's too
t_cleanup() {
	vigil_stop
	rsyslog_stop
	[ -n "$T_DIR" ] && rm -rf "$T_DIR"
}
ok "rsyslog listens on 127.0.0.1:$port (tcp) and :$tport (tls)" \
	rsyslog_start

# --- the daemon: only the probes' processes, four destinations
probe=$T_DIR/vigil-fwd-probe
cp /bin/true "$probe"
cat >"$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image condition="end with">/vigil-fwd-probe</Image>
    </ProcessCreate>
    <ProcessTerminate onmatch="include">
      <Image condition="end with">/vigil-fwd-probe</Image>
    </ProcessTerminate>
  </EventFiltering>
</Sysmon>
XML
db=$T_DIR/db/events.db
cat >"$T_DIR/vigil.conf" <<EOF
store_path = $db
state_dir = $T_DIR/state
run_dir = $T_DIR/run
forward.plain.url = tcp://127.0.0.1:$port
forward.plain.app_name = plain
forward.tls.url = tls://localhost:$tport
forward.tls.app_name = tlsok
forward.tls.ca_file = $pki/ca.pem
forward.tls.cert_file = $pki/client.pem
forward.tls.key_file = $pki/client.key
forward.udp.url = udp://127.0.0.1:$uport
forward.udp.app_name = udp
forward.untrusted.url = tls://localhost:$tport
forward.untrusted.app_name = untrusted
forward.untrusted.ca_file = $pki/other-ca.pem
forward.untrusted.cert_file = $pki/client.pem
forward.untrusted.key_file = $pki/client.key
forward.wronghost.url = tls://127.0.0.1:$tport
forward.wronghost.app_name = wronghost
forward.wronghost.ca_file = $pki/ca.pem
forward.wronghost.cert_file = $pki/client.pem
forward.wronghost.key_file = $pki/client.key
EOF
chmod 600 "$pki/client.key" # root only: read before the drop to nobody
vigil_start /dev/null --quiet --settings "$T_DIR/vigil.conf" \
	"$T_DIR/config.xml" || t_end
fstatus=$T_DIR/run/forward/status
fget() { sed -n "s/^dest\.$1\.$2=//p" "$fstatus" 2>/dev/null; }
store_max() {
	"$VIGIL" view --store "$db" --format json -n 1 2>/dev/null |
		sed -n 's/.*"EventRecordID":\([0-9]*\).*/\1/p'
}
# caught_up DEST...: wait until each cursor reaches the store's last id
caught_up() {
	local max d
	for _ in $(seq 1 600); do
		max=$(store_max)
		local all=1
		for d in "$@"; do
			[ "$(fget "$d" cursor)" == "$max" ] || all=0
		done
		[ -n "$max" ] && [ "$all" == 1 ] && return 0
		sleep 0.2
	done
	return 1
}

"$probe" 'marker-1 quote" amp& lt< newline
tab	end é 한'
"$probe" "marker-big $(head -c 20000 /dev/zero | tr '\0' 'A')"
for i in 2 3 4 5; do "$probe" "marker-$i"; done
settle
ok "plain, tls and udp caught up with the store" caught_up plain tls udp

# check.py: compare what rsyslog stored with the store's XML, per app
cat >"$T_DIR/check.py" <<'PY'
import re, sys, subprocess, xml.dom.minidom
raw, vigil, db, app, limit = sys.argv[1:6]
store = {}
out = subprocess.run([vigil, "view", "--store", db, "--format", "xml",
                      "--oldest"], capture_output=True, check=True).stdout
for line in out.decode().splitlines():
    rid = int(re.search(r"<EventRecordID>(\d+)<", line).group(1))
    store[rid] = line
hdr = re.compile(r'^<(\d+)>1 (\S+) (\S+) (\S+) (\d+) (\d+) '
                 r'(\[origin software="vigil" swVersion="[^"]*"\]|-) (.*)$')
got, dups, bad, cut = {}, 0, [], 0
for line in open(raw, encoding="utf-8").read().splitlines():
    m = hdr.match(line)
    if not m:
        bad.append("no RFC 5424 header: " + line[:80]); continue
    if m.group(4) != app:
        continue
    msg = m.group(8)
    rid = int(re.search(r"<EventRecordID>(\d+)<", msg).group(1))
    if len(line.encode()) > int(limit):
        bad.append("record %d: %d bytes > %s" % (rid, len(line.encode()), limit))
    if m.group(1) != "14" or m.group(6) != re.search(r"<EventID>(\d+)<", msg).group(1):
        bad.append("record %d: PRI/MSGID wrong" % rid)
    xml.dom.minidom.parseString(msg)  # well-formed, cut or not
    if rid in got:
        dups += 1
        if got[rid] != msg:
            bad.append("record %d: duplicate differs" % rid)
        continue
    got[rid] = msg
    if msg != store.get(rid):
        if "...</Data>" in msg and len(store.get(rid, "")) > len(msg):
            cut += 1
        else:
            bad.append("record %d differs from the store" % rid)
missing = sorted(set(store) - set(got))
print("store=%d got=%d dups=%d cut=%d missing=%d bad=%d" %
      (len(store), len(got), dups, cut, len(missing), len(bad)))
for b in bad[:5]:
    print("#", b)
if missing:
    print("# missing ids:", missing[:20])
PY
check() { python3 "$T_DIR/check.py" "$rs/out/raw.log" "$VIGIL" "$db" "$@"; }
res=$(check plain 8192)
echo "# plain: $res"
ok "plain TCP: every event arrived, intact" \
	grep -qE '^store=([0-9]+) got=\1 dups=0 cut=1 missing=0 bad=0$' <<<"$res"
res=$(check tlsok 8192)
echo "# tls: $res"
ok "TLS with client certificate: every event arrived, intact" \
	grep -qE '^store=([0-9]+) got=\1 dups=0 cut=1 missing=0 bad=0$' <<<"$res"
res=$(check udp 8192)
echo "# udp: $res"
ok "UDP (lossy, but not here): every event arrived, intact" \
	grep -qE '^store=([0-9]+) got=\1 dups=0 cut=1 missing=0 bad=0$' <<<"$res"
ok "the big record was cut to 8 KiB, one message, valid XML" \
	test "$(grep -c 'marker-big AAAA' "$rs/out/raw.log")" -eq 3
ok "the store keeps the whole big record" \
	test "$("$VIGIL" view --store "$db" --format json --grep marker-big |
		wc -c)" -gt 20000
ok "header: HOSTNAME is the Computer, PROCID the daemon" \
	grep -q "^<14>1 [^ ]* $(hostname) plain $VIGIL_PID 1 " "$rs/out/raw.log"

# --- refused certificates: a clear error, nothing sent
err_u=$(fget untrusted error)
err_w=$(fget wronghost error)
echo "# untrusted: $err_u"
echo "# wronghost: $err_w"
ok "untrusted CA refused with a clear error" grep -q \
	"TLS handshake with localhost:$tport failed: server certificate not accepted: .*\(issuer\|self-signed\)" \
	<<<"$err_u"
ok "wrong host refused with a clear error" grep -q \
	"TLS handshake with 127.0.0.1:$tport failed: server certificate not accepted: .*mismatch" \
	<<<"$err_w"
ok "nothing sent to the refused destinations" \
	test "$(grep -cE '^<[0-9]+>1 \S+ \S+ (untrusted|wronghost) ' \
		"$rs/out/raw.log")" -eq 0
ok "refused destinations are not connected, their cursor is 0" \
	test "$(fget untrusted connected)$(fget untrusted cursor)" == 00
sleep 2.1 # the backlog is counted every 2 s
ok "their backlog is every event of the store" \
	test "$(fget untrusted backlog)" == "$(store_max)"
ok "vigil status shows each destination" eval \
	'"$VIGIL" status --settings "$T_DIR/vigil.conf" >"$T_DIR/st" 2>&1;
	grep -q "plain: tcp://127.0.0.1:$port, connected" "$T_DIR/st" &&
	grep -q "wronghost: tls://127.0.0.1:$tport, not connected" "$T_DIR/st" &&
	grep -q "mismatch" "$T_DIR/st"'
sed 's/^/#   /' "$T_DIR/st"

# --- rsyslog down during a burst: nothing missing afterwards
before=$(store_max)
"$HELPERS/burst" "$N" 4 "$probe" burst >/dev/null &
burst_pid=$!
sleep 1
rsyslog_stop
stopped_at=$(date +%s.%N)
sleep 3
ok "forwarding noticed rsyslog was gone" \
	test "$(fget plain connected)$(fget tls connected)" == 00
ok "rsyslog restarted" rsyslog_start
wait "$burst_pid"
ok "burst of $N processes ran" test $? -eq 0
settle
start=$(date +%s.%N)
ok "plain and tls caught up after the outage" caught_up plain tls
echo "# caught up $(echo "$(date +%s.%N) - $start" | bc) s after the burst"
logged=$(( $(store_max) - before ))
echo "# $logged events logged during the burst"
ok "the burst was logged (>= $((2 * N)) events)" test "$logged" -ge $((2 * N))
for app in plain tlsok; do
	res=$(check "$app" 8192)
	echo "# $app after the outage: $res"
	ok "$app: none missing, duplicates identical" \
		grep -qE '^store=([0-9]+) got=\1 dups=[0-9]+ cut=1 missing=0 bad=0$' \
		<<<"$res"
done
echo "# $SECONDS s"
t_end
