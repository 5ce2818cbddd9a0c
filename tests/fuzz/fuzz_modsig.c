/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_modsig.c - modsig_parse() on arbitrary bytes as the end
 * of a module: it returns 0, -ENOENT or -EINVAL, never reads outside the
 * input, and what it fills is NUL-terminated and renders as event fields.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modsig/modsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so ASan sees any read past it. */
	unsigned char *copy = malloc(size ? size : 1);
	struct modsig m;
	struct modsig_fields f;
	const char *why = NULL;
	int r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	r = modsig_parse(copy, size, &m, &why);
	if (r != 0 && r != -ENOENT && r != -EINVAL)
		abort();
	if (r == -EINVAL && !why)
		abort();
	if (r == 0 && (memchr(m.signer, '\0', sizeof(m.signer)) == NULL ||
		       memchr(m.key_id, '\0', sizeof(m.key_id)) == NULL ||
		       memchr(m.hash, '\0', sizeof(m.hash)) == NULL))
		abort();
	modsig_fields(r, &m, why, MODSIG_UNKNOWN, &f);
	if (!f.status || !strlen(f.is_signed) || !strlen(f.signature))
		abort();
	free(copy);
	return 0;
}
