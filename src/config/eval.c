/* SPDX-License-Identifier: MIT */
/*
 * config/eval.c - decide whether one event is logged (sysmon-semantics
 * section 5), and cut values for FieldSizes.
 *
 * Pure and allocation-free: the rules were compiled at load, the per-event
 * scratch (bigram bitmaps that let most `contains` filters fail without a
 * scan, and the index marks) lives on the stack.  Comparisons fold ASCII
 * A-Z only, as Sysmon for Linux does; rule values are already lower-case.
 *
 * A set with an index (index.c) is decided from the marks: only the items
 * the index says may match are evaluated, still in document order.  The
 * plain walk over every filter stays as config_decide_linear(), the
 * reference the indexed path is tested against.
 */
#include <string.h>

#include "event/event.h"
#include "internal.h"

struct ctx {
	const struct event *ev;
	unsigned slot;
	uint32_t has_grams; /* fields whose bitmap below is filled */
	uint64_t grams[CATALOG_MAX_FIELDS][16]; /* 1024-bit bigram sets */
	const struct family_index *fix; /* NULL: no index */
	bool is_marked; /* marks below filled for this event */
	struct index_marks marks;
};

static const uint64_t *grams_of(struct ctx *x, unsigned idx, const char *v,
				size_t n)
{
	uint64_t *g = x->grams[idx];

	if (x->has_grams & (1u << idx))
		return g;
	memset(g, 0, sizeof(x->grams[idx]));
	for (size_t i = 0; i + 1 < n; i++) {
		uint16_t k = config_gram(config_fold((unsigned char)v[i]),
					 config_fold((unsigned char)v[i + 1])) &
			     0x3ff;

		g[k >> 6] |= 1ull << (k & 63);
	}
	x->has_grams |= 1u << idx;
	return g;
}

static bool has_gram(const uint64_t *g, uint16_t key)
{
	key &= 0x3ff;
	return g[key >> 6] & (1ull << (key & 63));
}

static bool ieq(const char *v, const char *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (config_fold((unsigned char)v[i]) != (unsigned char)r[i])
			return false;
	return true;
}

static bool icontains(const char *v, size_t vn, const char *r, size_t rn)
{
	unsigned char first, last;

	if (!rn)
		return true;
	if (rn > vn)
		return false;
	first = (unsigned char)r[0];
	last = (unsigned char)r[rn - 1];
	for (size_t i = 0; i + rn <= vn; i++)
		if (config_fold((unsigned char)v[i]) == first &&
		    config_fold((unsigned char)v[i + rn - 1]) == last &&
		    ieq(v + i + 1, r + 1, rn > 1 ? rn - 2 : 0))
			return true;
	return false;
}

/* Case-insensitive byte order of v against lower-case r: <0, 0, >0. */
static int icmp(const char *v, size_t vn, const char *r, size_t rn)
{
	size_t n = vn < rn ? vn : rn;

	for (size_t i = 0; i < n; i++) {
		int a = config_fold((unsigned char)v[i]);
		int b = (unsigned char)r[i];

		if (a != b)
			return a - b;
	}
	return vn < rn ? -1 : vn > rn;
}

static bool contains_filter(struct ctx *x, const struct filter *f, unsigned idx,
			    const char *v, size_t n)
{
	if (f->gram) {
		const uint64_t *g = grams_of(x, idx, v, n);

		if (!has_gram(g, f->gram) || !has_gram(g, f->gram2))
			return false;
	}
	return icontains(v, n, f->lower, f->lower_len);
}

/*
 * The `image` condition on Linux.  Sysmon splits on '\' only, which makes
 * `<Image condition="image">ls</Image>` useless against /usr/bin/ls.  We
 * take '/' and '\' both as separators: a rule value without a separator is
 * compared with the last path component of the field, a value with one is
 * compared with the whole field.  Windows-style configs keep working.
 */
static bool image_match(const struct filter *f, const char *v, size_t n)
{
	const char *base = v;

	if (!f->is_image_path) {
		for (size_t i = n; i-- > 0;)
			if (v[i] == '/' || v[i] == '\\') {
				base = v + i + 1;
				break;
			}
		n -= (size_t)(base - v);
	}
	return n == f->lower_len && ieq(base, f->lower, n);
}

