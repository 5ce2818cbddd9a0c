/* SPDX-License-Identifier: MIT */
/*
 * config/path_prefilter.c - what a config lets through, as conditions on one
 * path field that the kernel can test before it sends anything: "every
 * event of this id that the rules can log has a TargetFilename that
 * begins with /etc/cron.d/ or ends with .sh ...".
 *
 * Derived from the rule semantics of eval.c, conservatively: an event is
 * logged only through an include set that matches (sysmon-semantics
 * 5.5), so the field must meet what at least one include set requires.
 * What a set requires:
 *   or-set     any of its filters and compound rules: the union, and
 *              "anything" as soon as one member says nothing about the
 *              field (a filter on another field, or a condition the
 *              kernel cannot test: is not, excludes, less than ...);
 *   and-set    all its field groups and compound rules: any one member
 *              that says something will do (the one with fewest atoms);
 *   a filter on a field the id lacks never matches: it requires
 *              "nothing", which makes an and-set (or compound) nothing.
 * Whatever cannot be expressed falls back to "anything": the kernel then
 * filters nothing, which is always safe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* More atoms than this: not worth a filter, "anything". */
#define PF_MAX_ATOMS 512

/* What one element of a set requires: NOTHING (never matches), some
 * atoms, or ANYTHING (no condition the kernel can test). */
enum req_kind { REQ_NOTHING, REQ_ATOMS, REQ_ANYTHING };

struct req {
	enum req_kind kind;
	size_t n, cap;
	struct config_atom *atoms;
};

static void req_release(struct req *r)
{
	free(r->atoms);
	memset(r, 0, sizeof(*r));
}

static int req_add(struct req *r, uint8_t kind, const char *s, uint32_t len)
{
	if (r->kind == REQ_ANYTHING)
		return 0;
	r->kind = REQ_ATOMS;
	if (r->n == PF_MAX_ATOMS) {
		req_release(r);
		r->kind = REQ_ANYTHING;
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 8;
		struct config_atom *a = realloc(r->atoms, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		r->atoms = a;
		r->cap = cap;
	}
	r->atoms[r->n].kind = kind;
	r->atoms[r->n].len = len;
	r->atoms[r->n].s = s;
	r->n++;
	return 0;
}

/* r := r OR o (o released). */
static int req_union(struct req *r, struct req *o)
{
	int e = 0;

	if (o->kind == REQ_ANYTHING) {
		req_release(r);
		r->kind = REQ_ANYTHING;
	} else if (o->kind == REQ_ATOMS) {
		for (size_t i = 0; i < o->n && !e; i++)
			e = req_add(r, o->atoms[i].kind, o->atoms[i].s,
				    o->atoms[i].len);
	}
	req_release(o);
	return e;
}

/* r := r AND o, kept as whichever of the two says more (o released). */
static void req_and(struct req *r, struct req *o, bool is_first)
{
	bool take_o;

	if (is_first || r->kind == REQ_ANYTHING)
		take_o = true;
	else if (r->kind == REQ_NOTHING || o->kind == REQ_ANYTHING)
		take_o = false;
	else if (o->kind == REQ_NOTHING)
		take_o = true;
	else
		take_o = o->n < r->n;
	if (take_o) {
		req_release(r);
		*r = *o;
		memset(o, 0, sizeof(*o));
	} else {
		req_release(o);
	}
}

/* What filter f requires of field (resolved at field_idx) for slot. */
static int req_filter(const struct filter *f, unsigned slot, int field_idx,
		      struct req *r)
{
	int idx = f->idx[slot];

	memset(r, 0, sizeof(*r));
	if (idx < 0)
		return 0; /* the id lacks the field: never matches */
	if (idx != field_idx) {
		r->kind = REQ_ANYTHING;
		return 0;
	}
	switch (f->cond) {
	case COND_IS:
		return req_add(r, CONFIG_ATOM_IS, f->lower, f->lower_len);
	case COND_BEGIN_WITH:
		return req_add(r, CONFIG_ATOM_BEGIN, f->lower, f->lower_len);
	case COND_END_WITH:
		return req_add(r, CONFIG_ATOM_END, f->lower, f->lower_len);
	case COND_CONTAINS:
		return req_add(r, CONFIG_ATOM_CONTAINS, f->lower, f->lower_len);
	case COND_IS_ANY:
	case COND_CONTAINS_ANY:
		for (uint32_t i = 0; i < f->nitems; i++) {
			const struct item *it = &f->items[i];
			int e;

			/* An empty item equals nothing, is in everything. */
			if (f->cond == COND_IS_ANY && !it->len)
				continue;
			e = req_add(r,
				    f->cond == COND_IS_ANY
					    ? CONFIG_ATOM_IS
					    : CONFIG_ATOM_CONTAINS,
				    it->s, it->len);
			if (e)
				return e;
		}
		return 0;
	case COND_IMAGE:
		/* eval.c's image_match(): the whole value, or the last
		 * component after '/' or '\'. */
		if (f->is_image_path)
			return req_add(r, CONFIG_ATOM_IS, f->lower,
				       f->lower_len);
		r->kind = REQ_ANYTHING;
		return 0;
	default:
		r->kind = REQ_ANYTHING;
		return 0;
	}
}

static int req_compound(const struct rule_set *s, const struct compound *cp,
			unsigned slot, int field_idx, struct req *r)
{
	int e = 0;

	memset(r, 0, sizeof(*r));
	if (cp->is_and)
		r->kind = REQ_ANYTHING;
	for (uint32_t i = cp->first; i < cp->first + cp->count && !e; i++) {
		struct req fr;

		e = req_filter(&s->filters[i], slot, field_idx, &fr);
		if (e)
			req_release(&fr);
		else if (cp->is_and)
			req_and(r, &fr, false);
		else
			e = req_union(r, &fr);
	}
	return e;
}

/* An and-set's plain filters on one field: OR-ed (eval.c's
 * is_later_same), starting at filter i. */
static int req_field_group(const struct rule_set *s, uint32_t i, unsigned slot,
			   int field_idx, struct req *r, uint32_t *done)
{
	int idx = s->filters[i].idx[slot];
	int e = 0;

	memset(r, 0, sizeof(*r));
	for (uint32_t j = i; j < s->nfilters && !e; j++) {
		const struct filter *f = &s->filters[j];
		struct req fr;

		if (f->compound || f->idx[slot] != idx ||
		    (done[j >> 5] & (1u << (j & 31))))
			continue;
		done[j >> 5] |= 1u << (j & 31);
		e = req_filter(f, slot, field_idx, &fr);
		if (e)
			req_release(&fr);
		else
			e = req_union(r, &fr);
		if (idx < 0)
			break; /* a missing field fails the group */
	}
	return e;
}

static int req_set(const struct rule_set *s, unsigned slot, int field_idx,
		   struct req *r)
{
	uint32_t *done;
	bool is_first = true;
	int e = 0;

	memset(r, 0, sizeof(*r));
	if (!s->nfilters)
		return 0; /* an empty set never matches */
	done = calloc((s->nfilters + 31) / 32, sizeof(*done));
	if (!done)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->nfilters && !e; i++) {
		const struct filter *f = &s->filters[i];
		struct req er;

		if (f->compound) {
			const struct compound *cp =
				&s->compounds[f->compound - 1];

			if (i != cp->first)
				continue;
			e = req_compound(s, cp, slot, field_idx, &er);
		} else if (s->is_and) {
			if (done[i >> 5] & (1u << (i & 31)))
				continue;
			e = req_field_group(s, i, slot, field_idx, &er, done);
		} else {
			e = req_filter(f, slot, field_idx, &er);
		}
		if (e) {
			req_release(&er);
		} else if (s->is_and) {
			req_and(r, &er, is_first);
			is_first = false;
		} else {
			e = req_union(r, &er);
		}
	}
	free(done);
	return e;
}

