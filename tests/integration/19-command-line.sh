#!/usr/bin/env bash
# Long command lines: up to command_line_max bytes of argv come out whole;
# past it the line is cut and ends in "...[truncated: N bytes]" with the
# whole argv's size, which a rule can test, so padding the arguments
# cannot push the interesting part out unseen.
. "$(dirname "$0")/lib.sh"
t_begin 19-command-line

out=$T_DIR/events.json
probe=$T_DIR/vigil-args-$$
cp /bin/true "$probe"
pad=$(head -c 100000 /dev/zero | tr '\0' P)
cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <RuleGroup groupRelation="or">
      <ProcessCreate onmatch="include">
        <CommandLine condition="contains" name="cut">...[truncated: </CommandLine>
        <Image condition="is" name="probe">$probe</Image>
      </ProcessCreate>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
XML
argv_bytes() { local n=0 a; for a in "$@"; do n=$((n + ${#a} + 1)); done; echo $n; }

# The default limit, 64 KiB: 200 KB of padding before the payload.
vigil_start "$out" --no-store --format json "$T_DIR/config.xml" || t_end
"$probe" "$pad" "$pad" evil-payload
"$probe" short-one
settle
vigil_stop

cmd() {	# cmd MARK: CommandLine and RuleName of the probe's event 1 with MARK
	jq -r --arg p "$probe" --arg m "$1" 'select(.Event.System.EventID == 1
		and .Event.EventData.Image == $p and
		(.Event.EventData.CommandLine | contains($m))) |
		.Event.EventData | .RuleName + "\t" + .CommandLine' "$out" |
		head -n 1
}
line=$(cmd PPPP)
rule=${line%%$'\t'*} text=${line#*$'\t'}
mark="...[truncated: $(argv_bytes "$probe" "$pad" "$pad" evil-payload) bytes]"
is "padded: the mark with the whole argv size" "${text##*PPP}" "$mark"
is "padded: 64 KiB kept" "${#text}" $((65536 + ${#mark}))
is "padded: a rule on the mark matches" "$rule" cut
line=$(cmd short-one)
is "short: no mark" "${line#*$'\t'}" "$probe short-one"
is "short: the other rule" "${line%%$'\t'*}" probe

# command_line_max at its largest: 111 KiB hold the 100 KB argument.
printf 'command_line_max = 111K\n' > "$T_DIR/vigil.conf"
vigil_start "$out" --settings "$T_DIR/vigil.conf" --no-store --format json \
	"$T_DIR/config.xml" || t_end
"$probe" "$pad" whole-payload
settle
vigil_stop
line=$(cmd whole-payload)
want="$probe $pad whole-payload"
is "111K: the whole command line (length)" "${#line}" $((6 + ${#want}))
ok "111K: the whole command line" test "${line#*$'\t'}" == "$want"

printf 'command_line_max = 112K\n' > "$T_DIR/vigil.conf"
ok "command_line_max above 111K is refused" \
	test -n "$(timeout 10 "$VIGIL" run --settings "$T_DIR/vigil.conf" --no-store \
		--state-dir "$T_DIR/state" --run-dir "$T_DIR/run2" 2>&1 \
		>/dev/null | grep -F command_line_max)"
t_end
