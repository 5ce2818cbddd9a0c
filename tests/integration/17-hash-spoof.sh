#!/usr/bin/env bash
# The hash-spoof loop: one file rewritten with true's and false's bytes in
# turn (in place, same inode, and now and then replaced by rename) and
# executed after each write.  Every event 1 of that image must carry the
# hashes of the bytes that ran at that exec, or the documented marker
# "-(changed since exec)" (docs/guarantees.md, "Hashes"): never the other
# binary's hashes, nor an empty file's.  Some iterations pause before the
# next write, so the daemon can hash them: those must be exact.
. "$(dirname "$0")/lib.sh"
t_begin 17-hash-spoof

out=$T_DIR/events.json
x=$T_DIR/spoof-x
runs=$T_DIR/runs	# "i true|false" per exec: the bytes that ran
n=300 pause_every=30
marker='-(changed since exec)'

hashes_of() {	# hashes_of FILE: Sysmon's Hashes text for sha1,md5,sha256
	printf 'SHA1=%s,MD5=%s,SHA256=%s' "$(sha1sum <"$1" | cut -d' ' -f1)" \
		"$(md5sum <"$1" | cut -d' ' -f1)" \
		"$(sha256sum <"$1" | cut -d' ' -f1)"
}
declare -A want=([true]=$(hashes_of /usr/bin/true)
	[false]=$(hashes_of /usr/bin/false))
empty=$(hashes_of /dev/null)
ok "true and false differ in their bytes" \
	test "${want[true]}" != "${want[false]}"

vigil_start "$out" --no-store --format json || t_end
: >"$runs"
for ((i = 0; i < n; i++)); do
	w=true
	((i % 2)) && w=false
	if ((i % 7 == 3)); then	# replaced: a new inode under the same path
		cat "/usr/bin/$w" >"$x.new" && chmod +x "$x.new" && mv "$x.new" "$x"
	else			# rewritten: the same inode, same size
		cat "/usr/bin/$w" >"$x"
	fi
	chmod +x "$x"
	echo "$i $w" >>"$runs"
	"$x" "spoof-$i"
	((i % pause_every == pause_every - 1)) && sleep 0.3
done
settle
vigil_stop

# "i<TAB>Hashes" of every event 1 of the spoofed image.
jq -r --arg p "$x" 'select(.Event.System.EventID == 1 and
	.Event.EventData.Image == $p) | .Event.EventData |
	"\(.CommandLine | sub(".*spoof-"; ""))\t\(.Hashes)"' "$out" \
	>"$T_DIR/got"
declare -A ran
while read -r i w; do ran[$i]=$w; done <"$runs"
exact=0 marked=0 wrong=0 paused_exact=0 paused=0
while IFS=$'\t' read -r i h; do
	w=${ran[$i]:-?}
	if [ "$h" == "${want[$w]:-}" ]; then
		exact=$((exact + 1))
	elif [ "$h" == "$marker" ]; then
		marked=$((marked + 1))
	else
		wrong=$((wrong + 1))
		kind="neither binary's hashes"
		[ "$h" == "-" ] && kind="no hashes and no marker"
		[ "$h" == "$empty" ] && kind="an empty file's hashes"
		[ "$w" != "?" ] && [ "$h" == "${want[$([ "$w" == true ] &&
			echo false || echo true)]}" ] && kind="the other binary's hashes"
		echo "# exec $i ran $w, got $kind: $h"
	fi
	if ((i % pause_every == pause_every - 1)); then
		paused=$((paused + 1))
		[ "$h" == "${want[$w]:-}" ] && paused_exact=$((paused_exact + 1))
	fi
done <"$T_DIR/got"
echo "# $n execs: $exact exact hashes, $marked marked, $wrong wrong"
is "one event 1 per exec" "$(wc -l <"$T_DIR/got")" "$n"
is "no event has another file's hashes" "$wrong" 0
is "every event is exact or marked" "$((exact + marked))" "$n"
is "the execs the daemon had time to hash are exact" "$paused_exact" \
	"$((n / pause_every))"
t_end
