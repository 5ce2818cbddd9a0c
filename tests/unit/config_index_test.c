/* SPDX-License-Identifier: MIT */
/*
 * config_index_test - the indexed rule evaluation (config_decide) against
 * the plain linear walk (config_decide_linear), differentially: same
 * decision and same RuleName for every event.
 *
 * Configs: all 66 of the shared corpus plus randomly generated ones that
 * mix every condition, compound rules, and/or, include/exclude and names.
 * Events: per family and member id, field values built from the config's
 * own rule values (equal, prefixed, suffixed, embedded, case-changed, one
 * byte off, cut, joined, as a path) so that near misses are common.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "config/internal.h"
#include "event/event.h"
#include "shared_dir.h"
#include "tap.h"

#define EVENTS_PER_CONFIG 3000
#define RANDOM_CONFIGS	  300
#define VALUE_MAX	  2048

/* ---- deterministic randomness ------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)((rng_state >> 16) % n) : 0;
}

/* ---- value pools: the rule values of one field in one family ------------ */

struct pool {
	const char **vals;
	uint32_t n, cap;
};

struct pools {
	struct pool field[CATALOG_MAX_FIELDS];
};

static void pool_add(struct pool *p, const char *v)
{
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 16;
		const char **nv = realloc(p->vals, cap * sizeof(*nv));

		if (!nv)
			abort();
		p->vals = nv;
		p->cap = cap;
	}
	p->vals[p->n++] = v;
}

static void pools_fill(struct pools *ps, const struct family *fam,
		       const struct catalog_event *def)
{
	memset(ps, 0, sizeof(*ps));
	for (unsigned si = 0; si < fam->nsets; si++) {
		const struct rule_set *s = fam->doc[si];

		for (uint32_t i = 0; i < s->nfilters; i++) {
			int idx = catalog_field_index(def, s->filters[i].field);

			if (idx >= 0)
				pool_add(&ps->field[idx], s->filters[i].value);
		}
	}
}

static void pools_free(struct pools *ps)
{
	for (unsigned i = 0; i < CATALOG_MAX_FIELDS; i++)
		free(ps->field[i].vals);
}

/* ---- value generation --------------------------------------------------- */

static const char *const generic[] = {
	"-",	 "/usr/bin/ls", "C:\\Windows\\System32\\cmd.exe",
	"root",	 "bash -c id",	"x",
	"10000", "443",		"/",
	"\\",	 "a;b",		"NT AUTHORITY\\SYSTEM",
};

static const char *const junk[] = {
	"a", "/", "\\", "x/", "C:\\dir\\", " ", ";", "Z", "/usr/bin/", "-",
};

/* One ';' item of v (or v itself), into out. */
static void pick_item(const char *v, char *out, size_t size)
{
	size_t n = 1, k;
	const char *p = v, *e;

	for (const char *q = v; *q; q++)
		n += *q == ';';
	if (n == 1 || rnd(4) == 0) {
		snprintf(out, size, "%s", v);
		return;
	}
	for (k = rnd((uint32_t)n); k > 0; k--)
		p = strchr(p, ';') + 1;
	e = strchr(p, ';');
	snprintf(out, size, "%.*s", (int)(e ? (size_t)(e - p) : strlen(p)), p);
}

static void flip_case(char *s)
{
	for (; *s; s++)
		if (rnd(2)) {
			if (*s >= 'a' && *s <= 'z')
				*s = (char)(*s - 32);
			else if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s + 32);
		}
}

/* Change s (length n) by one byte: drop, add, or bump one. */
static void off_by_one(char *s, size_t size)
{
	size_t n = strlen(s), at = rnd((uint32_t)n + 1);

	switch (rnd(4)) {
	case 0:
		if (n)
			memmove(s, s + 1, n);
		break;
	case 1:
		if (n)
			s[n - 1] = '\0';
		break;
	case 2:
		if (n + 2 < size) {
			memmove(s + at + 1, s + at, n - at + 1);
			s[at] = (char)('a' + rnd(26));
		}
		break;
	default:
		if (n && at < n)
			s[at] = (char)(s[at] == '~' ? '!' : s[at] + 1);
		break;
	}
}

