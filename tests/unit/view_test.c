/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for view/: the filters of `vigil view` against a real store
 * built through the store sink.  Each query's result is compared with the
 * same filter applied in plain C to the generated data set, so a wrong
 * index, collation or JSON path shows up as a different id list.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/log.h"
#include "view/view.h"
#include "tap.h"

#define T0_NS	1735689600000000000ull /* 2025-01-01 00:00:00 UTC */
#define MIN_NS	60000000000ull
#define NEVENTS 240

static char tmpdir[256];

/* The data set, kept in plain C for the expected answers. */
struct row {
	unsigned id;
	uint64_t rid, t_ns;
	char image[64], cmdline[128], target[64], port[8];
};

static struct row rows[NEVENTS];

static const char *const images[] = { "/usr/bin/bash", "/usr/bin/Curl",
				      "/usr/sbin/sshd", "/opt/x/curlish" };

static void gen(void)
{
	static const unsigned ids[] = { 1, 3, 5, 11, 1, 23 };

	for (unsigned i = 0; i < NEVENTS; i++) {
		struct row *r = &rows[i];

		r->rid = 1000 + i;
		r->id = ids[i % 6];
		r->t_ns = T0_NS + i * MIN_NS;
		snprintf(r->image, sizeof(r->image), "%s", images[i % 4]);
		snprintf(r->cmdline, sizeof(r->cmdline), "%s arg%u%s", r->image,
			 i, i % 7 == 0 ? " --token=\"Secret\" x\\y" : "");
		snprintf(r->target, sizeof(r->target), "/tmp/file%u", i % 10);
		snprintf(r->port, sizeof(r->port), "%u", i % 2 ? 443 : 80);
	}
}

static int fill(struct event *ev, const struct row *r)
{
	int err = event_init(ev, r->id);

	if (err)
		return err;
	ev->record_id = r->rid;
	event_set_time(ev, r->t_ns);
	event_set_named(ev, "Image", r->image);
	event_set_named(ev, "ProcessId", "1234");
	event_set_named(ev, "ProcessGuid",
			"{11111111-2222-3333-4444-555555555555}");
	event_set_named(ev, "CommandLine", r->cmdline);
	event_set_named(ev, "TargetFilename", r->target);
	event_set_named(ev, "DestinationPort", r->port);
	return 0;
}

static sqlite3 *build_store(const char *path)
{
	struct render_host h;
	struct sink *s;
	sqlite3 *db = NULL;

	render_host_defaults(&h);
	h.computer = "viewhost";
	s = sink_store_new(path, 0, 0, &h);
	if (!s)
		return NULL;
	for (unsigned i = 0; i < NEVENTS; i++) {
		struct event ev;

		if (fill(&ev, &rows[i]) == 0)
			CHECK(s->write(s, &ev) == 0);
		event_release(&ev);
		if (i % 50 == 49)
			CHECK(s->flush(s) == 0);
	}
	CHECK(s->flush(s) == 0);
	s->free(s);
	CHECK(store_open_ro(path, 1000, &db) == 0);
	return db;
}

struct got {
	uint64_t rids[NEVENTS];
	unsigned n;
	bool is_bad_host;
};

static int collect(const struct view_row *row, void *arg)
{
	struct got *g = arg;

	if (g->n < NEVENTS)
		g->rids[g->n++] = row->record_id;
	if (strcmp(row->host.computer, "viewhost") != 0 ||
	    strcmp(row->host.channel, "Linux-Sysmon/Operational") != 0)
		g->is_bad_host = true;
	return 0;
}

static bool has_field(unsigned id, const char *name)
{
	return catalog_field_index(catalog_lookup(id), name) >= 0;
}

