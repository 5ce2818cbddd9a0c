#!/usr/bin/env bash
# Processes in other mount namespaces: after unshare -m + pivot_root, and
# for a binary on a tmpfs only that namespace sees, Image is the path as
# the process sees it, Hashes are the real file's (read through the
# process), and the extra fields say where it runs: HostNamespace false,
# its namespaces, its cgroup and the container id a cgroup names.
. "$(dirname "$0")/lib.sh"
t_begin 18-containers

out=$T_DIR/events.json
nap=$HELPERS/static_nap
sha=$(sha256sum "$nap" | cut -d' ' -f1)
root=$T_DIR/root
priv=$T_DIR/priv
mkdir -p "$root" "$priv"
id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
cg2=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
cg=
if [ -n "$cg2" ]; then
	cg=$cg2/vigil-test-$$/docker-$id.scope
	mkdir -p "$cg"
fi
cleanup_cg() { [ -n "$cg" ] && rmdir "$cg" "$(dirname "$cg")" 2>/dev/null; }

printf 'extra_fields = yes\n' > "$T_DIR/vigil.conf"
vigil_start "$out" --settings "$T_DIR/vigil.conf" --no-store \
	--format json || { cleanup_cg; t_end; }

# A container: an empty tmpfs root with one static binary, pivot_root'ed.
# It naps so that its image can be read through /proc/PID/exe.
unshare -m sh -c '
	mount -t tmpfs vigil-ctr "$1" && mkdir "$1/bin" "$1/old" &&
	cp "$2" "$1/bin/true" && cd "$1" && pivot_root . old &&
	exec /bin/true 700 pivot-marker' sh "$root" "$nap"
# A private tmpfs: the host sees an empty directory at the same path.
unshare -m sh -c '
	mount -t tmpfs vigil-priv "$1" && cp "$2" "$1/probe" &&
	exec "$1/probe" 700 tmpfs-marker' sh "$priv" "$nap"
# A host process in a cgroup named like docker's.
if [ -n "$cg" ]; then
	sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 0 cgroup-marker' \
		sh "$cg" "$nap"
fi
"$nap" 0 host-marker
settle
vigil_stop
cleanup_cg

ev1() {	# ev1 MARK: EventData of the event 1 whose CommandLine ends in MARK
	jq -c --arg m " $1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | endswith($m))) |
		.Event.EventData' "$out" | head -n 1
}
field() { jq -r ".$2" <<<"$1"; }
host_mnt=$(stat -L -c %i /proc/self/ns/mnt)

e=$(ev1 pivot-marker)
is "pivot_root: Image as the process sees it" "$(field "$e" Image)" /bin/true
h=$(field "$e" Hashes)
is "pivot_root: the real file's hash" "${h##*SHA256=}" "$sha"
is "pivot_root: HostNamespace" "$(field "$e" HostNamespace)" false
mnt=$(field "$e" MountNamespace)
ok "pivot_root: its own MountNamespace ($mnt)" \
	test -n "$mnt" -a "$mnt" != "$host_mnt" -a "$mnt" != -

e=$(ev1 tmpfs-marker)
is "private tmpfs: Image" "$(field "$e" Image)" "$priv/probe"
h=$(field "$e" Hashes)
is "private tmpfs: the real file's hash" "${h##*SHA256=}" "$sha"
is "private tmpfs: HostNamespace" "$(field "$e" HostNamespace)" false

e=$(ev1 host-marker)
is "host: HostNamespace" "$(field "$e" HostNamespace)" true
is "host: MountNamespace" "$(field "$e" MountNamespace)" "$host_mnt"
is "host: PidNamespace" "$(field "$e" PidNamespace)" \
	"$(stat -L -c %i /proc/self/ns/pid)"
is "host: NamespaceProcessId is the ProcessId" \
	"$(field "$e" NamespaceProcessId)" "$(field "$e" ProcessId)"
is "host: Cgroup as /proc/self/cgroup shows it" "$(field "$e" Cgroup)" \
	"$(sed -n 's/^0:://p' /proc/self/cgroup)"
is "host: no ContainerId" "$(field "$e" ContainerId)" -

if [ -n "$cg" ]; then
	e=$(ev1 cgroup-marker)
	is "docker-like cgroup: Cgroup" "$(field "$e" Cgroup)" \
		"/vigil-test-$$/docker-$id.scope"
	is "docker-like cgroup: ContainerId" "$(field "$e" ContainerId)" "$id"
fi
t_end
