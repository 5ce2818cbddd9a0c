/* SPDX-License-Identifier: MIT */
/*
 * sink/sink.h - where logged events go.  Each sink renders in the format it
 * wants and writes; the writer thread calls write() for every event of a
 * batch, then flush() once (a store commits there).
 *
 * Sinks are called from one thread only.  A failing sink returns a
 * negative errno; the writer counts the loss (event 255) and goes on.
 */
#ifndef VIGIL_SINK_H
#define VIGIL_SINK_H

#include <stdint.h>

struct event;
struct render_host;

struct sink {
	const char *name;
	int (*write)(struct sink *s, const struct event *ev);
	int (*flush)(struct sink *s);
	/* Highest EventRecordID this sink holds durably, 0 if none/unknown. */
	uint64_t (*last_record_id)(struct sink *s);
	void (*free)(struct sink *s); /* closes and frees s */
	void *priv;
};

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
 * and the event is lost (the writer counts it).  h is copied; its strings
 * must outlive the sink.  NULL and errno on error.
 */
struct sink *sink_jsonl_new(const char *path, const struct render_host *h);

/*
 * Close and reopen the JSON-lines file (after log rotation moved it).
 * s must come from sink_jsonl_new().  Returns 0 or a negative errno, in
 * which case the old file stays open.
 */
int sink_jsonl_reopen(struct sink *s);

#endif /* VIGIL_SINK_H */
