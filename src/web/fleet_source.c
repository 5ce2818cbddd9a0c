/* SPDX-License-Identifier: MIT */
/*
 * web/fleet_source.c - the ClickHouse fleet table (clickhouse.h) as a
 * source of the web API: the JSON of the local store's source
 * (store_source.c) over the events of every host that forwards there.
 *
 * Queries: list filters are view_fleet_where()'s, the ones `vigil view
 * --fleet` runs; values go in as quoted literals (ch_quote(): 18.16 has
 * no query parameters), numbers as numbers.  The client sends every
 * request with readonly=2 and a time limit (web/cmd.c), so the server
 * would refuse anything but reading even from a wrong query.
 *
 * Answers are TabSeparated, read strictly (ch_tsv_row()): a row with
 * another number of fields than selected, or a number that is not one,
 * is -EPROTO (502).  A record goes into a reply only when it parses as
 * vigil's JSON rendering (render_parse_json_system()) of the record id
 * and host its row names; otherwise the row is "damaged".  Every other
 * value is written as a JSON string with the renderers' escaping.
 *
 * Record ids are per host: an event is (host, record id), and lists page
 * by key (struct web_key).  The process page follows the parent chain
 * one query per ancestor (at most ANCESTORS_MAX).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clickhouse/clickhouse.h"
#include "event/event.h"
#include "internal.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/log.h"

#define QUERY_MAX_BYTES (256u << 10)
#define TABLE_MAX	256
#define ANCESTORS_MAX	64
#define HOSTS_MAX	1000
#define NS_PER_MS	1000000ull

struct web_fleet {
	struct ch_client *client;
	char table[TABLE_MAX];
	struct buf q, resp;
	char err[512], logged[512];
};

struct web_fleet *web_fleet_new(struct ch_client *client, const char *table)
{
	struct web_fleet *fl;

	if (strlen(table) >= TABLE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return NULL;
	fl->client = client;
	snprintf(fl->table, sizeof(fl->table), "%s", table);
	buf_init(&fl->q, QUERY_MAX_BYTES);
	buf_init(&fl->resp, 0);
	return fl;
}

void web_fleet_free(struct web_fleet *fl)
{
	if (!fl)
		return;
	buf_release(&fl->q);
	buf_release(&fl->resp);
	free(fl);
}

/* ---- queries ---------------------------------------------------------- */

static int begin(struct web_fleet *fl, const char *columns)
{
	buf_reset(&fl->q);
	return buf_addf(&fl->q, "SELECT %s FROM %s WHERE 1", columns,
			fl->table);
}

/* " AND <column> = 'value'" (exact: values the pages took from rows). */
static int add_eq(struct buf *q, const char *column, const char *v)
{
	int err = buf_addf(q, " AND %s = ", column);

	return err | ch_quote(q, v, strlen(v));
}

/* Send fl->q (built with err accumulated); the answer is in fl->resp. */
static int run(struct web_fleet *fl, int err)
{
	if (err || fl->q.is_full)
		return -ENOMEM;
	err = ch_post(fl->client, NULL, fl->q.data, fl->q.len, &fl->resp,
		      fl->err, sizeof(fl->err));
	if (!err)
		return 0;
	/* the log says what went wrong once, not once per request */
	if (strcmp(fl->err, fl->logged) != 0) {
		log_warn("web: fleet: %s", fl->err);
		snprintf(fl->logged, sizeof(fl->logged), "%s", fl->err);
	}
	if (err == -ENOMEM)
		return -ENOMEM;
	return err == -EIO ? -EPROTO : -EHOSTUNREACH;
}

static int key_of(const struct ch_row *row, struct web_key *k)
{
	if (ch_parse_u64(row->v[0], row->len[0], &k->time_ns) ||
	    ch_parse_u64(row->v[1], row->len[1], &k->host_hash) ||
	    ch_parse_u64(row->v[2], row->len[2], &k->rid))
		return -EPROTO;
	return 0;
}

