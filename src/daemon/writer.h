/* SPDX-License-Identifier: MIT */
/*
 * daemon/writer.h - the bounded queue between the pipeline and the sinks,
 * and the thread that drains it.
 *
 * The pipeline never waits on a disk: writer_push() either queues at once
 * or counts the event lost.  The writer thread assigns EventRecordIDs
 * (monotonic across restarts), writes each event to every sink and
 * flushes the sinks once per batch.
 */
#ifndef VIGIL_WRITER_H
#define VIGIL_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct event;
struct sink;

#include "sink/sink.h"

#define WRITER_MAX_SINKS 8

struct writer_stats {
	uint64_t written; /* events handed to the sinks */
	uint64_t lost_queue; /* queue full */
	uint64_t lost_sink; /* a sink without losses() failed to take one */
	/* The sinks that count their own losses (sink_async_new()). */
	size_t nsinks;
	struct {
		const char *name; /* the sink's name */
		struct sink_losses lost;
	} sinks[WRITER_MAX_SINKS];
};

struct writer;

/*
 * Start the writer thread.  Takes ownership of the sinks array's entries
 * (freed by writer_free()).  state_dir holds the record-id reservation
 * file.  NULL + errno on error.
 */
struct writer *writer_new(struct sink **sinks, size_t nsinks, size_t max_events,
			  const char *state_dir);

/*
 * Queue ev, moving it (ev is left empty and may be re-initialised).
 * Returns 0, or -ENOSPC when the queue is full (-ENOMEM without memory
 * for it): then ev is released and the loss counted.  must_keep events
 * (4, 16, 255) may use a small reserve beyond max_events so loss reports
 * themselves are not lost.
 */
int writer_push(struct writer *w, struct event *ev, int must_keep);

void writer_get_stats(struct writer *w, struct writer_stats *out);

/* Drain what is queued, flush, stop the thread, free the sinks. */
void writer_free(struct writer *w);

#endif /* VIGIL_WRITER_H */
