/* SPDX-License-Identifier: MIT */
/*
 * proc/maps.c - which mapping of a process holds an address, from the
 * text of /proc/PID/maps (event 8's StartModule).  Pure: text in, path
 * out; the text is hostile (a path may hold any byte but a newline).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proc.h"

/* A hex number at *p (advanced past it); false when there is none. */
static bool read_hex(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;

	while (s < end && s - *p < 16) {
		char c = *s;
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			break;
		v = v << 4 | d;
		s++;
	}
	if (s == *p)
		return false;
	*p = s;
	*out = v;
	return true;
}

/* Skip n fields separated by runs of spaces; false at the line's end. */
static bool skip_fields(const char **p, const char *end, int n)
{
	const char *s = *p;

	for (int i = 0; i < n; i++) {
		while (s < end && *s != ' ')
			s++;
		while (s < end && *s == ' ')
			s++;
		if (s >= end)
			return false;
	}
	*p = s;
	return true;
}

int proc_maps_find(const char *text, size_t len, uint64_t addr, char *out,
		   size_t size)
{
	const char *p = text, *end = text + len;

	if (!size)
		return -EINVAL;
	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *s = p;
		uint64_t lo, hi;

		p = nl ? nl + 1 : end;
		/* "lo-hi perms offset dev inode   path" */
		if (!read_hex(&s, eol, &lo) || s >= eol || *s++ != '-' ||
		    !read_hex(&s, eol, &hi) || addr < lo || addr >= hi)
			continue;
		if (!skip_fields(&s, eol, 5) || *s != '/')
			return -ENOENT; /* anonymous, [stack], [heap] ... */
		if ((size_t)(eol - s) >= size)
			return -ENAMETOOLONG;
		memcpy(out, s, (size_t)(eol - s));
		out[eol - s] = '\0';
		return 0;
	}
	return -ENOENT;
}