static bool contains_nocase(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

typedef bool pred_fn(const struct row *r);

/* Run f and compare with pred over the rows, newest first. */
static void expect(sqlite3 *db, const struct view_filter *f, pred_fn *pred,
		   const char *what)
{
	struct got g = { .n = 0 };
	uint64_t want[NEVENTS];
	unsigned nwant = 0;
	int64_t n;
	bool same;

	for (int i = NEVENTS - 1; i >= 0; i--)
		if (pred(&rows[i]))
			want[nwant++] = rows[i].rid;
	n = view_query(db, f, 0, collect, &g);
	same = n == (int64_t)nwant && g.n == nwant &&
	       memcmp(g.rids, want, nwant * sizeof(want[0])) == 0;
	CHECK(same);
	CHECK(!g.is_bad_host);
	if (!same)
		fprintf(stderr, "  %s: got %lld rows, want %u\n", what,
			(long long)n, nwant);
	CHECK(nwant > 0); /* a filter that matches nothing proves little */
}

static bool p_ids(const struct row *r)
{
	return r->id == 3 || r->id == 11;
}

static bool p_time(const struct row *r)
{
	return r->t_ns >= T0_NS + 30 * MIN_NS && r->t_ns < T0_NS + 90 * MIN_NS;
}

static bool p_rid(const struct row *r)
{
	return r->rid >= 1010 && r->rid <= 1020;
}

static bool p_image_eq(const struct row *r)
{
	return has_field(r->id, "Image") &&
	       strcasecmp(r->image, "/usr/bin/curl") == 0;
}

static bool p_image_has(const struct row *r)
{
	return has_field(r->id, "Image") && contains_nocase(r->image, "CURL");
}

static bool p_cmd_has(const struct row *r)
{
	return has_field(r->id, "CommandLine") &&
	       contains_nocase(r->cmdline, "secret");
}

static bool p_target_eq(const struct row *r)
{
	return has_field(r->id, "TargetFilename") &&
	       strcmp(r->target, "/tmp/file3") == 0;
}

static bool p_port(const struct row *r)
{
	return has_field(r->id, "DestinationPort") &&
	       strcmp(r->port, "443") == 0;
}

static bool p_grep(const struct row *r)
{
	return has_field(r->id, "CommandLine") &&
	       strstr(r->cmdline, "\"Secret\" x\\y") != NULL;
}

static bool p_combo(const struct row *r)
{
	return r->id == 1 && contains_nocase(r->image, "bash") &&
	       r->t_ns >= T0_NS + 100 * MIN_NS;
}

static void test_filters(sqlite3 *db)
{
	struct view_filter f;
	char err[200];

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_ids("3,11", &f, err, sizeof(err)) == 0);
	expect(db, &f, p_ids, "-e 3,11");

	memset(&f, 0, sizeof(f));
	f.has_since = f.has_until = true;
	CHECK(view_parse_time("2025-01-01 00:30", 0, &f.since_ns, err,
			      sizeof(err)) == 0);
	CHECK(view_parse_time("2025-01-01T01:30:00", 0, &f.until_ns, err,
			      sizeof(err)) == 0);
	expect(db, &f, p_time, "--since/--until");

	memset(&f, 0, sizeof(f));
	f.from_id = 1010;
	f.to_id = 1020;
	expect(db, &f, p_rid, "--from-id/--to-id");

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_cond("image=/USR/BIN/CURL", &f.conds[f.nconds++], err,
			      sizeof(err)) == 0);
	CHECK_STR(f.conds[0].name, "Image");
	expect(db, &f, p_image_eq, "Image=");

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_cond("Image~CURL", &f.conds[f.nconds++], err,
			      sizeof(err)) == 0);
	expect(db, &f, p_image_has, "Image~");

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_cond("CommandLine~secret", &f.conds[f.nconds++], err,
			      sizeof(err)) == 0);
	expect(db, &f, p_cmd_has, "CommandLine~");

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_cond("TargetFilename=/tmp/file3", &f.conds[f.nconds++],
			      err, sizeof(err)) == 0);
	expect(db, &f, p_target_eq, "TargetFilename=");

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_cond("DestinationPort=443", &f.conds[f.nconds++], err,
			      sizeof(err)) == 0);
	expect(db, &f, p_port, "DestinationPort=");

	memset(&f, 0, sizeof(f));
	snprintf(f.grep, sizeof(f.grep), "\"Secret\" x\\y");
	expect(db, &f, p_grep, "--grep with quote and backslash");

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_ids("1", &f, err, sizeof(err)) == 0);
	CHECK(view_parse_cond("Image~bash", &f.conds[f.nconds++], err,
			      sizeof(err)) == 0);
	f.has_since = true;
	f.since_ns = T0_NS + 100 * MIN_NS;
	expect(db, &f, p_combo, "combined");
}

