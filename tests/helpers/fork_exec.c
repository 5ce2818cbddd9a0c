/* SPDX-License-Identifier: MIT */
/*
 * fork_exec - test helper: fork a child that does NOT exec, and have that
 * child fork+exec argv[1...].  Prints the non-exec child's pid, waits
 * for everything.  Used to check that a forked-only process is a correct
 * parent (ParentImage and ParentCommandLine inherited from its parent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t mid;

	if (argc < 2) {
		fprintf(stderr, "usage: fork_exec PROGRAM [ARGS...]\n");
		return 2;
	}
	mid = fork();
	if (mid < 0)
		return 1;
	if (mid == 0) {
		pid_t leaf = fork();

		if (leaf < 0)
			_exit(1);
		if (leaf == 0) {
			execv(argv[1], argv + 1);
			_exit(127);
		}
		waitpid(leaf, NULL, 0);
		_exit(0);
	}
	printf("%d\n", (int)mid);
	fflush(stdout);
	waitpid(mid, NULL, 0);
	return 0;
}
