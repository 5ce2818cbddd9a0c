/* SPDX-License-Identifier: MIT */
/*
 * util/file.h - whole files: bounded reads, atomic writes (a temporary
 * file in the same folder, fsync, rename, so a reader sees the old or the
 * new file, never a mix) and mkdir -p.
 */
#ifndef VIGIL_FILE_H
#define VIGIL_FILE_H

#include <stddef.h>
#include <sys/types.h>

struct buf;

/*
 * Append the regular file at path, at most max_bytes of it, to out and
 * NUL-terminate it (an empty file gives an empty string).  Returns 0,
 * -EFBIG (longer than max_bytes), -EISDIR, -EINVAL (not a regular file:
 * a FIFO is refused, never waited on), -ENOMEM, or the -errno of
 * open/read.
 */
int file_read_all(const char *path, size_t max_bytes, struct buf *out);

/*
 * The first size - 1 bytes (at most) of the file at path into buf, NUL
 * terminated; the rest is cut, not an error (/proc/PID/cmdline, stat,
 * status).  Any kind of file is read; size must be at least 1.  Returns
 * the number of bytes read or a negative errno of open/read.
 */
ssize_t file_read_head(const char *path, char *buf, size_t size);

/*
 * Replace path with len bytes of data, created with mode, through
 * "<path>.tmp.XXXXXX" in the same folder (removed on any error).  Returns
 * 0, -ENAMETOOLONG, or a negative errno; on error path is unchanged.
 */
int file_write_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

/* Copy the file src to dst the same way. */
int file_copy_atomic(const char *src, const char *dst, mode_t mode);

/*
 * mkdir -p: the missing folders of path are created 0755, path itself
 * with mode; existing ones are left as they are.  Returns 0,
 * -ENAMETOOLONG, or the -errno of mkdir.
 */
int file_mkdir_p(const char *path, mode_t mode);

/*
 * A folder others reach through their group: when path does not exist,
 * it is created with exactly mode (whatever the umask) and, as root,
 * given group group when that group exists (its missing parents are
 * made 0755).  An existing path is left as it is.  Returns 0 or -errno.
 */
int file_mkdir_shared(const char *path, mode_t mode, const char *group);

/* file_mkdir_p() of the folder that holds path ("/x" and "x": nothing). */
int file_mkdir_parent(const char *path, mode_t mode);

#endif /* VIGIL_FILE_H */
