/* SPDX-License-Identifier: MIT */
/*
 * burst - test and benchmark helper: run PROGRAM N times as fast as
 * possible, each as fork+exec with argv "PROGRAM MARKER-i", at most
 * PARALLEL at once.  Exits non-zero if any spawn failed.
 *
 *   burst N PARALLEL PROGRAM MARKER
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, par, running = 0, failed = 0;
	char arg[64];

	if (argc != 5) {
		fprintf(stderr, "usage: burst N PARALLEL PROGRAM MARKER\n");
		return 2;
	}
	n = strtol(argv[1], NULL, 10);
	par = strtol(argv[2], NULL, 10);
	if (n <= 0 || par <= 0)
		return 2;
	for (long i = 0; i < n; i++) {
		pid_t pid;

		if (running >= par) {
			if (wait(NULL) > 0)
				running--;
		}
		snprintf(arg, sizeof(arg), "%s-%ld", argv[4], i);
		pid = fork();
		if (pid < 0) {
			failed++;
			continue;
		}
		if (pid == 0) {
			char *const args[] = { argv[3], arg, NULL };

			execv(argv[3], args);
			_exit(127);
		}
		running++;
	}
	while (running > 0 && wait(NULL) > 0)
		running--;
	return failed ? 1 : 0;
}
