/* SPDX-License-Identifier: MIT */
/*
 * util/clock.h - clocks in nanoseconds.
 */
#ifndef VIGIL_CLOCK_H
#define VIGIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* clock_gettime(id) as nanoseconds. */
uint64_t clock_ns(clockid_t id);

/* Wall-clock time, UTC, in ns since the epoch (TimeCreated, UtcTime). */
uint64_t clock_utc_ns(void);

#endif /* VIGIL_CLOCK_H */
