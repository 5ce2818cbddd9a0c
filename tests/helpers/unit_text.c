/* SPDX-License-Identifier: MIT */
/*
 * unit_text - test helper: print the systemd unit `vigil -i` would write
 * for install root ROOT (default: the real system), without installing.
 *
 *   unit_text [ROOT]
 */
#include <stdio.h>

#include "service/service.h"
#include "util/buf.h"

int main(int argc, char **argv)
{
	struct svc_paths p;
	struct buf b;

	if (svc_paths_init(&p, argc > 1 ? argv[1] : NULL) < 0) {
		fprintf(stderr, "unit_text: bad root\n");
		return 1;
	}
	buf_init(&b, 0);
	if (svc_unit_text(&p, &b) < 0 || !b.data) {
		fprintf(stderr, "unit_text: out of memory\n");
		return 1;
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}
