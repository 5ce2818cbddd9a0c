/* SPDX-License-Identifier: MIT */
/*
 * bench/exec_loop.c - spawn a program N times, one after the other, and
 * wait for each: the process-creation workload.
 *
 * usage: exec_loop [N [PATH]]     (default 5000 runs of /bin/true)
 *
 * posix_spawn() is glibc's clone(CLONE_VM|CLONE_VFORK)+execve, the way
 * shells, service managers and language runtimes start programs; it is
 * the cheapest exec there is, so a monitor's cost per exec shows clearly.
 */
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"

extern char **environ;

int main(int argc, char **argv)
{
	long want = bench_arg_count(argc, argv, 1, 5000);
	const char *path = argc > 2 ? argv[2] : "/bin/true";
	char *child_argv[] = { (char *)path, NULL };
	struct bench_clock c;
	long n;

	if (want < 0) {
		fprintf(stderr, "usage: exec_loop [N [PATH]]\n");
		return 1;
	}
	bench_start(&c);
	for (n = 0; n < want && !bench_past_deadline(&c); n++) {
		pid_t pid;
		int err, status;

		err = posix_spawn(&pid, path, NULL, NULL, child_argv, environ);
		if (err) {
			fprintf(stderr, "exec_loop: spawn %s: %s\n", path,
				strerror(err));
			return 1;
		}
		if (waitpid(pid, &status, 0) < 0) {
			perror("exec_loop: waitpid");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "exec_loop: %s failed (status %#x)\n",
				path, status);
			return 1;
		}
	}
	return bench_report(&c, "exec", n, want);
}
