/* SPDX-License-Identifier: MIT */
/*
 * content/archive.c - FileDelete's ArchiveDirectory: a root-only folder
 * of deleted files' content, each named after its hashes, as Sysmon
 * names them ("SHA256=..." plus the original extension).  Content is
 * copied to a temporary name while it is hashed, then renamed: a name in
 * the archive always holds exactly the content it names.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define EXT_MAX 8

int content_set_archive(struct content *c, const char *dir)
{
	struct stat st;
	int fd;

	if (c->archive_fd >= 0)
		close(c->archive_fd);
	c->archive_fd = -1;
	if (!dir) {
		content_held_release_all(c);
		return 0;
	}
	if (dir[0] != '/')
		return -EINVAL;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Root-only: deleted files may be anybody's secrets. */
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() ||
	    (st.st_mode & 0077)) {
		close(fd);
		return -EPERM;
	}
	c->archive_fd = fd;
	return 0;
}

bool content_is_archiving(const struct content *c)
{
	return c->archive_fd >= 0;
}

/* ".sh", ".py" ... when path ends in a short alphanumeric extension. */
static void extension(const char *path, char *out)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	size_t n;

	out[0] = '\0';
	if (!dot || (slash && dot < slash) || dot == path ||
	    (slash && dot == slash + 1))
		return;
	n = strlen(dot + 1);
	if (n == 0 || n > EXT_MAX)
		return;
	for (size_t i = 1; i <= n; i++) {
		char ch = dot[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9')))
			return;
	}
	memcpy(out, dot, n + 2);
}

int content_archive(struct content *c, struct content_file *f, const char *path,
		    unsigned algs, char *name, size_t name_size)
{
	char tmp[64], hashes[HASH_TEXT_MAX], ext[EXT_MAX + 2];
	struct stat st;
	int out, r;

	name[0] = '\0';
	if (c->archive_fd < 0 || f->fd < 0)
		return -ENOENT;
	if (fstat(f->fd, &st) < 0)
		return -errno;
	if (c->lim.max_bytes && (uint64_t)st.st_size > c->lim.max_bytes)
		return -EFBIG;
	if (!(algs & (HASH_SHA1 | HASH_MD5 | HASH_SHA256)))
		algs = HASH_SHA256;
	snprintf(tmp, sizeof(tmp), ".tmp-%d", (int)getpid());
	out = openat(c->archive_fd, tmp,
		     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		     0400);
	if (out < 0)
		return -errno;
	r = lseek(f->fd, 0, SEEK_SET) < 0
		    ? -errno
		    : hash_fd_copy(c->hashes, f->fd, algs, out, hashes);
	if (close(out) < 0 && r == 0)
		r = -errno;
	if (r == 0) {
		extension(path, ext);
		if ((size_t)snprintf(name, name_size, "%s%s", hashes, ext) >=
		    name_size)
			r = -ENAMETOOLONG;
	}
	/* Same content, same name: an existing copy is simply replaced. */
	if (r == 0 && renameat(c->archive_fd, tmp, c->archive_fd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(c->archive_fd, tmp, 0);
		name[0] = '\0';
	}
	return r;
}
