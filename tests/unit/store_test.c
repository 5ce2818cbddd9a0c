/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for store/ and the file sinks: events go in through the sink
 * API and come back out of a real SQLite file; retention keeps the files
 * under their limit; record ids survive a reopen; damaged and foreign
 * files are told apart; file modes are as promised.
 *
 * Also a writer for the integration tests:
 *   store_test --burst DB COUNT BATCH [DELAY_MS]
 * writes COUNT events in batches through the store sink, continuing the
 * record ids, and prints "committed <id>" after each successful flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/log.h"
#include "tap.h"

#define T0_NS 1735689600000000000ull /* 2025-01-01 00:00:00 UTC */

static char tmpdir[256];

static struct render_host test_host(void)
{
	struct render_host h;

	render_host_defaults(&h);
	h.computer = "testhost";
	h.pid = 4242;
	h.tid = 4243;
	h.euid = 0;
	return h;
}

/* A ProcessCreate that looks like a real one (about 1 KB of JSON). */
static void make_event(struct event *ev, uint64_t rid, uint64_t t_ns)
{
	char v[256];

	event_init(ev, 1);
	ev->record_id = rid;
	event_set_time(ev, t_ns);
	snprintf(v, sizeof(v), "{5b8e3f2a-%04llx-%04llx-0000-00000000%04llx}",
		 (unsigned long long)(rid >> 16) & 0xffff,
		 (unsigned long long)rid & 0xffff,
		 (unsigned long long)rid % 9973);
	event_set_named(ev, "ProcessGuid", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)(1000 + rid));
	event_set_named(ev, "ProcessId", v);
	event_set_named(ev, "Image",
			rid % 3 ? "/usr/bin/curl" : "/usr/bin/bash");
	snprintf(v, sizeof(v),
		 "curl -s -o /tmp/out.%llu https://example.org/a?x=1&y=\"2\"",
		 (unsigned long long)rid);
	event_set_named(ev, "CommandLine", v);
	event_set_named(ev, "CurrentDirectory", "/home/alice");
	event_set_named(ev, "User", "alice");
	event_set_named(ev, "LogonGuid",
			"{5b8e3f2a-0000-0000-e803-000000000000}");
	event_set_named(ev, "LogonId", "0x3e8");
	event_set_named(ev, "TerminalSessionId", "3");
	event_set_named(ev, "IntegrityLevel", "no level");
	event_set_named(
		ev, "Hashes",
		"SHA1=1c2f7ee8c4e5b0b5b8a4e0a1c1e6a3f0d8f5e9a1,"
		"MD5=0cc175b9c0f1b6a831c399e269772661,"
		"SHA256=ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807"
		"785afee48bb");
	event_set_named(ev, "ParentProcessGuid",
			"{5b8e3f2a-0000-0000-0000-000000000001}");
	event_set_named(ev, "ParentProcessId", "999");
	event_set_named(ev, "ParentImage", "/usr/bin/bash");
	event_set_named(ev, "ParentCommandLine", "-bash");
	event_set_named(ev, "ParentUser", "alice");
}

static void path_in_tmp(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tmpdir, name);
}

