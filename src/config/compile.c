/* SPDX-License-Identifier: MIT */
/*
 * config/compile.c - turn loaded rule sets into the form eval.c walks:
 * values lower-cased once, any/all lists split, field indexes resolved per
 * event id, per-field indexes built (index.c), sets of each family put in
 * evaluation order.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

const char *const config_cond_names[COND_COUNT] = {
	[COND_IS] = "is",
	[COND_IS_NOT] = "is not",
	[COND_CONTAINS] = "contains",
	[COND_CONTAINS_ANY] = "contains any",
	[COND_IS_ANY] = "is any",
	[COND_CONTAINS_ALL] = "contains all",
	[COND_EXCLUDES] = "excludes",
	[COND_EXCLUDES_ANY] = "excludes any",
	[COND_EXCLUDES_ALL] = "excludes all",
	[COND_BEGIN_WITH] = "begin with",
	[COND_NOT_BEGIN_WITH] = "not begin with",
	[COND_END_WITH] = "end with",
	[COND_NOT_END_WITH] = "not end with",
	[COND_LESS_THAN] = "less than",
	[COND_MORE_THAN] = "more than",
	[COND_IMAGE] = "image",
};

static bool is_list_cond(uint8_t cond)
{
	return cond == COND_CONTAINS_ANY || cond == COND_IS_ANY ||
	       cond == COND_CONTAINS_ALL || cond == COND_EXCLUDES_ANY ||
	       cond == COND_EXCLUDES_ALL;
}

/*
 * Split "a;b;c" into items.  A trailing ';' gives an empty last item, as in
 * Sysmon (found in every value: `contains any` then always matches).  The
 * loader has refused leading or doubled ';' and over-long lists.
 */
static int split_items(struct config *c, struct filter *f)
{
	const char *s = f->lower, *end = f->lower + f->lower_len, *p;
	struct item *items;
	uint32_t n = 1, i = 0;

	for (p = s; p < end; p++)
		n += *p == ';';
	items = config_arena_alloc(c, n * sizeof(*items));
	if (!items)
		return -ENOMEM;
	p = s;
	for (;;) {
		const char *e = memchr(p, ';', (size_t)(end - p));

		if (!e)
			e = end;
		items[i].s = p;
		items[i].len = (uint32_t)(e - p);
		i++;
		if (e == end)
			break;
		p = e + 1;
	}
	f->items = items;
	f->nitems = i;
	return 0;
}

static int compile_filter(struct config *c, struct family *fam,
			  struct filter *f)
{
	size_t len = strlen(f->value);
	char *lower = config_arena_strndup(c, f->value, len);

	if (!lower)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		lower[i] = (char)config_fold((unsigned char)lower[i]);
	f->lower = lower;
	f->lower_len = (uint32_t)len;
	for (unsigned m = 0; m < CONFIG_MAX_MEMBERS; m++)
		f->idx[m] = m < fam->nmembers
				    ? (int8_t)catalog_field_index(
					      fam->members[m], f->field)
				    : -1;
	f->is_image_path = memchr(lower, '/', len) || memchr(lower, '\\', len);
	if ((f->cond == COND_CONTAINS || f->cond == COND_EXCLUDES) &&
	    len >= 2) {
		f->gram = config_gram((unsigned char)lower[0],
				      (unsigned char)lower[1]);
		f->gram2 = config_gram((unsigned char)lower[len - 2],
				       (unsigned char)lower[len - 1]);
	}
	if (is_list_cond(f->cond))
		return split_items(c, f);
	return 0;
}

static void order_family(struct family *fam)
{
	unsigned k = 0;

	/* Exclude sets first, then include sets, each last-in-file first:
	 * the first set that matches decides, so exclusions win. */
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = fam->nsets; i-- > 0;)
			if (fam->doc[i]->is_exclude == (pass == 0))
				fam->eval[k++] = fam->doc[i];
}

static bool set_can_log(const struct rule_set *s)
{
	/* An empty include set is a switch that drops everything. */
	return s->is_exclude || s->nfilters;
}

int config_compile(struct config *c)
{
	int r;

	for (unsigned fi = 0; fi < c->nfamilies; fi++) {
		struct family *fam = &c->families[fi];

		fam->is_wanted =
			fam->members[0]->rule_default == CATALOG_INCLUDE &&
			!fam->nsets;
		for (unsigned si = 0; si < fam->nsets; si++) {
			struct rule_set *s = fam->doc[si];

			for (uint32_t i = 0; i < s->nfilters; i++) {
				struct filter *f = &s->filters[i];

				r = compile_filter(c, fam, f);
				if (r)
					return r;
				if (f->compound)
					continue;
				for (uint32_t j = i + 1; j < s->nfilters; j++)
					if (!s->filters[j].compound &&
					    s->filters[j].field == f->field)
						f->is_later_same = true;
			}
			if (set_can_log(s))
				fam->is_wanted = true;
		}
		r = config_index_build(c, fam);
		if (r)
			return r;
		if (fam->nsets) {
			fam->eval = config_arena_alloc(
				c, fam->nsets * sizeof(*fam->eval));
			if (!fam->eval)
				return -ENOMEM;
			order_family(fam);
		}
	}
	/* FieldSizes: resolve the field per event once. */
	for (unsigned k = 0; k < c->nfield_sizes; k++)
		for (size_t i = 0; i < catalog_count() && i < 64; i++)
			c->fs_idx[k][i] = (int8_t)catalog_field_index(
				catalog_at(i), c->field_sizes[k].field);
	return 0;
}
