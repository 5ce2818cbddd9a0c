/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for web/: the JSON API (web_api()) over a real store through
 * the local source, without a server: paging visits every event once,
 * filters and histograms agree with the data, the process page has its
 * family, and every malformed request is a 400.  Also the token file.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/buf.h"
#include "web/internal.h"
#include "util/token.h"
#include "tap.h"

#define T0_NS	1735689600000000000ull /* 2025-01-01 00:00:00 UTC */
#define SEC_NS	1000000000ull
#define NEVENTS 1000

static char tmpdir[256];

/*
 * The data set: record ids 1..NEVENTS one second apart.  Every 10th event
 * is a ProcessCreate of "{p<i>}" whose parent is "{root}"; the others are
 * NetworkConnects of the process before them.  Event 500's command line
 * holds markup.
 */
static void guid_of(unsigned i, char *out, size_t size)
{
	snprintf(out, size, "{%08u-0000-0000-0000-000000000000}", i / 10 * 10);
}

static int build(const char *path)
{
	struct render_host h;
	struct sink *s;
	char guid[64], cmd[128];
	int err = 0;

	render_host_defaults(&h);
	h.computer = "webhost";
	s = sink_store_new(path, 0, 0, &h);
	if (!s)
		return -errno;
	/* the parent of all, and its own parent outside the log */
	for (unsigned i = 1; i <= NEVENTS; i++) {
		struct event ev;

		guid_of(i, guid, sizeof(guid));
		if (i % 10 == 0 || i == 1) {
			event_init(&ev, 1);
			snprintf(cmd, sizeof(cmd), "%s arg%u",
				 i == 500 ? "<script>x()</script>" : "/bin/app",
				 i);
			event_set_named(&ev, "CommandLine", cmd);
			event_set_named(&ev, "ParentProcessGuid",
					i == 1 ? "{outside}" : "{root}");
			event_set_named(&ev, "ProcessGuid",
					i == 1 ? "{root}" : guid);
			event_set_named(&ev, "Image", "/bin/app");
		} else {
			event_init(&ev, 3);
			event_set_named(&ev, "ProcessGuid", guid);
			event_set_named(&ev, "Image", "/bin/app");
			event_set_named(&ev, "DestinationPort",
					i % 2 ? "443" : "80");
		}
		ev.record_id = i;
		event_set_time(&ev, T0_NS + i * SEC_NS);
		err |= s->write(s, &ev);
		event_release(&ev);
		if (i % 100 == 0)
			err |= s->flush(s);
	}
	err |= s->flush(s);
	s->free(s);
	return err;
}

struct api {
	struct web_source local;
	struct web_source *srcs[1];
	struct buf out;
};

/* GET path?query ("a=1&b=2", no escapes) into a->out; the status. */
static int get(struct api *a, const char *path, const char *query)
{
	struct web_param p[WEB_MAX_PARAMS + 2];
	char copy[2048], *save = NULL, *tok;
	unsigned n = 0;

	snprintf(copy, sizeof(copy), "%s", query ? query : "");
	for (tok = strtok_r(copy, "&", &save); tok && n < WEB_MAX_PARAMS + 2;
	     tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq = '\0';
		p[n++] = (struct web_param){ .name = tok,
					     .value = eq ? eq + 1 : "" };
	}
	return web_api(a->srcs, 1, path, p, n, T0_NS + 2000 * SEC_NS, &a->out);
}

/* Every {"rid":N in the reply, in order. */
static unsigned rids(const struct buf *b, uint64_t *out, unsigned max)
{
	unsigned n = 0;

	for (const char *p = b->data; p && (p = strstr(p, "{\"rid\":")); p += 7)
		if (n < max)
			out[n++] = strtoull(p + 7, NULL, 10);
	return n;
}

