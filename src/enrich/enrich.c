/* SPDX-License-Identifier: MIT */
/*
 * enrich/enrich.c - the stage: requests answered inline or handed to the
 * worker as jobs, and the ring of events waiting for them, in order.
 *
 * Only the event at the head of the ring is ever checked: the events
 * behind it leave after it anyway.  A job is shared by every waiting event
 * that asked the same (a burst of execs of a new image hashes it once),
 * and lives until the last of them has left and the worker is done with
 * it.  Results fill an event when it leaves, from the job it waited for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event/event.h"
#include "util/clock.h"
#include "util/log.h"
#include "internal.h"

/* One request of a waiting event that the worker answers. */
struct wait {
	struct decode_want want;
	uint32_t job;
};

/* The ring holds pointers: its slots are all touched as it turns, and
 * a struct event in each (8,192 of them) was 2.5 MiB of the daemon's
 * memory for good after one burst.  An event that waits is moved to
 * the heap, which gives it back when it leaves. */
struct slot {
	struct event *ev; /* malloc'd */
	struct wait *waits; /* nwaits, malloc'd; NULL: waits for order only */
	uint32_t nwaits;
	uint64_t since_ns; /* when it came in (CLOCK_MONOTONIC) */
};

struct enrich *enrich_new(const struct enrich_opts *o)
{
	struct enrich *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->o = *o;
	if (!e->o.max_events)
		e->o.max_events = 1;
	if (!e->o.max_jobs)
		e->o.max_jobs = 1;
	if (!e->o.lookup_user)
		e->o.lookup_user = users_lookup;
	e->users = users_new();
	e->hashes = hash_cache_new(o->hash_cache_entries, 0);
	e->tools.procs = o->procs;
	e->tools.lookup_user = e->o.lookup_user;
	e->tools.hashes = hash_cache_new(0, o->hash_max_bytes);
	e->jobs = calloc(e->o.max_jobs, sizeof(*e->jobs));
	e->ring = calloc(e->o.max_events, sizeof(*e->ring));
	if (!e->users || !e->hashes || !e->tools.hashes || !e->jobs || !e->ring)
		goto fail;
	/* Without a services database port names are "-", nothing worse;
	 * the reverse-lookup resolver has its own thread, never waited on. */
	e->services = net_services_load(o->services_path ? o->services_path
							 : "/etc/services");
	if (!e->services)
		log_warn("%s: %s: port names will be '-'",
			 o->services_path ? o->services_path : "/etc/services",
			 strerror(errno));
	if (o->resolver_entries) {
		e->resolver = net_resolver_new(o->resolver_entries,
					       o->resolver_timeout_ms);
		if (!e->resolver)
			goto fail;
	}
	e->worker = worker_new(e->jobs, e->o.max_jobs, &e->tools,
			       (uint64_t)e->o.max_wait_ms * 1000000);
	if (!e->worker)
		goto fail;
	return e;
fail:
	enrich_free(e);
	errno = ENOMEM;
	return NULL;
}

void enrich_free(struct enrich *e)
{
	bool is_joined;

	if (!e)
		return;
	is_joined = worker_free(e->worker, e->o.max_wait_ms);
	for (size_t i = 0; e->ring && i < e->count; i++) {
		struct slot *s = &e->ring[(e->head + i) % e->o.max_events];

		event_release(s->ev);
		free(s->ev);
		free(s->waits);
	}
	free(e->ring);
	net_resolver_free(e->resolver);
	net_services_free(e->services);
	hash_cache_free(e->hashes);
	users_free(e->users);
	/* A worker stuck in a slow path (a hung file system) still uses
	 * the jobs and the tools: left to it, the process is exiting. */
	if (!is_joined)
		return;
	for (size_t i = 0; e->jobs && i < e->o.max_jobs; i++)
		enrich_job_clear(&e->jobs[i]);
	free(e->jobs);
	hash_cache_free(e->tools.hashes);
	free(e);
}

static void job_release(struct enrich *e, uint32_t i)
{
	struct enrich_job *j = &e->jobs[i];

	/* A job the worker still has is freed when it is collected. */
	if (--j->refs == 0 && j->is_done)
		enrich_job_clear(j);
}

/* The job that answers w: one in flight that asks the same, or a new
 * one.  JOB_NONE when there is no room or the worker is stuck. */
static uint32_t job_for(struct enrich *e, const struct enrich_kind *k,
			const struct event *ev, const struct decode_want *w)
{
	uint32_t free_i = JOB_NONE;
	struct enrich_job *j;

	for (uint32_t i = 0; i < e->o.max_jobs; i++) {
		j = &e->jobs[i];
		if (!j->is_used) {
			if (free_i == JOB_NONE)
				free_i = i;
		} else if (j->want.kind == w->kind && k->same(&j->want, w)) {
			j->refs++;
			e->stats.shared++;
			return i;
		}
	}
	if (free_i == JOB_NONE)
		return JOB_NONE;
	j = &e->jobs[free_i];
	j->want = *w;
	if ((k->prepare && k->prepare(j, ev) < 0) ||
	    worker_submit(e->worker, free_i) < 0) {
		enrich_job_clear(j);
		return JOB_NONE;
	}
	j->is_used = true;
	j->refs = 1;
	e->in_flight++;
	e->stats.slow++;
	return free_i;
}

