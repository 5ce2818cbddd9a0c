/* SPDX-License-Identifier: MIT */
/*
 * web/internal.h - private to the web module: the API's request model,
 * the data sources behind it, and the pieces of the server.
 *
 * The API is a pure function of (source, path, parameters) to (HTTP
 * status, JSON body): web_api() parses and checks the parameters, then
 * asks a source.  A source is where events come from: the local store
 * (store_source.c, through view/'s queries) or a fleet table.  Each
 * source writes the same JSON shapes (docs/web.md), so the pages do not
 * know which one they read.
 */
#ifndef VIGIL_WEB_INTERNAL_H
#define VIGIL_WEB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "view/view.h"

struct buf;

/* Bounds of a request (anything beyond is refused with 400). */
#define WEB_MAX_PARAMS	 32
#define WEB_PAGE_DEFAULT 100
#define WEB_PAGE_MAX	 500
#define WEB_BUCKETS_MAX	 1000
#define WEB_HOST_MAX	 256
/* Record ids one list request may read when the filter needs more than
 * the indexes (free text, fields without a column): the page says where
 * it stopped and the next request goes on from there. */
#define WEB_SCAN_WINDOW	  100000
#define WEB_TREE_LIST_MAX 500 /* children or siblings listed */

/* One query parameter, already percent-decoded by the server. */
struct web_param {
	const char *name;
	const char *value;
};

/* A list or histogram request, checked. */
struct web_query {
	struct view_filter f;
	uint64_t before; /* newest first: ids below before (0: from the top) */
	uint64_t after; /* oldest first: ids above after */
	bool is_asc; /* oldest first (order=asc or after= given) */
	unsigned limit;
	unsigned nbuckets;
	char host[WEB_HOST_MAX]; /* "" or the Computer (host= filter) */
};

/*
 * A source of events.  Each call appends one complete JSON object to out
 * and returns 0, -ENOENT (nothing with that id: 404), -EBUSY (503), or
 * another negative errno (500).
 */
struct web_source {
	const char *name; /* "local", "fleet" */
	void *ctx;
	/* {"events":[...],"more":b,"next_before"|"next_after":n,...} */
	int (*events)(void *ctx, const struct web_query *q, struct buf *out);
	/* {"rid":n,"record":{...}} */
	int (*event)(void *ctx, uint64_t rid, const char *host,
		     struct buf *out);
	/* {"guid":..,"process":{..},"ancestors":[..],"children":[..],..} */
	int (*process)(void *ctx, const char *guid, const char *host,
		       struct buf *out);
	/* {"from_ms":..,"bucket_ms":..,"counts":[..]} */
	int (*histogram)(void *ctx, const struct web_query *q, struct buf *out);
	/* {"last_rid":..,"min_ms":..,"max_ms":..,"hosts":[..]} */
	int (*meta)(void *ctx, struct buf *out);
};

/*
 * Answer the API request for path (starting "/api/") with params over
 * src: the JSON body goes to out (reset first), the HTTP status is
 * returned (200, 400 with {"error":..}, 404, 503, 500).  now_ns is the
 * clock for relative times ("10m").  srcs lists every source (the first
 * is the default), picked by the source= parameter.
 */
int web_api(struct web_source *const *srcs, unsigned nsrcs, const char *path,
	    const struct web_param *params, unsigned nparams, uint64_t now_ns,
	    struct buf *out);

/* The local store as a source; db is a store_open_ro() connection the
 * caller keeps open while the source is used. */
struct sqlite3;
void web_store_source(struct web_source *src, struct sqlite3 *db);

/* JSON helpers for sources: a quoted, escaped string; a number. */
int web_json_str(struct buf *out, const char *s);
int web_json_strn(struct buf *out, const char *s, size_t n);

/* A built-in page or asset: path, content type, bytes. */
struct web_asset {
	const char *path;
	const char *type;
	const unsigned char *data;
	size_t len;
};

/* The asset served at path into a: true, or false when there is none. */
bool web_asset_find(const char *path, struct web_asset *a);

/*
 * Serve on the bound, listening socket fd until one of the signals in
 * stop (blocked by the caller) arrives: the pages, and the API over the
 * store at store_path (opened read-only on first use, and again after
 * an error, so the server may start before the daemon has written
 * anything).  token is the access token (TOKEN_LEN hex digits).
 * Returns 0 or a negative errno (the server could not start).
 */
struct web_serve_opts {
	int listen_fd;
	int parent_fd; /* -1, or stop too when this descriptor closes */
	const char *token;
	const char *store_path;
};
int web_serve(const struct web_serve_opts *o, const sigset_t *stop);

#endif /* VIGIL_WEB_INTERNAL_H */
