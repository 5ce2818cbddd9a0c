/* SPDX-License-Identifier: MIT */
/*
 * service/files.c - the file-system and process helpers of the service
 * commands: bounded reads, atomic writes (temporary file + rename, so the
 * daemon re-reading its config never sees half a file), mkdir -p, and
 * running systemctl with a time limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util/buf.h"

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

int svc_read_file(const char *path, size_t max_bytes, struct buf *out)
{
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max_bytes) {
			err = -EFBIG;
			break;
		}
		err = buf_add(out, chunk, (size_t)n);
		if (err)
			break;
	}
	/* An empty file still yields a terminated (empty) string. */
	if (!err && !out->data)
		err = buf_add(out, "", 0);
out:
	close(fd);
	return err;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fsync(fd);
	close(fd);
	return 0;
}

/* A temporary file next to path, mode set before anything is written. */
static int open_temp(const char *path, mode_t mode, char *tmp, size_t size)
{
	int fd, n;

	n = snprintf(tmp, size, "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode) < 0) {
		int err = -errno;

		close(fd);
		unlink(tmp);
		return err;
	}
	return fd;
}

static int commit_temp(int fd, const char *tmp, const char *path, int err)
{
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	else
		fsync_parent(path);
	return err;
}

int svc_write_atomic(const char *path, const void *data, size_t len,
		     mode_t mode)
{
	char tmp[PATH_MAX + 16];
	int fd = open_temp(path, mode, tmp, sizeof(tmp));

	if (fd < 0)
		return fd;
	return commit_temp(fd, tmp, path, write_all(fd, data, len));
}

int svc_copy_atomic(const char *src, const char *dst, mode_t mode)
{
	char tmp[PATH_MAX + 16], chunk[65536];
	int in, out, err = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open_temp(dst, mode, tmp, sizeof(tmp));
	if (out < 0) {
		close(in);
		return out;
	}
	for (;;) {
		n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				err = -errno;
			break;
		}
		err = write_all(out, chunk, (size_t)n);
		if (err)
			break;
	}
	close(in);
	return commit_temp(out, tmp, dst, err);
}

int svc_mkdir_p(const char *path, mode_t mode)
{
	char p[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, path, len + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int svc_mkdir_parent(const char *path, mode_t mode)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return svc_mkdir_p(dir, mode);
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
