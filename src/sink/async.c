/* SPDX-License-Identifier: MIT */
/*
 * sink/async.c - a sink on a thread of its own behind a bounded queue.
 *
 * An output can stall for as long as someone else decides: a terminal
 * scrolled back, a pipe whose reader paused, a syslog daemon that stopped
 * reading /dev/log, a file on a hung network disk.  Written from the
 * writer thread, any of them would hold up every other output and, once
 * the writer queue is full, lose events for the store too.  Behind this
 * wrapper a stalled output loses only its own events, and counts them.
 *
 * write() copies the event into the queue, or counts it lost to the
 * backlog when max_events or max_bytes is reached (the events the daemon
 * always logs, 4, 16 and 255, have a small reserve beyond both, like the
 * writer queue's); it never waits for the output.  With a shed_first
 * policy (sink_async_set_shed()) the events it names are counted as shed
 * once the backlog is three quarters full, so a stalled output keeps room
 * for the others (process events) as the writer queue does.  The thread
 * writes what is queued to the inner sink in order, a batch at a time,
 * and flushes it after each batch; what the inner sink refuses is counted
 * as failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "event/event.h"
#include "sink.h"
#include "util/log.h"

#define ASYNC_BATCH 256
/* Slots beyond max_events for the events the daemon always logs (4, 16,
 * 255): the loss reports of a stalled output reach it when it moves. */
#define ASYNC_RESERVE 64
/* How long free() waits for a stalled output to take what is queued. */
#define ASYNC_DRAIN_MS 2000

struct async_sink {
	struct sink sink;
	struct sink *inner;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* to the thread: work queued, or stop */
	pthread_cond_t done; /* to free(): the thread has ended */
	pthread_t thread;
	struct event *ring;
	size_t cap, head, count; /* cap: max_events + ASYNC_RESERVE */
	size_t max_events;
	size_t bytes, max_bytes;
	uint64_t shed[4]; /* shed_first: ids shed at 3/4 */
	bool is_stopping, is_done;
	struct sink_losses losses;
};

/* Lock held. */
static bool is_shed(const struct async_sink *a, const struct event *ev)
{
	unsigned id = ev->def->id;

	return (a->shed[id / 64 & 3] >> (id % 64)) & 1;
}

void sink_async_set_shed(struct sink *s, const uint64_t shed[4])
{
	struct async_sink *a = s->priv;

	pthread_mutex_lock(&a->lock);
	memcpy(a->shed, shed, sizeof(a->shed));
	pthread_mutex_unlock(&a->lock);
}

static int async_write(struct sink *s, const struct event *ev)
{
	struct async_sink *a = s->priv;
	bool must_keep = ev->def->rule_default == CATALOG_ALWAYS;
	size_t need = ev->used;
	struct event copy;
	bool is_full;

	pthread_mutex_lock(&a->lock);
	if (must_keep) {
		is_full = a->count == a->cap;
	} else if (is_shed(a, ev) &&
		   (a->count >= a->max_events - a->max_events / 4 ||
		    a->bytes + need > a->max_bytes - a->max_bytes / 4)) {
		a->losses.shed++;
		pthread_mutex_unlock(&a->lock);
		return 0;
	} else {
		is_full = a->count >= a->max_events ||
			  a->bytes + need > a->max_bytes;
	}
	if (is_full)
		a->losses.backlog++;
	pthread_mutex_unlock(&a->lock);
	if (is_full)
		return 0;
	/* Copy outside the lock: the thread only ever takes from the queue,
	 * and this is the one producer, so the room checked is still there. */
	if (event_copy(&copy, ev) < 0) {
		pthread_mutex_lock(&a->lock);
		a->losses.failed++;
		pthread_mutex_unlock(&a->lock);
		return 0;
	}
	pthread_mutex_lock(&a->lock);
	a->ring[(a->head + a->count) % a->cap] = copy;
	a->count++;
	a->bytes += need;
	if (a->count == 1)
		pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	return 0;
}

