/* SPDX-License-Identifier: MIT */
/*
 * bench/store_bench.c - the event store's figures, each against a
 * baseline measured in the same run:
 *
 *   insert: realistic events through the real store sink in batches
 *           (render JSON + insert + commit per batch), vs the same JSON
 *           lines appended to a plain file with one write(2) per batch;
 *   query:  `vigil view --field Image=...` and a ProcessGuid lookup
 *           through view_query() on N stored events, vs the same
 *           condition as a full scan (NOT INDEXED).
 *
 * Insert and append alternate over ROUNDS rounds (which goes first
 * alternates too), each into a new file, so a burst of load from a
 * neighbour hits both alike; the figures are medians with min-max.
 *
 * usage: store_bench [EVENTS [BATCH [DIR [insert-only [ROUNDS]]]]]
 *        (defaults 1000000 1000 /var/tmp - 3)
 * Prints key=value lines; bench/run.sh picks store_insert_events_per_s
 * and store_query_ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "view/view.h"

#define T0_NS	   1735689600000000000ull
#define QUERY_RUNS 5
/* Size limit of the retention run: small enough to be hit early. */
#define RETENTION_LIMIT (64ull * 1024 * 1024)

static const char *const images[] = {
	"/usr/bin/bash",       "/usr/bin/curl",
	"/usr/bin/git",	       "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
	"/usr/bin/python3.11", "/usr/bin/systemctl",
	"/usr/sbin/sshd",      "/usr/bin/ls",
	"/usr/bin/grep",       "/usr/bin/sed",
};
#define RARE_IMAGE "/usr/bin/nc.openbsd"
#define RARE_EVERY 10000

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The ProcessGuid of the process started by event n, shaped like vigil's
 * (machine prefix, start time in seconds low half first, a start key):
 * GUIDs of processes started close together sort close together, which
 * is what keeps their index cheap to insert into.
 */
static void guid(char *out, size_t size, uint64_t n)
{
	uint64_t t_ns = T0_NS + n * 1000000ull;
	uint32_t t_s = (uint32_t)(t_ns / 1000000000ull);
	uint64_t key = t_ns ^ ((n % 50000) << 40);

	snprintf(out, size, "{5b8e3f2a-%04x-%04x-%04x-%012llx}", t_s & 0xffffu,
		 t_s >> 16, (unsigned)(key >> 48),
		 (unsigned long long)(key & 0xffffffffffffull));
}

/*
 * event_set_named() with the field index cached by name pointer (the names
 * here are literals): the workload should cost little next to what it
 * measures.
 */
static void set(struct event *ev, const char *name, const char *v)
{
	static struct {
		const struct catalog_event *def;
		const char *name;
		int idx;
	} cache[64];
	static unsigned n;
	int idx = -1;

	for (unsigned k = 0; k < n; k++)
		if (cache[k].def == ev->def && cache[k].name == name) {
			idx = cache[k].idx;
			break;
		}
	if (idx < 0) {
		idx = catalog_field_index(ev->def, name);
		if (n < 64)
			cache[n++] =
				(__typeof__(cache[0])){ ev->def, name, idx };
	}
	if (idx >= 0)
		event_set_str(ev, (unsigned)idx, v);
}

/*
 * Event i of the workload: 60% ProcessCreate, 20% NetworkConnect, 15%
 * ProcessTerminate, 5% FileCreate, with values of realistic length.
 */
