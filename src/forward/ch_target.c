/* SPDX-License-Identifier: MIT */
/*
 * forward/ch_target.c - the ClickHouse destination: batched INSERTs of
 * JSONEachRow rows into the fleet table (clickhouse/clickhouse.h).
 *
 * Retries never duplicate.  An INSERT whose answer never came (the
 * server died, the network broke, a timeout) may or may not have gone
 * in, in whole or in part.  So after any failed INSERT, and for the first
 * batch after start (the cursor is saved after every batch, but a crash
 * can fall between the two), the target first asks which EventRecordIDs
 * of the batch the table already holds for this Computer, and inserts
 * only the others.  Batches hold one Computer each, so that question is
 * one indexed query.  The table's ReplacingMergeTree (keyed by Computer,
 * EventID, EventRecordID) would also merge duplicates away, but the
 * forwarder does not rely on it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse/clickhouse.h"
#include "event/event.h"
#include "internal.h"
#include "util/buf.h"

#define REQUEST_TIMEOUT_MS 60000

struct ch_target {
	struct fwd_target t;
	struct ch_client *cl;
	char insert[256];
	bool is_table_ready;
	bool is_uncertain; /* the table may hold part of the next batch */
	uint64_t settled_rid;
	struct buf body; /* JSONEachRow lines of the batch */
	struct buf rec; /* one record, rendered */
	struct buf resp, sql;
	char computer[256]; /* of the batch */
	uint64_t min_s, max_s; /* UtcTime range of the batch, seconds */
	uint64_t *rids;
	size_t *ends; /* end of each row's line in body */
	unsigned n, cap;
};

static struct ch_target *to_ch(struct fwd_target *t)
{
	return (struct ch_target *)t;
}

static int ch_open(struct fwd_target *t)
{
	struct ch_target *c = to_ch(t);
	int r;

	buf_reset(&c->sql);
	if (t->d->is_create_table && !c->is_table_ready)
		r = ch_table_ddl(&c->sql, t->d->table);
	else
		r = buf_adds(&c->sql, "SELECT 1");
	if (r)
		return -ENOMEM;
	r = ch_post(c->cl, NULL, c->sql.data, c->sql.len, &c->resp, t->err,
		    sizeof(t->err));
	if (r < 0)
		return r;
	c->is_table_ready = true;
	return 0;
}

static unsigned ch_room(struct fwd_target *t)
{
	return t->d->batch_events;
}

