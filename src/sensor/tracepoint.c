/* SPDX-License-Identifier: MIT */
/*
 * sensor/tracepoint.c - classic tracepoints (syscalls:sys_exit_openat
 * ...) without leaving a mount behind.
 *
 * A classic tracepoint is attached through a perf event opened by the
 * tracepoint's numeric id, and only tracefs tells the id.  libbpf looks
 * for a mounted tracefs; when the host has none, this reads the ids from
 * a private, detached tracefs mount (fsopen/fsmount: never attached to
 * any mount namespace, gone when its descriptor is closed), so the host's
 * mount table is never touched.  Ids are read once at start, while the
 * daemon still may mount; attaching later (after reconfiguration) needs
 * only CAP_PERFMON, which the daemon keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "family.h"

static int tracefs_detached(void)
{
	int fs, mnt;

	fs = (int)syscall(SYS_fsopen, "tracefs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int r = -errno;

		close(fs);
		return r;
	}
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
			   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC |
				   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	close(fs);
	return mnt < 0 ? -errno : mnt;
}

int tp_events_open(void)
{
	static const char *const mounted[] = {
		"/sys/kernel/tracing/events",
		"/sys/kernel/debug/tracing/events",
	};
	int mnt, fd;

	for (size_t i = 0; i < sizeof(mounted) / sizeof(mounted[0]); i++) {
		fd = open(mounted[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	mnt = tracefs_detached();
	if (mnt < 0)
		return mnt;
	fd = openat(mnt, "events", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	/* The open directory keeps the mount alive until it is closed. */
	close(mnt);
	return fd;
}

int tp_event_id(int events_fd, const char *name)
{
	char path[256], text[32];
	ssize_t n;
	long id;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/id", name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = openat(events_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	text[n] = '\0';
	id = strtol(text, NULL, 10);
	return id > 0 && id <= 0x7fffffff ? (int)id : -EINVAL;
}

int tp_perf_open(int id)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = (__u64)id,
		.sample_period = 1,
		.wakeup_events = 1,
	};
	/* One event, any task, CPU 0: a BPF program attached to a
	 * tracepoint runs on every CPU whatever the event's CPU. */
	int fd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1,
			      PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}
