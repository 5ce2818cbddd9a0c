#!/usr/bin/env bash
# File events on the real kernel with real tools: FileCreate (11) for new
# and overwritten files but not for an existing file opened with O_CREAT,
# renames, links, relative and dirfd-relative names, hostile names,
# openat2 and io_uring; timestomping (2); executables written (29);
# named pipes (17/18); a raw read of a loop device (9).
. "$(dirname "$0")/lib.sh"
t_begin 35-files

out=$T_DIR/events.json
d=$T_DIR/files
mkdir -p "$d/sub" "$d/viafd"
loop=
cleanup_loop() { [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null; loop=; }

# Files that exist before the daemon starts.
echo old > "$d/existing"
echo old > "$d/stamped"
printf '#!/bin/sh\necho old\n' > "$d/old-script"
dd if=/dev/zero of="$T_DIR/disk.img" bs=1M count=2 status=none
loop=$(losetup -f --show "$T_DIR/disk.img") || loop=
dev=$loop

cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <HashAlgorithms>SHA256</HashAlgorithms>
  <EventFiltering>
    <FileCreate onmatch="include">
      <TargetFilename condition="begin with">$d/</TargetFilename>
    </FileCreate>
    <FileCreateTime onmatch="include">
      <TargetFilename condition="begin with">$d/</TargetFilename>
    </FileCreateTime>
    <FileExecutableDetected onmatch="include">
      <TargetFilename condition="begin with">$d/</TargetFilename>
    </FileExecutableDetected>
    <PipeEvent onmatch="include">
      <PipeName condition="begin with">$d/</PipeName>
    </PipeEvent>
    <RawAccessRead onmatch="include">
      <Device condition="is">${loop:-/dev/none}</Device>
    </RawAccessRead>
  </EventFiltering>
</Sysmon>
XML

vigil_start "$out" --no-store --format json "$T_DIR/config.xml" ||
	{ cleanup_loop; t_end; }

# 11: created, overwritten; and the negative cases.
echo one > "$d/created"
touch "$d/existing"	# O_CREAT, no O_TRUNC: no event
echo more >> "$d/existing"	# O_APPEND|O_CREAT: no event
python3 -c "import os; os.close(os.open('$d/existing', os.O_WRONLY | os.O_CREAT))"
echo new > "$d/overwritten-later"
: > "$d/existing"	# O_TRUNC on an existing file: overwritten
cp /bin/true "$d/copied-elf"
mv "$d/created" "$d/renamed"
ln "$d/renamed" "$d/hardlink"
ln -s renamed "$d/symlink"
python3 -c "import os; os.mknod('$d/mknod-file')"
(cd "$d/sub" && python3 -c "import os; os.close(os.open('./rel', os.O_WRONLY | os.O_CREAT))" &&
	ln -s rel ./lnk)
python3 -c "
import os
fd = os.open('$d/viafd', os.O_RDONLY)
os.close(os.open('byfd', os.O_WRONLY | os.O_CREAT, dir_fd=fd))"
hostile=$(printf '%s/we"ird\nname\001<x>&' "$d")
echo x > "$hostile"
"$HELPERS/file_ops" openat2 "$d" by-openat2
"$HELPERS/file_ops" uring-open "$d" by-uring
"$HELPERS/file_ops" uring-unlink "$d" by-uring

# 29: an ELF copied (above), a script given the exec bit; not: data given
# the exec bit, a script that predates the daemon given it.
printf '#!/bin/sh\necho hi\n' > "$d/script.sh"
chmod +x "$d/script.sh"
echo data > "$d/data.txt"
chmod +x "$d/data.txt"
chmod +x "$d/old-script"

# 2: touch -d and touch -r set given times; plain touch sets "now".
prev_ns=$(stat -c %.9Y "$d/stamped")
touch -d 2001-01-01 "$d/stamped"
touch "$d/renamed"
touch -r /bin/true "$d/copied-elf"

# 17/18
mkfifo "$d/fifo"
cat "$d/fifo" > /dev/null &
reader=$!
echo hello > "$d/fifo"
wait "$reader"

# 9: a raw read of the loop device; a write-only open is no read.
[ -n "$loop" ] && dd if="$loop" of=/dev/null bs=4k count=1 status=none

# Outside the folder the rules include: kept back in the kernel (the
# close of a written file long enough to be an executable, or the kernel
# sends no record for it to keep back).
echo "a file outside the folder the rules include" > "$T_DIR/outside"

settle
# The status file is rewritten every second: wait for the count to show.
for _ in $(seq 1 20); do
	filtered=$(status_get file_filtered)
	[ "${filtered:-0}" -gt 0 ] && break
	sleep 0.25
done
vigil_stop
cleanup_loop
is "the daemon exits cleanly" "$VIGIL_STATUS" 0
ok "no error in the daemon log" test -z "$(grep -iE 'error|sanitizer|leak' \
	"$T_DIR/vigil.log")"
is_json() { jq -e . "$out" > /dev/null; }
ok "every line is JSON" is_json
ok "the kernel prefilter kept files outside the rules back" \
	test "${filtered:-0}" -gt 0
is "  and nothing of them was logged" "$(jq -r --arg p "$T_DIR/outside" \
	'select(.Event.EventData.TargetFilename == $p) | 1' "$out" | wc -l)" 0

# ev ID PATH [FIELD]: the events ID whose path field is PATH, one per line.
ev() {
	local f=${3:-TargetFilename}
	jq -c --argjson id "$1" --arg p "$2" --arg f "$f" \
		'select(.Event.System.EventID == $id and
		.Event.EventData[$f] == $p) | .Event.EventData' "$out"
}
n() { ev "$@" | wc -l; }
field() { jq -r ".$2" <<<"$1"; }
ms() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S.%3N'; }

