/* SPDX-License-Identifier: MIT */
/*
 * web/store_source.c - the local event store as a source of the web API
 * (internal.h): lists through view_query(), histograms through
 * view_histogram(), process pages through view_tree_walk(), the same
 * code `vigil view` runs.
 *
 * Paging is by record id (keyset): a page asks for ids below (or above)
 * the last one it showed, which is an index range however deep the page
 * is.  A filter the indexes cannot answer (free text, a field without a
 * column) reads at most WEB_SCAN_WINDOW record ids per request and says
 * where it stopped, so no request reads the whole store.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/store.h"
#include "util/buf.h"

#define NS_PER_MS 1000000ull

static int db_err(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? -EBUSY : -EIO;
}

/* Lowest and highest record id stored (0, 0 when empty). */
static int rid_span(sqlite3 *db, uint64_t *min, uint64_t *max)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*min = *max = 0;
	rc = sqlite3_prepare_v2(
		db,
		/* two subqueries: each is one index
				 * probe, one query with both a scan */
		"SELECT (SELECT min(EventRecordID) FROM events),"
		" (SELECT max(EventRecordID) FROM events)",
		-1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*min = (uint64_t)sqlite3_column_int64(st, 0);
		*max = (uint64_t)sqlite3_column_int64(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : db_err(rc);
}

struct list {
	struct buf *out;
	unsigned n;
	uint64_t last_rid;
	int err;
};

/* One row of a list: {"rid":N,"record":{...}}. */
static int put_row(const struct view_row *row, void *arg)
{
	struct list *l = arg;
	struct buf *out = l->out;
	int err = 0;

	err |= buf_addf(out, "%s{\"rid\":%llu,", l->n ? "," : "",
			(unsigned long long)row->record_id);
	if (row->is_valid) {
		err |= buf_adds(out, "\"record\":");
		err |= buf_add(out, row->record, row->record_len);
	} else {
		err |= buf_adds(out, "\"damaged\":true");
	}
	err |= buf_addc(out, '}');
	l->n++;
	l->last_rid = row->record_id;
	if (err || out->is_full) {
		l->err = -ENOMEM;
		return -ENOMEM;
	}
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static int src_events(void *ctx, const struct web_query *q, struct buf *out)
{
	sqlite3 *db = ctx;
	struct view_filter *f;
	struct list l = { .out = out };
	uint64_t min_rid, max_rid, lo, hi, next;
	bool is_indexed, more;
	int64_t n = 0;
	int err;

	err = rid_span(db, &min_rid, &max_rid);
	if (err)
		return err;
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	*f = q->f;
	f->limit = q->limit;
	f->is_oldest_first = q->is_asc;
	is_indexed = view_filter_is_indexed(f);
	if (q->is_asc) {
		lo = max_u64(q->after + 1, min_rid);
		hi = max_rid;
		if (!is_indexed && hi - min_u64(lo, hi) >= WEB_SCAN_WINDOW)
			hi = lo + WEB_SCAN_WINDOW - 1;
	} else {
		hi = q->before ? min_u64(q->before - 1, max_rid) : max_rid;
		lo = min_rid;
		if (!is_indexed && hi >= lo + WEB_SCAN_WINDOW)
			lo = hi - WEB_SCAN_WINDOW + 1;
	}
	buf_adds(out, "{\"events\":[");
	if (max_rid && lo && lo <= hi) {
		f->from_id = lo;
		f->to_id = hi;
		n = view_query(db, f, 0, put_row, &l);
	}
	free(f);
	if (l.err)
		return l.err;
	if (n < 0)
		return (int)n;
	if (q->is_asc) {
		/* where the next request goes on: the last id read through */
		next = n == q->limit ? l.last_rid : max_u64(hi, q->after);
		more = next < max_rid;
		buf_addf(out, "],\"more\":%s,\"next_after\":%llu",
			 more ? "true" : "false", (unsigned long long)next);
	} else {
		next = n == q->limit ? l.last_rid : lo;
		more = max_rid && next > min_rid && lo <= hi;
		buf_addf(out, "],\"more\":%s,\"next_before\":%llu",
			 more ? "true" : "false", (unsigned long long)next);
	}
	buf_addf(out,
		 ",\"count\":%u,\"scanned_from\":%llu,\"scanned_to\":%llu,"
		 "\"last_rid\":%llu}",
		 l.n, (unsigned long long)lo, (unsigned long long)hi,
		 (unsigned long long)max_rid);
	return out->is_full ? -ENOMEM : 0;
}

static int src_event(void *ctx, uint64_t rid, const char *host, struct buf *out)
{
	sqlite3 *db = ctx;
	struct view_filter *f = calloc(1, sizeof(*f));
	struct list l = { .out = out };
	int64_t n;

	if (!f)
		return -ENOMEM;
	f->from_id = f->to_id = rid;
	f->limit = 1;
	if (host) {
		snprintf(f->conds[0].name, VIEW_NAME_MAX, "Computer");
		snprintf(f->conds[0].value, VIEW_VALUE_MAX, "%s", host);
		f->nconds = 1;
	}
	n = view_query(db, f, 0, put_row, &l);
	free(f);
	if (l.err)
		return l.err;
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	/* put_row wrote {"rid":..,"record":..}: that is the reply */
	return out->is_full ? -ENOMEM : 0;
}

/* ---- process page ---------------------------------------------------- */

struct family {
	struct buf ancestors, target, children;
	const char *skip; /* a GUID left out (siblings: the process) */
	unsigned nancestors, nchildren;
	bool is_children_cut;
	int err;
};

static int put_node(struct buf *b, const struct view_node *n)
{
	int err = 0;

	err |= buf_adds(b, "{\"guid\":");
	err |= web_json_str(b, n->guid);
	err |= buf_adds(b, ",\"parent_guid\":");
	err |= web_json_str(b, n->parent_guid);
	err |= buf_adds(b, ",\"pid\":");
	err |= web_json_str(b, n->pid);
	err |= buf_adds(b, ",\"image\":");
	err |= web_json_str(b, n->image);
	err |= buf_adds(b, ",\"cmdline\":");
	err |= web_json_str(b, n->cmdline);
	err |= buf_adds(b, ",\"time\":");
	err |= web_json_str(b, n->time);
	err |= buf_adds(b, ",\"user\":");
	err |= web_json_str(b, n->user);
	err |= buf_addf(b, ",\"rid\":%llu,\"known\":%s,\"before_log\":%s}",
			(unsigned long long)n->record_id,
			n->is_found ? "true" : "false",
			n->is_before_log ? "true" : "false");
	return err ? -ENOMEM : 0;
}

static int collect_node(const struct view_node *n, int depth,
			enum view_node_role role, void *arg)
{
	struct family *fam = arg;
	int err = 0;

	(void)depth;
	if (fam->skip && strcasecmp(n->guid, fam->skip) == 0)
		return 0;
	switch (role) {
	case VIEW_NODE_ANCESTOR:
		if (fam->nancestors++)
			err |= buf_addc(&fam->ancestors, ',');
		err |= put_node(&fam->ancestors, n);
		break;
	case VIEW_NODE_TARGET:
		err |= put_node(&fam->target, n);
		break;
	case VIEW_NODE_DESCENDANT:
		if (fam->nchildren >= WEB_TREE_LIST_MAX) {
			fam->is_children_cut = true;
			return 1; /* enough: stop the walk */
		}
		if (fam->nchildren++)
			err |= buf_addc(&fam->children, ',');
		err |= put_node(&fam->children, n);
		break;
	}
	if (err) {
		fam->err = -ENOMEM;
		return -ENOMEM;
	}
	return 0;
}

static void family_init(struct family *fam, const char *skip)
{
	memset(fam, 0, sizeof(*fam));
	buf_init(&fam->ancestors, 0);
	buf_init(&fam->target, 0);
	buf_init(&fam->children, 0);
	fam->skip = skip;
}

static void family_release(struct family *fam)
{
	buf_release(&fam->ancestors);
	buf_release(&fam->target);
	buf_release(&fam->children);
}

/* The ParentProcessGuid that the first event of guid names, or "". */
static int parent_of(sqlite3 *db, const char *guid, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	rc = sqlite3_prepare_v2(
		db,
		"SELECT vigil_field(EventID, data,"
		" 'ParentProcessGuid') FROM events"
		" WHERE " STORE_SQL_IS("guid_key", "ProcessGuid",
				       "?1") " AND EventID = 1"
					     " ORDER BY EventRecordID LIMIT 1",
		-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		if (t && strcmp((const char *)t, "-") != 0)
			snprintf(out, size, "%s", (const char *)t);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(rc);
}

/* The ProcessTerminate of guid: {"rid":..,"time":..} or null. */
static int put_end(sqlite3 *db, const char *guid, struct buf *out)
{
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(
		db,
		"SELECT EventRecordID, vigil_field(EventID,"
		" data, 'UtcTime') FROM events"
		" WHERE " STORE_SQL_IS("guid_key", "ProcessGuid",
				       "?1") " AND EventID = 5"
					     " ORDER BY EventRecordID LIMIT 1",
		-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, guid, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);

		err |= buf_addf(out, "{\"rid\":%lld,\"time\":",
				(long long)sqlite3_column_int64(st, 0));
		err |= web_json_str(out, t ? (const char *)t : "-");
		err |= buf_addc(out, '}');
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		err |= buf_adds(out, "null");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(rc);
	return err ? -ENOMEM : 0;
}

static int src_process(void *ctx, const char *guid, const char *host,
		       struct buf *out)
{
	sqlite3 *db = ctx;
	struct family fam, sib;
	char parent[VIEW_GUID_MAX];
	int n, err;

	(void)host; /* one host: its GUIDs are its own */
	family_init(&fam, NULL);
	family_init(&sib, guid);
	n = view_tree_walk(db, guid, 1, collect_node, &fam);
	/* not in the log itself: its children may be */
	if (n == 0)
		n = view_children(db, guid, collect_node, &fam);
	err = n < 0 ? n : fam.err;
	if (!err)
		err = parent_of(db, guid, parent, sizeof(parent));
	if (!err && parent[0]) {
		int m = view_children(db, parent, collect_node, &sib);

		err = m < 0 ? m : sib.err;
	}
	if (err)
		goto out;
	buf_adds(out, "{\"guid\":");
	web_json_str(out, guid);
	buf_adds(out, ",\"process\":");
	buf_adds(out, fam.target.len ? fam.target.data : "null");
	buf_addf(out,
		 ",\"ancestors\":[%s],\"children\":[%s],"
		 "\"children_more\":%s,\"siblings\":[%s],"
		 "\"siblings_more\":%s,\"terminated\":",
		 fam.ancestors.len ? fam.ancestors.data : "",
		 fam.children.len ? fam.children.data : "",
		 fam.is_children_cut ? "true" : "false",
		 sib.children.len ? sib.children.data : "",
		 sib.is_children_cut ? "true" : "false");
	err = put_end(db, guid, out);
	buf_addc(out, '}');
	if (!err && out->is_full)
		err = -ENOMEM;
out:
	family_release(&fam);
	family_release(&sib);
	return err;
}

/* ---- histogram and meta ---------------------------------------------- */

static int src_histogram(void *ctx, const struct web_query *q, struct buf *out)
{
	sqlite3 *db = ctx;
	uint64_t min_ns, max_ns, from, bucket, *counts;
	unsigned nb;
	int64_t total;
	int err;

	err = view_time_span(db, &min_ns, &max_ns);
	if (err == -ENODATA) {
		min_ns = max_ns = 0;
	} else if (err) {
		return err;
	}
	web_histogram_range(q, min_ns, max_ns, &from, &bucket, &nb);
	counts = calloc(nb, sizeof(*counts));
	if (!counts)
		return -ENOMEM;
	total = view_histogram(db, &q->f, from, bucket, nb, counts);
	if (total >= 0)
		err = web_put_histogram(out, from, bucket, nb, counts, total,
					q->f.grep[0]);
	free(counts);
	return total < 0 ? (int)total : err;
}

static int src_meta(void *ctx, struct buf *out)
{
	sqlite3 *db = ctx;
	uint64_t min_rid, max_rid, min_ns = 0, max_ns = 0;
	sqlite3_stmt *st = NULL;
	int rc, err, n = 0;

	err = rid_span(db, &min_rid, &max_rid);
	if (!err) {
		err = view_time_span(db, &min_ns, &max_ns);
		if (err == -ENODATA)
			err = 0;
	}
	if (err)
		return err;
	buf_addf(out,
		 "{\"source\":\"local\",\"first_rid\":%llu,\"last_rid\":%llu,"
		 "\"min_ms\":%llu,\"max_ms\":%llu,\"hosts\":[",
		 (unsigned long long)min_rid, (unsigned long long)max_rid,
		 (unsigned long long)(min_ns / NS_PER_MS),
		 (unsigned long long)(max_ns / NS_PER_MS));
	rc = sqlite3_prepare_v2(db,
				"SELECT DISTINCT Computer FROM runs"
				" WHERE Computer IS NOT NULL LIMIT 100",
				-1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		if (n++)
			buf_addc(out, ',');
		web_json_str(out, t ? (const char *)t : "-");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(rc);
	buf_adds(out, "]}");
	return out->is_full ? -ENOMEM : 0;
}

void web_store_source(struct web_source *src, sqlite3 *db)
{
	*src = (struct web_source){
		.name = "local",
		.ctx = db,
		.events = src_events,
		.event = src_event,
		.process = src_process,
		.histogram = src_histogram,
		.meta = src_meta,
	};
}
