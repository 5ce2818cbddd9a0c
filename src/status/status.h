/* SPDX-License-Identifier: MIT */
/*
 * status/status.h - the daemon's status file and its loss reasons.
 *
 * The daemon rewrites <run_dir>/status every second (atomically) and keeps
 * <run_dir>/vigil.pid while it runs; `vigil status` and the service
 * commands read them.  Both sides use this module, so the format has one
 * writer and one parser.  The file is "key=value" lines:
 *
 *   pid, started (epoch s), version, config_path, config_hash (SHA-256
 *   of the config file, or of the built-in config's text), config_error
 *   and config_running (empty unless config_path did not load: why, and
 *   the last good copy the rules run from),
 *   schema_version (the Sysmon schema the daemon speaks, as event 4's
 *   SchemaVersion says), config_schema (the schemaversion the config
 *   declares), armed (event ids, comma separated), unavailable (event
 *   ids the config wants that this kernel has no hooks for, e.g. 6
 *   without loadable-module support), logged (events
 *   written), lost_<key> for each loss reason below, the counts below
 *   by their keys, store_path ("-": none), store_bytes, bpf_map_bytes,
 *   processes, and per forwarding destination dest.<name>.url and
 *   dest.<name>.lost_retention
 *
 * The forwarder (`vigil forward`) writes <run_dir>/forward/status in the
 * same format: pid, started, and per destination dest.<name>.<key> for
 * url, connected (0/1), cursor, delivered, backlog, oldest_ns, cut,
 * skipped, error_time (epoch s, 0: none) and error (one line, printable
 * ASCII).  status_read_forward() merges it into what status_read() gave.
 *
 * A reader skips keys it does not know, so newer daemons may add some.
 *
 * Loss reasons: every place an event can be lost has one enum value and
 * one row in the table behind status_loss(); the status file, event 255
 * and `vigil status` are all produced from that table.
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define STATUS_MAX_ARMED 32

enum loss_reason {
	LOSS_RING, /* kernel ring buffer full */
	LOSS_SCRATCH, /* kernel scratch memory unavailable */
	LOSS_QUEUE, /* user-space writer queue full */
	LOSS_SINK, /* the store refused them (disk full, I/O error) */
	LOSS_DECODE, /* malformed kernel record */
	LOSS_PENDING, /* too many events waiting for enrichment */
	/* One per output that runs on its own thread (sink_async_new()):
	 * events that output alone did not get, because it fell behind (a
	 * stalled reader: its backlog was full) or refused them.  The store
	 * and the other outputs still have them. */
	LOSS_STDOUT,
	LOSS_SYSLOG,
	LOSS_JSONL,
	LOSS_RETENTION, /* deleted by retention before a destination had it
			 * (counted once per destination) */
	LOSS_SHED, /* shed under load: an event of shed_first met the
		    * kernel ring, the enrichment backlog or the writer
		    * queue 3/4 full */
	/* Shed by one output on its own thread: an event of shed_first met
	 * its backlog 3/4 full.  The store and the other outputs have it. */
	LOSS_STDOUT_SHED,
	LOSS_SYSLOG_SHED,
	LOSS_JSONL_SHED,
	LOSS_MAX,
};

struct loss_def {
	const char *key; /* status file key is "lost_<key>" */
	const char *text; /* for people: event 255, `vigil status` */
};

/*
 * Counts that are not losses: what a sensor chose not to send or to
 * resolve.  Written as "<key>=N" after the losses.
 */
enum status_count {
	COUNT_NET_FILTERED, /* dropped in the kernel by the port prefilter */
	COUNT_FILE_FILTERED, /* file records the path prefilter kept back */
	COUNT_UDP_FLOWS, /* UDP flows seen */
	COUNT_UDP_REPEATS, /* datagrams of flows logged within the window */
	COUNT_UDP_EVICTED, /* flows the full flow table forgot early */
	COUNT_DNS_UNANSWERED, /* DNS queries logged with status 1460 */
	COUNT_DNS_MALFORMED, /* DNS packets that did not parse */
	COUNT_REVERSE_LOOKUPS, /* DnsLookup's reverse lookups made */
	COUNT_REVERSE_SLOW, /* of which slower than their timeout */
	COUNT_IMAGE_SKIPS, /* files handed to the kernel to skip (event 7) */
	COUNT_MAX,
};

/* The status file key of count c (c < COUNT_MAX). */
const char *status_count_key(enum status_count c);

/* The row of reason r (r < LOSS_MAX). */
const struct loss_def *status_loss(enum loss_reason r);

/*
 * Event 255's Description for n new losses: "N event(s) lost since the
 * last report; totals since start: <text> <count>, ..." for every reason,
 * appended to out.  Pure.  Returns 0 or -ENOMEM.
 */
