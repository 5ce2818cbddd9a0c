/* SPDX-License-Identifier: MIT */
/*
 * config/load.c - read a Sysmon XML config with libxml2 and build the rule
 * sets (compile.c then prepares them for evaluation).
 *
 * The file is hostile input: libxml2 runs with XML_PARSE_NONET and never
 * NOENT/DTDLOAD/HUGE/XINCLUDE, any DOCTYPE is refused (Sysmon configs never
 * need one, and it is where XXE and entity bombs live), and the size is
 * capped.  Where the DTD-validating Sysmon builds rejected a file, so do
 * we, with file:line:col; nothing is half-loaded.
 *
 * Here: the parse, diagnostics, the schema version and the rules of
 * <EventFiltering>; the other elements of <Sysmon> are options.c's, and
 * turning the file's bytes into UTF-8 text is encoding.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "internal.h"
#include "util/log.h"

/* ---- diagnostics ------------------------------------------------------ */

/* libxml2 nodes carry a line but no column: find the tag on that line. */
static int node_col(const struct loader *ld, xmlNode *n)
{
	long line = xmlGetLineNo(n);
	const char *p = ld->text, *end = ld->text + ld->text_len, *eol;
	size_t nlen;

	if (!n->name || line < 1)
		return 1;
	for (long l = 1; l < line && p < end; l++) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (!p)
			return 1;
		p++;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	nlen = strlen((const char *)n->name);
	for (const char *q = p; q + nlen < eol; q++)
		if (*q == '<' && memcmp(q + 1, n->name, nlen) == 0)
			return (int)(q - p) + 1;
	return 1;
}

static void diag_set(struct diag *d, const char *file, int line, int col,
		     const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static void diag_set(struct diag *d, const char *file, int line, int col,
		     const char *fmt, va_list ap)
{
	if (!d)
		return;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "-");
	d->line = line;
	d->col = col;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
}

int config_fail(struct loader *ld, xmlNode *n, const char *fmt, ...)
{
	va_list ap;
	int line = n ? (int)xmlGetLineNo(n) + ld->line_shift : 0;

	va_start(ap, fmt);
	diag_set(ld->d, ld->file, line, n ? node_col(ld, n) : 0, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void config_warn(struct loader *ld, xmlNode *n, const char *fmt, ...)
{
	char msg[512], text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s:%ld:%d: %s", ld->file,
		 xmlGetLineNo(n) + ld->line_shift, node_col(ld, n), text);
	ld->c->nwarnings++;
	if (ld->opts && ld->opts->warn)
		ld->opts->warn(ld->opts->warn_arg, msg);
	else
		log_warn("%s", msg);
}

/* ---- small helpers ---------------------------------------------------- */

static bool is_elem(xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

/* Text, comments and PIs between elements are layout; other nodes are not. */
static int check_layout(struct loader *ld, xmlNode *n)
{
	switch (n->type) {
	case XML_TEXT_NODE:
		for (const xmlChar *p = n->content; p && *p; p++)
			if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
				return config_fail(
					ld, n->parent,
					"unexpected text inside <%s>",
					n->parent->name);
		return 0;
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return 0;
	default:
		return config_fail(ld, n->parent,
				   "unexpected content inside <%s>",
				   n->parent->name);
	}
}

/* Every attribute of n must be one of allowed (NULL-terminated). */
int config_check_attrs(struct loader *ld, xmlNode *n, const char *const *ok)
{
	for (xmlAttr *a = n->properties; a; a = a->next) {
		bool found = false;

		for (const char *const *p = ok; *p; p++)
			if (strcmp((const char *)a->name, *p) == 0)
				found = true;
		if (!found)
			return config_fail(ld, n,
					   "unknown attribute '%s' on <%s>",
					   a->name, n->name);
	}
	return 0;
}

/* Attribute value copied into the arena (NULL when absent). */
static char *attr(struct loader *ld, xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = config_arena_strndup(ld->c, (const char *)v,
				 strlen((const char *)v));
	xmlFree(v);
	return s;
}

/* Element text (entities decoded), verbatim, into the arena. */
char *config_text_of(struct loader *ld, xmlNode *n)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s;

	if (!v)
		return config_arena_strndup(ld->c, "", 0);
	s = config_arena_strndup(ld->c, (const char *)v,
				 strlen((const char *)v));
	xmlFree(v);
	return s;
}

/* ---- schema version --------------------------------------------------- */

/*
 * Sysmon reads the version as a decimal number and prints it back with two
 * decimals, so 4.9 is 4.90 and 4.1 is 4.10.  Only major 4 loads.
 */
static int parse_schema(struct loader *ld, xmlNode *root)
{
	char *v = attr(ld, root, "schemaversion"), *end;
	double x;
	long x100;

	if (!v)
		return config_fail(ld, root, "missing schemaversion attribute");
	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !(x > 0))
		return config_fail(ld, root,
				   "Invalid schema version number '%s'", v);
	/* Range first: a huge value ("4E90") must not reach the cast. */
	x100 = x >= 4.0 && x < 5.0 ? (long)(x * 100.0 + 0.5) : 0;
	if (x100 < 400 || x100 >= 500)
		return config_fail(ld, root,
				   "Incorrect or unsupported schema version %s "
				   "(4.0 and later are supported)",
				   v);
	ld->c->schema_x100 = (unsigned)x100;
	snprintf(ld->c->schema, sizeof(ld->c->schema), "%ld.%02ld", x100 / 100,
		 x100 % 100);
	return 0;
}

