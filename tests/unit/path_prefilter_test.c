/* SPDX-License-Identifier: MIT */
/*
 * path_prefilter_test - the kernel path prefilter never drops an event the
 * rules would log.
 *
 * Differentially, over all 66 configs of the shared corpus and random
 * file-event configs mixing every condition, and/or, compound rules and
 * fields: for each file event id and many events whose fields come from
 * the config's own values (cut, extended, case-flipped, as paths), an
 * event config_decide() logs must have a path the prefilter atoms let
 * through (config_prefilter()), and the DFA the kernel walks
 * (prefilter_build()) must agree with the atoms on every path tried.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "event/event.h"
#include "sensor/path_dfa.h"
#include "shared_dir.h"
#include "tap.h"

#define EVENTS_PER_ID  600
#define RANDOM_CONFIGS 400
#define VALUE_MAX      1024
#define POOL_MAX       4096

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? (uint32_t)((rng_state >> 16) % n) : 0;
}

/* The texts of a config: every element's text, as candidate values. */
struct pool {
	char *vals[POOL_MAX];
	unsigned n;
};

static void pool_from_xml(struct pool *p, const char *xml)
{
	const char *q = xml;

	p->n = 0;
	while ((q = strchr(q, '>')) && p->n < POOL_MAX) {
		const char *e = strchr(++q, '<');

		if (!e)
			break;
		if (e > q && e - q < VALUE_MAX / 2 && q[0] != '\n' &&
		    q[0] != '\r' && q[0] != ' ')
			p->vals[p->n++] = strndup(q, (size_t)(e - q));
		q = e;
	}
}

static void pool_free(struct pool *p)
{
	for (unsigned i = 0; i < p->n; i++)
		free(p->vals[i]);
	p->n = 0;
}

static const char *const paths[] = {
	"/etc/cron.d/job",
	"/tmp/a.sh",
	"/usr/bin/ls",
	"/home/u/.ssh/keys",
	"/var/www/html/x.php",
	"/etc/systemd/system/x",
	"C:\\Windows\\x.exe",
	"/",
	"/dev/sda",
	"/run/user/1/pipe",
	"-",
	"/TMP/A.SH",
};

static const char *const junk[] = { "x", "/", "\\", ".sh", "/tmp/", "A", "" };

static void make_value(const struct pool *p, char *v, size_t size)
{
	char tmp[2 * VALUE_MAX + 16];
	const char *base =
		p->n && rnd(4) ? p->vals[rnd(p->n)]
			       : paths[rnd(sizeof(paths) / sizeof(paths[0]))];
	const char *j = junk[rnd(sizeof(junk) / sizeof(junk[0]))];
	size_t n;

	snprintf(v, size, "%s", base);
	switch (rnd(8)) {
	case 0:
		snprintf(tmp, sizeof(tmp), "%s%s", v, j);
		break;
	case 1:
		snprintf(tmp, sizeof(tmp), "%s%s", j, v);
		break;
	case 2:
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(strlen(v) / 2), v);
		break;
	case 3:
		snprintf(tmp, sizeof(tmp), "%s", v);
		for (char *c = tmp; *c; c++)
			if (rnd(2) && *c >= 'a' && *c <= 'z')
				*c = (char)(*c - 32);
		break;
	case 4:
		snprintf(tmp, sizeof(tmp), "/opt/%s/%s", v, j);
		break;
	default:
		snprintf(tmp, sizeof(tmp), "%s", v);
		break;
	}
	n = strlen(tmp) < size - 1 ? strlen(tmp) : size - 1;
	memcpy(v, tmp, n);
	v[n] = '\0';
}

/* The file events, the path field each is filtered on, and its slot. */
static const struct {
	unsigned id;
	const char *field;
	unsigned slot;
} ids[] = {
	{ 11, "TargetFilename", WIRE_PF_CREATE },
	{ 23, "TargetFilename", WIRE_PF_DELETE },
	{ 26, "TargetFilename", WIRE_PF_DELETE },
	{ 2, "TargetFilename", WIRE_PF_TIME },
	{ 29, "TargetFilename", WIRE_PF_WRITTEN },
	{ 17, "PipeName", WIRE_PF_PIPE },
	{ 18, "PipeName", WIRE_PF_PIPE },
	{ 9, "Device", WIRE_PF_RAW },
};
#define NIDS (sizeof(ids) / sizeof(ids[0]))

struct tally {
	unsigned long events, logged, filtered, unsafe, dfa_differs;
	unsigned configs, with_filter;
};