static void transform(char *v, size_t size, const struct pool *p)
{
	char tmp[VALUE_MAX];
	const char *j = junk[rnd(sizeof(junk) / sizeof(junk[0]))];

	switch (rnd(11)) {
	case 0:
		break;
	case 1:
		flip_case(v);
		break;
	case 2:
		snprintf(tmp, sizeof(tmp), "%s%s", j, v);
		snprintf(v, size, "%s", tmp);
		break;
	case 3:
		snprintf(tmp, sizeof(tmp), "%s%s", v, j);
		snprintf(v, size, "%s", tmp);
		break;
	case 4:
		snprintf(tmp, sizeof(tmp), "%s%s%s", j, v, j);
		snprintf(v, size, "%s", tmp);
		break;
	case 5:
	case 6:
		off_by_one(v, size);
		break;
	case 7:
		snprintf(tmp, sizeof(tmp), "%s%s", rnd(2) ? "/opt/x/" : "D:\\",
			 v);
		snprintf(v, size, "%s", tmp);
		break;
	case 8:
		if (p->n) {
			snprintf(tmp, sizeof(tmp), "%s %s", v,
				 p->vals[rnd(p->n)]);
			snprintf(v, size, "%s", tmp);
		}
		break;
	case 9:
		v[strlen(v) / 2] = '\0';
		break;
	default:
		flip_case(v);
		off_by_one(v, size);
		break;
	}
}

static void make_value(const struct pool *p, char *v, size_t size)
{
	uint32_t r = rnd(100);

	if (r < 15) {
		v[0] = '\0';
	} else if (r < 30 || !p->n) {
		snprintf(v, size, "%s",
			 generic[rnd(sizeof(generic) / sizeof(generic[0]))]);
	} else {
		pick_item(p->vals[rnd(p->n)], v, size);
		transform(v, size, p);
		if (rnd(3) == 0)
			transform(v, size, p);
	}
}

/* ---- the differential check ------------------------------------------- */

struct tally {
	unsigned long events, logged, named, mismatches;
	unsigned configs; /* with at least one rule set */
	unsigned sets, indexable, indexed;
};

static void report(const char *what, const struct event *ev, bool lin,
		   const char *lname, bool idx, const char *iname)
{
	fprintf(stderr, "FAIL %s: event %u: linear %d '%s', indexed %d '%s'\n",
		what, ev->def->id, lin, lname, idx, iname);
	for (unsigned i = 0; i < ev->def->nfields; i++)
		if (ev->len[i])
			fprintf(stderr, "  %s=%s\n", ev->def->fields[i].name,
				ev->buf + ev->off[i]);
}

static void check_event(const struct config *c, struct event *ev,
			const char *what, struct tally *t)
{
	int rn = c->id_rulename[ev->def->id & 0xff];
	char lname[CONFIG_MAX_NAME + 2] = "", iname[CONFIG_MAX_NAME + 2] = "";
	bool lin, idx;

	lin = config_decide_linear(c, ev);
	if (rn >= 0)
		snprintf(lname, sizeof(lname), "%s",
			 event_value(ev, (unsigned)rn, NULL));
	idx = config_decide(c, ev);
	if (rn >= 0)
		snprintf(iname, sizeof(iname), "%s",
			 event_value(ev, (unsigned)rn, NULL));
	t->events++;
	t->logged += lin;
	t->named += strcmp(lname, "-") != 0 && lname[0];
	if (lin != idx || strcmp(lname, iname) != 0) {
		if (t->mismatches < 5)
			report(what, ev, lin, lname, idx, iname);
		t->mismatches++;
	}
}

static void check_member(const struct config *c, const struct family *fam,
			 unsigned m, unsigned nevents, const char *what,
			 struct tally *t)
{
	const struct catalog_event *def = fam->members[m];
	struct pools ps;
	struct event ev;
	char v[VALUE_MAX];

	pools_fill(&ps, fam, def);
	if (event_init(&ev, def->id))
		abort();
	for (unsigned e = 0; e < nevents; e++) {
		event_reset(&ev);
		for (unsigned i = 0; i < def->nfields; i++) {
			make_value(&ps.field[i], v, sizeof(v));
			if (v[0])
				event_set(&ev, i, v, strlen(v));
		}
		check_event(c, &ev, what, t);
	}
	event_release(&ev);
	pools_free(&ps);
}

