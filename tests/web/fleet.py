#!/usr/bin/env python3
"""The web viewer in fleet mode, in a real browser: what
tests/integration/71-web-fleet.sh asks of the pages over the ClickHouse
fleet table (hosts vigil-fleet-a and vigil-fleet-b with the same record
ids and GUIDs, and a host with a hostile name).  Prints one "ok - ..." or
"not ok - ..." line per check and "N passed, N failed" at the end.

  fleet.py --url http://127.0.0.1:PORT --token HEX --shots DIR --insert CMD
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402
import scenario  # noqa: E402  (ok(), js() and the counts)

ok, js = scenario.ok, scenario.js

ROWS = "[...document.querySelectorAll('#event-list tr.event')]"


def hosts_shown(b):
    return b.eval(ROWS + ".map(r => r.dataset.host)")


def run(b, a):
    b.call("Runtime.addBinding", {"name": "vigilPwned"})

    # 1. without the token: the login page
    b.navigate(a.url + "/")
    ok("without the token the page sends the browser to /login",
       b.wait("location.pathname === '/login'"))

    # 2. logged in by the token link: the fleet's list, every host
    b.navigate(a.url + "/login#token=" + a.token)
    ok("the token link opens the fleet's event list",
       b.wait("location.pathname === '/' && " + ROWS + ".length > 0"))
    shown = b.wait("(() => { const h = new Set(" + ROWS + ".map(r => "
                   "r.dataset.host)); return h.has('vigil-fleet-a') && "
                   "h.has('vigil-fleet-b') ? [...h] : null })()")
    ok("the list holds events of both hosts, with their host",
       shown, f"hosts: {hosts_shown(b)}")
    opts = b.eval("[...document.querySelectorAll('#f-host option')]"
                  ".map(o => o.textContent)")
    ok("the host filter offers every host",
       opts and opts[0] == "All hosts" and "vigil-fleet-a" in opts
       and "vigil-fleet-b" in opts and len(opts) == 4, f"options: {opts}")
    ok("the histogram is drawn",
       b.wait("(document.getElementById('histogram-info') || {})"
              ".textContent", 10))
    b.screenshot(os.path.join(a.shots, "web-fleet.png"))

    # 3. filter by host with the form
    b.eval("(() => { const s = document.getElementById('f-host'); "
           "s.value = 'vigil-fleet-b'; "
           "s.dispatchEvent(new Event('change')) })()")
    hosts = b.wait("(() => { const r = " + ROWS + "; return "
                   "location.hash.includes('host=vigil-fleet-b') && "
                   "r.length ? r.map(x => x.dataset.host) : null })()")
    ok("choosing host b lists only host b's events",
       hosts and set(hosts) == {"vigil-fleet-b"}, f"hosts: {hosts}")

    # 4. the marker's details: host b's, though host a has the same id
    b.eval("document.querySelector('#filters button[type=button]').click()")
    b.eval("document.querySelector('#f-conds input.cond').value = "
           "'CommandLine~marker'")
    b.eval("document.getElementById('f-id').value = '1'")
    b.eval("document.getElementById('f-apply').click()")
    rows = b.wait("(() => { const r = " + ROWS + "; return "
                  "location.hash.includes('field=') && r.length === 2 ? "
                  "r.map(x => x.textContent) : null })()")
    ok("the marker and its shell, on host b only",
       rows and all("marker-b" in r for r in rows), f"rows: {rows}")
    b.eval(ROWS + ".find(r => !r.textContent.includes("
           "'vigil-fleet-sh')).querySelector('td.summary').click()")
    cmd = b.wait("(() => { const r = document.querySelector("
                 "'#fields tr[data-field=CommandLine] td'); "
                 "return r && r.textContent })()")
    ok("its details are host b's event", cmd and cmd.endswith(
        "vigil-fleet-true marker-b"), f"CommandLine: {cmd!r}")
    computer = b.eval("[...document.querySelectorAll('table.system tr')]"
                      ".find(r => r.firstChild.textContent === 'Computer')"
                      ".lastChild.textContent")
    ok("... on Computer vigil-fleet-b", computer == "vigil-fleet-b",
       f"Computer: {computer!r}")

    # 5. the process view, scoped to host b
    b.eval("document.getElementById('to-process').click()")
    ok("the process view opens on host b",
       b.wait("(document.getElementById('process-host') || {})"
              ".textContent === '  on vigil-fleet-b'"))
    anc = b.wait("(() => { const a = [...document.querySelectorAll("
                 "'#ancestors a.proc')]; return a.length ? "
                 "a.map(x => x.textContent) : null })()")
    ok("its parent shell is a known ancestor",
       anc and any("vigil-fleet-sh" in x for x in anc), f"ancestors: {anc}")
    tl = b.wait("(() => { const r = [...document.querySelectorAll("
                "'#timeline tr.event')]; return r.length >= 2 ? "
                "r.map(x => x.dataset.host) : null })()")
    ok("its timeline (start and end) is host b's only",
       tl and set(tl) == {"vigil-fleet-b"}, f"timeline hosts: {tl}")
    b.eval("[...document.querySelectorAll('#ancestors a.proc')].find("
           "x => x.textContent.includes('vigil-fleet-sh')).click()")
    kids = b.wait("(() => { const k = [...document.querySelectorAll("
                  "'#children a.proc')]; return k.length === 2 && "
                  "location.hash.includes('host=vigil-fleet-b') ? "
                  "k.map(x => x.textContent) : null })()")
    ok("the shell's page, still on host b, lists its two children",
       kids, f"children: {kids}")

    # 6. the hostile host name: text, never markup, nothing ran
    b.eval("location.hash = '#/events'")
    b.wait(ROWS + ".length > 0")
    evil = b.eval("[...document.querySelectorAll('#f-host option')]"
                  ".map(o => o.textContent).find(t => t.startsWith('evil'))")
    ok("the hostile host name is shown as text",
       evil == "evil' OR '1'='1 <img src=x onerror=vigilPwned(1)>",
       f"shown: {evil!r}")
    b.eval("(() => { const s = document.getElementById('f-host'); "
           "s.value = " + js(evil or "") + "; "
           "s.dispatchEvent(new Event('change')) })()")
    hosts = b.wait("(() => { const r = " + ROWS + "; return "
                   "location.hash.includes('host=evil') && r.length ? "
                   "r.map(x => x.dataset.host) : null })()")
    ok("filtering by it lists its one event, no other host's",
       hosts and hosts == [evil], f"hosts: {hosts}")
    b.pump(0.5)
    calls = [e for e in b.events if e["method"] == "Runtime.bindingCalled"]
    ok("nothing from a host name ran",
       not calls and b.eval("document.querySelectorAll('img').length") == 0,
       f"binding calls: {calls}")

    # 7. live mode: an event that reaches the table appears on top
    b.eval("location.hash = '#/events?host=vigil-fleet-b&live=1'")
    b.wait(ROWS + ".length > 0 && location.hash.includes('live=1')")
    subprocess.run(a.insert, shell=True, check=True,
                   stdout=subprocess.DEVNULL)
    ok("live mode shows an event new in the table",
       b.wait("(() => { const r = document.querySelector("
              "'#event-list tr.event'); return r && r.dataset.rid === "
              "'1000000' && r.classList.contains('new') })()", 15))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--shots", required=True)
    p.add_argument("--insert", required=True)
    a = p.parse_args()
    b = Browser()
    try:
        run(b, a)
    except Exception as e:  # a broken step fails the test, loudly
        ok("the scenario ran to its end", False, repr(e))
    finally:
        b.close()
    print(f"fleet: {scenario.passed} passed, {scenario.failed} failed")
    return 1 if scenario.failed else 0


if __name__ == "__main__":
    sys.exit(main())
