/* SPDX-License-Identifier: MIT */
/*
 * service/files.c - the file-system and process helpers of the service
 * commands: existence checks, verbose removal, sleeping, and running
 * systemctl with a time limit.  Reads, atomic writes and mkdir -p are
 * util/file.h's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

bool svc_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

void svc_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int svc_remove(const char *path, bool is_verbose)
{
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "vigil: cannot remove %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	if (is_verbose)
		printf("  removed %s\n", path);
	return 0;
}

int svc_run_cmd(char *const argv[], int timeout_ms)
{
	int status, waited_ms = 0;
	pid_t pid, r;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "vigil: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited_ms >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fprintf(stderr, "vigil: %s took longer than %d s\n",
				argv[0], timeout_ms / 1000);
			return -ETIMEDOUT;
		}
		svc_sleep_ms(50);
		waited_ms += 50;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
