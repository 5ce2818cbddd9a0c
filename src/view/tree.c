/* SPDX-License-Identifier: MIT */
/*
 * view/tree.c - process trees: a process with its ancestors and
 * descendants, from ProcessCreate events linked by ProcessGuid and
 * ParentProcessGuid (both indexed columns of the store).
 * view_tree_walk() hands the nodes to a callback (the web viewer's
 * process page); view_tree() draws them as `vigil view --tree GUID`.
 *
 * A parent without an event 1 (it started before the store began, or
 * forked without exec, or its event was filtered out or lost) is
 * described by what its child's event says about it (ParentImage,
 * ParentProcessId), as started before the log only when its GUID proves
 * it.  Depth and size are bounded, and a GUID seen twice
 * (a cycle in damaged or forged data) is not followed again.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "store/store.h"
#include "view.h"

#define TREE_MAX_DEPTH 64
#define TREE_MAX_NODES 10000
#define GUID_MAX       VIEW_GUID_MAX

struct node {
	char guid[GUID_MAX];
	char parent[GUID_MAX];
	char *pid, *image, *cmdline, *time, *ppid, *pimage, *user;
	uint64_t record_id;
	bool is_found; /* has a ProcessCreate event */
};

struct tree {
	sqlite3 *db;
	sqlite3_stmt *by_guid, *children;
	view_node_fn *fn;
	void *arg;
	int max_below;
	int visited;
	char (*seen)[GUID_MAX]; /* GUIDs passed so far, TREE_MAX_NODES */
	int nseen;
};

/*
 * Display values come from the stored values (the indexed columns
 * hold only keys); a damaged row reads as NULL fields rather than failing.
 */
#define VF(name) "vigil_field(EventID, data, '" name "')"
#define NODE_COLUMNS                                                                                       \
	VF("ProcessGuid")                                                                                  \
	", " VF("ParentProcessGuid") ", " VF("ProcessId") ", " VF("Image") ", " VF("CommandLine") ", " VF( \
		"UtcTime") ", " VF("ParentProcessId") ", " VF("ParentImage") ", " VF("User") ", EventRecordID"

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "-");
}

static void copy_col(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, size, "%s", t ? (const char *)t : "");
}

static void node_release(struct node *n)
{
	free(n->pid);
	free(n->image);
	free(n->cmdline);
	free(n->time);
	free(n->ppid);
	free(n->pimage);
	free(n->user);
	memset(n, 0, sizeof(*n));
}

static int node_fill(struct node *n, sqlite3_stmt *st)
{
	copy_col(st, 0, n->guid, sizeof(n->guid));
	copy_col(st, 1, n->parent, sizeof(n->parent));
	n->pid = dup_col(st, 2);
	n->image = dup_col(st, 3);
	n->cmdline = dup_col(st, 4);
	n->time = dup_col(st, 5);
	n->ppid = dup_col(st, 6);
	n->pimage = dup_col(st, 7);
	n->user = dup_col(st, 8);
	n->record_id = (uint64_t)sqlite3_column_int64(st, 9);
	n->is_found = true;
	if (!n->pid || !n->image || !n->cmdline || !n->time || !n->ppid ||
	    !n->pimage || !n->user)
		return -ENOMEM;
	return 0;
}

