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

#include <stdbool.h>
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

/*
 * Whether the queue is past its high-water mark (two batches, 4,096
 * events, or seven eighths of a smaller queue): the pipeline then stops
 * taking records from the kernel, whose ring buffer holds them meanwhile,
 * rather than lose them or hold them here.
 */
bool writer_is_backlogged(struct writer *w);

/* Wait up to timeout_ms for the queue to fall to half the high-water
 * mark; true when it has. */
bool writer_wait_room(struct writer *w, int timeout_ms);

void writer_get_stats(struct writer *w, struct writer_stats *out);

/* Drain what is queued, flush, stop the thread, free the sinks. */
void writer_free(struct writer *w);

#endif /* VIGIL_WRITER_H */
