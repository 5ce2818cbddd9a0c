/* SPDX-License-Identifier: MIT */
/*
 * store/store.c - the SQLite event store as a sink.
 *
 * Settings follow the measurements in output-formats.md section 3: WAL,
 * synchronous=NORMAL, batched inserts through one prepared statement,
 * auto_vacuum=INCREMENTAL so retention can hand space back without a full
 * VACUUM.  One writer thread owns the connection; readers use their own
 * read-only connections (store_open_ro()).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store.h"
#include "util/buf.h"
#include "util/log.h"

/* Rows deleted per retention transaction: small enough that one delete
 * never holds the writer long nor blows the WAL budget. */
#define RETENTION_CHUNK_ROWS 2000
/* Upper bound of chunks per flush, so a huge backlog is spread out. */
#define RETENTION_MAX_CHUNKS 64
/* Pages handed back to the file system per incremental_vacuum call. */
#define VACUUM_MAX_PAGES       16384
#define WRITER_BUSY_TIMEOUT_MS 5000
/*
 * The writer only appends: its working set is the right edge of the
 * table and a few hot leaves per index.  bench/store_bench inserted as
 * fast with 2 MiB as with 16 MiB, and the daemon's memory is mostly this
 * cache.
 */
#define WRITER_CACHE_KIB 2048
/*
 * Rows per multi-row INSERT: one statement step for many rows spreads
 * the per-statement cost (bench/store_bench, 2 vCPUs: +14% events/s in
 * batches of 1000, +22% in the daemon's 512; 64 rows measured no
 * better).  The rows wait in memory, at most ROWS_MAX_BYTES of them, and
 * go in before the next commit.
 */
#define INSERT_ROWS    32
#define ROWS_MAX_BYTES (256 * 1024)
/* Parameters of one row of the INSERT statements. */
#define ROW_PARAMS 9
/* Measured in bench/store_bench: 8 KiB pages cost less CPU per insert
 * than 4 KiB (fewer WAL frames and page splits per record). */
#define STORE_PAGE_SIZE 8192
/*
 * Largest WAL budget (also used without a size limit).  A smaller WAL
 * means more, shorter checkpoints: at 64 MiB a sustained burst stalled
 * a flush for 150 ms - 1.2 s, at 16 MiB for under 100 ms, at the same
 * insert rate (bench/store_bench on a 2-vCPU VM).
 */
#define MAX_WAL_BYTES (16ull * 1024 * 1024)
/* How long a checkpoint waits for readers before giving up this round. */
#define CKPT_BUSY_MS 200
/*
 * Events per row of the segments table.  A segment maps a range of
 * record ids to the span of event times in it; time ranges and age
 * retention use it instead of an index on time_ns (each index on the
 * events table costs about a fifth of the insert rate).  A segment also
 * ends after SEGMENT_MAX_S, so a quiet store keeps time bounds precise.
 */
#define SEGMENT_EVENTS 4096
#define SEGMENT_MAX_S  600

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE runs("
	" run INTEGER PRIMARY KEY,"
	" Computer TEXT NOT NULL,"
	" ProviderName TEXT NOT NULL,"
	" ProviderGuid TEXT NOT NULL,"
	" Channel TEXT NOT NULL,"
	" ProcessID INTEGER NOT NULL,"
	" ThreadID INTEGER NOT NULL,"
	" UserId INTEGER NOT NULL);"
	"CREATE TABLE events("
	" EventRecordID INTEGER PRIMARY KEY,"
	" time_ns INTEGER NOT NULL,"
	" EventID INTEGER NOT NULL,"
	" run INTEGER NOT NULL,"
	" created_ns INTEGER NOT NULL,"
	" ProcessGuid TEXT,"
	" ParentProcessGuid TEXT,"
	" Image TEXT,"
	" data BLOB NOT NULL);"
	"CREATE TABLE segments("
	" first_rid INTEGER PRIMARY KEY,"
	" last_rid INTEGER NOT NULL,"
	" min_time_ns INTEGER NOT NULL,"
	" max_time_ns INTEGER NOT NULL);"
	"CREATE INDEX events_guid ON events(ProcessGuid);"
	"CREATE INDEX events_parent ON events(ParentProcessGuid)"
	" WHERE ParentProcessGuid IS NOT NULL;"
	"CREATE INDEX events_image ON events(Image);"
	"INSERT INTO meta VALUES('schema_version', '2');"
	"INSERT INTO meta VALUES('last_record_id', '0');";

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
};

