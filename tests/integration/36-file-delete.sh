#!/usr/bin/env bash
# Deletions: the rule tags decide between FileDelete (23, archived) and
# FileDeleteDetected (26); an archived file is byte-identical in the
# root-only ArchiveDirectory, named after its hash; Hashes and
# IsExecutable; rmdir and unlinkat with a directory fd; and how many of
# 1,000 small executables deleted right after their creation are archived.
. "$(dirname "$0")/lib.sh"
t_begin 36-file-delete

out=$T_DIR/events.json
d=$T_DIR/del
arch=$T_DIR/archive
mkdir -p "$d/many" "$d/gone-dir" "$d/fd-dir"
echo "made before the daemon" > "$d/keep-preexisting"

cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <HashAlgorithms>SHA256</HashAlgorithms>
  <ArchiveDirectory>$arch</ArchiveDirectory>
  <EventFiltering>
    <FileDelete onmatch="include">
      <TargetFilename condition="begin with">$d/keep</TargetFilename>
      <TargetFilename condition="begin with">$d/many/</TargetFilename>
    </FileDelete>
    <FileDeleteDetected onmatch="include">
      <TargetFilename condition="begin with">$d/</TargetFilename>
    </FileDeleteDetected>
  </EventFiltering>
</Sysmon>
XML

vigil_start "$out" --no-store --format json "$T_DIR/config.xml" || t_end

printf '#!/bin/sh\necho keep me\n' > "$d/keep-script.sh"
chmod +x "$d/keep-script.sh"
head -c 100000 /dev/urandom > "$d/keep-data.bin"
cp "$d/keep-script.sh" "$d/keep-data.bin" "$T_DIR/"
echo "only logged" > "$d/other.txt"
cp /bin/true "$d/other-elf"
settle	# the daemon holds what it saw created
rm "$d/keep-script.sh" "$d/keep-data.bin" "$d/other.txt" "$d/other-elf" \
	"$d/keep-preexisting"
rmdir "$d/gone-dir"
echo x > "$d/fd-dir/byfd"
python3 -c "
import os
fd = os.open('$d/fd-dir', os.O_RDONLY)
os.unlink('byfd', dir_fd=fd)"

# 1,000 small executables, deleted as soon as all are written; then
# 1,000 more, each deleted by its writer right after its close (no fork
# in between: the hardest case for the daemon's race).
for i in $(seq 1 1000); do
	printf '#!/bin/sh\necho %d\n' "$i" > "$d/many/x$i"
done
chmod +x "$d/many"/x*
rm -f "$d/many"/x*
python3 -c "
import os
for i in range(1000):
    p = '$d/many/y%d' % i
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)
    os.write(fd, b'#!/bin/sh\\necho %d\\n' % i)
    os.close(fd)
    os.unlink(p)"

settle
vigil_stop
is "the daemon exits cleanly" "$VIGIL_STATUS" 0
ok "no error in the daemon log" test -z "$(grep -iE 'error|sanitizer|leak' \
	"$T_DIR/vigil.log")"

ev() {
	jq -c --argjson id "$1" --arg p "$2" 'select(.Event.System.EventID ==
		$id and .Event.EventData.TargetFilename == $p) |
		.Event.EventData' "$out"
}
n() { ev "$@" | wc -l; }
field() { jq -r ".$2" <<<"$1"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

e=$(ev 23 "$d/keep-script.sh")
ok "23 for a file the FileDelete rules include" test -n "$e"
is "  Image" "$(field "$e" Image)" "$(readlink -f "$(command -v rm)")"
is "  User" "$(field "$e" User)" root
is "  Hashes" "$(field "$e" Hashes)" "SHA256=$(sha "$T_DIR/keep-script.sh")"
is "  IsExecutable" "$(field "$e" IsExecutable)" true
is "  Archived" "$(field "$e" Archived)" true
a=$arch/SHA256=$(sha "$T_DIR/keep-script.sh").sh
ok "  archived under its hash, byte-identical" cmp -s "$a" \
	"$T_DIR/keep-script.sh"
e=$(ev 23 "$d/keep-data.bin")
is "23 for 100 kB of data: IsExecutable" "$(field "$e" IsExecutable)" false
is "  Archived" "$(field "$e" Archived)" true
ok "  byte-identical in the archive" cmp -s \
	"$arch/SHA256=$(sha "$T_DIR/keep-data.bin").bin" "$T_DIR/keep-data.bin"
is "the archive folder is root's alone" "$(stat -c '%U %a' "$arch")" "root 700"
is "an archived file is read-only, root's" "$(stat -c '%U %a' "$a")" "root 400"
e=$(ev 23 "$d/keep-preexisting")
is "23 for a file made before the daemon: not archived" \
	"$(field "$e" Archived)/$(field "$e" Hashes)" "false/-"

e=$(ev 26 "$d/other.txt")
ok "26 for a deletion only FileDeleteDetected includes" test -n "$e"
is "  no 23 for it" "$(n 23 "$d/other.txt")" 0
is "  Hashes" "$(field "$e" Hashes)" "SHA256=$(echo "only logged" |
	sha256sum | cut -d' ' -f1)"
is "  IsExecutable false" "$(field "$e" IsExecutable)" false
is "  no Archived field" "$(field "$e" Archived)" null
is "26 for an ELF: IsExecutable" "$(ev 26 "$d/other-elf" |
	jq -r .IsExecutable)" true
is "26 for rmdir" "$(n 26 "$d/gone-dir")" 1
is "26 for unlinkat with a directory fd" "$(n 26 "$d/fd-dir/byfd")" 1

many() {	# many PREFIX: events 23 and how many archived, under many/PREFIX
	jq -r --arg p "$d/many/$1" 'select(.Event.System.EventID == 23 and
		(.Event.EventData.TargetFilename | startswith($p))) |
		.Event.EventData.Archived' "$out" |
		awk '{n++; a += $1 == "true"} END {print n + 0, a + 0}'
}
read -r total archived <<<"$(many x)"
is "1,000 executables deleted: 1,000 events 23" "$total" 1000
echo "# written, then all deleted: $archived of 1000 archived"
ok "  most of them archived" test "$archived" -ge 500
read -r total archived <<<"$(many y)"
is "1,000 deleted by their writer at once: 1,000 events 23" "$total" 1000
echo "# each deleted right after its close: $archived of 1000 archived" \
	"(a file gone before the daemon opened it cannot be)"
t_end