static int put_key(struct buf *out, const char *name, const struct web_key *k)
{
	return buf_addf(out, ",\"%s\":\"%llu.%llu.%llu\"", name,
			(unsigned long long)k->time_ns,
			(unsigned long long)k->host_hash,
			(unsigned long long)k->rid);
}

/* ---- lists -------------------------------------------------------------- */

#define LIST_COLUMNS \
	"time_ns, cityHash64(Computer), EventRecordID, Computer, record"

/* Whether rec is vigil's JSON of the event (host, rid). */
static bool is_record_of(const char *rec, size_t len, uint64_t rid,
			 const char *host, size_t host_len)
{
	struct render_system sys;
	struct event ev;
	bool is_it;

	if (render_parse_json_system(rec, len, &ev, &sys))
		return false;
	is_it = ev.record_id == rid && strlen(sys.computer) == host_len &&
		memcmp(sys.computer, host, host_len) == 0;
	event_release(&ev);
	return is_it;
}

/* {"rid":N,"host":"H","key":"T.H.R","record":{...}} */
static int put_row(struct buf *out, const struct ch_row *row,
		   const struct web_key *k, bool is_first)
{
	const char *host = row->v[3], *rec = row->v[4];
	size_t host_len = row->len[3], rec_len = row->len[4];
	int err = 0;

	err |= buf_addf(out, "%s{\"rid\":%llu,\"host\":", is_first ? "" : ",",
			(unsigned long long)k->rid);
	err |= web_json_strn(out, host, host_len);
	err |= put_key(out, "key", k);
	if (is_record_of(rec, rec_len, k->rid, host, host_len)) {
		err |= buf_adds(out, ",\"record\":");
		err |= buf_add(out, rec, rec_len);
	} else {
		err |= buf_adds(out, ",\"damaged\":true");
	}
	err |= buf_addc(out, '}');
	return err || out->is_full ? -ENOMEM : 0;
}

int web_fleet_rows(char *resp, size_t len, unsigned limit, struct buf *out,
		   unsigned *nrows, struct web_key *first, struct web_key *last)
{
	struct ch_tsv t = { .pos = resp, .end = resp + len };
	struct ch_row row;
	struct web_key k;
	int r = 0, err = 0;

	*nrows = 0;
	while (!err && (r = ch_tsv_row(&t, 5, &row)) == 1) {
		if (key_of(&row, &k))
			return -EPROTO;
		if (++*nrows > limit)
			continue; /* only says there is more */
		if (*nrows == 1)
			*first = k;
		*last = k;
		err = put_row(out, &row, &k, *nrows == 1);
	}
	return err ? err : r;
}

static int fl_events(void *ctx, const struct web_query *q, struct buf *out)
{
	struct web_fleet *fl = ctx;
	const char *dir = q->is_asc ? "" : " DESC";
	struct web_key first = { 0 }, last = { 0 }, next;
	unsigned nrows, n;
	int err;

	/* the record column is by far the largest: the page's events are
	 * picked first without it (by their keys), then only theirs read */
	buf_reset(&fl->q);
	err = buf_addf(&fl->q,
		       "SELECT " LIST_COLUMNS " FROM %s"
		       " WHERE (Computer, EventRecordID) IN ("
		       "SELECT Computer, EventRecordID FROM %s WHERE 1",
		       fl->table, fl->table);
	err |= view_fleet_where(&fl->q, fl->table, &q->f, NULL);
	if (q->has_key)
		err |= buf_addf(&fl->q,
				" AND (time_ns, cityHash64(Computer),"
				" EventRecordID) %c (%llu, %llu, %llu)",
				q->is_asc ? '>' : '<',
				(unsigned long long)q->key.time_ns,
				(unsigned long long)q->key.host_hash,
				(unsigned long long)q->key.rid);
	/* one row more than the page: whether there is more */
	for (int i = 0; i < 2; i++)
		err |= buf_addf(&fl->q,
				" ORDER BY time_ns%s, cityHash64(Computer)%s,"
				" EventRecordID%s LIMIT %u%s",
				dir, dir, dir, q->limit + 1,
				i ? " FORMAT TabSeparated" : ")");
	err = run(fl, err);
	if (err)
		return err;
	buf_adds(out, "{\"events\":[");
	err = web_fleet_rows(fl->resp.data, fl->resp.len, q->limit, out, &nrows,
			     &first, &last);
	if (err)
		return err;
	n = nrows < q->limit ? nrows : q->limit;
	next = n ? last : q->key; /* nothing new: the same place again */
	buf_addf(out, "],\"more\":%s", nrows > q->limit ? "true" : "false");
	put_key(out, q->is_asc ? "next_after" : "next_before", &next);
	/* live mode goes on from the newest event of the first page */
	if (!q->is_asc)
		put_key(out, "live_after", q->has_key ? &q->key : &first);
	buf_addf(out, ",\"count\":%u}", n);
	return out->is_full ? -ENOMEM : 0;
}

