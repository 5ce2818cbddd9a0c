/* SPDX-License-Identifier: MIT */
/*
 * util/duration.h - "90s", "15m", "12h", "30d", "2w": a count of seconds,
 * minutes, hours, days or weeks.  One parser for the settings file
 * (store_max_age) and `vigil view --since/--until`; each caller says
 * which forms it documents.
 */
#ifndef VIGIL_DURATION_H
#define VIGIL_DURATION_H

#include <stdint.h>

#define DURATION_BARE_SECONDS 0x1u /* "90" (no unit) means 90 s */
#define DURATION_WEEKS	      0x2u /* accept the 'w' unit */

/*
 * Parse s: decimal digits, then one unit letter of s, m, h, d (and w
 * with DURATION_WEEKS), or nothing with DURATION_BARE_SECONDS; no signs,
 * spaces or other text.  Pure.  Returns 0 with *out_s set, -EINVAL (not
 * such a duration), -ERANGE (more seconds than a uint64_t holds).
 */
int duration_parse(const char *s, unsigned flags, uint64_t *out_s);

#endif /* VIGIL_DURATION_H */
