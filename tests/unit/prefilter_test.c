/* SPDX-License-Identifier: MIT */
/*
 * prefilter_test - the kernel's port prefilter for event 3 never drops an
 * event the rules would log.
 *
 * Exact bitmaps for hand-written configs, then a differential test: for
 * every config of the shared corpus and the hand-written ones, many
 * events built from the values the config's own NetworkConnect rules
 * mention (so include rules do match) go through config_decide(); every
 * event it logs must pass the prefilter.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/fields.h"
#include "config/config.h"
#include "config/internal.h"
#include "event/event.h"
#include "shared_dir.h"
#include "tap.h"

static bool has_port(const uint64_t *ports, unsigned p)
{
	return (ports[p / 64] >> (p % 64)) & 1;
}

static unsigned count_ports(const uint64_t *ports)
{
	unsigned n = 0;

	for (int w = 0; w < 1024; w++)
		n += (unsigned)__builtin_popcountll(ports[w]);
	return n;
}

static struct config *load(const char *rules)
{
	char xml[8192];
	struct diag d;
	struct config *c;

	snprintf(xml, sizeof(xml),
		 "<Sysmon schemaversion=\"4.90\"><EventFiltering>%s"
		 "</EventFiltering></Sysmon>",
		 rules);
	c = config_load_mem(xml, strlen(xml), "test", &d);
	if (!c)
		fprintf(stderr, "config: %s\n", d.msg);
	return c;
}

/* Hand-written configs, with whether a prefilter applies and its ports. */
static const struct {
	const char *rules;
	int want;
	unsigned ports[4]; /* 0 ends */
} cases[] = {
	{ "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"is\">4444</DestinationPort></NetworkConnect>",
	  1,
	  { 4444 } },
	/* Schema > 4.10: a set's filters are AND-ed, the same field OR-ed;
	 * one field's ports suffice. */
	{ "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"is any\">22;80</DestinationPort><SourcePort>135"
	  "</SourcePort></NetworkConnect>",
	  1,
	  { 22, 80 } },
	{ "<RuleGroup groupRelation=\"or\"><NetworkConnect onmatch=\"include\">"
	  "<DestinationPort condition=\"is any\">22;80</DestinationPort>"
	  "<SourcePort>135</SourcePort></NetworkConnect></RuleGroup>",
	  1,
	  { 22, 80, 135 } },
	{ "<NetworkConnect onmatch=\"exclude\"><DestinationPort>443"
	  "</DestinationPort></NetworkConnect>",
	  0,
	  { 0 } },
	{ "<NetworkConnect onmatch=\"include\"><Image condition=\"end with\">"
	  "curl</Image></NetworkConnect>",
	  0,
	  { 0 } },
	/* An and-group: the port is needed whatever the image. */
	{ "<RuleGroup groupRelation=\"and\"><NetworkConnect onmatch=\"include\">"
	  "<DestinationPort>443</DestinationPort><Image condition=\"contains\">"
	  "x</Image></NetworkConnect></RuleGroup>",
	  1,
	  { 443 } },
	/* Two include sets, one of them without a port: no prefilter. */
	{ "<RuleGroup groupRelation=\"or\"><NetworkConnect onmatch=\"include\">"
	  "<DestinationPort>443</DestinationPort></NetworkConnect></RuleGroup>"
	  "<RuleGroup groupRelation=\"or\"><NetworkConnect onmatch=\"include\">"
	  "<Image condition=\"end with\">nc</Image></NetworkConnect>"
	  "</RuleGroup>",
	  0,
	  { 0 } },
	/* An exclude set beside an include set: the include decides. */
	{ "<RuleGroup groupRelation=\"or\"><NetworkConnect onmatch=\"include\">"
	  "<DestinationPort>53</DestinationPort></NetworkConnect></RuleGroup>"
	  "<RuleGroup groupRelation=\"or\"><NetworkConnect onmatch=\"exclude\">"
	  "<Image condition=\"end with\">dnsmasq</Image></NetworkConnect>"
	  "</RuleGroup>",
	  1,
	  { 53 } },
	/* Compound rules. */
	{ "<NetworkConnect onmatch=\"include\"><Rule groupRelation=\"and\">"
	  "<Image condition=\"end with\">bash</Image><DestinationPort>4444"
	  "</DestinationPort></Rule><Rule groupRelation=\"or\">"
	  "<SourcePort>22</SourcePort><DestinationPort>23</DestinationPort>"
	  "</Rule></NetworkConnect>",
	  1,
	  { 4444 } },
	{ "<RuleGroup groupRelation=\"or\"><NetworkConnect onmatch=\"include\">"
	  "<Rule groupRelation=\"and\"><Image condition=\"end with\">bash"
	  "</Image><DestinationPort>4444</DestinationPort></Rule><Rule "
	  "groupRelation=\"or\"><SourcePort>22</SourcePort><DestinationPort>"
	  "23</DestinationPort></Rule></NetworkConnect></RuleGroup>",
	  1,
	  { 4444, 22, 23 } },
	{ "<NetworkConnect onmatch=\"include\"><Rule groupRelation=\"or\">"
	  "<SourcePort>22</SourcePort><Image>x</Image></Rule>"
	  "</NetworkConnect>",
	  0,
	  { 0 } },
	/* An or-set with one item that is not a port: none. */
	{ "<RuleGroup groupRelation=\"or\"><NetworkConnect onmatch=\"include\">"
	  "<DestinationPort>443</DestinationPort><Image condition=\"end with\">"
	  "nc</Image></NetworkConnect></RuleGroup>",
	  0,
	  { 0 } },
	/* Conditions the analysis does not reduce to a set: none. */
	{ "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"less than\">1024</DestinationPort></NetworkConnect>",
	  0,
	  { 0 } },
	/* A value no port is written as can never match: an empty set. */
	{ "<NetworkConnect onmatch=\"include\"><DestinationPort>0443"
	  "</DestinationPort></NetworkConnect>",
	  1,
	  { 0 } },
	/* An empty include set logs nothing. */
	{ "<NetworkConnect onmatch=\"include\"/>", 1, { 0 } },
};

