#!/usr/bin/env bash
# Record the golden scenarios from the real kernel (root) and write what
# this build decodes them to: `make golden-record`, which then refreshes
# the fuzzer seeds made from the recordings.  With -n (`make
# golden-expected`, no root) only decode the committed recordings again.
# Review the diff of the .expected files before committing: they are what
# the replay asserts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/${OUT:-.build}
record=$out/tests/helpers/wire_record
decode=$out/tests/golden_decode
is_decode_only=0
[ "${1:-}" = -n ] && is_decode_only=1
if [ "$is_decode_only" = 0 ] && [ "$(id -u)" -ne 0 ]; then
	echo "record.sh: needs root (loads the BPF sensor); -n only decodes" >&2
	exit 1
fi

# one NAME COMMAND...: record NAME.wire, decode it to NAME.expected
one() {
	local name=$1; shift
	[ "$is_decode_only" = 1 ] || "$record" "$here/$name.wire" "$@"
	"$decode" "$here/$name.wire" > "$here/$name.expected"
	echo "$name: $(grep -c '^record' "$here/$name.expected") records," \
		"$(grep -c '^record.*: event' "$here/$name.expected") events"
}

# process: a shell that execs with arguments, forks a subshell that never
# execs, forks one that execs and exits with a code, changes directory
# and execs there, and exits.  Only absolute /bin paths, so the records do
# not depend on PATH.
one process /bin/sh -c '/bin/true one "two words"
( : )
( /bin/echo three > /dev/null; exit 4 )
cd /tmp && /bin/sh -c "exit 5"
exit 3'

# network: a TCP connection (connect and accept in one process) and a UDP
# exchange between two, over loopback; event 3 on both ends.
helpers=$out/tests/helpers
one network /bin/sh -c "$helpers/nettool loop 1 > /dev/null
rm -f /tmp/vigil-golden-udp.port
$helpers/nettool udp-recv 127.0.0.1 /tmp/vigil-golden-udp.port 1 > /dev/null &
while [ ! -s /tmp/vigil-golden-udp.port ]; do :; done
$helpers/nettool udp-send 127.0.0.1 \$(cat /tmp/vigil-golden-udp.port) 1 > /dev/null
wait
rm -f /tmp/vigil-golden-udp.port"

# files: a file created, overwritten, renamed, linked, unlinked; a FIFO
# made and removed; times set to a given value; a folder removed.  One
# fixed folder, so paths do not vary between recordings.
one files /bin/sh -c 'd=/tmp/vigil-golden-files
/bin/mkdir $d && cd $d
echo one > created
: > created
/bin/mv created renamed
/bin/ln renamed linked
/usr/bin/mkfifo fifo
/usr/bin/touch -d 2001-01-01 renamed
/bin/rm linked fifo renamed
cd / && /bin/rmdir $d'

# integrity: a helper reads and writes a forked target every way events
# 10 and 8 cover, a copy of /bin/true runs from a memfd (25), a BPF socket
# filter is loaded (100), and every exec maps libraries (7).
one integrity /bin/sh -c "'$helpers/inject' vm-read vm-write poke mem-read \
mem-write > /dev/null
'$helpers/fileless' memfd /bin/true
'$helpers/bpfload' > /dev/null"