static void test_order_limit_follow(sqlite3 *db)
{
	struct view_filter f;
	struct got g = { .n = 0 };

	memset(&f, 0, sizeof(f));
	f.limit = 5;
	CHECK(view_query(db, &f, 0, collect, &g) == 5);
	CHECK(g.rids[0] == 1000 + NEVENTS - 1 &&
	      g.rids[4] == 1000 + NEVENTS - 5);

	memset(&g, 0, sizeof(g));
	f.is_oldest_first = true;
	CHECK(view_query(db, &f, 0, collect, &g) == 5);
	CHECK(g.rids[0] == 1000 && g.rids[4] == 1004);

	/* the --follow poll: only ids above, ascending */
	memset(&g, 0, sizeof(g));
	memset(&f, 0, sizeof(f));
	CHECK(view_query(db, &f, 1000 + NEVENTS - 4, collect, &g) == 3);
	CHECK(g.rids[0] == 1000 + NEVENTS - 3 &&
	      g.rids[2] == 1000 + NEVENTS - 1);

	/* a field on no event at all never matches, but is no error */
	memset(&g, 0, sizeof(g));
	CHECK(view_parse_cond("QueryName=x", &f.conds[f.nconds++], NULL, 0) ==
	      0);
	CHECK(view_query(db, &f, 0, collect, &g) == 0);
}

static void test_parsers(void)
{
	struct view_filter f;
	struct view_cond c;
	uint64_t t = 0, now = T0_NS + 86400ull * 1000000000ull;
	char err[200];

	CHECK(view_parse_time("2025-01-01", now, &t, err, sizeof(err)) == 0 &&
	      t == T0_NS);
	CHECK(view_parse_time("2025-01-01 10:20:30", now, &t, err,
			      sizeof(err)) == 0 &&
	      t == T0_NS + 37230ull * 1000000000ull);
	CHECK(view_parse_time("10m", now, &t, err, sizeof(err)) == 0 &&
	      t == now - 600ull * 1000000000ull);
	CHECK(view_parse_time("2h", now, &t, err, sizeof(err)) == 0 &&
	      t == now - 7200ull * 1000000000ull);
	CHECK(view_parse_time("3d", now, &t, err, sizeof(err)) == 0 &&
	      t == now - 3ull * 86400 * 1000000000ull);
	CHECK(view_parse_time("yesterday", now, &t, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "yesterday") != NULL);
	CHECK(view_parse_time("2025-13-01", now, &t, NULL, 0) == -EINVAL);
	CHECK(view_parse_time("2025-01-01 25:00", now, &t, NULL, 0) == -EINVAL);
	/* Days that do not exist are refused, not rolled over. */
	CHECK(view_parse_time("2026-02-30", now, &t, NULL, 0) == -EINVAL);
	CHECK(view_parse_time("2026-02-29", now, &t, NULL, 0) == -EINVAL);
	CHECK(view_parse_time("2026-04-31 10:00", now, &t, NULL, 0) == -EINVAL);
	CHECK(view_parse_time("2024-02-29", now, &t, NULL, 0) == 0);
	CHECK(view_parse_time("2100-02-29", now, &t, NULL, 0) == -EINVAL);
	CHECK(view_parse_time("2000-02-29", now, &t, NULL, 0) == 0);
	CHECK(view_parse_time("2025-12-31 23:59:60", now, &t, NULL, 0) ==
	      -EINVAL);
	CHECK(view_parse_time("10x", now, &t, NULL, 0) == -EINVAL);
	CHECK(view_parse_time("99999999999d", now, &t, NULL, 0) == -EINVAL);

	memset(&f, 0, sizeof(f));
	CHECK(view_parse_ids("1,3,11", &f, err, sizeof(err)) == 0 &&
	      f.nids == 3 && f.ids[2] == 11);
	CHECK(view_parse_ids("1,,3", &f, NULL, 0) == -EINVAL);
	CHECK(view_parse_ids("999", &f, err, sizeof(err)) == -EINVAL);
	CHECK(view_parse_ids("1x", &f, NULL, 0) == -EINVAL);

	CHECK(view_parse_cond("commandline~a=b", &c, err, sizeof(err)) == 0);
	CHECK_STR(c.name, "CommandLine");
	CHECK_STR(c.value, "a=b");
	CHECK(c.is_contains);
	CHECK(view_parse_cond("NoSuchField=1", &c, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "NoSuchField") != NULL);
	CHECK(view_parse_cond("Image", &c, NULL, 0) == -EINVAL);
	CHECK(view_parse_cond("=x", &c, NULL, 0) == -EINVAL);
	/* Values are typed as the output shows them: \xNN is the byte. */
	CHECK(view_parse_cond("Image=/t/\\xff\\x5cxfe\\q", &c, NULL, 0) == 0);
	CHECK_STR(c.value, "/t/\xff\\xfe\\q");
}

