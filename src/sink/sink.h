/* SPDX-License-Identifier: MIT */
/*
 * sink/sink.h - where logged events go.  Each sink renders in the format it
 * wants and writes; the writer thread calls write() for every event of a
 * batch, then flush() once (a store commits there).
 *
 * A sink is called from one thread only (losses() excepted).  A failing
 * sink returns a negative errno; the writer counts the loss (event 255)
 * and goes on.  Outputs that can stall (stdout, syslog, files) run behind
 * sink_async_new(), on threads of their own, and count their own losses.
 */
#ifndef VIGIL_SINK_H
#define VIGIL_SINK_H

#include <stddef.h>
#include <stdint.h>

struct event;
struct render_host;

/* Events a sink dropped on its own, since it was opened. */
struct sink_losses {
	uint64_t backlog; /* its queue was full: the output fell behind */
	uint64_t failed; /* the output refused them (write error) */
	uint64_t shed; /* of shed_first, met the backlog 3/4 full */
};

struct sink {
	const char *name;
	int (*write)(struct sink *s, const struct event *ev);
	int (*flush)(struct sink *s);
	/* Highest EventRecordID this sink holds durably, 0 if none/unknown. */
	uint64_t (*last_record_id)(struct sink *s);
	/* NULL: the writer counts this sink's failures.  Otherwise the sink
	 * counts its own; may be called from any thread. */
	void (*losses)(struct sink *s, struct sink_losses *out);
	void (*free)(struct sink *s); /* closes and frees s */
	void *priv;
};

/*
 * Run inner on a thread of its own behind a queue of at most max_events
 * events and max_bytes bytes of values (plus a reserve of 64 events for
 * those the daemon always logs: 4, 16, 255).  The returned sink's write()
 * never blocks and never fails: an event that does not fit is counted in
 * losses().backlog, one inner refuses in losses().failed.  Its free()
 * writes what is queued, waiting up to 2 s for a stalled output (then
 * leaves the thread to the process exit), and frees inner.  Takes
 * ownership of inner on success only; NULL and errno on error.
 */
struct sink *sink_async_new(struct sink *inner, size_t max_events,
			    size_t max_bytes);

/*
 * The shed_first policy (settings.h) for an async sink s: events whose id
 * has its bit in shed (id / 64, bit id % 64) may fill its backlog to three
 * quarters only, of max_events and of max_bytes; past that they are
 * counted in losses().shed and the last quarter is kept for the others.
 * All zero: nothing is shed (the default).  Any thread.
 */
void sink_async_set_shed(struct sink *s, const uint64_t shed[4]);

/* Standard output, one rendered event per line (format: render_format). */
struct sink *sink_stdout_new(const struct render_host *h, int format);

/*
 * Sysmon for Linux's output: each event's XML as one syslog(3) message,
 * openlog("sysmon", LOG_NOWAIT, LOG_USER), priority user.info, so
 * existing SIEM parsers of SfL lines work unchanged.  h is copied; its
 * strings must outlive the sink.  NULL and errno (ENOMEM) on error.
 */
struct sink *sink_syslog_new(const struct render_host *h);

/*
 * Append each event as one line of vigil's JSON to the file at path
 * (created 0640, group adm when it exists; opened O_APPEND, so other
 * appenders and logrotate's copytruncate are safe).  A line is written
 * whole or not at all: write() returns -ENOSPC on a full disk, -EIO etc.,
 * and the event is lost (the writer counts it).  A path that no longer
 * names the file written (moved, deleted) is opened again, looked at
 * before each batch (the first write after a flush); while that fails
 * write() returns its error.  h is copied; its
 * strings must outlive the sink.  NULL and errno on error.
 */
struct sink *sink_jsonl_new(const char *path, const struct render_host *h);

/*
 * Close and reopen the JSON-lines file (after log rotation moved it).
 * s must come from sink_jsonl_new().  Returns 0 or a negative errno, in
 * which case the old file stays open.
 */
int sink_jsonl_reopen(struct sink *s);

#endif /* VIGIL_SINK_H */
