/* SPDX-License-Identifier: MIT */
/*
 * daemon/counters.h - what the daemon counts, for event 255 and the status
 * file.
 */
#ifndef VIGIL_DAEMON_COUNTERS_H
#define VIGIL_DAEMON_COUNTERS_H

#include <stdint.h>

#include "status/status.h"

struct daemon_counters {
	uint64_t queued; /* events accepted by the writer queue */
	uint64_t logged; /* events handed to the sinks */
	/* Counted on the pipeline thread as they happen; gather() copies
	 * them into lost[] with the sensor's and the writer's counts. */
	uint64_t lost_decode; /* malformed kernel record */
	uint64_t lost_pending; /* too many events waiting for enrichment */
	uint64_t lost_shed; /* shed from the enrichment backlog */
	uint64_t lost[LOSS_MAX]; /* totals since start, per reason */
	uint64_t counts[COUNT_MAX]; /* not losses (status.h) */
};

#endif /* VIGIL_DAEMON_COUNTERS_H */
