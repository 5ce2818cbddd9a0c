/* SPDX-License-Identifier: MIT */
/*
 * util/fmt.c - number formatting for the per-event paths (fmt.h).
 */
#include <string.h>

#include "fmt.h"

size_t fmt_uint_pad(char *out, uint64_t v, unsigned width)
{
	char tmp[FMT_UINT_MAX];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width && n < sizeof(tmp))
		tmp[sizeof(tmp) - ++n] = '0';
	memcpy(out, tmp + sizeof(tmp) - n, n);
	return n;
}

size_t fmt_uint(char *out, uint64_t v)
{
	return fmt_uint_pad(out, v, 0);
}

size_t fmt_hex_pad(char *out, uint64_t v, unsigned width)
{
	static const char digits[] = "0123456789abcdef";

	if (width > 16)
		width = 16;
	for (unsigned i = width; i > 0; i--) {
		out[i - 1] = digits[v & 0xf];
		v >>= 4;
	}
	return width;
}