/* The first ProcessCreate of guid into n: 1 found, 0 none, -errno. */
static int lookup(struct tree *t, const char *guid, struct node *n)
{
	int rc, ret = 0;

	sqlite3_bind_text(t->by_guid, 1, guid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(t->by_guid);
	if (rc == SQLITE_ROW)
		ret = node_fill(n, t->by_guid) < 0 ? -ENOMEM : 1;
	else if (rc != SQLITE_DONE)
		ret = rc == SQLITE_BUSY ? -EBUSY : -EIO;
	sqlite3_reset(t->by_guid);
	return ret;
}

/* Pass n to the callback: 0 or its non-zero return. */
static int visit(struct tree *t, const struct node *n, int depth,
		 enum view_node_role role)
{
	struct view_node v = {
		.guid = n->guid,
		.parent_guid = n->parent[0] ? n->parent : "-",
		.pid = n->pid,
		.image = n->image,
		.cmdline = n->cmdline,
		.time = n->time,
		.user = n->user,
		.parent_pid = n->ppid,
		.parent_image = n->pimage,
		.record_id = n->record_id,
		.is_found = true,
	};

	t->visited++;
	return t->fn(&v, depth, role, t->arg);
}

/* Seconds since boot that a vigil ProcessGuid holds ({machine-low-high-
 * ...}, proc_format_guid()), or -1 for a GUID not of that form. */
static int64_t guid_start_s(const char *guid)
{
	unsigned machine, lo, hi;
	int n = 0;

	if (sscanf(guid, "{%8x-%4x-%4x-%n", &machine, &lo, &hi, &n) != 3 ||
	    n != 20)
		return -1;
	return (int64_t)lo | (int64_t)hi << 16;
}

/* UtcTime of the oldest event the store holds: 0 and *ns, or -1. */
static int first_time(struct tree *t, uint64_t *ns)
{
	sqlite3_stmt *st = NULL;
	int r = -1;

	if (sqlite3_prepare_v2(t->db,
			       "SELECT time_ns FROM events"
			       " ORDER BY EventRecordID LIMIT 1",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*ns = (uint64_t)sqlite3_column_int64(st, 0);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

/*
 * Whether a parent that has no ProcessCreate in the store provably
 * started before the oldest event.  Its GUID holds its start in seconds
 * since boot; the child's GUID and UtcTime (its exec, which comes after
 * its start) give a boot time no earlier than the real one, so the
 * parent's start is at most that boot time + its seconds + 1.  "Before"
 * can so be proven, never wrongly claimed; otherwise the parent may also
 * have forked without exec, or its event was filtered out or lost.
 */
static bool is_before_log(struct tree *t, const struct node *child)
{
	int64_t ps = guid_start_s(child->parent);
	int64_t cs = guid_start_s(child->guid);
	uint64_t exec_ns, first_ns, boot_ns, latest_ns;

	if (ps < 0 || cs < 0 || ps > cs ||
	    event_parse_time(child->time, &exec_ns) < 0 ||
	    first_time(t, &first_ns) < 0 ||
	    exec_ns < (uint64_t)cs * 1000000000ull)
		return false;
	boot_ns = exec_ns - (uint64_t)cs * 1000000000ull;
	latest_ns = boot_ns + (uint64_t)(ps + 1) * 1000000000ull;
	return latest_ns <= first_ns;
}

/* A parent known only from its child's event. */
static int visit_unknown(struct tree *t, const struct node *child)
{
	struct view_node v = {
		.guid = child->parent[0] ? child->parent : "-",
		.parent_guid = "-",
		.pid = child->ppid,
		.image = child->pimage,
		.cmdline = "-",
		.time = "-",
		.user = "-",
		.parent_pid = "-",
		.parent_image = "-",
		.is_before_log = is_before_log(t, child),
	};

	t->visited++;
	return t->fn(&v, 0, VIEW_NODE_ANCESTOR, t->arg);
}

static bool seen(struct tree *t, const char *guid)
{
	for (int i = 0; i < t->nseen; i++)
		if (strcasecmp(t->seen[i], guid) == 0)
			return true;
	if (t->nseen < TREE_MAX_NODES)
		snprintf(t->seen[t->nseen++], GUID_MAX, "%s", guid);
	return false;
}

/* Visit the children of guid below depth, depth first, oldest first;
 * levels counts down the levels still wanted. */
static int descend(struct tree *t, const char *guid, int depth, int levels)
{
	struct node *kids = NULL;
	int nkids = 0, cap = 0, rc, err = 0;

	if (levels <= 0 || depth > TREE_MAX_DEPTH || t->nseen >= TREE_MAX_NODES)
		return 0;
	/* Collect first: the statement is reused by the recursion. */
	sqlite3_bind_text(t->children, 1, guid, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(t->children)) == SQLITE_ROW &&
	       nkids < TREE_MAX_NODES) {
		if (nkids == cap) {
			int ncap = cap ? cap * 2 : 8;
			struct node *p = realloc(kids, sizeof(*p) * ncap);

			if (!p) {
				err = -ENOMEM;
				break;
			}
			memset(p + cap, 0, sizeof(*p) * (ncap - cap));
			kids = p;
			cap = ncap;
		}
		if (node_fill(&kids[nkids++], t->children) < 0) {
			err = -ENOMEM;
			break;
		}
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = rc == SQLITE_BUSY ? -EBUSY : -EIO;
	sqlite3_reset(t->children);
	for (int i = 0; i < nkids && !err; i++) {
		if (seen(t, kids[i].guid))
			continue;
		err = visit(t, &kids[i], depth, VIEW_NODE_DESCENDANT);
		if (!err)
			err = descend(t, kids[i].guid, depth + 1, levels - 1);
	}
	for (int i = 0; i < nkids; i++)
		node_release(&kids[i]);
	free(kids);
	return err;
}

int view_tree_walk(sqlite3 *db, const char *guid, int max_below,
		   view_node_fn *fn, void *arg)
{
	struct tree t = { .db = db, .fn = fn, .arg = arg };
	struct node chain[TREE_MAX_DEPTH + 1];
	int depth = 0, err = 0, found;
	bool has_unknown = false;

	memset(chain, 0, sizeof(chain));
	t.seen = calloc(TREE_MAX_NODES, GUID_MAX);
	if (!t.seen)
		return -ENOMEM;
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT " NODE_COLUMNS " FROM events"
		    " WHERE " STORE_SQL_IS(
			    "guid_key", "ProcessGuid",
			    "?1") " AND EventID = 1 ORDER BY EventRecordID"
				  " LIMIT 1",
		    -1, &t.by_guid, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(
		    db,
		    "SELECT " NODE_COLUMNS " FROM events"
		    " WHERE " STORE_SQL_IS(
			    "parent_key", "ParentProcessGuid",
			    "?1") " AND EventID = 1 ORDER BY EventRecordID",
		    -1, &t.children, NULL) != SQLITE_OK) {
		err = sqlite3_errcode(db) == SQLITE_BUSY ? -EBUSY : -EIO;
		goto out;
	}
	found = lookup(&t, guid, &chain[0]);
	if (found <= 0) {
		err = found;
		goto out;
	}
	/* Walk up to the oldest known ancestor. */
	seen(&t, chain[0].guid);
	while (depth < TREE_MAX_DEPTH && chain[depth].parent[0] &&
	       strcmp(chain[depth].parent, "-") != 0 &&
	       !seen(&t, chain[depth].parent)) {
		found = lookup(&t, chain[depth].parent, &chain[depth + 1]);
		if (found < 0) {
			err = found;
			goto out;
		}
		if (!found) {
			has_unknown = true;
			break;
		}
		depth++;
	}
	/* Ancestors from the top down, then the subtree of guid. */
	if (has_unknown)
		err = visit_unknown(&t, &chain[depth]);
	for (int i = depth; i >= 0 && !err; i--)
		err = visit(&t, &chain[i], depth - i + has_unknown,
			    i ? VIEW_NODE_ANCESTOR : VIEW_NODE_TARGET);
	if (!err)
		err = descend(&t, chain[0].guid, depth + 1 + has_unknown,
			      max_below);
out:
	for (int i = 0; i <= TREE_MAX_DEPTH; i++)
		node_release(&chain[i]);
	sqlite3_finalize(t.by_guid);
	sqlite3_finalize(t.children);
	free(t.seen);
	return err ? err : t.visited;
}

int view_children(sqlite3 *db, const char *guid, view_node_fn *fn, void *arg)
{
	struct tree t = { .db = db, .fn = fn, .arg = arg };
	int err;

	t.seen = calloc(TREE_MAX_NODES, GUID_MAX);
	if (!t.seen)
		return -ENOMEM;
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT " NODE_COLUMNS " FROM events"
		    " WHERE " STORE_SQL_IS(
			    "parent_key", "ParentProcessGuid",
			    "?1") " AND EventID = 1 ORDER BY EventRecordID",
		    -1, &t.children, NULL) != SQLITE_OK) {
		err = sqlite3_errcode(db) == SQLITE_BUSY ? -EBUSY : -EIO;
	} else {
		seen(&t, guid);
		err = descend(&t, guid, 1, 1);
	}
	sqlite3_finalize(t.children);
	free(t.seen);
	return err ? err : t.visited;
}

struct draw {
	FILE *out;
	const char *target;
};

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", out);
}

