/* SPDX-License-Identifier: MIT */
/*
 * store/write.c - the store sink's write() and flush().
 *
 * write() encodes an event's values and stages the row (the values blob
 * and the keys of its indexed values); rows with rising
 * record ids wait for one multi-row INSERT of INSERT_ROWS rows, any other
 * id goes in alone.  All of it goes into one open transaction, with the
 * segment (record id range -> time span) being filled; flush() inserts
 * what waits, saves the segment and the highest record id, commits, and
 * hands over to checkpointing and retention.
 */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <string.h>

#include "event/event.h"
#include "internal.h"
#include "util/log.h"

/* Parameters of one row of the INSERT statements. */
#define ROW_PARAMS 9
_Static_assert(ROW_PARAMS == 5 + STORE_NCOLUMNS + 1,
	       "a row binds 5 values, the columns and the values blob");

/*
 * Events per row of the segments table.  A segment maps a range of
 * record ids to the span of event times in it; time ranges and age
 * retention use it instead of an index on time_ns (each index on the
 * events table costs about a fifth of the insert rate).  A segment also
 * ends after SEGMENT_MAX_S, so a quiet store keeps time bounds precise.
 */
#define SEGMENT_EVENTS 4096
#define SEGMENT_MAX_S  600

#define INSERT_SQL                                                           \
	"INSERT OR IGNORE INTO events(EventRecordID, time_ns, EventID, run," \
	" created_ns, guid_key, parent_key, image_key, data) VALUES"
#define ROW_SQL "(?, ?, ?, ?, ?, ?, ?, ?, ?)"

/* The INSERT of INSERT_ROWS rows at once. */
static int prepare_many(struct store *s)
{
	struct buf b;
	int rc, err;

	buf_init(&b, 0);
	err = buf_adds(&b, INSERT_SQL);

	for (unsigned i = 0; i < INSERT_ROWS && !err; i++)
		err = buf_adds(&b, i ? "," ROW_SQL : ROW_SQL);
	rc = err ? SQLITE_NOMEM : store_prepare(s, b.data, &s->ins_many);
	buf_release(&b);
	return rc;
}

int store_write_prepare(struct store *s)
{
	int rc = 0;

	rc |= store_prepare(s, INSERT_SQL ROW_SQL, &s->ins);
	rc |= prepare_many(s);
	rc |= store_prepare(s, "BEGIN IMMEDIATE", &s->begin);
	rc |= store_prepare(s, "COMMIT", &s->commit);
	rc |= store_prepare(s, "ROLLBACK", &s->rollback);
	rc |= store_prepare(
		s,
		"UPDATE meta SET value = ? WHERE key = 'last_record_id'"
		" AND CAST(value AS INTEGER) < ?",
		&s->set_last);
	rc |= store_prepare(
		s, "INSERT OR REPLACE INTO segments VALUES(?, ?, ?, ?)",
		&s->seg_put);
	return rc;
}

static uint64_t event_time(const struct event *ev)
{
	uint64_t t = ev->time_ns;
	const char *v;

	if (t == 0 && (v = event_named(ev, "UtcTime")) != NULL)
		event_parse_time(v, &t);
	return t;
}

/*
 * Add ev (values already encoded in s->data) to the waiting rows: the
 * keys of its indexed values (store_key(), which folds ASCII case, so
 * plain integer indexes serve case-insensitive searches) and a copy of
 * the values blob.
 */
static int row_stage(struct store *s, const struct event *ev, uint64_t t)
{
	struct row *r = &s->row[s->nrows];
	int err;

	*r = (struct row){ .rid = ev->record_id,
			   .time_ns = t,
			   .created_ns = store_now_ns(),
			   .event_id = ev->def->id,
			   .data_off = s->rows.len,
			   .data_len = s->data.len };
	for (unsigned k = 0; k < STORE_NCOLUMNS; k++) {
		int idx = s->field_idx[ev->def->id & 0xff][k];
		const char *v;
		size_t len;

		if (idx < 0)
			continue;
		v = event_value(ev, (unsigned)idx, &len);
		r->key[k] = store_key(v, len);
		r->has_key[k] = true;
	}
	if (s->data.len > INT_MAX)
		return -E2BIG;
	err = buf_add(&s->rows, s->data.data, s->data.len);
	if (err < 0) {
		s->rows.len = r->data_off; /* keep the rows before it */
		return err;
	}
	s->nrows++;
	return 0;
}

