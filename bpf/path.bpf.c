// SPDX-License-Identifier: GPL-2.0
/*
 * path.bpf.c - the one global function of the path walk (path.bpf.h):
 * a batch of walk steps, verified once for every program that walks
 * paths instead of once per pass at every call site.
 */
#include "path.bpf.h"

__noinline int path_walk_steps(struct scratch *s)
{
	struct walk_state *w;
	struct mount *mnt;
	struct dentry *dentry;
	char *data;

	if (!s)
		return 1;
	w = &s->walk;
	if (w->data_off > WIRE_FIXED_MAX)
		return 1;
	data = s->bytes + w->data_off;
	dentry = (struct dentry *)w->dentry;
	mnt = (struct mount *)w->mnt;
	for (int i = 0; i < PATH_WALK_STEPS; i++) {
		struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
		struct dentry *parent;
		const unsigned char *name;
		long r;

		if (!dentry)
			return 1;
		if (dentry == root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt) {
				w->flags &= ~WIRE_STR_TRUNC;
				return 1;
			}
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		if (s->off - w->start >= WIRE_PATH_MAX)
			return 1;
		parent = BPF_CORE_READ(dentry, d_parent);
		if (dentry == parent && s->off != w->leaf)
			return 1; /* cut off from its mount's root: "+" */
		name = BPF_CORE_READ(dentry, d_name.name);
		s->comp[s->ncomp & (PATH_COMPS - 1)] = s->off;
		s->ncomp++;
		r = bpf_probe_read_kernel_str(&data[s->off & DATA_MASK],
					      WIRE_NAME_MAX, name);
		if (r <= 0)
			return 1;
		s->off += r;
		if (dentry == parent) {
			/* No tree holds it: d_path() shows "/NAME (deleted)". */
			w->flags |= WIRE_STR_DELETED;
			w->flags &= ~WIRE_STR_TRUNC;
			return 1;
		}
		dentry = parent;
	}
	w->dentry = (__u64)dentry;
	w->mnt = (__u64)mnt;
	return 0;
}
