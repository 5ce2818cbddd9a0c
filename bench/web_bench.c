/* SPDX-License-Identifier: MIT */
/*
 * bench/web_bench.c - the web viewer's API on a big store: what one
 * request of the pages costs, through web_api() and the local source (no
 * HTTP: the server adds a copy and a socket write), on EVENTS stored
 * events, against a baseline measured in the same run:
 *
 *   page:      /api/events?limit=100 at 20 depths spread over the store
 *              (keyset: before=ID), vs the same page by LIMIT/OFFSET in
 *              plain SQL without rendering (what paging by offset costs);
 *   walk:      200 consecutive pages from the middle, ms per page;
 *   filtered:  Image= (indexed), DestinationPort= (read from the values,
 *              bounded window), free text (bounded window), one process's
 *              timeline, the process page, the histogram.
 *
 * usage: web_bench [EVENTS [DIR]]   (defaults 1000000 /var/tmp)
 * Prints key=value lines; bench/run.sh picks web_page_ms and
 * web_page_offset_ms.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "web/internal.h"

#define T0_NS  1735689600000000000ull
#define DEPTHS 20
#define WALK   200
#define RUNS   5

static const char *const images[] = {
	"/usr/bin/bash", "/usr/bin/curl",	"/usr/bin/git",
	"/usr/bin/ls",	 "/usr/bin/python3.11", "/usr/sbin/sshd",
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Every 10th event starts a process; the 9 after it are its network
 * connections and files.  One event in 100,000 names a rare host. */
static void fill(struct event *ev, uint64_t i)
{
	char guid[64], parent[64], v[160];
	unsigned kind = (unsigned)(i % 10);

	snprintf(guid, sizeof(guid), "{5b8e3f2a-%04llx-%04llx-0000-%012llx}",
		 (unsigned long long)(i / 10 >> 16 & 0xffff),
		 (unsigned long long)(i / 10 & 0xffff),
		 (unsigned long long)(i / 10));
	snprintf(parent, sizeof(parent),
		 "{5b8e3f2a-%04llx-%04llx-0000-%012llx}",
		 (unsigned long long)(i / 100 >> 16 & 0xffff),
		 (unsigned long long)(i / 100 & 0xffff),
		 (unsigned long long)(i / 100));
	event_init(ev, kind == 0 ? 1 : kind < 7 ? 3 : 11);
	event_set_named(ev, "ProcessGuid", guid);
	event_set_named(ev, "ProcessId", "4242");
	event_set_named(ev, "Image", images[i / 10 % 6]);
	event_set_named(ev, "User", "root");
	if (kind == 0) {
		snprintf(v, sizeof(v), "%s --job %llu%s", images[i / 10 % 6],
			 (unsigned long long)i,
			 i % 100000 == 0 ? " nc.openbsd" : "");
		event_set_named(ev, "CommandLine", v);
		event_set_named(ev, "ParentProcessGuid", parent);
		event_set_named(ev, "ParentImage", "/usr/sbin/cron");
	} else if (kind < 7) {
		event_set_named(ev, "Protocol", "tcp");
		event_set_named(ev, "DestinationIp", "10.0.0.7");
		event_set_named(ev, "DestinationPort",
				kind == 1 ? "443" : "80");
	} else {
		snprintf(v, sizeof(v), "/tmp/build/%llu.o",
			 (unsigned long long)i);
		event_set_named(ev, "TargetFilename", v);
	}
	ev->record_id = i;
	event_set_time(ev, T0_NS + i * 1000000ull); /* 1000 events/s */
}

static int build(const char *path, uint64_t n)
{
	struct render_host h;
	struct sink *s;
	int err = 0;

	render_host_defaults(&h);
	h.computer = "bench";
	s = sink_store_new(path, 0, 0, &h);
	if (!s)
		return -errno;
	for (uint64_t i = 1; i <= n && !err; i++) {
		struct event ev;

		fill(&ev, i);
		err = s->write(s, &ev);
		event_release(&ev);
		if (!err && i % 1000 == 0)
			err = s->flush(s);
	}
	if (!err)
		err = s->flush(s);
	s->free(s);
	return err;
}

struct api {
	struct web_source local;
	struct web_source *srcs[1];
	struct buf out;
};

