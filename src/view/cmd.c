/* SPDX-License-Identifier: MIT */
/*
 * view/cmd.c - `vigil view`: the command line around view_query() and
 * view_tree(), output in text, xml or json, and --follow.
 *
 * Runs with read access to the store only, so an admin in the store's
 * group can read the log without root.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "clickhouse/clickhouse.h"
#include "config/config.h"
#include "event/event.h"
#include "render/render.h"
#include "settings/settings.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"
#include "view.h"

#define BUSY_TIMEOUT_MS 5000
#define FOLLOW_POLL_MS	200
#define FOLLOW_BACKLOG	10
#define FOLLOW_CHUNK	10000

struct view_cmd {
	char store[PATH_MAX];
	struct view_filter f;
	enum render_format format;
	bool is_follow;
	bool is_check;
	bool has_limit;
	const char *tree;
	const char *fleet; /* --fleet URL or destination name */
	const char *host; /* --host */
	const char *table; /* --table */
	struct buf out;
	uint64_t last_id; /* highest record id printed (--follow) */
	int write_err;
};

static const char usage_text[] =
	"usage: vigil view [OPTIONS]\n"
	"\n"
	"Show events from vigil's event store, newest first.\n"
	"\n"
	"  --store PATH          the store (default: store_path of the "
	"settings)\n"
	"  -e, --event ID[,ID]   only these event ids (repeatable)\n"
	"  --since TIME          events at or after TIME\n"
	"  --until TIME          events before TIME\n"
	"                        TIME: YYYY-MM-DD[ HH:MM[:SS]] (UTC) or an "
	"age:\n"
	"                        30s, 10m, 2h, 3d, 1w\n"
	"  --from-id N           EventRecordID at least N\n"
	"  --to-id N             EventRecordID at most N\n"
	"  --field Name=VALUE    field equals VALUE (ASCII case ignored)\n"
	"  --field Name~VALUE    field contains VALUE (repeatable: all must "
	"hold)\n"
	"  --grep TEXT           TEXT anywhere in the record\n"
	"  --format FMT          text (default), xml (Sysmon for Linux's "
	"record)\n"
	"                        or json (vigil's JSON line)\n"
	"  --oldest              oldest first\n"
	"  -n, --limit N         at most N events (0: no limit)\n"
	"  -f, --follow          keep printing new events until interrupted\n"
	"                        (shows the last 10 first, or the last N of\n"
	"                        -n N)\n"
	"  --tree GUID           the process GUID with its ancestors and "
	"children\n"
	"  --check               check the store's integrity\n"
	"  --fleet URL|NAME      query the ClickHouse fleet table instead:\n"
	"                        http(s)://host:port, or the name of a\n"
	"                        ClickHouse destination of vigil.conf\n"
	"  --host NAME           (with --fleet) only events of this Computer\n"
	"  --table [DB.]TABLE    (with --fleet URL) the table (default\n"
	"                        vigil_events)\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 events shown, 1 none matched, 2 usage, 3 no store,\n"
	"4 permission denied, 5 store empty, 6 store busy, 7 store damaged,\n"
	"8 other error.\n";

enum {
	OPT_STORE = 256,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_FROM_ID,
	OPT_TO_ID,
	OPT_FIELD,
	OPT_GREP,
	OPT_FORMAT,
	OPT_OLDEST,
	OPT_TREE,
	OPT_CHECK,
	OPT_FLEET,
	OPT_HOST,
	OPT_TABLE,
};

static const struct option long_opts[] = {
	{ "store", required_argument, NULL, OPT_STORE },
	{ "event", required_argument, NULL, 'e' },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "from-id", required_argument, NULL, OPT_FROM_ID },
	{ "to-id", required_argument, NULL, OPT_TO_ID },
	{ "field", required_argument, NULL, OPT_FIELD },
	{ "grep", required_argument, NULL, OPT_GREP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "oldest", no_argument, NULL, OPT_OLDEST },
	{ "limit", required_argument, NULL, 'n' },
	{ "follow", no_argument, NULL, 'f' },
	{ "tree", required_argument, NULL, OPT_TREE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "fleet", required_argument, NULL, OPT_FLEET },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static void default_store(char *out, size_t size)
{
	struct settings s;
	struct diag d;
	int err;

	settings_defaults(&s);
	memset(&d, 0, sizeof(d));
	err = settings_load(&s, SETTINGS_DEFAULT_PATH, &d);
	if (err == -EINVAL)
		fprintf(stderr,
			"vigil view: warning: %s:%d:%d: %s (using the default "
			"store path)\n",
			d.file[0] ? d.file : SETTINGS_DEFAULT_PATH, d.line,
			d.col, d.msg);
	snprintf(out, size, "%s", s.store_path);
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "vigil view: %s\nTry 'vigil view --help'.\n", msg);
	return VIEW_EXIT_USAGE;
}

