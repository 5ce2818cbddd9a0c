/* SPDX-License-Identifier: MIT */
/*
 * tests/tap.h - the tiny unit-test runner: CHECK() records a result, and
 * tap_done() prints "N passed, N failed" and returns the exit code.
 */
#ifndef VIGIL_TAP_H
#define VIGIL_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_passed, tap_failed;

#define CHECK(cond)                                                   \
	do {                                                          \
		if (cond) {                                           \
			tap_passed++;                                 \
		} else {                                              \
			tap_failed++;                                 \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                     \
		}                                                     \
	} while (0)

#define CHECK_STR(got, want)                                                  \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                         \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                        \
			tap_passed++;                                         \
		} else {                                                      \
			tap_failed++;                                         \
			fprintf(stderr,                                       \
				"FAIL %s:%d: %s\n  got:  %s\n  want: %s\n",   \
				__FILE__, __LINE__, #got, g_ ? g_ : "(null)", \
				w_ ? w_ : "(null)");                          \
		}                                                             \
	} while (0)

static inline int tap_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, tap_passed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif /* VIGIL_TAP_H */
