/* SPDX-License-Identifier: MIT */
/*
 * static_nap MS [ARGS...] - test helper, linked statically so that it
 * runs alone in an empty root (a container made with pivot_root): sleep
 * MS milliseconds, then exit 0.  The other arguments only mark the
 * command line.
 */
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
	return 0;
}