e=$(ev 11 "$d/renamed" | head -n 1)
ok "11 for a name brought by mv" test -n "$e"
is "  Image" "$(field "$e" Image)" /usr/bin/mv
e=$(ev 11 "$d/created")
is "11 for a new file: one event" "$(wc -l <<<"$e")" 1
is "  Image" "$(field "$e" Image)" "$(readlink -f /bin/bash)"
is "  User" "$(field "$e" User)" root
is "  CreationUtcTime is the event's time" "$(field "$e" CreationUtcTime)" \
	"$(field "$e" UtcTime)"
ok "  ProcessGuid" grep -Eq '^\{[0-9a-f-]{36}\}$' <<<"$(field "$e" ProcessGuid)"
is "existing file: touch, >>, O_CREAT without O_TRUNC log nothing, > does" \
	"$(n 11 "$d/existing")" 1
e=$(ev 11 "$d/existing")
ok "  overwritten: CreationUtcTime is the older birth time" \
	test "$(field "$e" CreationUtcTime)" \< "$(field "$e" UtcTime)"
is "11 by cp" "$(ev 11 "$d/copied-elf" | jq -r .Image)" /usr/bin/cp
is "11 by ln" "$(ev 11 "$d/hardlink" | jq -r .Image)" /usr/bin/ln
is "11 by ln -s" "$(ev 11 "$d/symlink" | jq -r .Image)" /usr/bin/ln
is "11 by mknod" "$(n 11 "$d/mknod-file")" 1
is "11 by an open relative to the cwd: resolved" "$(n 11 "$d/sub/rel")" 1
is "11 by a name relative to the cwd: as named" "$(n 11 "$d/sub/./lnk")" 1
is "11 relative to a directory fd" "$(n 11 "$d/viafd/byfd")" 1
is "11 by openat2" "$(n 11 "$d/by-openat2")" 1
is "11 by io_uring OPENAT" "$(n 11 "$d/by-uring")" 1
is "11 for a hostile name, bytes kept" "$(n 11 "$hostile")" 1
ok "io_uring UNLINKAT reported as a blind spot (255)" test -n "$(jq -r \
	--arg p "$d/by-uring" 'select(.Event.System.EventID == 255 and
	.Event.EventData.ID == "IoUringNotLogged" and
	(.Event.EventData.Description | contains("IORING_OP_UNLINKAT") and
	contains($p))) | 1' "$out")"

sha() { echo "SHA256=$(sha256sum "$1" | cut -d' ' -f1)"; }
e=$(ev 29 "$d/copied-elf")
is "29 for a copied ELF: Hashes" "$(field "$e" Hashes)" "$(sha /bin/true)"
is "  Image" "$(field "$e" Image)" /usr/bin/cp
is "29 for a script given the exec bit" "$(ev 29 "$d/script.sh" |
	jq -r .Hashes)" "$(sha "$d/script.sh")"
is "no 29 for data given the exec bit" "$(n 29 "$d/data.txt")" 0
is "no 29 for an old script given the exec bit" "$(n 29 "$d/old-script")" 0
is "no 29 for a file that is no executable" "$(n 29 "$d/existing")" 0

e=$(ev 2 "$d/stamped")
is "2 for touch -d: CreationUtcTime" "$(field "$e" CreationUtcTime)" \
	"2001-01-01 00:00:00.000"
is "  PreviousCreationUtcTime the mtime it replaced" \
	"$(field "$e" PreviousCreationUtcTime)" "$(ms "$prev_ns")"
is "  Image" "$(field "$e" Image)" /usr/bin/touch
is "2 for touch -r" "$(ev 2 "$d/copied-elf" | jq -r .CreationUtcTime)" \
	"$(ms "$(stat -c %.9Y /bin/true)")"
is "no 2 for a plain touch" "$(n 2 "$d/renamed")" 0

e=$(ev 17 "$d/fifo" PipeName)
is "17 CreatePipe by mkfifo" "$(field "$e" EventType)/$(field "$e" Image)" \
	"CreatePipe/$(readlink -f "$(command -v mkfifo)")"
is "18 ConnectPipe for both ends" "$(ev 18 "$d/fifo" PipeName |
	jq -r .EventType | sort | uniq -c | awk '{print $1, $2}')" \
	"2 ConnectPipe"

ok "a loop device to read" test -n "$dev"
if [ -n "$dev" ]; then
	e=$(jq -c 'select(.Event.System.EventID == 9) | .Event.EventData' \
		"$out" | head -n 1)
	is "9 for dd reading the loop device: Image" \
		"$(field "$e" Image)" "$(readlink -f "$(command -v dd)")"
	is "  Device" "$(field "$e" Device)" "$dev"
fi
t_end
