/* SPDX-License-Identifier: MIT */
/*
 * sensor/sensor.h - the kernel side seen from user space: load and attach
 * the BPF programs, drain the ring buffer, read the drop counters; and
 * decode wire records into canonical events.
 *
 * loader.c is the only file that includes the generated skeleton and
 * decode.c the only one that reads include/wire.h.
 */
#ifndef VIGIL_SENSOR_H
#define VIGIL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct proc_table;
struct users;

/* Kernel-side loss reasons (mirrors wire.h's enum wire_drop). */
enum sensor_drop {
	SENSOR_DROP_RING_FULL,
	SENSOR_DROP_NO_SCRATCH,
	SENSOR_DROP_MAX,
};

/* Called for each ring-buffer record; data is borrowed for the call. */
typedef int sensor_record_fn(void *ctx, const void *data, size_t len);

struct sensor_opts {
	uint32_t self_tgid; /* the daemon: its activity is not recorded */
	uint32_t ring_kib; /* ring buffer size, power of two >= 4096 KiB */
	sensor_record_fn *on_record;
	/* Which event ids the config can log (NULL: all); ctx is passed. */
	bool (*wants)(void *ctx, unsigned event_id);
	void *ctx;
};

struct sensor;

/* Load and attach everything; NULL + errno (and a log line) on failure. */
struct sensor *sensor_open(const struct sensor_opts *o);

/*
 * Attach the programs that feed a wanted event (catalog_event.programs)
 * and detach those that feed none; programs that feed no catalogue entry
 * stay attached.  Called again on reconfiguration: nothing is reloaded and
 * programs that stay wanted are never detached, so no event is missed.
 */
int sensor_arm(struct sensor *s, bool (*wants)(void *ctx, unsigned id),
	       void *ctx);

/* Wait up to timeout_ms and deliver what arrived.  Returns the number of
 * records handled or a negative errno (-EINTR is not an error). */
int sensor_poll(struct sensor *s, int timeout_ms);

/* Total drops per reason since open, summed over CPUs. */
int sensor_drops(struct sensor *s, uint64_t out[SENSOR_DROP_MAX]);

/* Kernel memory in bytes held by the sensor's maps (status, benchmarks). */
uint64_t sensor_map_bytes(struct sensor *s);

/* Detach and free.  NULL is fine. */
void sensor_close(struct sensor *s);

/* --- decode.c: wire record -> canonical event --- */

/*
 * A file whose hashes the event wants in one of its fields.  Hashing is
 * enrichment, not decoding: the daemon decides whether to hash inline or
 * on the hasher thread.
 */
struct decode_hash {
	bool is_wanted;
	unsigned field; /* index of the Hashes field in the event */
	const char *path; /* borrowed from the event: copy before changing it */
	uint64_t dev; /* user-space st_dev encoding */
	uint64_t ino;
};

struct decoder {
	struct proc_table *procs;
	struct users *users;
	unsigned hash_algs; /* CONFIG_HASH_* bits for event 1 */
	int64_t boot_to_utc_ns; /* add to CLOCK_BOOTTIME to get UTC */
	struct decode_hash hash; /* out: set by decode_record() */
};

/*
 * Turn one wire record into ev (initialised here; the caller releases it)
 * and keep the process table current; d->hash says whether a file should
 * be hashed into ev.  Returns 1 when ev holds an event,
 * 0 when the record only updated state (fork), -EINVAL for a malformed
 * record (nothing changed), -ENOMEM.
 */
int decode_record(struct decoder *d, const void *data, size_t len,
		  struct event *ev);

#endif /* VIGIL_SENSOR_H */