/* One request: ms, or -1 when it did not answer 200. */
static double request(struct api *a, const char *path,
		      const struct web_param *p, unsigned n)
{
	uint64_t t = mono_ns();
	int status = web_api(a->srcs, 1, path, p, n, T0_NS, &a->out);

	if (status != 200) {
		fprintf(stderr, "web_bench: %s: %d %s\n", path, status,
			a->out.data ? a->out.data : "");
		return -1;
	}
	return (double)(mono_ns() - t) / 1e6;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* The median of RUNS runs of one request. */
static double timed(struct api *a, const char *path, const struct web_param *p,
		    unsigned n)
{
	double v[RUNS];

	for (int i = 0; i < RUNS; i++)
		v[i] = request(a, path, p, n);
	return median(v, RUNS);
}

/* The baseline: the page at an offset, newest first, rows only. */
static double offset_page(sqlite3 *db, uint64_t offset)
{
	sqlite3_stmt *st = NULL;
	uint64_t t = mono_ns();
	int rows = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT EventRecordID, data FROM events"
			       " ORDER BY EventRecordID DESC LIMIT 100"
			       " OFFSET ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)offset);
	while (sqlite3_step(st) == SQLITE_ROW)
		rows++;
	sqlite3_finalize(st);
	return rows == 100 ? (double)(mono_ns() - t) / 1e6 : -1;
}

static uint64_t next_before(const struct buf *b)
{
	const char *p = b->data ? strstr(b->data, "\"next_before\":") : NULL;

	return p ? strtoull(p + 14, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	const char *dir = argc > 2 ? argv[2] : "/var/tmp";
	double page[DEPTHS], offset[DEPTHS], walk_ms;
	char path[512], before[32], guid[64];
	struct api a = { .srcs = { NULL } };
	sqlite3 *db = NULL;
	uint64_t t, b;

	log_set_level(LOG_LVL_WARN);
	if (n < 100000) {
		fprintf(stderr, "web_bench: at least 100000 events\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/web_bench.%d.db", dir, (int)getpid());
	t = mono_ns();
	if (build(path, n)) {
		fprintf(stderr, "web_bench: cannot build %s\n", path);
		return 1;
	}
	printf("web_events=%llu\nweb_build_s=%.1f\n", (unsigned long long)n,
	       (double)(mono_ns() - t) / 1e9);
	if (store_open_ro(path, 5000, &db)) {
		fprintf(stderr, "web_bench: cannot open %s\n", path);
		return 1;
	}
	web_store_source(&a.local, db);
	a.srcs[0] = &a.local;
	buf_init(&a.out, 8u << 20);

	/* keyset pages at 20 depths vs OFFSET pages at the same depths */
	for (int i = 0; i < DEPTHS; i++) {
		uint64_t depth = n / DEPTHS * (uint64_t)i;
		struct web_param p[] = { { "limit", "100" },
					 { "before", before } };

		snprintf(before, sizeof(before), "%llu",
			 (unsigned long long)(n - depth + 1));
		page[i] = timed(&a, "/api/events", p, 2);
		offset[i] = offset_page(db, depth);
	}
	{
		const char *c =
			a.out.data ? strstr(a.out.data, "\"count\":") : NULL;

		printf("web_page_events=%.*s\n",
		       c ? (int)strcspn(c + 8, ",}") : 1, c ? c + 8 : "?");
	}
	printf("web_page_ms=%.2f\nweb_page_max_ms=%.2f\n", median(page, DEPTHS),
	       page[DEPTHS - 1]);
	printf("web_page_offset_ms=%.2f\nweb_page_offset_max_ms=%.2f\n",
	       median(offset, DEPTHS), offset[DEPTHS - 1]);

	/* following "Older events" 200 times from the middle */
	b = n / 2;
	t = mono_ns();
	for (int i = 0; i < WALK; i++) {
		struct web_param p[] = { { "limit", "100" },
					 { "before", before } };

		snprintf(before, sizeof(before), "%llu", (unsigned long long)b);
		request(&a, "/api/events", p, 2);
		b = next_before(&a.out);
	}
	walk_ms = (double)(mono_ns() - t) / 1e6 / WALK;
	printf("web_walk_ms_per_page=%.2f\n", walk_ms);

	{
		struct web_param img[] = { { "field", "Image=/usr/bin/curl" } };
		struct web_param port[] = { { "field",
					      "DestinationPort=443" } };
		struct web_param text[] = { { "q", "nc.openbsd" } };
		struct web_param hist[] = { { "buckets", "200" } };
		struct web_param hist1[] = { { "id", "1" },
					     { "buckets", "200" } };
		struct web_param proc[] = { { "guid", guid } };
		struct web_param tl[] = { { "process", guid },
					  { "order", "asc" } };

		snprintf(guid, sizeof(guid),
			 "{5b8e3f2a-%04llx-%04llx-0000-%012llx}",
			 (unsigned long long)(n / 20 >> 16 & 0xffff),
			 (unsigned long long)(n / 20 & 0xffff),
			 (unsigned long long)(n / 20));
		printf("web_image_page_ms=%.2f\n",
		       timed(&a, "/api/events", img, 1));
		printf("web_field_page_ms=%.2f\n",
		       timed(&a, "/api/events", port, 1));
		printf("web_text_window_ms=%.2f\n",
		       timed(&a, "/api/events", text, 1));
		printf("web_histogram_ms=%.2f\n",
		       timed(&a, "/api/histogram", hist, 1));
		printf("web_histogram_id_ms=%.2f\n",
		       timed(&a, "/api/histogram", hist1, 2));
		printf("web_process_ms=%.2f\n",
		       timed(&a, "/api/process", proc, 1));
		printf("web_timeline_ms=%.2f\n",
		       timed(&a, "/api/events", tl, 2));
	}
	buf_release(&a.out);
	sqlite3_close(db);
	unlink(path);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-shm");
	unlink(path);
	return 0;
}
