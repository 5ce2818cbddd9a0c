/* SPDX-License-Identifier: MIT */
/*
 * config/index.c - per family and per field, hash tables that answer
 * every indexable filter on that field, in all the family's rule sets,
 * with one pass over the event value (internal.h says what is indexed).
 *
 * Tables hold lower-cased keys; queries fold the event bytes on the fly,
 * so evaluation needs no scratch copy of the value.  Every hash hit is
 * verified byte by byte, so collisions only cost time.  Built once into
 * the config's arena; queries are pure and allocation-free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "internal.h"

enum table_kind {
	TAB_EXACT, /* the whole value */
	TAB_PREFIX, /* the first len bytes */
	TAB_SUFFIX, /* the last len bytes */
	TAB_GRAMS, /* anywhere: keyed by the first two bytes */
	TAB_BYTES, /* anywhere, one byte long */
	TAB_COUNT,
};

#define ENTRY_CHECK	0x1u /* a guard: the filter may match */
#define ENTRY_AFTER_SEP 0x2u /* image: only after '/' or '\' or at 0 */

struct index_entry {
	uint32_t pos; /* the filter */
	uint32_t head; /* the item it belongs to (itself or its compound) */
	uint32_t next; /* next entry of the same key + 1, 0: none */
	uint32_t flags;
};

struct index_key {
	const char *s; /* lower-case, from the filter */
	uint32_t len;
	uint32_t hash; /* what the bucket was chosen from */
	uint32_t next; /* next key in the bucket + 1 */
	uint32_t first; /* first entry + 1 */
};

struct index_table {
	uint32_t mask; /* buckets - 1; no buckets: empty table */
	uint32_t *buckets; /* first key + 1 */
	struct index_key *keys;
	uint32_t nkeys;
	struct index_entry *entries;
	uint32_t nentries;
	uint32_t *lens; /* distinct key lengths, ascending */
	uint32_t nlens;
	/* grams: bit per hashed first bigram, so most bytes cost one test */
	uint64_t *gram_bits;
	uint32_t gram_shift; /* 32 - log2(bits) */
};

struct index_field {
	const char *field;
	int8_t idx[CONFIG_MAX_MEMBERS];
	struct index_table tab[TAB_COUNT];
};

/* ---- hashing, shared by build and query ------------------------------ */

#define HASH_BASIS 2166136261u

static inline uint32_t hash_step(uint32_t h, unsigned char ch)
{
	return (h ^ ch) * 16777619u; /* FNV-1a */
}

/* ASCII A-Z folded, every other byte as is: one load per byte in queries. */
static const unsigned char fold_table[256] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
	0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b,
	0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
	0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73,
	0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,
	0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
	0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83,
	0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f,
	0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b,
	0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
	0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb,
	0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3,
	0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb,
	0xfc, 0xfd, 0xfe, 0xff,
};

static inline unsigned char fold(unsigned char ch)
{
	return fold_table[ch];
}

static inline uint32_t gram_of(unsigned char a, unsigned char b)
{
	return (uint32_t)a << 8 | b;
}

static inline uint32_t gram_bit(const struct index_table *t, uint32_t g)
{
	return (g * 0x9e3779b1u) >> t->gram_shift;
}

static inline uint32_t bucket_of(const struct index_table *t, uint32_t h)
{
	h *= 0x9e3779b1u;
	return (h ^ (h >> 16)) & t->mask;
}

static uint32_t hash_fwd(const char *s, size_t n)
{
	uint32_t h = HASH_BASIS;

	for (size_t i = 0; i < n; i++)
		h = hash_step(h, (unsigned char)s[i]);
	return h;
}

static uint32_t hash_back(const char *s, size_t n)
{
	uint32_t h = HASH_BASIS;

	for (size_t i = n; i-- > 0;)
		h = hash_step(h, (unsigned char)s[i]);
	return h;
}

/* The bucket hash of a key as its table's query will compute it. */
static uint32_t key_hash(unsigned kind, const char *s, size_t n)
{
	switch (kind) {
	case TAB_SUFFIX:
		return hash_back(s, n);
	case TAB_GRAMS:
		return gram_of((unsigned char)s[0], (unsigned char)s[1]);
	default:
		return hash_fwd(s, n);
	}
}

