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

/*
 * Where a fleet page goes on.  Record ids are per host there, so the
 * lists are ordered by (time_ns, host hash, record id) and a page goes on
 * from the key of the last event it showed, written "T.H.R" in the API
 * (three decimal numbers; the host hash is ClickHouse's cityHash64 of
 * the Computer, so the key is numbers only).
 */
struct web_key {
	uint64_t time_ns, host_hash, rid;
};

/* A list or histogram request, checked. */
struct web_query {
	struct view_filter f;
	uint64_t before; /* newest first: ids below before (0: from the top) */
	uint64_t after; /* oldest first: ids above after */
	/* a keyed source (web_source.is_keyed): before= or after= as a key
	 * (after=0 is the start: has_key false) */
	struct web_key key;
	bool has_key;
	bool is_asc; /* oldest first (order=asc or after= given) */
	unsigned limit;
	unsigned nbuckets;
	char host[WEB_HOST_MAX]; /* "" or the Computer (host= filter) */
};

/*
 * A source of events.  Each call appends one complete JSON object to out
 * and returns 0, -ENOENT (nothing with that id: 404), -EBUSY (503),
 * -EINVAL (400), -EHOSTUNREACH (the fleet database cannot be reached:
 * 503), -EPROTO (it answered with an error or something else than asked:
 * 502), or another negative errno (500).
 */
struct web_source {
	const char *name; /* "local", "fleet" */
	bool is_keyed; /* pages by web_key, not by record id */
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

/* The fleet table of a ClickHouse server as a source ("fleet",
 * fleet_source.c).  client is the caller's, kept while the source is
 * used; table is [db.]name (checked by the settings).  NULL and errno. */
struct ch_client;
struct web_fleet;
struct web_fleet *web_fleet_new(struct ch_client *client, const char *table);
void web_fleet_free(struct web_fleet *fl);
void web_fleet_source(struct web_source *src, struct web_fleet *fl);

/*
 * The rows of a fleet list query's answer (resp, len bytes, unescaped in
 * place; columns time_ns, host hash, EventRecordID, Computer, record) as
 * JSON list items appended to out: at most limit of them, *nrows the
 * rows in the answer, *first and *last the keys of the first and last
 * item.  A record that
 * does not parse, or names another record id or host than its row, is
 * {"damaged":true}.  Pure (the fuzz harness drives it).  Returns 0,
 * -EPROTO (not such an answer), -ENOMEM.
 */
int web_fleet_rows(char *resp, size_t len, unsigned limit, struct buf *out,
		   unsigned *nrows, struct web_key *first,
		   struct web_key *last);

/* JSON helpers for sources: a quoted, escaped string; a number. */
int web_json_str(struct buf *out, const char *s);
int web_json_strn(struct buf *out, const char *s, size_t n);

/*
 * The buckets of a histogram request over events from min_ns to max_ns
 * (when q names no since or until): whole milliseconds each, so the
 * page's numbers are exact.  *from_ns, *bucket_ns, *nbuckets (<=
 * q->nbuckets).  web_put_histogram() writes the reply.
 */
void web_histogram_range(const struct web_query *q, uint64_t min_ns,
			 uint64_t max_ns, uint64_t *from_ns,
			 uint64_t *bucket_ns, unsigned *nbuckets);
int web_put_histogram(struct buf *out, uint64_t from_ns, uint64_t bucket_ns,
		      unsigned nbuckets, const uint64_t *counts, int64_t total,
		      bool is_text_ignored);

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
	int listen_fd; /* -1: none (web_server_start() only) */
	int parent_fd; /* -1, or stop too when this descriptor closes */
	const char *token;
	const char *store_path;
	struct ch_client *fleet; /* NULL, or the fleet table's server */
	const char *fleet_table;
	bool is_fleet_first; /* the fleet is the default source */
};
int web_serve(const struct web_serve_opts *o, const sigset_t *stop);

/*
 * The server without its wait: web_server_start() starts it (NULL and
 * errno).  With o->listen_fd -1 it has no socket and no thread of its
 * own: the caller hands it connected sockets (web_server_add(): 0 or
 * -EIO; the server owns fd from then on, even on error) and runs it
 * with web_server_run(), which does what is ready without waiting (the
 * fuzz harness drives raw requests through it this way).
 * web_server_stop() closes every connection and frees it (NULL: no-op).
 */
struct sockaddr;
struct web_server;
struct web_server *web_server_start(const struct web_serve_opts *o);
int web_server_add(struct web_server *ws, int fd, const struct sockaddr *addr,
		   unsigned addrlen);
void web_server_run(struct web_server *ws);
void web_server_stop(struct web_server *ws);

#endif /* VIGIL_WEB_INTERNAL_H */
