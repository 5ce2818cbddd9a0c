#!/usr/bin/env bash
# A setuid-root binary run by an unprivileged user: User stays the real
# user, IntegrityLevel says High (effective uid 0), and with extra_fields
# EffectiveUser names root; the same binary without the setuid bit is
# Medium.  Without extra_fields, nothing after ParentUser is rendered.
. "$(dirname "$0")/lib.sh"
t_begin 17-privilege

out=$T_DIR/events.json
chmod 755 "$T_DIR"	# the unprivileged user must reach the probes
suid=$T_DIR/vigil-suid-$$
plain=$T_DIR/vigil-plain-$$
cp /bin/true "$suid"
cp /bin/true "$plain"
chown root:root "$suid" "$plain"
chmod 4755 "$suid"
chmod 755 "$plain"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

printf 'extra_fields = yes\n' > "$T_DIR/vigil.conf"
vigil_start "$out" --settings "$T_DIR/vigil.conf" --no-store \
	--format json || t_end
as_nobody "$suid" suid-marker
as_nobody "$plain" plain-marker
settle
vigil_stop

ev1() {	# ev1 IMAGE: EventData of IMAGE's event 1
	jq -c --arg p "$1" 'select(.Event.System.EventID == 1 and
		.Event.EventData.Image == $p) | .Event.EventData' "$out" |
		head -n 1
}
field() { jq -r ".$2" <<<"$1"; }

e=$(ev1 "$suid")
is "setuid root: User is the real user" "$(field "$e" User)" nobody
is "setuid root: IntegrityLevel" "$(field "$e" IntegrityLevel)" High
is "setuid root: EffectiveUser" "$(field "$e" EffectiveUser)" root
e=$(ev1 "$plain")
is "no setuid: User" "$(field "$e" User)" nobody
is "no setuid: IntegrityLevel" "$(field "$e" IntegrityLevel)" Medium
is "no setuid: EffectiveUser" "$(field "$e" EffectiveUser)" nobody
is "extra fields come after Sysmon's" \
	"$(jq -r 'keys_unsorted | .[22:24] | join(",")' <<<"$e")" \
	"ParentUser,EffectiveUser"

# The default: Sysmon's fields only, whatever the format.
xml=$T_DIR/events.xml
vigil_start "$xml" --no-store --format xml || t_end
as_nobody "$suid" suid-marker-xml
settle
vigil_stop
line=$(grep -F "$suid" "$xml" | grep -F suid-marker-xml | head -n 1)
ok "xml without extra_fields: ParentUser is the last field" \
	grep -q '<Data Name="ParentUser">[^<]*</Data></EventData></Event>$' \
	<<<"$line"
ok "xml without extra_fields: IntegrityLevel High" \
	grep -q '<Data Name="IntegrityLevel">High</Data>' <<<"$line"
t_end
