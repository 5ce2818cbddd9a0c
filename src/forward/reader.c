/* SPDX-License-Identifier: MIT */
/*
 * forward/reader.c - the store, read-only, in record order.
 *
 * Each read is one statement run to its end and reset, so no read
 * transaction outlives a batch: the writer's checkpoints are never held
 * back by a forwarder that waits for its network.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "event/event.h"
#include "internal.h"
#include "store/store.h"

#define BUSY_TIMEOUT_MS 2000

struct fwd_reader {
	sqlite3 *db;
	sqlite3_stmt *rows, *count, *first;
};

static int db_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

struct fwd_reader *fwd_reader_open(const char *path)
{
	struct fwd_reader *r = calloc(1, sizeof(*r));
	int err, rc;

	if (!r)
		return NULL;
	err = store_open_ro(path, BUSY_TIMEOUT_MS, &r->db);
	if (err < 0) {
		free(r);
		errno = -err;
		return NULL;
	}
	rc = sqlite3_prepare_v2(
		r->db,
		"SELECT e.EventRecordID, e.time_ns, e.EventID, e.created_ns,"
		" e.data, r.run, r.Computer, r.ProviderName, r.ProviderGuid,"
		" r.Channel, r.ProcessID, r.ThreadID, r.UserId"
		" FROM events e LEFT JOIN runs r ON r.run = e.run"
		" WHERE e.EventRecordID > ? ORDER BY e.EventRecordID LIMIT ?",
		-1, &r->rows, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db,
					"SELECT count(*) FROM events"
					" WHERE EventRecordID > ?",
					-1, &r->count, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db,
					"SELECT time_ns FROM events WHERE"
					" EventRecordID > ? ORDER BY"
					" EventRecordID LIMIT 1",
					-1, &r->first, NULL);
	if (rc != SQLITE_OK) {
		err = db_errno(rc);
		fwd_reader_close(r);
		errno = -err;
		return NULL;
	}
	return r;
}

bool fwd_reader_is_stale(const struct fwd_reader *r, const char *path)
{
	return store_is_replaced(r->db, path);
}

void fwd_reader_close(struct fwd_reader *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->rows);
	sqlite3_finalize(r->count);
	sqlite3_finalize(r->first);
	sqlite3_close(r->db);
	free(r);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

/* The row at st as an event; false when it does not decode. */
static bool read_row(sqlite3_stmt *st, struct fwd_row *row, struct event *ev)
{
	unsigned id = (unsigned)sqlite3_column_int(st, 2);

	row->rid = (uint64_t)sqlite3_column_int64(st, 0);
	row->time_ns = (uint64_t)sqlite3_column_int64(st, 1);
	row->created_ns = (uint64_t)sqlite3_column_int64(st, 3);
	if (sqlite3_column_type(st, 5) == SQLITE_NULL)
		return false; /* its run is gone: no System values */
	render_host_defaults(&row->host);
	row->host.computer = col_text(st, 6);
	row->host.provider_name = col_text(st, 7);
	row->host.provider_guid = col_text(st, 8);
	row->host.channel = col_text(st, 9);
	row->host.pid = (unsigned)sqlite3_column_int64(st, 10);
	row->host.tid = (unsigned)sqlite3_column_int64(st, 11);
	row->host.euid = (unsigned)sqlite3_column_int64(st, 12);
	if (store_record_decode(ev, id, sqlite3_column_blob(st, 4),
				(size_t)sqlite3_column_bytes(st, 4)) < 0)
		return false;
	ev->record_id = row->rid;
	ev->time_ns = row->time_ns;
	row->ev = ev;
	return true;
}

int64_t fwd_reader_read(struct fwd_reader *r, uint64_t after, unsigned limit,
			fwd_row_fn *fn, void *arg, uint64_t *damaged,
			uint64_t *last_rid)
{
	struct event ev = { 0 };
	int64_t n = 0;
	int rc;

	sqlite3_bind_int64(r->rows, 1, (sqlite3_int64)after);
	sqlite3_bind_int64(r->rows, 2, limit);
	while ((rc = sqlite3_step(r->rows)) == SQLITE_ROW) {
		struct fwd_row row;
		int stop;

		event_release(&ev);
		if (!read_row(r->rows, &row, &ev)) {
			(*damaged)++;
			*last_rid = row.rid;
			continue;
		}
		stop = fn(arg, &row);
		if (stop)
			break;
		*last_rid = row.rid;
		n++;
	}
	event_release(&ev);
	sqlite3_reset(r->rows);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_errno(rc);
	return n;
}

int fwd_reader_backlog(struct fwd_reader *r, uint64_t after, uint64_t *count,
		       uint64_t *oldest_ns)
{
	int rc;

	*count = 0;
	*oldest_ns = 0;
	sqlite3_bind_int64(r->count, 1, (sqlite3_int64)after);
	rc = sqlite3_step(r->count);
	if (rc == SQLITE_ROW)
		*count = (uint64_t)sqlite3_column_int64(r->count, 0);
	sqlite3_reset(r->count);
	if (rc != SQLITE_ROW)
		return db_errno(rc);
	sqlite3_bind_int64(r->first, 1, (sqlite3_int64)after);
	rc = sqlite3_step(r->first);
	if (rc == SQLITE_ROW)
		*oldest_ns = (uint64_t)sqlite3_column_int64(r->first, 0);
	sqlite3_reset(r->first);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}
