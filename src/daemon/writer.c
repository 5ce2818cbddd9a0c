/* SPDX-License-Identifier: MIT */
/*
 * daemon/writer.c - bounded event queue and the writer thread.
 *
 * Record ids: the next id is one above the highest any sink holds and the
 * reservation in <state_dir>/record-id.  Ids are handed out from a block
 * reserved on disk ahead of use, so a crash can skip ids but never reuse
 * one, and the file is written once per block, not per event.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "sink/sink.h"
#include "util/file.h"
#include "util/log.h"
#include "writer.h"

#define WRITER_BATCH	 1024
#define WRITER_RESERVE	 64 /* extra slots for must_keep events */
#define WRITER_LINGER_MS 50 /* wait this long for a batch to fill */
#define RECORD_ID_BLOCK	 65536

struct writer {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t room; /* the writer took a batch */
	pthread_t thread;
	/* Queued events, each in a block of its own: an empty queue takes
	 * only the pointers, not cap events' worth of fields. */
	struct event **ring;
	size_t cap; /* slots, including the reserve */
	size_t max_events;
	size_t head, count;
	bool is_stopping;
	struct sink **sinks;
	size_t nsinks;
	struct writer_stats stats;
	uint64_t next_id;
	uint64_t reserved_to; /* ids < reserved_to are reserved on disk */
	char id_path[PATH_MAX];
};

static uint64_t read_reserved(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned long long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static int write_reserved(const char *path, uint64_t v)
{
	char text[32];
	int n;

	if (!path[0])
		return 0;
	n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)v);
	return file_write_atomic(path, text, (size_t)n, 0640);
}

static void assign_id(struct writer *w, struct event *ev)
{
	if (w->next_id >= w->reserved_to) {
		uint64_t to = w->next_id + RECORD_ID_BLOCK;
		int r = write_reserved(w->id_path, to);

		if (r < 0)
			log_warn("writer: cannot persist record ids in %s: %s",
				 w->id_path, strerror(-r));
		w->reserved_to = to;
	}
	ev->record_id = w->next_id++;
}

static void write_batch(struct writer *w, struct event **batch, size_t n)
{
	uint64_t lost = 0;

	for (size_t i = 0; i < n; i++) {
		assign_id(w, batch[i]);
		for (size_t k = 0; k < w->nsinks; k++)
			if (w->sinks[k]->write(w->sinks[k], batch[i]) < 0)
				lost++;
	}
	for (size_t k = 0; k < w->nsinks; k++)
		if (w->sinks[k]->flush && w->sinks[k]->flush(w->sinks[k]) < 0)
			lost += n;
	for (size_t i = 0; i < n; i++) {
		event_release(batch[i]);
		free(batch[i]);
	}
	pthread_mutex_lock(&w->lock);
	w->stats.written += n;
	w->stats.lost_sink += lost;
	pthread_mutex_unlock(&w->lock);
}

/* Wait (lock held) until there is a batch to write or we must stop.  A
 * lone event waits up to WRITER_LINGER_MS for company: one commit per
 * few hundred events instead of per event is what makes the store fast. */
