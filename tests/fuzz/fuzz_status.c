/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_status.c - status_parse() on arbitrary bytes.  The
 * forwarder's status file is written by an unprivileged process and read
 * by `vigil status` (root): whatever it accepts must be bounded (every
 * string terminated within its array, at most STATUS_MAX_DESTS
 * destinations) and format again to text that parses to the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "status/status.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_info *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct buf t;

	if (!a || !b)
		abort();
	if (status_parse((const char *)data, size, a) == 0) {
		if (a->ndests > STATUS_MAX_DESTS)
			abort();
		for (size_t i = 0; i < a->ndests; i++)
			if (!memchr(a->dests[i].name, 0,
				    sizeof(a->dests[i].name)) ||
			    !memchr(a->dests[i].url, 0,
				    sizeof(a->dests[i].url)) ||
			    !memchr(a->dests[i].error, 0,
				    sizeof(a->dests[i].error)))
				abort();
		buf_init(&t, 0);
		if (status_format_forward(a, &t) != 0 ||
		    status_parse(t.data, t.len, b) != 0 ||
		    b->ndests != a->ndests)
			abort();
		buf_release(&t);
	}
	free(a);
	free(b);
	return 0;
}