/* ---- build ----------------------------------------------------------- */

enum role {
	ROLE_LAZY, /* evaluated by eval.c every time */
	ROLE_INDEXED, /* the index marks it exactly */
	ROLE_GUARDED, /* the index marks it "check" when it can match */
};

/* Distinct field names of one family: at most every field of each member. */
#define INDEX_MAX_FIELDS (CONFIG_MAX_MEMBERS * CATALOG_MAX_FIELDS)

struct builder {
	struct config *c;
	const struct rule_set *s; /* the set being walked */
	uint32_t base; /* its family-wide position */
	struct index_field *fields;
	uint32_t nfields;
	uint32_t count[INDEX_MAX_FIELDS][TAB_COUNT];
	struct index_field scratch[INDEX_MAX_FIELDS]; /* while counting */
	bool is_counting;
	bool is_unfit; /* more distinct fields than the family has */
};

static uint32_t field_slot(struct builder *b, const struct filter *f)
{
	uint32_t i;

	/* By name: sets of a shared tag may have resolved their fields
	 * against different members, but idx[] depends on the name only. */
	for (i = 0; i < b->nfields; i++)
		if (strcmp(b->fields[i].field, f->field) == 0)
			return i;
	/* Cannot happen (every name is a field of some member); if it ever
	 * did, the family stays on the linear path. */
	if (i == INDEX_MAX_FIELDS) {
		b->is_unfit = true;
		return 0;
	}
	b->fields[i].field = f->field;
	memcpy(b->fields[i].idx, f->idx, sizeof(f->idx));
	b->nfields++;
	return i;
}

static const struct item *longest_item(const struct filter *f)
{
	const struct item *best = NULL;

	for (uint32_t i = 0; i < f->nitems; i++)
		if (!best || f->items[i].len > best->len)
			best = &f->items[i];
	return best;
}

static enum role role_of(const struct filter *f)
{
	const struct item *it;

	switch (f->cond) {
	case COND_IS:
	case COND_BEGIN_WITH:
	case COND_END_WITH:
	case COND_IMAGE:
		return f->lower_len ? ROLE_INDEXED : ROLE_LAZY;
	case COND_IS_ANY:
		return ROLE_INDEXED; /* empty items never match: not keyed */
	case COND_CONTAINS:
		return f->lower_len ? ROLE_INDEXED : ROLE_LAZY;
	case COND_CONTAINS_ANY:
		/* An empty (trailing) item is found in every value. */
		for (uint32_t i = 0; i < f->nitems; i++)
			if (!f->items[i].len)
				return ROLE_LAZY;
		return ROLE_INDEXED;
	case COND_CONTAINS_ALL:
		it = longest_item(f);
		return it && it->len ? ROLE_GUARDED : ROLE_LAZY;
	default:
		return ROLE_LAZY;
	}
}

static void table_insert(struct index_table *t, unsigned kind, const char *s,
			 uint32_t len, const struct index_entry *e)
{
	uint32_t h = key_hash(kind, s, len), b = bucket_of(t, h);
	struct index_key *k = NULL;
	struct index_entry *ne;

	for (uint32_t ki = t->buckets[b]; ki; ki = t->keys[ki - 1].next) {
		struct index_key *cand = &t->keys[ki - 1];

		if (cand->len == len && memcmp(cand->s, s, len) == 0) {
			k = cand;
			break;
		}
	}
	if (!k) {
		if (kind == TAB_GRAMS) {
			uint32_t bit = gram_bit(t, h);

			t->gram_bits[bit >> 6] |= 1ull << (bit & 63);
		}
		k = &t->keys[t->nkeys++];
		k->s = s;
		k->len = len;
		k->hash = h;
		k->next = t->buckets[b];
		t->buckets[b] = t->nkeys;
	}
	ne = &t->entries[t->nentries++];
	*ne = *e;
	ne->next = k->first;
	k->first = t->nentries;
}

