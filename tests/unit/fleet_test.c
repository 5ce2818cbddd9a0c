/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/fleet_test.c - the pure parts of the web viewer's fleet
 * mode: TabSeparated answers (ch_tsv_row(), ch_parse_u64()), the list
 * rows built from them (web_fleet_rows(): a record passes only when it is
 * the row's event, anything else is damaged, and the reply stays JSON),
 * values quoted into the WHERE (view_fleet_where()), and the API's
 * page keys (T.H.R only for a keyed source, record ids for the store).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse/clickhouse.h"
#include "event/event.h"
#include "render/render.h"
#include "tap.h"
#include "util/buf.h"
#include "view/view.h"
#include "web/internal.h"

/* A copy of s that ch_tsv_row() may unescape in place. */
static char *copy(const char *s)
{
	char *d = strdup(s);

	CHECK(d != NULL);
	return d;
}

static void test_tsv(void)
{
	char *s = copy("a\\tb\\nc\\\\d\\'e\\0f\\b\\f\\r\t\t7\n"
		       "x\ty\tz\n");
	struct ch_tsv t = { .pos = s, .end = s + strlen(s) };
	struct ch_row row;

	CHECK(ch_tsv_row(&t, 3, &row) == 1);
	CHECK(row.n == 3);
	CHECK(row.len[0] == 14);
	CHECK(memcmp(row.v[0], "a\tb\nc\\d'e\0f\b\f\r", 14) == 0);
	CHECK(row.len[1] == 0 && row.v[1][0] == '\0');
	CHECK_STR(row.v[2], "7");
	CHECK(ch_tsv_row(&t, 3, &row) == 1);
	CHECK_STR(row.v[0], "x");
	CHECK_STR(row.v[2], "z");
	CHECK(ch_tsv_row(&t, 3, &row) == 0);
	free(s);

	/* what ClickHouse does not write */
	static const char *const bad[] = {
		"a\tb\n", /* two fields for three */
		"a\tb\tc\td\n", /* four */
		"a\tb\tc", /* no newline */
		"a\\x41\tb\tc\n", /* an escape it does not write */
		"a\tb\tc\\", /* a backslash at the end */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = copy(bad[i]);
		t = (struct ch_tsv){ .pos = s, .end = s + strlen(s) };
		CHECK(ch_tsv_row(&t, 3, &row) == -EPROTO);
		free(s);
	}
	s = copy("");
	t = (struct ch_tsv){ .pos = s, .end = s };
	CHECK(ch_tsv_row(&t, 1, &row) == 0);
	CHECK(ch_tsv_row(&t, 0, &row) == -EINVAL);
	CHECK(ch_tsv_row(&t, CH_ROW_MAX_FIELDS + 1, &row) == -EINVAL);
	free(s);
}

static void test_u64(void)
{
	uint64_t v = 1;

	CHECK(ch_parse_u64("0", 1, &v) == 0 && v == 0);
	CHECK(ch_parse_u64("18446744073709551615", 20, &v) == 0 &&
	      v == UINT64_MAX);
	CHECK(ch_parse_u64("18446744073709551616", 20, &v) == -EPROTO);
	CHECK(ch_parse_u64("", 0, &v) == -EPROTO);
	CHECK(ch_parse_u64("01", 2, &v) == -EPROTO);
	CHECK(ch_parse_u64("-1", 2, &v) == -EPROTO);
	CHECK(ch_parse_u64("1 ", 2, &v) == -EPROTO);
	CHECK(ch_parse_u64("1\0", 2, &v) == -EPROTO);
}

/* vigil's JSON of a ProcessCreate with record id rid on computer. */
static void record(struct buf *b, uint64_t rid, const char *computer)
{
	struct render_host h;
	struct event ev;

	render_host_defaults(&h);
	h.computer = computer;
	CHECK(event_init(&ev, 1) == 0);
	ev.record_id = rid;
	event_set_time(&ev, 1735689600000000000ull);
	CHECK(event_set_named(&ev, "CommandLine", "a\tb \"c\" <d>") == 0);
	CHECK(render_event(b, &h, &ev, RENDER_JSON, 1735689600000000001ull) ==
	      0);
	event_release(&ev);
}

/* One answer row: time, hash, rid, host, then record TSV-escaped. */
static void answer_row(struct buf *a, uint64_t rid, const char *host,
		       const struct buf *rec)
{
	buf_addf(a, "1735689600000000000\t42\t%llu\t%s\t",
		 (unsigned long long)rid, host);
	for (size_t i = 0; i < rec->len; i++) {
		char c = rec->data[i];

		if (c == '\\' || c == '\t' || c == '\n')
			buf_addc(a, '\\');
		buf_addc(a, c == '\t' ? 't' : c == '\n' ? 'n' : c);
	}
	buf_addc(a, '\n');
}

static void test_rows(void)
{
	struct buf rec, a, out;
	struct web_key first, last;
	struct event ev;
	unsigned n;

	buf_init(&rec, 0);
	buf_init(&a, 0);
	buf_init(&out, 0);
	record(&rec, 7, "web-01");
	answer_row(&a, 7, "web-01", &rec); /* its event */
	answer_row(&a, 8, "web-01", &rec); /* names record 7 */
	answer_row(&a, 7, "web-02", &rec); /* names host web-01 */
	buf_adds(&rec, ",\"x\":1}");
	answer_row(&a, 9, "web-01", &rec); /* would add a key if passed */
	answer_row(&a, 10, "web-01", &rec); /* the row past the limit */
	CHECK(web_fleet_rows(a.data, a.len, 4, &out, &n, &first, &last) == 0);
	CHECK(n == 5);
	CHECK(first.rid == 7 && first.host_hash == 42 &&
	      first.time_ns == 1735689600000000000ull);
	CHECK(last.rid == 9);
	{
		static const char head[] =
			"{\"rid\":7,\"host\":\"web-01\","
			"\"key\":\"1735689600000000000.42.7\",\"record\":{";

		CHECK(strncmp(out.data, head, sizeof(head) - 1) == 0);
	}
	CHECK(strstr(out.data, "{\"rid\":8,\"host\":\"web-01\",\"key\":"
			       "\"1735689600000000000.42.8\","
			       "\"damaged\":true}") != NULL);
	CHECK(strstr(out.data, "\"rid\":7,\"host\":\"web-02\",\"key\":"
			       "\"1735689600000000000.42.7\","
			       "\"damaged\":true}") != NULL);
	CHECK(strstr(out.data, "\"key\":\"1735689600000000000.42.9\","
			       "\"damaged\":true}") != NULL);
	CHECK(strstr(out.data, "\"rid\":10") == NULL);
	/* the record that passed is the row's, byte for byte */
	{
		const char *r = strstr(out.data, "\"record\":") + 9;
		const char *end = strstr(r, "},{\"rid\":8");

		CHECK(end &&
		      render_parse_json(r, (size_t)(end - r), &ev, NULL) == 0);
		CHECK(ev.record_id == 7);
		CHECK_STR(event_named(&ev, "CommandLine"), "a\tb \"c\" <d>");
		event_release(&ev);
	}

	/* a number that is not one: not the answer asked for */
	buf_reset(&a);
	buf_reset(&out);
	buf_adds(&a, "1\t2\t3x\th\t{}\n");
	CHECK(web_fleet_rows(a.data, a.len, 4, &out, &n, &first, &last) ==
	      -EPROTO);
	buf_release(&rec);
	buf_release(&a);
	buf_release(&out);
}

static void test_where(void)
{
	struct view_filter *f = calloc(1, sizeof(*f));
	struct buf q;

	buf_init(&q, 0);
	CHECK(view_parse_cond("CommandLine~' OR 1=1 --", &f->conds[0], NULL,
			      0) == 0);
	f->nconds = 1;
	snprintf(f->process, sizeof(f->process), "{A}");
	CHECK(view_fleet_where(&q, "t", f, "h'x\\") == 0);
	CHECK_STR(q.data,
		  " AND lower(Computer) = lower('h\\'x\\\\')"
		  " AND positionCaseInsensitive(CommandLine, '\\' OR 1=1 --')"
		  " > 0"
		  " AND (lower(ProcessGuid) = lower('{A}')"
		  " OR (EventID = 1 AND lower(ParentProcessGuid) ="
		  " lower('{A}'))"
		  " OR (Computer, EventRecordID) IN (SELECT Computer,"
		  " EventRecordID FROM t WHERE EventID IN (8, 10) AND (0"
		  " OR (EventID = 8 AND lower(visitParamExtractString("
		  "substring(record, position(record, '\"EventData\":')),"
		  " 'SourceProcessGuid')) = lower('{A}'))"
		  " OR (EventID = 10 AND lower(visitParamExtractString("
		  "substring(record, position(record, '\"EventData\":')),"
		  " 'SourceProcessGUID')) = lower('{A}')))))");
	buf_release(&q);
	free(f);
}

/* A keyed source that answers with the key it was asked for. */
static int keyed_events(void *ctx, const struct web_query *q, struct buf *out)
{
	(void)ctx;
	return buf_addf(out, "{\"has_key\":%d,\"key\":\"%llu.%llu.%llu\"}",
			q->has_key, (unsigned long long)q->key.time_ns,
			(unsigned long long)q->key.host_hash,
			(unsigned long long)q->key.rid);
}

static int api(struct web_source *src, const char *name, const char *value,
	       struct buf *out)
{
	struct web_source *srcs[] = { src };
	struct web_param p = { .name = name, .value = value };

	return web_api(srcs, 1, "/api/events", &p, 1, 0, out);
}

static void test_keys(void)
{
	struct web_source keyed = { .name = "fleet",
				    .is_keyed = true,
				    .events = keyed_events };
	struct web_source local = { .name = "local", .events = keyed_events };
	struct buf out;

	buf_init(&out, 0);
	CHECK(api(&keyed, "before", "1.2.3", &out) == 200);
	CHECK_STR(out.data, "{\"has_key\":1,\"key\":\"1.2.3\"}");
	CHECK(api(&keyed, "after", "18446744073709551615.0.9", &out) == 200);
	CHECK_STR(out.data,
		  "{\"has_key\":1,\"key\":\"18446744073709551615.0.9\"}");
	CHECK(api(&keyed, "after", "0", &out) == 200);
	CHECK_STR(out.data, "{\"has_key\":0,\"key\":\"0.0.0\"}");
	CHECK(api(&keyed, "before", "12", &out) == 400);
	CHECK(api(&keyed, "before", "1.2", &out) == 400);
	CHECK(api(&keyed, "before", "1.2.3.4", &out) == 400);
	CHECK(api(&keyed, "before", "1..3", &out) == 400);
	CHECK(api(&keyed, "before", "18446744073709551616.0.0", &out) == 400);
	CHECK(api(&local, "before", "1.2.3", &out) == 400);
	CHECK(api(&local, "before", "12", &out) == 200);
	CHECK_STR(out.data, "{\"has_key\":0,\"key\":\"0.0.0\"}");
	buf_release(&out);
}

int main(void)
{
	test_tsv();
	test_u64();
	test_rows();
	test_where();
	test_keys();
	return tap_done("fleet_test");
}
