/* SPDX-License-Identifier: MIT */
/*
 * view/view.h - `vigil view`, the event viewer of the store: filters, the
 * query that applies them, process trees.  The command itself is
 * view_main(); the other pieces here are what it is built from, so tests
 * can run filters against a real store without the command line.
 *
 * Everything reads through a read-only connection (store_open_ro()).
 */
#ifndef VIGIL_VIEW_H
#define VIGIL_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "render/render.h"

struct sqlite3;

/* vigil view [options]: search and show the event store.  argv[0] is
 * "view"; returns the process exit status. */
int view_main(int argc, char **argv);

#define VIEW_MAX_IDS   32
#define VIEW_MAX_CONDS 16
#define VIEW_VALUE_MAX 1024
#define VIEW_NAME_MAX  64
#define VIEW_GUID_MAX  64

/* Exit statuses of `vigil view`, one per kind of outcome. */
enum view_exit {
	VIEW_EXIT_OK = 0, /* events shown (or --follow ended) */
	VIEW_EXIT_NO_MATCH = 1, /* store fine, no event matched */
	VIEW_EXIT_USAGE = 2,
	VIEW_EXIT_MISSING = 3, /* no store file at the path */
	VIEW_EXIT_ACCESS = 4, /* no permission to read it */
	VIEW_EXIT_EMPTY = 5, /* a store that holds no events yet */
	VIEW_EXIT_BUSY = 6, /* locked past the busy timeout */
	VIEW_EXIT_DAMAGED = 7, /* not a database, not vigil's, corrupt */
	VIEW_EXIT_ERROR = 8, /* anything else (memory, output) */
};

/* A field condition: Name=value (equals) or Name~value (contains), both
 * ignoring ASCII case, as Sysmon compares. */
struct view_cond {
	char name[VIEW_NAME_MAX]; /* canonical spelling from the catalogue */
	char value[VIEW_VALUE_MAX];
	bool is_contains;
};

struct view_filter {
	unsigned ids[VIEW_MAX_IDS]; /* EventID in any of these ... */
	unsigned nids; /* ... or any when 0 */
	uint64_t since_ns; /* UtcTime >= since_ns, when has_since */
	uint64_t until_ns; /* UtcTime < until_ns, when has_until */
	bool has_since, has_until;
	uint64_t from_id; /* EventRecordID >= from_id (0: no bound) */
	uint64_t to_id; /* EventRecordID <= to_id (0: no bound) */
	struct view_cond conds[VIEW_MAX_CONDS]; /* all must hold */
	unsigned nconds;
	char grep[VIEW_VALUE_MAX]; /* "" or text anywhere in the record */
	/*
	 * "" or the events of one process (ASCII case ignored): its own
	 * (ProcessGuid), the creation of its children (event 1 naming it as
	 * ParentProcessGuid) and what it did to other processes (event 8's
	 * SourceProcessGuid, event 10's SourceProcessGUID).
	 */
	char process[VIEW_GUID_MAX];
	bool is_oldest_first;
	uint64_t limit; /* 0: all */
};

struct event;

/* One matching event, borrowed for the callback only. */
struct view_row {
	uint64_t record_id;
	uint64_t time_ns;
	uint64_t created_ns; /* TimeCreated */
	unsigned event_id;
	const struct event *ev; /* the event rebuilt from the row */
	const char *record; /* its vigil JSON line ("" when not valid) */
	size_t record_len;
	struct render_host host; /* System values of the record */
	bool is_valid; /* the row decoded (a damaged one does not) */
};

/* Called per row; a non-zero return stops the query and is returned. */
typedef int view_row_fn(const struct view_row *row, void *arg);

/*
 * Parsers for the command line.  Each returns 0 or -EINVAL and, on error,
 * writes a one-line reason to err (size errlen).
 */
/* "1,3,11" appended to f->ids. */
int view_parse_ids(const char *s, struct view_filter *f, char *err,
		   size_t errlen);
/* "YYYY-MM-DD[ HH:MM[:SS]]" (UTC, also with 'T') or "N[smhdw]" ago. */
int view_parse_time(const char *s, uint64_t now_ns, uint64_t *out_ns, char *err,
		    size_t errlen);
/* "Name=value" or "Name~value"; Name must be a field of some event. */
int view_parse_cond(const char *s, struct view_cond *c, char *err,
		    size_t errlen);

/*
 * Run f on db (from store_open_ro()), calling fn for each matching
 * event: newest first, or
 * oldest first when f->is_oldest_first or after_id is non-zero (then only
 * events with EventRecordID > after_id: the --follow poll).  Returns the
 * number of rows passed to fn, fn's non-zero return, or a negative errno
 * (-EBUSY, -EIO, -ENOMEM).
 */
int64_t view_query(struct sqlite3 *db, const struct view_filter *f,
		   uint64_t after_id, view_row_fn *fn, void *arg);

/*
 * The --grep text as it appears inside a JSON record (quotes, backslashes
 * and control bytes escaped as the renderer does), lower-cased (ASCII),
 * appended to b.  Returns 0 or -ENOMEM.
 */
struct buf;
int view_json_needle(struct buf *b, const char *s);

struct ch_client;