/* Fields with a column of their own, in column order after EventID. */
#define STORE_NCOLS 3
static const char *const column_fields[STORE_NCOLS] = {
	"ProcessGuid",
	"ParentProcessGuid",
	"Image",
};

/* A row waiting for the multi-row INSERT: text lives in store.rows. */
struct row {
	uint64_t rid, time_ns, created_ns;
	unsigned event_id;
	size_t off[STORE_NCOLS + 1]; /* columns, then the values blob */
	int len[STORE_NCOLS + 1]; /* -1: NULL */
};

/* A row of the segments table, and how many events it holds. */
struct segment {
	uint64_t first_rid, last_rid, min_ns, max_ns, count;
};

struct store {
	struct sink sink;
	signed char field_idx[256][STORE_NCOLS];
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
	unsigned failures; /* consecutive failed flushes, for rate-limiting */
	bool in_txn;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int store_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_READONLY:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_IOERR:
		return -EIO;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static gid_t store_admin_gid(void)
{
	struct group gr, *res = NULL;
	char tmp[4096];

	if (getgrnam_r("adm", &gr, tmp, sizeof(tmp), &res) != 0 || !res)
		return (gid_t)-1;
	return res->gr_gid;
}

/*
 * Make sure the store's directory exists.  Only the last level is created
 * (0750, group adm): a missing /var/lib is a broken system, not ours to
 * fix.
 */
static int ensure_dir(const char *path, gid_t gid)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0)
		return errno == EEXIST ? 0 : -errno;
	/* mkdir's mode went through the umask; set it exactly. */
	if (chmod(dir, 0750) < 0 ||
	    (gid != (gid_t)-1 && geteuid() == 0 && chown(dir, -1, gid) < 0))
		log_warn("store: cannot set mode of %s: %s", dir,
			 strerror(errno));
	return 0;
}

/*
 * Create the database file ourselves so its mode and group are right from
 * the first byte; SQLite then gives -wal and -shm the same mode and (when
 * run as root) the same owner and group.  An existing file keeps its
 * group but loses any access for others.
 */
static int prepare_file(const char *path, gid_t gid)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0640);
	if (fd >= 0) {
		if (fchmod(fd, 0640) < 0 ||
		    (gid != (gid_t)-1 && geteuid() == 0 &&
		     fchown(fd, -1, gid) < 0))
			log_warn("store: cannot set mode of %s: %s", path,
				 strerror(errno));
		close(fd);
		return 0;
	}
	if (errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((st.st_mode & 0027) && fchmod(fd, st.st_mode & 0750) < 0)
		log_warn("store: cannot tighten mode of %s: %s", path,
			 strerror(errno));
	close(fd);
	return 0;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_debug("store: %s: %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

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
 * Classify what is in an opened database: 0 a vigil store of our schema,
 * -ENODATA nothing yet, -EPROTO something else, -EIO damage.
 */
static int store_check_schema(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc, tables = 0, version = -1;

	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_errno(rc);
	if (tables == 0)
		return -ENODATA;
	rc = sqlite3_prepare_v2(
		db, "SELECT value FROM meta WHERE key = 'schema_version'", -1,
		&st, NULL);
	if (rc != SQLITE_OK) /* no meta table: someone else's database */
		return rc == SQLITE_ERROR ? -EPROTO : store_errno(rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_errno(rc);
	if (version >= 1 && version < STORE_SCHEMA_VERSION)
		return -EPROTONOSUPPORT;
	return version == STORE_SCHEMA_VERSION ? 0 : -EPROTO;
}

int store_open_ro(const char *path, unsigned busy_timeout_ms, sqlite3 **out)
{
	sqlite3 *db = NULL;
	int rc, err;

	*out = NULL;
	if (access(path, F_OK) < 0)
		return -errno;
	if (access(path, R_OK) < 0)
		return -errno;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return rc == SQLITE_CANTOPEN ? -EACCES : store_errno(rc);
	}
	sqlite3_busy_timeout(db, (int)busy_timeout_ms);
	err = store_check_schema(db);
	if (err == 0)
		err = store_record_register(db);
	if (err < 0) {
		sqlite3_close(db);
		return err;
	}
	*out = db;
	return 0;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    st, NULL);

	if (rc != SQLITE_OK)
		log_error("store: %s: %s", s->path, sqlite3_errmsg(s->db));
	return rc;
}

#define INSERT_SQL                                                           \
	"INSERT OR IGNORE INTO events(EventRecordID, time_ns, EventID, run," \
	" created_ns, ProcessGuid, ParentProcessGuid, Image, data) VALUES"
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
	rc = err ? SQLITE_NOMEM : prepare(s, b.data, &s->ins_many);
	buf_release(&b);
	return rc;
}

