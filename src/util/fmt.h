/* SPDX-License-Identifier: MIT */
/*
 * util/fmt.h - number formatting for the per-event paths.
 *
 * The decoders format several numbers per event (ids, ports, addresses,
 * times, GUIDs); snprintf() parses its format string every time and was
 * a third of the pipeline thread's CPU at 100,000 events/s.  These write
 * the digits directly.  None writes a NUL; each returns the number of
 * characters written.
 */
#ifndef VIGIL_FMT_H
#define VIGIL_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest fmt_uint() output: UINT64_MAX has 20 digits. */
#define FMT_UINT_MAX 20

/* v in decimal, no padding: at most FMT_UINT_MAX characters. */
size_t fmt_uint(char *out, uint64_t v);

/* v in decimal, zero-padded to at least width digits. */
size_t fmt_uint_pad(char *out, uint64_t v, unsigned width);

/* The low width hex digits of v, lower case, zero-padded (width <= 16). */
size_t fmt_hex_pad(char *out, uint64_t v, unsigned width);

#endif /* VIGIL_FMT_H */