static struct event *make(struct event pool[4], uint64_t i)
{
	static const unsigned mix[20] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
					  1, 1, 3, 3, 3, 3, 5, 5, 5, 11 };
	const char *image =
		i % RARE_EVERY == 7 ? RARE_IMAGE : images[(i * 7) % 10];
	unsigned id = mix[i % 20];
	struct event *ev = &pool[id == 1 ? 0 : id == 3 ? 1 : id == 5 ? 2 : 3];
	char v[400];

	if (!ev->def)
		event_init(ev, id);
	event_reset(ev);
	ev->record_id = i + 1;
	event_set_time(ev, T0_NS + i * 1000000ull);
	/* events other than 1 are about a process started a while ago */
	guid(v, sizeof(v),
	     id == 1 ? i : i - (i * 31) % (i < 5000 ? i + 1 : 5000));
	set(ev, "ProcessGuid", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)(10000 + i % 50000));
	set(ev, "ProcessId", v);
	set(ev, "Image", image);
	set(ev, "User", "builder");
	switch (id) {
	case 1:
		snprintf(v, sizeof(v),
			 "%s -O2 -g -Wall -c src/module%llu/file%llu.c -o "
			 ".build/src/module%llu/file%llu.o -MMD -MP",
			 image, (unsigned long long)(i % 97),
			 (unsigned long long)(i % 1013),
			 (unsigned long long)(i % 97),
			 (unsigned long long)(i % 1013));
		set(ev, "CommandLine", v);
		set(ev, "CurrentDirectory", "/home/builder/src");
		set(ev, "LogonGuid", "{5b8e3f2a-0000-0000-e803-000000000000}");
		set(ev, "LogonId", "0x3e8");
		set(ev, "TerminalSessionId", "4");
		set(ev, "IntegrityLevel", "no level");
		set(ev, "Hashes",
		    "SHA1=1c2f7ee8c4e5b0b5b8a4e0a1c1e6a3f0d8f5e9a1,"
		    "MD5=0cc175b9c0f1b6a831c399e269772661,SHA256="
		    "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807"
		    "785afee48bb");
		guid(v, sizeof(v), i - i % 40); /* make, every 40 events */
		set(ev, "ParentProcessGuid", v);
		set(ev, "ParentProcessId", "4000");
		set(ev, "ParentImage", "/usr/bin/make");
		set(ev, "ParentCommandLine", "make -j2 all");
		set(ev, "ParentUser", "builder");
		break;
	case 3:
		set(ev, "Protocol", "tcp");
		set(ev, "Initiated", "true");
		set(ev, "SourceIsIpv6", "false");
		set(ev, "SourceIp", "10.0.2.15");
		event_setf(ev, catalog_field_index(ev->def, "SourcePort"), "%u",
			   (unsigned)(32768 + i % 28000));
		set(ev, "DestinationIsIpv6", "false");
		set(ev, "DestinationIp", "151.101.2.132");
		set(ev, "DestinationHostname", "deb.debian.org");
		set(ev, "DestinationPort", "443");
		set(ev, "DestinationPortName", "https");
		break;
	case 11:
		snprintf(v, sizeof(v), "/home/builder/src/.build/obj%llu.o",
			 (unsigned long long)i);
		set(ev, "TargetFilename", v);
		set(ev, "CreationUtcTime", "2025-01-01 00:00:00.000");
		break;
	default:
		break;
	}
	return ev;
}

/* CPU seconds (user + system) this process has used so far. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double rate(uint64_t n, uint64_t ns)
{
	return ns ? (double)n * 1e9 / (double)ns : 0;
}

/*
 * Insert n events through the sink; with max_bytes, retention runs as it
 * would on a full store, and the largest database + WAL size seen after a
 * flush goes to *peak_bytes.
 */
static int bench_insert(const char *path, uint64_t n, unsigned batch,
			uint64_t max_bytes, const char *tag, double *per_s,
			uint64_t *peak_bytes)
{
	struct render_host h;
	struct event pool[4] = { 0 }, *ev;
	struct sink *s;
	uint64_t t0, t1, write_ns = 0, flush_ns = 0, flush_max_ns = 0;
	double cpu0;
	int err = 0;

	render_host_defaults(&h);
	h.computer = "benchhost";
	s = sink_store_new(path, max_bytes, 0, &h);
	if (!s)
		return -errno;
	*peak_bytes = 0;
	cpu0 = cpu_s();
	t0 = mono_ns();
	for (uint64_t i = 0; i < n && !err; i++) {
		ev = make(pool, i);
		t1 = mono_ns();
		err = s->write(s, ev);
		write_ns += mono_ns() - t1;
		if (!err && (i % batch == batch - 1 || i == n - 1)) {
			uint64_t d;

			t1 = mono_ns();
			err = s->flush(s);
			d = mono_ns() - t1;
			flush_ns += d;
			if (d > flush_max_ns)
				flush_max_ns = d;
			if (max_bytes && sink_store_bytes(s) > *peak_bytes)
				*peak_bytes = sink_store_bytes(s);
		}
	}
	*per_s = rate(n, mono_ns() - t0);
	/* where the time goes: rendering + insert, commit (+ checkpoint) */
	printf("%s_write_s=%.3f %s_flush_s=%.3f %s_flush_max_ms=%.1f "
	       "%s_cpu_us_per_event=%.2f\n",
	       tag, (double)write_ns / 1e9, tag, (double)flush_ns / 1e9, tag,
	       (double)flush_max_ns / 1e6, tag,
	       (cpu_s() - cpu0) * 1e6 / (double)n);
	for (int k = 0; k < 4; k++)
		event_release(&pool[k]);
	s->free(s);
	return err;
}

