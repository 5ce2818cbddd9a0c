#!/usr/bin/env bash
# Event 7 ImageLoad: python's dlopen of a library (ctypes) and the
# loader's libraries, hashes, the signature fields, and the kernel-side
# skip of files the rules drop for every process.  Also: without an
# ImageLoad rule the mmap hook is not attached at all.
. "$(dirname "$0")/lib.sh"
t_begin 46-image-load

out=$T_DIR/events.json
lib=$T_DIR/libvigil-probe.so
cp "$(ldconfig -p | sed -n 's/.*libz.so.1 .*=> //p' | head -n 1)" "$lib"
libc=$(ldconfig -p | sed -n 's/.*libc.so.6 .*=> //p' | head -n 1)
libc=$(readlink -f "$libc")
cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <HashAlgorithms>sha256</HashAlgorithms>
  <EventFiltering>
    <ImageLoad onmatch="exclude">
      <ImageLoaded condition="is">$libc</ImageLoaded>
    </ImageLoad>
  </EventFiltering>
</Sysmon>
XML

# hooks PID: the tracepoints the process has programs on
hooks() { bpftool perf list -j | jq -r --argjson p "$1" \
	'.[] | select(.pid == $p) | .tracepoint'; }

vigil_start "$out" --no-store --format json "$T_DIR/config.xml" || t_end
ok "ImageLoad wanted: the mmap hook is attached" \
	grep -qx sys_enter_mmap <<<"$(hooks "$VIGIL_PID")"
python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' "$lib"
/bin/true
/bin/true
settle
skips=$(status_get image_skips)
vigil_stop
is "the daemon exits cleanly" "$VIGIL_STATUS" 0

e=$(jq -c --arg l "$lib" 'select(.Event.System.EventID == 7 and
	.Event.EventData.ImageLoaded == $l) | .Event.EventData' "$out" |
	head -n 1)
field() { jq -r ".$2" <<<"$1"; }
ok "dlopen from python is event 7" test -n "$e"
ok "Image is python" grep -q python <<<"$(field "$e" Image)"
is "Hashes" "$(field "$e" Hashes)" \
	"SHA256=$(sha256sum "$lib" | cut -d' ' -f1)"
is "Signed" "$(field "$e" Signed)" false
is "SignatureStatus" "$(field "$e" SignatureStatus)" Unavailable
is "Signature" "$(field "$e" Signature)" "-"
is "FileVersion" "$(field "$e" FileVersion)" "-"
is "User" "$(field "$e" User)" root
guid=$(field "$e" ProcessGuid)
ok "ProcessGuid joins the python's event 1" test -n "$(jq -c --arg g "$guid" \
	'select(.Event.System.EventID == 1 and
	.Event.EventData.ProcessGuid == $g)' "$out")"
ok "the loader's libraries are reported (libz's own deps or python's)" \
	test "$(jq -c 'select(.Event.System.EventID == 7)' "$out" |
		wc -l)" -ge 2
is "the excluded libc is never logged" "$(jq -c --arg l "$libc" \
	'select(.Event.System.EventID == 7 and
	.Event.EventData.ImageLoaded == $l)' "$out" | wc -l)" 0
ok "and the kernel skips it from then on (status image_skips)" \
	test "${skips:-0}" -ge 1

# Without an ImageLoad rule, nothing hooks mmap.
cat > "$T_DIR/none.xml" <<XML
<Sysmon schemaversion="4.90"><EventFiltering>
  <ProcessAccess onmatch="exclude"/>
</EventFiltering></Sysmon>
XML
vigil_start "$T_DIR/none.json" --no-store --format json "$T_DIR/none.xml" ||
	t_end
h=$(hooks "$VIGIL_PID")
ok "ImageLoad not wanted: mmap is not hooked" \
	test -z "$(grep -x sys_enter_mmap <<<"$h")"
ok "while ptrace is" grep -qx sys_enter_ptrace <<<"$h"
vigil_stop
t_end