static uint64_t fsize(const char *path, const char *suffix)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (store_open_ro(path, 1000, &db) == 0 &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int write_range(struct sink *s, uint64_t first, uint64_t n,
		       uint64_t t_ns)
{
	int err = 0;

	for (uint64_t i = 0; i < n && !err; i++) {
		struct event ev;

		make_event(&ev, first + i, t_ns + i * 1000000ull);
		err = s->write(s, &ev);
		event_release(&ev);
	}
	return err;
}

static void test_insert_and_read_back(void)
{
	struct render_host h = test_host();
	char path[300];
	struct sink *s;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct event in, out;
	uint64_t created = 0;

	path_in_tmp(path, sizeof(path), "basic/events.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(s->last_record_id(s) == 0);
	CHECK(write_range(s, 1, 99, T0_NS) == 0);
	/* a tricky value: quotes, markup, a newline, non-ASCII */
	make_event(&in, 100, T0_NS + 5000000000ull);
	event_set_named(&in, "CommandLine",
			"sh -c 'echo \"<a&b>\"\nls' \xed\x95\x9c");
	CHECK(s->write(s, &in) == 0);
	/* not committed yet: a reader sees nothing */
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 0);
	CHECK(s->flush(s) == 0);
	CHECK(s->last_record_id(s) == 100);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 100);
	CHECK(sql_int(path, "SELECT count(*) FROM events WHERE Image ="
			    " '/usr/bin/bash'") == 33);
	CHECK(sql_int(path, "SELECT time_ns FROM events"
			    " WHERE EventRecordID = 100") ==
	      (int64_t)(T0_NS + 5000000000ull));

	CHECK(store_open_ro(path, 1000, &db) == 0);
	CHECK(sqlite3_prepare_v2(db,
				 "SELECT EventID, data, created_ns,"
				 " vigil_field(EventID, data, 'CommandLine'),"
				 " vigil_field(EventID, data, 'FileVersion'),"
				 " vigil_field(EventID, data, 'QueryName'),"
				 " (SELECT Computer FROM runs r"
				 "  WHERE r.run = e.run)"
				 " FROM events e WHERE EventRecordID = 100",
				 -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	memset(&out, 0, sizeof(out));
	CHECK(store_record_decode(&out, (unsigned)sqlite3_column_int(st, 0),
				  sqlite3_column_blob(st, 1),
				  (size_t)sqlite3_column_bytes(st, 1)) == 0);
	created = (uint64_t)sqlite3_column_int64(st, 2);
	/* the SQL function reads one value: as is, "-" unset, NULL none */
	CHECK_STR((const char *)sqlite3_column_text(st, 3),
		  event_named(&in, "CommandLine"));
	CHECK_STR((const char *)sqlite3_column_text(st, 4), "-");
	CHECK(sqlite3_column_type(st, 5) == SQLITE_NULL);
	CHECK_STR((const char *)sqlite3_column_text(st, 6), h.computer);
	/* a blob that is not exactly the values is refused */
	{
		struct event bad;
		size_t n = (size_t)sqlite3_column_bytes(st, 1);

		CHECK(store_record_decode(&bad, 1, sqlite3_column_blob(st, 1),
					  n - 1) == -EINVAL);
		CHECK(store_record_decode(&bad, 1, "x", 1) == -EINVAL);
		CHECK(store_record_decode(&bad, 9999, "", 0) == -EINVAL);
		event_release(&bad);
	}
	if (out.def) {
		CHECK(out.def->id == 1);
		CHECK_STR(event_named(&out, "CommandLine"),
			  event_named(&in, "CommandLine"));
		CHECK_STR(event_named(&out, "ProcessGuid"),
			  event_named(&in, "ProcessGuid"));
		CHECK_STR(event_named(&out, "UtcTime"),
			  "2025-01-01 00:00:05.000");
	}
	CHECK(created > T0_NS);
	event_release(&out);
	event_release(&in);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* a record id is stored once */
	make_event(&in, 50, T0_NS);
	CHECK(s->write(s, &in) == -EEXIST);
	in.record_id = 0;
	CHECK(s->write(s, &in) == -EINVAL);
	event_release(&in);
	CHECK(s->flush(s) == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 100);
	s->free(s);
}

/*
 * store_columns is the one list of fields with a column: each is a field
 * of ProcessCreate and a column of the events table with an index, and
 * store_is_column() says yes to exactly those (catalogue spelling).
 */
static void test_columns(void)
{
	const struct catalog_event *pc = catalog_lookup(1);
	struct render_host h = test_host();
	char path[300], sql[256];
	struct sink *s;

	path_in_tmp(path, sizeof(path), "columns/events.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(write_range(s, 1, 1, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	s->free(s);
	for (unsigned k = 0; k < STORE_NCOLUMNS; k++) {
		const char *name = store_columns[k];

		CHECK(store_is_column(name));
		CHECK(catalog_field_index(pc, name) >= 0);
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM pragma_index_list('events') l,"
			 " pragma_index_info(l.name) i WHERE i.name = '%s'",
			 name);
		CHECK(sql_int(path, sql) == 1);
	}
	CHECK(!store_is_column("image"));
	CHECK(!store_is_column("CommandLine"));
	CHECK(!store_is_column("Computer"));
	CHECK(!store_is_column("EventID"));
	CHECK(!store_is_column(""));
}

/*
 * Ids above every stored one wait for a multi-row INSERT; any other id
 * goes in alone, so a duplicate is still reported by its own write.
 */
static void test_id_order(void)
{
	struct render_host h = test_host();
	char path[300];
	struct sink *s;
	struct event ev;

	path_in_tmp(path, sizeof(path), "order/events.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(write_range(s, 1, 70, T0_NS) == 0); /* two full sets + 6 */
	CHECK(write_range(s, 200, 1, T0_NS) == 0);
	CHECK(write_range(s, 150, 1, T0_NS) == 0); /* new, below the top */
	make_event(&ev, 150, T0_NS);
	CHECK(s->write(s, &ev) == -EEXIST); /* waiting rows went in first */
	event_release(&ev);
	make_event(&ev, 33, T0_NS);
	CHECK(s->write(s, &ev) == -EEXIST);
	event_release(&ev);
	CHECK(s->flush(s) == 0);
	CHECK(s->last_record_id(s) == 200);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 72);
	CHECK(sql_int(path, "SELECT count(*) FROM events WHERE Image ="
			    " '/usr/bin/bash'") == 24);
	CHECK(sql_int(path, "SELECT count(*) FROM events WHERE"
			    " CAST(vigil_field(EventID, data, 'ProcessId') AS"
			    " INTEGER) ="
			    " 1000 + EventRecordID") == 72);
	/* an unflushed batch, part inserted and part waiting, is dropped */
	CHECK(write_range(s, 201, 40, T0_NS) == 0);
	s->free(s);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 72);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(write_range(s, 201, 40, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 112);
	s->free(s);
}

static void test_modes(void)
{
	struct render_host h = test_host();
	char path[300], dir[320];
	struct group *adm = getgrnam("adm");
	struct stat st;
	struct sink *s;

	path_in_tmp(dir, sizeof(dir), "modes");
	path_in_tmp(path, sizeof(path), "modes/events.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(write_range(s, 1, 10, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0750);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	if (adm && geteuid() == 0)
		CHECK(st.st_gid == adm->gr_gid);
	snprintf(dir, sizeof(dir), "%s-wal", path);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0640);
	if (adm && geteuid() == 0)
		CHECK(st.st_gid == adm->gr_gid);
	snprintf(dir, sizeof(dir), "%s-shm", path);
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0640);
	s->free(s);
	/* -wal and -shm stay, so group readers need not create them */
	CHECK(stat(dir, &st) == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 10);
	/* and a too-open existing file is tightened */
	CHECK(chmod(path, 0666) == 0);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	s->free(s);
}

static void test_ids_continue(void)
{
	struct render_host h = test_host();
	char path[300];
	struct sink *s;

	path_in_tmp(path, sizeof(path), "ids.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s && write_range(s, 1, 500, T0_NS) == 0 && s->flush(s) == 0);
	/* an unflushed batch is not durable and not counted */
	CHECK(s && write_range(s, 501, 10, T0_NS) == 0);
	if (s)
		s->free(s);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s && s->last_record_id(s) == 500);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 500);
	CHECK(s && write_range(s, 501, 20, T0_NS) == 0 && s->flush(s) == 0);
	if (s)
		s->free(s);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s && s->last_record_id(s) == 520);
	if (s)
		s->free(s);

	/* age retention may empty the table; the id must not go back */
	s = sink_store_new(path, 0, 3600, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	sink_store_set_retention_interval(s, 0);
	CHECK(s->flush(s) == 0);
	CHECK(sink_store_deleted(s) == 520);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 0);
	s->free(s);
	s = sink_store_new(path, 0, 3600, &h);
	CHECK(s && s->last_record_id(s) == 520);
	if (s)
		s->free(s);
}

