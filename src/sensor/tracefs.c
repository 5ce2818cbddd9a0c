/* SPDX-License-Identifier: MIT */
/*
 * sensor/tracefs.c - ids of classic tracepoints, read without leaving
 * tracefs mounted on the host.
 *
 * A per-syscall tracepoint (syscalls/sys_enter_ptrace ...) is attached
 * through perf_event_open() with its id, and only tracefs tells the id.
 * When tracefs is mounted, the ids are read there.  When it is not, a
 * short-lived child mounts it in a mount namespace of its own, reads them
 * and exits: the host never sees a mount, so there is nothing to undo at
 * stop.  The ids are read once, at start-up while vigil still has
 * CAP_SYS_ADMIN; re-arming on reconfiguration needs only CAP_PERFMON.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracefs.h"

static const char *const mounted[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* Where the child mounts its private tracefs (any existing directory). */
#define PRIVATE_MOUNT "/sys/kernel/tracing"

/* The id of tracepoint name ("syscalls/sys_enter_ptrace") under root,
 * or -ENOENT when the kernel has no such tracepoint. */
static int read_id(const char *root, const char *name)
{
	char path[512], text[32];
	ssize_t n;
	int fd, id;

	if ((size_t)snprintf(path, sizeof(path), "%s/events/%s/id", root,
			     name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	text[n] = '\0';
	id = atoi(text);
	return id > 0 ? id : -EINVAL;
}

static bool is_tracefs(const char *root)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events", root);
	return access(path, F_OK) == 0;
}

static void read_all(const char *root, const char *const *names, size_t n,
		     int *ids)
{
	for (size_t i = 0; i < n; i++)
		ids[i] = read_id(root, names[i]);
}

/* In a child: a private mount namespace, tracefs in it, ids to fd. */
static void child_read(int fd, const char *const *names, size_t n)
{
	int *ids = calloc(n ? n : 1, sizeof(*ids));
	size_t len = n * sizeof(*ids), off = 0;

	if (!ids || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tracefs", PRIVATE_MOUNT, "tracefs", MS_NOSUID | MS_NODEV,
		  NULL) < 0)
		_exit(1);
	read_all(PRIVATE_MOUNT, names, n, ids);
	while (off < len) {
		ssize_t w = write(fd, (char *)ids + off, len - off);

		if (w <= 0)
			_exit(1);
		off += (size_t)w;
	}
	_exit(0);
}

int tracefs_ids(const char *const *names, size_t n, int *ids)
{
	size_t len = n * sizeof(*ids), off = 0;
	int fds[2], status;
	pid_t pid;

	for (size_t i = 0; i < sizeof(mounted) / sizeof(mounted[0]); i++) {
		if (is_tracefs(mounted[i])) {
			read_all(mounted[i], names, n, ids);
			return 0;
		}
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		child_read(fds[1], names, n);
	}
	close(fds[1]);
	while (off < len) {
		ssize_t r = read(fds[0], (char *)ids + off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (off != len)
		return -EPERM; /* could not mount tracefs (no CAP_SYS_ADMIN?) */
	return 0;
}