static bool any_item(const struct filter *f, const char *v, size_t n,
		     bool is_equal)
{
	for (uint32_t i = 0; i < f->nitems; i++) {
		const struct item *it = &f->items[i];

		if (is_equal ? (it->len == n && it->len && ieq(v, it->s, n))
			     : icontains(v, n, it->s, it->len))
			return true;
	}
	return false;
}

static bool all_items(const struct filter *f, const char *v, size_t n)
{
	for (uint32_t i = 0; i < f->nitems; i++)
		if (!icontains(v, n, f->items[i].s, f->items[i].len))
			return false;
	return true;
}

static bool cond_match(struct ctx *x, const struct filter *f, unsigned idx)
{
	size_t n;
	const char *v = event_value(x->ev, idx, &n);
	size_t rn = f->lower_len;

	switch (f->cond) {
	case COND_IS:
		return n == rn && ieq(v, f->lower, n);
	case COND_IS_NOT:
		return !(n == rn && ieq(v, f->lower, n));
	case COND_CONTAINS:
		return contains_filter(x, f, idx, v, n);
	case COND_EXCLUDES:
		return !contains_filter(x, f, idx, v, n);
	case COND_CONTAINS_ANY:
		return any_item(f, v, n, false);
	case COND_EXCLUDES_ANY:
		return !any_item(f, v, n, false);
	case COND_IS_ANY:
		return any_item(f, v, n, true);
	case COND_CONTAINS_ALL:
		return all_items(f, v, n);
	case COND_EXCLUDES_ALL:
		return !all_items(f, v, n);
	case COND_BEGIN_WITH:
		return n >= rn && ieq(v, f->lower, rn);
	case COND_NOT_BEGIN_WITH:
		return !(n >= rn && ieq(v, f->lower, rn));
	case COND_END_WITH:
		return n >= rn && ieq(v + n - rn, f->lower, rn);
	case COND_NOT_END_WITH:
		return !(n >= rn && ieq(v + n - rn, f->lower, rn));
	case COND_LESS_THAN:
		return icmp(v, n, f->lower, rn) < 0;
	case COND_MORE_THAN:
		return icmp(v, n, f->lower, rn) > 0;
	case COND_IMAGE:
		return image_match(f, v, n);
	default:
		return false;
	}
}

/* Whether filter i of s matches, from the index marks of s. */
static bool index_true(struct ctx *x, const struct rule_set *s, uint32_t i)
{
	const struct filter *f = &s->filters[i];
	int idx = f->idx[x->slot];
	uint32_t g = s->index->base + i;
	uint64_t bit = 1ull << (g & 63);

	if (idx < 0)
		return false;
	if (x->marks.hit[g >> 6] & bit)
		return true;
	return (x->marks.check[g >> 6] & bit) &&
	       cond_match(x, f, (unsigned)idx);
}

static bool filter_true(struct ctx *x, const struct rule_set *s, uint32_t i,
			bool is_indexed)
{
	const struct filter *f = &s->filters[i];
	int idx = f->idx[x->slot];

	if (is_indexed)
		return index_true(x, s, i);
	return idx >= 0 && cond_match(x, f, (unsigned)idx);
}

/* A compound <Rule>: strictly and/or over its filters, no same-field OR. */
static bool match_compound(struct ctx *x, const struct rule_set *s,
			   const struct compound *cp, const char **name,
			   bool is_indexed)
{
	const char *got = NULL;

	for (uint32_t i = cp->first; i < cp->first + cp->count; i++) {
		const struct filter *f = &s->filters[i];
		bool r = filter_true(x, s, i, is_indexed);

		if (r && f->name)
			got = f->name;
		if (!cp->is_and && r) {
			*name = got;
			return true;
		}
		if (cp->is_and && !r)
			return false;
	}
	if (!cp->is_and)
		return false;
	*name = got;
	return true;
}

