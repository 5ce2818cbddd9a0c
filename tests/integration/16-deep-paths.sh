#!/usr/bin/env bash
# Paths of any depth up to PATH_MAX come out whole, with their hash; a
# longer one keeps its leaf end and starts "+"; mounts are crossed; files
# no path names get the name /proc/PID/exe shows: "/memfd:NAME (deleted)",
# "PATH (deleted)", never "/".  And the path walk stays cheap for the
# verifier.
. "$(dirname "$0")/lib.sh"
t_begin 16-deep-paths

out=$T_DIR/events.json
sha() { sha256sum "$1" | cut -d' ' -f1; }

# 60 levels: past the 40 components the walk used to stop at.
deep=$T_DIR/deep
for i in $(seq -w 1 60); do deep+=/level-$i; done
mkdir -p "$deep"
cp /bin/true "$deep/probe"

# Just under PATH_MAX (4096 bytes with the NUL): 4095 characters.
near=$T_DIR/near
while [ $((${#near} + 101)) -le 4080 ]; do
	near+=/$(printf 'n%.0s' $(seq 1 100))
done
pad=$((4095 - ${#near} - 7))	# "/" + name of pad chars + "/probe"
near+=/$(printf 'p%.0s' $(seq 1 "$pad"))
mkdir -p "$near"
cp /bin/true "$near/probe"
near_exe=$near/probe

# Past PATH_MAX: only reachable step by step (python chdirs then execs).
far_rel=
for _ in $(seq 1 45); do far_rel+=$(printf 'f%.0s' $(seq 1 100))/; done
far_rel+=leaf-dir
run_far() {	# create T_DIR/far/$far_rel and run ./probe there
	python3 - "$T_DIR/far" "$far_rel" <<'EOF'
import os, shutil, sys
os.makedirs(sys.argv[1], exist_ok=True)
os.chdir(sys.argv[1])
for part in sys.argv[2].split("/"):
    os.makedirs(part, exist_ok=True)
    os.chdir(part)
shutil.copy("/bin/true", "probe")
pid = os.fork()
if pid == 0:
    os.execv("./probe", ["./probe", "far-marker"])
os.waitpid(pid, 0)
EOF
}

mnt=$T_DIR/mnt
mkdir -p "$mnt"
mount -t tmpfs vigil-test "$mnt"
cp /bin/true "$mnt/probe"
cleanup_mnt() { umount "$mnt" 2>/dev/null; }

doomed=$T_DIR/doomed-probe
cp /bin/true "$doomed"

vigil_start "$out" --no-store --format json || { cleanup_mnt; t_end; }
(cd "$deep" && ./probe deep-marker)
(cd "$near" && "$near_exe" near-marker)
run_far
"$mnt/probe" mount-marker
"$HELPERS/fexec" memfd "vigil-memfd-$$" /bin/true memfd-child
"$HELPERS/fexec" deleted "$doomed" deleted-child
settle
vigil_stop
cleanup_mnt

ev1() {	# ev1 MARK: EventData of the event 1 whose CommandLine has MARK
	jq -c --arg m "$1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | contains($m))) |
		.Event.EventData' "$out" | head -n 1
}
field() { jq -r ".$2" <<<"$1"; }
ev1_cmd() {	# ev1_cmd CMD: EventData of the event 1 whose CommandLine is CMD
	jq -c --arg m "$1" 'select(.Event.System.EventID == 1 and
		.Event.EventData.CommandLine == $m) | .Event.EventData' "$out" |
		head -n 1
}

e=$(ev1 deep-marker)
is "60 levels: Image is the whole path" "$(field "$e" Image)" "$deep/probe"
is "60 levels: CurrentDirectory too" "$(field "$e" CurrentDirectory)" "$deep"
h=$(field "$e" Hashes)
is "60 levels: hash of the file" "${h##*SHA256=}" "$(sha "$deep/probe")"

e=$(ev1 near-marker)
img=$(field "$e" Image)
is "4095 characters: Image is whole (${#img} chars)" "$img" "$near_exe"
is "4095 characters: CurrentDirectory too" \
	"$(field "$e" CurrentDirectory)" "$near"
h=$(field "$e" Hashes)
is "4095 characters: hash of the file" "${h##*SHA256=}" "$(sha "$near_exe")"

e=$(ev1 far-marker)
img=$(field "$e" Image)
ok "past PATH_MAX: Image starts with \"+/\" (${#img} chars)" \
	test "${img:0:2}" == "+/"
ok "past PATH_MAX: the leaf end is kept" \
	test "${img: -15}" == "/leaf-dir/probe"
ok "past PATH_MAX: at most PATH_MAX plus a name" \
	test "${#img}" -le $((4096 + 256 + 1))

e=$(ev1 mount-marker)
is "across a mount: Image" "$(field "$e" Image)" "$mnt/probe"

e=$(ev1_cmd memfd-child)
is "memfd exec: Image as /proc/PID/exe shows it" "$(field "$e" Image)" \
	"/memfd:vigil-memfd-$$ (deleted)"

e=$(ev1_cmd deleted-child)
is "deleted file exec: Image" "$(field "$e" Image)" "$doomed (deleted)"

ok "no Image is \"/\"" test -z "$(jq -r 'select(.Event.EventData.Image ==
	"/") | 1' "$out")"

# The verifier's cost of the walk: one batch of passes per program, not
# one per pass per call site (bpf/README.md).
stats=$("$HELPERS/bpf_verify" "$(dirname "$VIGIL")/sensor.bpf.o")
insns=$(sed -n 's/^on_sched_process_exec insns=\([0-9]*\).*/\1/p' <<<"$stats")
ok "exec program verified in under 100000 instructions (${insns:-?})" \
	test "${insns:-1000000}" -lt 100000
t_end
