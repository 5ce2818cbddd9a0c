/* SPDX-License-Identifier: MIT */
/*
 * view/query.c - filters of `vigil view` as one SQL query on the store.
 *
 * Conditions on fields that have an indexed key (store_is_column():
 * ProcessGuid, ParentProcessGuid, Image) find rows by the key of the
 * value (store_key(), any ASCII case) and check the value itself
 * (vigil_is()); other fields, and "contains" conditions, are
 * read from the stored values with vigil_field(), Computer from the
 * row's run.  Time bounds become record id bounds through the store's
 * segments, then are checked exactly.  Values are always bound, never
 * pasted into the SQL.
 *
 * Each row is rebuilt into an event and rendered as vigil's JSON (the
 * record --grep searches and --format json prints).
 */
#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "event/event.h"
#include "render/render.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/duration.h"
#include "view.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int view_parse_ids(const char *s, struct view_filter *f, char *err,
		   size_t errlen)
{
	const char *p = s;

	do {
		char *end;
		unsigned long id;

		if (!isdigit((unsigned char)*p)) {
			set_err(err, errlen, "bad event id list '%s'", s);
			return -EINVAL;
		}
		id = strtoul(p, &end, 10);
		if (!catalog_lookup(id > 1000 ? 0 : (unsigned)id)) {
			set_err(err, errlen, "no event with id %.20s", p);
			return -EINVAL;
		}
		if (f->nids >= VIEW_MAX_IDS) {
			set_err(err, errlen, "at most %d event ids",
				VIEW_MAX_IDS);
			return -EINVAL;
		}
		f->ids[f->nids++] = (unsigned)id;
		p = end;
		if (*p == ',')
			p++;
		else if (*p) {
			set_err(err, errlen, "bad event id list '%s'", s);
			return -EINVAL;
		}
	} while (*p);
	return 0;
}

/* "N[smhdw]" before now_ns; a unit is required. */
static int parse_relative(const char *s, uint64_t now_ns, uint64_t *out)
{
	uint64_t ago_s;

	if (duration_parse(s, DURATION_WEEKS, &ago_s) < 0)
		return -EINVAL;
	if (ago_s > now_ns / 1000000000ull)
		return -EINVAL; /* before the epoch */
	*out = now_ns - ago_s * 1000000000ull;
	return 0;
}

static int parse_absolute(const char *s, uint64_t *out)
{
	struct tm tm = { 0 };
	int n = 0, got, y, mon, day;
	time_t t;

	got = sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		     &n);
	if (got != 3)
		return -EINVAL;
	s += n;
	if (*s == ' ' || *s == 'T') {
		n = 0;
		got = sscanf(s + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n);
		if (got != 2)
			return -EINVAL;
		s += 1 + n;
		if (*s == ':') {
			n = 0;
			if (sscanf(s + 1, "%2d%n", &tm.tm_sec, &n) != 1)
				return -EINVAL;
			s += 1 + n;
		}
	}
	if (*s == 'Z')
		s++;
	if (*s || tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59 || tm.tm_hour < 0 ||
	    tm.tm_min < 0 || tm.tm_sec < 0)
		return -EINVAL;
	y = tm.tm_year;
	mon = tm.tm_mon;
	day = tm.tm_mday;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	/* timegm() rolls 2026-02-30 over to March: a date it changed did
	 * not exist. */
	if (t < 0 || tm.tm_year + 1900 != y || tm.tm_mon + 1 != mon ||
	    tm.tm_mday != day)
		return -EINVAL;
	*out = (uint64_t)t * 1000000000ull;
	return 0;
}

int view_parse_time(const char *s, uint64_t now_ns, uint64_t *out_ns, char *err,
		    size_t errlen)
{
	if (parse_relative(s, now_ns, out_ns) == 0 ||
	    parse_absolute(s, out_ns) == 0)
		return 0;
	set_err(err, errlen,
		"bad time '%s' (want YYYY-MM-DD[ HH:MM[:SS]] in UTC, or an "
		"age like 10m, 2h, 3d)",
		s);
	return -EINVAL;
}

/* The catalogue's spelling of a field name given in any case, or NULL. */
static const char *canonical_field(const char *name)
{
	for (size_t i = 0; i < catalog_count(); i++) {
		const struct catalog_event *e = catalog_at(i);

		for (unsigned k = 0; k < e->nfields; k++)
			if (strcasecmp(e->fields[k].name, name) == 0)
				return e->fields[k].name;
	}
	if (strcasecmp(name, "Computer") == 0)
		return "Computer";
	return NULL;
}

