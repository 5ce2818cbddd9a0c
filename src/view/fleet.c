/* SPDX-License-Identifier: MIT */
/*
 * view/fleet.c - `vigil view --fleet`: the filters of the local store as
 * one SQL query on the ClickHouse fleet table (clickhouse/clickhouse.h).
 *
 * ClickHouse 18.16 has no query parameters, so every value goes in as a
 * quoted literal (ch_quote()).  Comparisons ignore ASCII case as the
 * local store's do: lower() = lower() for "equals", positionCase-
 * Insensitive() for "contains".  Fields with a column use it; others are
 * read from the record's EventData object (visitParamExtractString on
 * the text from "EventData": on, so System keys of the same name, such
 * as Version, are not found instead).  --grep searches the JSON record
 * for the needle escaped as the record escapes it, as locally.
 *
 * Rows come back as TabSeparatedRaw: one JSON record per line (the
 * record never holds a tab or a newline), parsed back with the System
 * values, so every output format works as for the local store.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse/clickhouse.h"
#include "event/event.h"
#include "util/buf.h"
#include "view.h"

static int add_field(struct buf *q, const char *name)
{
	int err = 0;

	if (strcmp(name, "Computer") == 0)
		return buf_adds(q, "Computer");
	if (ch_is_column(name))
		return buf_adds(q, name);
	err |= buf_adds(q, "visitParamExtractString(substring(record, "
			   "position(record, '\"EventData\":')), ");
	err |= ch_quote(q, name, strlen(name));
	err |= buf_addc(q, ')');
	return err;
}

static int add_cond(struct buf *q, const struct view_cond *c)
{
	int err = buf_adds(q, c->is_contains ? " AND positionCaseInsensitive("
					     : " AND lower(");

	err |= add_field(q, c->name);
	err |= buf_adds(q, c->is_contains ? ", " : ") = lower(");
	err |= ch_quote(q, c->value, strlen(c->value));
	err |= buf_adds(q, c->is_contains ? ") > 0" : ")");
	return err;
}

/*
 * The events of one process, as locally (view_query()): its own, its
 * children's ProcessCreate, and the events 8 and 10 it is the source of.
 * Those have no column: they are read from the record, in a subquery
 * whose EventID condition the table's sort key (Computer, EventID, ...)
 * answers, so only the granules of events 8 and 10 have their records
 * read, not the whole table's.
 */
static int add_process(struct buf *q, const char *table, const char *guid)
{
	static const char *const src[][2] = {
		{ "8", "SourceProcessGuid" },
		{ "10", "SourceProcessGUID" },
	};
	struct view_cond c = { .is_contains = false };
	int err = 0;

	snprintf(c.value, sizeof(c.value), "%s", guid);
	err |= buf_adds(q, " AND (lower(ProcessGuid) = lower(");
	err |= ch_quote(q, guid, strlen(guid));
	err |= buf_adds(q, ") OR (EventID = 1 AND lower(ParentProcessGuid) = "
			   "lower(");
	err |= ch_quote(q, guid, strlen(guid));
	err |= buf_addf(q,
			")) OR (Computer, EventRecordID) IN (SELECT Computer,"
			" EventRecordID FROM %s WHERE EventID IN (8, 10)"
			" AND (0",
			table);
	for (size_t i = 0; i < 2; i++) {
		err |= buf_addf(q, " OR (EventID = %s", src[i][0]);
		snprintf(c.name, sizeof(c.name), "%s", src[i][1]);
		err |= add_cond(q, &c);
		err |= buf_addc(q, ')');
	}
	err |= buf_adds(q, ")))");
	return err;
}

