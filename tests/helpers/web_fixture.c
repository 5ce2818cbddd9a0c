/* SPDX-License-Identifier: MIT */
/*
 * web_fixture - test helper: append events to a stopped daemon's store
 * that the web viewer's test needs and that the sensors cannot be made
 * to produce on demand:
 *
 *   web_fixture STORE GUID IMAGE
 *
 * after the store's last record: a NetworkConnect (3) of process GUID, a
 * child of it whose command line holds markup and javascript: URLs, and
 * a FileCreate (11) of that child with a javascript: file name.  Prints
 * the child's ProcessGuid.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/clock.h"

#define CHILD_GUID "{6a1c0de0-0000-4000-8000-0000000000c1}"

/* Each would set window.__pwned and call the test's DevTools binding
 * vigilPwned() if the page ever ran it. */
static const char hostile_cmd[] =
	"/bin/sh -c <script>window.__pwned=1;vigilPwned('script')</script>"
	"<img src=x onerror=\"window.__pwned=2;vigilPwned('img')\"> "
	"javascript:window.__pwned=3;vigilPwned('js') \"quoted\" & done";
static const char hostile_file[] =
	"javascript:window.__pwned=4;vigilPwned('file')//<b>x</b>";

static int64_t last_rid(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (store_open_ro(path, 2000, &db) == 0 &&
	    sqlite3_prepare_v2(db, "SELECT max(EventRecordID) FROM events", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int put(struct sink *s, struct event *ev, uint64_t rid, uint64_t t)
{
	int err;

	ev->record_id = rid;
	event_set_time(ev, t);
	err = s->write(s, ev);
	event_release(ev);
	return err;
}

int main(int argc, char **argv)
{
	char host[256] = "";
	struct render_host h;
	struct sink *s;
	struct event ev;
	uint64_t t = clock_utc_ns();
	int64_t rid;
	int err = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: web_fixture STORE GUID IMAGE\n");
		return 2;
	}
	rid = last_rid(argv[1]);
	if (rid < 0) {
		fprintf(stderr, "web_fixture: cannot read %s\n", argv[1]);
		return 1;
	}
	gethostname(host, sizeof(host) - 1);
	render_host_defaults(&h);
	h.computer = host;
	s = sink_store_new(argv[1], 0, 0, &h);
	if (!s)
		return 1;

	event_init(&ev, 3);
	event_set_named(&ev, "ProcessGuid", argv[2]);
	event_set_named(&ev, "ProcessId", "4242");
	event_set_named(&ev, "Image", argv[3]);
	event_set_named(&ev, "User", "root");
	event_set_named(&ev, "Protocol", "tcp");
	event_set_named(&ev, "Initiated", "true");
	event_set_named(&ev, "SourceIsIpv6", "false");
	event_set_named(&ev, "SourceIp", "127.0.0.1");
	event_set_named(&ev, "SourcePort", "40000");
	event_set_named(&ev, "DestinationIsIpv6", "false");
	event_set_named(&ev, "DestinationIp", "127.0.0.1");
	event_set_named(&ev, "DestinationHostname", "localhost");
	event_set_named(&ev, "DestinationPort", "9");
	err |= put(s, &ev, (uint64_t)rid + 1, t);

	event_init(&ev, 1);
	event_set_named(&ev, "ProcessGuid", CHILD_GUID);
	event_set_named(&ev, "ProcessId", "4243");
	event_set_named(&ev, "Image", "/bin/sh");
	event_set_named(&ev, "CommandLine", hostile_cmd);
	event_set_named(&ev, "CurrentDirectory", "/tmp");
	event_set_named(&ev, "User", "root");
	event_set_named(&ev, "ParentProcessGuid", argv[2]);
	event_set_named(&ev, "ParentProcessId", "4242");
	event_set_named(&ev, "ParentImage", argv[3]);
	err |= put(s, &ev, (uint64_t)rid + 2, t + 1000000);

	event_init(&ev, 11);
	event_set_named(&ev, "ProcessGuid", CHILD_GUID);
	event_set_named(&ev, "ProcessId", "4243");
	event_set_named(&ev, "Image", "/bin/sh");
	event_set_named(&ev, "TargetFilename", hostile_file);
	event_set_named(&ev, "User", "root");
	err |= put(s, &ev, (uint64_t)rid + 3, t + 2000000);

	err |= s->flush(s);
	s->free(s);
	if (err) {
		fprintf(stderr, "web_fixture: writing failed\n");
		return 1;
	}
	printf("%s\n", CHILD_GUID);
	return 0;
}
