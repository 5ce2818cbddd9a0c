/* SPDX-License-Identifier: MIT */
/*
 * store/store.h - the embedded event store: vigil's default output and
 * the log that `vigil view` (and later the web viewer and forwarder) read.
 *
 * One SQLite file in WAL mode.  Each event is one row keyed by the
 * EventRecordID the writer assigned, with columns for the fields people
 * search most (event time, EventID, ProcessGuid, ParentProcessGuid,
 * Image), TimeCreated, the run that wrote it, and the event's values in a
 * compact form (store_record_encode()).  The System block of a record is
 * the same for every event of a run, so it is stored once per run and
 * the record is rendered again, in any format, when it is read.
 *
 * Crash safety: write() adds to an open transaction, flush() commits it
 * (synchronous=NORMAL).  A committed batch survives the process being
 * killed; a power loss may lose the last batches, never corrupt the file.
 *
 * Retention: flush() keeps the database plus its WAL under max_bytes and
 * drops events older than max_age_s, oldest first, in bounded chunks, so
 * a write never waits for a large delete.
 *
 * Files are created mode 0640 (group "adm" when it exists, so admins can
 * read the log without root); a directory that has to be created gets
 * 0750.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event/event.h"

struct buf;
struct render_host;
struct sink;
struct sqlite3;

/* Version 1 kept the whole JSON rendering per row; version 2 files hold
 * the values only.  Older files are refused (-EPROTONOSUPPORT). */
#define STORE_SCHEMA_VERSION 2

/* Largest values blob a reader accepts: every value full, plus NULs. */
#define STORE_RECORD_MAX_BYTES (EVENT_MAX_BYTES + CATALOG_MAX_FIELDS)

/* Defaults when settings give none (documented in vigil.conf(5)). */
#define STORE_DEFAULT_MAX_BYTES (1024ull * 1024 * 1024)
#define STORE_DEFAULT_MAX_AGE_S (30ull * 24 * 3600)
/* Smallest size limit accepted: below it the WAL alone would not fit. */
#define STORE_MIN_MAX_BYTES (1024ull * 1024)
/* Age retention runs at most this often (size checks are every flush). */
#define STORE_RETENTION_INTERVAL_S 60

/*
 * Open or create the store at path as a sink.  max_bytes bounds the
 * database and its WAL (0: no size limit; otherwise at least
 * STORE_MIN_MAX_BYTES), max_age_s the age of events by their UtcTime (0:
 * keep forever).  h is copied.  On error returns NULL with errno set and a
 * message logged:
 *   EINVAL  bad arguments;
 *   ENOENT  the parent of the store's directory does not exist;
 *   EACCES  no permission;
 *   EIO     the file is damaged or not a database;
 *   EPROTO  the file is a database but not a vigil store, or a newer one;
 *   EPROTONOSUPPORT  a store of an older vigil (an older schema version:
 *           not converted; move it aside to start a new store);
 *   EBUSY   another process holds the store's write lock.
 *
 * The sink's write() encodes ev's values and inserts them; ev->record_id must
 * be set (0 is -EINVAL) and not already stored (-EEXIST).  Events with
 * rising ids are inserted a few at a time, so a write's error (-ENOSPC,
 * -EIO) may come from the events before it in the batch.  flush() commits
 * and runs retention.  Both return 0 or a negative errno (-ENOSPC on a
 * full disk, -EIO, -EBUSY); a failed flush() loses its batch.
 * last_record_id() is the highest id ever committed, kept even when
 * retention has deleted that event.
 */
struct sink *sink_store_new(const char *path, uint64_t max_bytes,
			    uint64_t max_age_s, const struct render_host *h);

/*
 * How often age retention may run, in seconds (0: every flush).  For tests
 * and tools; the default is STORE_RETENTION_INTERVAL_S.  s must come from
 * sink_store_new().
 */
void sink_store_set_retention_interval(struct sink *s, unsigned interval_s);

/* Bytes the store occupies on disk now (database + WAL), for status. */
uint64_t sink_store_bytes(struct sink *s);

/* Events deleted by retention since the sink was opened. */
uint64_t sink_store_deleted(struct sink *s);

/*
 * Retention losses of forwarding destinations: events that retention
 * deletes while their EventRecordID is above a destination's cursor (it
 * never had them).  Before the first delete of a retention run, the
 * writer thread calls fn(arg, cursors, n) to read the n current cursors
 * (0: nothing delivered yet).  n is at most STORE_MAX_CURSORS.  Returns 0
 * or -EINVAL.
 */
#define STORE_MAX_CURSORS 8
typedef void store_cursors_fn(void *arg, uint64_t *cursors, size_t n);
int sink_store_watch_cursors(struct sink *s, size_t n, store_cursors_fn *fn,
			     void *arg);

