/* SPDX-License-Identifier: MIT */
/*
 * config/internal.h - the compiled form of a config, shared by the files
 * of the config module only.
 *
 * Loading (load.c, with options.c for the option elements and encoding.c
 * for the bytes of the file) turns the XML into rule sets; compiling
 * (compile.c)
 * lower-cases values, splits any/all lists, resolves field indexes per
 * event id and orders the sets for evaluation (eval.c).  Everything lives
 * in one arena owned by the struct config, so freeing is one call and
 * evaluation never allocates.
 */
#ifndef VIGIL_CONFIG_INTERNAL_H
#define VIGIL_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "config.h"

/* Hard limits: a config beyond them is refused, never cut. */
#define CONFIG_MAX_FILE_BYTES  (8u * 1024 * 1024)
#define CONFIG_MAX_FILTERS     100000u
#define CONFIG_MAX_SETS	       10000u
#define CONFIG_MAX_NAME	       255u /* RuleName text, as Sysmon */
#define CONFIG_MAX_ITEMS       1024u /* items of one any/all list */
#define CONFIG_MAX_MEMBERS     4u /* ids sharing one rule tag */
#define CONFIG_MAX_FIELD_SIZES 64u

enum cond {
	COND_IS,
	COND_IS_NOT,
	COND_CONTAINS,
	COND_CONTAINS_ANY,
	COND_IS_ANY,
	COND_CONTAINS_ALL,
	COND_EXCLUDES,
	COND_EXCLUDES_ANY,
	COND_EXCLUDES_ALL,
	COND_BEGIN_WITH,
	COND_NOT_BEGIN_WITH,
	COND_END_WITH,
	COND_NOT_END_WITH,
	COND_LESS_THAN,
	COND_MORE_THAN,
	COND_IMAGE,
	COND_COUNT,
};

/* Manifest spelling of each condition, indexed by enum cond. */
extern const char *const config_cond_names[COND_COUNT];

struct item {
	const char *s; /* lower-cased, not NUL-terminated */
	uint32_t len;
};

struct filter {
	const char *field; /* catalogue's name (case as in the manifest) */
	const char *value; /* verbatim, for the dump */
	const char *lower; /* ASCII lower-cased value */
	uint32_t lower_len;
	const char *name; /* RuleName this filter gives, or NULL */
	uint8_t cond; /* enum cond */
	bool is_later_same; /* a later plain filter has the same field */
	bool is_image_path; /* image: value holds a separator */
	uint16_t gram; /* contains/excludes: first bigram (0: none) */
	uint16_t gram2; /* and last bigram */
	int8_t idx[CONFIG_MAX_MEMBERS]; /* field index per family member */
	uint32_t compound; /* 0: plain, else 1 + index into set->compounds */
	uint32_t nitems; /* any/all conditions: the ';' items */
	const struct item *items;
};

struct compound {
	uint32_t first; /* index of its first filter in set->filters */
	uint32_t count;
	bool is_and;
	const char *name; /* as written (NULL: anonymous) */
	unsigned number; /* global ordinal, shown for anonymous rules */
};

struct set_index;
struct family_index;

struct rule_set {
	unsigned family; /* index into config->families */
	unsigned attach_id; /* first member id whose fields all resolve */
	bool is_exclude;
	bool is_and;
	unsigned doc_order; /* position in the file among all sets */
	uint32_t nfilters;
	struct filter *filters;
	uint32_t ncompounds;
	struct compound *compounds;
	const struct set_index *index; /* NULL: evaluated linearly */
};

/* All event ids that share one rule tag, in catalogue order. */
struct family {
	const char *tag;
	unsigned nmembers;
	const struct catalog_event *members[CONFIG_MAX_MEMBERS];
	unsigned nsets;
	struct rule_set **doc; /* document order (dump) */
	struct rule_set **eval; /* exclude first, each last-in-file first */
	bool is_wanted;
	const struct family_index *index; /* NULL: sets evaluated linearly */
};

struct field_size {
	const char *field;
	unsigned max;
};

struct arena_block;

struct config {
	struct arena_block *arena;
	char schema[16]; /* "4.90" */
	unsigned schema_x100; /* 490 */
	char hash_hex[65]; /* file SHA256 or "-" */
	unsigned hash_algs;
	bool has_hash_algs;
	unsigned nfamilies;
	struct family families[64];
	/* event id -> family index + 1 and member slot (0: no tag) */
	uint8_t id_family[256];
	uint8_t id_slot[256];
	int8_t id_rulename[256]; /* index of RuleName in that id, or -1 */
	unsigned nfield_sizes;
	struct field_size field_sizes[CONFIG_MAX_FIELD_SIZES];
	/* Accepted options kept for `vigil -c` and the daemon. */
	bool dns_lookup;
	bool has_dns_lookup; /* the option was given */
	bool check_revocation;
	bool capture_clipboard;
	char archive_dir[256]; /* "": none */
	char driver_name[128];
	unsigned nwarnings;
	/* FieldSizes resolved: index per catalogue position, -1: absent */
	int8_t fs_idx[CONFIG_MAX_FIELD_SIZES][64];
};

/* Arena: bump allocation in blocks, freed together with the config. */
void *config_arena_alloc(struct config *c, size_t n);
char *config_arena_strndup(struct config *c, const char *s, size_t n);
void config_arena_free(struct config *c);

/* A config with families set up and no rules (load.c fills it). */
struct config *config_new(void);

