/* SPDX-License-Identifier: MIT */
/*
 * config/config.c - the struct config lifecycle: arena, families, and the
 * small accessors of config.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define ARENA_BLOCK_BYTES (64u * 1024)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

void *config_arena_alloc(struct config *c, size_t n)
{
	struct arena_block *b = c->arena;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (!n)
		n = align;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK_BYTES ? n : ARENA_BLOCK_BYTES;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = c->arena;
		b->used = 0;
		b->cap = cap;
		c->arena = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *config_arena_strndup(struct config *c, const char *s, size_t n)
{
	char *p = config_arena_alloc(c, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void config_arena_free(struct config *c)
{
	struct arena_block *b = c->arena, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	c->arena = NULL;
}

struct config *config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->hash_hex, sizeof(c->hash_hex), "-");
	memset(c->id_rulename, -1, sizeof(c->id_rulename));
	/* Families: one per rule tag, in catalogue (schema) order. */
	for (size_t i = 0; i < catalog_count(); i++) {
		const struct catalog_event *ev = catalog_at(i);
		unsigned f;

		if (ev->id < 256)
			c->id_rulename[ev->id] =
				(int8_t)catalog_field_index(ev, "RuleName");
		if (!ev->rule_tag || ev->id >= 256)
			continue;
		for (f = 0; f < c->nfamilies; f++)
			if (strcmp(c->families[f].tag, ev->rule_tag) == 0)
				break;
		if (f == c->nfamilies) {
			if (c->nfamilies ==
			    sizeof(c->families) / sizeof(c->families[0]))
				continue;
			c->families[f].tag = ev->rule_tag;
			c->nfamilies++;
		}
		if (c->families[f].nmembers == CONFIG_MAX_MEMBERS)
			continue;
		c->id_family[ev->id] = (uint8_t)(f + 1);
		c->id_slot[ev->id] = (uint8_t)c->families[f].nmembers;
		c->families[f].members[c->families[f].nmembers++] = ev;
	}
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	config_arena_free(c);
	free(c);
}

const char *config_file_hash(const struct config *c)
{
	return c ? c->hash_hex : "-";
}

const char *config_schema_version(const struct config *c)
{
	return c->schema;
}

const char *config_archive_directory(const struct config *c)
{
	return c->archive_dir[0] ? c->archive_dir : NULL;
}

unsigned config_hash_algorithms(const struct config *c)
{
	/* Sysmon's documented default when HashAlgorithms is absent. */
	return c->has_hash_algs ? c->hash_algs : CONFIG_HASH_SHA1;
}

bool config_dns_lookup(const struct config *c)
{
	/* Sysmon's documented default when DnsLookup is absent. */
	return c->has_dns_lookup ? c->dns_lookup : true;
}

unsigned config_warning_count(const struct config *c)
{
	return c->nwarnings;
}

bool config_family_has_linux_meaning(const struct config *c, unsigned f)
{
	for (unsigned i = 0; i < c->families[f].nmembers; i++)
		if (c->families[f].members[i]->has_linux_meaning)
			return true;
	return false;
}

bool config_wants(const struct config *c, unsigned event_id)
{
	const struct catalog_event *ev = catalog_lookup(event_id);
	unsigned f;

	if (!ev)
		return false;
	if (ev->rule_default == CATALOG_ALWAYS)
		return true;
	if (!ev->has_linux_meaning || event_id >= 256 ||
	    !c->id_family[event_id])
		return false;
	f = c->id_family[event_id] - 1u;
	return c->families[f].is_wanted;
}

bool config_decides_on(const struct config *c, unsigned event_id,
		       const unsigned *fields, size_t n)
{
	const struct family *fam;
	unsigned slot;

	if (event_id > 255 || !c->id_family[event_id])
		return true;
	fam = &c->families[c->id_family[event_id] - 1];
	slot = c->id_slot[event_id];
	for (unsigned i = 0; i < fam->nsets; i++) {
		const struct rule_set *set = fam->doc[i];

		for (uint32_t k = 0; k < set->nfilters; k++) {
			int idx = set->filters[k].idx[slot];
			bool is_listed = false;

			/* A filter this member lacks never matches: it
			 * reads nothing of the event. */
			if (idx < 0)
				continue;
			for (size_t j = 0; j < n; j++)
				is_listed |= fields[j] == (unsigned)idx;
			if (!is_listed)
				return false;
		}
	}
	return true;
}