static void test_cases(void)
{
	uint64_t ports[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = load(cases[i].rules);
		unsigned n = 0;
		int r;

		CHECK(c != NULL);
		if (!c)
			continue;
		r = config_port_prefilter(c, 3, ports);
		CHECK(r == cases[i].want);
		if (r != cases[i].want)
			fprintf(stderr, "  case %zu: got %d\n", i, r);
		for (; n < 4 && cases[i].ports[n]; n++)
			CHECK(has_port(ports, cases[i].ports[n]));
		CHECK(count_ports(ports) == n);
		if (count_ports(ports) != n)
			fprintf(stderr, "  case %zu: %u ports\n", i,
				count_ports(ports));
		CHECK(config_port_prefilter(c, 1, ports) == 0);
		config_free(c);
	}
}

/* ---- the differential test --------------------------------------------- */

#define POOL_MAX 4096

struct pool {
	const char *v[POOL_MAX];
	uint32_t len[POOL_MAX];
	unsigned n;
};

static uint64_t rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned)(rng % n) : 0;
}

/* Every value the config's event 3 filters mention, per field. */
static void collect(const struct config *c, struct pool *pools)
{
	unsigned fi = c->id_family[3];
	const struct family *fam;

	if (!fi)
		return;
	fam = &c->families[fi - 1];
	for (unsigned si = 0; si < fam->nsets; si++) {
		const struct rule_set *s = fam->doc[si];

		for (uint32_t i = 0; i < s->nfilters; i++) {
			const struct filter *f = &s->filters[i];
			int idx = f->idx[c->id_slot[3]];
			struct pool *p;

			if (idx < 0)
				continue;
			p = &pools[idx];
			if (p->n < POOL_MAX) {
				p->v[p->n] = f->lower;
				p->len[p->n++] = f->lower_len;
			}
			for (uint32_t k = 0; k < f->nitems && p->n < POOL_MAX;
			     k++) {
				p->v[p->n] = f->items[k].s;
				p->len[p->n++] = f->items[k].len;
			}
		}
	}
}

static const char *const defaults[EV3_NFIELDS] = {
	[EV3_IMAGE] = "/usr/bin/curl",
	[EV3_USER] = "root",
	[EV3_PROTOCOL] = "tcp",
	[EV3_INITIATED] = "true",
	[EV3_SOURCE_IS_IPV6] = "false",
	[EV3_SOURCE_IP] = "10.0.0.5",
	[EV3_SOURCE_PORT_NAME] = "-",
	[EV3_DESTINATION_IS_IPV6] = "false",
	[EV3_DESTINATION_IP] = "93.184.216.34",
	[EV3_DESTINATION_PORT_NAME] = "https",
};

/* A value for field idx: from the pool, sometimes decorated so contains,
 * begin with and end with rules match too, or the default. */
static void pick(const struct pool *p, unsigned idx, char *out, size_t size)
{
	bool is_port = idx == EV3_SOURCE_PORT || idx == EV3_DESTINATION_PORT;
	unsigned r = rnd(10);

	if (p->n && r < 7) {
		unsigned k = rnd(p->n);
		int len = (int)p->len[k];

		switch (is_port ? 0 : rnd(4)) {
		case 0:
			snprintf(out, size, "%.*s", len, p->v[k]);
			break;
		case 1:
			snprintf(out, size, "/x/%.*s", len, p->v[k]);
			break;
		case 2:
			snprintf(out, size, "%.*s.y", len, p->v[k]);
			break;
		default:
			snprintf(out, size, "a%.*sz", len, p->v[k]);
			break;
		}
		/* Ports are written "%u" by the decoder: only such
		 * values are real events. */
		if (is_port)
			snprintf(out, size, "%u",
				 ((unsigned)atoi(out) + (rnd(4) == 0)) &
					 0xffff);
		return;
	}
	if (is_port)
		snprintf(out, size, "%u", rnd(65536));
	else
		snprintf(out, size, "%s", defaults[idx] ? defaults[idx] : "-");
}

