/* SPDX-License-Identifier: MIT */
/*
 * clock_shift - test helper: move the system clock (CLOCK_REALTIME) by
 * SECONDS, which may be negative, in one read-add-set (the error is the
 * few microseconds between the read and the set).  A test that shifts
 * by -N shifts by +N afterwards, in a trap, to leave the host's clock as
 * it was.  Needs CAP_SYS_TIME.
 *
 *   clock_shift SECONDS
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	char *end;
	long long s;

	if (argc != 2) {
		fprintf(stderr, "usage: clock_shift SECONDS\n");
		return 2;
	}
	errno = 0;
	s = strtoll(argv[1], &end, 10);
	if (errno || *end || end == argv[1]) {
		fprintf(stderr, "clock_shift: bad number %s\n", argv[1]);
		return 2;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return 1;
	ts.tv_sec += (time_t)s;
	if (clock_settime(CLOCK_REALTIME, &ts) < 0) {
		fprintf(stderr, "clock_shift: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
