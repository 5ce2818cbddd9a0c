/* SPDX-License-Identifier: MIT */
/*
 * sensor/family.h - private to the sensor: the family table and what
 * every family's decoder shares.
 *
 * A family is one bpf/<family>.bpf.c, one src/sensor/<family>.c and one
 * row here: the events it produces, the programs that exist only to feed
 * them (attached while the config can log one of them), and one decoder
 * per record kind it sends.  docs/adding-a-family.md walks through it.
 */
#ifndef VIGIL_SENSOR_FAMILY_H
#define VIGIL_SENSOR_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#include "sensor.h"

struct event;

/*
 * Decode one record of a kind the row names.  The dispatcher has checked
 * the header: len == hdr.len, len >= size (== size for fixed records).
 * Returns like decode_record().
 */
typedef int sensor_decode_fn(struct decoder *d, const void *rec, size_t len,
			     struct event *ev);

struct sensor_record_type {
	uint32_t kind; /* enum wire_kind; 0 ends a row's list */
	uint32_t size; /* the fixed part */
	bool has_data; /* a data[] of wire_str parts may follow */
	sensor_decode_fn *decode;
};

#define FAMILY_MAX_EVENTS  8
#define FAMILY_MAX_PROGS   16
#define FAMILY_MAX_RECORDS 4

struct sensor_family {
	const char *name;
	/* What a kernel needs for these hooks, for the message when it
	 * lacks all of them ("loadable-module support"); NULL: nothing
	 * beyond what vigil needs anyway. */
	const char *needs;
	unsigned event_ids[FAMILY_MAX_EVENTS]; /* 0 ends the list */
	/* Attached while one of event_ids is wanted; NULL ends the list. */
	const char *programs[FAMILY_MAX_PROGS];
	struct sensor_record_type records[FAMILY_MAX_RECORDS];
	/* Events held back (see decode_more()); NULL: never any. */
	int (*more)(struct decoder *d, uint64_t now_boot_ns, bool is_final,
		    struct event *ev);
};

/* The rows, one per family file; families.c lists them. */
extern const struct sensor_family sensor_family_process;
extern const struct sensor_family sensor_family_network;
extern const struct sensor_family sensor_family_files_open;
extern const struct sensor_family sensor_family_files_names;
extern const struct sensor_family sensor_family_files_rename;
extern const struct sensor_family sensor_family_files_delete;
extern const struct sensor_family sensor_family_files_times;
extern const struct sensor_family sensor_family_files_exec;
extern const struct sensor_family sensor_family_files_uring;
extern const struct sensor_family sensor_family_integrity;
extern const struct sensor_family sensor_family_image_load;
extern const struct sensor_family sensor_family_bpf;
extern const struct sensor_family sensor_family_module;

/* Programs attached whatever the config says: they keep the process
 * table, which every family's events lean on.  NULL-terminated. */
extern const char *const sensor_always_on[];

/* The table: n rows. */
const struct sensor_family *const *sensor_families(size_t *n);

/* The record type of kind, or NULL. */
const struct sensor_record_type *sensor_record_type(uint32_t kind);

/* --- decode.c: shared by every family's decoder --- */

/*
 * The bytes s describes inside data[] of a record whose data[] holds
 * data_len bytes: *out and *n, or -EINVAL when s points outside.  An
 * absent part (len 0) is fine: *n is 0.
 */
int wire_read(const char *data, size_t data_len, const struct wire_str *s,
	      const char **out, size_t *n);

/*
 * Set field idx of ev to the string s describes, read as its flags say
 * (paths joined, truncation marked, " (deleted)" appended).  0, -EINVAL
 * (out of bounds), -ENOMEM.
 */
int wire_set_field(struct event *ev, unsigned idx, const char *data,
		   size_t data_len, const struct wire_str *s);

/* The same into a malloc'd string (*out; caller frees). */
int wire_strdup(const char *data, size_t data_len, const struct wire_str *s,
		char **out);

/* CLOCK_BOOTTIME ns -> UTC ns since the epoch. */
uint64_t decode_utc(const struct decoder *d, uint64_t boot_ns);

/*
 * The subject of every event: ProcessGuid, ProcessId, Image (and command
 * line) from the process table, User by enrichment; when the table does
 * not know the process, enrichment reads /proc.  user_field < 0: none.
 * Returns the table entry or NULL.
 */
const struct proc *decode_subject(struct decoder *d,
				  const struct wire_task *task,
				  struct event *ev, const struct proc_fields *f,
				  int user_field);

/* Ask enrichment for the user name of uid in field. */
void decode_want_user(struct decoder *d, int field, uint32_t uid);

/*
 * Ask enrichment for a file's fields (WANT_HASH, WANT_MODSIG ...) into
 * field: the file named by the event's path_field, as version f of it
 * (what the kernel saw).  WANT_HASH only with hash algorithms configured.
 */
void decode_want_file(struct decoder *d, enum decode_want_kind kind, int field,
		      int path_field, const struct wire_inode *f);

/* Reserve one enrichment request; NULL when the event has too many. */
struct decode_want *decode_want(struct decoder *d, enum decode_want_kind kind,
				int field);

#endif /* VIGIL_SENSOR_FAMILY_H */