/*
 * One rule set (section 5.2).  Under `and`, filters on the same field are
 * OR-ed and field groups AND-ed; under `or`, any filter or compound rule
 * matches.  *name gets the RuleName the set would give: the first match
 * under or, the last named match under and.
 */
static bool match_set_linear(struct ctx *x, const struct rule_set *s,
			     const char **name)
{
	uint32_t matched = 0;
	const char *got = NULL;
	uint32_t i = 0;

	if (!s->nfilters)
		return false;
	while (i < s->nfilters) {
		const struct filter *f = &s->filters[i];
		bool r, is_plain = !f->compound;

		if (!is_plain) {
			const struct compound *cp =
				&s->compounds[f->compound - 1];
			const char *cname = NULL;

			r = match_compound(x, s, cp, &cname, false);
			if (r && cname)
				got = cname;
			i = cp->first + cp->count;
		} else {
			int idx = f->idx[x->slot];

			i++;
			if (s->is_and && idx >= 0 && (matched & (1u << idx)))
				continue; /* this field is satisfied already */
			r = idx >= 0 && cond_match(x, f, (unsigned)idx);
			if (r) {
				matched |= 1u << idx;
				if (f->name)
					got = f->name;
			}
		}
		if (!s->is_and && r) {
			*name = got;
			return true;
		}
		if (s->is_and && !r) {
			if (is_plain && f->is_later_same)
				continue; /* a later filter may satisfy it */
			return false;
		}
	}
	if (!s->is_and)
		return false;
	*name = got;
	return true;
}

/*
 * An or-set from the marks: the first candidate item in document order
 * that matches decides, with its name, exactly as the linear walk would
 * (items that are not candidates cannot match).
 */
static bool match_or_indexed(struct ctx *x, const struct rule_set *s,
			     const char **name)
{
	uint32_t lo = s->index->base, hi = lo + s->nfilters;

	for (uint32_t w = lo >> 6; w <= (hi - 1) >> 6; w++) {
		uint64_t bits = x->marks.cand[w];

		/* Only this set's part of the family-wide marks. */
		if (w == lo >> 6)
			bits &= ~0ull << (lo & 63);
		if (w == (hi - 1) >> 6 && (hi & 63))
			bits &= (1ull << (hi & 63)) - 1;
		while (bits) {
			uint32_t i =
				w * 64 + (uint32_t)__builtin_ctzll(bits) - lo;
			const struct filter *f = &s->filters[i];
			const char *cname = NULL;

			bits &= bits - 1;
			if (f->compound) {
				if (match_compound(
					    x, s,
					    &s->compounds[f->compound - 1],
					    &cname, true)) {
					*name = cname;
					return true;
				}
			} else if (index_true(x, s, i)) {
				*name = f->name;
				return true;
			}
		}
	}
	return false;
}

/*
 * An and-set from the marks.  The linear walk skips a field once one of
 * its filters matched, so each field gives the name of its first matching
 * filter (if that one is named), each compound the name it matched with,
 * and the one latest in the document is what the walk would leave.
 */
static bool match_and_indexed(struct ctx *x, const struct rule_set *s,
			      const char **name)
{
	const struct set_index *ix = s->index;
	const char *got = NULL;
	uint32_t got_pos = 0;

	for (uint32_t gi = 0; gi < ix->ngroups; gi++) {
		const struct index_group *g = &ix->groups[gi];
		uint32_t k = 0, pos;

		while (k < g->n && !index_true(x, s, g->pos[k]))
			k++;
		if (k == g->n)
			return false;
		pos = g->pos[k];
		if (s->filters[pos].name && (!got || pos > got_pos)) {
			got = s->filters[pos].name;
			got_pos = pos;
		}
	}
	for (uint32_t ci = 0; ci < s->ncompounds; ci++) {
		const struct compound *cp = &s->compounds[ci];
		const char *cname = NULL;

		if (!match_compound(x, s, cp, &cname, true))
			return false;
		if (cname && (!got || cp->first > got_pos)) {
			got = cname;
			got_pos = cp->first;
		}
	}
	*name = got;
	return true;
}

