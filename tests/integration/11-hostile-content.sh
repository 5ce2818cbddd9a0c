#!/usr/bin/env bash
# Hostile command lines (markup, quotes, CR/LF, tabs, control bytes,
# invalid UTF-8, 100 KB of arguments) render as well-formed XML and valid
# JSON, checked by real parsers, and never split one event into two lines.
. "$(dirname "$0")/lib.sh"
t_begin 11-hostile-content

probe=$T_DIR/vigil-hostile-$$
cp /bin/true "$probe"
big=$(head -c 100000 /dev/zero | tr '\0' A)
run_hostile() {
	"$probe" '<a&b>' "\"dq\" 'sq' ]]> <!--" $'cr\rlf\nlf' $'tab\there' \
		$'\x01\x02\x1b[31m\x7f' $'\xff\xfe\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80' \
		'€ 한국어' "$big"
}

for fmt in xml json; do
	out=$T_DIR/events.$fmt
	vigil_start "$out" --no-store --format "$fmt" || t_end
	run_hostile
	settle
	vigil_stop
	lines=$(wc -l < "$out")
	if [ "$fmt" == xml ]; then
		starts=$(grep -c '^<Event><System>' "$out")
		ends=$(grep -c '</Event>$' "$out")
		is "xml: every line is one whole event" "$starts/$ends" \
			"$lines/$lines"
		{ echo '<all>'; cat "$out"; echo '</all>'; } > "$T_DIR/all.xml"
		ok "xml: xmllint accepts every event" \
			xmllint --noout "$T_DIR/all.xml"
		ok "xml: markup is escaped" grep -q '&lt;a&amp;b&gt;' "$out"
		ok "xml: CR and LF are character references" \
			grep -q 'cr&#13;lf&#10;lf' "$out"
		n=$(grep -c "vigil-hostile-$$ &lt;a&amp;b" "$out")
		is "xml: the hostile process is logged once" "$n" 1
	else
		ok "json: every line parses" jq -e . "$out" > /dev/null
		is "json: one object per line" "$(jq -c . "$out" | wc -l)" \
			"$lines"
		cmd=$(jq -r --arg p "$probe" 'select(.Event.System.EventID == 1
			and .Event.EventData.Image == $p) |
			.Event.EventData.CommandLine' "$out")
		ok "json: markup kept" grep -qF '<a&b>' <<<"$cmd"
		ok "json: quotes kept" grep -qF "\"dq\" 'sq'" <<<"$cmd"
		ok "json: CR/LF kept as characters" \
			grep -q $'cr\rlf' <<<"$cmd"
		ok "json: valid UTF-8 kept" grep -qF '€ 한국어' <<<"$cmd"
		ok "json: truncation marked" grep -Eq \
			'AAAA\.\.\.\[truncated: [0-9]+ bytes\]$' <<<"$cmd"
		len=${#cmd}
		ok "json: command line bounded ($len chars)" \
			test "$len" -gt 60000 -a "$len" -lt 70000
	fi
done
t_end