static void check_config(const struct config *c, const struct pool *p,
			 const char *what, struct tally *t)
{
	struct config_prefilter pf[NIDS], slot[WIRE_PF_SLOTS];
	const struct config_prefilter *slots[WIRE_PF_SLOTS];
	struct prefilter_tables *tab = malloc(sizeof(*tab));
	bool has_filter = false;
	char v[VALUE_MAX];

	if (!tab)
		abort();
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++) {
		memset(&slot[k], 0, sizeof(slot[k]));
		slot[k].is_all = true;
		slots[k] = &slot[k];
	}
	/* Slots as the daemon makes them: the union of their ids. */
	for (unsigned i = 0; i < NIDS; i++) {
		CHECK(config_prefilter(c, ids[i].id, ids[i].field, &pf[i]) ==
		      0);
		has_filter |= !pf[i].is_all && config_wants(c, ids[i].id);
	}
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++) {
		bool first = true;

		for (unsigned i = 0; i < NIDS; i++) {
			if (ids[i].slot != k)
				continue;
			if (first) {
				slot[k].is_all = pf[i].is_all;
				first = false;
			}
			CHECK(config_prefilter_merge(&slot[k], &pf[i]) == 0);
		}
	}
	CHECK(prefilter_build(slots, tab) == 0);
	t->configs++;
	t->with_filter += has_filter;
	for (unsigned i = 0; i < NIDS; i++) {
		const struct catalog_event *def = catalog_lookup(ids[i].id);
		int fidx = catalog_field_index(def, ids[i].field);
		struct event ev;

		if (event_init(&ev, ids[i].id))
			abort();
		for (unsigned e = 0; e < EVENTS_PER_ID; e++) {
			const char *path;
			size_t plen;
			bool logged, pass, dfa;

			event_reset(&ev);
			for (unsigned f = 0; f < def->nfields; f++) {
				make_value(p, v, sizeof(v));
				if (rnd(8))
					event_set(&ev, f, v, strlen(v));
			}
			path = event_value(&ev, (unsigned)fidx, &plen);
			logged = config_decide(c, &ev);
			pass = prefilter_atoms_match(&pf[i], path, plen);
			dfa = prefilter_match(tab, ids[i].slot, path, plen);
			t->events++;
			t->logged += logged;
			t->filtered += !dfa;
			if (logged && !pass) {
				if (t->unsafe++ < 5)
					fprintf(stderr,
						"FAIL %s: event %u with %s "
						"'%s' is logged but the "
						"prefilter drops it\n",
						what, ids[i].id, ids[i].field,
						path);
			}
			if (dfa != prefilter_atoms_match(&slot[ids[i].slot],
							 path, plen)) {
				if (t->dfa_differs++ < 5)
					fprintf(stderr,
						"FAIL %s: the DFA of slot %u "
						"says %d for '%s'\n",
						what, ids[i].slot, dfa, path);
			}
		}
		event_release(&ev);
	}
	for (unsigned i = 0; i < NIDS; i++)
		config_prefilter_release(&pf[i]);
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++)
		config_prefilter_release(&slot[k]);
	free(tab);
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n + 1))) {
		if (fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		} else {
			data[n] = '\0';
		}
	}
	fclose(f);
	return data;
}

static void corpus_tree(const char *dir, struct tally *t)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX + 300];
		size_t len = strlen(e->d_name);
		struct config_opts o = { .warn = quiet };
		struct stat st;
		struct diag dg;
		struct config *c;
		struct pool *p;
		char *xml;

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
		c = config_load_file_opts(path, &o, &dg);
		xml = slurp(path);
		p = calloc(1, sizeof(*p));
		if (c && xml && p) {
			pool_from_xml(p, xml);
			check_config(c, p, e->d_name, t);
			pool_free(p);
		}
		free(p);
		free(xml);
		config_free(c);
	}
	if (d)
		closedir(d);
}

/* ---- random file-event configs ----------------------------------------- */

static const char *const vocab[] = {
	"/etc/",    "/etc/cron.d/", ".sh",	   "/tmp/",
	"x",	    "/usr/bin/ls",  "curl",	   "root",
	"/dev/sda", "SH",	    "a b",	   "-",
	"\\tmp\\",  "cron",	    "/etc/passwd", "/",
	".PHP",	    "/home/",
};

static const char *const conds[] = {
	"is",		"is not",	"contains",	  "contains any",
	"is any",	"contains all", "excludes",	  "excludes any",
	"excludes all", "begin with",	"not begin with", "end with",
	"not end with", "less than",	"more than",	  "image",
};

static const char *const tags[] = { "FileCreate",	  "FileDelete",
				    "FileDeleteDetected", "PipeEvent",
				    "RawAccessRead",	  "FileCreateTime" };

