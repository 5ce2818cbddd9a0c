/* SPDX-License-Identifier: MIT */
/*
 * util/file.c - whole-file reads, atomic writes and mkdir -p.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"

#define FILE_CHUNK 65536

int file_read_all(const char *path, size_t max_bytes, struct buf *out)
{
	char chunk[FILE_CHUNK];
	size_t start = out->len;
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
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
		if (out->len - start + (size_t)n > max_bytes) {
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

ssize_t file_read_head(const char *path, char *buf, size_t size)
{
	size_t total = 0;
	ssize_t n = 0;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	if (n < 0)
		n = -errno;
	close(fd);
	buf[total] = '\0';
	return n < 0 ? n : (ssize_t)total;
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

/* The rename is only durable once the folder is synced too. */
static void fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = '\0';
	fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	fsync(fd);
	close(fd);
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

int file_write_atomic(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	char tmp[PATH_MAX + 16];
	int fd = open_temp(path, mode, tmp, sizeof(tmp));

	if (fd < 0)
		return fd;
	return commit_temp(fd, tmp, path, write_all(fd, data, len));
}

int file_copy_atomic(const char *src, const char *dst, mode_t mode)
{
	char tmp[PATH_MAX + 16], chunk[FILE_CHUNK];
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

int file_mkdir_p(const char *path, mode_t mode)
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

int file_mkdir_shared(const char *path, mode_t mode, const char *group)
{
	struct group gr, *res = NULL;
	char tmp[4096];
	int err = file_mkdir_parent(path, 0755);

	if (err)
		return err;
	if (mkdir(path, mode) < 0)
		return errno == EEXIST ? 0 : -errno;
	/* mkdir's mode went through the umask; set it exactly */
	if (chmod(path, mode) < 0)
		return -errno;
	if (geteuid() != 0 || getgrnam_r(group, &gr, tmp, sizeof(tmp), &res) ||
	    !res)
		return 0;
	return chown(path, (uid_t)-1, res->gr_gid) < 0 ? -errno : 0;
}

int file_mkdir_parent(const char *path, mode_t mode)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return file_mkdir_p(dir, mode);
}
