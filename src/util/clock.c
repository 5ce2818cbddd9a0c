/* SPDX-License-Identifier: MIT */
/*
 * util/clock.c - clocks in nanoseconds.
 */
#include "clock.h"

uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t clock_utc_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}
