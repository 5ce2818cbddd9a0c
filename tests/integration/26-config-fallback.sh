#!/usr/bin/env bash
# A daemon started (or restarted by its service manager) with a
# configuration file that does not load keeps monitoring when one loaded
# before: the last configuration that loaded is kept in the state
# directory (root's only, 0600), and a start with a broken or deleted file
# runs on it, saying so in the log (naming the file and the parse error),
# as event 255 ConfigurationError, in the status file and in `vigil
# status`.  A good file and SIGHUP end that.  With no copy kept, a broken
# file still stops the start, with the error.
# Docs: docs/reliability.md section 7.
. "$(dirname "$0")/lib.sh"
t_begin 26-config-fallback

probe=$T_DIR/vigil-cfg-probe
cp /bin/true "$probe"
conf=$T_DIR/config.xml
keep=$T_DIR/state/config-last-good.xml
write_config() {	# write_config RULE: log the probe's starts as RULE
	cat >"$conf" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <RuleGroup name="$1" groupRelation="or">
      <ProcessCreate onmatch="include">
        <Image condition="end with">/vigil-cfg-probe</Image>
      </ProcessCreate>
    </RuleGroup>
  </EventFiltering>
</Sysmon>
XML
}
printf 'run_dir = %s\nstate_dir = %s\n' "$T_DIR/run" "$T_DIR/state" \
	>"$T_DIR/vigil.conf"
out=$T_DIR/out.json
wait_for() {	# wait_for SECONDS COMMAND...
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}
# rule_of MARK: the RuleName of the probe's event 1 with MARK
rule_of() {
	jq -r --arg m "$1" 'select(.Event.System.EventID == 1 and
		(.Event.EventData.CommandLine | endswith($m))) |
		.Event.EventData.RuleName' "$out" | head -n 1
}
err255() {	# err255: Descriptions of the events 255 ConfigurationError
	jq -r 'select(.Event.System.EventID == 255 and
		.Event.EventData.ID == "ConfigurationError") |
		.Event.EventData.Description' "$out"
}
start() { vigil_start "$out" --format json --no-store "$conf"; }

# --- a good start keeps a copy ---------------------------------------------
write_config ruleA
hash_a=$(sha256sum "$conf" | cut -d' ' -f1)
start || t_end
ok "the configuration that loaded is kept" cmp -s "$conf" "$keep"
is "... root's only" "$(stat -c '%a %U' "$keep")" "600 root"
is "no config error in the status file" "$(status_get config_error)" ""
vigil_stop

# --- started with garbage: runs on the copy ---------------------------------
printf '<Sysmon schemaversion="4.90"><EventFiltering><ProcessCreate onmatch=' \
	>"$conf"
printf '\x00\xff garbage' >>"$conf"
start || t_end
ok "started with garbage: the daemon runs" kill -0 "$VIGIL_PID"
ok "the log names the file and the parse error" \
	grep -q "error: $conf:1:[0-9]*: " "$T_DIR/vigil.log"
ok "the log says it runs the kept copy" grep -q \
	"running the last configuration that loaded, kept in $keep" \
	"$T_DIR/vigil.log"
"$probe" garbage-start
ok "the kept rules log" wait_for 5 eval '[ "$(rule_of garbage-start)" == ruleA ]'
is "the status file: the running config's hash" "$(status_get config_hash)" \
	"$hash_a"
ok "the status file: the error" eval \
	'status_get config_error | grep -q "^$conf:1:[0-9]*: "'
is "the status file: where the rules come from" \
	"$(status_get config_running)" "$keep"
ok "event 255 ConfigurationError says so" wait_for 5 eval \
	'err255 | grep -q "configuration not loaded at start: $conf:1:[0-9]*: .*; running the last configuration that loaded ($keep, SHA256=$hash_a)"'
ok "event 16 names the kept copy" grep -q \
	"\"EventID\":16,.*\"Configuration\":\"$keep\",\"ConfigurationFileHash\":\"$hash_a\"" \
	"$out"
"$VIGIL" status --settings "$T_DIR/vigil.conf" >"$T_DIR/status.out" 2>&1
ok "vigil status shows the error" grep -q "config error   $conf:1:" \
	"$T_DIR/status.out"
ok "vigil status shows what runs" grep -q \
	"running        the last configuration that loaded, kept in $keep" \
	"$T_DIR/status.out"
sed 's/^/#   /' "$T_DIR/status.out" | head -n 8
ok "the copy is still the good one" eval \
	'[ "$(sha256sum "$keep" | cut -d" " -f1)" == "$hash_a" ]'

# --- a good file and SIGHUP: taken, the copy follows ------------------------
write_config ruleB
hash_b=$(sha256sum "$conf" | cut -d' ' -f1)
kill -HUP "$VIGIL_PID"
ok "a good file and SIGHUP: taken" wait_for 5 eval \
	'[ "$(status_get config_hash)" == "$hash_b" ]'
is "... the error is gone" "$(status_get config_error)" ""
is "... the rules come from the file" "$(status_get config_running)" ""
ok "... and kept" cmp -s "$conf" "$keep"
"$probe" good-again
ok "... its rules log" wait_for 5 eval '[ "$(rule_of good-again)" == ruleB ]'
vigil_stop

# --- restarted with the file deleted: runs on the copy of B -----------------
rm -f "$conf"
start || t_end
"$probe" deleted-start
ok "started without the file: the kept rules log" wait_for 5 eval \
	'[ "$(rule_of deleted-start)" == ruleB ]'
ok "the error: cannot open" eval \
	'status_get config_error | grep -q "^$conf:0:0: cannot open: No such file"'
vigil_stop

# --- no copy kept: the start fails with the error, as before ----------------
rm -f "$keep"
printf 'garbage' >"$conf"
"$VIGIL" run --state-dir "$T_DIR/state" --run-dir "$T_DIR/run" --no-store \
	"$conf" >/dev/null 2>"$T_DIR/nokeep.log"
is "no copy kept: exits 1" "$?" 1
ok "... naming the file and the parse error" grep -q "$conf:1:[0-9]*: " \
	"$T_DIR/nokeep.log"
ok "... and that no good configuration is kept" grep -q \
	"no configuration that loaded before is kept" "$T_DIR/nokeep.log"
t_end