static void test_put_safe(void)
{
	static const char in[] = "a\x1b[31mb\nc\td\xff\xc2\x9b"
				 "\xed\x95\x9c\xe2\x80\xae\\xff";
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	view_put_safe(f, in, sizeof(in) - 1);
	fclose(f);
	CHECK_STR(text, "a\\x1b[31mb\\x0ac\\x09d\\xff\\xc2\\x9b\xed\x95\x9c"
			"\\xe2\\x80\\xae\\x5cxff");
	free(text);
}

/* A process tree: G1 (parent G0 not in the log) > G2 > {G3 > G5, G4}. */
static void add_proc(struct sink *s, uint64_t rid, const char *guid,
		     const char *parent, const char *image)
{
	struct event ev;

	event_init(&ev, 1);
	ev.record_id = rid;
	event_set_time(&ev, T0_NS + rid * 1000000000ull);
	event_set_named(&ev, "ProcessGuid", guid);
	event_set_named(&ev, "ProcessId", guid + 1);
	event_set_named(&ev, "Image", image);
	event_set_named(&ev, "CommandLine", image);
	event_set_named(&ev, "ParentProcessGuid", parent);
	event_set_named(&ev, "ParentProcessId", "1");
	event_set_named(&ev, "ParentImage", "/sbin/init");
	CHECK(s->write(s, &ev) == 0);
	event_release(&ev);
}

static void test_tree(void)
{
	struct render_host h;
	char path[300];
	struct sink *s;
	sqlite3 *db = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	render_host_defaults(&h);
	snprintf(path, sizeof(path), "%s/tree.db", tmpdir);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	add_proc(s, 1, "G1", "G0", "/usr/sbin/sshd");
	add_proc(s, 2, "G2", "G1", "/usr/bin/bash");
	add_proc(s, 3, "G3", "G2", "/usr/bin/make");
	add_proc(s, 4, "G4", "G2", "/usr/bin/vim");
	add_proc(s, 5, "G5", "g3", "/usr/bin/cc"); /* GUID case ignored */
	add_proc(s, 6, "G9", "G8", "/usr/bin/other");
	CHECK(s->flush(s) == 0);
	s->free(s);
	CHECK(store_open_ro(path, 1000, &db) == 0);

	f = open_memstream(&text, &len);
	n = view_tree(db, "G3", f);
	fclose(f);
	CHECK(n == 5);
	CHECK_STR(
		text,
		"- 1 /sbin/init  G0  (no ProcessCreate in the log)\n"
		"    - 1 /usr/sbin/sshd  G1  2025-01-01 00:00:01.000\n"
		"      /usr/sbin/sshd\n"
		"        - 2 /usr/bin/bash  G2  2025-01-01 00:00:02.000\n"
		"          /usr/bin/bash\n"
		"            * 3 /usr/bin/make  G3  2025-01-01 00:00:03.000\n"
		"              /usr/bin/make\n"
		"                - 5 /usr/bin/cc  G5  2025-01-01 00:00:05.000\n"
		"                  /usr/bin/cc\n");
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	n = view_tree(db, "G2", f);
	fclose(f);
	CHECK(n == 6); /* G0, G1, G2, G3, G5, G4 */
	CHECK(text && strstr(text, "G4") && strstr(text, "G5") &&
	      !strstr(text, "G9"));
	CHECK(text && strstr(text, "G5") < strstr(text, "G4"));
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	CHECK(view_tree(db, "G7", f) == 0);
	fclose(f);
	free(text);
	sqlite3_close(db);

	/*
	 * vigil GUIDs hold the start in seconds since boot.  The only event
	 * is at T0 + 100 s, a child started 50 s after boot: boot was at
	 * T0 + 50 s at the latest.  A parent started 5 s after boot is
	 * provably from before the log; one started 60 s after boot (a
	 * process that forked without exec) is not.
	 */
	snprintf(path, sizeof(path), "%s/tree2.db", tmpdir);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	add_proc(s, 100, "{0000abcd-0032-0000-0000-000000000001}",
		 "{0000abcd-0005-0000-0000-000000000002}", "/usr/bin/a");
	add_proc(s, 101, "{0000abcd-0033-0000-0000-000000000003}",
		 "{0000abcd-003c-0000-0000-000000000004}", "/usr/bin/b");
	CHECK(s->flush(s) == 0);
	s->free(s);
	CHECK(store_open_ro(path, 1000, &db) == 0);
	text = NULL;
	f = open_memstream(&text, &len);
	CHECK(view_tree(db, "{0000abcd-0032-0000-0000-000000000001}", f) == 2);
	fclose(f);
	CHECK(text && strstr(text, "-000000000002}  (started before the "
				   "log)\n"));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	CHECK(view_tree(db, "{0000abcd-0033-0000-0000-000000000003}", f) == 2);
	fclose(f);
	CHECK(text && strstr(text, "-000000000004}  (no ProcessCreate in the "
				   "log)\n"));
	free(text);
	sqlite3_close(db);
}

