#!/usr/bin/env bash
# Event 6 DriverLoad.  Where the kernel can load modules, a real module
# load is checked; where it cannot (this project's test kernel has no
# CONFIG_MODULES: no init_module/finit_module syscalls, no tracepoints),
# the test prints a SKIP naming why, and checks what vigil promises
# instead: the start-up message and `vigil status` say event 6 cannot be
# collected, and the other families still run.  The record decoding and
# the signature parser are unit-tested (integrity_test, modsig_test).
. "$(dirname "$0")/lib.sh"
t_begin 47-driver-load

out=$T_DIR/events.json
cat > "$T_DIR/config.xml" <<XML
<Sysmon schemaversion="4.90">
  <EventFiltering>
    <DriverLoad onmatch="exclude"/>
    <eBPFEvent onmatch="exclude"/>
  </EventFiltering>
</Sysmon>
XML
printf 'run_dir = %s\nstate_dir = %s\n' "$T_DIR/run" "$T_DIR/state" \
	> "$T_DIR/vigil.conf"

has_modules=0
[ -e /proc/modules ] && grep -qw finit_module /proc/kallsyms 2>/dev/null &&
	has_modules=1

vigil_start "$out" --no-store --format json "$T_DIR/config.xml" || t_end
if [ "$has_modules" = 0 ]; then
	echo "SKIP - event 6 DriverLoad on the real kernel: $(uname -r) has" \
		"no loadable-module support (no /proc/modules, no" \
		"init_module/finit_module syscalls or tracepoints)"
	ok "the start-up message says event 6 cannot be collected" grep -q \
		'event 6 (Driver loaded) cannot be collected on this kernel: it lacks loadable-module support' \
		"$T_DIR/vigil.log"
	is "status: 6 is unavailable" "$(status_get unavailable)" 6
	ok "status: 6 is not armed" test -z "$(status_get armed |
		tr ',' '\n' | grep -x 6)"
	ok "status: 100 is armed" grep -qw 100 <<<"$(status_get armed)"
	ok "vigil status names it" grep -q 'not on this kernel 6 Driver loaded' \
		<<<"$("$VIGIL" status --settings "$T_DIR/vigil.conf")"
	"$HELPERS/bpfload" >/dev/null
	settle
	vigil_stop
	ok "the daemon still logs the other events (100)" \
		test "$(jq -c 'select(.Event.System.EventID == 100)' "$out" |
			wc -l)" -ge 1
	is "the daemon exits cleanly" "$VIGIL_STATUS" 0
	t_end
fi

# A kernel with modules: load and unload a harmless one.
mod=$(for m in dummy veth; do modprobe -n "$m" 2>/dev/null && echo "$m" &&
	break; done)
if [ -z "$mod" ] || grep -qw "^${mod}" /proc/modules; then
	echo "SKIP - event 6 DriverLoad: no unloaded module to load" \
		"(tried dummy, veth)"
	vigil_stop
	t_end
fi
modprobe "$mod"
file=$(modinfo -n "$mod")
settle
modprobe -r "$mod"
vigil_stop
e=$(jq -c 'select(.Event.System.EventID == 6) | .Event.EventData' "$out" |
	head -n 1)
ok "modprobe $mod is event 6" test -n "$e"
is "ImageLoaded" "$(jq -r .ImageLoaded <<<"$e")" "$(readlink -f "$file")"
ok "Signed is set" test "$(jq -r .Signed <<<"$e")" != "-"
t_end