static int fl_event(void *ctx, uint64_t rid, const char *host, struct buf *out)
{
	struct web_fleet *fl = ctx;
	struct web_key first, last;
	unsigned nrows;
	int err;

	if (!host)
		return -EINVAL; /* record ids are per host */
	err = begin(fl, LIST_COLUMNS);
	err |= add_eq(&fl->q, "Computer", host);
	err |= buf_addf(&fl->q,
			" AND EventRecordID = %llu LIMIT 1 FORMAT TabSeparated",
			(unsigned long long)rid);
	err = run(fl, err);
	if (err)
		return err;
	err = web_fleet_rows(fl->resp.data, fl->resp.len, 1, out, &nrows,
			     &first, &last);
	if (!err && (nrows == 0 || first.rid != rid))
		return nrows ? -EPROTO : -ENOENT;
	return err;
}

/* ---- the process page --------------------------------------------------- */

/* A node's columns, in the order of struct view_node's strings. */
#define NODE_COLUMNS                                                        \
	"EventRecordID, time_ns, Computer, ProcessGuid, ParentProcessGuid," \
	" ProcessId, Image, CommandLine, User, ParentProcessId, ParentImage"
#define NODE_FIELDS 11

enum node_col {
	N_RID,
	N_TIME,
	N_HOST,
	N_GUID,
	N_PARENT,
	N_PID,
	N_IMAGE,
	N_CMDLINE,
	N_USER,
	N_PPID,
	N_PIMAGE,
};

static int put_str_field(struct buf *b, const char *name, const char *v,
			 size_t n)
{
	int err = buf_addf(b, ",\"%s\":", name);

	return err | web_json_strn(b, v, n);
}

/* A node as store_source.c writes one ("known": it has a ProcessCreate). */
static int put_node(struct buf *b, const struct ch_row *row)
{
	static const struct {
		const char *name;
		enum node_col col;
	} strs[] = {
		{ "parent_guid", N_PARENT }, { "pid", N_PID },
		{ "image", N_IMAGE },	     { "cmdline", N_CMDLINE },
		{ "user", N_USER },
	};
	char time[40];
	uint64_t rid, time_ns;
	int err = 0;

	if (ch_parse_u64(row->v[N_RID], row->len[N_RID], &rid) ||
	    ch_parse_u64(row->v[N_TIME], row->len[N_TIME], &time_ns))
		return -EPROTO;
	event_format_time(time_ns, false, time, sizeof(time));
	err |= buf_adds(b, "{\"guid\":");
	err |= web_json_strn(b, row->v[N_GUID], row->len[N_GUID]);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		err |= put_str_field(b, strs[i].name, row->v[strs[i].col],
				     row->len[strs[i].col]);
	err |= put_str_field(b, "time", time, strlen(time));
	err |= put_str_field(b, "host", row->v[N_HOST], row->len[N_HOST]);
	err |= buf_addf(b, ",\"rid\":%llu,\"known\":true,\"before_log\":false}",
			(unsigned long long)rid);
	return err || b->is_full ? -ENOMEM : 0;
}