static void put(FILE *out, const char *s)
{
	view_put_safe(out, s, strlen(s));
}

static int draw(const struct view_node *n, int depth, enum view_node_role role,
		void *arg)
{
	struct draw *d = arg;

	(void)role;
	if (!n->is_found) {
		fputs("- ", d->out);
		put(d->out, n->pid);
		fputc(' ', d->out);
		put(d->out, n->image);
		fputs("  ", d->out);
		put(d->out, n->guid);
		fputs(n->is_before_log ? "  (started before the log)\n"
				       : "  (no ProcessCreate in the log)\n",
		      d->out);
		return 0;
	}
	indent(d->out, depth);
	fputs(strcasecmp(n->guid, d->target) == 0 ? "* " : "- ", d->out);
	put(d->out, n->pid);
	fputc(' ', d->out);
	put(d->out, n->image);
	fputs("  ", d->out);
	put(d->out, n->guid);
	fputs("  ", d->out);
	put(d->out, n->time);
	fputc('\n', d->out);
	indent(d->out, depth);
	fputs("  ", d->out);
	put(d->out, n->cmdline);
	fputc('\n', d->out);
	return 0;
}

int view_tree(sqlite3 *db, const char *guid, FILE *out)
{
	struct draw d = { .out = out, .target = guid };

	return view_tree_walk(db, guid, TREE_MAX_DEPTH + 1, draw, &d);
}