int config_prefilter(const struct config *c, unsigned id, const char *field,
		     struct config_prefilter *pf)
{
	const struct catalog_event *def = catalog_lookup(id);
	const struct family *fam;
	struct req all = { 0 };
	unsigned slot;
	int field_idx, e = 0;
	bool has_include = false;

	memset(pf, 0, sizeof(*pf));
	pf->is_all = true;
	if (!def || id > 255 || !c->id_family[id])
		return 0;
	field_idx = catalog_field_index(def, field);
	fam = &c->families[c->id_family[id] - 1];
	slot = c->id_slot[id];
	if (field_idx < 0)
		return 0;
	if (!fam->nsets) {
		/* The manifest default: only events 1 and 5 include. */
		pf->is_all = def->rule_default == CATALOG_INCLUDE;
		return 0;
	}
	for (unsigned i = 0; i < fam->nsets && !e; i++) {
		const struct rule_set *s = fam->eval[i];
		struct req r;

		if (s->is_exclude)
			continue;
		has_include = true;
		e = req_set(s, slot, field_idx, &r);
		if (e)
			req_release(&r);
		else
			e = req_union(&all, &r);
	}
	if (e || !has_include || all.kind == REQ_ANYTHING) {
		req_release(&all);
		return e;
	}
	pf->is_all = false;
	pf->n = all.n;
	pf->atoms = all.atoms;
	return 0;
}

int config_prefilter_merge(struct config_prefilter *into,
			   const struct config_prefilter *from)
{
	struct config_atom *a;

	if (into->is_all)
		return 0;
	if (from->is_all) {
		config_prefilter_release(into);
		return 0;
	}
	if (!from->n)
		return 0;
	a = realloc(into->atoms, (into->n + from->n) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	memcpy(a + into->n, from->atoms, from->n * sizeof(*a));
	into->atoms = a;
	into->n += from->n;
	return 0;
}

void config_prefilter_release(struct config_prefilter *pf)
{
	free(pf->atoms);
	memset(pf, 0, sizeof(*pf));
	pf->is_all = true;
}
