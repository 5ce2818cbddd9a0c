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
	bool warned[32];
};

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

static int fail(struct loader *ld, xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct loader *ld, xmlNode *n, const char *fmt, ...)
{
	va_list ap;
	int line = n ? (int)xmlGetLineNo(n) + ld->line_shift : 0;

	va_start(ap, fmt);
	diag_set(ld->d, ld->file, line, n ? node_col(ld, n) : 0, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void warn(struct loader *ld, xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn(struct loader *ld, xmlNode *n, const char *fmt, ...)
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
				return fail(ld, n->parent,
					    "unexpected text inside <%s>",
					    n->parent->name);
		return 0;
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return 0;
	default:
		return fail(ld, n->parent, "unexpected content inside <%s>",
			    n->parent->name);
	}
}

/* Every attribute of n must be one of allowed (NULL-terminated). */
static int check_attrs(struct loader *ld, xmlNode *n, const char *const *ok)
{
	for (xmlAttr *a = n->properties; a; a = a->next) {
		bool found = false;

		for (const char *const *p = ok; *p; p++)
			if (strcmp((const char *)a->name, *p) == 0)
				found = true;
		if (!found)
			return fail(ld, n, "unknown attribute '%s' on <%s>",
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
static char *text_of(struct loader *ld, xmlNode *n)
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
		return fail(ld, root, "missing schemaversion attribute");
	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !(x > 0))
		return fail(ld, root, "Invalid schema version number '%s'", v);
	/* Range first: a huge value ("4E90") must not reach the cast. */
	x100 = x >= 4.0 && x < 5.0 ? (long)(x * 100.0 + 0.5) : 0;
	if (x100 < 400 || x100 >= 500)
		return fail(ld, root,
			    "Incorrect or unsupported schema version %s "
			    "(4.0 and later are supported)",
			    v);
	ld->c->schema_x100 = (unsigned)x100;
	snprintf(ld->c->schema, sizeof(ld->c->schema), "%ld.%02ld", x100 / 100,
		 x100 % 100);
	return 0;
}

/* ---- options ---------------------------------------------------------- */

static int parse_hash_algorithms(struct loader *ld, xmlNode *n)
{
	static const struct {
		const char *name;
		unsigned bit;
	} algs[] = {
		{ "sha1", CONFIG_HASH_SHA1 },
		{ "sha-1", CONFIG_HASH_SHA1 },
		{ "md5", CONFIG_HASH_MD5 },
		{ "md-5", CONFIG_HASH_MD5 },
		{ "sha256", CONFIG_HASH_SHA256 },
		{ "sha-256", CONFIG_HASH_SHA256 },
		{ "imphash", CONFIG_HASH_IMPHASH },
		{ "imp-hash", CONFIG_HASH_IMPHASH },
		{ "*", 0xf },
		{ "all", 0xf },
	};
	const char *s = text_of(ld, n), *p = s;
	unsigned bits = 0;

	if (!s)
		return -ENOMEM;
	while (*p) {
		const char *tok, *e;
		size_t len;
		bool found = false;

		while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' ||
		       *p == '\r')
			p++;
		if (!*p)
			break;
		tok = p;
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		p = e;
		while (e > tok && (e[-1] == ' ' || e[-1] == '\t' ||
				   e[-1] == '\n' || e[-1] == '\r'))
			e--;
		len = (size_t)(e - tok);
		for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
			if (strlen(algs[i].name) == len &&
			    strncasecmp(algs[i].name, tok, len) == 0) {
				bits |= algs[i].bit;
				found = true;
			}
		if (!found)
			return fail(ld, n, "unknown hash algorithm '%.*s'",
				    (int)len, tok);
	}
	if (!bits)
		return fail(ld, n, "HashAlgorithms lists no algorithm");
	if (bits & CONFIG_HASH_IMPHASH)
		warn(ld, n,
		     "HashAlgorithms: IMPHASH is a Windows PE hash and "
		     "is never computed on Linux");
	ld->c->hash_algs = bits;
	ld->c->has_hash_algs = true;
	return 0;
}

static bool field_exists(const char *name)
{
	for (size_t i = 0; i < catalog_count(); i++)
		if (catalog_field_index(catalog_at(i), name) >= 0)
			return true;
	return false;
}

/* FieldSizes: "CommandLine:100,Image:20", letters, digits, ',' and ':'. */
static int parse_field_sizes(struct loader *ld, xmlNode *n)
{
	struct config *c = ld->c;
	const char *s = text_of(ld, n), *p;

	if (!s)
		return -ENOMEM;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ',' || *p == ':'))
			return fail(ld, n,
				    "FieldSizes: invalid character '%c' "
				    "(only letters, digits, ',' and ':')",
				    *p);
	c->nfield_sizes = 0;
	p = s;
	while (*p) {
		const char *name = p, *colon, *e;
		char *end;
		unsigned long v;

		if (*p == ',') {
			p++;
			continue;
		}
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		colon = memchr(p, ':', (size_t)(e - p));
		if (!colon || colon == name)
			return fail(ld, n,
				    "FieldSizes: expected Field:N in "
				    "'%.*s'",
				    (int)(e - p), p);
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (errno || end != e || v == 0 || v > 1000000)
			return fail(ld, n, "FieldSizes: bad size in '%.*s'",
				    (int)(e - p), p);
		if (c->nfield_sizes == CONFIG_MAX_FIELD_SIZES)
			return fail(ld, n, "FieldSizes: more than %u entries",
				    CONFIG_MAX_FIELD_SIZES);
		c->field_sizes[c->nfield_sizes].field =
			config_arena_strndup(c, name, (size_t)(colon - name));
		if (!c->field_sizes[c->nfield_sizes].field)
			return -ENOMEM;
		if (!field_exists(c->field_sizes[c->nfield_sizes].field))
			return fail(ld, n, "FieldSizes: unknown field '%s'",
				    c->field_sizes[c->nfield_sizes].field);
		c->field_sizes[c->nfield_sizes++].max = (unsigned)v;
		p = e;
	}
	return 0;
}