static int prepare_all(struct store *s)
{
	int rc = 0;

	rc |= prepare(s, INSERT_SQL ROW_SQL, &s->ins);
	rc |= prepare_many(s);
	rc |= prepare(s, "BEGIN IMMEDIATE", &s->begin);
	rc |= prepare(s, "COMMIT", &s->commit);
	rc |= prepare(s, "ROLLBACK", &s->rollback);
	rc |= prepare(s,
		      "UPDATE meta SET value = ? WHERE key = 'last_record_id'"
		      " AND CAST(value AS INTEGER) < ?",
		      &s->set_last);
	rc |= prepare(s, "PRAGMA page_count", &s->page_count);
	rc |= prepare(s, "PRAGMA freelist_count", &s->freelist);
	rc |= prepare(s, "SELECT min(EventRecordID) FROM events", &s->min_rid);
	rc |= prepare(s,
		      "DELETE FROM events WHERE EventRecordID IN"
		      " (SELECT EventRecordID FROM events"
		      " ORDER BY EventRecordID LIMIT ?)",
		      &s->del_oldest);
	rc |= prepare(s,
		      "DELETE FROM events WHERE EventRecordID IN"
		      " (SELECT EventRecordID FROM events"
		      " WHERE EventRecordID <= (SELECT coalesce(max(last_rid),"
		      " 0) FROM segments WHERE min_time_ns < ?1)"
		      " AND time_ns < ?1 ORDER BY EventRecordID LIMIT ?2)",
		      &s->del_aged);
	rc |= prepare(s, "INSERT OR REPLACE INTO segments VALUES(?, ?, ?, ?)",
		      &s->seg_put);
	rc |= prepare(s,
		      "DELETE FROM segments WHERE last_rid < (SELECT"
		      " min(EventRecordID) FROM events)",
		      &s->seg_trim);
	return rc == SQLITE_OK ? 0 : -EIO;
}

static uint64_t read_last_rid(struct store *s)
{
	sqlite3_stmt *st = NULL;
	uint64_t meta = 0, rows = 0;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT value FROM meta"
			       " WHERE key = 'last_record_id'",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			meta = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(s->db, "SELECT max(EventRecordID) FROM events",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			rows = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return meta > rows ? meta : rows;
}

/*
 * Split max_bytes between the WAL and the database, and set the
 * hysteresis of size retention: deleting a little below the limit means
 * retention runs once per few MiB of new events, not on every flush.
 */
static void plan_budget(struct store *s)
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

static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *s = arg;

	(void)db;
	(void)name;
	s->wal_frames = (unsigned)frames;
	return SQLITE_OK;
}

static void *checkpointer_main(void *arg)
{
	struct store *s = arg;
	struct checkpointer *ck = &s->ck;

	pthread_mutex_lock(&ck->lock);
	for (;;) {
		while (!ck->is_pending && !ck->is_stopping)
			pthread_cond_wait(&ck->cond, &ck->lock);
		if (ck->is_stopping)
			break;
		ck->is_pending = false;
		if (ck->is_busy)
			continue; /* the writer is restarting the WAL */
		ck->is_busy = true;
		pthread_mutex_unlock(&ck->lock);
		/* PASSIVE copies without blocking the writer or readers */
		sqlite3_wal_checkpoint_v2(
			ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&ck->lock);
		ck->is_busy = false;
		pthread_cond_signal(&ck->idle);
	}
	pthread_mutex_unlock(&ck->lock);
	return NULL;
}