int view_fleet_where(struct buf *q, const char *table,
		     const struct view_filter *f, const char *host)
{
	int err = 0;

	if (f->nids) {
		err |= buf_adds(q, " AND EventID IN (");
		for (unsigned i = 0; i < f->nids; i++)
			err |= buf_addf(q, "%s%u", i ? "," : "", f->ids[i]);
		err |= buf_adds(q, ")");
	}
	/* UtcTime (seconds) lets ClickHouse skip months; time_ns is exact */
	if (f->has_since)
		err |= buf_addf(q,
				" AND UtcTime >= toDateTime(%" PRIu64
				") AND time_ns >= %" PRIu64,
				(uint64_t)(f->since_ns / 1000000000ull),
				f->since_ns);
	if (f->has_until)
		err |= buf_addf(q,
				" AND UtcTime <= toDateTime(%" PRIu64
				") AND time_ns < %" PRIu64,
				(uint64_t)(f->until_ns / 1000000000ull),
				f->until_ns);
	if (f->from_id)
		err |= buf_addf(q, " AND EventRecordID >= %" PRIu64,
				f->from_id);
	if (f->to_id)
		err |= buf_addf(q, " AND EventRecordID <= %" PRIu64, f->to_id);
	if (host) {
		err |= buf_adds(q, " AND lower(Computer) = lower(");
		err |= ch_quote(q, host, strlen(host));
		err |= buf_addc(q, ')');
	}
	for (unsigned i = 0; i < f->nconds; i++)
		err |= add_cond(q, &f->conds[i]);
	if (f->process[0])
		err |= add_process(q, table, f->process);
	if (f->grep[0]) {
		struct buf needle;

		buf_init(&needle, 8 * VIEW_VALUE_MAX);
		err |= view_json_needle(&needle, f->grep);
		err |= buf_adds(q, " AND positionCaseInsensitive(record, ");
		err |= ch_quote(q, needle.data ? needle.data : "", needle.len);
		err |= buf_addc(q, ')');
		err |= buf_adds(q, " > 0");
		buf_release(&needle);
	}
	return err || q->is_full ? -ENOMEM : 0;
}

static int build(struct buf *q, const char *table, const struct view_filter *f,
		 const char *host)
{
	int err = buf_addf(q, "SELECT record FROM %s WHERE 1", table);

	err |= view_fleet_where(q, table, f, host);
	err |= buf_adds(q,
			f->is_oldest_first
				? " ORDER BY time_ns, Computer, EventRecordID"
				: " ORDER BY time_ns DESC, Computer DESC,"
				  " EventRecordID DESC");
	if (f->limit)
		err |= buf_addf(q, " LIMIT %" PRIu64, f->limit);
	err |= buf_adds(q, " FORMAT TabSeparatedRaw");
	return err || q->is_full ? -ENOMEM : 0;
}

/* One line of the answer as a row for fn. */
static int pass_row(const char *line, size_t len, view_row_fn *fn, void *arg)
{
	struct render_system sys;
	struct view_row row = { .record = line, .record_len = len };
	struct event ev;
	int r;

	r = render_parse_json_system(line, len, &ev, &sys);
	if (r == -ENOMEM)
		return r;
	if (r == 0) {
		row.record_id = ev.record_id;
		row.time_ns = ev.time_ns;
		row.created_ns = sys.created_ns;
		row.event_id = ev.def->id;
		row.ev = &ev;
		row.host = sys.host;
		row.is_valid = true;
	}
	r = fn(&row, arg);
	event_release(&ev);
	return r;
}

int64_t view_fleet_rows(const char *text, size_t len, view_row_fn *fn,
			void *arg)
{
	int64_t n = 0;

	for (size_t pos = 0; pos < len;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n_line = nl ? (size_t)(nl - line) : len - pos;
		int r;

		pos += n_line + 1;
		if (!n_line)
			continue;
		r = pass_row(line, n_line, fn, arg);
		if (r < 0)
			return r;
		if (r > 0)
			return r;
		n++;
	}
	return n;
}

int64_t view_fleet_query(struct ch_client *c, const char *table,
			 const struct view_filter *f, const char *host,
			 view_row_fn *fn, void *arg, char *err, size_t errlen)
{
	struct buf q, resp;
	int64_t n = 0;
	int r;

	buf_init(&q, 256 * 1024);
	buf_init(&resp, 0);
	r = build(&q, table, f, host);
	if (r < 0) {
		snprintf(err, errlen, "query too long");
		goto out;
	}
	r = ch_post(c, NULL, q.data, q.len, &resp, err, errlen);
	if (r < 0)
		goto out;
	n = view_fleet_rows(resp.data, resp.len, fn, arg);
	if (n < 0)
		snprintf(err, errlen, "%s", strerror((int)-n));
out:
	buf_release(&q);
	buf_release(&resp);
	return r < 0 ? r : n;
}