/* A second writer of the same store is refused before it changes
 * anything; the first goes on writing. */
static void test_one_writer(void)
{
	struct render_host h = test_host();
	struct sink *s, *t;
	char path[300];
	struct stat a, b;

	path_in_tmp(path, sizeof(path), "one.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s && write_range(s, 1, 50, T0_NS) == 0 && s->flush(s) == 0);
	if (!s)
		return;
	CHECK(stat(path, &a) == 0);
	errno = 0;
	t = sink_store_new(path, 0, 0, &h);
	CHECK(t == NULL && errno == EBUSY);
	if (t)
		t->free(t);
	CHECK(sql_int(path, "SELECT count(*) FROM runs") == 1);
	CHECK(stat(path, &b) == 0 && a.st_mode == b.st_mode);
	CHECK(write_range(s, 51, 50, T0_NS) == 0 && s->flush(s) == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 100);
	s->free(s);
	/* Closed: the next one may open it. */
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s && s->last_record_id(s) == 100);
	if (s)
		s->free(s);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_retention_by_age(void)
{
	struct render_host h = test_host();
	uint64_t now = now_ns();
	char path[300];
	struct sink *s;

	path_in_tmp(path, sizeof(path), "age.db");
	s = sink_store_new(path, 0, 3600, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	sink_store_set_retention_interval(s, 0);
	/* 300 two hours old, 200 ten minutes old */
	CHECK(write_range(s, 1, 300, now - 7200000000000ull) == 0);
	CHECK(write_range(s, 301, 200, now - 600000000000ull) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 200);
	CHECK(sql_int(path, "SELECT min(EventRecordID) FROM events") == 301);
	s->free(s);
}

static void test_retention_by_size(void)
{
	const uint64_t limit = 4ull * 1024 * 1024;
	struct render_host h = test_host();
	uint64_t rid = 1, biggest = 0;
	char path[300];
	struct sink *s;

	path_in_tmp(path, sizeof(path), "size.db");
	s = sink_store_new(path, limit, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	/* about 60 MB of records through a 4 MiB store */
	for (int batch = 0; batch < 500; batch++) {
		uint64_t total;

		CHECK(write_range(s, rid, 100, T0_NS + rid * 1000000ull) == 0);
		rid += 100;
		CHECK(s->flush(s) == 0);
		total = fsize(path, "") + fsize(path, "-wal");
		if (total > biggest) {
			biggest = total;
			if (getenv("VERBOSE"))
				printf("# batch %d db %llu wal %llu\n", batch,
				       (unsigned long long)fsize(path, ""),
				       (unsigned long long)fsize(path, "-wal"));
		}
	}
	printf("# size retention: limit %llu, largest db+wal %llu, "
	       "deleted %llu of %llu\n",
	       (unsigned long long)limit, (unsigned long long)biggest,
	       (unsigned long long)sink_store_deleted(s),
	       (unsigned long long)(rid - 1));
	CHECK(biggest <= limit);
	CHECK(sink_store_bytes(s) <= limit);
	CHECK(sink_store_deleted(s) > 40000);
	/* the newest survive, contiguous up to the last */
	CHECK(sql_int(path, "SELECT max(EventRecordID) FROM events") ==
	      (int64_t)(rid - 1));
	CHECK(sql_int(path, "SELECT max(EventRecordID) - min(EventRecordID)"
			    " + 1 - count(*) FROM events") == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM events") > 1000);
	s->free(s);
	CHECK(sql_int(path, "SELECT 1 FROM pragma_integrity_check"
			    " WHERE integrity_check = 'ok'") == 1);
}

/* The smallest size limit accepted still keeps the store within it. */
static void test_retention_smallest(void)
{
	const uint64_t limit = STORE_MIN_MAX_BYTES;
	struct render_host h = test_host();
	uint64_t rid = 1;
	char path[300];
	struct sink *s;

	path_in_tmp(path, sizeof(path), "small.db");
	s = sink_store_new(path, limit, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	for (int batch = 0; batch < 50; batch++) {
		CHECK(write_range(s, rid, 100, T0_NS + rid * 1000000ull) == 0);
		rid += 100;
		CHECK(s->flush(s) == 0);
	}
	CHECK(sink_store_deleted(s) > 0);
	CHECK(fsize(path, "") <= limit);
	s->free(s);
}

/* The forwarder's cursors: 0 (nothing delivered), 300, and far ahead. */
static void test_cursors_fn(void *arg, uint64_t *cursors, size_t n)
{
	const uint64_t *want = arg;

	for (size_t i = 0; i < n; i++)
		cursors[i] = want[i];
}

/* Retention counts, per cursor, the events it deleted above it. */
static void test_retention_cursors(void)
{
	struct render_host h = test_host();
	uint64_t now = now_ns(), cursors[3] = { 0, 300, 1000000 };
	char path[300];
	struct sink *s;

	path_in_tmp(path, sizeof(path), "cursors.db");
	s = sink_store_new(path, 0, 3600, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(sink_store_watch_cursors(s, 9, test_cursors_fn, cursors) ==
	      -EINVAL);
	CHECK(sink_store_watch_cursors(s, 3, test_cursors_fn, cursors) == 0);
	sink_store_set_retention_interval(s, 0);
	/* 500 two hours old (deleted by age), 100 recent */
	CHECK(write_range(s, 1, 500, now - 7200000000000ull) == 0);
	CHECK(write_range(s, 501, 100, now - 600000000000ull) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(sink_store_deleted(s) == 500);
	CHECK(sink_store_cursor_lost(s, 0) == 500);
	CHECK(sink_store_cursor_lost(s, 1) == 200); /* ids 301..500 */
	CHECK(sink_store_cursor_lost(s, 2) == 0);
	CHECK(sink_store_cursor_lost(s, 3) == 0);
	/* a later run reads the cursors again */
	cursors[0] = 550;
	CHECK(write_range(s, 601, 10, now - 7200000000000ull) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(sink_store_cursor_lost(s, 0) == 510);
	CHECK(sink_store_cursor_lost(s, 1) == 210);
	s->free(s);
}

static void test_bad_files(void)
{
	struct render_host h = test_host();
	char path[300];
	sqlite3 *db = NULL;
	int fd;

	path_in_tmp(path, sizeof(path), "missing.db");
	CHECK(store_open_ro(path, 100, &db) == -ENOENT);

	/* An empty file is not a store (the daemon's has its header from
	 * the start); a database without tables is one being created. */
	path_in_tmp(path, sizeof(path), "empty.db");
	fd = open(path, O_CREAT | O_WRONLY, 0640);
	close(fd);
	CHECK(store_open_ro(path, 100, &db) == -EPROTO);
	path_in_tmp(path, sizeof(path), "notables.db");
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) ==
	      SQLITE_OK);
	sqlite3_close(db);
	db = NULL;
	CHECK(store_open_ro(path, 100, &db) == -ENODATA);

	path_in_tmp(path, sizeof(path), "garbage.db");
	fd = open(path, O_CREAT | O_WRONLY, 0640);
	for (int i = 0; i < 64; i++)
		CHECK(write(fd, "this is not a database at all, not at all.\n",
			    43) == 43);
	close(fd);
	CHECK(store_open_ro(path, 100, &db) == -EIO);
	errno = 0;
	CHECK(sink_store_new(path, 0, 0, &h) == NULL && errno == EIO);

	path_in_tmp(path, sizeof(path), "foreign.db");
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open_ro(path, 100, &db) == -EPROTO);
	errno = 0;
	CHECK(sink_store_new(path, 0, 0, &h) == NULL && errno == EPROTO);

	/* a store of an older vigil is refused with its own error, and
	 * left as it was */
	path_in_tmp(path, sizeof(path), "v1.db");
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(
		      db,
		      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT"
		      " NOT NULL);"
		      "CREATE TABLE events(EventRecordID INTEGER PRIMARY"
		      " KEY, time_ns, EventID, ProcessGuid,"
		      " ParentProcessGuid, Image, record);"
		      "INSERT INTO meta VALUES('schema_version', '1');"
		      "INSERT INTO events VALUES(1, 0, 1, NULL, NULL, NULL,"
		      " '{}');",
		      NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open_ro(path, 100, &db) == -EPROTONOSUPPORT);
	errno = 0;
	CHECK(sink_store_new(path, 0, 0, &h) == NULL &&
	      errno == EPROTONOSUPPORT);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "SELECT record FROM events", NULL, NULL, NULL) ==
	      SQLITE_OK);
	sqlite3_close(db);

	path_in_tmp(path, sizeof(path), "x.db");
	errno = 0;
	CHECK(sink_store_new(path, 1000, 0, &h) == NULL && errno == EINVAL);
	CHECK(sink_store_new("/nonexistent-dir/sub/x.db", 0, 0, &h) == NULL &&
	      errno == ENOENT);
}

/*
 * Faults under the writer (store/recover.c): a database damaged before
 * start-up is moved aside and a new store started; a file deleted, or
 * written over, under an open sink is noticed before the next batch.
 * Ids go on from the writer's, and the sink tells what happened.
 */
static void test_recover(void)
{
	struct render_host h = test_host();
	char path[300], aside[340], text[800];
	unsigned seen = 0;
	struct sink *s;
	struct sink_losses l;
	sqlite3 *db = NULL;
	glob_t g;
	int fd;

	path_in_tmp(path, sizeof(path), "recover/events.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(write_range(s, 1, 50, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	s->free(s);
	/* page 1 after its header: the schema is unreadable */
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	for (int i = 0; fd >= 0 && i < 40; i++)
		CHECK(pwrite(fd,
			     "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
			     "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
			     "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
			     "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
			     "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
			     "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5"
			     "\xa5\xa5\xa5\xa5",
			     64, 100 + i * 64) == 64);
	if (fd >= 0)
		close(fd);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	snprintf(aside, sizeof(aside), "%s.damaged-*", path);
	CHECK(glob(aside, 0, NULL, &g) == 0 && g.gl_pathc >= 1);
	globfree(&g);
	CHECK(sink_store_incident(s, &seen, text, sizeof(text)) == 1);
	CHECK(strstr(text, "damaged (found so at start-up); moved aside") !=
	      NULL);
	CHECK(sink_store_incident(s, &seen, text, sizeof(text)) == 0);
	CHECK(write_range(s, 51, 10, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 10);

	/* a reader of the store: the file it holds is the path's */
	CHECK(store_open_ro(path, 1000, &db) == 0);
	CHECK(!store_is_replaced(db, path));

	/* deleted under the sink: the next batch goes to a new file */
	CHECK(unlink(path) == 0);
	CHECK(!store_is_replaced(db, path)); /* nothing there yet */
	CHECK(write_range(s, 61, 10, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(sink_store_incident(s, &seen, text, sizeof(text)) == 1);
	CHECK(strstr(text, "deleted") != NULL);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 10);
	CHECK(sql_int(path, "SELECT min(EventRecordID) FROM events") == 61);
	CHECK(store_is_replaced(db, path)); /* a new file at the path */
	sqlite3_close(db);
	CHECK(store_open_ro(path, 1000, &db) == 0);
	CHECK(!store_is_replaced(db, path));

	/* truncated under the sink: moved aside before the next batch */
	CHECK(truncate(path, 0) == 0);
	CHECK(!store_is_replaced(db, path)); /* the same file, damaged */
	CHECK(write_range(s, 71, 5, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	CHECK(sink_store_incident(s, &seen, text, sizeof(text)) == 1);
	CHECK(strstr(text, "damaged (no database header") != NULL);
	CHECK(sql_int(path, "SELECT count(*) FROM events") == 5);
	CHECK(store_is_replaced(db, path));
	sqlite3_close(db);
	s->losses(s, &l);
	CHECK(l.failed == 0 && l.backlog == 0);
	s->free(s);
}

/* Refused writes are counted by the store itself, once each (a full
 * disk is played by tests/integration/25-store-faults.sh). */
static void test_losses_exact(void)
{
	struct render_host h = test_host();
	struct sink_losses l;
	char path[300];
	struct sink *s;
	uint64_t refused = 0, stored;

	path_in_tmp(path, sizeof(path), "full/events.db");
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(write_range(s, 1, 10, T0_NS) == 0);
	CHECK(s->flush(s) == 0);
	s->losses(s, &l);
	CHECK(l.failed == 0);
	/* refused writes are counted, one each */
	for (uint64_t id = 11; id <= 20; id++) {
		struct event ev;

		make_event(&ev, id, T0_NS);
		if (id == 15)
			ev.record_id = 0; /* invalid: refused alone */
		if (s->write(s, &ev) < 0)
			refused++;
		event_release(&ev);
	}
	CHECK(refused == 1);
	CHECK(s->flush(s) == 0);
	s->losses(s, &l);
	CHECK(l.failed == 1);
	stored = (uint64_t)sql_int(path, "SELECT count(*) FROM events");
	CHECK(stored == 19);
	s->free(s);
}

static void test_jsonl(void)
{
	struct render_host h = test_host();
	char path[300], line[8192];
	struct stat st;
	struct sink *s;
	struct event ev;
	FILE *f;
	int n = 0, good = 0;

	path_in_tmp(path, sizeof(path), "events.jsonl");
	s = sink_jsonl_new(path, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(write_range(s, 1, 5, T0_NS) == 0);
	make_event(&ev, 6, T0_NS);
	event_set_named(&ev, "CommandLine", "two\nlines \"quoted\"");
	CHECK(s->write(s, &ev) == 0);
	event_release(&ev);
	CHECK(s->flush(s) == 0);
	s->free(s);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		struct event back;

		memset(&back, 0, sizeof(back));
		n++;
		if (render_parse_json(line, strcspn(line, "\n"), &back, NULL) ==
			    0 &&
		    back.record_id == (uint64_t)n)
			good++;
		if (n == 6)
			CHECK_STR(event_named(&back, "CommandLine"),
				  "two\nlines \"quoted\"");
		event_release(&back);
	}
	if (f)
		fclose(f);
	CHECK(n == 6 && good == 6);

	/* log rotation: the file is moved away, the sink reopens its path */
	s = sink_jsonl_new(path, &h);
	CHECK(s != NULL);
	if (s) {
		char moved[320];
		struct stat a, b;

		snprintf(moved, sizeof(moved), "%s.1", path);
		CHECK(rename(path, moved) == 0);
		CHECK(sink_jsonl_reopen(s) == 0);
		CHECK(write_range(s, 7, 2, T0_NS) == 0);
		s->free(s);
		CHECK(stat(path, &a) == 0 && stat(moved, &b) == 0);
		CHECK(a.st_size > 0 && b.st_size > a.st_size);
		CHECK((a.st_mode & 07777) == 0640);
	}

	/* a full disk is -ENOSPC, per event */
	s = sink_jsonl_new("/dev/full", &h);
	CHECK(s != NULL);
	if (s) {
		CHECK(write_range(s, 1, 1, T0_NS) == -ENOSPC);
		s->free(s);
	}
	CHECK(sink_jsonl_new("/nonexistent-dir/x.jsonl", &h) == NULL &&
	      errno == ENOENT);
}

static void test_syslog(void)
{
	struct render_host h = test_host();
	struct sink *s = sink_syslog_new(&h);

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(s->last_record_id(s) == 0);
	CHECK(s->flush(s) == 0);
	s->free(s);
}

/* The writer the crash and follow integration tests drive. */
static int burst(int argc, char **argv)
{
	struct render_host h = test_host();
	unsigned long count, batch, delay_ms = 0;
	struct timespec pause;
	struct sink *s;
	uint64_t rid;

	if (argc < 5)
		return 2;
	count = strtoul(argv[3], NULL, 10);
	batch = strtoul(argv[4], NULL, 10);
	if (argc > 5)
		delay_ms = strtoul(argv[5], NULL, 10);
	if (!batch)
		return 2;
	pause.tv_sec = (time_t)(delay_ms / 1000);
	pause.tv_nsec = (long)(delay_ms % 1000) * 1000000;
	s = sink_store_new(argv[2], 0, 0, &h);
	if (!s)
		return 1;
	rid = s->last_record_id(s) + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("start %llu\n", (unsigned long long)rid);
	for (unsigned long done = 0; done < count;) {
		unsigned long n = count - done < batch ? count - done : batch;

		if (write_range(s, rid, n, now_ns()) || s->flush(s)) {
			fprintf(stderr, "store_test: write failed\n");
			s->free(s);
			return 1;
		}
		rid += n;
		done += n;
		printf("committed %llu\n", (unsigned long long)(rid - 1));
		if (delay_ms)
			nanosleep(&pause, NULL);
	}
	s->free(s);
	return 0;
}

int main(int argc, char **argv)
{
	char cmd[300];
	int r;

	if (argc > 1 && strcmp(argv[1], "--burst") == 0)
		return burst(argc, argv);
	log_set_level(LOG_LVL_ERROR + (getenv("VERBOSE") ? 3 : 0));
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/store_test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_insert_and_read_back();
	test_id_order();
	test_columns();
	test_modes();
	test_ids_continue();
	test_one_writer();
	test_retention_by_age();
	test_retention_by_size();
	test_retention_cursors();
	test_retention_smallest();
	test_bad_files();
	test_recover();
	test_losses_exact();
	test_jsonl();
	test_syslog();
	r = tap_done("store_test");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return r;
}