static void row_bind(struct store *s, sqlite3_stmt *st, int base,
		     const struct row *r)
{
	sqlite3_bind_int64(st, base + 1, (sqlite3_int64)r->rid);
	sqlite3_bind_int64(st, base + 2, (sqlite3_int64)r->time_ns);
	sqlite3_bind_int(st, base + 3, (int)r->event_id);
	sqlite3_bind_int64(st, base + 4, s->run);
	sqlite3_bind_int64(st, base + 5, (sqlite3_int64)r->created_ns);
	for (unsigned k = 0; k < STORE_NCOLUMNS; k++) {
		if (r->has_key[k])
			sqlite3_bind_int64(st, base + 6 + (int)k, r->key[k]);
		else
			sqlite3_bind_null(st, base + 6 + (int)k);
	}
	sqlite3_bind_blob(st, base + 9, s->rows.data + r->data_off,
			  (int)r->data_len, SQLITE_STATIC);
}

/* Step an INSERT; 0, -EEXIST when OR IGNORE skipped the row, or errno. */
static int row_step(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		store_note_rc(s, rc);
		/* FULL, IOERR, NOMEM may have rolled the whole batch back */
		if (sqlite3_get_autocommit(s->db))
			s->in_txn = false;
		return store_errno(rc);
	}
	return sqlite3_changes(s->db) == 0 ? -EEXIST : 0;
}

/*
 * Insert the waiting rows: a full set with one multi-row statement, a
 * partial one row by row.  The set is gone afterwards, inserted or not
 * (a failed insert fails the batch, as a failed commit would).
 */
static int rows_insert(struct store *s)
{
	unsigned n = s->nrows;
	int err = 0;

	if (n == INSERT_ROWS) {
		for (unsigned i = 0; i < n; i++)
			row_bind(s, s->ins_many, (int)i * ROW_PARAMS,
				 &s->row[i]);
		err = row_step(s, s->ins_many);
		if (err == -EEXIST) /* cannot happen: ids above max_rid */
			err = 0;
	} else {
		for (unsigned i = 0; i < n && !err; i++) {
			row_bind(s, s->ins, 0, &s->row[i]);
			err = row_step(s, s->ins);
		}
	}
	for (unsigned i = 0; i < n && !err; i++)
		if (s->row[i].rid > s->pending_rid)
			s->pending_rid = s->row[i].rid;
	s->nrows = 0;
	buf_reset(&s->rows);
	return err;
}

/* Field index of each column field per event id, looked up once. */
void store_write_map_fields(struct store *s)
{
	for (unsigned id = 0; id < 256; id++) {
		const struct catalog_event *def = catalog_lookup(id);

		for (unsigned k = 0; k < STORE_NCOLUMNS; k++)
			s->field_idx[id][k] =
				def ? (signed char)catalog_field_index(
					      def, store_columns[k])
				    : -1;
	}
}

static int segment_save(struct store *s)
{
	sqlite3_stmt *st = s->seg_put;
	int rc;

	if (!s->seg.first_rid)
		return 0;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)s->seg.first_rid);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)s->seg.last_rid);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)s->seg.min_ns);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)s->seg.max_ns);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		store_note_rc(s, rc);
	return rc == SQLITE_DONE ? 0 : store_errno(rc);
}

/*
 * Close a full or old segment before an event at time t goes in: its
 * last state is written in the open transaction, so it commits (or rolls
 * back) with the events it describes.  A rolled-back batch may leave a
 * segment wider than its events, never narrower: bounds stay true.
 */
static int segment_roll(struct store *s, uint64_t t)
{
	int err;

	if (!s->seg.first_rid ||
	    (s->seg.count < SEGMENT_EVENTS &&
	     t <= s->seg.min_ns + SEGMENT_MAX_S * 1000000000ull))
		return 0;
	err = segment_save(s);
	if (err == 0)
		s->seg.first_rid = 0;
	return err;
}

static void segment_add(struct store *s, uint64_t rid, uint64_t t)
{
	struct segment *g = &s->seg;

	if (!g->first_rid) {
		*g = (struct segment){ rid, rid, t, t, 0 };
	}
	g->count++;
	if (rid < g->first_rid)
		g->first_rid = rid;
	if (rid > g->last_rid)
		g->last_rid = rid;
	if (t < g->min_ns)
		g->min_ns = t;
	if (t > g->max_ns)
		g->max_ns = t;
}

/*
 * A failed batch is lost: roll back what SQLite has not already
 * rolled back itself (FULL, IOERR and NOMEM may have).
 */
static void batch_abort(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db)) {
		sqlite3_step(s->rollback);
		sqlite3_reset(s->rollback);
	}
	s->in_txn = false;
}

/*
 * The open batch is lost (its transaction rolled back): count what it
 * held, and refuse the rest of it until the flush that ends it, so a
 * batch is stored whole or not at all and every loss is counted once.
 */