static bool is_table_name(const char *t)
{
	size_t n = strlen(t), dots = 0;

	if (!n || n > 127 || (t[0] >= '0' && t[0] <= '9'))
		return false;
	for (const char *p = t; *p; p++)
		if (*p == '.' ? ++dots > 1 || p == t || !p[1]
			      : !(isalnum((unsigned char)*p) || *p == '_'))
			return false;
	return true;
}

static int parse_args(struct view_cmd *c, int argc, char **argv)
{
	char err[256];
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":e:n:fh", long_opts, NULL)) !=
	       -1) {
		switch (opt) {
		case OPT_STORE:
			if (strlen(optarg) >= sizeof(c->store))
				return usage_error("store path too long");
			snprintf(c->store, sizeof(c->store), "%s", optarg);
			break;
		case 'e':
			if (view_parse_ids(optarg, &c->f, err, sizeof(err)))
				return usage_error(err);
			break;
		case OPT_SINCE:
			if (view_parse_time(optarg, clock_utc_ns(),
					    &c->f.since_ns, err, sizeof(err)))
				return usage_error(err);
			c->f.has_since = true;
			break;
		case OPT_UNTIL:
			if (view_parse_time(optarg, clock_utc_ns(),
					    &c->f.until_ns, err, sizeof(err)))
				return usage_error(err);
			c->f.has_until = true;
			break;
		case OPT_FROM_ID:
			if (parse_u64(optarg, &c->f.from_id))
				return usage_error("bad --from-id");
			break;
		case OPT_TO_ID:
			if (parse_u64(optarg, &c->f.to_id))
				return usage_error("bad --to-id");
			break;
		case OPT_FIELD:
			if (c->f.nconds >= VIEW_MAX_CONDS)
				return usage_error("too many --field options");
			if (view_parse_cond(optarg, &c->f.conds[c->f.nconds],
					    err, sizeof(err)))
				return usage_error(err);
			c->f.nconds++;
			break;
		case OPT_GREP:
			if (strlen(optarg) >= sizeof(c->f.grep))
				return usage_error("--grep text too long");
			snprintf(c->f.grep, sizeof(c->f.grep), "%s", optarg);
			break;
		case OPT_FORMAT:
			if (render_format_parse(optarg, &c->format))
				return usage_error("--format is text, xml or "
						   "json");
			break;
		case OPT_OLDEST:
			c->f.is_oldest_first = true;
			break;
		case 'n':
			if (parse_u64(optarg, &c->f.limit))
				return usage_error("bad --limit");
			c->has_limit = true;
			break;
		case 'f':
			c->is_follow = true;
			break;
		case OPT_TREE:
			c->tree = optarg;
			break;
		case OPT_CHECK:
			c->is_check = true;
			break;
		case OPT_FLEET:
			c->fleet = optarg;
			break;
		case OPT_HOST:
			c->host = optarg;
			break;
		case OPT_TABLE:
			c->table = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			snprintf(err, sizeof(err), "option '%s' needs a value",
				 argv[optind - 1]);
			return usage_error(err);
		default:
			snprintf(err, sizeof(err), "unknown option '%s'",
				 argv[optind - 1]);
			return usage_error(err);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	if (c->is_follow && (c->tree || c->is_check))
		return usage_error("--follow does not go with --tree or "
				   "--check");
	if (c->f.has_since && c->f.has_until && c->f.since_ns >= c->f.until_ns)
		return usage_error("--since is not before --until");
	if (c->fleet && (c->is_follow || c->tree || c->is_check))
		return usage_error("--fleet does not go with --follow, --tree "
				   "or --check");
	if (!c->fleet && (c->host || c->table))
		return usage_error("--host and --table go with --fleet");
	if (c->table && !is_table_name(c->table))
		return usage_error("--table is [database.]table (letters, "
				   "digits, '_')");
	return 0;
}

static int exit_for(int err)
{
	switch (err) {
	case -ENOENT:
		return VIEW_EXIT_MISSING;
	case -EACCES:
	case -EPERM:
		return VIEW_EXIT_ACCESS;
	case -ENODATA:
		return VIEW_EXIT_EMPTY;
	case -EBUSY:
		return VIEW_EXIT_BUSY;
	case -EIO:
	case -EPROTO:
	case -EPROTONOSUPPORT:
		return VIEW_EXIT_DAMAGED;
	default:
		return VIEW_EXIT_ERROR;
	}
}

static int report(const char *path, int err)
{
	const char *why;

	switch (err) {
	case -ENOENT:
		why = "no event store here (is vigil running with the store "
		      "on? see --store)";
		break;
	case -EACCES:
	case -EPERM:
		why = "permission denied (the store is readable by root and "
		      "the group it belongs to, usually adm)";
		break;
	case -ENODATA:
		why = "the store holds no events yet";
		break;
	case -EBUSY:
		why = "the store stayed locked by its writer; try again";
		break;
	case -EIO:
		why = "the store is damaged or not a database";
		break;
	case -EPROTO:
		why = "not a vigil event store (or one from a newer vigil)";
		break;
	case -EPROTONOSUPPORT:
		why = "an event store of an older vigil, which this one cannot "
		      "read (move it aside; the daemon then starts a new one)";
		break;
	default:
		why = strerror(-err);
		break;
	}
	fprintf(stderr, "vigil view: %s: %s\n", path, why);
	return exit_for(err);
}

/* --format text: a header line, then the fields rendered as text. */
static void print_text(struct view_cmd *c, const struct view_row *row)
{
	const char *body = memchr(c->out.data, '\n', c->out.len);
	char when[40];

	event_format_time(row->time_ns, false, when, sizeof(when));
	fprintf(stdout, "Record %llu  %s UTC  EventID %u  %s\n",
		(unsigned long long)row->record_id, when, row->ev->def->id,
		row->ev->def->task);
	if (body)
		fwrite(body + 1, 1,
		       c->out.len - (size_t)(body + 1 - c->out.data), stdout);
	fputc('\n', stdout);
}

/* Any event at all?  0 yes, -ENODATA none, or an error. */
static int has_events(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT 1 FROM events LIMIT 1", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return -ENODATA;
	return (rc & 0xff) == SQLITE_BUSY ? -EBUSY : -EIO;
}

static int print_row(const struct view_row *row, void *arg)
{
	struct view_cmd *c = arg;
	int err = 0;

	buf_reset(&c->out);
	if (!row->is_valid) {
		/* one bad row must not hide the rest of the log, nor end up
		 * in the output as if it were an event */
		fprintf(stderr,
			"vigil view: record %llu is damaged or not a vigil "
			"event (skipped)\n",
			(unsigned long long)row->record_id);
	} else if (c->format == RENDER_JSON) {
		fwrite(row->record, 1, row->record_len, stdout);
		fputc('\n', stdout);
	} else {
		err = render_event(&c->out, &row->host, row->ev, c->format,
				   row->created_ns);
		if (err == 0 && c->format == RENDER_XML) {
			fwrite(c->out.data, 1, c->out.len, stdout);
			fputc('\n', stdout);
		} else if (err == 0) {
			print_text(c, row);
		}
		if (err < 0)
			return err;
	}
	if (row->record_id > c->last_id)
		c->last_id = row->record_id;
	if (ferror(stdout)) {
		c->write_err = -EPIPE;
		return -EPIPE;
	}
	return 0;
}

static int run_check(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st = NULL;
	int rc, bad = 0;

	rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	for (; rc == SQLITE_ROW; rc = sqlite3_step(st)) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t && strcmp(t, "ok") == 0)
			continue;
		bad++;
		/* one problem per line (SQLite joins some with newlines) */
		for (const char *p = t ? t : "?"; *p;) {
			size_t n = strcspn(p, "\n");

			printf("%s: ", path);
			view_put_safe(stdout, p, n);
			putchar('\n');
			p += n + (p[n] == '\n');
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return report(path, (rc & 0xff) == SQLITE_BUSY ? -EBUSY : -EIO);
	if (bad)
		return VIEW_EXIT_DAMAGED;
	printf("%s: ok\n", path);
	return VIEW_EXIT_OK;
}

/* Sleep up to ms; true when SIGINT or SIGTERM arrived (both blocked). */
static bool wait_signal(const sigset_t *set, unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	for (;;) {
		int sig = sigtimedwait(set, NULL, &ts);

		if (sig > 0)
			return true;
		if (errno != EINTR)
			return false;
	}
}

static int64_t max_id(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, "SELECT max(EventRecordID) FROM events", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int note_min(const struct view_row *row, void *arg)
{
	uint64_t *min = arg;

	if (!*min || row->record_id < *min)
		*min = row->record_id;
	return 0;
}

/* An empty file is what the daemon creates first: worth waiting on. */
static bool is_empty_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

/*
 * The store the follower reads was moved aside or deleted and the daemon
 * started a new one at the path (store_is_replaced()): what is left in
 * the old file has been read; open the new one.  Record ids continue
 * across the two, so "id > last" goes on without a repeat or a gap.
 * Until the new file opens, the old stays (false).
 */
static bool follow_reopen(struct view_cmd *c, sqlite3 **db)
{
	sqlite3 *fresh = NULL;

	if (store_open_ro(c->store, BUSY_TIMEOUT_MS, &fresh) < 0)
		return false;
	sqlite3_close(*db);
	*db = fresh;
	fprintf(stderr,
		"vigil view: %s: a new store file (the old one was moved "
		"aside or deleted): following it from record %llu\n",
		c->store, (unsigned long long)c->last_id + 1);
	return true;
}

/*
 * --follow: print the last few matching events, then poll for record
 * ids above the last one seen.  Ids only grow and a batch commits as a
 * whole, so "id > last" never skips or repeats an event.  A store
 * replaced under the follower (damaged and moved aside, deleted) is
 * read to its end and the new file followed from there on; a read error
 * in a file that is not replaced (yet: the daemon moves a damaged store
 * aside at its next batch) is waited out.
 */
static int follow(struct view_cmd *c)
{
	sigset_t set, old;
	sqlite3 *db = NULL;
	bool is_waiting_noted = false, is_error_noted = false;
	int err, status = VIEW_EXIT_OK;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* Wait for the store to appear: following before the daemon starts
	 * is a normal thing to do. */
	for (;;) {
		err = store_open_ro(c->store, BUSY_TIMEOUT_MS, &db);
		if (err == 0 ||
		    (err != -ENOENT && err != -ENODATA && err != -EBUSY &&
		     !(err == -EPROTO && is_empty_file(c->store)))) {
			break;
		}
		if (!is_waiting_noted) {
			fprintf(stderr,
				"vigil view: %s: waiting for the store...\n",
				c->store);
			is_waiting_noted = true;
		}
		if (wait_signal(&set, FOLLOW_POLL_MS))
			goto out;
	}
	if (err < 0) {
		status = report(c->store, err);
		goto out;
	}
	/* a store that did not exist or was empty: every event is new */
	if (!is_waiting_noted && has_events(db) == -ENODATA)
		is_waiting_noted = true;
	if (!is_waiting_noted) {
		struct view_filter back = c->f;
		uint64_t first = 0, backlog;
		int64_t n;

		backlog = c->has_limit ? c->f.limit : FOLLOW_BACKLOG;
		c->last_id = (uint64_t)max_id(db);
		if (backlog) {
			back.is_oldest_first = false;
			back.limit = backlog;
			n = view_query(db, &back, 0, note_min, &first);
			if (n < 0) {
				status = report(c->store, (int)n);
				goto out;
			}
			if (first)
				c->last_id = first - 1;
		}
	}
	c->f.limit = FOLLOW_CHUNK;
	c->f.is_oldest_first =
		true; /* after_id 0 (empty store): all, in order */
	for (;;) {
		/* looked at before the read: a file replaced by then has
		 * had its last write, so this read drains it */
		bool is_replaced = store_is_replaced(db, c->store);
		int64_t n = view_query(db, &c->f, c->last_id, print_row, c);

		fflush(stdout);
		if (c->write_err || ferror(stdout)) {
			status = VIEW_EXIT_ERROR;
			break;
		}
		if (n == FOLLOW_CHUNK)
			continue; /* more waiting: no sleep */
		if (is_replaced && follow_reopen(c, &db)) {
			is_error_noted = false;
			continue;
		}
		if (n < 0 && n != -EBUSY && !is_error_noted) {
			fprintf(stderr,
				"vigil view: %s: %s; waiting for the daemon "
				"to start a new store\n",
				c->store, strerror((int)-n));
			is_error_noted = true;
		}
		if (wait_signal(&set, FOLLOW_POLL_MS))
			break;
	}
out:
	sqlite3_close(db);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

static int run(struct view_cmd *c)
{
	sqlite3 *db = NULL;
	int64_t n;
	int err;

	if (c->is_follow)
		return follow(c);
	err = store_open_ro(c->store, BUSY_TIMEOUT_MS, &db);
	if (err < 0)
		return report(c->store, err);
	if (c->is_check) {
		int status = run_check(db, c->store);

		sqlite3_close(db);
		return status;
	}
	err = has_events(db);
	if (err < 0) {
		sqlite3_close(db);
		return report(c->store, err);
	}
	if (c->tree) {
		int r = view_tree(db, c->tree, stdout);

		sqlite3_close(db);
		if (r < 0)
			return report(c->store, r);
		if (r == 0) {
			fprintf(stderr,
				"vigil view: no ProcessCreate event for %s\n",
				c->tree);
			return VIEW_EXIT_NO_MATCH;
		}
		return fflush(stdout) ? VIEW_EXIT_ERROR : VIEW_EXIT_OK;
	}
	n = view_query(db, &c->f, 0, print_row, c);
	sqlite3_close(db);
	if (fflush(stdout) || c->write_err)
		return VIEW_EXIT_ERROR;
	if (n < 0)
		return report(c->store, (int)n);
	if (n == 0) {
		fprintf(stderr, "vigil view: no events match\n");
		return VIEW_EXIT_NO_MATCH;
	}
	return VIEW_EXIT_OK;
}

/* What a fleet query may do: read only, whatever the ClickHouse user's
 * rights (no time bound of the server's: a whole-fleet search may take
 * long; the request's timeout bounds it). */
#define FLEET_SETTINGS "readonly=2"

/* --fleet: the query on ClickHouse, printed like local rows. */
static int run_fleet(struct view_cmd *c)
{
	struct ch_client_opts o = { .timeout_ms = 60000,
				    .settings = FLEET_SETTINGS };
	struct ch_client *cl = NULL;
	char err[512];
	const char *table = c->table ? c->table : CH_DEFAULT_TABLE;
	int64_t n;

	if (ch_global_init() < 0) {
		fprintf(stderr, "vigil view: out of memory\n");
		return VIEW_EXIT_ERROR;
	}
	if (strstr(c->fleet, "://")) {
		if (strncmp(c->fleet, "http://", 7) &&
		    strncmp(c->fleet, "https://", 8))
			return usage_error("--fleet URL is http:// or "
					   "https://");
		o.url = c->fleet;
		cl = ch_client_new(&o);
		snprintf(err, sizeof(err), "out of memory");
	} else {
		struct settings s;
		struct diag dg = { 0 };
		const struct settings_dest *sd;

		settings_defaults(&s);
		settings_load(&s, SETTINGS_DEFAULT_PATH, &dg);
		sd = settings_dest_find(&s, c->fleet);
		if (!sd || sd->kind != DEST_CLICKHOUSE) {
			fprintf(stderr,
				"vigil view: no ClickHouse destination '%s' in "
				"%s\n",
				c->fleet, SETTINGS_DEFAULT_PATH);
			return VIEW_EXIT_USAGE;
		}
		if (!c->table)
			table = sd->table;
		cl = ch_client_for(sd, o.timeout_ms, FLEET_SETTINGS, err,
				   sizeof(err));
	}
	if (!cl) {
		fprintf(stderr, "vigil view: %s\n", err);
		return errno == ENOMEM ? VIEW_EXIT_ERROR : VIEW_EXIT_ACCESS;
	}
	n = view_fleet_query(cl, table, &c->f, c->host, print_row, c, err,
			     sizeof(err));
	ch_client_free(cl);
	if (fflush(stdout) || c->write_err)
		return VIEW_EXIT_ERROR;
	if (n < 0) {
		fprintf(stderr, "vigil view: %s\n", err);
		return VIEW_EXIT_ERROR;
	}
	if (n == 0) {
		fprintf(stderr, "vigil view: no events match\n");
		return VIEW_EXIT_NO_MATCH;
	}
	return VIEW_EXIT_OK;
}

int view_main(int argc, char **argv)
{
	struct view_cmd *c = calloc(1, sizeof(*c));
	int status;

	if (!c) {
		fprintf(stderr, "vigil view: out of memory\n");
		return VIEW_EXIT_ERROR;
	}
	c->format = RENDER_TEXT;
	buf_init(&c->out, 0);
	status = parse_args(c, argc, argv);
	if (status < 0) {
		status = VIEW_EXIT_OK; /* --help */
	} else if (status == 0 && c->fleet) {
		status = run_fleet(c);
	} else if (status == 0) {
		if (!c->store[0])
			default_store(c->store, sizeof(c->store));
		if (!c->store[0]) {
			fprintf(stderr, "vigil view: the store is turned off "
					"in the settings (store_path is empty)"
					"; use --store\n");
			status = VIEW_EXIT_MISSING;
		} else {
			status = run(c);
		}
	}
	buf_release(&c->out);
	free(c);
	return status;
}