/* Sysmon's boolean-ish option text; an empty element means on. */
static int parse_bool(struct loader *ld, xmlNode *n, bool *out)
{
	const char *s = text_of(ld, n);

	if (!s)
		return -ENOMEM;
	if (!*s || strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcasecmp(s, "enabled") == 0 || strcasecmp(s, "yes") == 0)
		*out = true;
	else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
		 strcmp(s, "NULL") == 0 || strcasecmp(s, "disabled") == 0 ||
		 strcasecmp(s, "no") == 0)
		*out = false;
	else
		return fail(ld, n, "<%s>: expected true or false, got '%s'",
			    n->name, s);
	return 0;
}

enum opt_kind { OPT_LINUX, OPT_WINDOWS };

static const struct {
	const char *name;
	enum opt_kind kind;
	const char *why; /* for Windows-only options */
} options[] = {
	{ "HashAlgorithms", OPT_LINUX, NULL },
	{ "FieldSizes", OPT_LINUX, NULL },
	{ "DnsLookup", OPT_LINUX, NULL },
	{ "CheckRevocation", OPT_WINDOWS, "signature revocation checks" },
	{ "ArchiveDirectory", OPT_WINDOWS, "FileDelete/Clipboard archives" },
	{ "CaptureClipboard", OPT_WINDOWS, "clipboard capture" },
	{ "DriverName", OPT_WINDOWS, "the Windows driver/service name" },
	{ "DriverQueueSize", OPT_WINDOWS, "the Windows driver queue" },
	{ "SigningQueueSize", OPT_WINDOWS, "the Windows signing queue" },
	{ "ProcessAccessConfig", OPT_WINDOWS, "the legacy -k access masks" },
	{ "PipeMonitoringConfig", OPT_WINDOWS, "the legacy -g pipe list" },
	{ "CopyOnDeletePE", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDeleteSIDs", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDeleteExtensions", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDeleteProcesses", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_PE", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_SIDs", OPT_WINDOWS, "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_Extensions", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
	{ "CopyOnDelete_Processes", OPT_WINDOWS,
	  "copy-on-delete (schema <= 4.23)" },
};

static int parse_option(struct loader *ld, xmlNode *n)
{
	const char *name = (const char *)n->name;
	static const char *const none[] = { NULL };
	size_t i, nopts = sizeof(options) / sizeof(options[0]);
	int r;

	for (i = 0; i < nopts; i++)
		if (strcmp(options[i].name, name) == 0)
			break;
	if (i == nopts)
		return fail(ld, n, "unknown element <%s> in <Sysmon>", name);
	r = check_attrs(ld, n, none);
	if (r)
		return r;
	for (xmlNode *k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE)
			return fail(ld, k, "unexpected element <%s> in <%s>",
				    k->name, name);
	if (options[i].kind == OPT_WINDOWS) {
		if (ld->opts && ld->opts->is_strict)
			return fail(ld, n,
				    "<%s> has no meaning on Linux (%s); "
				    "refused in strict mode",
				    name, options[i].why);
		if (!ld->warned[i])
			warn(ld, n, "<%s> is Windows-only (%s): ignored", name,
			     options[i].why);
		ld->warned[i] = true;
	}
	if (strcmp(name, "HashAlgorithms") == 0)
		return parse_hash_algorithms(ld, n);
	if (strcmp(name, "FieldSizes") == 0)
		return parse_field_sizes(ld, n);
	if (strcmp(name, "DnsLookup") == 0) {
		ld->c->has_dns_lookup = true;
		return parse_bool(ld, n, &ld->c->dns_lookup);
	}
	if (strcmp(name, "CheckRevocation") == 0)
		return parse_bool(ld, n, &ld->c->check_revocation);
	if (strcmp(name, "CaptureClipboard") == 0)
		return parse_bool(ld, n, &ld->c->capture_clipboard);
	if (strcmp(name, "ArchiveDirectory") == 0 ||
	    strcmp(name, "DriverName") == 0) {
		const char *s = text_of(ld, n);
		char *dst = name[0] == 'A' ? ld->c->archive_dir
					   : ld->c->driver_name;

		if (!s)
			return -ENOMEM;
		if (name[0] == 'A' && strchr(s, '\\'))
			return fail(ld, n,
				    "ArchiveDirectory must be a single "
				    "path component");
		snprintf(dst, 128, "%s", s);
	}
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
	return fail(ld, n,
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
		return fail(ld, n, "name longer than %u characters",
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
			return fail(ld, NULL, "more than %u filters",
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

	r = check_attrs(ld, n, ok);
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
			return fail(ld, k, "unexpected element <%s> in <%s>",
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
	f->value = text_of(ld, n);
	if (!f->value)
		return -ENOMEM;
	if (f->cond == COND_CONTAINS_ANY || f->cond == COND_IS_ANY ||
	    f->cond == COND_CONTAINS_ALL || f->cond == COND_EXCLUDES_ANY ||
	    f->cond == COND_EXCLUDES_ALL) {
		unsigned nitems = 1;

		/* The reference turns ";a" and "a;;b" into an item that runs
		 * to the end of the list, by accident; refuse them. */
		if (f->value[0] == ';' || strstr(f->value, ";;"))
			return fail(ld, n, "empty item in '%s' list: '%s'",
				    config_cond_names[f->cond], f->value);
		for (const char *p = f->value; *p; p++)
			nitems += *p == ';';
		if (nitems > CONFIG_MAX_ITEMS)
			return fail(ld, n, "more than %u items in one list",
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

	r = check_attrs(ld, n, ok);
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
		return fail(ld, n,
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
			return fail(ld, k, "<Rule> cannot be nested");
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
		return fail(ld, n, "empty <Rule>");
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

	r = check_attrs(ld, n, ok);
	if (r)
		return r;
	s = config_arena_alloc(c, sizeof(*s));
	if (!s)
		return -ENOMEM;
	onmatch = attr(ld, n, "onmatch");
	def = attr(ld, n, "default");
	if (onmatch && def)
		return fail(ld, n, "<%s> has both onmatch and default",
			    n->name);
	if (!onmatch && !def)
		return fail(ld, n,
			    "You need to specify the onmatch attribute on <%s>",
			    n->name);
	if (onmatch) {
		if (strcasecmp(onmatch, "include") == 0)
			s->is_exclude = false;
		else if (strcasecmp(onmatch, "exclude") == 0)
			s->is_exclude = true;
		else
			return fail(ld, n,
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
			return fail(ld, n,
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
		return fail(ld, n, "more than %u rule sets", CONFIG_MAX_SETS);
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
				r = fail(ld, t.unknown,
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
		return fail(ld, n, "unknown element <%s> in <%s>", n->name,
			    group ? "RuleGroup" : "EventFiltering");
	if (*npend == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 32;

		if (ncap > CONFIG_MAX_SETS * 2)
			return fail(ld, n, "more than %u rule sets",
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
			return fail(ld, group,
				    "<RuleGroup> needs groupRelation=\"and\" "
				    "or \"or\"");
		if (strcasecmp(rel, "and") == 0)
			p->group_is_and = true;
		else if (strcasecmp(rel, "or") != 0)
			return fail(ld, group,
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
	int r = check_attrs(ld, ef, none);

	for (xmlNode *n = ef->children; n && !r; n = n->next) {
		if (n->type != XML_ELEMENT_NODE) {
			r = check_layout(ld, n);
		} else if (is_elem(n, "RuleGroup")) {
			r = check_attrs(ld, n, group_ok);
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
		return fail(ld, root, "root element must be <Sysmon>");
	r = check_attrs(ld, root, root_ok);
	if (!r)
		r = parse_schema(ld, root);
	for (xmlNode *n = root->children; n && !r; n = n->next) {
		if (n->type != XML_ELEMENT_NODE) {
			r = check_layout(ld, n);
		} else if (is_elem(n, "EventFiltering")) {
			if (seen_filtering)
				return fail(ld, n,
					    "more than one <EventFiltering>");
			seen_filtering = true;
			r = parse_filtering(ld, n);
		} else {
			r = parse_option(ld, n);
		}
	}
	return r;
}

/* ---- encodings -------------------------------------------------------- */

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * UTF-16LE to UTF-8 (lone surrogates become U+FFFD).  libxml2 could do
 * this itself, but converting first lets one code path skip BOMs and
 * leading blanks and report columns.
 */
static char *utf16le_to_utf8(const unsigned char *p, size_t len,
			     size_t *out_len)
{
	char *out = malloc(len / 2 * 3 + 1), *o = out;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i + 1 < len) {
		uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

		i += 2;
		if (u >= 0xd800 && u < 0xdc00 && i + 1 < len) {
			uint32_t l = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

			if (l >= 0xdc00 && l < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (l - 0xdc00);
				i += 2;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xd800 && u < 0xe000) {
			u = 0xfffd;
		}
		/* 4 UTF-8 bytes only for pairs, which took 4 input bytes. */
		o += put_utf8(o, u);
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
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
	const unsigned char *u = (const unsigned char *)data;
	struct loader ld = { .opts = o, .d = d, .file = name ? name : "-" };
	char *conv = NULL;
	const char *text = data;
	size_t text_len = len;
	xmlParserCtxt *ctx = NULL;
	xmlDoc *doc = NULL;
	const char *enc = NULL;
	int r = -EINVAL;

	if (len > CONFIG_MAX_FILE_BYTES) {
		fail_plain(d, ld.file, "config larger than %u bytes",
			   CONFIG_MAX_FILE_BYTES);
		errno = EFBIG;
		return NULL;
	}
	/* UTF-16LE with a BOM, or without one ('<' then NUL). */
	if ((len >= 2 && u[0] == 0xff && u[1] == 0xfe) ||
	    (len >= 4 && u[0] && !u[1] && u[2] && !u[3])) {
		size_t skip = (u[0] == 0xff) ? 2 : 0;

		conv = utf16le_to_utf8(u + skip, len - skip, &text_len);
		if (!conv) {
			errno = ENOMEM;
			return NULL;
		}
		text = conv;
		enc = "UTF-8";
	} else if (len >= 2 && u[0] == 0xfe && u[1] == 0xff) {
		fail_plain(d, ld.file, "UTF-16BE configs are not supported");
		errno = EINVAL;
		return NULL;
	}
	if (text_len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		text_len -= 3;
	}
	/* Blanks before the first '<' are skipped, as Sysmon does; an XML
	 * declaration must otherwise come first. */
	while (text_len && (*text == ' ' || *text == '\t' || *text == '\r' ||
			    *text == '\n')) {
		if (*text == '\n')
			ld.line_shift++;
		text++;
		text_len--;
	}
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
	doc = xmlCtxtReadMemory(ctx, text, (int)text_len, ld.file, enc,
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
	free(conv);
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