static int checkpointer_start(struct store *s)
{
	struct checkpointer *ck = &s->ck;
	int rc;

	rc = sqlite3_open_v2(s->path, &ck->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	sqlite3_busy_timeout(ck->db, CKPT_BUSY_MS);
	exec_sql(ck->db, "PRAGMA synchronous = NORMAL");
	if (pthread_mutex_init(&ck->lock, NULL) != 0)
		return -ENOMEM;
	if (pthread_cond_init(&ck->cond, NULL) != 0) {
		pthread_mutex_destroy(&ck->lock);
		return -ENOMEM;
	}
	if (pthread_cond_init(&ck->idle, NULL) != 0) {
		pthread_cond_destroy(&ck->cond);
		pthread_mutex_destroy(&ck->lock);
		return -ENOMEM;
	}
	rc = pthread_create(&ck->thread, NULL, checkpointer_main, s);
	if (rc != 0) {
		pthread_cond_destroy(&ck->idle);
		pthread_cond_destroy(&ck->cond);
		pthread_mutex_destroy(&ck->lock);
		return -rc;
	}
	ck->is_started = true;
	return 0;
}

static void checkpointer_stop(struct store *s)
{
	struct checkpointer *ck = &s->ck;

	if (ck->is_started) {
		pthread_mutex_lock(&ck->lock);
		ck->is_stopping = true;
		pthread_cond_signal(&ck->cond);
		pthread_mutex_unlock(&ck->lock);
		pthread_join(ck->thread, NULL);
		pthread_cond_destroy(&ck->idle);
		pthread_cond_destroy(&ck->cond);
		pthread_mutex_destroy(&ck->lock);
		ck->is_started = false;
	}
	sqlite3_close(ck->db);
	ck->db = NULL;
}

/*
 * After a commit: hand a grown WAL to the checkpointer.  A writer that
 * never pauses keeps appending while the checkpointer copies, so the WAL
 * is never found fully copied and never starts over by itself; past its
 * budget the writer restarts it here, which costs only the short tail the
 * checkpointer has not copied yet (and two fsyncs).
 */
static void checkpoint_maybe(struct store *s)
{
	struct checkpointer *ck = &s->ck;

	if (s->wal_frames >= 2 * s->ck_frames) {
		/* one checkpoint at a time: wait for the PASSIVE to end */
		pthread_mutex_lock(&ck->lock);
		while (ck->is_busy)
			pthread_cond_wait(&ck->idle, &ck->lock);
		ck->is_busy = true;
		pthread_mutex_unlock(&ck->lock);
		sqlite3_wal_checkpoint_v2(
			s->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
		pthread_mutex_lock(&ck->lock);
		ck->is_busy = false;
		pthread_mutex_unlock(&ck->lock);
		return;
	}
	if (s->wal_frames < s->ck_frames)
		return;
	pthread_mutex_lock(&ck->lock);
	ck->is_pending = true;
	pthread_cond_signal(&ck->cond);
	pthread_mutex_unlock(&ck->lock);
}

static int configure(struct store *s)
{
	char sql[160];
	int fl = 1;

	sqlite3_busy_timeout(s->db, WRITER_BUSY_TIMEOUT_MS);
	/* page_size and auto_vacuum only take effect in a new file. */
	snprintf(sql, sizeof(sql), "PRAGMA page_size = %d", STORE_PAGE_SIZE);
	exec_sql(s->db, sql);
	if (exec_sql(s->db, "PRAGMA auto_vacuum = INCREMENTAL") ||
	    exec_sql(s->db, "PRAGMA journal_mode = WAL") ||
	    exec_sql(s->db, "PRAGMA synchronous = NORMAL"))
		return -EIO;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", WRITER_CACHE_KIB);
	exec_sql(s->db, sql);
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %llu",
		 (unsigned long long)s->wal_budget);
	exec_sql(s->db, sql);
	/*
	 * Keep -wal and -shm after close: a reader without write access to
	 * the directory (an admin, not root) can then still open the store
	 * while the daemon is stopped.
	 */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &fl);
	/* replaces the automatic checkpoint on commit */
	sqlite3_wal_hook(s->db, wal_hook, s);
	return 0;
}

/*
 * Record this run's System values (the same for all its events) and
 * forget those of runs whose events retention has removed.  Run numbers
 * grow with record ids, so every run below the oldest event's is unused.
 */