/* A parent known only from its child's row: guid, pid and image. */
static int put_unknown(struct buf *b, const struct ch_row *child)
{
	int err = buf_adds(b, "{\"guid\":");

	err |= web_json_strn(b, child->v[N_PARENT], child->len[N_PARENT]);
	err |= put_str_field(b, "pid", child->v[N_PPID], child->len[N_PPID]);
	err |= put_str_field(b, "image", child->v[N_PIMAGE],
			     child->len[N_PIMAGE]);
	err |= buf_adds(b, ",\"known\":false,\"before_log\":false}");
	return err || b->is_full ? -ENOMEM : 0;
}

/* " AND EventID = id AND ProcessGuid = lower('guid')", and the host's
 * rows only when host is set. */
static int add_process(struct web_fleet *fl, unsigned id, const char *guid,
		       const char *host)
{
	char cond[40];
	int err;

	snprintf(cond, sizeof(cond), " AND EventID = %u", id);
	err = buf_adds(&fl->q, cond);
	err |= buf_adds(&fl->q, " AND ProcessGuid = lower(");
	err |= ch_quote(&fl->q, guid, strlen(guid));
	err |= buf_addc(&fl->q, ')');
	if (host[0])
		err |= add_eq(&fl->q, "Computer", host);
	return err;
}

/* The ProcessCreate of guid (on host, when not ""): 1 with the row in
 * *row (pointing into fl->resp), 0 when there is none. */
static int find_create(struct web_fleet *fl, const char *guid, const char *host,
		       struct ch_row *row)
{
	struct ch_tsv t;
	int err;

	err = begin(fl, NODE_COLUMNS);
	err |= add_process(fl, 1, guid, host);
	err |= buf_adds(&fl->q, " ORDER BY time_ns, EventRecordID LIMIT 1"
				" FORMAT TabSeparated");
	err = run(fl, err);
	if (err)
		return err;
	t = (struct ch_tsv){ .pos = fl->resp.data,
			     .end = fl->resp.data + fl->resp.len };
	return ch_tsv_row(&t, NODE_FIELDS, row);
}

/* The ProcessCreate events naming parent, oldest first, but skip's, as
 * a list of nodes in out; *is_cut when there were more. */
static int put_children(struct web_fleet *fl, const char *parent,
			const char *host, const char *skip, struct buf *out,
			bool *is_cut)
{
	struct ch_tsv t;
	struct ch_row row;
	unsigned n = 0;
	int err, r;

	*is_cut = false;
	err = begin(fl, NODE_COLUMNS);
	err |= buf_adds(&fl->q, " AND EventID = 1");
	err |= buf_adds(&fl->q, " AND ParentProcessGuid = lower(");
	err |= ch_quote(&fl->q, parent, strlen(parent));
	err |= buf_addc(&fl->q, ')');
	if (skip) {
		err |= buf_adds(&fl->q, " AND ProcessGuid != lower(");
		err |= ch_quote(&fl->q, skip, strlen(skip));
		err |= buf_addc(&fl->q, ')');
	}
	if (host[0])
		err |= add_eq(&fl->q, "Computer", host);
	err |= buf_addf(&fl->q,
			" ORDER BY time_ns, EventRecordID LIMIT %u"
			" FORMAT TabSeparated",
			WEB_TREE_LIST_MAX + 1);
	err = run(fl, err);
	if (err)
		return err;
	t = (struct ch_tsv){ .pos = fl->resp.data,
			     .end = fl->resp.data + fl->resp.len };
	while ((r = ch_tsv_row(&t, NODE_FIELDS, &row)) == 1) {
		if (n == WEB_TREE_LIST_MAX) {
			*is_cut = true;
			break;
		}
		if (n++)
			buf_addc(out, ',');
		err = put_node(out, &row);
		if (err)
			return err;
	}
	return r < 0 ? r : 0;
}

