/* SPDX-License-Identifier: MIT */
/*
 * enrich/worker.c - the thread that runs slow paths: a ring of job
 * indices to do and a ring of jobs done, both under one mutex.
 *
 * One worker is enough: events leave in order, so the job at the head of
 * the line sets the latency whatever runs beside it, and slow paths run
 * only on cache misses (a new image, a new uid, a process the table
 * lacks).  A job that blocks for long (a dead NSS server, a stalled FUSE
 * file) is bounded by the stage: worker_submit() refuses new jobs while
 * one has run longer than stuck_ns, and waiting events leave after
 * max_wait_ms.  Each job index is in at most one ring at a time and there
 * are max_jobs of them, so neither ring can overflow.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/clock.h"
#include "internal.h"

struct ring {
	uint32_t *slots;
	size_t head, count;
};

struct worker {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	const struct enrich_tools *tools;
	struct enrich_job *jobs;
	size_t max;
	struct ring todo, done;
	uint64_t busy_since_ns; /* start of the job in hand; 0: idle */
	uint64_t stuck_ns;
	bool is_stopping;
};

static void ring_push(struct worker *w, struct ring *r, uint32_t i)
{
	r->slots[(r->head + r->count++) % w->max] = i;
}

static uint32_t ring_pop(struct worker *w, struct ring *r)
{
	uint32_t i = r->slots[r->head];

	r->head = (r->head + 1) % w->max;
	r->count--;
	return i;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	/* named for top -H, perf and bench/run.sh's per-thread CPU */
	pthread_setname_np(pthread_self(), "vigil-enrich");

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct enrich_job *j;

		while (w->todo.count == 0 && !w->is_stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->is_stopping)
			break;
		j = &w->jobs[ring_pop(w, &w->todo)];
		w->busy_since_ns = clock_ns(CLOCK_MONOTONIC);
		pthread_mutex_unlock(&w->lock);
		enrich_kind_of(j->want.kind)->slow(w->tools, j);
		pthread_mutex_lock(&w->lock);
		w->busy_since_ns = 0;
		ring_push(w, &w->done, (uint32_t)(j - w->jobs));
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct worker *worker_new(struct enrich_job *jobs, size_t max_jobs,
			  const struct enrich_tools *t, uint64_t stuck_ns)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->jobs = jobs;
	w->max = max_jobs;
	w->tools = t;
	w->stuck_ns = stuck_ns;
	w->todo.slots = calloc(max_jobs, sizeof(uint32_t));
	w->done.slots = calloc(max_jobs, sizeof(uint32_t));
	if (!w->todo.slots || !w->done.slots)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
		goto fail;
	}
	return w;
fail:
	free(w->todo.slots);
	free(w->done.slots);
	free(w);
	errno = ENOMEM;
	return NULL;
}

bool worker_free(struct worker *w, uint32_t timeout_ms)
{
	struct timespec until;

	if (!w)
		return true;
	pthread_mutex_lock(&w->lock);
	w->is_stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	if (pthread_timedjoin_np(w->thread, NULL, &until) != 0) {
		/* Stuck in a slow path: let it finish on its own. */
		pthread_detach(w->thread);
		return false;
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w->todo.slots);
	free(w->done.slots);
	free(w);
	return true;
}

int worker_submit(struct worker *w, uint32_t i)
{
	int r = 0;

	pthread_mutex_lock(&w->lock);
	if (w->busy_since_ns &&
	    clock_ns(CLOCK_MONOTONIC) - w->busy_since_ns > w->stuck_ns) {
		r = -EBUSY;
	} else {
		ring_push(w, &w->todo, i);
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

bool worker_collect(struct worker *w, uint32_t *i)
{
	bool is_done;

	pthread_mutex_lock(&w->lock);
	is_done = w->done.count > 0;
	if (is_done)
		*i = ring_pop(w, &w->done);
	pthread_mutex_unlock(&w->lock);
	return is_done;
}
