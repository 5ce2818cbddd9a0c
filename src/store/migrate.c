/* SPDX-License-Identifier: MIT */
/*
 * store/migrate.c - converting a store of schema version 2 in place.
 *
 * Version 2 kept ProcessGuid, ParentProcessGuid and Image as lower-cased
 * text columns with text indexes; version 3 keeps integer keys of them
 * (store/key.c) and the text only in the values blob, which is the same
 * in both.  The daemon converts a version 2 store when it opens it,
 * before it stores anything:
 *
 *   1. one transaction creates events_v3 (the new table, with the new
 *      indexes under their final names);
 *   2. batches of MIGRATE_BATCH_ROWS, the oldest first, each its own
 *      transaction, are copied over (the keys computed by vigil_key()
 *      from the old columns) and deleted from the old table, so the file
 *      never holds much more than one copy; a PASSIVE checkpoint after
 *      each keeps the WAL at about one batch;
 *   3. one transaction drops the old table, renames events_v3 to events
 *      and sets schema_version to 3.
 *
 * Record ids, runs, segments and meta (last_record_id) are kept as they
 * are.  Killed at any point, the store is a consistent version 2 store
 * with part of its events in events_v3: the next open goes on from there.
 * Readers refuse the store until step 3 (it still says version 2).
 */
#include <errno.h>
#include <sqlite3.h>

#include "internal.h"
#include "util/clock.h"
#include "util/log.h"

/* Rows per conversion transaction: a few MiB of WAL each. */
#define MIGRATE_BATCH_ROWS 5000

static const char create_sql[] = "CREATE TABLE events_v3(" STORE_EVENTS_COLUMNS
				 ");" STORE_EVENTS_INDEXES("events_v3");

/* The highest id of the next batch (NULL when the old table is empty). */
static const char bound_sql[] =
	"SELECT coalesce((SELECT EventRecordID FROM events"
	" ORDER BY EventRecordID LIMIT 1 OFFSET ?1),"
	" (SELECT max(EventRecordID) FROM events))";

static const char copy_sql[] =
	"INSERT INTO events_v3(EventRecordID, time_ns, EventID, run,"
	" created_ns, guid_key, parent_key, image_key, data)"
	" SELECT EventRecordID, time_ns, EventID, run, created_ns,"
	" vigil_key(ProcessGuid), vigil_key(ParentProcessGuid),"
	" vigil_key(Image), data FROM events WHERE EventRecordID <= ?1"
	" ORDER BY EventRecordID";

static const char delete_sql[] = "DELETE FROM events WHERE EventRecordID <= ?1";

static const char finish_sql[] =
	"DROP TABLE events;"
	"ALTER TABLE events_v3 RENAME TO events;"
	"UPDATE meta SET value = '3' WHERE key = 'schema_version';";

/* Whether a table of that name exists: 1, 0, or a negative errno. */
static int has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	rc = sqlite3_prepare_v2(db,
				"SELECT 1 FROM sqlite_master"
				" WHERE type = 'table' AND name = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_errno(rc);
	sqlite3_finalize(st);
	return r;
}

/* Run sql in a transaction of its own: 0 or a negative errno. */
static int exec_txn(struct store *s, const char *sql)
{
	int rc = store_exec(s->db, "BEGIN IMMEDIATE");

	if (rc == SQLITE_OK)
		rc = store_exec(s->db, sql);
	if (rc == SQLITE_OK)
		rc = store_exec(s->db, "COMMIT");
	if (rc != SQLITE_OK) {
		store_note_rc(s, rc);
		store_exec(s->db, "ROLLBACK");
	}
	return store_errno(rc);
}

/* Step st (bound to the batch's last id) to its end: a SQLite code. */
static int step_bound(sqlite3_stmt *st, sqlite3_int64 bound)
{
	int rc;

	sqlite3_bind_int64(st, 1, bound);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Move one batch: 1 when rows moved, 0 when the old table is empty, or
 * a negative errno.
 */
static int move_batch(struct store *s, sqlite3_stmt *bound, sqlite3_stmt *copy,
		      sqlite3_stmt *del, uint64_t *moved)
{
	sqlite3_int64 last;
	int rc;

	rc = store_exec(s->db, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return store_errno(rc);
	sqlite3_bind_int(bound, 1, MIGRATE_BATCH_ROWS - 1);
	rc = sqlite3_step(bound);
	if (rc == SQLITE_ROW && sqlite3_column_type(bound, 0) == SQLITE_NULL) {
		sqlite3_reset(bound);
		store_exec(s->db, "ROLLBACK");
		return 0;
	}
	last = sqlite3_column_int64(bound, 0);
	sqlite3_reset(bound);
	if (rc == SQLITE_ROW)
		rc = step_bound(copy, last);
	if (rc == SQLITE_OK) {
		*moved += (uint64_t)sqlite3_changes(s->db);
		rc = step_bound(del, last);
	}
	if (rc == SQLITE_OK)
		rc = store_exec(s->db, "COMMIT");
	if (rc != SQLITE_OK) {
		store_note_rc(s, rc);
		store_exec(s->db, "ROLLBACK");
		return store_errno(rc) ? store_errno(rc) : -EIO;
	}
	/* no checkpointer yet: keep the WAL at about one batch */
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
				  NULL);
	return 1;
}

int store_migrate(struct store *s)
{
	sqlite3_stmt *bound = NULL, *copy = NULL, *del = NULL;
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC), moved = 0;
	int err, rc;

	err = has_table(s->db, "events_v3");
	if (err == 0)
		err = exec_txn(s, create_sql);
	else if (err == 1)
		err = 0;
	if (err < 0)
		goto out;
	log_info("store: %s: converting a store of schema version 2 to "
		 "version %d (record ids kept)",
		 s->path, STORE_SCHEMA_VERSION);
	rc = sqlite3_prepare_v2(s->db, bound_sql, -1, &bound, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, copy_sql, -1, &copy, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(s->db, delete_sql, -1, &del, NULL);
	if (rc != SQLITE_OK) {
		err = store_errno(rc) ? store_errno(rc) : -EIO;
		goto out;
	}
	while ((err = move_batch(s, bound, copy, del, &moved)) > 0)
		;
	if (err == 0)
		err = exec_txn(s, finish_sql);
out:
	sqlite3_finalize(bound);
	sqlite3_finalize(copy);
	sqlite3_finalize(del);
	if (err < 0)
		log_error("store: %s: converting the store failed after %llu "
			  "events: %s (it goes on at the next start)",
			  s->path, (unsigned long long)moved,
			  sqlite3_errmsg(s->db));
	else
		log_info("store: %s: converted %llu events to schema version "
			 "%d in %.1f s",
			 s->path, (unsigned long long)moved,
			 STORE_SCHEMA_VERSION,
			 (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9);
	return err;
}