static int ch_add(struct fwd_target *t, struct fwd_row *row)
{
	struct ch_target *c = to_ch(t);
	const char *computer = row->host.computer ? row->host.computer : "";
	uint64_t s = row->time_ns / 1000000000ull;
	size_t before = c->body.len;
	int r;

	if (c->n && strcmp(computer, c->computer) != 0)
		return 1; /* one Computer per batch */
	if (c->n == c->cap) {
		unsigned cap = c->cap ? c->cap * 2 : 1024;
		uint64_t *rids = realloc(c->rids, cap * sizeof(*rids));
		size_t *ends;

		if (!rids)
			return -ENOMEM;
		c->rids = rids;
		ends = realloc(c->ends, cap * sizeof(*ends));
		if (!ends)
			return -ENOMEM;
		c->ends = ends;
		c->cap = cap;
	}
	buf_reset(&c->rec);
	r = render_event(&c->rec, &row->host, row->ev, RENDER_JSON,
			 row->created_ns);
	if (!r)
		r = ch_row_json(&c->body, computer, row->ev, row->created_ns,
				c->rec.data, c->rec.len);
	if (r) {
		c->body.len = before;
		return r == -ENOBUFS ? -E2BIG : r;
	}
	if (!c->n) {
		snprintf(c->computer, sizeof(c->computer), "%s", computer);
		c->min_s = c->max_s = s;
	}
	c->min_s = s < c->min_s ? s : c->min_s;
	c->max_s = s > c->max_s ? s : c->max_s;
	c->rids[c->n] = row->rid;
	c->ends[c->n++] = c->body.len;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Drop from the batch the rows the table already has.  Returns 0 (the
 * body now holds only missing rows), or a negative errno.
 */
static int keep_missing(struct fwd_target *t)
{
	struct ch_target *c = to_ch(t);
	uint64_t *have = NULL;
	size_t nhave = 0, start = 0, out = 0;
	int64_t nrows;
	int r;

	buf_reset(&c->sql);
	r = buf_addf(&c->sql, "SELECT EventRecordID FROM %s WHERE Computer = ",
		     t->d->table);
	r |= ch_quote(&c->sql, c->computer, strlen(c->computer));
	r |= buf_addf(&c->sql,
		      " AND EventRecordID BETWEEN %" PRIu64 " AND %" PRIu64
		      " AND UtcTime BETWEEN toDateTime(%" PRIu64
		      ") AND toDateTime(%" PRIu64 ") FORMAT TabSeparated",
		      c->rids[0], c->rids[c->n - 1], c->min_s, c->max_s);
	if (r)
		return -ENOMEM;
	r = ch_post(c->cl, NULL, c->sql.data, c->sql.len, &c->resp, t->err,
		    sizeof(t->err));
	if (r < 0)
		return r;
	nrows = ch_parse_ids(c->resp.data, c->resp.len, &have);
	if (nrows < 0) {
		if (nrows == -EPROTO)
			snprintf(t->err, sizeof(t->err),
				 "ClickHouse answered something other than "
				 "EventRecordIDs");
		return (int)nrows;
	}
	nhave = (size_t)nrows;
	if (nhave)
		qsort(have, nhave, sizeof(*have), cmp_u64);
	/* compact the body to the rows not found, in place */
	for (unsigned i = 0; i < c->n; i++) {
		size_t end = c->ends[i], len = end - start;

		if (!nhave || !bsearch(&c->rids[i], have, nhave, sizeof(*have),
				       cmp_u64)) {
			memmove(c->body.data + out, c->body.data + start, len);
			out += len;
		}
		start = end;
	}
	c->body.len = out;
	free(have);
	return 0;
}

static int ch_send(struct fwd_target *t)
{
	struct ch_target *c = to_ch(t);
	int r = 0;

	if (!c->n)
		goto done;
	if (c->is_uncertain) {
		r = keep_missing(t);
		if (r < 0)
			goto out;
		c->is_uncertain = false;
	}
	if (c->body.len) {
		c->is_uncertain = true; /* until the server says it is in */
		r = ch_post(c->cl, c->insert, c->body.data, c->body.len,
			    &c->resp, t->err, sizeof(t->err));
		if (r < 0)
			goto out;
		c->is_uncertain = false;
	}
done:
	c->settled_rid = t->batch_last;
out:
	buf_reset(&c->body);
	c->n = 0;
	return r;
}

static uint64_t ch_settled(struct fwd_target *t, bool *is_broken)
{
	*is_broken = false;
	return to_ch(t)->settled_rid;
}

static void ch_close(struct fwd_target *t, bool graceful)
{
	struct ch_target *c = to_ch(t);

	(void)graceful;
	buf_reset(&c->body);
	c->n = 0;
}

static void ch_free(struct fwd_target *t)
{
	struct ch_target *c = to_ch(t);

	ch_client_free(c->cl);
	buf_release(&c->body);
	buf_release(&c->rec);
	buf_release(&c->resp);
	buf_release(&c->sql);
	free(c->rids);
	free(c->ends);
	free(c);
}

static const struct fwd_target_ops ch_ops = {
	.open = ch_open,
	.room = ch_room,
	.add = ch_add,
	.send = ch_send,
	.settled = ch_settled,
	.close = ch_close,
	.free = ch_free,
};

struct fwd_target *fwd_clickhouse_new(const struct settings_dest *d, char *err,
				      size_t errlen)
{
	struct ch_target *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->cl = ch_client_for(d, REQUEST_TIMEOUT_MS, NULL, err, errlen);
	if (!c->cl) {
		free(c);
		return NULL;
	}
	c->t.d = d;
	c->t.ops = &ch_ops;
	c->t.persist_interval_ms = 0; /* every batch: see keep_missing() */
	c->is_uncertain = true;
	snprintf(c->insert, sizeof(c->insert),
		 "INSERT INTO %s FORMAT JSONEachRow", d->table);
	buf_init(&c->body, 0);
	buf_init(&c->rec, 0);
	buf_init(&c->resp, 0);
	buf_init(&c->sql, 0);
	return &c->t;
}
