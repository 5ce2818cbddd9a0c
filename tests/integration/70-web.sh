#!/usr/bin/env bash
# `vigil web`: the viewer over a store the real daemon filled (a marker
# process and its parent), plus a network event and hostile content
# appended by a helper.  curl checks the access rules and the strict
# request parsing; headless Chromium, driven over the DevTools protocol
# (tests/web/), checks the pages: login with the token, filter, details,
# process view and timeline, hostile values shown as text and never run,
# the histogram brush, live mode.  It also takes the README's screenshots
# (to $WEB_SHOTS when set: `make web-shots` writes docs/).
. "$(dirname "$0")/lib.sh"
t_begin 70-web
here=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v chromium >/dev/null || ! command -v curl >/dev/null; then
	ok "chromium and curl are installed (scripts/deps.sh)" false
	t_end
fi
chmod 755 "$T_DIR" # the server runs as nobody, in the store's group
db=$T_DIR/store/events.db
mkdir -p "$T_DIR/store"

python3 -c 'import secrets; print(secrets.token_hex(32))' >"$T_DIR/token"
chmod 640 "$T_DIR/token"
chgrp adm "$T_DIR/token" 2>/dev/null
token=$(cat "$T_DIR/token")
bad=$(tr 0-9a-f 1-9a-f0 <<<"$token") # every digit changed

# 1. the daemon, with web = yes, logs a marker process and its parent (a
#    shell that forks it), both started while it runs
port=$((20000 + RANDOM % 20000))
cat >"$T_DIR/vigil.conf" <<CONF
web = yes
web_listen = 127.0.0.1:$port
web_token_path = $T_DIR/token
CONF
vigil_start "$T_DIR/out" --settings "$T_DIR/vigil.conf" --store "$db" \
	--quiet || t_end
suffix=$$-$RANDOM
marker=vigil-web-marker-$suffix
bash -c 'm=$1; /bin/true "vigil-web-marker-$m"; true' _ "$suffix"
settle
is "web = yes: the daemon started vigil web beside it" "$(curl -s -o /dev/null \
	-w '%{http_code}' -H "Authorization: Bearer $token" \
	"http://127.0.0.1:$port/api/meta")" 200
vigil_stop
ok "... and stopped it with itself" \
	test "$(curl -s -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$port/api/meta")" = 000
mguid=$("$VIGIL" view --store "$db" -e 1 --field "CommandLine~$marker" \
	--format json | jq -r .Event.EventData.ProcessGuid)
ok "the daemon logged the marker" grep -q '^{' <<<"$mguid"
hguid=$("$HELPERS/web_fixture" "$db" "$mguid" /usr/bin/true)
ok "a network event and hostile content appended" test -n "$hguid"

# 2. the server alone, on a free loopback port, with the test's token
"$VIGIL" web --listen 127.0.0.1:0 --store "$db" \
	--token-file "$T_DIR/token" >"$T_DIR/web.out" 2>"$T_DIR/web.err" &
WEB_PID=$!
t_track "$WEB_PID"
for _ in $(seq 1 100); do
	grep -q serving "$T_DIR/web.out" && break
	sleep 0.05
done
url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$T_DIR/web.out")
ok "vigil web serves on loopback" test -n "$url"
[ -n "$url" ] || { cat "$T_DIR/web.err"; kill "$WEB_PID"; t_end; }
if [ "$(id -u)" -eq 0 ]; then
	is "it runs as nobody, not root" \
		"$(ps -o user= -p "$WEB_PID" | tr -d ' ')" nobody
fi

# 3. access and request parsing, with curl
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
auth=(-H "Authorization: Bearer $token")
is "API without the token: 401" "$(code "$url/api/events")" 401
is "API with a wrong token: 401" "$(code -H "Authorization: Bearer $bad" \
	"$url/api/events")" 401
is "API with a wrong cookie: 401" \
	"$(code -b "vigil_token=$bad" "$url/api/events")" 401
is "page without the token: sent to the login" \
	"$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$url/")" \
	"303 $url/login"
is "API with the token: 200" "$(code "${auth[@]}" "$url/api/events")" 200
is "API with the cookie: 200" \
	"$(code -b "vigil_token=$token" "$url/api/events")" 200
ok "the API lists the marker" grep -q "$marker" \
	<(curl -s "${auth[@]}" "$url/api/events?field=CommandLine~$marker")
is "POST to the API: 405" "$(code -X POST "${auth[@]}" "$url/api/events")" 405
is "unknown parameter: 400" "$(code "${auth[@]}" "$url/api/events?x=1")" 400
is "page size over the limit: 400" \
	"$(code "${auth[@]}" "$url/api/events?limit=100000")" 400
is "bad field condition: 400" \
	"$(code "${auth[@]}" "$url/api/events?field=NoSuchField=1")" 400
is "a GET with a body: 400" \
	"$(code -X GET -d x "${auth[@]}" "$url/api/events")" 400
is "an absolute URL, not a path: 400" "$(code "${auth[@]}" \
	--request-target "http://127.0.0.1/api/events" "$url/")" 400
is "a login body over the limit: 413, before it is read" \
	"$(head -c 100000 /dev/zero | code -X POST --data-binary @- "$url/api/login")" 413
big=$(head -c 70000 /dev/zero | tr '\0' a)
ok "a header too big for the request limit is refused" \
	test "$(code -H "X-Big: $big" "${auth[@]}" "$url/api/events")" -ge 400
is "a wrong token at the login: back to the form" \
	"$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' \
		-d "token=$bad" "$url/api/login")" "303 $url/login?failed=1"
ok "the login sets an HttpOnly, SameSite=Strict cookie" grep -qi \
	"^set-cookie: vigil_token=$token; Path=/; HttpOnly; SameSite=Strict" \
	<(curl -s -D - -o /dev/null -d "token=$token" "$url/api/login")
ok "pages carry the CSP (no inline script, nothing remote)" grep -qi \
	"^content-security-policy: default-src 'self'; script-src 'self';" \
	<(curl -s -D - -o /dev/null "$url/login")

# 4. the pages, in headless Chromium
shots=${WEB_SHOTS:-$T_DIR/shots}
mkdir -p "$shots"
while IFS= read -r line; do
	echo "$line"
	case $line in
	"ok - "*) T_PASS=$((T_PASS + 1)) ;;
	"not ok - "*) T_FAIL=$((T_FAIL + 1)) ;;
	esac
done < <(timeout 120 python3 "$here/web/scenario.py" --url "$url" \
	--token "$token" --marker "$marker" --hostile-guid "$hguid" \
	--shots "$shots" --append "$HELPERS/web_fixture $db $mguid /usr/bin/true" 2>&1)
for p in events event process; do
	ok "screenshot web-$p.png taken" \
		grep -q PNG <(head -c 8 "$shots/web-$p.png" 2>/dev/null)
done

kill -TERM "$WEB_PID"
wait "$WEB_PID"
is "vigil web exits 0 on SIGTERM" $? 0
t_end
