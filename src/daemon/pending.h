/* SPDX-License-Identifier: MIT */
/*
 * daemon/pending.h - events waiting for enrichment (a big image being
 * hashed), in arrival order.  Once one event waits, the events behind it
 * wait too, so output order is the order the kernel saw things in
 * (a process's exit never overtakes its creation).  Bounded.
 */
#ifndef VIGIL_PENDING_H
#define VIGIL_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct pending;

struct pending *pending_new(size_t max_events);
void pending_free(struct pending *p); /* releases what is still held */

bool pending_is_empty(const struct pending *p);

/*
 * Append ev (moved; ev is left empty).  ticket 0 means ready, any other
 * value waits for pending_resolve() with that ticket.  -ENOSPC when full
 * (ev is released).
 */
int pending_add(struct pending *p, struct event *ev, uint64_t ticket);

/* The event waiting for ticket gets text (NULL: none) as its Hashes, and
 * is ready.  Returns 0, or -ENOENT for an unknown ticket. */
int pending_resolve(struct pending *p, uint64_t ticket, const char *text);

/* Move the oldest event into out if it is ready: 1 if so, else 0. */
int pending_pop_ready(struct pending *p, struct event *out);

/* Make every waiting event ready as it is (used at shutdown). */
void pending_release_all(struct pending *p);

#endif /* VIGIL_PENDING_H */