static void add_key(struct builder *b, const struct filter *f, unsigned kind,
		    const char *s, uint32_t len, struct index_entry *e)
{
	uint32_t fi = field_slot(b, f);

	if (kind == TAB_GRAMS && len == 1)
		kind = TAB_BYTES;
	if (b->is_unfit)
		return;
	if (b->is_counting)
		b->count[fi][kind]++;
	else
		table_insert(&b->fields[fi].tab[kind], kind, s, len, e);
}

/* Every key of filter pos (role indexed or guarded) into its field. */
static void add_filter(struct builder *b, uint32_t pos, uint32_t head)
{
	const struct filter *f = &b->s->filters[pos];
	struct index_entry e = { .pos = b->base + pos, .head = b->base + head };
	const struct item *it;

	switch (f->cond) {
	case COND_IS:
		add_key(b, f, TAB_EXACT, f->lower, f->lower_len, &e);
		break;
	case COND_BEGIN_WITH:
		add_key(b, f, TAB_PREFIX, f->lower, f->lower_len, &e);
		break;
	case COND_END_WITH:
		add_key(b, f, TAB_SUFFIX, f->lower, f->lower_len, &e);
		break;
	case COND_IMAGE:
		/* A bare name is the last path component: a suffix that
		 * follows a separator or starts the value. */
		if (f->is_image_path) {
			add_key(b, f, TAB_EXACT, f->lower, f->lower_len, &e);
		} else {
			e.flags = ENTRY_AFTER_SEP;
			add_key(b, f, TAB_SUFFIX, f->lower, f->lower_len, &e);
		}
		break;
	case COND_IS_ANY:
	case COND_CONTAINS_ANY:
		for (uint32_t i = 0; i < f->nitems; i++) {
			it = &f->items[i];
			if (it->len)
				add_key(b, f,
					f->cond == COND_IS_ANY ? TAB_EXACT
							       : TAB_GRAMS,
					it->s, it->len, &e);
		}
		break;
	case COND_CONTAINS:
		add_key(b, f, TAB_GRAMS, f->lower, f->lower_len, &e);
		break;
	case COND_CONTAINS_ALL:
		it = longest_item(f);
		e.flags = ENTRY_CHECK;
		add_key(b, f, TAB_GRAMS, it->s, it->len, &e);
		break;
	default:
		break;
	}
}

static void set_bit(uint64_t *bits, uint32_t i)
{
	bits[i >> 6] |= 1ull << (i & 63);
}

/*
 * Walk the set's items, adding keys and the lazy/always bits.  A compound
 * is always a candidate unless an index mark is necessary for it to match:
 * under and, one non-lazy member; under or, no lazy member at all.
 */