int view_parse_cond(const char *s, struct view_cond *c, char *err,
		    size_t errlen)
{
	size_t n = strcspn(s, "=~"), len;
	char name[VIEW_NAME_MAX];
	const char *canon;

	if (!s[n] || n == 0 || n >= sizeof(name)) {
		set_err(err, errlen,
			"bad field condition '%s' (want Name=value or "
			"Name~value)",
			s);
		return -EINVAL;
	}
	memcpy(name, s, n);
	name[n] = '\0';
	canon = canonical_field(name);
	if (!canon) {
		set_err(err, errlen, "no event has a field called '%s'", name);
		return -EINVAL;
	}
	if (strlen(s + n + 1) >= sizeof(c->value)) {
		set_err(err, errlen, "value of %s is too long", name);
		return -EINVAL;
	}
	snprintf(c->name, sizeof(c->name), "%s", canon);
	snprintf(c->value, sizeof(c->value), "%s", s + n + 1);
	/* Typed as the output shows it: "\xNN" is the byte (render.h). */
	render_value_decode(c->value, c->value, strlen(c->value), &len, false);
	c->value[len] = '\0';
	c->is_contains = s[n] == '~';
	return 0;
}

/*
 * The needle of --grep as it appears inside the JSON record: the record
 * escapes quotes, backslashes and control bytes, so escape the needle
 * the same way or it could never match such text.  Lower-cased (ASCII),
 * as the record is compared.
 */
int view_json_needle(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int err = 0;

	for (; *s && !err; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			err = buf_addc(b, '\\');
			if (!err)
				err = buf_addc(b, (char)c);
		} else if (c == '\n') {
			err = buf_adds(b, "\\n");
		} else if (c == '\t') {
			err = buf_adds(b, "\\t");
		} else if (c == '\r') {
			err = buf_adds(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			char u[7] = { '\\',	   'u',		'0', '0',
				      hex[c >> 4], hex[c & 15], 0 };
			err = buf_adds(b, u);
		} else {
			err = buf_addc(b, (char)(c >= 'A' && c <= 'Z'
							 ? c - 'A' + 'a'
							 : c));
		}
	}
	return err;
}

/* Whether hay holds needle (already lower case), ignoring ASCII case. */
static bool has_text(const char *hay, size_t len, const char *needle,
		     size_t nlen)
{
	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= len; i++) {
		size_t k = 0;

		while (k < nlen) {
			unsigned char c = (unsigned char)hay[i + k];

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (c != (unsigned char)needle[k])
				break;
			k++;
		}
		if (k == nlen)
			return true;
	}
	return false;
}

enum bind_kind { BIND_INT, BIND_TEXT };

struct bind {
	enum bind_kind kind;
	int64_t i;
	const char *t;
};

#define MAX_BINDS (VIEW_MAX_IDS + VIEW_MAX_CONDS * 2 + 12)

struct sql {
	struct buf text;
	struct bind binds[MAX_BINDS];
	int nbinds;
	char process[VIEW_GUID_MAX];
	struct buf grep;
};

static void bind_int(struct sql *q, int64_t v)
{
	q->binds[q->nbinds++] = (struct bind){ .kind = BIND_INT, .i = v };
}

static void bind_text(struct sql *q, const char *v)
{
	q->binds[q->nbinds++] = (struct bind){ .kind = BIND_TEXT, .t = v };
}

/* Event ids, time and record id bounds. */
static int build_bounds(struct sql *q, const struct view_filter *f,
			uint64_t after_id)
{
	struct buf *b = &q->text;
	int err = 0;

	if (f->nids) {
		err |= buf_adds(b, " AND e.EventID IN (");
		for (unsigned i = 0; i < f->nids; i++) {
			err |= buf_adds(b, i ? ",?" : "?");
			bind_int(q, f->ids[i]);
		}
		err |= buf_adds(b, ")");
	}
	/* every event of a time range lies in a segment that overlaps it */
	if (f->has_since) {
		err |= buf_addf(b,
				" AND e.time_ns >= ?%d AND e.EventRecordID >="
				" (SELECT coalesce(min(first_rid),"
				" 9223372036854775807) FROM segments"
				" WHERE max_time_ns >= ?%d)",
				q->nbinds + 1, q->nbinds + 1);
		bind_int(q, (int64_t)f->since_ns);
	}
	if (f->has_until) {
		err |= buf_addf(b,
				" AND e.time_ns < ?%d AND e.EventRecordID <="
				" (SELECT coalesce(max(last_rid), 0) FROM"
				" segments WHERE min_time_ns < ?%d)",
				q->nbinds + 1, q->nbinds + 1);
		bind_int(q, (int64_t)f->until_ns);
	}
	if (f->from_id) {
		err |= buf_adds(b, " AND e.EventRecordID >= ?");
		bind_int(q, (int64_t)f->from_id);
	}
	if (f->to_id) {
		err |= buf_adds(b, " AND e.EventRecordID <= ?");
		bind_int(q, (int64_t)f->to_id);
	}
	if (after_id) {
		err |= buf_adds(b, " AND e.EventRecordID > ?");
		bind_int(q, (int64_t)after_id);
	}
	return err;
}

