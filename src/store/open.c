/* SPDX-License-Identifier: MIT */
/*
 * store/open.c - opening the SQLite event store: as the writer's sink
 * (creating the file, its directory and the schema) or read-only for a
 * reader, checking that a file holds a store of our schema, and closing.
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
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event/event.h"
#include "internal.h"
#include "render/render.h"
#include "util/log.h"

#define WRITER_BUSY_TIMEOUT_MS 5000
/*
 * The writer only appends: its working set is the right edge of the
 * table and a few hot leaves per index.  bench/store_bench inserted as
 * fast with 2 MiB as with 16 MiB, and the daemon's memory is mostly this
 * cache.
 */
#define WRITER_CACHE_KIB 2048

/* Measured in bench/store_bench: 8 KiB pages cost less CPU per insert
 * than 4 KiB (fewer WAL frames and page splits per record), 16 KiB
 * about a tenth less than 8 KiB; 32 KiB no less than 16.  A store keeps
 * the page size it was created with. */
#define STORE_PAGE_SIZE 16384

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

/* In column order after created_ns; the schema above and the INSERT of
 * write.c name them in this order. */
const char *const store_columns[STORE_NCOLUMNS] = {
	"ProcessGuid",
	"ParentProcessGuid",
	"Image",
};

bool store_is_column(const char *name)
{
	for (unsigned k = 0; k < STORE_NCOLUMNS; k++)
		if (strcmp(name, store_columns[k]) == 0)
			return true;
	return false;
}

int store_errno(int rc)
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
 *
 * The file is locked (flock, exclusive) before anything is changed, and
 * the lock is held until the store is closed: a second daemon pointed at
 * the same store stops here (-EBUSY) instead of interleaving its writes.
 * flock() locks do not interact with SQLite's fcntl() locks.  Returns the
 * locked descriptor or a negative errno.
 */
static int prepare_file(const char *path, gid_t gid)
{
	struct stat st;
	bool is_new = true;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0640);
	if (fd < 0 && errno == EEXIST) {
		is_new = false;
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return err;
	}
	if (is_new) {
		if (fchmod(fd, 0640) < 0 ||
		    (gid != (gid_t)-1 && geteuid() == 0 &&
		     fchown(fd, -1, gid) < 0))
			log_warn("store: cannot set mode of %s: %s", path,
				 strerror(errno));
		return fd;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((st.st_mode & 0027) && fchmod(fd, st.st_mode & 0750) < 0)
		log_warn("store: cannot tighten mode of %s: %s", path,
			 strerror(errno));
	return fd;
}

int store_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_debug("store: %s: %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
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
	struct stat st;
	int rc, err;

	*out = NULL;
	if (access(path, F_OK) < 0)
		return -errno;
	if (access(path, R_OK) < 0)
		return -errno;
	/* SQLite reads an empty file as an empty database; but a store has
	 * its header from the moment the daemon opens it (journal_mode),
	 * so an empty file is something else. */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
		return -EPROTO;
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

bool store_is_replaced(sqlite3 *db, const char *path)
{
	struct stat st;
	int is_moved = 0;

	if (!db || stat(path, &st) < 0)
		return false;
	/* SQLite compares the inode it holds open with the path's. */
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED,
				 &is_moved) != SQLITE_OK)
		return false;
	return is_moved != 0;
}

int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    st, NULL);

	if (rc != SQLITE_OK)
		log_error("store: %s: %s", s->path, sqlite3_errmsg(s->db));
	return rc;
}

static int prepare_all(struct store *s)
{
	int rc = 0;

	rc |= store_write_prepare(s);
	rc |= store_retention_prepare(s);
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

static int configure(struct store *s)
{
	char sql[160];
	int fl = 1;

	sqlite3_busy_timeout(s->db, WRITER_BUSY_TIMEOUT_MS);
	/* page_size and auto_vacuum only take effect in a new file. */
	snprintf(sql, sizeof(sql), "PRAGMA page_size = %d", STORE_PAGE_SIZE);
	store_exec(s->db, sql);
	if (store_exec(s->db, "PRAGMA auto_vacuum = INCREMENTAL") ||
	    store_exec(s->db, "PRAGMA journal_mode = WAL") ||
	    store_exec(s->db, "PRAGMA synchronous = NORMAL"))
		return -EIO;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", WRITER_CACHE_KIB);
	store_exec(s->db, sql);
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %llu",
		 (unsigned long long)s->wal_budget);
	store_exec(s->db, sql);
	/*
	 * Keep -wal and -shm after close: a reader without write access to
	 * the directory (an admin, not root) can then still open the store
	 * while the daemon is stopped.
	 */
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &fl);
	/* replaces the automatic checkpoint on commit */
	sqlite3_wal_hook(s->db, store_checkpoint_wal_hook, s);
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
	rc = store_exec(
		s->db,
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

	rc = store_exec(s->db, "BEGIN IMMEDIATE");
	if (rc != SQLITE_OK)
		return store_errno(rc);
	err = store_check_schema(s->db);
	if (err == -ENODATA) {
		rc = store_exec(s->db, schema_sql);
		err = store_errno(rc);
	}
	if (err == 0)
		err = add_run(s, h);
	if (err < 0) {
		store_exec(s->db, "ROLLBACK");
		return err;
	}
	rc = store_exec(s->db, "COMMIT");
	return store_errno(rc);
}

void store_note_rc(struct store *s, int rc)
{
	int primary = rc & 0xff;

	/* a file cut short reads short: damaged too */
	if ((primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB ||
	     rc == SQLITE_IOERR_SHORT_READ) &&
	    !s->is_damaged) {
		s->is_damaged = true;
		s->damage_rc = rc;
	}
}

