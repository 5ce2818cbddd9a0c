// SPDX-License-Identifier: GPL-2.0
/*
 * path.bpf.h - variable-length parts of a record, for every family: paths
 * walked from the kernel's objects (crossing mounts up to the root of the
 * mount namespace the file is in), paths as a process gave them relative
 * to a directory fd or its cwd, cgroup paths and plain strings, appended
 * to a record's data[] in the per-CPU scratch and each described by a
 * struct wire_str (include/wire.h says how user space reads them).
 *
 *   put_path(s, data, path, out)                  a struct path *
 *   put_dentry_path(s, data, dentry, vfsmnt, out) a dentry and its mount
 *   put_user_path_at(s, data, task, dirfd, upath, out)
 *                                                 openat(dirfd, upath)
 *   put_cgroup_path(s, data, task, out)           the task's cgroup (v2)
 *   put_user_str(s, data, ustr, max, out)         a string, user memory
 *
 * Every part starts at s->off and advances it; data[] is the record's
 * data[] member inside s->bytes.  A part that would not fit in what is
 * left of data[] is left empty with WIRE_STR_TRUNC, so a record never
 * outgrows WIRE_DATA_MAX whatever a process throws at it.
 */
#ifndef VIGIL_PATH_BPF_H
#define VIGIL_PATH_BPF_H

#include "common.bpf.h"

#define DATA_MASK (WIRE_DATA_MAX - 1)

/*
 * Passes of one walk: one per component (WIRE_PATH_MAX bytes hold at most
 * WIRE_PATH_MAX / 2 of them, a byte and a NUL each) plus mount crossings.
 * A path longer than WIRE_PATH_MAX bytes, or crossing more stacked mounts
 * than the spare passes, comes out with its leaf end and starts "+".
 */
#define PATH_WALK_MAX (WIRE_PATH_MAX / 2 + 64)
/* Levels of a cgroup path walked (cgroup v2 nests far less in practice). */
#define CGROUP_WALK_MAX 64

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

/* Before 6.15 a kernfs node's parent was `parent`. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

/* An unlinked dentry that is not a root: d_path() appends " (deleted)". */
static __always_inline bool is_deleted(struct dentry *dentry)
{
	return !BPF_CORE_READ(dentry, d_hash.pprev) &&
	       BPF_CORE_READ(dentry, d_parent) != dentry;
}

/*
 * Open a part at s->off with flags.  False when data[] has no room for
 * one more path: the part stays empty, marked truncated.
 */
static __always_inline bool part_begin(struct scratch *s, struct wire_str *out,
				       __u16 flags)
{
	__u32 off = s->off;

	out->off = off;
	out->len = 0;
	out->full_len = 0;
	out->flags = flags;
	out->pad = 0;
	if (off > WIRE_DATA_MAX - WIRE_PATH_ROOM) {
		out->flags |= WIRE_STR_TRUNC;
		return false;
	}
	return true;
}

/*
 * PATH_WALK_STEPS passes of the walk in s->walk; 1 when it is over.
 * Global, defined once in path.bpf.c: the verifier checks a global
 * function once, not at every call, so the walk's cost to the verifier
 * is one batch of passes (see bpf/README.md, verifier notes).
 */
#define PATH_WALK_STEPS 64
int path_walk_steps(struct scratch *s);

/*
 * Append the components of dentry up to the root of its mount namespace,
 * leaf first, each NUL-terminated, to the part out describes (opened by
 * part_begin(), maybe already holding a WIRE_STR_REL item).
 *
 * As d_path() does: a mount's root continues at its mountpoint in the
 * parent mount; a dentry that is its own parent without being a mount's
 * root is a file no tree holds (memfd, other pseudo files), shown as
 * "/NAME (deleted)"; an unlinked leaf gets " (deleted)".
 */
static __always_inline void walk_dentry(struct scratch *s, char *data,
					struct dentry *dentry,
					struct vfsmount *vfsmnt,
					struct wire_str *out)
{
	struct walk_state *w = &s->walk;

	w->dentry = (__u64)dentry;
	w->mnt = (__u64)container_of(vfsmnt, struct mount, mnt);
	w->start = out->off;
	w->leaf = s->off;
	w->data_off = (__u32)((long)data - (long)s->bytes);
	w->flags = out->flags | WIRE_STR_PATH | WIRE_STR_TRUNC;
	s->ncomp = 0;
	/* " (deleted)" is the leaf's: after a relative item it would
	 * misplace it, so there it is left out. */
	if (dentry && !(out->flags & WIRE_STR_REL) && is_deleted(dentry))
		w->flags |= WIRE_STR_DELETED;
	for (int i = 0; i < PATH_WALK_MAX / PATH_WALK_STEPS + 1; i++)
		if (path_walk_steps(s))
			break;
	out->flags = (__u16)w->flags;
	out->len = s->off - out->off;
}

