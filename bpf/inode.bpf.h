// SPDX-License-Identifier: GPL-2.0
/*
 * inode.bpf.h - fill_inode(): a file's identity and change counters
 * (struct wire_inode), read with CO-RE so one object runs on every kernel
 * layout of the timestamps: i_mtime_sec/i_mtime_nsec (6.11+), __i_mtime
 * (6.6 to 6.10), i_mtime (before).
 */
#ifndef VIGIL_INODE_BPF_H
#define VIGIL_INODE_BPF_H

#include "common.bpf.h"

/* Multigrain timestamps (6.13+) keep a flag in the top bit of the ctime
 * nanoseconds; i_version keeps one in its lowest bit. */
#define CTIME_QUERIED_BIT (1u << 31)
#define VERSION_FLAG_BIT  1ull

/* Earlier layouts of struct inode, for CO-RE. */
struct inode___ts64 {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___old {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

static __always_inline void fill_inode(struct wire_inode *w,
				       struct inode *inode)
{
	w->ino = BPF_CORE_READ(inode, i_ino);
	w->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	w->size = BPF_CORE_READ(inode, i_size);
	w->pad = 0;
	if (bpf_core_field_exists(inode->i_mtime_sec)) {
		w->mtime_sec = BPF_CORE_READ(inode, i_mtime_sec);
		w->mtime_nsec = BPF_CORE_READ(inode, i_mtime_nsec);
		w->ctime_sec = BPF_CORE_READ(inode, i_ctime_sec);
		w->ctime_nsec = BPF_CORE_READ(inode, i_ctime_nsec);
	} else if (bpf_core_field_exists(
			   ((struct inode___ts64 *)inode)->__i_mtime)) {
		struct inode___ts64 *i = (void *)inode;

		w->mtime_sec = BPF_CORE_READ(i, __i_mtime.tv_sec);
		w->mtime_nsec = BPF_CORE_READ(i, __i_mtime.tv_nsec);
		w->ctime_sec = BPF_CORE_READ(i, __i_ctime.tv_sec);
		w->ctime_nsec = BPF_CORE_READ(i, __i_ctime.tv_nsec);
	} else {
		struct inode___old *i = (void *)inode;

		w->mtime_sec = BPF_CORE_READ(i, i_mtime.tv_sec);
		w->mtime_nsec = BPF_CORE_READ(i, i_mtime.tv_nsec);
		w->ctime_sec = BPF_CORE_READ(i, i_ctime.tv_sec);
		w->ctime_nsec = BPF_CORE_READ(i, i_ctime.tv_nsec);
	}
	w->ctime_nsec &= ~CTIME_QUERIED_BIT;
	w->version = 0;
	if (bpf_core_field_exists(inode->i_version))
		w->version = BPF_CORE_READ(inode, i_version.counter) &
			     ~VERSION_FLAG_BIT;
}

#endif /* VIGIL_INODE_BPF_H */
