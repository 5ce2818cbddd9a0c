/* SPDX-License-Identifier: MIT */
/*
 * pid_reuse - test helper: two processes with the same pid running two
 * images.  Fork a child that execs PROG_A, wait for it; then fork again
 * and again (children that are not the pid again exit at once) until a
 * child gets the first child's pid, and have that one exec PROG_B.  Both
 * get ARGS, and run without address space randomisation, so that the
 * same binary has the same end of code in both (only the start time can
 * then tell their ProcessGuids apart).  Prints the pid and how many forks
 * it took.  Exits 1 when the pid did not come back within MAX_FORKS:
 * lower pid_max to make it come back fast (pids wrap at pid_max).
 *
 *   pid_reuse MAX_FORKS PROG_A PROG_B [ARGS...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

/* Fork; the child execs prog with args when it got pid want (or want is
 * 0), else exits at once.  Returns the child's pid after it ended. */
static pid_t run(pid_t want, char *prog, char **args)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (want && getpid() != want)
			_exit(0);
		args[0] = prog;
		personality(ADDR_NO_RANDOMIZE);
		execv(prog, args);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	return pid;
}

int main(int argc, char **argv)
{
	long max;
	pid_t first;

	if (argc < 4) {
		fprintf(stderr,
			"usage: pid_reuse MAX_FORKS PROG_A PROG_B [ARGS...]\n");
		return 2;
	}
	max = strtol(argv[1], NULL, 10);
	/* argv[3..] becomes the child's argv, its [0] the program. */
	first = run(0, argv[2], argv + 3);
	if (first < 0)
		return 1;
	for (long i = 1; i <= max; i++) {
		pid_t pid = run(first, argv[3], argv + 3);

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == first) {
			printf("%d %ld\n", (int)first, i);
			return 0;
		}
	}
	fprintf(stderr, "pid_reuse: pid %d did not come back in %ld forks\n",
		(int)first, max);
	return 1;
}