static int add_run(struct store *s, const struct render_host *h)
{
	struct render_host d;
	sqlite3_stmt *st = NULL;
	int rc;

	render_host_defaults(&d);
	rc = exec_sql(s->db,
		      "DELETE FROM runs WHERE run < coalesce("
		      "(SELECT run FROM events ORDER BY EventRecordID LIMIT 1),"
		      " (SELECT max(run) FROM runs) + 1)");
	if (rc != SQLITE_OK)
		return store_errno(rc);
	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO runs(Computer, ProviderName,"
				" ProviderGuid, Channel, ProcessID, ThreadID,"
				" UserId) VALUES(?, ?, ?, ?, ?, ?, ?)",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	sqlite3_bind_text(st, 1, h->computer ? h->computer : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 2, h->provider_name ?: d.provider_name, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, h->provider_guid ?: d.provider_guid, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, h->channel ?: d.channel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, h->pid);
	sqlite3_bind_int64(st, 6, h->tid);
	sqlite3_bind_int64(st, 7, h->euid);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_errno(rc);
	s->run = sqlite3_last_insert_rowid(s->db);
	return 0;
}

/* Create the tables in a new file and add this run, in one transaction. */
static int init_schema(struct store *s, const struct render_host *h)
{
	int err, rc;

	rc = exec_sql(s->db, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return store_errno(rc);
	err = store_check_schema(s->db);
	if (err == -ENODATA) {
		rc = exec_sql(s->db, schema_sql);
		err = store_errno(rc);
	}
	if (err == 0)
		err = add_run(s, h);
	if (err < 0) {
		exec_sql(s->db, "ROLLBACK");
		return err;
	}
	rc = exec_sql(s->db, "COMMIT");
	return store_errno(rc);
}

static struct store *to_store(struct sink *sk)
{
	return (struct store *)sk;
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
 * Copy a value into the waiting rows' text, lower-cased (ASCII, like
 * SQLite's lower()) for the searchable columns, so plain BINARY indexes
 * serve case-insensitive searches: a NOCASE collation costs a
 * case-folding compare at every index step.
 */
static int row_put(struct store *s, struct row *r, unsigned k, const char *v,
		   size_t len, bool is_lower)
{
	struct buf *b = &s->rows;
	size_t off = b->len;
	int err;

	if (len > INT_MAX)
		return -E2BIG;
	err = buf_add(b, v, len);
	if (err < 0)
		return err;
	for (size_t i = off; is_lower && i < b->len; i++)
		if (b->data[i] >= 'A' && b->data[i] <= 'Z')
			b->data[i] = (char)(b->data[i] - 'A' + 'a');
	r->off[k] = off;
	r->len[k] = (int)len;
	return 0;
}

/* Add ev (values already encoded in s->data) to the waiting rows. */
static int row_stage(struct store *s, const struct event *ev, uint64_t t)
{
	struct row *r = &s->row[s->nrows];
	size_t start = s->rows.len;
	int err = 0;

	*r = (struct row){ .rid = ev->record_id,
			   .time_ns = t,
			   .created_ns = now_ns(),
			   .event_id = ev->def->id };
	for (unsigned k = 0; k < STORE_NCOLS && !err; k++) {
		int idx = s->field_idx[ev->def->id & 0xff][k];
		const char *v;
		size_t len;

		r->len[k] = -1;
		if (idx < 0)
			continue;
		v = event_value(ev, (unsigned)idx, &len);
		err = row_put(s, r, k, v, len, true);
	}
	if (!err)
		err = row_put(s, r, STORE_NCOLS, s->data.data, s->data.len,
			      false);
	if (err < 0) {
		s->rows.len = start; /* keep the rows before it */
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
	for (unsigned k = 0; k < STORE_NCOLS; k++) {
		if (r->len[k] < 0)
			sqlite3_bind_null(st, base + 6 + (int)k);
		else
			sqlite3_bind_text(st, base + 6 + (int)k,
					  s->rows.data + r->off[k], r->len[k],
					  SQLITE_STATIC);
	}
	sqlite3_bind_blob(st, base + 9, s->rows.data + r->off[STORE_NCOLS],
			  r->len[STORE_NCOLS], SQLITE_STATIC);
}

/* Step an INSERT; 0, -EEXIST when OR IGNORE skipped the row, or errno. */
static int row_step(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
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
static void map_fields(struct store *s)
{
	for (unsigned id = 0; id < 256; id++) {
		const struct catalog_event *def = catalog_lookup(id);

		for (unsigned k = 0; k < STORE_NCOLS; k++)
			s->field_idx[id][k] =
				def ? (signed char)catalog_field_index(
					      def, column_fields[k])
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
 * An id above every id stored or waiting cannot be a duplicate, so it
 * waits for the multi-row INSERT.  Any other id goes in at once, alone,
 * so that a duplicate is reported by the write that brings it.
 */
static int store_write(struct sink *sk, const struct event *ev)
{
	struct store *s = to_store(sk);
	bool is_new = ev->record_id > s->max_rid;
	uint64_t t;
	int rc, err;

	if (!ev->record_id || ev->record_id > INT64_MAX)
		return -EINVAL;
	err = store_record_encode(&s->data, ev);
	if (err < 0)
		return err;
	if (!s->in_txn) {
		rc = sqlite3_step(s->begin);
		sqlite3_reset(s->begin);
		if (rc != SQLITE_DONE)
			return store_errno(rc);
		s->in_txn = true;
		s->pending_rid = 0;
	}
	t = event_time(ev);
	err = segment_roll(s, t);
	if (err == 0 && !is_new && s->nrows)
		err = rows_insert(s);
	if (err == 0)
		err = row_stage(s, ev, t);
	if (err < 0)
		return err;
	if (!is_new || s->nrows == INSERT_ROWS || s->rows.len >= ROWS_MAX_BYTES)
		err = rows_insert(s);
	if (err < 0)
		return err;
	if (is_new)
		s->max_rid = ev->record_id;
	segment_add(s, ev->record_id, t);
	return 0;
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

/* One bounded delete in its own transaction; returns rows deleted. */
static int64_t delete_chunk(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	int64_t n = sqlite3_changes(s->db);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warn("store: retention: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	s->deleted += (uint64_t)n;
	checkpoint_maybe(s); /* deletes rewrite pages: keep the WAL bounded */
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
	if (exec_sql(s->db, sql) != SQLITE_OK)
		log_warn("store: incremental_vacuum: %s",
			 sqlite3_errmsg(s->db));
	checkpoint_maybe(s);
}

static void retention(struct store *s)
{
	uint64_t before = s->deleted;

	retention_by_age(s, now_ns());
	retention_by_size(s);
	if (s->deleted != before) {
		/* segments wholly below the oldest event describe nothing */
		if (sqlite3_step(s->seg_trim) != SQLITE_DONE)
			log_warn("store: retention: %s", sqlite3_errmsg(s->db));
		sqlite3_reset(s->seg_trim);
		retention_vacuum(s);
	}
}

static int store_flush(struct sink *sk)
{
	struct store *s = to_store(sk);
	int rc;

	if (s->in_txn) {
		rc = s->nrows ? rows_insert(s) : 0;
		if (rc < 0) {
			if (!sqlite3_get_autocommit(s->db)) {
				sqlite3_step(s->rollback);
				sqlite3_reset(s->rollback);
			}
			s->in_txn = false;
			if (s->failures++ == 0)
				log_error("store: %s: insert failed: %s",
					  s->path, strerror(-rc));
			return rc;
		}
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
			int err = store_errno(rc);

			if (!sqlite3_get_autocommit(s->db)) {
				sqlite3_step(s->rollback);
				sqlite3_reset(s->rollback);
			}
			s->in_txn = false;
			if (s->failures++ == 0)
				log_error("store: %s: commit failed: %s",
					  s->path, sqlite3_errstr(rc));
			return err;
		}
		s->in_txn = false;
		if (s->failures) {
			log_info("store: %s: writing again after %u failed "
				 "batches",
				 s->path, s->failures);
			s->failures = 0;
		}
		if (s->pending_rid > s->last_rid)
			s->last_rid = s->pending_rid;
	}
	checkpoint_maybe(s);
	retention(s);
	return 0;
}

static uint64_t store_last_record_id(struct sink *sk)
{
	return to_store(sk)->last_rid;
}

static void store_free(struct sink *sk)
{
	struct store *s = to_store(sk);

	if (!s)
		return;
	checkpointer_stop(s);
	if (s->in_txn) /* an unflushed batch is by contract not durable */
		exec_sql(s->db, "ROLLBACK");
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->ins_many);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	sqlite3_finalize(s->set_last);
	sqlite3_finalize(s->page_count);
	sqlite3_finalize(s->freelist);
	sqlite3_finalize(s->min_rid);
	sqlite3_finalize(s->del_oldest);
	sqlite3_finalize(s->del_aged);
	sqlite3_finalize(s->seg_put);
	sqlite3_finalize(s->seg_trim);
	if (s->db) {
		exec_sql(s->db, "PRAGMA optimize");
		sqlite3_close(s->db);
	}
	buf_release(&s->data);
	buf_release(&s->rows);
	free(s->path);
	free(s);
}

static const char *open_error_text(int err)
{
	switch (err) {
	case -EIO:
		return "damaged or not a database (move it aside to start a "
		       "new store)";
	case -EPROTO:
		return "not a vigil event store, or one written by a newer "
		       "vigil";
	case -EPROTONOSUPPORT:
		return "an event store of an older vigil, which this one does "
		       "not convert (move it aside or delete it to start a "
		       "new store)";
	case -EBUSY:
		return "locked by another writer (is another vigil running?)";
	default:
		return strerror(-err);
	}
}

static struct store *store_open(const char *path, uint64_t max_bytes,
				uint64_t max_age_s, const struct render_host *h,
				int *errp)
{
	struct store *s = calloc(1, sizeof(*s));
	gid_t gid = store_admin_gid();
	int err, rc;

	if (!s) {
		*errp = -ENOMEM;
		return NULL;
	}
	buf_init(&s->data, STORE_RECORD_MAX_BYTES);
	/* the last row may pass ROWS_MAX_BYTES by one row at most */
	buf_init(&s->rows, ROWS_MAX_BYTES + STORE_RECORD_MAX_BYTES +
				   STORE_NCOLS * EVENT_MAX_BYTES);
	map_fields(s);
	s->max_bytes = max_bytes;
	s->max_age_s = max_age_s;
	s->retention_interval_s = STORE_RETENTION_INTERVAL_S;
	s->page_size = 4096;
	s->path = strdup(path);
	err = s->path ? 0 : -ENOMEM;
	if (err < 0)
		goto fail;
	err = ensure_dir(path, gid);
	if (err < 0)
		goto fail;
	err = prepare_file(path, gid);
	if (err < 0)
		goto fail;
	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err = store_errno(rc);
		goto fail;
	}
	plan_budget(s);
	err = configure(s);
	if (err < 0)
		goto fail_db;
	err = init_schema(s, h);
	if (err < 0)
		goto fail;
	{
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st,
				       NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			s->page_size = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (!s->page_size)
			s->page_size = 4096;
	}
	/* checkpoint at a quarter of the budget, restart at half */
	s->ck_frames = (unsigned)(s->wal_budget / 4 / s->page_size);
	if (s->ck_frames < 16)
		s->ck_frames = 16;
	err = checkpointer_start(s);
	if (err < 0)
		goto fail;
	if (prepare_all(s) < 0) {
		err = -EIO;
		goto fail;
	}
	s->last_rid = read_last_rid(s);
	s->max_rid = s->last_rid;
	return s;

fail_db:
	if (store_errno(sqlite3_errcode(s->db)) < 0)
		err = store_errno(sqlite3_errcode(s->db));
fail:
	*errp = err;
	store_free(&s->sink);
	return NULL;
}

struct sink *sink_store_new(const char *path, uint64_t max_bytes,
			    uint64_t max_age_s, const struct render_host *h)
{
	struct store *s;
	int err = 0;

	if (!path || !*path || !h ||
	    (max_bytes && max_bytes < STORE_MIN_MAX_BYTES)) {
		log_error("store: invalid store settings (path empty, or size "
			  "limit below %llu bytes)",
			  (unsigned long long)STORE_MIN_MAX_BYTES);
		errno = EINVAL;
		return NULL;
	}
	s = store_open(path, max_bytes, max_age_s, h, &err);
	if (!s) {
		log_error("store: %s: %s", path, open_error_text(err));
		errno = -err;
		return NULL;
	}
	s->sink.name = "store";
	s->sink.write = store_write;
	s->sink.flush = store_flush;
	s->sink.last_record_id = store_last_record_id;
	s->sink.free = store_free;
	s->sink.priv = s;
	return &s->sink;
}

void sink_store_set_retention_interval(struct sink *sk, unsigned interval_s)
{
	to_store(sk)->retention_interval_s = interval_s;
}

static uint64_t file_size(const char *path, const char *suffix)
{
	char p[PATH_MAX + 8];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

uint64_t sink_store_bytes(struct sink *sk)
{
	struct store *s = to_store(sk);

	return file_size(s->path, "") + file_size(s->path, "-wal");
}

uint64_t sink_store_deleted(struct sink *sk)
{
	return to_store(sk)->deleted;
}
