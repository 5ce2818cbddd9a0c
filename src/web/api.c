/* SPDX-License-Identifier: MIT */
/*
 * web/api.c - the JSON API of the web viewer: routes, strict parameter
 * checks, and the hand-over to a source (internal.h).  Pure: no I/O of
 * its own, so the unit test drives it over a real store without a
 * server.
 *
 * Every parameter is checked against the route's list: an unknown name,
 * a repeated one (but field=), a malformed or oversized value is a 400
 * that says which.  Filters are view/'s (view_parse_ids/time/cond), so
 * the page filters exactly as `vigil view` does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "internal.h"
#include "render/render.h"
#include "util/buf.h"

enum param_id {
	P_SOURCE,
	P_ID,
	P_SINCE,
	P_UNTIL,
	P_FIELD,
	P_Q,
	P_PROCESS,
	P_HOST,
	P_BEFORE,
	P_AFTER,
	P_LIMIT,
	P_ORDER,
	P_BUCKETS,
	P_RID,
	P_GUID,
	P_COUNT,
};

static const char *const param_names[P_COUNT] = {
	[P_SOURCE] = "source",	 [P_ID] = "id",	      [P_SINCE] = "since",
	[P_UNTIL] = "until",	 [P_FIELD] = "field", [P_Q] = "q",
	[P_PROCESS] = "process", [P_HOST] = "host",   [P_BEFORE] = "before",
	[P_AFTER] = "after",	 [P_LIMIT] = "limit", [P_ORDER] = "order",
	[P_BUCKETS] = "buckets", [P_RID] = "rid",     [P_GUID] = "guid",
};

#define BIT(p) (1u << (p))
#define FILTER_BITS                                                \
	(BIT(P_SOURCE) | BIT(P_ID) | BIT(P_SINCE) | BIT(P_UNTIL) | \
	 BIT(P_FIELD) | BIT(P_Q) | BIT(P_PROCESS) | BIT(P_HOST))

enum route_id {
	R_META,
	R_CATALOG,
	R_EVENTS,
	R_HISTOGRAM,
	R_EVENT,
	R_PROCESS,
};

static const struct route {
	const char *path;
	enum route_id id;
	unsigned allowed;
} routes[] = {
	{ "/api/meta", R_META, BIT(P_SOURCE) },
	{ "/api/catalog", R_CATALOG, 0 },
	{ "/api/events", R_EVENTS,
	  FILTER_BITS | BIT(P_BEFORE) | BIT(P_AFTER) | BIT(P_LIMIT) |
		  BIT(P_ORDER) },
	{ "/api/histogram", R_HISTOGRAM, FILTER_BITS | BIT(P_BUCKETS) },
	{ "/api/event", R_EVENT, BIT(P_SOURCE) | BIT(P_RID) | BIT(P_HOST) },
	{ "/api/process", R_PROCESS,
	  BIT(P_SOURCE) | BIT(P_GUID) | BIT(P_HOST) },
};

int web_json_strn(struct buf *out, const char *s, size_t n)
{
	return render_json_string(out, s, n);
}

int web_json_str(struct buf *out, const char *s)
{
	return render_json_string(out, s, strlen(s));
}

/* A parsed request: one value per parameter (field= may repeat). */
struct request {
	const char *value[P_COUNT];
	const char *fields[VIEW_MAX_CONDS];
	unsigned nfields;
	char err[300];
};