static void check_config(const struct config *c, const char *what,
			 unsigned nevents, struct tally *t)
{
	unsigned nmembers = 0;

	for (unsigned f = 0; f < c->nfamilies; f++) {
		const struct family *fam = &c->families[f];
		uint32_t total = 0;

		if (!fam->nsets)
			continue;
		nmembers += fam->nmembers;
		for (unsigned i = 0; i < fam->nsets; i++)
			total += fam->doc[i]->nfilters;
		/* What index.c promises to take: every set with filters of a
		 * family within the size bounds. */
		bool is_indexable = total >= INDEX_MIN_FILTERS &&
				    total <= INDEX_MAX_FILTERS;
		for (unsigned i = 0; i < fam->nsets; i++) {
			t->sets++;
			t->indexable += is_indexable && fam->doc[i]->nfilters;
			t->indexed += fam->doc[i]->index != NULL;
		}
	}
	t->configs += nmembers > 0;
	for (unsigned f = 0; f < c->nfamilies; f++) {
		const struct family *fam = &c->families[f];

		if (!fam->nsets)
			continue;
		for (unsigned m = 0; m < fam->nmembers; m++)
			check_member(c, fam, m, nevents / nmembers + 1, what,
				     t);
	}
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* ---- the corpus --------------------------------------------------------- */

static int nconfigs;

static void corpus_tree(const char *dir, struct tally *t)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 300];
		size_t len = strlen(e->d_name);
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			corpus_tree(path, t);
			continue;
		}
		if (len < 4 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		struct config_opts o = { .warn = quiet };
		struct diag dg;
		struct config *c = config_load_file_opts(path, &o, &dg);
		unsigned long before = t->mismatches;

		nconfigs++;
		CHECK(c != NULL);
		if (!c)
			continue;
		check_config(c, e->d_name, EVENTS_PER_CONFIG, t);
		CHECK(t->mismatches == before);
		config_free(c);
	}
	closedir(d);
}

/* ---- random configs ------------------------------------------------------ */

static const char *const vocab[] = {
	"ls",	   "/usr/bin/ls", "bin",     "\\ls", "-c",   "sh",
	"bash",	   "root",	  "usr",     "LS",   "x",    "curl",
	"/tmp/",   ".sh",	  "-",	     "a b",  "Sh",   "/usr/bin/",
	"\\tmp\\", "c:\\x\\ls",	  "cmd.exe", "443",  "1000", "bin/ls",
};

static const char *const conds[] = {
	"is",		"is not",	"contains",	  "contains any",
	"is any",	"contains all", "excludes",	  "excludes any",
	"excludes all", "begin with",	"not begin with", "end with",
	"not end with", "less than",	"more than",	  "image",
};

static const char *const pc_fields[] = {
	"Image", "CommandLine",	     "ParentImage",
	"User",	 "OriginalFileName", "CurrentDirectory",
};

static const char *const reg_fields[] = {
	"TargetObject", "Details", "EventType", "Image", "NewName",
};

static void add(char *xml, size_t size, const char *s)
{
	size_t n = strlen(xml);

	snprintf(xml + n, size - n, "%s", s);
}

static void random_filter(char *xml, size_t size, bool is_reg)
{
	const char *field = is_reg ? reg_fields[rnd(5)] : pc_fields[rnd(6)];
	unsigned ci = rnd(16);
	char buf[512], val[256] = "";
	bool is_list = ci == 3 || ci == 4 || ci == 5 || ci == 7 || ci == 8;
	unsigned nitems = is_list ? 1 + rnd(3) : 1;

	for (unsigned i = 0; i < nitems; i++) {
		add(val, sizeof(val),
		    vocab[rnd(sizeof(vocab) / sizeof(*vocab))]);
		if (i + 1 < nitems)
			add(val, sizeof(val), ";");
	}
	if (is_list && rnd(8) == 0)
		add(val, sizeof(val), ";"); /* a trailing empty item */
	if (rnd(3) == 0)
		snprintf(buf, sizeof(buf),
			 "<%s condition=\"%s\" name=\"n%u\">%s</%s>", field,
			 conds[ci], rnd(1000), val, field);
	else
		snprintf(buf, sizeof(buf), "<%s condition=\"%s\">%s</%s>",
			 field, conds[ci], val, field);
	add(xml, size, buf);
}

