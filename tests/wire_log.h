/* SPDX-License-Identifier: MIT */
/*
 * tests/wire_log.h - a file of ring-buffer records, as the golden tier
 * records them from the kernel and the decoder fuzzer's inputs carry them:
 * each record is a 32-bit length (host order) and that many bytes.
 *
 * A golden recording starts with one text line naming the wire layout it
 * was made with ("vigil-wire-log 1 wire=2 task=56 kinds=1:112,2:88,3:80"),
 * so that a replay against a changed layout says "re-record" instead of
 * showing a diff of garbage.  The fuzzer's inputs have no such line.
 */
#ifndef VIGIL_TESTS_WIRE_LOG_H
#define VIGIL_TESTS_WIRE_LOG_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

#include "sensor/family.h"

#define WIRE_LOG_MAGIC	  "vigil-wire-log 1"
#define WIRE_LOG_LINE_MAX 512

/* The header line of a recording made with this build, without "\n". */
static inline void wire_log_layout(char *out, size_t size)
{
	size_t n = (size_t)snprintf(
		out, size, "%s wire=%d task=%zu kinds=", WIRE_LOG_MAGIC,
		WIRE_VERSION, sizeof(struct wire_task));

	for (uint32_t k = 0; k < WIRE_KIND_MAX && n < size; k++) {
		const struct sensor_record_type *t = sensor_record_type(k);

		if (t)
			n += (size_t)snprintf(out + n, size - n, "%s%u:%u",
					      out[n - 1] == '=' ? "" : ",", k,
					      t->size);
	}
}

/*
 * The next record of a log held in memory: *rec and *len, advancing *off.
 * A length running past the end is cut to what is left (the fuzzer makes
 * such inputs; the decoder then sees a record whose header disagrees).
 * Returns 0 at the end.
 */
static inline int wire_log_next(const uint8_t *data, size_t size, size_t *off,
				const uint8_t **rec, size_t *len)
{
	uint32_t n;

	if (size - *off < sizeof(n))
		return 0;
	memcpy(&n, data + *off, sizeof(n));
	*off += sizeof(n);
	if (n > size - *off)
		n = (uint32_t)(size - *off);
	*rec = data + *off;
	*len = n;
	*off += n;
	return 1;
}

/* Append one record to f.  0 or -1. */
static inline int wire_log_put(FILE *f, const void *rec, size_t len)
{
	uint32_t n = (uint32_t)len;

	if (fwrite(&n, sizeof(n), 1, f) != 1 ||
	    (len && fwrite(rec, len, 1, f) != 1))
		return -1;
	return 0;
}

#endif /* VIGIL_TESTS_WIRE_LOG_H */