static unsigned nviolations, nchecked, nconfigs;

static void differential(const struct config *c, const char *name)
{
	static struct pool pools[EV3_NFIELDS];
	uint64_t ports[1024];
	char v[512];

	if (!config_port_prefilter(c, 3, ports))
		return;
	memset(pools, 0, sizeof(pools));
	collect(c, pools);
	nconfigs++;
	for (int i = 0; i < 20000; i++) {
		struct event ev;
		unsigned sp, dp;

		if (event_init(&ev, 3) < 0)
			return;
		for (unsigned f = EV3_PROCESS_GUID; f < EV3_NFIELDS; f++) {
			pick(&pools[f], f, v, sizeof(v));
			event_set_str(&ev, f, v);
		}
		sp = (unsigned)atoi(event_value(&ev, EV3_SOURCE_PORT, NULL));
		dp = (unsigned)atoi(
			event_value(&ev, EV3_DESTINATION_PORT, NULL));
		if (config_decide(c, &ev)) {
			nchecked++;
			if (!(sp < 65536 && has_port(ports, sp)) &&
			    !(dp < 65536 && has_port(ports, dp))) {
				if (nviolations++ < 5)
					fprintf(stderr,
						"  %s: ports %u, %u logged "
						"but prefiltered\n",
						name, sp, dp);
			}
		}
		event_release(&ev);
	}
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Append every <TAG ...>...</TAG> element of text to out. */
static void grab(const char *text, const char *tag, char *out, size_t size)
{
	char open[64], close[64];
	const char *p = text;
	size_t n = strlen(out);

	snprintf(open, sizeof(open), "<%s", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	while ((p = strstr(p, open)) != NULL) {
		const char *end = strstr(p, close);
		size_t len;

		if (!end)
			break;
		end += strlen(close);
		len = (size_t)(end - p);
		if (p[strlen(open)] == ' ' || p[strlen(open)] == '>') {
			if (n + len + 1 >= size)
				break;
			memcpy(out + n, p, len);
			n += len;
			out[n] = '\0';
		}
		p = end;
	}
}

/* Configs built from a corpus file's real port rules: alone (an or-set),
 * and with its Image rules in an and-set. */
static void variants(const char *path, const char *name)
{
	static char ports[65536], images[65536], xml[140000];
	FILE *f = fopen(path, "rb");
	char *text;
	long n;
	struct diag dg;
	struct config *c;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)n + 1);
	if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		fclose(f);
		return;
	}
	fclose(f);
	ports[0] = images[0] = '\0';
	grab(text, "DestinationPort", ports, sizeof(ports));
	grab(text, "SourcePort", ports, sizeof(ports));
	grab(text, "Image", images, sizeof(images));
	free(text);
	if (!ports[0])
		return;
	snprintf(xml, sizeof(xml),
		 "<Sysmon schemaversion=\"4.90\"><EventFiltering><RuleGroup "
		 "groupRelation=\"or\"><NetworkConnect onmatch=\"include\">%s"
		 "</NetworkConnect></RuleGroup></EventFiltering></Sysmon>",
		 ports);
	c = config_load_mem_opts(xml, strlen(xml), name,
				 &(struct config_opts){ .warn = quiet }, &dg);
	CHECK(c != NULL);
	if (c)
		differential(c, name);
	config_free(c);
	snprintf(xml, sizeof(xml),
		 "<Sysmon schemaversion=\"4.90\"><EventFiltering><RuleGroup "
		 "groupRelation=\"and\"><NetworkConnect onmatch=\"include\">"
		 "%s%.60000s</NetworkConnect></RuleGroup></EventFiltering>"
		 "</Sysmon>",
		 ports, images);
	c = config_load_mem_opts(xml, strlen(xml), name,
				 &(struct config_opts){ .warn = quiet }, &dg);
	if (c)
		differential(c, name);
	config_free(c);
}

static void corpus_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 300];
		struct stat st;
		size_t len = strlen(e->d_name);
		struct diag dg;
		struct config *c;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			corpus_tree(path);
			continue;
		}
		if (len < 4 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		c = config_load_file_opts(
			path, &(struct config_opts){ .warn = quiet }, &dg);
		if (c)
			differential(c, e->d_name);
		config_free(c);
		variants(path, e->d_name);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	char dir[sizeof(shared) + 64];

	(void)argc;
	test_cases();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = load(cases[i].rules);

		if (c)
			differential(c, "case");
		config_free(c);
	}
	CHECK(nchecked > 1000); /* the hand-written configs do log */
	CHECK(find_shared(argv[0]) == 0);
	snprintf(dir, sizeof(dir), "%s/corpus/sysmon-configs", shared);
	corpus_tree(dir);
	printf("# %u configs with a prefilter, %u logged events checked\n",
	       nconfigs, nchecked);
	CHECK(nviolations == 0);
	return tap_done("prefilter_test");
}