static void wait_for_batch(struct writer *w)
{
	struct timespec deadline;

	while (w->count == 0 && !w->is_stopping)
		pthread_cond_wait(&w->wake, &w->lock);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += WRITER_LINGER_MS * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	while (w->count < WRITER_BATCH && !w->is_stopping)
		if (pthread_cond_timedwait(&w->wake, &w->lock, &deadline) ==
		    ETIMEDOUT)
			break;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct event **batch = calloc(WRITER_BATCH, sizeof(*batch));

	/* named for top -H, perf and bench/run.sh's per-thread CPU */
	pthread_setname_np(pthread_self(), "vigil-writer");

	if (!batch) {
		log_error("writer: out of memory");
		return NULL;
	}
	pthread_mutex_lock(&w->lock);
	for (;;) {
		size_t n = 0;

		wait_for_batch(w);
		if (w->count == 0 && w->is_stopping)
			break;
		while (n < WRITER_BATCH && w->count > 0) {
			batch[n++] = w->ring[w->head];
			w->ring[w->head] = NULL;
			w->head = (w->head + 1) % w->cap;
			w->count--;
		}
		pthread_cond_signal(&w->room);
		pthread_mutex_unlock(&w->lock);
		write_batch(w, batch, n);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	free(batch);
	return NULL;
}

static uint64_t first_id(struct writer *w)
{
	uint64_t top = read_reserved(w->id_path);

	for (size_t k = 0; k < w->nsinks; k++) {
		uint64_t last =
			w->sinks[k]->last_record_id
				? w->sinks[k]->last_record_id(w->sinks[k])
				: 0;

		if (last + 1 > top)
			top = last + 1;
	}
	return top ? top : 1;
}

struct writer *writer_new(struct sink **sinks, size_t nsinks, size_t max_events,
			  const char *state_dir)
{
	struct writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->max_events = max_events ? max_events : 1;
	w->cap = w->max_events + WRITER_RESERVE;
	w->ring = calloc(w->cap, sizeof(*w->ring));
	w->sinks = calloc(nsinks ? nsinks : 1, sizeof(*w->sinks));
	if (!w->ring || !w->sinks)
		goto fail;
	memcpy(w->sinks, sinks, nsinks * sizeof(*sinks));
	w->nsinks = nsinks;
	if (state_dir && state_dir[0])
		snprintf(w->id_path, sizeof(w->id_path), "%s/record-id",
			 state_dir);
	w->next_id = first_id(w);
	w->reserved_to = w->next_id;
	pthread_mutex_init(&w->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w->wake, &ca);
		pthread_cond_init(&w->room, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0)
		goto fail;
	return w;
fail:
	free(w->ring);
	free(w->sinks);
	free(w);
	errno = ENOMEM;
	return NULL;
}

int writer_push(struct writer *w, struct event *ev, int must_keep)
{
	struct event *e = malloc(sizeof(*e));
	size_t limit;

	/* A full queue of events each holding event_init()'s 1 KiB was most
	 * of the daemon's memory at 100,000 events/s. */
	event_compact(ev);
	pthread_mutex_lock(&w->lock);
	limit = must_keep ? w->cap : w->max_events;
	if (!e || w->count >= limit) {
		w->stats.lost_queue++;
		pthread_mutex_unlock(&w->lock);
		event_release(ev);
		free(e);
		return e ? -ENOSPC : -ENOMEM;
	}
	*e = *ev;
	w->ring[(w->head + w->count) % w->cap] = e;
	w->count++;
	/* Wake the writer to start a batch, or when one is full. */
	if (w->count == 1 || w->count == WRITER_BATCH)
		pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	memset(ev, 0, sizeof(*ev));
	return 0;
}

/*
 * Past this many events queued the pipeline pauses (writer.h): two
 * batches, or seven eighths of a smaller queue.  The kernel's ring buffer
 * is then the buffer, so a backlog costs no memory of the daemon's own.
 */
static size_t high_water(const struct writer *w)
{
	size_t mark = w->max_events - w->max_events / 8;

	return mark < 2 * WRITER_BATCH ? mark : 2 * WRITER_BATCH;
}

static bool is_backlogged(const struct writer *w)
{
	return w->count >= high_water(w);
}

bool writer_is_backlogged(struct writer *w)
{
	bool r;

	pthread_mutex_lock(&w->lock);
	r = is_backlogged(w);
	pthread_mutex_unlock(&w->lock);
	return r;
}

bool writer_wait_room(struct writer *w, int timeout_ms)
{
	struct timespec deadline;
	bool r;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (w->count > high_water(w) / 2 && !w->is_stopping)
		if (pthread_cond_timedwait(&w->room, &w->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	r = w->count <= high_water(w) / 2;
	pthread_mutex_unlock(&w->lock);
	return r;
}

void writer_get_stats(struct writer *w, struct writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
	/* The sinks array never changes after writer_new(). */
	out->nsinks = 0;
	for (size_t k = 0; k < w->nsinks && out->nsinks < WRITER_MAX_SINKS;
	     k++) {
		struct sink *s = w->sinks[k];

		if (!s->losses)
			continue;
		out->sinks[out->nsinks].name = s->name;
		s->losses(s, &out->sinks[out->nsinks].lost);
		out->nsinks++;
	}
}

void writer_free(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->is_stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	/* A clean stop hands the exact next id to the next run: no gap. */
	if (w->next_id < w->reserved_to)
		write_reserved(w->id_path, w->next_id);
	for (size_t k = 0; k < w->nsinks; k++)
		w->sinks[k]->free(w->sinks[k]);
	/* left only by a writer thread that could not start its loop */
	for (; w->count > 0; w->count--, w->head = (w->head + 1) % w->cap) {
		event_release(w->ring[w->head]);
		free(w->ring[w->head]);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->room);
	free(w->ring);
	free(w->sinks);
	free(w);
}