/*
 * The events of one process: two index lookups, and the events 8 and 10
 * it is the source of, which have no column.  Those happen while it
 * lives, so they are read between its first and last own events (its
 * ProcessCreate and ProcessTerminate when the log has them): two more
 * index lookups and a short scan, not one of the whole store.
 */
static int build_process(struct sql *q, const struct view_filter *f)
{
	int n;

	snprintf(q->process, sizeof(q->process), "%s", f->process);
	bind_text(q, q->process);
	n = q->nbinds;
	return buf_addf(
		&q->text,
		" AND e.EventRecordID IN ("
		"SELECT EventRecordID FROM events WHERE guid_key ="
		" vigil_key(?%d) AND vigil_is(EventID, data, 'ProcessGuid',"
		" ?%d)"
		" UNION ALL SELECT EventRecordID FROM events"
		" WHERE parent_key = vigil_key(?%d) AND EventID = 1"
		" AND vigil_is(EventID, data, 'ParentProcessGuid', ?%d)"
		" UNION ALL SELECT EventRecordID FROM events"
		" WHERE EventRecordID BETWEEN"
		" (SELECT min(EventRecordID) FROM events"
		" WHERE guid_key = vigil_key(?%d)) AND"
		" (SELECT max(EventRecordID) FROM events"
		" WHERE guid_key = vigil_key(?%d))"
		" AND EventID IN (8, 10) AND vigil_is(EventID, data,"
		" CASE EventID WHEN 8 THEN 'SourceProcessGuid'"
		" ELSE 'SourceProcessGUID' END, ?%d))",
		n, n, n, n, n, n, n);
}

/* The key column of a field with one, or NULL. */
static const char *key_column(const char *name)
{
	for (unsigned k = 0; k < STORE_NCOLUMNS; k++)
		if (strcmp(name, store_columns[k]) == 0)
			return store_key_columns[k];
	return NULL;
}

/* Field conditions: indexed column, the run's Computer, or the values. */
static int build_conds(struct sql *q, const struct view_filter *f)
{
	struct buf *b = &q->text;
	int err = 0;

	if (f->process[0])
		err |= build_process(q, f);

	for (unsigned i = 0; i < f->nconds; i++) {
		const struct view_cond *c = &f->conds[i];

		/* an indexed value: its key narrows, the value decides */
		if (key_column(c->name) && !c->is_contains) {
			bind_text(q, c->value);
			err |= buf_addf(b,
					" AND e.%s = vigil_key(?%d) AND"
					" vigil_is(e.EventID, e.data, '%s',"
					" ?%d)",
					key_column(c->name), q->nbinds, c->name,
					q->nbinds);
			continue;
		}
		if (strcmp(c->name, "Computer") == 0) {
			err |= buf_adds(
				b, c->is_contains
					   ? " AND instr(lower(r.Computer),"
					     " lower(?)) > 0"
					   : " AND r.Computer = ?"
					     " COLLATE NOCASE");
			bind_text(q, c->value);
			continue;
		}
		err |= buf_adds(b, c->is_contains
					   ? " AND instr(lower(vigil_field("
					     "e.EventID, e.data, ?)),"
					     " lower(?)) > 0"
					   : " AND vigil_field(e.EventID,"
					     " e.data, ?) = ? COLLATE NOCASE");
		bind_text(q, c->name);
		bind_text(q, c->value);
	}
	return err;
}

bool view_filter_is_indexed(const struct view_filter *f)
{
	if (f->grep[0])
		return false;
	for (unsigned i = 0; i < f->nconds; i++)
		if (!store_is_column(f->conds[i].name) ||
		    f->conds[i].is_contains)
			return false;
	return true;
}