static uint64_t number_after(const struct buf *b, const char *key)
{
	const char *p = strstr(b->data, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static bool has(const struct buf *b, const char *s)
{
	return b->data && strstr(b->data, s);
}

/* Page through the whole store newest first, 37 at a time. */
static void test_paging(struct api *a)
{
	static uint64_t seen[NEVENTS + 10];
	char q[128];
	uint64_t before = 0, got[WEB_PAGE_MAX];
	unsigned total = 0, pages = 0;
	bool is_ordered = true;

	for (;;) {
		unsigned n;

		snprintf(q, sizeof(q), "limit=37%s%llu",
			 before ? "&before=" : "", (unsigned long long)before);
		if (!before)
			q[8] = '\0';
		CHECK(get(a, "/api/events", q) == 200);
		n = rids(&a->out, got, WEB_PAGE_MAX);
		for (unsigned i = 0; i < n && total < NEVENTS + 10; i++) {
			if (total && got[i] >= seen[total - 1])
				is_ordered = false;
			seen[total++] = got[i];
		}
		pages++;
		if (!has(&a->out, "\"more\":true") || pages > 100)
			break;
		before = number_after(&a->out, "\"next_before\":");
	}
	CHECK(total == NEVENTS);
	CHECK(is_ordered);
	CHECK(seen[0] == NEVENTS && seen[NEVENTS - 1] == 1);
	CHECK(pages == (NEVENTS + 36) / 37);

	/* oldest first after an id: the live poll */
	CHECK(get(a, "/api/events", "after=995") == 200);
	CHECK(rids(&a->out, got, WEB_PAGE_MAX) == 5 && got[0] == 996 &&
	      got[4] == 1000);
	CHECK(has(&a->out, "\"more\":false,\"next_after\":1000"));
	CHECK(get(a, "/api/events", "after=1000") == 200);
	CHECK(rids(&a->out, got, WEB_PAGE_MAX) == 0);
	CHECK(has(&a->out, "\"next_after\":1000"));
}

static void test_filters(struct api *a)
{
	uint64_t got[WEB_PAGE_MAX];
	unsigned n;

	/* ProcessCreate only: 100 of every 10th, plus event 1 */
	CHECK(get(a, "/api/events", "id=1&limit=500") == 200);
	CHECK(rids(&a->out, got, WEB_PAGE_MAX) == 101);
	/* a field without a column: read from the values */
	CHECK(get(a, "/api/events", "field=DestinationPort=443&limit=500") ==
	      200);
	n = rids(&a->out, got, WEB_PAGE_MAX);
	CHECK(n > 0 && got[0] == 999 && got[1] == 997);
	/* time range, in epoch milliseconds */
	CHECK(get(a, "/api/events",
		  "since=1735689610000&until=1735689620000") == 200);
	n = rids(&a->out, got, WEB_PAGE_MAX);
	CHECK(n == 10 && got[0] == 19 && got[9] == 10);
	/* free text */
	CHECK(get(a, "/api/events", "q=<script>") == 200);
	CHECK(rids(&a->out, got, WEB_PAGE_MAX) == 1 && got[0] == 500);
	/* one process's events: its start and its 9 connections */
	CHECK(get(a, "/api/events",
		  "process={00000120-0000-0000-0000-000000000000}&order=asc") ==
	      200);
	n = rids(&a->out, got, WEB_PAGE_MAX);
	CHECK(n == 10 && got[0] == 120 && got[9] == 129);
	/* the host filter is the Computer */
	CHECK(get(a, "/api/events", "host=webhost&limit=1") == 200);
	CHECK(rids(&a->out, got, WEB_PAGE_MAX) == 1);
	CHECK(get(a, "/api/events", "host=other") == 200);
	CHECK(rids(&a->out, got, WEB_PAGE_MAX) == 0);
	/* one event */
	CHECK(get(a, "/api/event", "rid=500") == 200);
	CHECK(has(&a->out, "{\"rid\":500,\"record\":{\"Event\""));
	CHECK(has(&a->out, "<script>x()</script>"));
	CHECK(get(a, "/api/event", "rid=5000") == 404);
}

static void test_histogram(struct api *a)
{
	uint64_t sum = 0;
	const char *p;

	CHECK(get(a, "/api/histogram", "buckets=10") == 200);
	CHECK(number_after(&a->out, "\"total\":") == NEVENTS);
	p = strstr(a->out.data, "\"counts\":[");
	for (p = p ? p + 10 : NULL; p && *p && *p != ']'; p++) {
		sum += strtoull(p, (char **)&p, 10);
		if (*p == ']')
			break;
	}
	CHECK(sum == NEVENTS);
	CHECK(get(a, "/api/histogram", "id=1&buckets=1") == 200);
	CHECK(has(&a->out, "\"counts\":[101]"));
	CHECK(get(a, "/api/histogram",
		  "since=1735689610000&until=1735689620000&buckets=5") == 200);
	CHECK(has(&a->out, "\"bucket_ms\":2000,"));
	CHECK(has(&a->out, "\"counts\":[2,2,2,2,2]"));
}

static void test_process(struct api *a)
{
	CHECK(get(a, "/api/process",
		  "guid={00000120-0000-0000-0000-000000000000}") == 200);
	CHECK(has(&a->out, "\"process\":{\"guid\":\"{00000120"));
	/* its parent {root}, and {root}'s parent outside the log */
	CHECK(has(&a->out, "\"ancestors\":[{\"guid\":\"{outside}\""));
	CHECK(has(&a->out, "\"known\":false"));
	CHECK(has(&a->out, "{\"guid\":\"{root}\""));
	/* 99 siblings (every other ProcessCreate but event 1's) */
	CHECK(has(&a->out, "\"siblings\":[{"));
	CHECK(!has(&a->out, "\"siblings\":[{\"guid\":\"{00000120"));
	/* a parent: its children, though it is the only one of its kind */
	CHECK(get(a, "/api/process", "guid={ROOT}") == 200);
	CHECK(has(&a->out, "\"children\":[{\"guid\":\"{00000010"));
	/* a GUID with no ProcessCreate: no process, no error */
	CHECK(get(a, "/api/process", "guid={outside}") == 200);
	CHECK(has(&a->out, "\"process\":null"));
	CHECK(has(&a->out, "\"children\":[{\"guid\":\"{root}\""));
}

static void test_bad_requests(struct api *a)
{
	static const char *const bad[][2] = {
		{ "/api/events", "nope=1" },
		{ "/api/events", "limit=0" },
		{ "/api/events", "limit=501" },
		{ "/api/events", "limit=1x" },
		{ "/api/events", "limit=99999999999999999999999" },
		{ "/api/events", "limit=1&limit=2" },
		{ "/api/events", "before=1&after=1" },
		{ "/api/events", "order=asc&before=3" },
		{ "/api/events", "order=sideways" },
		{ "/api/events", "id=999" },
		{ "/api/events", "id=1,,3" },
		{ "/api/events", "since=yesterday" },
		{ "/api/events", "since=2025-01-02&until=2025-01-01" },
		{ "/api/events", "field=NoSuchField=1" },
		{ "/api/events", "field=Image" },
		{ "/api/events", "process=<x>" },
		{ "/api/events", "q=a\tb" },
		{ "/api/events", "rid=1" },
		{ "/api/event", "" },
		{ "/api/event", "rid=0" },
		{ "/api/process", "" },
		{ "/api/process", "guid=;drop" },
		{ "/api/histogram", "buckets=0" },
		{ "/api/histogram", "buckets=1001" },
		{ "/api/meta", "source=nowhere" },
	};
	char many[1024] = "";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int status = get(a, bad[i][0], bad[i][1]);

		CHECK(status == 400);
		CHECK(has(&a->out, "{\"error\":\""));
		if (status != 400)
			fprintf(stderr, "  %s?%s: %d %s\n", bad[i][0],
				bad[i][1], status, a->out.data);
	}
	for (int i = 0; i < WEB_MAX_PARAMS + 1; i++)
		strcat(many, "field=Image=x&");
	CHECK(get(a, "/api/events", many) == 400);
	CHECK(get(a, "/api/nothing", "") == 404);
	CHECK(get(a, "/api/meta", "") == 200);
	CHECK(has(&a->out, "\"last_rid\":1000"));
	CHECK(has(&a->out, "\"hosts\":[\"webhost\"]"));
	CHECK(get(a, "/api/catalog", "") == 200);
	CHECK(has(&a->out, "{\"id\":1,\"task\":\"Process Create\""));
}

static void test_token(void)
{
	char path[300], tok[TOKEN_LEN + 1], again[TOKEN_LEN + 1];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/web.token", tmpdir);
	CHECK(token_read(path, tok) == -ENOENT);
	CHECK(token_create(path, (gid_t)-1) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK(token_read(path, tok) == 0 && strlen(tok) == TOKEN_LEN);
	/* a second install keeps it */
	CHECK(token_create(path, (gid_t)-1) == 1);
	CHECK(token_read(path, again) == 0 && strcmp(tok, again) == 0);
	CHECK(token_equal(tok, tok, TOKEN_LEN));
	again[10] ^= 1;
	CHECK(!token_equal(tok, again, TOKEN_LEN));
	CHECK(!token_equal(tok, tok, TOKEN_LEN - 1));
	CHECK(!token_equal(tok, "", 0));
	/* not a token: upper case, short, long */
	f = fopen(path, "w");
	if (f) {
		fputs("ABCDEF\n", f);
		fclose(f);
	}
	CHECK(token_read(path, tok) == -EINVAL);
	CHECK(token_create(path, (gid_t)-1) == 0); /* replaced */
	CHECK(token_read(path, tok) == 0);
}

int main(void)
{
	struct api a = { .srcs = { NULL } };
	char path[300], cmd[300];
	sqlite3 *db = NULL;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/web_test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/events.db", tmpdir);
	CHECK(build(path) == 0);
	CHECK(store_open_ro(path, 1000, &db) == 0);
	if (db) {
		web_store_source(&a.local, db);
		a.srcs[0] = &a.local;
		buf_init(&a.out, 8u << 20);
		test_paging(&a);
		test_filters(&a);
		test_histogram(&a);
		test_process(&a);
		test_bad_requests(&a);
		buf_release(&a.out);
		sqlite3_close(db);
	}
	test_token();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return tap_done("web_test");
}
