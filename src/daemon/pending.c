/* SPDX-License-Identifier: MIT */
/*
 * daemon/pending.c - a ring of events with a ticket each.  Only the
 * pipeline thread touches it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "pending.h"

struct slot {
	struct event ev;
	uint64_t ticket; /* 0: ready */
};

struct pending {
	struct slot *ring;
	size_t max, head, count;
};

struct pending *pending_new(size_t max_events)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->max = max_events ? max_events : 1;
	p->ring = calloc(p->max, sizeof(*p->ring));
	if (!p->ring) {
		free(p);
		return NULL;
	}
	return p;
}

void pending_free(struct pending *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->count; i++)
		event_release(&p->ring[(p->head + i) % p->max].ev);
	free(p->ring);
	free(p);
}

bool pending_is_empty(const struct pending *p)
{
	return p->count == 0;
}

int pending_add(struct pending *p, struct event *ev, uint64_t ticket)
{
	struct slot *s;

	if (p->count == p->max) {
		event_release(ev);
		return -ENOSPC;
	}
	s = &p->ring[(p->head + p->count) % p->max];
	s->ev = *ev;
	s->ticket = ticket;
	p->count++;
	memset(ev, 0, sizeof(*ev));
	return 0;
}

int pending_resolve(struct pending *p, uint64_t ticket, const char *text)
{
	for (size_t i = 0; i < p->count; i++) {
		struct slot *s = &p->ring[(p->head + i) % p->max];

		if (s->ticket != ticket)
			continue;
		if (text)
			event_set_named(&s->ev, "Hashes", text);
		s->ticket = 0;
		return 0;
	}
	return -ENOENT;
}

int pending_pop_ready(struct pending *p, struct event *out)
{
	struct slot *s = &p->ring[p->head];

	if (p->count == 0 || s->ticket != 0)
		return 0;
	*out = s->ev;
	memset(s, 0, sizeof(*s));
	p->head = (p->head + 1) % p->max;
	p->count--;
	return 1;
}

void pending_release_all(struct pending *p)
{
	for (size_t i = 0; i < p->count; i++)
		p->ring[(p->head + i) % p->max].ticket = 0;
}