static int build(struct sql *q, const struct view_filter *f, uint64_t after_id)
{
	struct buf *b = &q->text;
	bool asc = f->is_oldest_first || after_id;
	int err = 0;

	err |= buf_adds(b, "SELECT e.EventRecordID, e.time_ns, e.EventID,"
			   " e.created_ns, e.data, r.run, r.Computer,"
			   " r.ProviderName, r.ProviderGuid, r.Channel,"
			   " r.ProcessID, r.ThreadID, r.UserId"
			   " FROM events e LEFT JOIN runs r ON r.run = e.run"
			   " WHERE 1");
	err |= build_bounds(q, f, after_id);
	err |= build_conds(q, f);
	if (f->grep[0])
		err |= view_json_needle(&q->grep, f->grep);
	err |= buf_adds(b, asc ? " ORDER BY e.EventRecordID ASC"
			       : " ORDER BY e.EventRecordID DESC");
	/* --grep reads the rebuilt record: the limit counts its matches */
	if (f->limit && !f->grep[0]) {
		err |= buf_adds(b, " LIMIT ?");
		bind_int(q,
			 f->limit > INT64_MAX ? INT64_MAX : (int64_t)f->limit);
	}
	return err ? -ENOMEM : 0;
}

static int db_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return -EACCES;
	default:
		return -EIO;
	}
}

static const char *col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

/*
 * Rebuild the row at st into ev and its JSON record into line.  A row
 * that does not decode (damaged or foreign) is passed on as not valid.
 */
static int read_row(sqlite3_stmt *st, struct view_row *row, struct event *ev,
		    struct buf *line)
{
	int err;

	*row = (struct view_row){
		.record_id = (uint64_t)sqlite3_column_int64(st, 0),
		.time_ns = (uint64_t)sqlite3_column_int64(st, 1),
		.event_id = (unsigned)sqlite3_column_int(st, 2),
		.created_ns = (uint64_t)sqlite3_column_int64(st, 3),
		.record = "",
	};
	if (sqlite3_column_type(st, 5) == SQLITE_NULL)
		return 0; /* no run: the System values are gone */
	row->host.computer = col_text(st, 6);
	row->host.provider_name = col_text(st, 7);
	row->host.provider_guid = col_text(st, 8);
	row->host.channel = col_text(st, 9);
	row->host.pid = (unsigned)sqlite3_column_int64(st, 10);
	row->host.tid = (unsigned)sqlite3_column_int64(st, 11);
	row->host.euid = (unsigned)sqlite3_column_int64(st, 12);
	err = store_record_decode(ev, row->event_id, sqlite3_column_blob(st, 4),
				  (size_t)sqlite3_column_bytes(st, 4));
	if (err == -EINVAL)
		return 0;
	if (err < 0)
		return err;
	ev->record_id = row->record_id;
	ev->time_ns = row->time_ns;
	buf_reset(line);
	err = render_event(line, &row->host, ev, RENDER_JSON, row->created_ns);
	if (err < 0)
		return err == -ENOBUFS ? 0 : err;
	row->ev = ev;
	row->record = line->data;
	row->record_len = line->len;
	row->is_valid = true;
	return 0;
}

static int run_query(sqlite3_stmt *st, struct sql *q,
		     const struct view_filter *f, view_row_fn *fn, void *arg,
		     int64_t *n)
{
	struct event ev = { 0 };
	struct buf line;
	int rc, err = 0;

	buf_init(&line, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct view_row row;
		int r;

		event_release(&ev);
		err = read_row(st, &row, &ev, &line);
		if (err < 0)
			break;
		/* --grep: only valid rows have a record to search */
		if (f->grep[0] &&
		    (!row.is_valid || !has_text(row.record, row.record_len,
						q->grep.data, q->grep.len)))
			continue;
		(*n)++;
		r = fn(&row, arg);
		if (r) {
			*n = r;
			break;
		}
		if (f->grep[0] && f->limit && (uint64_t)*n >= f->limit)
			break;
	}
	event_release(&ev);
	buf_release(&line);
	if (err < 0)
		return err;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(rc);
}