/*
 * Loading: the state of one config_load_mem_opts() call, shared by load.c
 * (rules, diagnostics) and options.c.  libxml2's xmlNode is struct
 * _xmlNode; it is named so here to keep libxml2's headers out of the
 * files that only evaluate.
 */
struct _xmlNode;

struct loader {
	struct config *c;
	const struct config_opts *opts;
	struct diag *d;
	const char *file;
	const char *text; /* UTF-8 text libxml2 parsed, for columns */
	size_t text_len;
	int line_shift; /* lines skipped before the text handed to libxml2 */
	unsigned nsets;
	unsigned compound_counter;
	bool warned[32]; /* per option (options.c): warned once already */
};

/* load.c: an error at n (file:line:col into ld->d); returns -EINVAL. */
int config_fail(struct loader *ld, struct _xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* load.c: a warning at n, counted, to opts->warn or the log. */
void config_warn(struct loader *ld, struct _xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* load.c: every attribute of n is one of ok (NULL-terminated): 0 or -EINVAL. */
int config_check_attrs(struct loader *ld, struct _xmlNode *n,
		       const char *const *ok);
/* load.c: the element text of n (entities decoded) in the arena, or NULL. */
char *config_text_of(struct loader *ld, struct _xmlNode *n);

/* options.c: option element n of <Sysmon>: 0, -EINVAL (reported), -ENOMEM */
int config_parse_option(struct loader *ld, struct _xmlNode *n);

/* encoding.c: the text libxml2 parses, from the bytes of a file. */
struct config_text {
	const char *text; /* inside the caller's data or conv */
	size_t len;
	char *conv; /* the UTF-8 conversion, or NULL: the caller frees it */
	const char *enc; /* encoding to tell libxml2, NULL: its own guess */
	int line_shift; /* newlines skipped before text */
};

/*
 * UTF-16LE (with a BOM, or without one: '<' then NUL) converted to UTF-8
 * (lone surrogates become U+FFFD), then a UTF-8 BOM and blanks before the
 * first '<' skipped.  Returns 0 and *t, -ENOMEM, or -EPROTONOSUPPORT for
 * UTF-16BE (a BOM FE FF).  On error nothing is left to free.
 */
int config_text_decode(const char *data, size_t len, struct config_text *t);

/* compile.c: after loading, prepare every set for evaluation. */
int config_compile(struct config *c);

/* Bigram key used by contains prefilters (compile.c and eval.c agree). */
static inline uint16_t config_gram(unsigned char a, unsigned char b)
{
	/* 10 bits of (a, b) mixed; bit 12 marks "set". */
	return (uint16_t)((((unsigned)a * 31u) ^ b) & 0x3ff) | 0x1000;
}

static inline unsigned char config_fold(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch + 32) : ch;
}

/*
 * index.c: the filters of a family's rule sets grouped per field and
 * answered at once.
 *
 * At compile time every filter whose condition an index can answer exactly
 * (is, is any, begin with, end with, image, contains, contains any) goes
 * into hash tables of its field: whole values, prefixes and suffixes keyed
 * by length, contains patterns keyed by their first two bytes (one-byte
 * ones by memchr).  A `contains all` filter is guarded by its longest item;
 * anything else (negations, less/more than, empty values) stays "lazy" and
 * is evaluated as before.  The tables span all sets of the family, so an
 * event value is scanned once however many sets test it.  Evaluation first
 * marks which filters match (hit) or may match (check) and which items
 * (plain filters or compound heads) are therefore worth evaluating (cand);
 * eval.c then walks only those, in document order, so RuleName precedence
 * is kept.  Positions in the marks are family-wide: set_index.base plus
 * the filter's index in its set.
 */
#define INDEX_MIN_FILTERS 8u /* below, the linear walk is as cheap */
#define INDEX_MAX_FILTERS 8192u /* larger families are evaluated linearly */
#define INDEX_WORDS	  (INDEX_MAX_FILTERS / 64)

struct index_marks {
	uint64_t hit[INDEX_WORDS]; /* filter matches, for certain */
	uint64_t check[INDEX_WORDS]; /* filter may match: evaluate it */
	uint64_t cand[INDEX_WORDS]; /* item at this position may match */
};

/* The plain filters of one field in an and-set, in document order. */
struct index_group {
	uint32_t n;
	const uint32_t *pos; /* index in the set */
};

struct set_index {
	uint32_t base; /* family-wide position of the set's filter 0 */
	uint32_t ngroups; /* and-sets only */
	const struct index_group *groups;
};

struct index_field;

struct family_index {
	uint32_t nwords; /* 64-bit words covering the family's filters */
	const uint64_t *lazy; /* filters always evaluated (initial check) */
	const uint64_t *always; /* items always evaluated (initial cand) */
	uint32_t nfields;
	const struct index_field *fields;
};

struct event;

/* Build fam->index and its sets' index (left NULL when not taken). */
int config_index_build(struct config *c, struct family *fam);

/* Reset m for ix and mark what the values of ev (member slot) match. */
void config_index_mark(const struct family_index *ix, const struct event *ev,
		       unsigned slot, struct index_marks *m);

/*
 * eval.c: the plain walk over every filter, kept as the reference the
 * indexed evaluation is tested against.  Same contract as config_decide().
 */
bool config_decide_linear(const struct config *c, struct event *ev);

/* Whether the family index f has a tag with some Linux meaning. */
bool config_family_has_linux_meaning(const struct config *c, unsigned f);

#endif /* VIGIL_CONFIG_INTERNAL_H */
