/* SPDX-License-Identifier: MIT */
/*
 * net/names.c - host names learnt from DNS answers, for DestinationHostname.
 *
 * A set-associative cache: a key hashes to a set of WAYS slots and a new
 * entry replaces the set's oldest.  Bounded, constant time, no deletion
 * bookkeeping; an entry pushed out early only means one "-" more.
 */
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define WAYS	     4
#define NAME_MAX_LEN 255 /* a DNS name in text is at most 253 */

struct entry {
	uint8_t ip[16];
	uint32_t tgid; /* 0: the host-wide entry */
	uint64_t age; /* insertion counter; 0: empty */
	char name[NAME_MAX_LEN + 1];
};

struct net_names {
	size_t nsets;
	uint64_t clock;
	struct entry *slots; /* nsets * WAYS */
};

struct net_names *net_names_new(size_t max_entries)
{
	struct net_names *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->nsets = max_entries / WAYS ? max_entries / WAYS : 1;
	n->slots = calloc(n->nsets * WAYS, sizeof(*n->slots));
	if (!n->slots) {
		free(n);
		return NULL;
	}
	return n;
}

void net_names_free(struct net_names *n)
{
	if (!n)
		return;
	free(n->slots);
	free(n);
}

/* FNV-1a over the address and the process. */
static size_t set_of(const struct net_names *n, const uint8_t ip[16],
		     uint32_t tgid)
{
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < 16; i++)
		h = (h ^ ip[i]) * 1099511628211ull;
	for (int i = 0; i < 4; i++)
		h = (h ^ ((tgid >> (8 * i)) & 0xff)) * 1099511628211ull;
	return (size_t)(h % n->nsets);
}

static struct entry *find(const struct net_names *n, const uint8_t ip[16],
			  uint32_t tgid)
{
	struct entry *set = &n->slots[set_of(n, ip, tgid) * WAYS];

	for (int w = 0; w < WAYS; w++)
		if (set[w].age && set[w].tgid == tgid &&
		    memcmp(set[w].ip, ip, 16) == 0)
			return &set[w];
	return NULL;
}

static void put(struct net_names *n, const uint8_t ip[16], uint32_t tgid,
		const char *name)
{
	struct entry *e = find(n, ip, tgid);

	if (!e) {
		struct entry *set = &n->slots[set_of(n, ip, tgid) * WAYS];

		e = &set[0];
		for (int w = 1; w < WAYS; w++)
			if (set[w].age < e->age)
				e = &set[w];
		memcpy(e->ip, ip, 16);
		e->tgid = tgid;
	}
	e->age = ++n->clock;
	strncpy(e->name, name, NAME_MAX_LEN);
	e->name[NAME_MAX_LEN] = '\0';
}

void net_names_add(struct net_names *n, const uint8_t ip[16], uint32_t tgid,
		   const char *name)
{
	if (!n || !name || !*name)
		return;
	if (tgid)
		put(n, ip, tgid, name);
	put(n, ip, 0, name);
}

const char *net_names_find(const struct net_names *n, const uint8_t ip[16],
			   uint32_t tgid)
{
	const struct entry *e = NULL;

	if (!n)
		return NULL;
	if (tgid)
		e = find(n, ip, tgid);
	if (!e)
		e = find(n, ip, 0);
	return e ? e->name : NULL;
}
