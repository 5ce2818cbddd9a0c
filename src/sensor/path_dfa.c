/* SPDX-License-Identifier: MIT */
/*
 * sensor/path_dfa.c - a config's path atoms as DFA tables for the kernel.
 *
 * Per slot, an NFA of two tries over byte classes: one anchored at the
 * start of the path (is, begin with), one that may start anywhere
 * (contains, end with: its root is in every state).  Subset construction
 * turns it into a DFA; a state holding the end of a begin-with or
 * contains atom accepts whatever follows (the kernel stops there), one
 * holding the end of an is or end-with atom accepts if the path ends
 * there.  Byte classes are case-folded (A-Z as a-z), as the rules compare.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "path_dfa.h"

#define NIL (-1)
/* NFA nodes of one slot; an atom adds at most its length. */
#define NODES_MAX 8192
/* NFA nodes one DFA state may hold. */
#define SET_MAX 64

struct node {
	int child[WIRE_PF_CLASSES];
	uint8_t flags;
};

struct nfa {
	struct node *nodes;
	int n;
	int anchored, floating; /* the two roots */
};

static unsigned char fold(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

static int node_new(struct nfa *a)
{
	if (a->n == NODES_MAX)
		return NIL;
	memset(&a->nodes[a->n], 0xff, sizeof(a->nodes[a->n].child));
	a->nodes[a->n].flags = 0;
	return a->n++;
}

/* Assign classes to every byte the atoms use; false when too many. */
static bool make_classes(const struct config_prefilter *const *pfs,
			 uint8_t classes[256])
{
	unsigned next = 1;

	memset(classes, 0, 256);
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++) {
		const struct config_prefilter *pf = pfs[k];

		for (size_t i = 0; pf && !pf->is_all && i < pf->n; i++)
			for (uint32_t j = 0; j < pf->atoms[i].len; j++) {
				unsigned char ch =
					fold((unsigned char)pf->atoms[i].s[j]);

				if (classes[ch])
					continue;
				if (next == WIRE_PF_CLASSES)
					return false;
				classes[ch] = (uint8_t)next++;
			}
	}
	for (unsigned ch = 'A'; ch <= 'Z'; ch++)
		classes[ch] = classes[ch - 'A' + 'a'];
	return true;
}

static bool nfa_build(struct nfa *a, const struct config_prefilter *pf,
		      const uint8_t classes[256])
{
	a->n = 0;
	a->anchored = node_new(a);
	a->floating = node_new(a);
	for (size_t i = 0; i < pf->n; i++) {
		const struct config_atom *at = &pf->atoms[i];
		bool is_anchored = at->kind == CONFIG_ATOM_IS ||
				   at->kind == CONFIG_ATOM_BEGIN;
		int cur = is_anchored ? a->anchored : a->floating;

		for (uint32_t j = 0; j < at->len; j++) {
			unsigned c = classes[(unsigned char)at->s[j]];
			int nx = a->nodes[cur].child[c];

			if (nx == NIL) {
				nx = node_new(a);
				if (nx == NIL)
					return false;
				a->nodes[cur].child[c] = nx;
			}
			cur = nx;
		}
		a->nodes[cur].flags |=
			at->kind == CONFIG_ATOM_BEGIN ||
					at->kind == CONFIG_ATOM_CONTAINS
				? WIRE_PF_ACCEPT
				: WIRE_PF_AT_END;
	}
	return true;
}

/* A DFA state under construction: a sorted set of NFA nodes. */
struct dstate {
	int n;
	int nodes[SET_MAX];
};

static int set_add(struct dstate *s, int node)
{
	int i = s->n;

	for (int k = 0; k < s->n; k++)
		if (s->nodes[k] == node)
			return 0;
	if (s->n == SET_MAX)
		return -E2BIG;
	while (i > 0 && s->nodes[i - 1] > node) {
		s->nodes[i] = s->nodes[i - 1];
		i--;
	}
	s->nodes[i] = node;
	s->n++;
	return 0;
}

static bool set_equal(const struct dstate *a, const struct dstate *b)
{
	return a->n == b->n &&
	       memcmp(a->nodes, b->nodes, (size_t)a->n * sizeof(int)) == 0;
}

/*
 * Subset construction for one slot into t->states[first...]: returns the
 * number of states made, or -E2BIG when they do not fit.
 */
