/* SPDX-License-Identifier: MIT */
/*
 * tests/shared_dir.h - find the shared/ folder (the Sysmon corpus) that
 * sits beside the repository, from a test binary anywhere under it.
 * VIGIL_SHARED overrides.  Fills the static `shared` path.
 */
#ifndef VIGIL_SHARED_DIR_H
#define VIGIL_SHARED_DIR_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char shared[PATH_MAX + 64];

static int find_shared(const char *argv0)
{
	char exe[PATH_MAX], *p;
	const char *env = getenv("VIGIL_SHARED");
	struct stat st;

	if (env) {
		snprintf(shared, sizeof(shared), "%s", env);
		return stat(shared, &st);
	}
	/* Walk up from the binary (and the cwd) to the folder holding the
	 * repository's Makefile; shared/ sits beside that folder. */
	const char *starts[2] = { argv0, "." };
	for (int s = 0; s < 2; s++) {
		if (!realpath(starts[s], exe))
			continue;
		for (;;) {
			char mk[PATH_MAX + 16];

			snprintf(mk, sizeof(mk), "%s/Makefile", exe);
			if (stat(mk, &st) == 0) {
				snprintf(mk, sizeof(mk), "%s/src/config", exe);
				if (stat(mk, &st) == 0)
					break;
			}
			p = strrchr(exe, '/');
			if (!p || p == exe)
				goto next;
			*p = '\0';
		}
		p = strrchr(exe, '/');
		if (!p)
			continue;
		*p = '\0';
		snprintf(shared, sizeof(shared), "%s/shared", exe);
		if (stat(shared, &st) == 0)
			return 0;
next:;
	}
	return -1;
}

#endif /* VIGIL_SHARED_DIR_H */