static int count_row(const struct view_row *row, void *arg)
{
	(void)row;
	(*(int *)arg)++;
	return 0;
}

/* A store is outside input: rows that are not JSON must not stop a view. */
static void test_hostile_rows(void)
{
	struct render_host h;
	struct view_filter f;
	struct event ev;
	char path[300], *text = NULL;
	size_t len = 0;
	struct sink *s;
	sqlite3 *db = NULL;
	FILE *out;
	int n = 0;

	render_host_defaults(&h);
	snprintf(path, sizeof(path), "%s/hostile.db", tmpdir);
	s = sink_store_new(path, 0, 0, &h);
	CHECK(s != NULL);
	if (!s)
		return;
	event_init(&ev, 1);
	ev.record_id = 1;
	event_set_time(&ev, T0_NS);
	event_set_named(&ev, "ProcessGuid", "{aa}");
	event_set_named(&ev, "CommandLine", "evil \x1b]0;pwned\x07 \x1b[2J");
	CHECK(s->write(s, &ev) == 0);
	event_release(&ev);
	CHECK(s->flush(s) == 0);
	s->free(s);
	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	/* values that are not an event 1's, an unknown event id, and a row
	 * whose run is gone */
	CHECK(store_record_register(db) == 0); /* vigil_key() */
	CHECK(sqlite3_exec(db,
			   "INSERT INTO events VALUES(2, 0, 1, 1, 0,"
			   " vigil_key('{bb}'), vigil_key('{aa}'),"
			   " vigil_key('/x'), 'not values {');"
			   "INSERT INTO events VALUES(3, 0, 7777, 1, 0,"
			   " vigil_key('{cc}'), NULL, NULL, x'00');"
			   "INSERT INTO events SELECT 4, 0, 1, 99, 0,"
			   " vigil_key('{dd}'), NULL, NULL, data FROM events"
			   " WHERE EventRecordID = 1;",
			   NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open_ro(path, 1000, &db) == 0);

	memset(&f, 0, sizeof(f));
	CHECK(view_query(db, &f, 0, count_row, &n) == 4 && n == 4);
	n = 0;
	CHECK(view_parse_cond("CommandLine~pwned", &f.conds[f.nconds++], NULL,
			      0) == 0);
	/* the event itself, and its copy without a run (passed on as not
	 * valid, so the viewer reports it as damaged) */
	CHECK(view_query(db, &f, 0, count_row, &n) == 2 && n == 2);

	out = open_memstream(&text, &len);
	CHECK(view_tree(db, "{AA}", out) == 2); /* {aa} and its bad child */
	fclose(out);
	CHECK(text && !strchr(text, '\x1b'));
	free(text);
	sqlite3_close(db);
}

int main(void)
{
	char path[300], cmd[300];
	sqlite3 *db;
	int r;

	log_set_level(LOG_LVL_ERROR);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/view_test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	gen();
	snprintf(path, sizeof(path), "%s/events.db", tmpdir);
	db = build_store(path);
	CHECK(db != NULL);
	if (db) {
		test_filters(db);
		test_order_limit_follow(db);
		sqlite3_close(db);
	}
	test_parsers();
	test_put_safe();
	test_tree();
	test_hostile_rows();
	r = tap_done("view_test");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return r;
}
