#!/usr/bin/env bash
# Bytes an attacker chooses cannot make two things look the same, or hide:
# a file named with the bytes FF FE and one literally named '\xff\xfe'
# render differently in XML, JSON and text, their exact bytes come back
# from the JSON and from the store, rules see the raw bytes (in the daemon
# and in `vigil filter`), and C1/bidi controls in a command line are
# escaped in every output.
. "$(dirname "$0")/lib.sh"
t_begin 21-encoding

dir=$T_DIR/b
mkdir -p "$dir"
raw=$dir/$'\xff\xfe'  # two bytes, not UTF-8
lit=$dir/'\xff\xfe'   # eight characters
cp /bin/true "$raw"
cp /bin/true "$lit"
ctl=$T_DIR/vigil-ctl-$$
cp /bin/true "$ctl"
db=$T_DIR/events.db
cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.91">
  <EventFiltering>
    <ProcessCreate onmatch="include">
      <Image name="lit" condition="end with">/b/\xff\xfe</Image>
      <Image name="dir" condition="contains">$T_DIR/</Image>
    </ProcessCreate>
  </EventFiltering>
</Sysmon>
XML
# Only the literal name: a filter over recorded events.
sed '/name="dir"/d' "$T_DIR/config.xml" > "$T_DIR/lit.xml"

vigil_start "$T_DIR/out.txt" --format text --jsonl "$T_DIR/ev.jsonl" \
	--store "$db" "$T_DIR/config.xml" || t_end
"$raw" raw-run
"$lit" lit-run
"$ctl" $'csi\xc2\x9b31m' $'osc\xc2\x9d0;x\x07' $'nel\xc2\x85' \
	$'rlo\xe2\x80\xaeevil' $'lri\xe2\x81\xa6x' $'lrm\xe2\x80\x8e'
settle
vigil_stop

# decode FILE MARK: the Image of the event 1 whose CommandLine ends in
# MARK, from vigil's JSON, decoded to bytes, as hex.
decode() {
	python3 - "$1" "$2" <<'PY'
import json, re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    e = json.loads(line)["Event"]
    d = e["EventData"]
    if e["System"]["EventID"] == 1 and d["CommandLine"].endswith(sys.argv[2]):
        v = d["Image"].encode("utf-8")
        v = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), v)
        print(v.hex())
        break
PY
}
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

jraw=$(jq -r 'select(.Event.EventData.CommandLine // "" | endswith("raw-run"))
	| .Event.EventData.Image' "$T_DIR/ev.jsonl")
jlit=$(jq -r 'select(.Event.EventData.CommandLine // "" | endswith("lit-run"))
	| .Event.EventData.Image' "$T_DIR/ev.jsonl")
is "json: bytes FF FE as \\xff\\xfe" "$jraw" "$dir/\\xff\\xfe"
is "json: a literal \\xff\\xfe as \\x5cxff\\x5cxfe" "$jlit" \
	"$dir/\\x5cxff\\x5cxfe"
is "json: exact bytes of the FF FE name come back" \
	"$(decode "$T_DIR/ev.jsonl" raw-run)" "$(hex "$raw")"
is "json: exact bytes of the literal name come back" \
	"$(decode "$T_DIR/ev.jsonl" lit-run)" "$(hex "$lit")"

txt=$(grep -a $'^\tImage: '"$dir/" "$T_DIR/out.txt" | sort -u)
is "text (--format text): two distinct Images" "$(wc -l <<<"$txt")" 2
ok "text: FF FE as \\xff\\xfe" grep -qxF $'\tImage: '"$dir/\\xff\\xfe" \
	<<<"$txt"
ok "text: the literal as \\x5cxff\\x5cxfe" \
	grep -qxF $'\tImage: '"$dir/\\x5cxff\\x5cxfe" <<<"$txt"

view() { "$VIGIL" view --store "$db" "$@"; }
xml=$(view --format xml -e 1 --field "Image~$dir/")
ok "xml: well-formed" xmllint --noout - <<<"<all>$xml</all>"
ok "xml: FF FE as \\xff\\xfe" grep -qF "$dir/\\xff\\xfe</Data>" <<<"$xml"
ok "xml: the literal as \\x5cxff\\x5cxfe" \
	grep -qF "$dir/\\x5cxff\\x5cxfe</Data>" <<<"$xml"
ok "view text: FF FE as \\xff\\xfe" grep -qxF $'\tImage: '"$dir/\\xff\\xfe" \
	<(view -e 1)
ok "view json: the same line as the daemon's" grep -qF "\"Image\":\"$dir/\\\\x5cxff" \
	<(view -e 1 --format json)
# --field takes a value as the output shows it: \xNN is the byte.
is "view --field Image=<shown text> finds the FF FE file only" \
	"$(view -e 1 --format json --field "Image=$dir/\\xff\\xfe" |
		jq -r .Event.EventData.CommandLine)" "$dir/\\xff\\xfe raw-run"
is "view --field Image=<shown text> finds the literal file only" \
	"$(view -e 1 --format json --field "Image=$dir/\\x5cxff\\x5cxfe" |
		jq -r .Event.EventData.CommandLine)" "$dir/\\x5cxff\\x5cxfe lit-run"

