/* SPDX-License-Identifier: MIT */
/*
 * util/buf.c - growable bounded byte buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void buf_init(struct buf *b, size_t max_bytes)
{
	memset(b, 0, sizeof(*b));
	b->max_bytes = max_bytes;
}

void buf_release(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	buf_init(b, b->max_bytes);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->is_full = false;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(struct buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (need + 1 <= b->cap)
		return 0;
	while (cap < need + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	int r;

	if (b->max_bytes && b->len + n > b->max_bytes) {
		n = b->len < b->max_bytes ? b->max_bytes - b->len : 0;
		b->is_full = true;
	}
	r = grow(b, b->len + n);
	if (r < 0)
		return r;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < sizeof(tmp))
		return buf_add(b, tmp, (size_t)n);
	/* Rare: longer than the stack buffer, format again on the heap. */
	{
		char *big = malloc((size_t)n + 1);
		int r;

		if (!big)
			return -ENOMEM;
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		r = buf_add(b, big, (size_t)n);
		free(big);
		return r;
	}
}
