/* SPDX-License-Identifier: MIT */
/*
 * store/internal.h - what the files of the store module share; not for
 * other modules (store.h is the interface).
 *
 * The store sink is one struct store, owned by the writer thread:
 *   open.c        opening, the schema and its checks, closing, status;
 *   write.c       write() and flush(): the rows waiting for the
 *                 multi-row INSERT, segments, record ids, commits;
 *   checkpoint.c  the checkpoint thread and when to wake it;
 *   retention.c   the size budget, deletes by size and age, and handing
 *                 pages back (incremental vacuum);
 *   record.c      the stored form of an event's values;
 *   recover.c     a store file that is damaged, deleted or replaced
 *                 under the daemon: moved aside, a new one started;
 *   migrate.c     converting a store of schema version 2 in place;
 *   key.c         the integer keys of the indexed values.
 */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "render/render.h"
#include "sink/sink.h"
#include "store.h"
#include "util/buf.h"

/*
 * Rows per multi-row INSERT: one statement step for many rows spreads
 * the per-statement cost (bench/store_bench, 2 vCPUs: +14% events/s in
 * batches of 1000, +22% in the daemon's 512; 64 rows measured no
 * better).  The rows wait in memory, at most ROWS_MAX_BYTES of them, and
 * go in before the next commit.
 */
#define INSERT_ROWS    32
#define ROWS_MAX_BYTES (256 * 1024)

/*
 * Checkpoints (copying the WAL back into the database, with two fsyncs)
 * run on a thread of their own with its own connection, so the writer
 * never waits for the disk: a commit in WAL mode with synchronous=NORMAL
 * is only a write() to the WAL.
 */
struct checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	sqlite3 *db;
	bool is_started;
	pthread_cond_t idle;
	bool is_pending;
	bool is_busy; /* a checkpoint runs (SQLite allows one at a time) */
	bool is_stopping;
	int damage_rc; /* atomic: a checkpoint found the file damaged */
};

/*
 * The events table and its indexes (schema version 3), for a new store
 * and for the conversion of an old one (the index names are the same
 * whatever the table is called while it is filled).
 */
#define STORE_EVENTS_COLUMNS                  \
	" EventRecordID INTEGER PRIMARY KEY," \
	" time_ns INTEGER NOT NULL,"          \
	" EventID INTEGER NOT NULL,"          \
	" run INTEGER NOT NULL,"              \
	" created_ns INTEGER NOT NULL,"       \
	" guid_key INTEGER,"                  \
	" parent_key INTEGER,"                \
	" image_key INTEGER,"                 \
	" data BLOB NOT NULL"
#define STORE_EVENTS_INDEXES(table)                               \
	"CREATE INDEX events_guid_key ON " table "(guid_key)"     \
	" WHERE guid_key IS NOT NULL;"                            \
	"CREATE INDEX events_parent_key ON " table "(parent_key)" \
	" WHERE parent_key IS NOT NULL;"                          \
	"CREATE INDEX events_image_key ON " table "(image_key)"   \
	" WHERE image_key IS NOT NULL;"

/* A row waiting for the multi-row INSERT: its blob lives in store.rows. */
struct row {
	uint64_t rid, time_ns, created_ns;
	unsigned event_id;
	int64_t key[STORE_NCOLUMNS];
	bool has_key[STORE_NCOLUMNS]; /* false: NULL */
	size_t data_off, data_len; /* the values blob */
};

/* A row of the segments table, and how many events it holds. */
struct segment {
	uint64_t first_rid, last_rid, min_ns, max_ns, count;
};