/* The ProcessTerminate of guid: {"rid":..,"time":..} or null. */
static int put_end(struct web_fleet *fl, const char *guid, const char *host,
		   struct buf *out)
{
	struct ch_tsv t;
	struct ch_row row;
	uint64_t rid, time_ns;
	char time[40];
	int err, r;

	err = begin(fl, "EventRecordID, time_ns");
	err |= add_process(fl, 5, guid, host);
	err |= buf_adds(&fl->q, " ORDER BY time_ns LIMIT 1"
				" FORMAT TabSeparated");
	err = run(fl, err);
	if (err)
		return err;
	t = (struct ch_tsv){ .pos = fl->resp.data,
			     .end = fl->resp.data + fl->resp.len };
	r = ch_tsv_row(&t, 2, &row);
	if (r <= 0)
		return r < 0 ? r : buf_adds(out, "null");
	if (ch_parse_u64(row.v[0], row.len[0], &rid) ||
	    ch_parse_u64(row.v[1], row.len[1], &time_ns))
		return -EPROTO;
	event_format_time(time_ns, false, time, sizeof(time));
	return buf_addf(out, "{\"rid\":%llu,\"time\":\"%s\"}",
			(unsigned long long)rid, time);
}

struct process_page {
	char host[WEB_HOST_MAX];
	char parent[VIEW_GUID_MAX]; /* the process's parent ("" unknown) */
	struct buf target, ancestors[ANCESTORS_MAX];
	char seen[ANCESTORS_MAX + 1][VIEW_GUID_MAX]; /* the GUIDs walked */
	unsigned nancestors;
};

/* Whether guid was walked already (a cycle in the parent chain). */
static bool is_seen(const struct process_page *pg, const char *guid)
{
	for (unsigned i = 0; i <= pg->nancestors; i++)
		if (strcasecmp(pg->seen[i], guid) == 0)
			return true;
	return false;
}

static bool is_guid_text(const char *s, size_t n)
{
	return n > 0 && n < VIEW_GUID_MAX && strlen(s) == n &&
	       strcmp(s, "-") != 0;
}

/*
 * The process (on host, or wherever it is when host is ""), then its
 * ancestors up the ParentProcessGuid chain until one without a
 * ProcessCreate (written from its child's row), a cycle, or
 * ANCESTORS_MAX.  Sets pg->host to the process's host when found.
 */
static int walk_up(struct web_fleet *fl, const char *guid,
		   struct process_page *pg)
{
	struct ch_row row;
	int r;

	r = find_create(fl, guid, pg->host, &row);
	if (r <= 0)
		return r;
	snprintf(pg->host, sizeof(pg->host), "%.*s", (int)row.len[N_HOST],
		 row.v[N_HOST]);
	snprintf(pg->seen[0], VIEW_GUID_MAX, "%s", guid);
	r = put_node(&pg->target, &row);
	if (r || !is_guid_text(row.v[N_PARENT], row.len[N_PARENT]))
		return r;
	snprintf(pg->parent, sizeof(pg->parent), "%s", row.v[N_PARENT]);
	/* row is the child whose parent comes next; it lives in fl->resp,
	 * so what is kept of it is copied before the next query */
	while (pg->nancestors < ANCESTORS_MAX &&
	       !is_seen(pg, row.v[N_PARENT])) {
		struct buf *b = &pg->ancestors[pg->nancestors];
		char *cur = pg->seen[++pg->nancestors];

		snprintf(cur, VIEW_GUID_MAX, "%s", row.v[N_PARENT]);
		r = put_unknown(b, &row);
		if (r)
			return r;
		r = find_create(fl, cur, pg->host, &row);
		if (r <= 0)
			return r; /* not in the log: the unknown node stays */
		buf_reset(b);
		r = put_node(b, &row);
		if (r || !is_guid_text(row.v[N_PARENT], row.len[N_PARENT]))
			return r;
	}
	return 0;
}

