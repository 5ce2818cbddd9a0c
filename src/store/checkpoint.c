/* SPDX-License-Identifier: MIT */
/*
 * store/checkpoint.c - the checkpoint thread of the store.
 *
 * Checkpoints (copying the WAL back into the database, with two fsyncs)
 * run on a thread of their own with its own connection, so the writer
 * never waits for the disk.  The writer's WAL hook counts frames after
 * each commit; past a quarter of the WAL budget the thread is woken for a
 * PASSIVE checkpoint, past half the writer restarts the WAL itself once
 * that checkpoint is done (waiting for it only past the whole budget).
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>

#include "internal.h"

/* How long a checkpoint waits for readers before giving up this round. */
#define CKPT_BUSY_MS 200

int store_checkpoint_wal_hook(void *arg, sqlite3 *db, const char *name,
			      int frames)
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

	/* named for top -H, perf and bench/run.sh's per-thread CPU */
	pthread_setname_np(pthread_self(), "vigil-ckpt");

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

int store_checkpoint_start(struct store *s)
{
	struct checkpointer *ck = &s->ck;
	int rc;

	/* checkpoint at a quarter of the budget, restart at half */
	s->ck_frames = (unsigned)(s->wal_budget / 4 / s->page_size);
	if (s->ck_frames < 16)
		s->ck_frames = 16;
	rc = sqlite3_open_v2(s->path, &ck->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return store_errno(rc);
	sqlite3_busy_timeout(ck->db, CKPT_BUSY_MS);
	store_exec(ck->db, "PRAGMA synchronous = NORMAL");
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

void store_checkpoint_stop(struct store *s)
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
void store_checkpoint_maybe(struct store *s)
{
	struct checkpointer *ck = &s->ck;

	if (s->wal_frames >= 2 * s->ck_frames) {
		/*
		 * One checkpoint at a time.  While the PASSIVE one copies,
		 * the writer keeps writing rather than wait for it (at
		 * 100,000 events/s waiting here was a sixth of the writer's
		 * time); only a WAL at twice the restart size waits.
		 */
		pthread_mutex_lock(&ck->lock);
		if (ck->is_busy && s->wal_frames < 4 * s->ck_frames) {
			pthread_mutex_unlock(&ck->lock);
			return;
		}
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
