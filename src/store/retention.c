/* SPDX-License-Identifier: MIT */
/*
 * store/retention.c - keeping the store within its size and age limits.
 *
 * After each flush, events are deleted oldest first in bounded chunks,
 * each its own transaction, until the live pages are below the low mark
 * of the size budget or no event is older than max_age_s; free pages are
 * then handed back to the file system with an incremental vacuum, so a
 * write never waits for a large delete nor a full VACUUM.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "util/log.h"

/* Rows deleted per retention transaction: small enough that one delete
 * never holds the writer long nor blows the WAL budget. */
#define RETENTION_CHUNK_ROWS 2000
/* Upper bound of chunks per flush, so a huge backlog is spread out. */
#define RETENTION_MAX_CHUNKS 64
/* Pages handed back to the file system per incremental_vacuum call. */
#define VACUUM_MAX_PAGES 16384
/*
 * Largest WAL budget (also used without a size limit; the default 1 GiB
 * limit gives it too).  Each restart of the WAL by the writer costs two
 * fsyncs and the tail the checkpointer has not copied: with the
 * checkpointer on its own thread, bench/store_bench (2-vCPU VM, 1,000,000
 * events) inserted 13% faster with 64 MiB than with 16 MiB (a quarter of
 * the restarts), the longest flush 19-95 ms against 14-55 ms.  (Before
 * the checkpointer had its own thread, 64 MiB stalled a flush for up to
 * 1.2 s.)
 */
#define MAX_WAL_BYTES (64ull * 1024 * 1024)

static int64_t query_int(sqlite3_stmt *st, int *rcp)
{
	int64_t v = 0;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE && rcp)
		*rcp = rc;
	sqlite3_reset(st);
	return v;
}

/*
 * Split max_bytes between the WAL and the database, and set the
 * hysteresis of size retention: deleting a little below the limit means
 * retention runs once per few MiB of new events, not on every flush.
 */
void store_retention_plan(struct store *s)
{
	uint64_t wal, slack, room;

	if (!s->max_bytes) {
		s->wal_budget = MAX_WAL_BYTES;
		return;
	}
	wal = s->max_bytes / 8;
	if (wal < 1024 * 1024)
		wal = 1024 * 1024;
	if (wal > MAX_WAL_BYTES)
		wal = MAX_WAL_BYTES;
	/* the smallest stores (1-2 MiB): the 1 MiB floor would leave the
	 * database no room at all (room below would wrap around and size
	 * retention would never run) */
	if (wal > s->max_bytes / 4)
		wal = s->max_bytes / 4;
	s->wal_budget = wal;
	/* a batch committed just before the check may overshoot; keep room */
	room = s->max_bytes - wal - wal / 2;
	slack = room / 20;
	if (slack < 64 * 1024)
		slack = 64 * 1024;
	if (slack > 16ull * 1024 * 1024)
		slack = 16ull * 1024 * 1024;
	s->high_bytes = room;
	s->low_bytes = room - slack;
}

int store_retention_prepare(struct store *s)
{
	int rc = 0;

	rc |= store_prepare(s, "PRAGMA page_count", &s->page_count);
	rc |= store_prepare(s, "PRAGMA freelist_count", &s->freelist);
	rc |= store_prepare(s, "SELECT min(EventRecordID) FROM events",
			    &s->min_rid);
	/* RETURNING: the ids tell which forwarding cursors lose events */
	rc |= store_prepare(s,
			    "DELETE FROM events WHERE EventRecordID IN"
			    " (SELECT EventRecordID FROM events"
			    " ORDER BY EventRecordID LIMIT ?)"
			    " RETURNING EventRecordID",
			    &s->del_oldest);
	rc |= store_prepare(
		s,
		"DELETE FROM events WHERE EventRecordID IN"
		" (SELECT EventRecordID FROM events"
		" WHERE EventRecordID <= (SELECT coalesce(max(last_rid),"
		" 0) FROM segments WHERE min_time_ns < ?1)"
		" AND time_ns < ?1 ORDER BY EventRecordID LIMIT ?2)"
		" RETURNING EventRecordID",
		&s->del_aged);
	rc |= store_prepare(s,
			    "DELETE FROM segments WHERE last_rid < (SELECT"
			    " min(EventRecordID) FROM events)",
			    &s->seg_trim);
	return rc;
}

static uint64_t live_bytes(struct store *s, uint64_t *free_pages)
{
	int rc = 0;
	uint64_t pages = (uint64_t)query_int(s->page_count, &rc);
	uint64_t fl = (uint64_t)query_int(s->freelist, &rc);

	if (free_pages)
		*free_pages = fl;
	if (rc || fl > pages)
		return 0;
	return (pages - fl) * s->page_size;
}