static void walk_set(struct builder *b, uint64_t *lazy, uint64_t *always)
{
	const struct rule_set *s = b->s;

	for (uint32_t i = 0; i < s->nfilters; i++) {
		const struct filter *f = &s->filters[i];
		const struct compound *cp =
			f->compound ? &s->compounds[f->compound - 1] : NULL;
		uint32_t head = cp ? cp->first : i;
		enum role role = role_of(f);

		if (role == ROLE_LAZY) {
			if (!b->is_counting)
				set_bit(lazy, b->base + i);
		} else {
			add_filter(b, i, head);
		}
		if (b->is_counting || (cp && i != cp->first))
			continue;
		if (!cp) {
			if (role == ROLE_LAZY)
				set_bit(always, b->base + i);
			continue;
		}
		uint32_t nlazy = 0;

		for (uint32_t j = cp->first; j < cp->first + cp->count; j++)
			nlazy += role_of(&s->filters[j]) == ROLE_LAZY;
		if (cp->is_and ? nlazy == cp->count : nlazy > 0)
			set_bit(always, b->base + i);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* About 32 bits per anchor keeps false positives near 3%; 8 KiB at most. */
static int grams_alloc(struct config *c, struct index_table *t, uint32_t n)
{
	uint32_t log2 = 9;

	while (log2 < 16 && (1u << log2) < 32 * n)
		log2++;
	t->gram_shift = 32 - log2;
	t->gram_bits = config_arena_alloc(c, (1u << log2) / 8);
	return t->gram_bits ? 0 : -ENOMEM;
}

static int table_alloc(struct config *c, struct index_table *t, unsigned kind,
		       uint32_t n)
{
	uint32_t nb = 8;

	if (!n)
		return 0;
	if (kind == TAB_GRAMS && grams_alloc(c, t, n))
		return -ENOMEM;
	while (nb < 2 * n)
		nb *= 2;
	t->mask = nb - 1;
	t->buckets = config_arena_alloc(c, nb * sizeof(*t->buckets));
	t->keys = config_arena_alloc(c, n * sizeof(*t->keys));
	t->entries = config_arena_alloc(c, n * sizeof(*t->entries));
	t->lens = config_arena_alloc(c, n * sizeof(*t->lens));
	if (!t->buckets || !t->keys || !t->entries || !t->lens)
		return -ENOMEM;
	return 0;
}

/* Distinct key lengths, ascending: what prefix/suffix queries probe. */
static void table_lengths(struct index_table *t)
{
	uint32_t n = 0;

	if (!t->nkeys)
		return; /* nothing allocated: qsort must not see NULL */
	for (uint32_t i = 0; i < t->nkeys; i++)
		t->lens[i] = t->keys[i].len;
	qsort(t->lens, t->nkeys, sizeof(*t->lens), cmp_u32);
	for (uint32_t i = 0; i < t->nkeys; i++)
		if (!n || t->lens[n - 1] != t->lens[i])
			t->lens[n++] = t->lens[i];
	t->nlens = n;
}

/* and-sets: the plain filters of each field, document order. */
static int build_groups(struct config *c, const struct rule_set *s,
			struct set_index *ix)
{
	struct index_group *g;
	uint32_t *pos;
	const char *seen[CATALOG_MAX_FIELDS];
	uint32_t ng = 0, np = 0;

	g = config_arena_alloc(c, CATALOG_MAX_FIELDS * sizeof(*g));
	pos = config_arena_alloc(c, s->nfilters * sizeof(*pos));
	if (!g || !pos)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->nfilters; i++) {
		const struct filter *f = &s->filters[i];
		uint32_t k;

		if (f->compound)
			continue;
		for (k = 0; k < ng && seen[k] != f->field; k++)
			;
		if (k < ng)
			continue;
		if (ng == CATALOG_MAX_FIELDS)
			return 1; /* cannot happen, see field_slot() */
		seen[ng] = f->field;
		g[ng].pos = pos + np;
		for (uint32_t j = i; j < s->nfilters; j++)
			if (!s->filters[j].compound &&
			    s->filters[j].field == f->field)
				pos[np++] = j;
		g[ng].n = (uint32_t)(pos + np - g[ng].pos);
		ng++;
	}
	ix->groups = g;
	ix->ngroups = ng;
	return 0;
}

static int build_tables(struct builder *b)
{
	for (uint32_t fi = 0; fi < b->nfields; fi++)
		for (unsigned k = 0; k < TAB_COUNT; k++) {
			struct index_table *t = &b->fields[fi].tab[k];
			int r = table_alloc(b->c, t, k, b->count[fi][k]);

			if (r)
				return r;
		}
	return 0;
}

static void walk_family(struct builder *b, const struct family *fam,
			uint64_t *lazy, uint64_t *always)
{
	b->base = 0;
	for (unsigned k = 0; k < fam->nsets; k++) {
		b->s = fam->doc[k];
		walk_set(b, lazy, always);
		b->base += b->s->nfilters;
	}
}

/* Each set's base and, for and-sets, its field groups. */
static int build_sets(struct config *c, struct family *fam)
{
	uint32_t base = 0;

	for (unsigned k = 0; k < fam->nsets; k++) {
		struct rule_set *s = fam->doc[k];
		struct set_index *si;
		int r;

		if (!s->nfilters)
			continue;
		si = config_arena_alloc(c, sizeof(*si));
		if (!si)
			return -ENOMEM;
		si->base = base;
		base += s->nfilters;
		if (s->is_and) {
			r = build_groups(c, s, si);
			if (r)
				return r;
		}
		s->index = si;
	}
	return 0;
}

int config_index_build(struct config *c, struct family *fam)
{
	struct builder *b;
	struct family_index *ix;
	uint64_t *lazy, *always;
	uint32_t total = 0, nwords;
	int r = -ENOMEM;

	for (unsigned k = 0; k < fam->nsets; k++)
		total += fam->doc[k]->nfilters;
	if (total < INDEX_MIN_FILTERS || total > INDEX_MAX_FILTERS)
		return 0;
	nwords = (total + 63) / 64;
	b = calloc(1, sizeof(*b)); /* too big for the stack */
	ix = config_arena_alloc(c, sizeof(*ix));
	lazy = config_arena_alloc(c, nwords * sizeof(*lazy));
	always = config_arena_alloc(c, nwords * sizeof(*always));
	if (!b || !ix || !lazy || !always)
		goto out;
	b->c = c;
	b->is_counting = true;
	b->fields = b->scratch;
	walk_family(b, fam, lazy, always);
	r = 0;
	if (b->is_unfit)
		goto out;
	/* Now the number of fields is known: keep only those. */
	b->fields = config_arena_alloc(c, b->nfields * sizeof(*b->fields));
	r = -ENOMEM;
	if (!b->fields)
		goto out;
	memcpy(b->fields, b->scratch, b->nfields * sizeof(*b->fields));
	r = build_tables(b);
	if (r)
		goto out;
	b->is_counting = false;
	walk_family(b, fam, lazy, always);
	for (uint32_t fi = 0; fi < b->nfields; fi++) {
		table_lengths(&b->fields[fi].tab[TAB_PREFIX]);
		table_lengths(&b->fields[fi].tab[TAB_SUFFIX]);
		table_lengths(&b->fields[fi].tab[TAB_EXACT]);
	}
	ix->nwords = nwords;
	ix->lazy = lazy;
	ix->always = always;
	ix->fields = b->fields;
	ix->nfields = b->nfields;
	r = build_sets(c, fam);
	if (r > 0)
		r = 0; /* cannot happen, see build_groups(): stay linear */
	else if (!r)
		fam->index = ix;
out:
	free(b);
	return r;
}

/* ---- query ----------------------------------------------------------- */

static bool ieq_fold(const char *v, const char *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold((unsigned char)v[i]) != (unsigned char)r[i])
			return false;
	return true;
}