struct store {
	struct sink sink;
	signed char field_idx[256][STORE_NCOLUMNS];
	struct row row[INSERT_ROWS];
	unsigned nrows;
	struct buf rows; /* text and blobs of row[] */
	uint64_t max_rid; /* no id above it is stored or waiting */
	sqlite3 *db;
	struct checkpointer ck;
	unsigned ck_frames; /* WAL frames that call for a checkpoint */
	unsigned wal_frames; /* WAL size after the last commit */
	sqlite3_stmt *ins, *ins_many, *begin, *commit, *rollback, *set_last;
	sqlite3_stmt *page_count, *freelist, *min_rid, *del_oldest, *del_aged;
	sqlite3_stmt *seg_put, *seg_trim;
	struct segment seg; /* the one being filled (first_rid 0: none) */
	int64_t run; /* runs.run of this sink's System values */
	char *path;
	int lock_fd; /* the database file, flock()ed while the store is open */
	struct buf data; /* the values blob of the event being written */
	uint64_t max_bytes, max_age_s;
	uint64_t wal_budget; /* bytes the WAL may take of max_bytes */
	uint64_t high_bytes; /* live pages above this start a delete ... */
	uint64_t low_bytes; /* ... which goes down to this */
	uint64_t page_size;
	unsigned retention_interval_s;
	uint64_t last_age_run_ns;
	uint64_t last_rid; /* highest committed EventRecordID */
	uint64_t pending_rid; /* highest written in the open transaction */
	uint64_t deleted;
	/* forwarding cursors (sink_store_watch_cursors()) */
	store_cursors_fn *cursors_fn;
	void *cursors_arg;
	size_t ncursors;
	uint64_t cursors[STORE_MAX_CURSORS]; /* read once per retention run */
	bool has_cursors; /* cursors[] read for this run */
	uint64_t cursor_lost[STORE_MAX_CURSORS]; /* atomic: read elsewhere */
	unsigned failures; /* consecutive failed flushes, for rate-limiting */
	bool in_txn;
	/* Losses: every event write() accepted into a batch that then
	 * failed, or refused, is counted once (sink.losses()). */
	uint64_t txn_events; /* events in the open transaction */
	bool is_batch_failed; /* the open batch is lost: refuse the rest */
	int batch_err;
	uint64_t failed; /* atomic: events not stored */
	/* Faults (recover.c) */
	struct render_host host; /* the System values of a new file's run */
	dev_t dev; /* the file opened, to notice it deleted or replaced */
	ino_t ino;
	bool is_damaged; /* SQLite called the file damaged ... */
	int damage_rc; /* ... with this result code */
	uint64_t retry_ns; /* no database: open again after this */
	pthread_mutex_t incident_lock;
	unsigned incidents; /* what happened, for the daemon's event 255 */
	char incident[768];
};

static inline struct store *to_store(struct sink *sk)
{
	return (struct store *)sk;
}

static inline uint64_t store_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* open.c: SQLite helpers of the writer. */

/*
 * Open the file at s->path into s (allocated, settings filled): the
 * database, its schema, this run, the statements and the checkpointer.
 * Returns 0 or a negative errno (see sink_store_new()); on error s holds
 * no database (s->db NULL).
 */
int store_connect(struct store *s);
/* Close what store_connect() opened; an open batch is rolled back. */
void store_disconnect(struct store *s);
/* Note a SQLite result code: one that says the file is damaged marks
 * it for recovery (recover.c). */
void store_note_rc(struct store *s, int rc);
/* Count n events lost. */
static inline void store_lost(struct store *s, uint64_t n)
{
	__atomic_add_fetch(&s->failed, n, __ATOMIC_RELAXED);
}

/* A SQLite result code as 0 or a negative errno. */
int store_errno(int rc);
/* Run sql on db (logged at debug level when it fails); a SQLite code. */
int store_exec(sqlite3 *db, const char *sql);
/* Prepare a statement kept for the sink's life; a SQLite code. */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st);

/* write.c */

/* The statements of write() and flush(): 0 or a SQLite code. */
int store_write_prepare(struct store *s);
/* Field index of each column field per event id, looked up once. */
void store_write_map_fields(struct store *s);
int store_write(struct sink *sk, const struct event *ev);
int store_flush(struct sink *sk);
uint64_t store_last_record_id(struct sink *sk);

/* migrate.c */

/*
 * Convert the store of schema version 2 open at s->db (no transaction
 * open) to the current version, in place, in batches of its own
 * transactions; record ids, runs, segments and meta are kept.  0 or a
 * negative errno (what was converted stays converted: the next open goes
 * on from there).
 */
int store_migrate(struct store *s);

/* checkpoint.c */

/* The WAL hook of the writer's connection (replaces auto-checkpoints). */
int store_checkpoint_wal_hook(void *arg, sqlite3 *db, const char *name,
			      int frames);
/* Open the checkpointer's connection and start its thread: 0 or -errno. */
int store_checkpoint_start(struct store *s);
/* Stop the thread (if started) and close its connection. */
void store_checkpoint_stop(struct store *s);
/* After a commit or a delete: hand a grown WAL to the checkpointer. */
void store_checkpoint_maybe(struct store *s);

/* recover.c */

/*
 * After each flush, on the writer thread: a file SQLite found damaged,
 * or that is no longer at s->path (deleted, replaced), is moved aside
 * and a new store started at the path; with no database (a failed
 * recovery), opening is tried again every few seconds.
 */
void store_recover_check(struct store *s);
/*
 * Start a new store at the path, moving what is there aside first when
 * what is "damaged" or (when it is no vigil store) "replaced"; what
 * happened is told with why.  0 or a negative errno (then s has no
 * database).
 */
int store_start_again(struct store *s, const char *what, const char *why);
/* Record what happened for sink_store_incident() (and the log). */
void store_incident(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* retention.c */

/* Split max_bytes between the WAL and the database (before opening). */
void store_retention_plan(struct store *s);
/* The statements of retention: 0 or a SQLite code. */
int store_retention_prepare(struct store *s);
/* After a flush: delete by age and size, then hand space back. */
void store_retention_run(struct store *s);

#endif /* VIGIL_STORE_INTERNAL_H */