static int bad(struct request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct request *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Values are text: no control bytes, bounded. */
static bool is_text(const char *s)
{
	if (strlen(s) >= VIEW_VALUE_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int collect(struct request *r, const struct route *rt,
		   const struct web_param *params, unsigned nparams)
{
	if (nparams > WEB_MAX_PARAMS)
		return bad(r, "%s", "too many parameters");
	for (unsigned i = 0; i < nparams; i++) {
		const struct web_param *p = &params[i];
		int k;

		for (k = 0; k < P_COUNT; k++)
			if (strcmp(p->name, param_names[k]) == 0)
				break;
		if (k == P_COUNT || !(rt->allowed & BIT(k)))
			return bad(r, "unknown parameter '%.64s'", p->name);
		if (!p->value || !is_text(p->value))
			return bad(r, "bad value for '%s'", param_names[k]);
		if (k == P_FIELD) {
			if (r->nfields >= VIEW_MAX_CONDS)
				return bad(r, "%s",
					   "too many field= conditions");
			r->fields[r->nfields++] = p->value;
			continue;
		}
		if (r->value[k])
			return bad(r, "parameter '%s' given twice",
				   param_names[k]);
		r->value[k] = p->value;
	}
	return 0;
}

/* A decimal number in [min, max]. */
static int number(struct request *r, enum param_id k, uint64_t min,
		  uint64_t max, uint64_t *out)
{
	const char *s = r->value[k];
	uint64_t v = 0;

	if (!*s)
		return bad(r, "'%s' is empty", param_names[k]);
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return bad(r, "'%s' is not a number in range",
				   param_names[k]);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return bad(r, "'%s' is out of range", param_names[k]);
	*out = v;
	return 0;
}

/* since/until: epoch milliseconds (digits only) or view_parse_time(). */
static int time_param(struct request *r, enum param_id k, uint64_t now_ns,
		      uint64_t *out)
{
	const char *s = r->value[k];
	size_t n = strspn(s, "0123456789");
	uint64_t ms;

	if (n && !s[n]) {
		if (number(r, k, 0, UINT64_MAX / 1000000 / 2, &ms))
			return -EINVAL;
		*out = ms * 1000000;
		return 0;
	}
	return view_parse_time(s, now_ns, out, r->err, sizeof(r->err));
}

/* A process GUID: letters, digits, braces and dashes, bounded. */
static bool is_guid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < VIEW_GUID_MAX &&
	       strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ{}-") == n;
}

static int parse_filter(struct request *r, struct web_query *q, uint64_t now_ns)
{
	struct view_filter *f = &q->f;

	if (r->value[P_ID] &&
	    view_parse_ids(r->value[P_ID], f, r->err, sizeof(r->err)))
		return -EINVAL;
	if (r->value[P_SINCE]) {
		if (time_param(r, P_SINCE, now_ns, &f->since_ns))
			return -EINVAL;
		f->has_since = true;
	}
	if (r->value[P_UNTIL]) {
		if (time_param(r, P_UNTIL, now_ns, &f->until_ns))
			return -EINVAL;
		f->has_until = true;
	}
	if (f->has_since && f->has_until && f->since_ns >= f->until_ns)
		return bad(r, "%s", "'since' is not before 'until'");
	for (unsigned i = 0; i < r->nfields; i++)
		if (view_parse_cond(r->fields[i], &f->conds[f->nconds++],
				    r->err, sizeof(r->err)))
			return -EINVAL;
	if (r->value[P_HOST]) {
		const char *h = r->value[P_HOST];

		if (!*h || strlen(h) >= sizeof(q->host))
			return bad(r, "%s", "bad 'host'");
		snprintf(q->host, sizeof(q->host), "%s", h);
		if (f->nconds >= VIEW_MAX_CONDS)
			return bad(r, "%s", "too many field= conditions");
		snprintf(f->conds[f->nconds].name, VIEW_NAME_MAX, "Computer");
		snprintf(f->conds[f->nconds].value, VIEW_VALUE_MAX, "%s", h);
		f->nconds++;
	}
	if (r->value[P_Q])
		snprintf(f->grep, sizeof(f->grep), "%s", r->value[P_Q]);
	if (r->value[P_PROCESS]) {
		if (!is_guid(r->value[P_PROCESS]))
			return bad(r, "%s", "bad 'process' (a ProcessGuid)");
		snprintf(f->process, sizeof(f->process), "%s",
			 r->value[P_PROCESS]);
	}
	return 0;
}

/* A fleet key "T.H.R" (internal.h). */
static int key_param(struct request *r, enum param_id k, struct web_key *key)
{
	uint64_t *part[] = { &key->time_ns, &key->host_hash, &key->rid };
	const char *s = r->value[k];

	for (unsigned i = 0; i < 3; i++) {
		size_t n = strspn(s, "0123456789");

		if (n == 0 || n > 20 || (s[n] != (i < 2 ? '.' : '\0')))
			return bad(r, "'%s' is not a key (T.H.R)",
				   param_names[k]);
		*part[i] = 0;
		for (size_t j = 0; j < n; j++) {
			unsigned d = (unsigned)(s[j] - '0');

			if (*part[i] > (UINT64_MAX - d) / 10)
				return bad(r, "'%s' is out of range",
					   param_names[k]);
			*part[i] = *part[i] * 10 + d;
		}
		s += n + (i < 2);
	}
	return 0;
}

static int parse_paging(struct request *r, struct web_query *q, bool is_keyed)
{
	uint64_t v;

	q->limit = WEB_PAGE_DEFAULT;
	if (r->value[P_LIMIT]) {
		if (number(r, P_LIMIT, 1, WEB_PAGE_MAX, &v))
			return -EINVAL;
		q->limit = (unsigned)v;
	}
	if (r->value[P_ORDER]) {
		if (strcmp(r->value[P_ORDER], "asc") == 0)
			q->is_asc = true;
		else if (strcmp(r->value[P_ORDER], "desc") != 0)
			return bad(r, "%s", "'order' is asc or desc");
	}
	if (r->value[P_BEFORE] && r->value[P_AFTER])
		return bad(r, "%s", "'before' and 'after' do not go together");
	if (r->value[P_BEFORE]) {
		if (q->is_asc)
			return bad(r, "%s", "'before' pages newest first");
		if (is_keyed ? key_param(r, P_BEFORE, &q->key)
			     : number(r, P_BEFORE, 1, INT64_MAX, &q->before))
			return -EINVAL;
		q->has_key = is_keyed;
	}
	if (r->value[P_AFTER]) {
		q->is_asc = true;
		if (is_keyed && strcmp(r->value[P_AFTER], "0") == 0)
			return 0; /* from the start */
		if (is_keyed ? key_param(r, P_AFTER, &q->key)
			     : number(r, P_AFTER, 0, INT64_MAX, &q->after))
			return -EINVAL;
		q->has_key = is_keyed;
	}
	return 0;
}

void web_histogram_range(const struct web_query *q, uint64_t min_ns,
			 uint64_t max_ns, uint64_t *from_ns,
			 uint64_t *bucket_ns, unsigned *nbuckets)
{
	const uint64_t ms = 1000000;
	uint64_t from, to, span, bucket;

	from = q->f.has_since ? q->f.since_ns : min_ns;
	to = q->f.has_until ? q->f.until_ns : max_ns + 1;
	from -= from % ms;
	if (to <= from)
		to = from + ms;
	span = to - from;
	bucket = (span + q->nbuckets - 1) / q->nbuckets;
	bucket = (bucket + ms - 1) / ms * ms;
	*from_ns = from;
	*bucket_ns = bucket;
	*nbuckets = (unsigned)((span + bucket - 1) / bucket);
}

int web_put_histogram(struct buf *out, uint64_t from_ns, uint64_t bucket_ns,
		      unsigned nbuckets, const uint64_t *counts, int64_t total,
		      bool is_text_ignored)
{
	const uint64_t ms = 1000000;

	buf_addf(out,
		 "{\"from_ms\":%llu,\"to_ms\":%llu,\"bucket_ms\":%llu,"
		 "\"total\":%lld,\"text_ignored\":%s,\"counts\":[",
		 (unsigned long long)(from_ns / ms),
		 (unsigned long long)(from_ns / ms +
				      nbuckets * (bucket_ns / ms)),
		 (unsigned long long)(bucket_ns / ms), (long long)total,
		 is_text_ignored ? "true" : "false");
	for (unsigned i = 0; i < nbuckets; i++)
		buf_addf(out, "%s%llu", i ? "," : "",
			 (unsigned long long)counts[i]);
	buf_adds(out, "]}");
	return out->is_full ? -ENOMEM : 0;
}

static int error_body(struct buf *out, int status, const char *msg)
{
	buf_reset(out);
	buf_adds(out, "{\"error\":");
	web_json_str(out, msg);
	buf_adds(out, "}");
	return status;
}

/* The status for a source's error. */
static int source_status(struct buf *out, int err)
{
	switch (err) {
	case -ENOENT:
		return error_body(out, 404, "not found");
	case -EBUSY:
		return error_body(out, 503, "the store is busy; try again");
	case -EINVAL:
		return error_body(out, 400, "bad request");
	case -EHOSTUNREACH:
		return error_body(out, 503,
				  "the fleet database cannot be reached");
	case -EPROTO:
		return error_body(out, 502,
				  "the fleet database refused the query or "
				  "answered something else");
	default:
		return error_body(out, 500, strerror(-err));
	}
}

static struct web_source *pick_source(struct web_source *const *srcs,
				      unsigned nsrcs, const char *name)
{
	if (!name)
		return nsrcs ? srcs[0] : NULL;
	for (unsigned i = 0; i < nsrcs; i++)
		if (strcmp(srcs[i]->name, name) == 0)
			return srcs[i];
	return NULL;
}

/* Every event id with its name and fields, for the filter form. */
static int put_catalog(struct buf *out)
{
	int err = buf_adds(out, "{\"events\":[");

	for (size_t i = 0; i < catalog_count(); i++) {
		const struct catalog_event *e = catalog_at(i);

		err |= buf_addf(out, "%s{\"id\":%u,\"task\":", i ? "," : "",
				e->id);
		err |= web_json_str(out, e->task);
		err |= buf_adds(out, ",\"fields\":[");
		for (unsigned k = 0; k < e->nfields; k++) {
			if (k)
				err |= buf_addc(out, ',');
			err |= web_json_str(out, e->fields[k].name);
		}
		err |= buf_adds(out, "]}");
	}
	err |= buf_adds(out, "]}");
	return err ? -ENOMEM : 0;
}

/* The source's meta data, and the names of every source. */
static int put_meta(struct web_source *const *srcs, unsigned nsrcs,
		    struct web_source *src, struct buf *out)
{
	int err = src->meta(src->ctx, out);

	if (err)
		return err;
	if (!out->len || out->data[out->len - 1] != '}')
		return -EIO; /* not an object: a source's bug */
	out->data[--out->len] = '\0';
	err |= buf_adds(out, ",\"sources\":[");
	for (unsigned i = 0; i < nsrcs; i++) {
		if (i)
			err |= buf_addc(out, ',');
		err |= web_json_str(out, srcs[i]->name);
	}
	err |= buf_adds(out, "]}");
	return err || out->is_full ? -ENOMEM : 0;
}

static int dispatch(struct web_source *const *srcs, unsigned nsrcs,
		    const struct route *rt, struct request *r,
		    struct web_source *src, uint64_t now_ns, struct buf *out)
{
	struct web_query *q;
	uint64_t v;
	int err;

	switch (rt->id) {
	case R_CATALOG:
		return put_catalog(out);
	case R_META:
		return put_meta(srcs, nsrcs, src, out);
	case R_EVENT:
		if (!r->value[P_RID])
			return bad(r, "%s", "'rid' is required");
		if (number(r, P_RID, 1, INT64_MAX, &v))
			return -EINVAL;
		return src->event(src->ctx, v, r->value[P_HOST], out);
	case R_PROCESS:
		if (!r->value[P_GUID] || !is_guid(r->value[P_GUID]))
			return bad(r, "%s",
				   "'guid' (a ProcessGuid) is required");
		return src->process(src->ctx, r->value[P_GUID],
				    r->value[P_HOST], out);
	case R_EVENTS:
	case R_HISTOGRAM:
		break;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	err = parse_filter(r, q, now_ns);
	if (!err && rt->id == R_EVENTS)
		err = parse_paging(r, q, src->is_keyed);
	if (!err && rt->id == R_HISTOGRAM) {
		q->nbuckets = 100;
		if (r->value[P_BUCKETS]) {
			err = number(r, P_BUCKETS, 1, WEB_BUCKETS_MAX, &v);
			q->nbuckets = (unsigned)v;
		}
	}
	if (!err)
		err = rt->id == R_EVENTS ? src->events(src->ctx, q, out)
					 : src->histogram(src->ctx, q, out);
	else
		err = -EINVAL;
	free(q);
	return err;
}

int web_api(struct web_source *const *srcs, unsigned nsrcs, const char *path,
	    const struct web_param *params, unsigned nparams, uint64_t now_ns,
	    struct buf *out)
{
	const struct route *rt = NULL;
	struct web_source *src;
	struct request *r;
	int err, status;

	buf_reset(out);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(path, routes[i].path) == 0)
			rt = &routes[i];
	if (!rt)
		return error_body(out, 404, "no such API");
	r = calloc(1, sizeof(*r));
	if (!r)
		return error_body(out, 500, "out of memory");
	err = collect(r, rt, params, nparams);
	if (err) {
		status = error_body(out, 400, r->err);
		goto done;
	}
	src = pick_source(srcs, nsrcs, r->value[P_SOURCE]);
	if (!src) {
		status = error_body(out, 400, "no such source");
		goto done;
	}
	err = dispatch(srcs, nsrcs, rt, r, src, now_ns, out);
	if (err == -EINVAL && r->err[0])
		status = error_body(out, 400, r->err);
	else if (err)
		status = source_status(out, err);
	else if (out->is_full)
		status = error_body(out, 500, "reply too large");
	else
		status = 200;
done:
	free(r);
	return status;
}