static int dfa_build(const struct nfa *a, struct prefilter_tables *t,
		     uint32_t first, struct dstate *sets)
{
	uint32_t room = WIRE_PF_STATES - first, n = 0, accept = UINT32_MAX;

	if (room < 2)
		return -E2BIG;
	/* State 0 of the slot: the start. */
	sets[0].n = 0;
	if (set_add(&sets[0], a->anchored) || set_add(&sets[0], a->floating))
		return -E2BIG;
	n = 1;
	for (uint32_t i = 0; i < n; i++) {
		struct wire_pf_state *st = &t->states[first + i];
		uint8_t flags = 0;

		for (int k = 0; k < sets[i].n; k++)
			flags |= a->nodes[sets[i].nodes[k]].flags;
		memset(st, 0, sizeof(*st));
		st->flags = flags;
		if (flags & WIRE_PF_ACCEPT) {
			/* Accepted: it stays so, whatever comes. */
			for (unsigned c = 0; c < WIRE_PF_CLASSES; c++)
				st->next[c] = (uint16_t)(first + i);
			continue;
		}
		for (unsigned c = 0; c < WIRE_PF_CLASSES; c++) {
			struct dstate nx = { 0 };
			uint32_t j;

			if (set_add(&nx, a->floating))
				return -E2BIG;
			for (int k = 0; k < sets[i].n; k++) {
				int ch = a->nodes[sets[i].nodes[k]].child[c];

				if (ch != NIL && set_add(&nx, ch))
					return -E2BIG;
			}
			for (j = 0; j < n && !set_equal(&sets[j], &nx); j++)
				;
			if (j == n) {
				if (n == room)
					return -E2BIG;
				sets[n++] = nx;
			}
			st->next[c] = (uint16_t)(first + j);
		}
	}
	(void)accept;
	return (int)n;
}

/* Mark the states of [first, first + n) from which no accepting state
 * can be reached: a walk may stop there. */
static int mark_dead(struct prefilter_tables *t, uint32_t first, uint32_t n)
{
	bool *live = calloc(n, sizeof(*live));
	bool changed = true;

	if (!live)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		live[i] = t->states[first + i].flags != 0;
	while (changed) {
		changed = false;
		for (uint32_t i = 0; i < n; i++) {
			if (live[i])
				continue;
			for (unsigned c = 0; c < WIRE_PF_CLASSES; c++)
				if (live[t->states[first + i].next[c] -
					 first]) {
					live[i] = changed = true;
					break;
				}
		}
	}
	for (uint32_t i = 0; i < n; i++)
		if (!live[i])
			t->states[first + i].flags = WIRE_PF_DEAD;
	free(live);
	return 0;
}

int prefilter_build(const struct config_prefilter *const pfs[WIRE_PF_SLOTS],
		    struct prefilter_tables *t)
{
	struct nfa a = { 0 };
	struct dstate *sets;
	bool has_classes;

	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++)
		t->start[k] = WIRE_PF_OFF;
	has_classes = make_classes(pfs, t->classes);
	if (!has_classes)
		return 0;
	a.nodes = malloc(NODES_MAX * sizeof(*a.nodes));
	sets = malloc(WIRE_PF_STATES * sizeof(*sets));
	if (!a.nodes || !sets) {
		free(a.nodes);
		free(sets);
		return -ENOMEM;
	}
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++) {
		int n;

		if (!pfs[k] || pfs[k]->is_all)
			continue;
		if (!nfa_build(&a, pfs[k], t->classes))
			continue;
		n = dfa_build(&a, t, t->nstates, sets);
		if (n < 0)
			continue;
		if (mark_dead(t, t->nstates, (uint32_t)n) < 0) {
			free(a.nodes);
			free(sets);
			return -ENOMEM;
		}
		t->start[k] = (uint16_t)t->nstates;
		t->nstates += (uint32_t)n;
	}
	free(a.nodes);
	free(sets);
	return 0;
}

bool prefilter_match(const struct prefilter_tables *t, unsigned slot,
		     const char *path, size_t len)
{
	uint32_t st;

	if (slot >= WIRE_PF_SLOTS || t->start[slot] == WIRE_PF_OFF)
		return true;
	st = t->start[slot];
	for (size_t i = 0; i < len; i++) {
		if (t->states[st].flags & WIRE_PF_ACCEPT)
			return true;
		if (t->states[st].flags & WIRE_PF_DEAD)
			return false;
		st = t->states[st].next[t->classes[(unsigned char)path[i]]];
	}
	return t->states[st].flags & (WIRE_PF_ACCEPT | WIRE_PF_AT_END);
}

static bool ieq(const char *v, const char *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold((unsigned char)v[i]) != (unsigned char)r[i])
			return false;
	return true;
}

bool prefilter_atoms_match(const struct config_prefilter *pf, const char *path,
			   size_t len)
{
	if (pf->is_all)
		return true;
	for (size_t i = 0; i < pf->n; i++) {
		const struct config_atom *a = &pf->atoms[i];

		switch (a->kind) {
		case CONFIG_ATOM_IS:
			if (len == a->len && ieq(path, a->s, len))
				return true;
			break;
		case CONFIG_ATOM_BEGIN:
			if (len >= a->len && ieq(path, a->s, a->len))
				return true;
			break;
		case CONFIG_ATOM_END:
			if (len >= a->len &&
			    ieq(path + len - a->len, a->s, a->len))
				return true;
			break;
		case CONFIG_ATOM_CONTAINS:
			for (size_t k = 0; k + a->len <= len; k++)
				if (ieq(path + k, a->s, a->len))
					return true;
			break;
		}
	}
	return false;
}
