/* SPDX-License-Identifier: MIT */
/*
 * enrich/enrich.h - the enrichment stage: fills the fields a decoder asked
 * for (struct decode_want) that need I/O - user names, /proc, file hashes,
 * later port and host names - without ever blocking the thread that
 * drains the ring buffer.
 *
 * Per kind of request, a fast path answers inline when it cannot block (a
 * cache hit), and a slow path runs on one worker thread (NSS, /proc reads,
 * reading a file).  Events leave in the order they came in: once one
 * waits, the events behind it wait too, so a process's exit never
 * overtakes its creation.  Everything is bounded: the events waiting, the
 * jobs in flight, and how long the oldest event waits; what does not fit
 * is counted.  A request that cannot be answered in time leaves its field
 * as the fallback says (a user as its uid, no hash, no /proc fields).
 *
 * One thread, the pipeline's, calls everything here.
 */
#ifndef VIGIL_ENRICH_H
#define VIGIL_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/sensor.h"

/*
 * Hashes of an image whose file was not the version executed any more
 * when it was read (rewritten, replaced, or the path names another file):
 * the bytes that ran are unknown, so no hash is given, never another
 * file's.  docs/guarantees.md, "Hashes".
 */
#define ENRICH_HASH_CHANGED "-(changed since exec)"

struct event;
struct proc_table;

struct enrich_opts {
	struct proc_table *procs; /* for proc_read_info() (any thread) */
	size_t max_events; /* events waiting; more are dropped (lost) */
	size_t max_jobs; /* slow-path jobs in flight; more go unfilled */
	/* The oldest event waits at most this long, then leaves with what
	 * it has; and while the worker has been on one job this long, new
	 * requests are not queued behind it but go unfilled. */
	uint32_t max_wait_ms;
	/* Past this many events waiting, the oldest leaves at once with what
	 * it has, as if it had waited too long: under a flood a slow job (a
	 * big file to hash) costs fields, not events.  0: only max_events. */
	size_t max_held;
	/* shed_first (settings.h): events whose id has its bit here may fill
	 * the waiting events to three quarters of max_events only; past
	 * that they are dropped (counted as shed), and the last quarter is
	 * kept for the others.  All zero: nothing is shed. */
	uint64_t shed[4];
	size_t hash_cache_entries;
	uint64_t hash_max_bytes; /* bigger files are not hashed; 0: no limit */
	/* The user database, asked on the worker: uid's name (or its number)
	 * into out.  NULL: users_lookup().  Tests pass one that blocks. */
	void (*lookup_user)(uint32_t uid, char *out, size_t size);
	/* Port names: the services(5) file; NULL: /etc/services.  Without
	 * it port names are "-". */
	const char *services_path;
	/* Reverse lookups (event 3's host names under DnsLookup): addresses
	 * cached, and a name server's time per lookup; 0 entries: none. */
	size_t resolver_entries;
	unsigned resolver_timeout_ms;
};

struct enrich_stats {
	uint64_t fast; /* requests answered inline */
	uint64_t slow; /* jobs the worker ran */
	uint64_t shared; /* requests that joined a job in flight */
	uint64_t unfilled; /* no job slot, worker stuck, or waited too long */
	uint64_t changed; /* images not the version executed any more */
	uint64_t lost; /* events dropped: max_events were waiting */
	uint64_t shed; /* events of shed dropped: 3/4 of max_events waited */
	uint64_t reverse_lookups; /* getnameinfo calls the resolver made */
	uint64_t reverse_slow; /* of which slower than resolver_timeout_ms */
};

struct enrich;

/* Start the stage and its worker thread.  NULL + errno. */
struct enrich *enrich_new(const struct enrich_opts *o);

/* Stop the worker (after the job in hand), release what still waits. */
void enrich_free(struct enrich *e);

/*
 * Answer ev's n requests (wants is copied).  Returns 1 when ev is complete
 * and no event waits before it: the caller keeps ev and uses it now (the
 * common case, no copy); 0 when ev was taken (moved, ev left empty) and
 * comes back from enrich_pop(); -ENOSPC when max_events wait, -ENOMEM
 * without memory to keep it (ev is released and counted lost); -ENOBUFS
 * when ev is of shed and three quarters of max_events wait (released and
 * counted shed).
 */
int enrich_add(struct enrich *e, struct event *ev,
	       const struct decode_want *wants, unsigned n);

/*
 * Collect what the worker finished, then move the oldest event into out
 * if it is complete or has waited max_wait_ms: 1 if so, else 0.  Never
 * blocks; call until 0 (after enrich_add(), and now and then).
 */
int enrich_pop(struct enrich *e, struct event *out);

/* Events waiting. */
size_t enrich_waiting(const struct enrich *e);

/* Stop waiting (shutdown): every waiting event is complete as it is. */
void enrich_flush(struct enrich *e);

void enrich_get_stats(const struct enrich *e, struct enrich_stats *out);

#endif /* VIGIL_ENRICH_H */
