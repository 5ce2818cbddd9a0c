/* SPDX-License-Identifier: MIT */
/*
 * store/key.c - the integer that stands for a value in the store's
 * indexes (ProcessGuid, ParentProcessGuid, Image), and the SQL functions
 * readers find rows by it with.
 *
 * An index on the text itself held every GUID twice over (38 bytes in
 * the index, 38 in a column, 38 in the values blob): bench/store_bench
 * measured the indexes as half the insert cost.  The key is a 63-bit
 * integer of the value as a search sees it (ASCII letters lower-cased),
 * stored in an INTEGER column; the text stays only in the values blob.
 * A key is not unique (two values may share one), so a reader always
 * checks the value too (vigil_is()): the index narrows, the blob
 * decides.
 *
 * A GUID shaped like vigil's (proc_format_guid(): machine, start time in
 * seconds since boot as two 16-bit halves, 64-bit key) gets a key that
 * starts with its start time, so the GUIDs of processes started close
 * together have close keys and the index grows at its right edge as a
 * time-ordered text index did; a random hash would make every insert
 * touch another page.  Any other value gets a hash with the top bit set
 * (a negative key), apart from every GUID's.
 */
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static int hex_digit(unsigned char c)
{
	c = ascii_lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n hex digits at p into *out; false when one is not a hex digit. */
static bool hex_field(const unsigned char *p, unsigned n, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		int d = hex_digit(p[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

/* "{8-4-4-4-12}" hex: the machine, time halves and key of a vigil GUID. */
static bool parse_guid(const unsigned char *p, size_t len, uint64_t *time_s,
		       uint64_t *rest)
{
	uint64_t machine, lo, hi, k1, k2;

	if (len != 38 || p[0] != '{' || p[9] != '-' || p[14] != '-' ||
	    p[19] != '-' || p[24] != '-' || p[37] != '}')
		return false;
	if (!hex_field(p + 1, 8, &machine) || !hex_field(p + 10, 4, &lo) ||
	    !hex_field(p + 15, 4, &hi) || !hex_field(p + 20, 4, &k1) ||
	    !hex_field(p + 25, 12, &k2))
		return false;
	*time_s = hi << 16 | lo;
	*rest = mix64(machine ^ mix64(k1 << 48 | k2));
	return true;
}

int64_t store_key(const char *v, size_t len)
{
	const unsigned char *p = (const unsigned char *)v;
	uint64_t t, rest, h = 0xcbf29ce484222325ull; /* FNV-1a */

	if (parse_guid(p, len, &t, &rest))
		return (int64_t)(t << 31 | (rest & 0x7fffffffu));
	for (size_t i = 0; i < len; i++)
		h = (h ^ ascii_lower(p[i])) * 0x100000001b3ull;
	return (int64_t)(mix64(h) | 0x8000000000000000ull);
}
