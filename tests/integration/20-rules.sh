#!/usr/bin/env bash
# The rule engine end to end: the real daemon with a config that includes
# some processes and excludes others, and the exact RuleNames it reports.
. "$(dirname "$0")/lib.sh"
t_begin 20-rules

out=$T_DIR/events.json
bin=$T_DIR/bin
mkdir -p "$bin"
for n in alpha beta gamma; do cp /bin/true "$bin/vigil-rule-$n"; done
cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <RuleGroup name="group-name" groupRelation="or">
      <ProcessCreate onmatch="include">
        <Image condition="image" name="alpha-rule">vigil-rule-alpha</Image>
        <Image condition="end with">/vigil-rule-beta</Image>
      </ProcessCreate>
    </RuleGroup>
    <ProcessCreate onmatch="exclude">
      <CommandLine condition="contains">drop-me</CommandLine>
    </ProcessCreate>
    <ProcessTerminate onmatch="include"/>
  </EventFiltering>
</Sysmon>
XML

vigil_start "$out" --no-store --format json "$T_DIR/config.xml" || t_end
"$bin/vigil-rule-alpha" keep-alpha
"$bin/vigil-rule-alpha" drop-me
"$bin/vigil-rule-beta" keep-beta
"$bin/vigil-rule-gamma" not-included
settle
vigil_stop

# rn MARK: RuleName of the event 1 whose CommandLine contains MARK.
rn() {
	jq -r --arg m "$1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | contains($m))) |
		.Event.EventData.RuleName' "$out" | head -n 1
}
count() {
	jq -r --arg m "$1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | contains($m))) | 1' "$out" | wc -l
}

is "included by a named filter" "$(rn keep-alpha)" "alpha-rule"
is "included, RuleGroup name" "$(rn keep-beta)" "group-name"
is "excluded by CommandLine" "$(count drop-me)" "0"
is "not included" "$(count not-included)" "0"
is "no event 5 (empty include)" \
	"$(jq -r 'select(.Event.System.EventID == 5) | 1' "$out" | wc -l)" "0"
t_end