/* The path of dentry on vfsmnt. */
static __always_inline void put_dentry_path(struct scratch *s, char *data,
					    struct dentry *dentry,
					    struct vfsmount *vfsmnt,
					    struct wire_str *out)
{
	if (part_begin(s, out, WIRE_STR_PATH))
		walk_dentry(s, data, dentry, vfsmnt, out);
}

/* The path of path (a struct file's f_path, a task's fs->pwd ...). */
static __always_inline void put_path(struct scratch *s, char *data,
				     const struct path *path,
				     struct wire_str *out)
{
	put_dentry_path(s, data, BPF_CORE_READ(path, dentry),
			BPF_CORE_READ(path, mnt), out);
}

/* The open file fd of task, or NULL. */
static __always_inline struct file *task_fd_file(struct task_struct *task,
						 int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * The path a process named with (dirfd, upath), as openat(2) and its
 * kin take them: an absolute upath as given (a plain string); a relative
 * one as the path of dirfd (AT_FDCWD: the task's cwd) followed by upath
 * unresolved (WIRE_STR_PATH | WIRE_STR_REL).  upath is read now: call
 * this where the kernel has already copied it (a sys_exit hook, or after
 * the syscall returned), or a racing thread may have changed it.
 */
static __always_inline void put_user_path_at(struct scratch *s, char *data,
					     struct task_struct *task,
					     int dirfd, const char *upath,
					     struct wire_str *out)
{
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	char *p;
	long r;

	if (!part_begin(s, out, 0))
		return;
	p = &data[s->off & DATA_MASK];
	r = bpf_probe_read_user_str(p, WIRE_PATH_MAX, upath);
	if (r <= 0)
		return;
	if (r == WIRE_PATH_MAX)
		out->flags |= WIRE_STR_TRUNC; /* the kernel refuses it too */
	if (p[0] == '/') {
		s->off += r;
		out->len = r - 1;
		return;
	}
	s->off += r;
	out->flags |= WIRE_STR_REL;
	if (dirfd == AT_FDCWD) {
		dentry = BPF_CORE_READ(task, fs, pwd.dentry);
		vfsmnt = BPF_CORE_READ(task, fs, pwd.mnt);
	} else {
		struct file *f = task_fd_file(task, dirfd);

		dentry = BPF_CORE_READ(f, f_path.dentry);
		vfsmnt = BPF_CORE_READ(f, f_path.mnt);
	}
	walk_dentry(s, data, dentry, vfsmnt, out);
}

/*
 * The cgroup v2 path of task ("/system.slice/x.service" once joined),
 * components leaf first as for files.
 */
static __always_inline void put_cgroup_path(struct scratch *s, char *data,
					    struct task_struct *task,
					    struct wire_str *out)
{
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	__u32 start = s->off;

	if (!part_begin(s, out, WIRE_STR_PATH | WIRE_STR_TRUNC))
		return;
	for (int i = 0; i < CGROUP_WALK_MAX; i++) {
		struct kernfs_node *up;
		long r;

		if (bpf_core_field_exists(kn->__parent))
			up = BPF_CORE_READ(kn, __parent);
		else
			up = BPF_CORE_READ((struct kernfs_node___old *)kn,
					   parent);
		if (!up) { /* the root: no name of its own */
			out->flags &= ~WIRE_STR_TRUNC;
			break;
		}
		if (s->off - start >= WIRE_PATH_MAX)
			break;
		r = bpf_probe_read_kernel_str(&data[s->off & DATA_MASK],
					      WIRE_NAME_MAX,
					      BPF_CORE_READ(kn, name));
		if (r <= 0)
			break;
		s->off += r;
		kn = up;
	}
	out->len = s->off - start;
}

/*
 * A string from user memory, at most max bytes with its NUL (max <=
 * WIRE_PATH_MAX); a longer one is cut and marked.
 */
static __always_inline void put_user_str(struct scratch *s, char *data,
					 const char *ustr, __u32 max,
					 struct wire_str *out)
{
	long r;

	if (!part_begin(s, out, 0))
		return;
	if (max > WIRE_PATH_MAX)
		max = WIRE_PATH_MAX;
	r = bpf_probe_read_user_str(&data[s->off & DATA_MASK], max, ustr);
	if (r <= 0)
		return;
	if ((__u32)r == max)
		out->flags |= WIRE_STR_TRUNC;
	s->off += r;
	out->len = r - 1;
}

#endif /* VIGIL_PATH_BPF_H */
