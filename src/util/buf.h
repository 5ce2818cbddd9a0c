/* SPDX-License-Identifier: MIT */
/*
 * util/buf.h - a growable byte buffer with a hard maximum (git's strbuf,
 * bounded).  Used to build rendered records and other output.
 */
#ifndef VIGIL_BUF_H
#define VIGIL_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated once anything is added */
	size_t len;
	size_t cap;
	size_t max_bytes; /* 0: no maximum */
	bool is_full; /* an append was cut at max_bytes */
};

/* Empty buffer that never grows past max_bytes (0: unbounded). */
void buf_init(struct buf *b, size_t max_bytes);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);

/* Append; an append past max_bytes is cut and sets is_full.  Returns 0 or
 * -ENOMEM. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* VIGIL_BUF_H */
