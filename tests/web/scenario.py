#!/usr/bin/env python3
"""The web viewer in a real browser: what tests/integration/70-web.sh
asks of the pages.  Prints one "ok - ..." or "not ok - ..." line per
check and "N passed, N failed" at the end (exit status 1 on a failure).

  scenario.py --url http://127.0.0.1:PORT --token HEX --marker TEXT
              --hostile-guid GUID --shots DIR --append CMD
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

passed = failed = 0


def ok(what, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}")
        if detail:
            print(f"#   {detail}")
    sys.stdout.flush()
    return cond


def js(s):
    """A Python string as a JavaScript string literal."""
    return json.dumps(s)


def run(b, a):
    b.call("Runtime.addBinding", {"name": "vigilPwned"})

    # 1. without the token: the login page, no data
    b.navigate(a.url + "/")
    ok("without the token the page sends the browser to /login",
       b.wait("location.pathname === '/login'"))

    # 2. /login#token=...: logged in by the cookie, the event list shows
    b.navigate(a.url + "/login#token=" + a.token)
    ok("the token link logs in and opens the event list",
       b.wait("location.pathname === '/' && "
              "document.querySelectorAll('#event-list tr.event').length > 0"))
    ok("the token is not left in the address",
       a.token not in b.eval("location.href"))
    ok("the histogram is drawn",
       b.wait("(document.getElementById('histogram-info') || {})"
              ".textContent", 10))

    # 3. filter to the marker process with the form
    b.eval("document.querySelector('#filters button[type=button]').click()")
    b.eval("document.querySelector('#f-conds input.cond').value = "
           + js("CommandLine~" + a.marker))
    b.eval("document.getElementById('f-id').value = '1'")
    b.eval("document.getElementById('f-apply').click()")
    rows = b.wait("(() => { const r = [...document.querySelectorAll("
                  "'#event-list tr.event')]; return location.hash.includes("
                  "'field=') && r.length ? r.map(x => x.textContent) : "
                  "null })()")
    ok("filtering on the marker's command line lists its ProcessCreate",
       rows and len(rows) == 1 and a.marker in rows[0], f"rows: {rows}")
    b.screenshot(os.path.join(a.shots, "web-events.png"))

    # 4. its details
    b.eval("document.querySelector('#event-list tr.event td.summary')"
           ".click()")
    cmd = b.wait("(() => { const r = document.querySelector("
                 "'#fields tr[data-field=CommandLine] td'); "
                 "return r && r.textContent })()")
    ok("clicking the row opens its details with the command line",
       cmd and a.marker in cmd, f"CommandLine: {cmd!r}")
    guid = b.eval("document.querySelector("
                  "'#fields tr[data-field=ProcessGuid] a.pivot').textContent")
    parent = b.eval("document.querySelector("
                    "'#fields tr[data-field=ParentProcessGuid] a.pivot')"
                    ".textContent")
    b.screenshot(os.path.join(a.shots, "web-event.png"))

    # 5. follow its parent in the process view, then back to the marker
    b.eval("document.querySelector('#fields tr[data-field=ParentProcessGuid]"
           " a.goto-process').click()")
    ok("the parent's process view opens",
       b.wait("(document.getElementById('process') || {dataset: {}})"
              ".dataset.guid === " + js(parent)))
    kids = b.wait("(() => { const k = [...document.querySelectorAll("
                  "'#children a.proc')].map(a => a.dataset.guid); "
                  "return k.length ? k : null })()")
    ok("the parent lists the marker among its children",
       kids and guid in kids, f"children {kids}, marker {guid}")
    ok("the parent shows its own ancestors or its start",
       b.eval("document.querySelectorAll('#ancestors li').length") >= 1)
    b.eval("[...document.querySelectorAll('#children a.proc')].find("
           "a => a.dataset.guid === " + js(guid) + ").click()")
    ok("the marker's process view opens from its parent",
       b.wait("(document.getElementById('process') || {dataset: {}})"
              ".dataset.guid === " + js(guid)))
    tl = b.wait("(() => { const r = [...document.querySelectorAll("
                "'#timeline tr.event')]; return r.length >= 3 ? "
                "r.map(x => x.className) : null })()")
    ok("the marker's timeline holds its network event",
       tl and any("ev3" in c for c in tl), f"timeline rows: {tl}")
    ok("... and its start and its child's creation",
       tl and sum("ev1" in c for c in tl) >= 2, f"timeline rows: {tl}")
    ok("the timeline strip is drawn",
       b.eval("document.getElementById('timeline-strip').toDataURL()"
              ".length > 2000"))
    b.screenshot(os.path.join(a.shots, "web-process.png"))

    # 6. hostile content: shown as text, never run, never a link
    b.eval("location.hash = '#/process/' + encodeURIComponent("
           + js(a.hostile_guid) + ")")
    b.wait("(document.getElementById('process') || {dataset: {}})"
           ".dataset.guid === " + js(a.hostile_guid))
    b.wait("document.querySelectorAll('#timeline tr.event').length >= 2")
    rid = b.eval("document.querySelector('#timeline tr.ev1').dataset.rid")
    b.eval("location.hash = '#/event/' + " + js(rid))
    shown = b.wait("(() => { const r = document.querySelector("
                   "'#fields tr[data-field=CommandLine] td'); "
                   "return r && r.textContent })()")
    ok("a command line with <script> and javascript: shows literally",
       shown and "<script>window.__pwned=1;vigilPwned('script')</script>"
       in shown and "javascript:window.__pwned=3" in shown
       and 'onerror="window.__pwned=2' in shown, f"shown: {shown!r}")
    ok("... and made no element of it",
       b.eval("document.querySelectorAll('img, iframe, object, embed')"
              ".length === 0 && document.scripts.length === 1 && "
              "!document.querySelector('#detail b')"))
    hrefs = b.eval("[...document.querySelectorAll('a')].map(a => a.href)")
    origin = a.url.rstrip("/")
    ok("every link stays on the viewer",
       hrefs and all(h.startswith(origin + "/") for h in hrefs),
       f"hrefs: {[h for h in hrefs if not h.startswith(origin)]}")
    # click every pivot: each only filters
    n = b.eval("document.querySelectorAll('#fields a.pivot').length")
    for i in range(n):
        b.eval("location.hash = '#/event/' + " + js(rid))
        b.wait("document.querySelectorAll('#fields a.pivot').length === "
               + str(n))
        b.eval(f"document.querySelectorAll('#fields a.pivot')[{i}].click()")
        b.wait("location.hash.startsWith('#/events')")
    b.eval("location.hash = '#/events?q=' + encodeURIComponent("
           "'vigilPwned')")
    found = b.wait("document.querySelectorAll('#event-list tr.event')"
                   ".length >= 2")
    ok("free text finds the hostile events", found)
    b.pump(0.5)
    calls = [e for e in b.events if e["method"] == "Runtime.bindingCalled"]
    ok("nothing from the events ran (no binding call, no global)",
       not calls and b.eval("typeof window.__pwned") == "undefined",
       f"binding calls: {calls}")

    # 7. the histogram brush narrows the time range
    b.eval("location.hash = '#/events'")
    b.wait("document.getElementById('histogram-canvas')")
    box = b.eval("(() => { const r = document.getElementById("
                 "'histogram-canvas').getBoundingClientRect(); "
                 "return [r.left, r.top, r.width, r.height] })()")
    b.click_at(box[0] + box[2] * 0.1, box[1] + box[3] / 2,
               box[0] + box[2] * 0.9)
    ok("brushing the histogram sets since and until",
       b.wait("location.hash.includes('since=') && "
              "location.hash.includes('until=')"))

    # 8. live mode: events stored now appear without a reload
    b.eval("location.hash = '#/events?live=1'")
    b.wait("document.querySelectorAll('#event-list tr.event').length > 0")
    before = b.eval("document.querySelector('#event-list tr.event')"
                    ".dataset.rid")
    subprocess.run(a.append, shell=True, check=True,
                   stdout=subprocess.DEVNULL)
    ok("live mode shows newly stored events",
       b.wait("(() => { const r = document.querySelector("
              "'#event-list tr.event'); return r && Number(r.dataset.rid) > "
              + str(int(before)) + " && r.classList.contains('new') })()",
              15))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--marker", required=True)
    p.add_argument("--hostile-guid", required=True)
    p.add_argument("--shots", required=True)
    p.add_argument("--append", required=True)
    a = p.parse_args()
    b = Browser()
    try:
        run(b, a)
    except Exception as e:  # a broken step fails the test, loudly
        ok("the scenario ran to its end", False, repr(e))
    finally:
        b.close()
    print(f"scenario: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
