/* SPDX-License-Identifier: MIT */
/*
 * util/duration.c - durations with a unit letter, in seconds.
 */
#include <errno.h>
#include <stddef.h>

#include "duration.h"

static uint64_t unit_seconds(char c, unsigned flags)
{
	switch (c) {
	case '\0':
		return flags & DURATION_BARE_SECONDS ? 1 : 0;
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return flags & DURATION_WEEKS ? 7 * 86400 : 0;
	default:
		return 0;
	}
}

int duration_parse(const char *s, unsigned flags, uint64_t *out_s)
{
	uint64_t n = 0, unit;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		n = n * 10 + digit;
	}
	unit = unit_seconds(*p, flags);
	if (!unit || (*p && p[1]))
		return -EINVAL;
	if (n > UINT64_MAX / unit)
		return -ERANGE;
	*out_s = n * unit;
	return 0;
}