void store_disconnect(struct store *s)
{
	sqlite3_stmt **stmts[] = {
		&s->ins,      &s->ins_many,   &s->begin,      &s->commit,
		&s->rollback, &s->set_last,   &s->page_count, &s->freelist,
		&s->min_rid,  &s->del_oldest, &s->del_aged,   &s->seg_put,
		&s->seg_trim,
	};

	store_checkpoint_stop(s);
	if (s->in_txn && s->db) /* an unflushed batch is not durable */
		store_exec(s->db, "ROLLBACK");
	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_finalize(*stmts[i]);
		*stmts[i] = NULL;
	}
	if (s->db) {
		if (!s->is_damaged)
			store_exec(s->db, "PRAGMA optimize");
		sqlite3_close(s->db);
		s->db = NULL;
	}
	if (s->lock_fd >= 0) /* after SQLite is done with the file */
		close(s->lock_fd);
	s->lock_fd = -1;
	s->in_txn = false;
	s->nrows = 0;
	buf_reset(&s->rows);
	s->seg.first_rid = 0;
	s->wal_frames = 0;
	s->txn_events = 0;
}

static void store_free(struct sink *sk)
{
	struct store *s = to_store(sk);

	if (!s)
		return;
	store_disconnect(s);
	pthread_mutex_destroy(&s->incident_lock);
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
		return "in use by another vigil (already running with this "
		       "store)";
	default:
		return strerror(-err);
	}
}

int store_connect(struct store *s)
{
	gid_t gid = store_admin_gid();
	struct stat st;
	int err, rc;

	memset(&s->ck, 0, sizeof(s->ck));
	s->is_damaged = false;
	s->damage_rc = 0;
	s->page_size = 4096;
	err = ensure_dir(s->path, gid);
	if (err < 0)
		return err;
	s->lock_fd = prepare_file(s->path, gid);
	if (s->lock_fd < 0) {
		err = s->lock_fd;
		s->lock_fd = -1;
		return err;
	}
	if (fstat(s->lock_fd, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	rc = sqlite3_open_v2(s->path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err = store_errno(rc);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	store_retention_plan(s);
	err = configure(s);
	if (err < 0) {
		if (store_errno(sqlite3_errcode(s->db)) < 0)
			err = store_errno(sqlite3_errcode(s->db));
		goto fail;
	}
	err = init_schema(s, &s->host);
	if (err < 0)
		goto fail;
	{
		sqlite3_stmt *q = NULL;

		if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &q,
				       NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			s->page_size = (uint64_t)sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
		if (!s->page_size)
			s->page_size = 4096;
	}
	err = store_checkpoint_start(s);
	if (err < 0)
		goto fail;
	if (prepare_all(s) < 0) {
		err = -EIO;
		goto fail;
	}
	s->last_rid = read_last_rid(s);
	s->max_rid = s->last_rid;
	return 0;
fail:
	store_disconnect(s);
	return err;
}

static bool is_sqlite_file(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool is_db;

	if (fd < 0)
		return false;
	is_db = read(fd, head, sizeof(head)) == (ssize_t)sizeof(head) &&
		memcmp(head, magic, sizeof(head)) == 0;
	close(fd);
	return is_db;
}

static struct store *store_open(const char *path, uint64_t max_bytes,
				uint64_t max_age_s, const struct render_host *h,
				int *errp)
{
	struct store *s = calloc(1, sizeof(*s));
	int err;

	if (!s) {
		*errp = -ENOMEM;
		return NULL;
	}
	s->lock_fd = -1;
	pthread_mutex_init(&s->incident_lock, NULL);
	buf_init(&s->data, STORE_RECORD_MAX_BYTES);
	/* the last row may pass ROWS_MAX_BYTES by one row at most */
	buf_init(&s->rows, ROWS_MAX_BYTES + STORE_RECORD_MAX_BYTES +
				   STORE_NCOLUMNS * EVENT_MAX_BYTES);
	store_write_map_fields(s);
	s->max_bytes = max_bytes;
	s->max_age_s = max_age_s;
	s->retention_interval_s = STORE_RETENTION_INTERVAL_S;
	s->host = *h;
	s->path = strdup(path);
	err = s->path ? store_connect(s) : -ENOMEM;
	/* A database, damaged (by a failing disk, or by someone): keep it
	 * for recovery and monitor on with a new store.  Anything else at
	 * the path is refused and left alone: a wrong --store, say. */
	if (err == -EIO && is_sqlite_file(path))
		err = store_start_again(s, "damaged", "found so at start-up");
	if (err < 0) {
		*errp = err;
		store_free(&s->sink);
		return NULL;
	}
	return s;
}

static void store_losses(struct sink *sk, struct sink_losses *out)
{
	struct store *s = to_store(sk);

	out->backlog = 0;
	out->failed = __atomic_load_n(&s->failed, __ATOMIC_RELAXED);
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
	s->sink.losses = store_losses;
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

int sink_store_watch_cursors(struct sink *sk, size_t n, store_cursors_fn *fn,
			     void *arg)
{
	struct store *s = to_store(sk);

	if (n > STORE_MAX_CURSORS || (n && !fn))
		return -EINVAL;
	s->cursors_fn = fn;
	s->cursors_arg = arg;
	s->ncursors = n;
	return 0;
}

uint64_t sink_store_cursor_lost(struct sink *sk, size_t i)
{
	struct store *s = to_store(sk);

	if (i >= STORE_MAX_CURSORS)
		return 0;
	return __atomic_load_n(&s->cursor_lost[i], __ATOMIC_RELAXED);
}
