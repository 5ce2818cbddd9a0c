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
		r = bpf_probe_read_kernel_str(&data[s->off & DATA_MASK],
					      WIRE_NAME_MAX, name);
		if (r <= 0)
			break;
		s->off += r;
		dentry = parent;
	}
	out->len = s->off - start;
}

#endif /* VIGIL_PATH_BPF_H */
