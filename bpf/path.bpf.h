// SPDX-License-Identifier: GPL-2.0
/*
 * path.bpf.h - variable-length parts of a record, for every family: paths
 * walked from a struct path (crossing mounts up to the global root) and
 * plain strings, appended to a record's data[] in the per-CPU scratch and
 * described by a struct wire_str.
 */
#ifndef VIGIL_PATH_BPF_H
#define VIGIL_PATH_BPF_H

#include "common.bpf.h"

#define DATA_MASK (WIRE_DATA_MAX - 1)

/* Components walked per path: enough for any path of WIRE_PATH_MAX bytes
 * (each component is at least one byte and a separator). */
#define PATH_DEPTH_MAX 40

/* An unlinked dentry that is not a root: d_path() appends " (deleted)". */
static __always_inline bool is_deleted(struct dentry *dentry)
{
	return !BPF_CORE_READ(dentry, d_hash.pprev) &&
	       BPF_CORE_READ(dentry, d_parent) != dentry;
}

/*
 * Append the components of path, leaf first, each NUL-terminated, at
 * data[s->off...], advancing s->off, and describe them in *out.
 */
static __always_inline void put_path(struct scratch *s, char *data,
				     const struct path *path,
				     struct wire_str *out)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	__u32 start = s->off;

	out->off = start;
	out->flags = WIRE_STR_PATH | WIRE_STR_TRUNC;
	out->pad = 0;
	s->ncomp = 0;
	if (dentry && is_deleted(dentry))
		out->flags |= WIRE_STR_DELETED;
	for (int i = 0; i < PATH_DEPTH_MAX; i++) {
		struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		const unsigned char *name;
		long r;

		if (dentry == root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt) {
				out->flags &= ~WIRE_STR_TRUNC;
				break;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		if (dentry == parent) {
			out->flags &= ~WIRE_STR_TRUNC;
			break;
		}
		name = BPF_CORE_READ(dentry, d_name.name);
		s->comp[s->ncomp & (PATH_COMPS - 1)] = s->off;
		s->ncomp++;
		r = bpf_probe_read_kernel_str(&data[s->off & DATA_MASK],
					      WIRE_NAME_MAX, name);
		if (r <= 0)
			break;
		s->off += r;
		dentry = parent;
	}
	out->len = s->off - start;
}

/* The open file behind descriptor fd of task, or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

/*
 * A name as a *at() call takes it: dfd and the string name (user memory
 * when is_user, else kernel memory), appended as two parts the decoder
 * joins.  *name gets the string as given; *dir the directory it is
 * relative to: task's root for an absolute name (so a chrooted caller's
 * "/x" is reported where it really is), its cwd for AT_FDCWD, else the
 * path of dfd.  An empty name (AT_EMPTY_PATH) leaves dfd's path complete
 * in *dir.  *dir->len is 0 when dfd is not an open file.  The name is
 * not normalised: "..", "." and symlinks stay as the caller wrote them.
 */
static __always_inline void put_name_at(struct scratch *s, char *data,
					struct task_struct *task, long dfd,
					const char *uname, bool is_user,
					struct wire_str *dir,
					struct wire_str *name)
{
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	__u32 start = s->off;
	char first = 0;
	long r;

	name->off = start;
	name->flags = 0;
	name->pad = 0;
	if (is_user)
		r = bpf_probe_read_user_str(&data[start & DATA_MASK],
					    WIRE_PATH_MAX, uname);
	else
		r = bpf_probe_read_kernel_str(&data[start & DATA_MASK],
					      WIRE_PATH_MAX, uname);
	if (r > 1) {
		first = data[start & DATA_MASK];
		s->off += r;
		name->len = r - 1;
	} else {
		name->len = 0;
	}
	if (first == '/') {
		put_path(s, data, &fs->root, dir);
	} else if ((int)dfd == AT_FDCWD) {
		put_path(s, data, &fs->pwd, dir);
	} else {
		struct file *f = fd_file(task, (int)dfd);

		if (f) {
			put_path(s, data, &f->f_path, dir);
		} else {
			dir->off = s->off;
			dir->len = 0;
			dir->flags = 0;
			dir->pad = 0;
		}
	}
}

#endif /* VIGIL_PATH_BPF_H */
