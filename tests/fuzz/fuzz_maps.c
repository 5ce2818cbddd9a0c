/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_maps.c - proc_maps_find() on arbitrary text: the first
 * 8 bytes are the address, the rest the maps text.  It returns 0, -ENOENT
 * or -ENAMETOOLONG, never reads outside the input, and a path it gives is
 * NUL-terminated, starts with "/" and holds no newline.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[64], *text;
	uint64_t addr;
	int r;

	if (size < sizeof(addr))
		return 0;
	memcpy(&addr, data, sizeof(addr));
	size -= sizeof(addr);
	text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data + sizeof(addr), size);
	r = proc_maps_find(text, size, addr, out, sizeof(out));
	if (r != 0 && r != -ENOENT && r != -ENAMETOOLONG)
		abort();
	if (r == 0 && (out[0] != '/' || !memchr(out, '\0', sizeof(out)) ||
		       strchr(out, '\n')))
		abort();
	free(text);
	return 0;
}