static void random_set(char *xml, size_t size, bool is_reg)
{
	const char *tag = is_reg ? "RegistryEvent" : "ProcessCreate";
	unsigned nitems = 1 + rnd(rnd(2) ? 6 : 40);
	char buf[128];

	snprintf(buf, sizeof(buf), "<%s onmatch=\"%s\">", tag,
		 rnd(2) ? "include" : "exclude");
	add(xml, size, buf);
	for (unsigned i = 0; i < nitems; i++) {
		if (rnd(5) == 0) {
			unsigned n = 1 + rnd(4);

			snprintf(buf, sizeof(buf), "<Rule%s%s>",
				 rnd(2) ? " groupRelation=\"and\"" : "",
				 rnd(3) ? "" : " name=\"rule\"");
			add(xml, size, buf);
			for (unsigned k = 0; k < n; k++)
				random_filter(xml, size, is_reg);
			add(xml, size, "</Rule>");
		} else {
			random_filter(xml, size, is_reg);
		}
	}
	snprintf(buf, sizeof(buf), "</%s>", tag);
	add(xml, size, buf);
}

static void random_config(char *xml, size_t size)
{
	unsigned nsets = 1 + rnd(3);

	snprintf(xml, size, "<Sysmon schemaversion=\"%s\"><EventFiltering>",
		 rnd(4) ? "4.90" : "4.1");
	for (unsigned i = 0; i < nsets; i++) {
		bool is_reg = rnd(4) == 0, in_group = rnd(4) != 0;
		char buf[128];

		if (in_group) {
			snprintf(
				buf, sizeof(buf),
				"<RuleGroup name=\"g%u\" groupRelation=\"%s\">",
				i, rnd(2) ? "and" : "or");
			add(xml, size, buf);
		}
		random_set(xml, size, is_reg);
		if (in_group)
			add(xml, size, "</RuleGroup>");
	}
	add(xml, size, "</EventFiltering></Sysmon>");
}

static void random_configs(struct tally *t)
{
	static char xml[256 * 1024];
	struct config_opts o = { .warn = quiet };
	unsigned loaded = 0;

	for (unsigned i = 0; i < RANDOM_CONFIGS; i++) {
		struct diag dg;
		struct config *c;
		char what[32];

		random_config(xml, sizeof(xml));
		c = config_load_mem_opts(xml, strlen(xml), "random.xml", &o,
					 &dg);
		if (!c)
			continue;
		loaded++;
		snprintf(what, sizeof(what), "random config %u", i);
		check_config(c, what, 400, t);
		config_free(c);
	}
	printf("# random configs: %u of %u loaded\n", loaded, RANDOM_CONFIGS);
	CHECK(loaded > RANDOM_CONFIGS / 2);
}

int main(int argc, char **argv)
{
	char dir[sizeof(shared) + 64];
	struct tally corpus = { 0 }, random = { 0 };

	(void)argc;
	if (find_shared(argv[0]) != 0) {
		fprintf(stderr, "config_index_test: shared/ corpus not found "
				"beside the repository (set VIGIL_SHARED)\n");
		tap_failed++;
		return tap_done("config_index_test");
	}
	snprintf(dir, sizeof(dir), "%s/corpus/sysmon-configs", shared);
	corpus_tree(dir, &corpus);
	CHECK(nconfigs == 66);
	printf("# corpus: %u configs with rules, %lu events, %lu logged, "
	       "%lu named; %u sets, %u indexable, %u indexed\n",
	       corpus.configs, corpus.events, corpus.logged, corpus.named,
	       corpus.sets, corpus.indexable, corpus.indexed);
	/* The comparison means something only if both outcomes occur. */
	CHECK(corpus.configs > 50);
	CHECK(corpus.events >=
	      (unsigned long)corpus.configs * EVENTS_PER_CONFIG);
	CHECK(corpus.logged > corpus.events / 20);
	CHECK(corpus.logged < corpus.events - corpus.events / 20);
	CHECK(corpus.named > corpus.events / 50);
	CHECK(corpus.indexed == corpus.indexable);
	CHECK(corpus.indexed > corpus.sets / 2);
	CHECK(corpus.mismatches == 0);
	random_configs(&random);
	printf("# random: %lu events, %lu logged, %lu named; %u sets, %u "
	       "indexable, %u indexed\n",
	       random.events, random.logged, random.named, random.sets,
	       random.indexable, random.indexed);
	CHECK(random.indexed == random.indexable);
	CHECK(random.indexed > random.sets / 2);
	CHECK(random.mismatches == 0);
	return tap_done("config_index_test");
}