static int batch_fail(struct store *s, int err)
{
	batch_abort(s);
	store_lost(s, s->txn_events);
	s->txn_events = 0;
	s->nrows = 0;
	buf_reset(&s->rows);
	s->is_batch_failed = true;
	s->batch_err = err;
	return err;
}

/* ev is not stored: count it. */
static int refuse(struct store *s, int err)
{
	store_lost(s, 1);
	return err;
}

static int write_one(struct store *s, const struct event *ev)
{
	bool is_new = ev->record_id > s->max_rid;
	uint64_t t;
	int rc, err;

	err = store_record_encode(&s->data, ev);
	if (err < 0)
		return refuse(s, err);
	if (!s->in_txn) {
		rc = sqlite3_step(s->begin);
		sqlite3_reset(s->begin);
		if (rc != SQLITE_DONE) {
			store_note_rc(s, rc);
			return refuse(s, store_errno(rc));
		}
		s->in_txn = true;
		s->pending_rid = 0;
		s->txn_events = 0;
	}
	t = event_time(ev);
	err = segment_roll(s, t);
	if (err == 0 && !is_new && s->nrows)
		err = rows_insert(s);
	if (err < 0)
		return refuse(s, batch_fail(s, err));
	err = row_stage(s, ev, t);
	if (err < 0)
		return refuse(s, err); /* the rows before it are kept */
	if (!is_new || s->nrows == INSERT_ROWS || s->rows.len >= ROWS_MAX_BYTES)
		err = rows_insert(s);
	if (err == -EEXIST && !is_new)
		return refuse(s, err); /* a duplicate, alone: nothing else */
	if (err < 0)
		return refuse(s, batch_fail(s, err));
	if (is_new)
		s->max_rid = ev->record_id;
	segment_add(s, ev->record_id, t);
	s->txn_events++;
	return 0;
}

/*
 * An id above every id stored or waiting cannot be a duplicate, so it
 * waits for the multi-row INSERT.  Any other id goes in at once, alone,
 * so that a duplicate is reported by the write that brings it.
 */
int store_write(struct sink *sk, const struct event *ev)
{
	struct store *s = to_store(sk);

	if (!ev->record_id || ev->record_id > INT64_MAX)
		return refuse(s, -EINVAL);
	/* before a batch: is the file still there, and whole? */
	if (!s->in_txn && !s->is_batch_failed)
		store_recover_check(s);
	if (!s->db)
		return refuse(s, -EIO); /* recovery failed: retried later */
	if (s->is_batch_failed)
		return refuse(s, s->batch_err);
	return write_one(s, ev);
}

/* The open batch could not be stored: count it, say so (once a run). */
static int flush_failed(struct store *s, const char *what, int err)
{
	if (s->failures++ == 0)
		log_error("store: %s: %s failed: %s", s->path, what,
			  sqlite3_errmsg(s->db));
	batch_abort(s);
	store_lost(s, s->txn_events);
	s->txn_events = 0;
	return err;
}

static int commit(struct store *s)
{
	int rc = s->nrows ? rows_insert(s) : 0;

	if (rc < 0)
		return flush_failed(s, "insert", rc);
	rc = segment_save(s);
	if (rc < 0)
		log_debug("store: segment: %s", sqlite3_errmsg(s->db));
	if (s->pending_rid > s->last_rid) {
		sqlite3_bind_int64(s->set_last, 1,
				   (sqlite3_int64)s->pending_rid);
		sqlite3_bind_int64(s->set_last, 2,
				   (sqlite3_int64)s->pending_rid);
		sqlite3_step(s->set_last);
		sqlite3_reset(s->set_last);
	}
	rc = sqlite3_step(s->commit);
	sqlite3_reset(s->commit);
	if (rc != SQLITE_DONE) {
		store_note_rc(s, rc);
		return flush_failed(s, "commit", store_errno(rc));
	}
	s->in_txn = false;
	s->txn_events = 0;
	if (s->failures) {
		log_info("store: %s: writing again after %u failed batches",
			 s->path, s->failures);
		s->failures = 0;
	}
	if (s->pending_rid > s->last_rid)
		s->last_rid = s->pending_rid;
	return 0;
}

int store_flush(struct sink *sk)
{
	struct store *s = to_store(sk);
	int err = 0;

	if (s->is_batch_failed) {
		s->is_batch_failed = false;
		err = s->batch_err;
		if (s->failures++ == 0)
			log_error("store: %s: a batch failed: %s", s->path,
				  strerror(-err));
	} else if (s->db && s->in_txn) {
		err = commit(s);
	}
	if (s->db && err == 0) {
		store_checkpoint_maybe(s);
		store_retention_run(s);
	}
	store_recover_check(s);
	return err;
}

uint64_t store_last_record_id(struct sink *sk)
{
	return to_store(sk)->last_rid;
}
