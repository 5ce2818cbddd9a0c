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

#endif /* VIGIL_SINK_H */
