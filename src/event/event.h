/* SPDX-License-Identifier: MIT */
/*
 * event/event.h - the canonical event: a catalogue entry plus one string
 * value per field, in schema order.
 *
 * Everything after the sensor's decoder (rules, renderers, sinks, store,
 * viewer) sees only this.  Values are bytes as captured (paths and command
 * lines may hold any byte but NUL); renderers make them valid XML/JSON.
 * An unset or empty value reads back as "-", Sysmon's empty marker, both
 * for rule matching and output.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* All values of one event together; longer values are cut to fit. */
#define EVENT_MAX_BYTES (256 * 1024)

struct event {
	const struct catalog_event *def;
	uint64_t record_id; /* EventRecordID, 0 until the writer assigns it */
	uint64_t time_ns; /* event time, ns since the epoch (UTC) */
	uint32_t off[CATALOG_MAX_FIELDS];
	uint32_t len[CATALOG_MAX_FIELDS]; /* 0: unset, reads as "-" */
	char *buf; /* owned; values NUL-terminated */
	uint32_t used;
	uint32_t cap;
	bool is_truncated; /* some value did not fit in EVENT_MAX_BYTES */
	/* The first failed set (a negative errno), 0 while all took: the
	 * event is short of a value, so whoever finishes it drops and counts
	 * it rather than logging it incomplete.  Callers need not check each
	 * set. */
	int err;
};

/*
 * Start an empty event of type id.  Returns 0, -EINVAL for an id not in
 * the catalogue, -ENOMEM.  Release with event_release() either way.
 */
int event_init(struct event *ev, unsigned id);

/*
 * Make ev an event of type id, keeping the values of the fields both
 * types share by position and name (FileDelete 23 -> FileDeleteDetected
 * 26: all but Archived); RuleName is cleared.  -EINVAL when id is not in
 * the catalogue or a kept field's name differs (ev unchanged).
 */
int event_retype(struct event *ev, unsigned id);

/* Free what ev owns; ev may then be initialised again.  NULL is fine. */
void event_release(struct event *ev);

/*
 * Make dst an independent copy of src (its buffer sized to the values).
 * Returns 0 or -ENOMEM (dst is then empty).
 */
int event_copy(struct event *dst, const struct event *src);

/*
 * Give back the unused end of ev's buffer when it is large: for events
 * that wait in a queue (event_init() reserves room for the largest common
 * event; most use a fraction of it).  ev stays valid either way.
 */
void event_compact(struct event *ev);

/* Clear all values but keep the type and the buffer (reuse per event). */
void event_reset(struct event *ev);

/*
 * Copy n bytes of v as the value of field idx (v need not be terminated;
 * bytes after a NUL are dropped).  A value that does not fit in what is
 * left of EVENT_MAX_BYTES is cut and marks the event truncated.  Returns 0,
 * -EINVAL for a bad index, -ENOMEM (both also kept in ev->err).
 */
int event_set(struct event *ev, unsigned idx, const char *v, size_t n);
int event_set_str(struct event *ev, unsigned idx, const char *v);
int event_setf(struct event *ev, unsigned idx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same by field name; -ENOENT when the event has no such field. */
int event_set_named(struct event *ev, const char *field, const char *v);

/* An unsigned number in decimal, by field name (pids, ids, ports). */
int event_set_uint(struct event *ev, const char *field, uint64_t v);

/* The same by field index: 0, -EINVAL or -ENOMEM as event_set(). */
int event_set_u64(struct event *ev, unsigned idx, uint64_t v);

/*
 * The value of field idx, NUL-terminated, "-" when unset or empty; *len
 * (optional) gets its length.  Valid until the event is changed.
 */
const char *event_value(const struct event *ev, unsigned idx, size_t *len);

/* Value by name; NULL when the event has no such field. */
const char *event_named(const struct event *ev, const char *field);

/* Set time_ns and, when the event has one, the UtcTime field. */
void event_set_time(struct event *ev, uint64_t utc_ns);

/*
 * Format utc_ns as Sysmon's UtcTime "YYYY-MM-DD HH:MM:SS.mmm" (with_ns
 * false) or as TimeCreated "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (with_ns true)
 * into out (at least 32 bytes).
 */
void event_format_time(uint64_t utc_ns, bool with_ns, char *out, size_t size);

/* Parse UtcTime text back to ns; 0 on success, -EINVAL otherwise. */
int event_parse_time(const char *s, uint64_t *utc_ns);

#endif /* VIGIL_EVENT_H */
