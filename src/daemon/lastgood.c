/* SPDX-License-Identifier: MIT */
/*
 * daemon/lastgood.c - keep the configuration that loaded (lastgood.h).
 *
 * The file is read once and the same bytes are parsed and kept: a file
 * rewritten between the two would otherwise leave a copy of rules that
 * never loaded.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "lastgood.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/log.h"

/* What config_load_file() takes (config/internal.h). */
#define LASTGOOD_MAX_BYTES (8u << 20)

int lastgood_path(char *out, size_t size, const char *state_dir)
{
	int n = snprintf(out, size, "%s/%s", state_dir, LASTGOOD_NAME);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

struct config *lastgood_load(const char *path, const char *state_dir,
			     struct diag *d)
{
	char keep[PATH_MAX];
	struct config *c;
	struct buf b;
	int err;

	buf_init(&b, 0);
	if (file_read_all(path, LASTGOOD_MAX_BYTES, &b) < 0) {
		/* config_load_file() says why, in its words */
		buf_release(&b);
		return config_load_file(path, d);
	}
	c = config_load_mem(b.data, b.len, path, d);
	if (c && state_dir && state_dir[0]) {
		err = lastgood_path(keep, sizeof(keep), state_dir);
		if (!err)
			err = file_write_atomic(keep, b.data, b.len, 0600);
		if (err < 0)
			log_warn("cannot keep the configuration in %s/%s: %s",
				 state_dir, LASTGOOD_NAME, strerror(-err));
	}
	err = errno;
	buf_release(&b);
	errno = err;
	return c;
}