static int fl_process(void *ctx, const char *guid, const char *host,
		      struct buf *out)
{
	struct web_fleet *fl = ctx;
	struct process_page *pg = calloc(1, sizeof(*pg));
	struct buf kids, sibs;
	bool is_kids_cut = false, is_sibs_cut = false;
	int err;

	if (!pg)
		return -ENOMEM;
	buf_init(&kids, 0);
	buf_init(&sibs, 0);
	buf_init(&pg->target, 0);
	for (unsigned i = 0; i < ANCESTORS_MAX; i++)
		buf_init(&pg->ancestors[i], 0);
	if (host)
		snprintf(pg->host, sizeof(pg->host), "%s", host);
	err = walk_up(fl, guid, pg);
	/* without its ProcessCreate and a host: its children tell nothing
	 * about which host's GUID this is, so they are all listed */
	if (!err)
		err = put_children(fl, guid, pg->host, NULL, &kids,
				   &is_kids_cut);
	if (!err && pg->parent[0])
		err = put_children(fl, pg->parent, pg->host, guid, &sibs,
				   &is_sibs_cut);
	if (err)
		goto out;
	buf_adds(out, "{\"guid\":");
	web_json_str(out, guid);
	buf_adds(out, ",\"host\":");
	web_json_str(out, pg->host);
	buf_adds(out, ",\"process\":");
	buf_adds(out, pg->target.len ? pg->target.data : "null");
	buf_adds(out, ",\"ancestors\":[");
	for (unsigned i = pg->nancestors; i-- > 0;)
		buf_addf(out, "%s%s", pg->ancestors[i].data, i ? "," : "");
	buf_addf(out,
		 "],\"children\":[%s],\"children_more\":%s,"
		 "\"siblings\":[%s],\"siblings_more\":%s,\"terminated\":",
		 kids.len ? kids.data : "", is_kids_cut ? "true" : "false",
		 sibs.len ? sibs.data : "", is_sibs_cut ? "true" : "false");
	err = put_end(fl, guid, pg->host, out);
	buf_addc(out, '}');
	if (!err && out->is_full)
		err = -ENOMEM;
out:
	buf_release(&kids);
	buf_release(&sibs);
	buf_release(&pg->target);
	for (unsigned i = 0; i < ANCESTORS_MAX; i++)
		buf_release(&pg->ancestors[i]);
	free(pg);
	return err;
}

/* ---- histogram and meta ----------------------------------------------- */