/*
 * What last happened to the store file under the daemon (damaged,
 * deleted or replaced, and what was done: store/recover.c), for event
 * 255.  When something happened since *seen, copies its description to
 * text, updates *seen and returns 1; else 0.  Any thread may ask.
 */
int sink_store_incident(struct sink *s, unsigned *seen, char *text,
			size_t size);

/* Events lost to cursor i so far; any thread may ask. */
uint64_t sink_store_cursor_lost(struct sink *s, size_t i);

/*
 * What readers may rely on (schema version 2):
 *   events(EventRecordID INTEGER PRIMARY KEY, time_ns INTEGER (UtcTime, ns
 *          since the epoch), EventID INTEGER, run INTEGER (runs.run),
 *          created_ns INTEGER (TimeCreated, ns since the epoch),
 *          ProcessGuid TEXT, ParentProcessGuid TEXT, Image TEXT,
 *          data BLOB (store_record_encode()))
 *   runs(run INTEGER PRIMARY KEY, Computer TEXT, ProviderName TEXT,
 *        ProviderGuid TEXT, Channel TEXT, ProcessID INTEGER,
 *        ThreadID INTEGER, UserId INTEGER): the System values of a run
 *   meta(key TEXT PRIMARY KEY, value TEXT): schema_version, last_record_id
 * A column is NULL when the event has no such field.  ProcessGuid,
 * ParentProcessGuid and Image hold the value lower-cased (ASCII A-Z only,
 * like SQLite's lower()) for case-insensitive search; data keeps it as it
 * was.  Indexes: ProcessGuid, ParentProcessGuid (where not NULL) and
 * Image.  segments(first_rid INTEGER PRIMARY KEY, last_rid, min_time_ns,
 * max_time_ns): every event with an id in [first_rid, last_rid] has a
 * time_ns within [min_time_ns, max_time_ns], for time ranges.
 */

/*
 * The fields with a column of their own (the lower-cased, indexed ones
 * above), in column order: the one list of them, for the writer and for
 * readers that decide whether a condition can use an index.  Field names
 * in catalogue spelling.
 */
#define STORE_NCOLUMNS 3
extern const char *const store_columns[STORE_NCOLUMNS];

/* Whether field name (catalogue spelling, exact) has a column. */
bool store_is_column(const char *name);

/*
 * The stored form of ev's values into b (reset first): each value in
 * catalogue order followed by a NUL byte, an unset value empty.  Returns
 * 0, -ENOMEM, or -E2BIG when b's maximum was reached.
 */
int store_record_encode(struct buf *b, const struct event *ev);

/*
 * Rebuild an event of type event_id from a stored values blob: ev is
 * initialised (release it with event_release()); record_id and time_ns
 * are the caller's to set.  Returns 0, or -EINVAL for an unknown id or a
 * blob that is not exactly the event's values (ev is then released),
 * -ENOMEM.
 */
int store_record_decode(struct event *ev, unsigned event_id, const void *data,
			size_t size);

/*
 * Add the SQL function vigil_field(EventID, data, name) to db: the value
 * of field name (catalogue spelling) as text, "-" when unset, NULL when
 * the event has no such field or the row is damaged.  store_open_ro()
 * does this.  Returns 0 or -ENOMEM.
 */
int store_record_register(struct sqlite3 *db);

/*
 * Open the store at path read-only for a reader (never creates, never
 * writes, works with only read permission while a writer runs), with
 * busy_timeout_ms for the moments the writer holds a lock.  Returns 0 and
 * *db (close with sqlite3_close()), or:
 *   -ENOENT  no such file;       -EACCES  no permission;
 *   -ENODATA the file holds no store yet (a database without tables:
 *            the daemon is creating it);
 *   -EIO     damaged or not a database;
 *   -EPROTO  a database that is not a vigil store, or a newer schema,
 *            or an empty file (for a moment as the daemon creates the
 *            store; --follow waits on an empty file);
 *   -EPROTONOSUPPORT a store of an older vigil (older schema);
 *   -EBUSY   locked longer than busy_timeout_ms.
 * The connection has vigil_field() (store_record_register()).
 */
int store_open_ro(const char *path, unsigned busy_timeout_ms,
		  struct sqlite3 **db);

/*
 * Whether path now names another file than the one db (from
 * store_open_ro()) reads: the daemon moved a damaged or foreign file
 * aside and started a new store, or the file was deleted and a new one
 * made.  The file db holds open keeps its inode, so a new file at path
 * never looks like it.  false while path names nothing (the new store is
 * not made yet): keep reading what is open.  The readers that follow the
 * store (the forwarder, `vigil view --follow`, `vigil web`) then read
 * what is left in the old file and open path again; record ids continue
 * across the two, so reading on from the last id seen neither repeats
 * nor skips an event.
 */
bool store_is_replaced(struct sqlite3 *db, const char *path);

#endif /* VIGIL_STORE_H */
