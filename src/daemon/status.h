/* SPDX-License-Identifier: MIT */
/*
 * daemon/status.h - the daemon's counters and the status file it rewrites
 * every second (format in daemon.h), plus its pid file.
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define STATUS_MAX_ARMED 32

struct daemon_counters {
	uint64_t queued; /* events accepted by the writer queue */
	uint64_t logged; /* events handed to the sinks */
	uint64_t lost_ring; /* kernel ring buffer full */
	uint64_t lost_other; /* kernel scratch unavailable */
	uint64_t lost_queue; /* user-space queue full */
	uint64_t lost_sink; /* an output failed */
	uint64_t lost_decode; /* malformed kernel record */
	uint64_t lost_pending; /* too many events waiting for enrichment */
};

struct daemon_status {
	unsigned pid;
	time_t started;
	const char *config_path; /* NULL: built-in */
	const char *config_hash;
	const char *schema_version;
	unsigned armed[STATUS_MAX_ARMED];
	size_t narmed;
	struct daemon_counters counters;
	const char *store_path;
	uint64_t sensor_map_bytes;
	size_t proc_entries;
};

/* Write <run_dir>/status atomically.  Returns 0 or a negative errno. */
int status_write(const char *run_dir, const struct daemon_status *st);

/* Write <run_dir>/vigil.pid (creating run_dir); remove both at exit. */
int status_write_pid(const char *run_dir);
void status_remove(const char *run_dir);

#endif /* VIGIL_STATUS_H */