int status_format_losses(struct buf *out, uint64_t n,
			 const uint64_t lost[LOSS_MAX]);

/* Sum of lost[0..LOSS_MAX). */
uint64_t status_lost_total(const uint64_t lost[LOSS_MAX]);

#define STATUS_MAX_DESTS 8

/* One forwarding destination.  Strings are NUL-terminated. */
struct status_dest {
	char name[32];
	char url[256];
	bool is_connected;
	uint64_t cursor; /* highest EventRecordID delivered */
	uint64_t delivered; /* events delivered since the forwarder started */
	uint64_t backlog; /* events in the store not yet delivered */
	uint64_t oldest_ns; /* UtcTime of the oldest of them, 0: none */
	uint64_t cut; /* events cut to fit the message size */
	uint64_t skipped; /* events that could not be sent at all */
	uint64_t lost_retention; /* deleted by retention before delivery */
	long long error_time; /* epoch s of the last error, 0: none */
	char error[256]; /* the last error */
};

/* What the status file holds.  Strings are NUL-terminated. */
struct status_info {
	long pid;
	long long started; /* epoch seconds */
	char version[32];
	char config_path[PATH_MAX]; /* "(built-in)" for the default */
	char config_hash[80];
	/* Why config_path did not load when last read, file:line:col:
	 * message ("": it loaded).  One line of printable ASCII. */
	char config_error[600];
	/* The file the rules run from when it is not config_path: the
	 * state directory's copy of the last configuration that loaded, at
	 * a start with a config_path that did not ("": config_path). */
	char config_running[PATH_MAX];
	char schema_version[16]; /* what event 4 says: VIGIL_SCHEMA_VERSION */
	char config_schema[16]; /* what the config declares ("" unknown) */
	unsigned armed[STATUS_MAX_ARMED];
	size_t narmed;
	unsigned unavailable[STATUS_MAX_ARMED]; /* wanted, kernel lacks hooks */
	size_t nunavailable;
	uint64_t logged;
	uint64_t lost[LOSS_MAX];
	uint64_t counts[COUNT_MAX];
	char store_path[PATH_MAX]; /* "-": no store */
	uint64_t store_bytes;
	uint64_t bpf_map_bytes;
	uint64_t processes;
	struct status_dest dests[STATUS_MAX_DESTS];
	size_t ndests;
	long forward_pid; /* status_read_forward(): the forwarder's, 0: none */
};

/* The file's text for st, appended to out.  Pure.  Returns 0 or -ENOMEM
 * (-EFBIG if out has a maximum it reached). */
int status_format(const struct status_info *st, struct buf *out);

/*
 * Parse the file's text (hostile: values are bounded and numbers
 * checked).  Unknown keys are skipped.  Returns 0, or -EINVAL (no pid,
 * a bad number, a value too long).  Pure.
 */
int status_parse(const char *text, size_t len, struct status_info *st);

/* The forwarder's file: pid, started and the dest.* keys only. */
int status_format_forward(const struct status_info *st, struct buf *out);

/* The destination called name in st, added when missing (NULL: full). */
struct status_dest *status_dest_get(struct status_info *st, const char *name);

/* Write <run_dir>/status atomically.  Returns 0 or a negative errno. */
int status_write(const char *run_dir, const struct status_info *st);

/* Read and parse <run_dir>/status.  Returns 0, -ENOENT, -EINVAL ... */
int status_read(const char *run_dir, struct status_info *st);

/*
 * Write the forwarder's <run_dir>/forward/status, and read it back into
 * st (merging its destinations into st's by name, keeping the daemon's
 * lost_retention; st->forward_pid gets its pid).  0 or a negative errno.
 */
int status_write_forward(const char *run_dir, const struct status_info *st);
int status_read_forward(const char *run_dir, struct status_info *st);

/* Bytes the store at path takes on disk, with its -wal and -shm files
 * (0 for NULL or ""). */
uint64_t status_store_bytes(const char *path);

/*
 * Make this process the one daemon of run_dir: create run_dir and
 * <run_dir>/vigil.pid if needed, lock the pid file (flock, exclusive,
 * held while the returned descriptor is open) and write our pid in it.
 * Returns the descriptor, or -EBUSY when another process holds the lock
 * (*other_pid is then the pid its file names, 0 if unreadable; nothing
 * was changed), or another negative errno.
 */
int status_lock_pid(const char *run_dir, long *other_pid);

/* At exit: remove the pid and status files, then drop the lock (pid_fd
 * from status_lock_pid(), or -1). */
void status_remove(const char *run_dir, int pid_fd);

#endif /* VIGIL_STATUS_H */
