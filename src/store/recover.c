/* SPDX-License-Identifier: MIT */
/*
 * store/recover.c - the store file damaged, deleted or replaced under a
 * running daemon.
 *
 * Someone truncates the database, writes over it, deletes it or moves
 * another file to its path.  SQLite notices damage only when it reads a
 * damaged page; a deleted file goes on taking writes that nobody can
 * ever read.  So before each batch (one stat() and a 16-byte read) and
 * after each flush the writer looks at the path, and at what SQLite
 * said:
 *
 *   damaged   the file (with its -wal) is renamed to
 *             <path>.damaged-<epoch s>, kept for `vigil view --check` and
 *             sqlite3's .recover, and a new store is started at the path;
 *   deleted   a new store is started at the path (what the deleted file
 *             held is gone with it);
 *   replaced  another file is at the path: used if it is a vigil store,
 *             else moved aside as <path>.replaced-<epoch s> and a new
 *             store started.
 *
 * Record ids come from the writer, which keeps counting: the new store's
 * ids continue above the old one's, none is used twice.  What happened is
 * logged and kept for the daemon's event 255 (sink_store_incident()).
 * When no store can be opened (the directory is gone and cannot be made,
 * the disk is full), every event is counted lost and opening is tried
 * again every few seconds.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util/clock.h"
#include "util/log.h"

#define LOOK_INTERVAL_NS  (1000000000ull)
#define RETRY_INTERVAL_NS (5000000000ull)

static const char *const suffixes[] = { "", "-wal", "-shm" };

void store_incident(struct store *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->incident_lock);
	va_start(ap, fmt);
	vsnprintf(s->incident, sizeof(s->incident), fmt, ap);
	va_end(ap);
	s->incidents++;
	log_error("store: %s", s->incident);
	pthread_mutex_unlock(&s->incident_lock);
}

int sink_store_incident(struct sink *sk, unsigned *seen, char *text,
			size_t size)
{
	struct store *s = to_store(sk);
	int r = 0;

	pthread_mutex_lock(&s->incident_lock);
	if (s->incidents != *seen) {
		*seen = s->incidents;
		snprintf(text, size, "%s", s->incident);
		r = 1;
	}
	pthread_mutex_unlock(&s->incident_lock);
	return r;
}

/*
 * Move the database and its -wal and -shm (those that exist) to
 * <path>.<what>-<epoch>[.N]; aside gets the new database name.  A -wal
 * left at the path would be replayed into the next database there.
 */
static int move_aside(struct store *s, const char *what, char *aside,
		      size_t size)
{
	char from[PATH_MAX + 8], to[PATH_MAX + 64];
	long long now = (long long)time(NULL);
	int moved = 0;

	for (int n = 0; n < 100; n++) {
		if (n)
			snprintf(aside, size, "%s.%s-%lld.%d", s->path, what,
				 now, n);
		else
			snprintf(aside, size, "%s.%s-%lld", s->path, what, now);
		if (access(aside, F_OK) < 0 && errno == ENOENT)
			break;
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s%s", s->path, suffixes[i]);
		snprintf(to, sizeof(to), "%s%s", aside, suffixes[i]);
		if (rename(from, to) == 0)
			moved++;
		else if (errno != ENOENT)
			return -errno;
	}
	return moved;
}

/*
 * Whether the path still names the file that was opened, and that file
 * still starts with a database header (truncated or written over: the
 * writer's cached pages would hide it until the next checkpoint).
 */
static const char *path_state(struct store *s, char *why, size_t size)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	struct stat st;

	if (stat(s->path, &st) < 0)
		return errno == ENOENT ? "deleted" : NULL;
	if (st.st_dev != s->dev || st.st_ino != s->ino) {
		snprintf(why, size, "another file at the path");
		return "replaced";
	}
	if (pread(s->lock_fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    memcmp(head, magic, sizeof(head)) != 0) {
		snprintf(why, size, "no database header: %lld bytes",
			 (long long)st.st_size);
		return "damaged";
	}
	return NULL;
}

static const char *open_error(int err)
{
	return err == -EIO ? "not a database" : "not a vigil store";
}

int store_start_again(struct store *s, const char *what, const char *why)
{
	char aside[PATH_MAX + 32] = "";
	int err, moved;

	store_disconnect(s);
	if (strcmp(what, "deleted") == 0) {
		/* no database there, but maybe its -wal: not for a new one */
		moved = move_aside(s, "deleted", aside, sizeof(aside));
	} else if (strcmp(what, "replaced") == 0) {
		err = store_connect(s); /* a vigil store put there: use it */
		if (err == 0) {
			store_incident(s,
				       "%s: replaced by another vigil store; "
				       "writing to it",
				       s->path);
			return 0;
		}
		if (err != -EIO && err != -EPROTO && err != -EPROTONOSUPPORT &&
		    err != -EINVAL)
			goto fail_open;
		moved = move_aside(s, "replaced", aside, sizeof(aside));
	} else {
		moved = move_aside(s, "damaged", aside, sizeof(aside));
	}
	if (moved < 0) {
		err = moved;
		store_incident(s,
			       "%s: %s (%s), and cannot be moved aside: %s; "
			       "events are not stored",
			       s->path, what, why, strerror(-err));
		return err;
	}
	err = store_connect(s);
	if (err < 0)
		goto fail_open;
	if (moved && strcmp(what, "deleted") != 0)
		store_incident(s,
			       "%s: %s (%s); moved aside to %s, a new store "
			       "started",
			       s->path, what, why, aside);
	else
		store_incident(s,
			       "%s: %s (%s); a new store started (what the "
			       "old file held is gone)",
			       s->path, what, why);
	return 0;
fail_open:
	store_incident(s,
		       "%s: %s (%s); cannot start a new store: %s; events "
		       "are not stored, trying again",
		       s->path, what, why, strerror(-err));
	return err;
}

void store_recover_check(struct store *s)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	const char *what;
	char why[256];
	int err;

	if (!s->db) {
		if (now < s->retry_ns)
			return;
		s->retry_ns = now + RETRY_INTERVAL_NS;
		err = store_connect(s);
		if (err == -EIO || err == -EPROTO || err == -EPROTONOSUPPORT)
			err = store_start_again(s, "damaged", open_error(err));
		else if (err == 0)
			store_incident(s, "%s: storing events again", s->path);
		if (err < 0)
			log_debug("store: %s: still cannot open: %s", s->path,
				  strerror(-err));
		return;
	}
	err = __atomic_load_n(&s->ck.damage_rc, __ATOMIC_RELAXED);
	if (err && !s->is_damaged) {
		s->is_damaged = true;
		s->damage_rc = err;
	}
	if (s->is_damaged) {
		snprintf(why, sizeof(why), "SQLite: %s",
			 sqlite3_errstr(s->damage_rc));
		what = "damaged";
	} else {
		snprintf(why, sizeof(why), "under the daemon");
		what = path_state(s, why, sizeof(why));
		if (!what)
			return;
	}
	if (store_start_again(s, what, why) < 0)
		s->retry_ns = now + RETRY_INTERVAL_NS;
}