/* A deleted id: count it against every cursor below it. */
static void count_lost(struct store *s, uint64_t rid)
{
	if (!s->has_cursors) {
		memset(s->cursors, 0, sizeof(s->cursors));
		s->cursors_fn(s->cursors_arg, s->cursors, s->ncursors);
		s->has_cursors = true;
	}
	for (size_t i = 0; i < s->ncursors; i++)
		if (rid > s->cursors[i])
			__atomic_add_fetch(&s->cursor_lost[i], 1,
					   __ATOMIC_RELAXED);
}

/* One bounded delete in its own transaction; returns rows deleted. */
static int64_t delete_chunk(struct store *s, sqlite3_stmt *st)
{
	int rc;
	int64_t n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (s->ncursors)
			count_lost(s, (uint64_t)sqlite3_column_int64(st, 0));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_note_rc(s, rc);
		log_warn("store: retention: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	s->deleted += (uint64_t)n;
	/* deletes rewrite pages: keep the WAL bounded */
	store_checkpoint_maybe(s);
	return n;
}

static void retention_by_age(struct store *s, uint64_t now)
{
	uint64_t cutoff, age_ns = s->max_age_s * 1000000000ull;

	if (!s->max_age_s || age_ns / 1000000000ull != s->max_age_s ||
	    age_ns >= now)
		return;
	if (now - s->last_age_run_ns <
	    (uint64_t)s->retention_interval_s * 1000000000ull)
		return;
	s->last_age_run_ns = now;
	cutoff = now - age_ns;
	sqlite3_bind_int64(s->del_aged, 1, (sqlite3_int64)cutoff);
	sqlite3_bind_int(s->del_aged, 2, RETENTION_CHUNK_ROWS);
	for (int i = 0; i < RETENTION_MAX_CHUNKS; i++)
		if (delete_chunk(s, s->del_aged) < RETENTION_CHUNK_ROWS)
			break;
}

static void retention_by_size(struct store *s)
{
	uint64_t live = live_bytes(s, NULL);

	if (!s->max_bytes || live <= s->high_bytes)
		return;
	for (int i = 0; i < RETENTION_MAX_CHUNKS && live > s->low_bytes; i++) {
		int rc = 0;
		int64_t min_rid = query_int(s->min_rid, &rc);
		uint64_t rows = s->last_rid >= (uint64_t)min_rid
					? s->last_rid - (uint64_t)min_rid + 1
					: 1;
		uint64_t per_row = live / (rows ? rows : 1);
		uint64_t want = (live - s->low_bytes) / (per_row ? per_row : 1);

		/* ids have gaps after restarts: never trust the estimate to
		 * be exact, re-measure after each chunk */
		if (want < 16)
			want = 16;
		if (want > RETENTION_CHUNK_ROWS)
			want = RETENTION_CHUNK_ROWS;
		sqlite3_bind_int64(s->del_oldest, 1, (sqlite3_int64)want);
		if (delete_chunk(s, s->del_oldest) <= 0)
			break;
		live = live_bytes(s, NULL);
	}
}

/*
 * Hand free pages back to the file system, keeping one hysteresis worth
 * for the inserts that follow (those would only grow the file again).
 */
static void retention_vacuum(struct store *s)
{
	uint64_t free_pages, keep, n;
	char sql[64];

	live_bytes(s, &free_pages);
	keep = s->max_bytes ? (s->high_bytes - s->low_bytes) / s->page_size : 0;
	if (free_pages <= keep)
		return;
	n = free_pages - keep;
	if (n > VACUUM_MAX_PAGES)
		n = VACUUM_MAX_PAGES;
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%llu)",
		 (unsigned long long)n);
	if (store_exec(s->db, sql) != SQLITE_OK)
		log_warn("store: incremental_vacuum: %s",
			 sqlite3_errmsg(s->db));
	store_checkpoint_maybe(s);
}

void store_retention_run(struct store *s)
{
	uint64_t before = s->deleted;

	s->has_cursors = false; /* read them again if anything goes */
	retention_by_age(s, store_now_ns());
	retention_by_size(s);
	if (s->deleted != before) {
		/* segments wholly below the oldest event describe nothing */
		if (sqlite3_step(s->seg_trim) != SQLITE_DONE)
			log_warn("store: retention: %s", sqlite3_errmsg(s->db));
		sqlite3_reset(s->seg_trim);
		retention_vacuum(s);
	}
}