/* ---- rules ------------------------------------------------------------ */

static int parse_cond(struct loader *ld, xmlNode *n, const char *s,
		      uint8_t *out)
{
	if (!s) {
		*out = COND_IS;
		return 0;
	}
	for (unsigned i = 0; i < COND_COUNT; i++)
		if (strcasecmp(config_cond_names[i], s) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	return config_fail(
		ld, n,
		"Unknown condition '%s' (valid: is, is not, is any, "
		"contains, contains any, contains all, excludes, excludes "
		"any, excludes all, begin with, not begin with, end with, "
		"not end with, less than, more than, image)",
		s);
}

/* A name attribute: "" is no name, over CONFIG_MAX_NAME is an error. */
static int check_name(struct loader *ld, xmlNode *n, const char **name)
{
	if (*name && !**name)
		*name = NULL;
	if (*name && strlen(*name) > CONFIG_MAX_NAME)
		return config_fail(ld, n, "name longer than %u characters",
				   CONFIG_MAX_NAME);
	return 0;
}

struct trial {
	struct family *fam;
	unsigned slot; /* member whose fields are being tried */
	const char *inherited; /* RuleGroup name */
	struct filter *filters;
	uint32_t nfilters, cap;
	struct compound *compounds;
	uint32_t ncompounds, ccap;
	bool is_unknown_field;
	xmlNode *unknown;
};

static int trial_push(struct loader *ld, struct trial *t, struct filter **f)
{
	if (t->nfilters == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		struct filter *p;

		if (cap > CONFIG_MAX_FILTERS)
			return config_fail(ld, NULL, "more than %u filters",
					   CONFIG_MAX_FILTERS);
		p = realloc(t->filters, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->filters = p;
		t->cap = cap;
	}
	*f = &t->filters[t->nfilters++];
	memset(*f, 0, sizeof(**f));
	return 0;
}

/* One field element; fails softly (is_unknown_field) for shared tags. */
static int parse_field(struct loader *ld, struct trial *t, xmlNode *n,
		       const char *inherited, uint32_t compound)
{
	static const char *const ok[] = { "condition", "name", NULL };
	const struct catalog_event *ev = t->fam->members[t->slot];
	struct filter *f = NULL;
	const char *cond, *name;
	int idx, r;

	r = config_check_attrs(ld, n, ok);
	if (r)
		return r;
	idx = catalog_field_index(ev, (const char *)n->name);
	/* RuleName is what rules produce, never something to filter on. */
	if (idx < 0 || strcmp((const char *)n->name, "RuleName") == 0) {
		t->is_unknown_field = true;
		t->unknown = n;
		return 0;
	}
	for (xmlNode *k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return config_fail(ld, k,
					   "unexpected element <%s> in <%s>",
					   k->name, n->name);
	r = trial_push(ld, t, &f);
	if (r)
		return r;
	f->field = ev->fields[idx].name;
	cond = attr(ld, n, "condition");
	r = parse_cond(ld, n, cond, &f->cond);
	if (r)
		return r;
	name = attr(ld, n, "name");
	r = check_name(ld, n, &name);
	if (r)
		return r;
	f->name = name ? name : inherited;
	f->value = config_text_of(ld, n);
	if (!f->value)
		return -ENOMEM;
	if (f->cond == COND_CONTAINS_ANY || f->cond == COND_IS_ANY ||
	    f->cond == COND_CONTAINS_ALL || f->cond == COND_EXCLUDES_ANY ||
	    f->cond == COND_EXCLUDES_ALL) {
		unsigned nitems = 1;

		/* The reference turns ";a" and "a;;b" into an item that runs
		 * to the end of the list, by accident; refuse them. */
		if (f->value[0] == ';' || strstr(f->value, ";;"))
			return config_fail(
				ld, n, "empty item in '%s' list: '%s'",
				config_cond_names[f->cond], f->value);
		for (const char *p = f->value; *p; p++)
			nitems += *p == ';';
		if (nitems > CONFIG_MAX_ITEMS)
			return config_fail(ld, n,
					   "more than %u items in one list",
					   CONFIG_MAX_ITEMS);
	}
	f->compound = compound;
	return 0;
}

static int parse_compound(struct loader *ld, struct trial *t, xmlNode *n)
{
	static const char *const ok[] = { "groupRelation", "name", NULL };
	struct compound *cp;
	const char *rel, *name;
	int r;

	r = config_check_attrs(ld, n, ok);
	if (r)
		return r;
	if (t->ncompounds == t->ccap) {
		uint32_t cap = t->ccap ? t->ccap * 2 : 8;
		struct compound *p = realloc(t->compounds, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->compounds = p;
		t->ccap = cap;
	}
	cp = &t->compounds[t->ncompounds++];
	memset(cp, 0, sizeof(*cp));
	/* Numbered as soon as it is seen, also in a failed try at the wrong
	 * member of a shared tag, as the reference does. */
	cp->number = ++ld->compound_counter;
	rel = attr(ld, n, "groupRelation");
	if (!rel || strcasecmp(rel, "or") == 0)
		cp->is_and = false;
	else if (strcasecmp(rel, "and") == 0)
		cp->is_and = true;
	else
		return config_fail(ld, n,
				   "<Rule> groupRelation must be 'and' or "
				   "'or', not '%s'",
				   rel);
	name = attr(ld, n, "name");
	r = check_name(ld, n, &name);
	if (r)
		return r;
	cp->name = name;
	cp->first = t->nfilters;
	for (xmlNode *k = n->children; k; k = k->next) {
		if (k->type != XML_ELEMENT_NODE) {
			r = check_layout(ld, k);
		} else if (strcasecmp((const char *)k->name, "rule") == 0) {
			return config_fail(ld, k, "<Rule> cannot be nested");
		} else {
			r = parse_field(ld, t, k, name ? name : t->inherited,
					t->ncompounds);
			if (!r && t->is_unknown_field)
				return 0;
		}
		if (r)
			return r;
	}
	cp->count = t->nfilters - cp->first;
	if (!cp->count)
		return config_fail(ld, n, "empty <Rule>");
	return 0;
}

/* Parse the children of one event element against member t->slot. */
static int parse_set_body(struct loader *ld, struct trial *t, xmlNode *n)
{
	int r = 0;

	for (xmlNode *k = n->children; k && !t->is_unknown_field; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			r = check_layout(ld, k);
		else if (strcasecmp((const char *)k->name, "rule") == 0)
			r = parse_compound(ld, t, k);
		else
			r = parse_field(ld, t, k, t->inherited, 0);
		if (r)
			return r;
	}
	return 0;
}

struct pending {
	xmlNode *node;
	unsigned family;
	bool has_group;
	bool group_is_and;
	const char *group_name;
};

static int build_set(struct loader *ld, struct pending *p, unsigned pos,
		     unsigned slot, struct trial *t)
{
	static const char *const ok[] = { "onmatch", "default", NULL };
	struct config *c = ld->c;
	struct family *fam = &c->families[p->family];
	xmlNode *n = p->node;
	struct rule_set *s;
	const char *onmatch, *def;
	int r;

	r = config_check_attrs(ld, n, ok);
	if (r)
		return r;
	s = config_arena_alloc(c, sizeof(*s));
	if (!s)
		return -ENOMEM;
	onmatch = attr(ld, n, "onmatch");
	def = attr(ld, n, "default");
	if (onmatch && def)
		return config_fail(ld, n, "<%s> has both onmatch and default",
				   n->name);
	if (!onmatch && !def)
		return config_fail(
			ld, n,
			"You need to specify the onmatch attribute on <%s>",
			n->name);
	if (onmatch) {
		if (strcasecmp(onmatch, "include") == 0)
			s->is_exclude = false;
		else if (strcasecmp(onmatch, "exclude") == 0)
			s->is_exclude = true;
		else
			return config_fail(
				ld, n,
				"onmatch must be include or exclude, not "
				"'%s'",
				onmatch);
	} else {
		/* Legacy attribute with the inverse meaning. */
		if (strcasecmp(def, "include") == 0)
			s->is_exclude = true;
		else if (strcasecmp(def, "exclude") == 0)
			s->is_exclude = false;
		else
			return config_fail(
				ld, n,
				"default must be include or exclude, not "
				"'%s'",
				def);
	}
	s->family = p->family;
	s->attach_id = fam->members[slot]->id;
	s->is_and = p->has_group ? p->group_is_and : c->schema_x100 > 410;
	s->doc_order = pos;
	ld->nsets++;
	s->nfilters = t->nfilters;
	s->ncompounds = t->ncompounds;
	if (t->nfilters) {
		s->filters = config_arena_alloc(c, t->nfilters *
							   sizeof(*s->filters));
		if (!s->filters)
			return -ENOMEM;
		memcpy(s->filters, t->filters,
		       t->nfilters * sizeof(*s->filters));
	}
	if (t->ncompounds) {
		s->compounds = config_arena_alloc(
			c, t->ncompounds * sizeof(*s->compounds));
		if (!s->compounds)
			return -ENOMEM;
		memcpy(s->compounds, t->compounds,
		       t->ncompounds * sizeof(*s->compounds));
	}
	if (ld->nsets > CONFIG_MAX_SETS)
		return config_fail(ld, n, "more than %u rule sets",
				   CONFIG_MAX_SETS);
	/* Keep doc[] in file order whichever member the set attached to. */
	unsigned k = fam->nsets++;

	while (k && fam->doc[k - 1]->doc_order > pos) {
		fam->doc[k] = fam->doc[k - 1];
		k--;
	}
	fam->doc[k] = s;
	return 0;
}

/*
 * Sets are built per family in catalogue order, occurrences in file order.
 * An occurrence of a shared tag attaches to the first member id that has
 * every field it names; the reference parser simply tries the members in
 * turn, and its compound-rule numbering counts the rules seen during failed
 * tries too, which the dump shows.
 */
static int build_family(struct loader *ld, struct pending *pend, unsigned npend,
			unsigned fi)
{
	struct family *fam = &ld->c->families[fi];
	unsigned count = 0;
	int r = 0;

	for (unsigned i = 0; i < npend; i++)
		count += pend[i].family == fi;
	if (!count)
		return 0;
	fam->doc = config_arena_alloc(ld->c, count * sizeof(*fam->doc));
	if (!fam->doc)
		return -ENOMEM;
	for (unsigned i = 0; i < npend; i++) {
		struct pending *p = &pend[i];

		if (p->family != fi)
			continue;
		for (unsigned slot = 0; slot < fam->nmembers; slot++) {
			struct trial t = { .fam = fam,
					   .slot = slot,
					   .inherited = p->group_name };
			bool is_done = false;

			r = parse_set_body(ld, &t, p->node);
			if (!r && !t.is_unknown_field) {
				r = build_set(ld, p, i, slot, &t);
				is_done = true;
			} else if (!r && slot + 1 == fam->nmembers) {
				r = config_fail(ld, t.unknown,
						"unknown field <%s> for <%s>",
						t.unknown->name, fam->tag);
			}
			free(t.filters);
			free(t.compounds);
			if (r)
				return r;
			if (is_done)
				break;
		}
	}
	return 0;
}

static int family_of(const struct config *c, const char *tag)
{
	for (unsigned i = 0; i < c->nfamilies; i++)
		if (strcmp(c->families[i].tag, tag) == 0)
			return (int)i;
	return -1;
}

static int collect_event(struct loader *ld, xmlNode *n, struct pending **pend,
			 unsigned *npend, unsigned *cap, xmlNode *group)
{
	int fi = family_of(ld->c, (const char *)n->name);
	struct pending *p;

	if (fi < 0)
		return config_fail(ld, n, "unknown element <%s> in <%s>",
				   n->name,
				   group ? "RuleGroup" : "EventFiltering");
	if (*npend == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 32;

		if (ncap > CONFIG_MAX_SETS * 2)
			return config_fail(ld, n, "more than %u rule sets",
					   CONFIG_MAX_SETS);
		p = realloc(*pend, ncap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*pend = p;
		*cap = ncap;
	}
	p = &(*pend)[(*npend)++];
	memset(p, 0, sizeof(*p));
	p->node = n;
	p->family = (unsigned)fi;
	if (group) {
		const char *rel = attr(ld, group, "groupRelation");
		const char *name = attr(ld, group, "name");
		int r;

		if (!rel)
			return config_fail(
				ld, group,
				"<RuleGroup> needs groupRelation=\"and\" "
				"or \"or\"");
		if (strcasecmp(rel, "and") == 0)
			p->group_is_and = true;
		else if (strcasecmp(rel, "or") != 0)
			return config_fail(
				ld, group,
				"groupRelation must be 'and' or 'or', "
				"not '%s'",
				rel);
		r = check_name(ld, group, &name);
		if (r)
			return r;
		p->has_group = true;
		p->group_name = name;
	}
	return 0;
}

static int parse_filtering(struct loader *ld, xmlNode *ef)
{
	static const char *const none[] = { NULL };
	static const char *const group_ok[] = { "groupRelation", "name", NULL };
	struct pending *pend = NULL;
	unsigned npend = 0, cap = 0;
	int r = config_check_attrs(ld, ef, none);

	for (xmlNode *n = ef->children; n && !r; n = n->next) {
		if (n->type != XML_ELEMENT_NODE) {
			r = check_layout(ld, n);
		} else if (is_elem(n, "RuleGroup")) {
			r = config_check_attrs(ld, n, group_ok);
			for (xmlNode *k = n->children; k && !r; k = k->next)
				r = k->type == XML_ELEMENT_NODE
					    ? collect_event(ld, k, &pend,
							    &npend, &cap, n)
					    : check_layout(ld, k);
		} else {
			r = collect_event(ld, n, &pend, &npend, &cap, NULL);
		}
	}
	for (unsigned fi = 0; fi < ld->c->nfamilies && !r; fi++)
		r = build_family(ld, pend, npend, fi);
	free(pend);
	return r;
}

static int walk(struct loader *ld, xmlDoc *doc)
{
	static const char *const root_ok[] = { "schemaversion", NULL };
	xmlNode *root = xmlDocGetRootElement(doc);
	bool seen_filtering = false;
	int r;

	if (!root || !is_elem(root, "Sysmon"))
		return config_fail(ld, root, "root element must be <Sysmon>");
	r = config_check_attrs(ld, root, root_ok);
	if (!r)
		r = parse_schema(ld, root);
	for (xmlNode *n = root->children; n && !r; n = n->next) {
		if (n->type != XML_ELEMENT_NODE) {
			r = check_layout(ld, n);
		} else if (is_elem(n, "EventFiltering")) {
			if (seen_filtering)
				return config_fail(
					ld, n,
					"more than one <EventFiltering>");
			seen_filtering = true;
			r = parse_filtering(ld, n);
		} else {
			r = config_parse_option(ld, n);
		}
	}
	return r;
}

/* ---- entry points ----------------------------------------------------- */

static void hash_bytes(struct config *c, const char *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32) {
		snprintf(c->hash_hex, sizeof(c->hash_hex), "-");
		return;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(c->hash_hex + 2 * i, 3, "%02x", md[i]);
}

static void fail_plain(struct diag *d, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_plain(struct diag *d, const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_set(d, file, 0, 0, fmt, ap);
	va_end(ap);
}

struct config *config_load_mem_opts(const char *data, size_t len,
				    const char *name,
				    const struct config_opts *o, struct diag *d)
{
	struct loader ld = { .opts = o, .d = d, .file = name ? name : "-" };
	struct config_text t;
	const char *text;
	size_t text_len;
	xmlParserCtxt *ctx = NULL;
	xmlDoc *doc = NULL;
	int r = -EINVAL, err;

	if (len > CONFIG_MAX_FILE_BYTES) {
		fail_plain(d, ld.file, "config larger than %u bytes",
			   CONFIG_MAX_FILE_BYTES);
		errno = EFBIG;
		return NULL;
	}
	err = config_text_decode(data, len, &t);
	if (err == -ENOMEM) {
		errno = ENOMEM;
		return NULL;
	}
	if (err < 0) {
		fail_plain(d, ld.file, "UTF-16BE configs are not supported");
		errno = EINVAL;
		return NULL;
	}
	text = t.text;
	text_len = t.len;
	ld.line_shift = t.line_shift;
	ld.text = text;
	ld.text_len = text_len;
	if (text_len > (size_t)INT32_MAX || !text_len) {
		fail_plain(d, ld.file, "empty config");
		goto out;
	}
	ld.c = config_new();
	if (!ld.c) {
		r = -ENOMEM;
		goto out;
	}
	ctx = xmlNewParserCtxt();
	if (!ctx) {
		r = -ENOMEM;
		goto out;
	}
	doc = xmlCtxtReadMemory(ctx, text, (int)text_len, ld.file, t.enc,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
					XML_PARSE_NOWARNING);
	if (!doc || !ctx->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(ctx);
		char msg[256];

		snprintf(msg, sizeof(msg), "%s",
			 e && e->message ? e->message : "malformed XML");
		msg[strcspn(msg, "\n")] = '\0';
		if (d) {
			snprintf(d->file, sizeof(d->file), "%s", ld.file);
			d->line = (e ? e->line : 0) + ld.line_shift;
			d->col = e ? e->int2 : 0;
			snprintf(d->msg, sizeof(d->msg), "%s", msg);
		}
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		const char *at = memmem(text, text_len, "<!DOCTYPE", 9);

		r = -EINVAL;
		if (d) {
			/* DTD nodes have no line: locate the declaration. */
			int line = 1 + ld.line_shift, col = 1;

			for (const char *p = text; at && p < at; p++) {
				col++;
				if (*p == '\n') {
					line++;
					col = 1;
				}
			}
			snprintf(d->file, sizeof(d->file), "%s", ld.file);
			d->line = line;
			d->col = col;
			snprintf(d->msg, sizeof(d->msg),
				 "DOCTYPE not allowed in a config");
		}
		goto out;
	}
	r = walk(&ld, doc);
	if (!r)
		r = config_compile(ld.c);
	if (!r)
		hash_bytes(ld.c, data, len);
out:
	if (doc)
		xmlFreeDoc(doc);
	if (ctx)
		xmlFreeParserCtxt(ctx);
	free(t.conv);
	if (r) {
		config_free(ld.c);
		errno = -r;
		return NULL;
	}
	return ld.c;
}

struct config *config_load_mem(const char *data, size_t len, const char *name,
			       struct diag *d)
{
	return config_load_mem_opts(data, len, name, NULL, d);
}

struct config *config_load_file_opts(const char *path,
				     const struct config_opts *o,
				     struct diag *d)
{
	struct config *c = NULL;
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		fail_plain(d, path, "cannot open: %s", strerror(err));
		errno = err;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = errno ? errno : EINVAL;
		fail_plain(d, path, "not a regular file");
		goto out;
	}
	if (st.st_size > (off_t)CONFIG_MAX_FILE_BYTES) {
		err = EFBIG;
		fail_plain(d, path, "config larger than %u bytes",
			   CONFIG_MAX_FILE_BYTES);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		err = ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			fail_plain(d, path, "read failed");
			goto out;
		}
		got += (size_t)n;
	}
	c = config_load_mem_opts(data, got, path, o, d);
	if (!c)
		err = errno;
out:
	free(data);
	close(fd);
	if (!c)
		errno = err;
	return c;
}

struct config *config_load_file(const char *path, struct diag *d)
{
	return config_load_file_opts(path, NULL, d);
}