static bool match_set(struct ctx *x, const struct rule_set *s,
		      const char **name, bool use_index)
{
	const struct set_index *ix = s->index;

	if (!use_index || !ix || !x->fix)
		return match_set_linear(x, s, name);
	/* A field this id lacks fails its whole group: no need to look. */
	if (s->is_and)
		for (uint32_t gi = 0; gi < ix->ngroups; gi++)
			if (s->filters[ix->groups[gi].pos[0]].idx[x->slot] < 0)
				return false;
	/* One pass over the event for all sets of the family. */
	if (!x->is_marked) {
		config_index_mark(x->fix, x->ev, x->slot, &x->marks);
		x->is_marked = true;
	}
	if (s->is_and)
		return match_and_indexed(x, s, name);
	return match_or_indexed(x, s, name);
}

static void set_rulename(const struct config *c, struct event *ev,
			 const char *name)
{
	int idx = c->id_rulename[ev->def->id & 0xff];

	if (idx < 0 || ev->def->id > 255)
		return;
	/*
	 * A RuleName the event came with (e.g. re-filtering) is replaced.
	 * event_set() appends, so an unchanged name is left alone: deciding
	 * the same event again then costs no memory.
	 */
	if (name) {
		size_t n = strlen(name);

		if (ev->len[idx] != n ||
		    memcmp(ev->buf + ev->off[idx], name, n) != 0)
			event_set(ev, (unsigned)idx, name, n);
	} else if (ev->len[idx]) {
		event_set(ev, (unsigned)idx, "", 0);
	}
}

static bool decide(const struct config *c, struct event *ev, bool use_index)
{
	const struct catalog_event *def = ev->def;
	const struct family *fam;
	struct ctx x;
	unsigned id = def->id;

	if (def->rule_default == CATALOG_ALWAYS || id > 255 ||
	    !c->id_family[id])
		return true;
	fam = &c->families[c->id_family[id] - 1];
	if (!fam->nsets) {
		set_rulename(c, ev, NULL);
		return def->rule_default == CATALOG_INCLUDE;
	}
	x.ev = ev;
	x.slot = c->id_slot[id];
	x.has_grams = 0;
	x.fix = fam->index;
	x.is_marked = false;
	for (unsigned i = 0; i < fam->nsets; i++) {
		const struct rule_set *s = fam->eval[i];
		const char *name = NULL;

		/*
		 * The reference keeps a name from a set that failed and may
		 * report it for a later set that matched through unnamed
		 * filters; we only report names of the set that decided.
		 */
		if (match_set(&x, s, &name, use_index)) {
			set_rulename(c, ev, name);
			return !s->is_exclude;
		}
	}
	set_rulename(c, ev, NULL);
	/* One set: its opposite is the default.  Two or more: drop. */
	if (fam->nsets == 1)
		return fam->eval[0]->is_exclude;
	return false;
}

bool config_decide(const struct config *c, struct event *ev)
{
	return decide(c, ev, true);
}

bool config_decide_linear(const struct config *c, struct event *ev)
{
	return decide(c, ev, false);
}

/* Back off to a UTF-8 character boundary so a cut never splits one. */
static size_t utf8_floor(const char *v, size_t n)
{
	while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	return n;
}

void config_apply_field_sizes(const struct config *c, struct event *ev)
{
	const struct catalog_event *first = catalog_at(0);
	size_t pos = (size_t)(ev->def - first);

	if (pos >= catalog_count() || pos >= 64)
		return;
	for (unsigned k = 0; k < c->nfield_sizes; k++) {
		int idx = c->fs_idx[k][pos];
		unsigned max = c->field_sizes[k].max;
		char *v;
		size_t keep;

		if (idx < 0 || ev->len[idx] <= max)
			continue;
		if (max < 3) {
			ev->len[idx] = 0; /* reads back as "-" */
			continue;
		}
		/* Cut in place: the value only gets shorter. */
		v = ev->buf + ev->off[idx];
		keep = utf8_floor(v, max - 3);
		memcpy(v + keep, "...", 3);
		v[keep + 3] = '\0';
		ev->len[idx] = (uint32_t)(keep + 3);
	}
}