static int prepare(sqlite3 *db, struct sql *q, sqlite3_stmt **st)
{
	int rc;

	if (q->text.is_full)
		return -ENOMEM;
	rc = sqlite3_prepare_v2(db, q->text.data, -1, st, NULL);
	if (rc != SQLITE_OK)
		return db_err(rc);
	for (int i = 0; i < q->nbinds; i++) {
		if (q->binds[i].kind == BIND_INT)
			sqlite3_bind_int64(*st, i + 1, q->binds[i].i);
		else
			sqlite3_bind_text(*st, i + 1, q->binds[i].t, -1,
					  SQLITE_STATIC);
	}
	return 0;
}

int64_t view_query(sqlite3 *db, const struct view_filter *f, uint64_t after_id,
		   view_row_fn *fn, void *arg)
{
	struct sql *q = calloc(1, sizeof(*q));
	sqlite3_stmt *st = NULL;
	int64_t n = 0;
	int err;

	if (!q)
		return -ENOMEM;
	buf_init(&q->text, 64 * 1024);
	buf_init(&q->grep, 8 * VIEW_VALUE_MAX);
	err = build(q, f, after_id);
	if (err < 0) {
		n = -ENOMEM;
		goto out;
	}
	err = prepare(db, q, &st);
	if (err < 0) {
		n = err;
		goto out;
	}
	err = run_query(st, q, f, fn, arg, &n);
	if (err < 0)
		n = err;
out:
	sqlite3_finalize(st);
	buf_release(&q->text);
	buf_release(&q->grep);
	free(q);
	return n;
}

int64_t view_histogram(sqlite3 *db, const struct view_filter *f,
		       uint64_t from_ns, uint64_t bucket_ns, unsigned nbuckets,
		       uint64_t *counts)
{
	struct view_filter g = *f;
	struct sql *q;
	sqlite3_stmt *st = NULL;
	uint64_t span;
	int64_t total = 0;
	int rc, err;

	if (!nbuckets || !bucket_ns || bucket_ns > UINT64_MAX / nbuckets ||
	    from_ns > INT64_MAX)
		return -EINVAL;
	span = bucket_ns * nbuckets;
	/* the buckets are a time range: let the segments bound the ids */
	if (!g.has_since || g.since_ns < from_ns) {
		g.has_since = true;
		g.since_ns = from_ns;
	}
	if (from_ns + span > from_ns && from_ns + span <= INT64_MAX &&
	    (!g.has_until || g.until_ns > from_ns + span)) {
		g.has_until = true;
		g.until_ns = from_ns + span;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	buf_init(&q->text, 64 * 1024);
	buf_init(&q->grep, 8 * VIEW_VALUE_MAX);
	err = buf_adds(&q->text, "SELECT (e.time_ns - ?1) / ?2, count(*)"
				 " FROM events e LEFT JOIN runs r"
				 " ON r.run = e.run WHERE 1");
	bind_int(q, (int64_t)from_ns);
	bind_int(q, bucket_ns > INT64_MAX ? INT64_MAX : (int64_t)bucket_ns);
	err |= build_bounds(q, &g, 0);
	err |= build_conds(q, &g);
	err |= buf_adds(&q->text, " GROUP BY 1");
	memset(counts, 0, sizeof(*counts) * nbuckets);
	if (err) {
		total = -ENOMEM;
		goto out;
	}
	err = prepare(db, q, &st);
	if (err) {
		total = err;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t i = sqlite3_column_int64(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);

		if (i < 0 || i >= (int64_t)nbuckets || n < 0)
			continue;
		counts[i] += (uint64_t)n;
		total += n;
	}
	if (rc != SQLITE_DONE)
		total = db_err(rc);
out:
	sqlite3_finalize(st);
	buf_release(&q->text);
	buf_release(&q->grep);
	free(q);
	return total;
}

int view_time_span(sqlite3 *db, uint64_t *min_ns, uint64_t *max_ns)
{
	sqlite3_stmt *st = NULL;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(db,
				"SELECT min(min_time_ns), max(max_time_ns)"
				" FROM segments",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_err(rc);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		err = db_err(rc);
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		err = -ENODATA;
	else {
		*min_ns = (uint64_t)sqlite3_column_int64(st, 0);
		*max_ns = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return err;
}

void view_put_safe(FILE *out, const char *s, size_t len)
{
	struct buf b;

	/* The text format's escaping, so --tree and --check write a value
	 * exactly as the event text does. */
	buf_init(&b, 0);
	if (render_value_text(&b, s, len) < 0)
		fputs("(out of memory)", out);
	else if (b.len)
		fwrite(b.data, 1, b.len, out);
	buf_release(&b);
}