/* Mark every filter of key k (an image name only after a separator). */
static void mark_key(const struct index_table *t, const struct index_key *k,
		     const char *v, size_t n, struct index_marks *m)
{
	for (uint32_t ei = k->first; ei; ei = t->entries[ei - 1].next) {
		const struct index_entry *e = &t->entries[ei - 1];

		if (e->flags & ENTRY_AFTER_SEP && k->len < n &&
		    v[n - k->len - 1] != '/' && v[n - k->len - 1] != '\\')
			continue;
		if (e->flags & ENTRY_CHECK)
			set_bit(m->check, e->pos);
		else
			set_bit(m->hit, e->pos);
		set_bit(m->cand, e->head);
	}
}

/* Keys of length len and hash h equal to s (folded). */
static void probe(const struct index_table *t, uint32_t h, const char *s,
		  uint32_t len, const char *v, size_t n, struct index_marks *m)
{
	for (uint32_t ki = t->buckets[bucket_of(t, h)]; ki;
	     ki = t->keys[ki - 1].next) {
		const struct index_key *k = &t->keys[ki - 1];

		if (k->hash == h && k->len == len && ieq_fold(s, k->s, len))
			mark_key(t, k, v, n, m);
	}
}

static void query_exact(const struct index_table *t, const char *v, size_t n,
			struct index_marks *m)
{
	/* lens[] is sorted: a value of no key's length costs two loads. */
	if (n < t->lens[0] || n > t->lens[t->nlens - 1])
		return;
	uint32_t h = HASH_BASIS;

	for (size_t i = 0; i < n; i++)
		h = hash_step(h, fold((unsigned char)v[i]));
	probe(t, h, v, (uint32_t)n, v, n, m);
}