static const char *path_field(const char *tag)
{
	if (strcmp(tag, "PipeEvent") == 0)
		return "PipeName";
	if (strcmp(tag, "RawAccessRead") == 0)
		return "Device";
	return "TargetFilename";
}

static void add(char *xml, size_t size, const char *s)
{
	size_t n = strlen(xml);

	snprintf(xml + n, size - n, "%s", s);
}

static void random_filter(char *xml, size_t size, const char *tag)
{
	const char *fields[] = { path_field(tag), path_field(tag),
				 path_field(tag), "Image", "User" };
	const char *field = fields[rnd(5)];
	char buf[512], val[256] = "";
	unsigned ci = rnd(16), n = 1 + (ci == 3 || ci == 4) * rnd(3);

	for (unsigned i = 0; i < n; i++) {
		add(val, sizeof(val),
		    vocab[rnd(sizeof(vocab) / sizeof(vocab[0]))]);
		if (i + 1 < n)
			add(val, sizeof(val), ";");
	}
	snprintf(buf, sizeof(buf), "<%s condition=\"%s\">%s</%s>", field,
		 conds[ci], val, field);
	add(xml, size, buf);
}

static void random_config(char *xml, size_t size)
{
	unsigned nsets = 1 + rnd(3);

	snprintf(xml, size, "<Sysmon schemaversion=\"4.90\"><EventFiltering>");
	for (unsigned i = 0; i < nsets; i++) {
		const char *tag = tags[rnd(sizeof(tags) / sizeof(tags[0]))];
		bool in_group = rnd(2);
		unsigned nf = 1 + rnd(6);
		char buf[160];

		if (in_group) {
			snprintf(buf, sizeof(buf),
				 "<RuleGroup groupRelation=\"%s\">",
				 rnd(2) ? "and" : "or");
			add(xml, size, buf);
		}
		snprintf(buf, sizeof(buf), "<%s onmatch=\"%s\">", tag,
			 rnd(3) ? "include" : "exclude");
		add(xml, size, buf);
		for (unsigned k = 0; k < nf; k++) {
			if (rnd(5) == 0) {
				add(xml, size,
				    rnd(2) ? "<Rule groupRelation=\"and\">"
					   : "<Rule groupRelation=\"or\">");
				random_filter(xml, size, tag);
				random_filter(xml, size, tag);
				add(xml, size, "</Rule>");
			} else {
				random_filter(xml, size, tag);
			}
		}
		snprintf(buf, sizeof(buf), "</%s>", tag);
		add(xml, size, buf);
		if (in_group)
			add(xml, size, "</RuleGroup>");
	}
	add(xml, size, "</EventFiltering></Sysmon>");
}

static void random_configs(struct tally *t)
{
	static char xml[64 * 1024];
	struct config_opts o = { .warn = quiet };
	struct pool *p = calloc(1, sizeof(*p));
	unsigned loaded = 0;

	if (!p)
		abort();
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
		pool_from_xml(p, xml);
		snprintf(what, sizeof(what), "random config %u", i);
		check_config(c, p, what, t);
		pool_free(p);
		config_free(c);
	}
	free(p);
	CHECK(loaded > RANDOM_CONFIGS / 2);
}

static void report(const char *what, const struct tally *t)
{
	printf("# %s: %u configs (%u filter a wanted event), %lu events, %lu "
	       "logged, %lu kept in the kernel, %lu unsafe, %lu DFA "
	       "disagreements\n",
	       what, t->configs, t->with_filter, t->events, t->logged,
	       t->filtered, t->unsafe, t->dfa_differs);
}

int main(int argc, char **argv)
{
	char dir[sizeof(shared) + 64];
	struct tally corpus = { 0 }, random = { 0 };

	(void)argc;
	if (find_shared(argv[0]) != 0) {
		fprintf(stderr,
			"path_prefilter_test: shared/ corpus not found\n");
		tap_failed++;
		return tap_done("path_prefilter_test");
	}
	snprintf(dir, sizeof(dir), "%s/corpus/sysmon-configs", shared);
	corpus_tree(dir, &corpus);
	report("corpus", &corpus);
	CHECK(corpus.configs == 66);
	CHECK(corpus.with_filter > 0);
	CHECK(corpus.unsafe == 0);
	CHECK(corpus.dfa_differs == 0);
	random_configs(&random);
	report("random", &random);
	CHECK(random.with_filter > 0 && random.filtered > 0);
	CHECK(random.unsafe == 0);
	CHECK(random.dfa_differs == 0);
	return tap_done("path_prefilter_test");
}