/* The thread flushes after every batch; nothing to do here. */
static int async_flush(struct sink *s)
{
	(void)s;
	return 0;
}

static uint64_t async_last_record_id(struct sink *s)
{
	struct async_sink *a = s->priv;

	return a->inner->last_record_id ? a->inner->last_record_id(a->inner)
					: 0;
}

static void async_losses(struct sink *s, struct sink_losses *out)
{
	struct async_sink *a = s->priv;

	pthread_mutex_lock(&a->lock);
	*out = a->losses;
	pthread_mutex_unlock(&a->lock);
}

static void *async_main(void *arg)
{
	struct async_sink *a = arg;
	struct event batch[ASYNC_BATCH];
	struct sink *in = a->inner;

	/* named for top -H, perf and bench/run.sh's per-thread CPU */
	pthread_setname_np(pthread_self(), "vigil-output");

	pthread_mutex_lock(&a->lock);
	for (;;) {
		uint64_t failed = 0;
		size_t n = 0;

		while (a->count == 0 && !a->is_stopping)
			pthread_cond_wait(&a->wake, &a->lock);
		if (a->count == 0)
			break; /* stopping, and everything is written */
		while (n < ASYNC_BATCH && a->count > 0) {
			batch[n] = a->ring[a->head];
			a->bytes -= batch[n].used;
			a->head = (a->head + 1) % a->cap;
			a->count--;
			n++;
		}
		pthread_mutex_unlock(&a->lock);
		for (size_t i = 0; i < n; i++) {
			if (in->write(in, &batch[i]) < 0)
				failed++;
			event_release(&batch[i]);
		}
		/* A failed flush loses what was buffered: count the batch. */
		if (in->flush && in->flush(in) < 0)
			failed = n;
		pthread_mutex_lock(&a->lock);
		a->losses.failed += failed;
	}
	a->is_done = true;
	pthread_cond_broadcast(&a->done);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void async_free(struct sink *s)
{
	struct async_sink *a;
	struct timespec deadline;
	bool is_done;

	if (!s)
		return;
	a = s->priv;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ASYNC_DRAIN_MS / 1000;
	deadline.tv_nsec += (ASYNC_DRAIN_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&a->lock);
	a->is_stopping = true;
	pthread_cond_signal(&a->wake);
	while (!a->is_done)
		if (pthread_cond_timedwait(&a->done, &a->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	is_done = a->is_done;
	if (!is_done)
		log_warn("%s: output stalled at exit: what it was writing and "
			 "%zu queued events are not written",
			 a->inner->name, a->count);
	pthread_mutex_unlock(&a->lock);
	/* The thread may be blocked in a write for good: leave it, the
	 * inner sink and the queue to the process exit rather than free
	 * what it still uses. */
	if (!is_done)
		return;
	pthread_join(a->thread, NULL);
	a->inner->free(a->inner);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->wake);
	pthread_cond_destroy(&a->done);
	free(a->ring);
	free(a);
}

struct sink *sink_async_new(struct sink *inner, size_t max_events,
			    size_t max_bytes)
{
	struct async_sink *a;
	pthread_condattr_t ca;

	if (!inner || !max_events || !max_bytes) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->ring = calloc(max_events + ASYNC_RESERVE, sizeof(*a->ring));
	if (!a->ring) {
		free(a);
		errno = ENOMEM;
		return NULL;
	}
	a->inner = inner;
	a->max_events = max_events;
	a->cap = max_events + ASYNC_RESERVE;
	a->max_bytes = max_bytes;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->done, &ca);
	pthread_condattr_destroy(&ca);
	a->sink.name = inner->name;
	a->sink.write = async_write;
	a->sink.flush = async_flush;
	a->sink.last_record_id = async_last_record_id;
	a->sink.losses = async_losses;
	a->sink.free = async_free;
	a->sink.priv = a;
	if (pthread_create(&a->thread, NULL, async_main, a) != 0) {
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->wake);
		pthread_cond_destroy(&a->done);
		free(a->ring);
		free(a);
		errno = EAGAIN;
		return NULL;
	}
	return &a->sink;
}