static void query_prefix(const struct index_table *t, const char *v, size_t n,
			 struct index_marks *m)
{
	uint32_t h = HASH_BASIS;
	size_t done = 0;

	for (uint32_t li = 0; li < t->nlens && t->lens[li] <= n; li++) {
		uint32_t len = t->lens[li];

		for (; done < len; done++)
			h = hash_step(h, fold((unsigned char)v[done]));
		probe(t, h, v, len, v, n, m);
	}
}

static void query_suffix(const struct index_table *t, const char *v, size_t n,
			 struct index_marks *m)
{
	uint32_t h = HASH_BASIS;
	size_t done = 0;

	for (uint32_t li = 0; li < t->nlens && t->lens[li] <= n; li++) {
		uint32_t len = t->lens[li];

		for (; done < len; done++)
			h = hash_step(h, fold((unsigned char)v[n - 1 - done]));
		probe(t, h, v + n - len, len, v, n, m);
	}
}

/* Patterns whose first two bytes are g, tried at v + i. */
static void grams_at(const struct index_table *t, uint32_t g, const char *v,
		     size_t n, size_t i, struct index_marks *m)
{
	for (uint32_t ki = t->buckets[bucket_of(t, g)]; ki;
	     ki = t->keys[ki - 1].next) {
		const struct index_key *k = &t->keys[ki - 1];

		if (k->hash == g && k->len <= n - i &&
		    ieq_fold(v + i + 2, k->s + 2, k->len - 2))
			mark_key(t, k, v, n, m);
	}
}

static void query_grams(const struct index_table *t, const char *v, size_t n,
			struct index_marks *m)
{
	/* Locals: the marks written on a hit must not force reloads. */
	const uint64_t *bits = t->gram_bits;
	const uint32_t shift = t->gram_shift;
	uint32_t g;

	if (n < 2)
		return;
	g = fold((unsigned char)v[0]);
	for (size_t i = 0; i + 1 < n; i++) {
		uint32_t bit;

		g = (g << 8 | fold((unsigned char)v[i + 1])) & 0xffff;
		bit = (g * 0x9e3779b1u) >> shift;
		if (bits[bit >> 6] & (1ull << (bit & 63)))
			grams_at(t, g, v, n, i, m);
	}
}

/* One-byte patterns are few: memchr for each, in both cases. */
static void query_bytes(const struct index_table *t, const char *v, size_t n,
			struct index_marks *m)
{
	for (uint32_t ki = 0; ki < t->nkeys; ki++) {
		const struct index_key *k = &t->keys[ki];
		unsigned char ch = (unsigned char)k->s[0];

		if (memchr(v, ch, n) ||
		    (ch >= 'a' && ch <= 'z' && memchr(v, ch - 32, n)))
			mark_key(t, k, v, n, m);
	}
}

void config_index_mark(const struct family_index *ix, const struct event *ev,
		       unsigned slot, struct index_marks *m)
{
	size_t bytes = ix->nwords * sizeof(uint64_t);

	memset(m->hit, 0, bytes);
	memcpy(m->check, ix->lazy, bytes);
	memcpy(m->cand, ix->always, bytes);
	for (uint32_t fi = 0; fi < ix->nfields; fi++) {
		const struct index_field *f = &ix->fields[fi];
		int idx = f->idx[slot];
		const char *v;
		size_t n;

		if (idx < 0)
			continue; /* not a field of this id: never matches */
		v = event_value(ev, (unsigned)idx, &n);
		if (f->tab[TAB_EXACT].nkeys)
			query_exact(&f->tab[TAB_EXACT], v, n, m);
		if (f->tab[TAB_PREFIX].nkeys)
			query_prefix(&f->tab[TAB_PREFIX], v, n, m);
		if (f->tab[TAB_SUFFIX].nkeys)
			query_suffix(&f->tab[TAB_SUFFIX], v, n, m);
		if (f->tab[TAB_GRAMS].nkeys)
			query_grams(&f->tab[TAB_GRAMS], v, n, m);
		if (f->tab[TAB_BYTES].nkeys)
			query_bytes(&f->tab[TAB_BYTES], v, n, m);
	}
}