# The store keeps the raw bytes: the values blob holds each name and NUL.
blobs=$(sqlite3 -readonly "$db" "SELECT hex(data) FROM events WHERE
	EventID = 1" | tr 'A-F' 'a-f')
ok "store: the FF FE name's exact bytes" grep -q "$(hex "$raw")00" <<<"$blobs"
ok "store: the literal name's exact bytes" grep -q "$(hex "$lit")00" <<<"$blobs"

# Rules compare raw bytes: the rule text \xff\xfe is literal.
rn() { jq -r --arg m "$1" 'select(.Event.System.EventID == 1 and
	(.Event.EventData.CommandLine | endswith($m))) |
	.Event.EventData.RuleName' "$T_DIR/ev.jsonl"; }
is "rule on the literal text matches the literal file" "$(rn lit-run)" lit
is "... and not the FF FE file" "$(rn raw-run)" dir

# vigil filter reads the JSON back to the same bytes and the same System.
filtered=$("$VIGIL" filter "$T_DIR/lit.xml" < "$T_DIR/ev.jsonl" 2>/dev/null |
	jq -c 'select(.Event.System.EventID == 1)')
is "filter: only the literal file matches" \
	"$(jq -r .Event.EventData.CommandLine <<<"$filtered")" \
	"$dir/\\x5cxff\\x5cxfe lit-run"
orig=$(jq -c 'select(.Event.EventData.CommandLine // "" | endswith("lit-run"))
	| .Event.System | del(.TimeCreated)' "$T_DIR/ev.jsonl")
is "filter: the event keeps its System (Computer, ProcessID...)" \
	"$(jq -c '.Event.System | del(.TimeCreated)' <<<"$filtered")" "$orig"

# C1 and bidirectional controls never reach a terminal raw.
no_raw() { ! LC_ALL=C grep -qaE \
	$'\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]'; }
cmd_text=$(grep -a $'^\tCommandLine: '"$ctl" "$T_DIR/out.txt")
ok "--format text: the command line is there" test -n "$cmd_text"
ok "--format text: no raw C1 or bidi control" no_raw <<<"$cmd_text"
ok "--format text: CSI as \\xc2\\x9b" grep -qF 'csi\xc2\x9b31m' <<<"$cmd_text"
ok "--format text: RLO as \\xe2\\x80\\xae" grep -qF 'rlo\xe2\x80\xaeevil' \
	<<<"$cmd_text"
vt=$(view -e 1 --field "Image=$ctl")
ok "view: the command line is there" grep -q 'CommandLine: ' <<<"$vt"
ok "view: no raw C1 or bidi control" no_raw <<<"$vt"
ok "view: OSC as \\xc2\\x9d, NEL as \\xc2\\x85, LRI, LRM" grep -qF \
	'osc\xc2\x9d0;x\x07 nel\xc2\x85 rlo\xe2\x80\xaeevil lri\xe2\x81\xa6x lrm\xe2\x80\x8e' \
	<<<"$vt"
vx=$(view -e 1 --field "Image=$ctl" --format xml)
ok "view xml: no raw C1 or bidi control" no_raw <<<"$vx"
ok "view xml: character references" grep -qF 'csi&#155;31m' <<<"$vx"
vj=$(view -e 1 --field "Image=$ctl" --format json)
ok "view json: no raw C1 or bidi control" no_raw <<<"$vj"
is "view json: \\u escapes decode to the characters" \
	"$(jq -r .Event.EventData.CommandLine <<<"$vj" | od -An -tx1 |
		tr -d ' \n' | grep -o 'e280ae')" e280ae
t_end