/* Of shed_first (enrich_opts.shed). */
static bool is_shed(const struct enrich *e, const struct event *ev)
{
	unsigned id;

	if (!ev->def)
		return false;
	id = ev->def->id;
	return (e->o.shed[id / 64 & 3] >> (id % 64)) & 1;
}

int enrich_add(struct enrich *e, struct event *ev,
	       const struct decode_want *wants, unsigned n)
{
	struct wait waits[DECODE_MAX_WANTS];
	unsigned nwaits = 0;
	struct slot *s;

	if (e->count == e->o.max_events) {
		event_release(ev);
		e->stats.lost++;
		return -ENOSPC;
	}
	if (e->count && e->count >= e->o.max_events - e->o.max_events / 4 &&
	    is_shed(e, ev)) {
		event_release(ev);
		e->stats.shed++;
		return -ENOBUFS;
	}
	for (unsigned i = 0; i < n && i < DECODE_MAX_WANTS; i++) {
		const struct decode_want *w = &wants[i];
		const struct enrich_kind *k = enrich_kind_of(w->kind);
		uint32_t job;

		if (!k || w->field < 0)
			continue;
		if (k->fast(e, ev, w)) {
			e->stats.fast++;
			continue;
		}
		job = job_for(e, k, ev, w);
		if (job == JOB_NONE) {
			k->apply(e, ev, w, NULL);
			e->stats.unfilled++;
			continue;
		}
		waits[nwaits++] = (struct wait){ .want = *w, .job = job };
	}
	if (nwaits == 0 && e->count == 0)
		return 1;

	s = &e->ring[(e->head + e->count) % e->o.max_events];
	memset(s, 0, sizeof(*s));
	s->ev = malloc(sizeof(*s->ev));
	if (!s->ev) {
		for (unsigned i = 0; i < nwaits; i++)
			job_release(e, waits[i].job);
		event_release(ev);
		e->stats.lost++;
		return -ENOMEM;
	}
	if (nwaits) {
		s->waits = malloc(nwaits * sizeof(*s->waits));
		if (!s->waits) { /* the event goes without those fields */
			for (unsigned i = 0; i < nwaits; i++) {
				enrich_kind_of(waits[i].want.kind)
					->apply(e, ev, &waits[i].want, NULL);
				job_release(e, waits[i].job);
			}
			e->stats.unfilled += nwaits;
			nwaits = 0;
		} else {
			memcpy(s->waits, waits, nwaits * sizeof(*s->waits));
			s->since_ns = clock_ns(CLOCK_MONOTONIC);
		}
	}
	s->nwaits = nwaits;
	event_compact(ev); /* it may wait a while, thousands with it */
	*s->ev = *ev;
	memset(ev, 0, sizeof(*ev));
	e->count++;
	return 0;
}

/* Take in every job the worker finished. */
static void collect(struct enrich *e)
{
	uint32_t i;

	while (worker_collect(e->worker, &i)) {
		struct enrich_job *j = &e->jobs[i];
		const struct enrich_kind *k = enrich_kind_of(j->want.kind);

		j->is_done = true;
		e->in_flight--;
		if (k->learn)
			k->learn(e, j);
		if (j->refs == 0) /* every event that asked has left */
			enrich_job_clear(j);
	}
}

static bool is_complete(const struct enrich *e, const struct slot *s)
{
	for (uint32_t i = 0; i < s->nwaits; i++)
		if (!e->jobs[s->waits[i].job].is_done)
			return false;
	return true;
}

static bool is_overdue(const struct enrich *e, const struct slot *s)
{
	uint64_t max_ns = (uint64_t)e->o.max_wait_ms * 1000000;

	return e->is_flushing || (e->o.max_held && e->count > e->o.max_held) ||
	       clock_ns(CLOCK_MONOTONIC) - s->since_ns > max_ns;
}

/* Fill s's fields from its jobs (the fallback for those not done). */
static void fill(struct enrich *e, struct slot *s)
{
	for (uint32_t i = 0; i < s->nwaits; i++) {
		const struct wait *w = &s->waits[i];
		const struct enrich_job *j = &e->jobs[w->job];

		if (!j->is_done) {
			j = NULL;
			e->stats.unfilled++;
		}
		enrich_kind_of(w->want.kind)->apply(e, s->ev, &w->want, j);
		job_release(e, w->job);
	}
	free(s->waits);
	s->waits = NULL;
	s->nwaits = 0;
}

int enrich_pop(struct enrich *e, struct event *out)
{
	struct slot *s = &e->ring[e->head];

	/* Results are taken in even with nothing waiting: they are learnt,
	 * and a job whose events all left is freed. */
	if (e->in_flight && (e->count == 0 || !is_complete(e, s)))
		collect(e);
	if (e->count == 0 || (!is_complete(e, s) && !is_overdue(e, s)))
		return 0;
	fill(e, s);
	*out = *s->ev;
	free(s->ev);
	memset(s, 0, sizeof(*s));
	e->head = (e->head + 1) % e->o.max_events;
	e->count--;
	return 1;
}

size_t enrich_waiting(const struct enrich *e)
{
	return e->count;
}

void enrich_flush(struct enrich *e)
{
	e->is_flushing = true;
}

void enrich_get_stats(const struct enrich *e, struct enrich_stats *out)
{
	struct net_resolver_stats rs = { 0 };

	*out = e->stats;
	if (e->resolver)
		net_resolver_stats(e->resolver, &rs);
	out->reverse_lookups = rs.lookups;
	out->reverse_slow = rs.slow;
}