/*
 * The same filters on the ClickHouse fleet table (clickhouse.h), plus
 * host (NULL: every host; else Computer, ASCII case ignored): fn gets
 * each matching event, newest first (by UtcTime) or oldest first.  The
 * row's record is the stored JSON.  Returns the number of rows passed to
 * fn, fn's non-zero return, or a negative errno with err set (see
 * ch_post(); -EPROTO also for an answer that is not the fleet table's).
 */
int64_t view_fleet_query(struct ch_client *c, const char *table,
			 const struct view_filter *f, const char *host,
			 view_row_fn *fn, void *arg, char *err, size_t errlen);

/*
 * The rows of the fleet query's answer (len bytes of text, one JSON
 * record per line, need not be terminated) to fn, as view_fleet_query()
 * passes them: a line that is not a record is passed as not valid.
 * Pure.  Returns the number of rows, fn's non-zero return, or -ENOMEM.
 */
int64_t view_fleet_rows(const char *text, size_t len, view_row_fn *fn,
			void *arg);

/*
 * The conditions of f, and host (NULL, or the Computer, ASCII case
 * ignored), as " AND ..." terms of a WHERE on the fleet table ([db.]name
 * table, which a process condition reads again in a subquery; values
 * quoted with ch_quote()) appended to q; f's order and limit are not
 * used.  Returns 0 or -ENOMEM.
 */
int view_fleet_where(struct buf *q, const char *table,
		     const struct view_filter *f, const char *host);

/*
 * Whether f can be answered from the store's indexes and record id
 * bounds alone: no free text, and only exact conditions on fields with
 * an indexed key (store_is_column()).  Otherwise a query may read every row in its record id range,
 * so a caller that must answer quickly narrows that range itself.
 */
bool view_filter_is_indexed(const struct view_filter *f);

/*
 * Count the events matching f (its free text is not applied, nor its
 * order and limit) in nbuckets buckets of bucket_ns each, the first
 * starting at from_ns: counts[i] gets the events with UtcTime in
 * [from_ns + i * bucket_ns, from_ns + (i + 1) * bucket_ns).  Events
 * outside are not counted.  Returns the number of events counted or a
 * negative errno (-EINVAL for no buckets or bucket_ns 0, -EBUSY, -EIO,
 * -ENOMEM).
 */
int64_t view_histogram(struct sqlite3 *db, const struct view_filter *f,
		       uint64_t from_ns, uint64_t bucket_ns, unsigned nbuckets,
		       uint64_t *counts);

/* UtcTime of the oldest and newest event (from the store's segments: the
 * bounds may be a little wider than the events left after retention).
 * Returns 0, -ENODATA for an empty store, -EBUSY, -EIO. */
int view_time_span(struct sqlite3 *db, uint64_t *min_ns, uint64_t *max_ns);

/* One process of a tree, borrowed for the callback only.  Values are as
 * stored ("-" when the event had none); is_found is false for a parent
 * known only from its child's event (no ProcessCreate in the log), and
 * then only guid, pid and image are set, and is_before_log says whether
 * its GUID proves it started before the oldest event of the store. */
struct view_node {
	const char *guid, *parent_guid;
	const char *pid, *image, *cmdline, *time, *user;
	const char *parent_pid, *parent_image;
	uint64_t record_id; /* of its ProcessCreate event, 0 if none */
	bool is_found;
	bool is_before_log;
};

enum view_node_role {
	VIEW_NODE_ANCESTOR, /* above guid, oldest ancestor first */
	VIEW_NODE_TARGET, /* guid itself */
	VIEW_NODE_DESCENDANT, /* below it, depth first, oldest first */
};

/* Called per node with its depth (0: the top of the tree); a non-zero
 * return stops the walk and is returned. */
typedef int view_node_fn(const struct view_node *n, int depth,
			 enum view_node_role role, void *arg);

/*
 * Walk the process tree of guid: its ancestors from the top down, guid,
 * then its descendants up to max_below levels under it (0: none).
 * Depth and size are bounded, a cycle is not followed.  Returns the
 * number of nodes passed to fn, 0 when guid has no ProcessCreate event,
 * fn's non-zero return, or a negative errno.
 */
int view_tree_walk(struct sqlite3 *db, const char *guid, int max_below,
		   view_node_fn *fn, void *arg);

/*
 * The children of guid (ProcessCreate events naming it as their parent),
 * oldest first, as VIEW_NODE_DESCENDANT nodes of depth 1, whether or not
 * guid itself has a ProcessCreate event in the log (a parent that started
 * before the log still has its children listed).  Returns the number of
 * nodes passed to fn, fn's non-zero return, or a negative errno.
 */
int view_children(struct sqlite3 *db, const char *guid, view_node_fn *fn,
		  void *arg);

/*
 * Draw the process tree of guid (its ancestors and descendants, from
 * events 1 via ProcessGuid / ParentProcessGuid) to out.  Returns the number
 * of processes drawn, 0 when guid has no ProcessCreate event, or a
 * negative errno.
 */
int view_tree(struct sqlite3 *db, const char *guid, FILE *out);

/*
 * Write s to out as the text format writes a value (render.h "value
 * text"): what could steer a terminal (control bytes, C1 and bidi
 * controls, invalid UTF-8) as \xNN.
 */
void view_put_safe(FILE *out, const char *s, size_t len);

#endif /* VIGIL_VIEW_H */