static int fl_histogram(void *ctx, const struct web_query *q, struct buf *out)
{
	struct web_fleet *fl = ctx;
	uint64_t min_ns = 0, max_ns = 0, from, bucket, *counts;
	struct ch_tsv t;
	struct ch_row row;
	unsigned nb;
	int64_t total = 0;
	int err, r;

	if (!q->f.has_since || !q->f.has_until) {
		err = begin(fl, "min(time_ns), max(time_ns)");
		err |= view_fleet_where(&fl->q, fl->table, &q->f, NULL);
		err |= buf_adds(&fl->q, " FORMAT TabSeparated");
		err = run(fl, err);
		if (err)
			return err;
		t = (struct ch_tsv){ .pos = fl->resp.data,
				     .end = fl->resp.data + fl->resp.len };
		if (ch_tsv_row(&t, 2, &row) != 1 ||
		    ch_parse_u64(row.v[0], row.len[0], &min_ns) ||
		    ch_parse_u64(row.v[1], row.len[1], &max_ns))
			return -EPROTO;
	}
	web_histogram_range(q, min_ns, max_ns, &from, &bucket, &nb);
	buf_reset(&fl->q);
	err = buf_addf(&fl->q,
		       "SELECT intDiv(time_ns - %llu, %llu) AS b, count()"
		       " FROM %s WHERE time_ns >= %llu AND time_ns < %llu",
		       (unsigned long long)from, (unsigned long long)bucket,
		       fl->table, (unsigned long long)from,
		       (unsigned long long)(from + nb * bucket));
	err |= view_fleet_where(&fl->q, fl->table, &q->f, NULL);
	err |= buf_adds(&fl->q, " GROUP BY b ORDER BY b FORMAT TabSeparated");
	err = run(fl, err);
	if (err)
		return err;
	counts = calloc(nb, sizeof(*counts));
	if (!counts)
		return -ENOMEM;
	t = (struct ch_tsv){ .pos = fl->resp.data,
			     .end = fl->resp.data + fl->resp.len };
	while ((r = ch_tsv_row(&t, 2, &row)) == 1) {
		uint64_t b, n;

		if (ch_parse_u64(row.v[0], row.len[0], &b) ||
		    ch_parse_u64(row.v[1], row.len[1], &n) || b >= nb ||
		    n > INT64_MAX - (uint64_t)total) {
			r = -EPROTO;
			break;
		}
		counts[b] = n;
		total += (int64_t)n;
	}
	if (r == 0)
		err = web_put_histogram(out, from, bucket, nb, counts, total,
					false);
	free(counts);
	return r < 0 ? r : err;
}

static int fl_meta(void *ctx, struct buf *out)
{
	struct web_fleet *fl = ctx;
	uint64_t events = 0, min_ns = UINT64_MAX, max_ns = 0;
	struct buf hosts;
	struct ch_tsv t;
	struct ch_row row;
	unsigned n = 0;
	int err, r;

	err = begin(fl, "Computer, count(), min(time_ns), max(time_ns)");
	err |= buf_addf(&fl->q,
			" GROUP BY Computer ORDER BY Computer LIMIT %u"
			" FORMAT TabSeparated",
			HOSTS_MAX);
	err = run(fl, err);
	if (err)
		return err;
	buf_init(&hosts, 0);
	t = (struct ch_tsv){ .pos = fl->resp.data,
			     .end = fl->resp.data + fl->resp.len };
	while ((r = ch_tsv_row(&t, 4, &row)) == 1) {
		uint64_t c, lo, hi;

		if (ch_parse_u64(row.v[1], row.len[1], &c) ||
		    ch_parse_u64(row.v[2], row.len[2], &lo) ||
		    ch_parse_u64(row.v[3], row.len[3], &hi)) {
			r = -EPROTO;
			break;
		}
		events += c;
		min_ns = lo < min_ns ? lo : min_ns;
		max_ns = hi > max_ns ? hi : max_ns;
		if (n++)
			buf_addc(&hosts, ',');
		web_json_strn(&hosts, row.v[0], row.len[0]);
	}
	if (r == 0) {
		buf_addf(out,
			 "{\"source\":\"fleet\",\"events\":%llu,"
			 "\"min_ms\":%llu,\"max_ms\":%llu,\"hosts\":[%s]}",
			 (unsigned long long)events,
			 (unsigned long long)(n ? min_ns / NS_PER_MS : 0),
			 (unsigned long long)(max_ns / NS_PER_MS),
			 hosts.len ? hosts.data : "");
		err = out->is_full || hosts.is_full ? -ENOMEM : 0;
	}
	buf_release(&hosts);
	return r < 0 ? r : err;
}

void web_fleet_source(struct web_source *src, struct web_fleet *fl)
{
	*src = (struct web_source){
		.name = "fleet",
		.is_keyed = true,
		.ctx = fl,
		.events = fl_events,
		.event = fl_event,
		.process = fl_process,
		.histogram = fl_histogram,
		.meta = fl_meta,
	};
}