/* The baseline: the same JSON lines, one write(2) per batch. */
static int bench_append(const char *path, uint64_t n, unsigned batch,
			double *per_s)
{
	struct render_host h;
	struct event pool[4] = { 0 }, *ev;
	struct buf b;
	uint64_t t0;
	double cpu0;
	int fd, err = 0;

	render_host_defaults(&h);
	h.computer = "benchhost";
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0640);
	if (fd < 0)
		return -errno;
	buf_init(&b, 0);
	cpu0 = cpu_s();
	t0 = mono_ns();
	for (uint64_t i = 0; i < n && !err; i++) {
		ev = make(pool, i);
		err = render_event(&b, &h, ev, RENDER_JSON, T0_NS);
		buf_addc(&b, '\n');
		if (i % batch == batch - 1 || i == n - 1) {
			if (write(fd, b.data, b.len) != (ssize_t)b.len)
				err = -EIO;
			buf_reset(&b);
		}
	}
	*per_s = rate(n, mono_ns() - t0);
	printf("append_cpu_us_per_event=%.2f\n",
	       (cpu_s() - cpu0) * 1e6 / (double)n);
	for (int k = 0; k < 4; k++)
		event_release(&pool[k]);
	buf_release(&b);
	close(fd);
	return err;
}

static int count_row(const struct view_row *row, void *arg)
{
	(void)row;
	(*(uint64_t *)arg)++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median time of a view_query() with one field condition, in us. */
static double time_view(sqlite3 *db, const char *cond, uint64_t *hits)
{
	uint64_t t[QUERY_RUNS];
	struct view_filter f;

	memset(&f, 0, sizeof(f));
	view_parse_cond(cond, &f.conds[f.nconds++], NULL, 0);
	for (int r = 0; r < QUERY_RUNS; r++) {
		uint64_t t0 = mono_ns();

		*hits = 0;
		view_query(db, &f, 0, count_row, hits);
		t[r] = mono_ns() - t0;
	}
	qsort(t, QUERY_RUNS, sizeof(t[0]), cmp_u64);
	return (double)t[QUERY_RUNS / 2] / 1e3;
}

/* The same condition without the index: a full scan of the table. */
static double time_scan(sqlite3 *db, const char *col, const char *field,
			const char *value, uint64_t *hits)
{
	uint64_t t[QUERY_RUNS];
	sqlite3_stmt *st = NULL;
	char sql[300];

	snprintf(sql, sizeof(sql),
		 "SELECT EventRecordID, data FROM events NOT INDEXED"
		 " WHERE %s = vigil_key(?1) AND vigil_is(EventID, data, '%s',"
		 " ?1) ORDER BY EventRecordID DESC",
		 col, field);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	for (int r = 0; r < QUERY_RUNS; r++) {
		uint64_t t0 = mono_ns();

		*hits = 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			(*hits)++;
		sqlite3_reset(st);
		t[r] = mono_ns() - t0;
	}
	sqlite3_finalize(st);
	qsort(t, QUERY_RUNS, sizeof(t[0]), cmp_u64);
	return (double)t[QUERY_RUNS / 2] / 1e3;
}

static void remove_store(const char *path)
{
	char p[700];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static uint64_t fsize(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[0..n), with v sorted in place; *lo and *hi its ends. */
static double median(double *v, int n, double *lo, double *hi)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	*lo = v[0];
	*hi = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_ROUNDS 9

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	unsigned batch = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000;
	const char *base = argc > 3 ? argv[3] : "/var/tmp";
	char dir[512], db_path[600], log_path[600], guid_cond[128], g[64];
	double ins = 0, app = 0, ret = 0, q_img, s_img, q_guid, s_guid;
	double ins_r[MAX_ROUNDS], app_r[MAX_ROUNDS], ratio_r[MAX_ROUNDS];
	double ins_lo, ins_hi, app_lo, app_hi, ratio, ratio_lo, ratio_hi;
	int rounds = argc > 5 ? atoi(argv[5]) : 3;
	char ret_path[600];
	uint64_t peak = 0;
	uint64_t hits, scan_hits;
	sqlite3 *db = NULL;
	int err;

	if (!n || !batch || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: store_bench [EVENTS [BATCH [DIR "
				"[insert-only|- [ROUNDS<=9]]]]]\n");
		return 1;
	}
	log_set_level(LOG_LVL_WARN);
	snprintf(dir, sizeof(dir), "%s/store_bench.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db_path, sizeof(db_path), "%s/events.db", dir);
	snprintf(log_path, sizeof(log_path), "%s/events.jsonl", dir);

	for (int r = 0; r < rounds; r++) {
		/* a fresh file each round; the last store stays for queries */
		remove_store(db_path);
		unlink(log_path);
		if (r % 2 == 0) {
			err = bench_append(log_path, n, batch, &app_r[r]);
			if (!err)
				err = bench_insert(db_path, n, batch, 0,
						   "insert", &ins_r[r], &peak);
		} else {
			err = bench_insert(db_path, n, batch, 0, "insert",
					   &ins_r[r], &peak);
			if (!err)
				err = bench_append(log_path, n, batch,
						   &app_r[r]);
		}
		if (err) {
			fprintf(stderr, "store_bench: %s\n", strerror(-err));
			return 1;
		}
		ratio_r[r] = app_r[r] > 0 ? ins_r[r] / app_r[r] : 0;
		printf("round=%d insert_events_per_s=%.0f "
		       "append_events_per_s=%.0f ratio=%.2f\n",
		       r + 1, ins_r[r], app_r[r], ratio_r[r]);
	}
	ins = median(ins_r, rounds, &ins_lo, &ins_hi);
	app = median(app_r, rounds, &app_lo, &app_hi);
	ratio = median(ratio_r, rounds, &ratio_lo, &ratio_hi);
	printf("store_events=%llu store_batch=%u store_rounds=%d\n",
	       (unsigned long long)n, batch, rounds);
	printf("store_insert_events_per_s=%.0f\n", ins);
	printf("store_insert_min=%.0f store_insert_max=%.0f\n", ins_lo, ins_hi);
	printf("baseline_append_events_per_s=%.0f\n", app);
	printf("baseline_append_min=%.0f baseline_append_max=%.0f\n", app_lo,
	       app_hi);
	printf("store_insert_vs_append=%.2f\n", ratio);
	printf("store_ratio_min=%.2f store_ratio_max=%.2f\n", ratio_lo,
	       ratio_hi);
	printf("store_bytes=%llu bytes_per_event=%.0f jsonl_bytes=%llu\n",
	       (unsigned long long)fsize(db_path),
	       (double)fsize(db_path) / (double)n,
	       (unsigned long long)fsize(log_path));

	/* the same with a full store: every flush also deletes the oldest */
	snprintf(ret_path, sizeof(ret_path), "%s/retention.db", dir);
	err = bench_insert(ret_path, n / 3, batch, RETENTION_LIMIT, "retention",
			   &ret, &peak);
	if (err) {
		fprintf(stderr, "store_bench: %s\n", strerror(-err));
		return 1;
	}
	printf("store_insert_retention_events_per_s=%.0f limit_bytes=%llu "
	       "peak_db_wal_bytes=%llu\n",
	       ret, (unsigned long long)RETENTION_LIMIT,
	       (unsigned long long)peak);
	remove_store(ret_path);

	if (argc > 4 && strcmp(argv[4], "insert-only") == 0)
		goto cleanup;
	if (store_open_ro(db_path, 5000, &db) < 0) {
		fprintf(stderr, "store_bench: cannot reopen the store\n");
		return 1;
	}
	q_img = time_view(db, "Image=" RARE_IMAGE, &hits);
	s_img = time_scan(db, "image_key", "Image", RARE_IMAGE, &scan_hits);
	printf("query_image_hits=%llu scan_hits=%llu\n",
	       (unsigned long long)hits, (unsigned long long)scan_hits);
	guid(g, sizeof(g), n / 2);
	snprintf(guid_cond, sizeof(guid_cond), "ProcessGuid=%s", g);
	q_guid = time_view(db, guid_cond, &hits);
	s_guid = time_scan(db, "guid_key", "ProcessGuid", g, &scan_hits);
	printf("query_guid_hits=%llu scan_hits=%llu\n",
	       (unsigned long long)hits, (unsigned long long)scan_hits);
	printf("store_query_ms=%.3f\n", q_img / 1e3);
	printf("query_image_ms=%.3f baseline_scan_image_ms=%.3f "
	       "speedup=%.0f\n",
	       q_img / 1e3, s_img / 1e3, q_img > 0 ? s_img / q_img : 0);
	printf("query_guid_ms=%.3f baseline_scan_guid_ms=%.3f speedup=%.0f\n",
	       q_guid / 1e3, s_guid / 1e3, q_guid > 0 ? s_guid / q_guid : 0);
	sqlite3_close(db);
cleanup:
	remove_store(db_path);
	unlink(log_path);
	rmdir(dir);
	return 0;
}
