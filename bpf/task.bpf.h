// SPDX-License-Identifier: GPL-2.0
/*
 * task.bpf.h - finding other tasks and open files from a program: the
 * task a pid names (kfuncs), and the struct file behind a descriptor.
 */
#ifndef VIGIL_TASK_BPF_H
#define VIGIL_TASK_BPF_H

#include "common.bpf.h"

/* Kernel 6.13+: a pid as the calling process sees it (its namespace). */
extern struct task_struct *bpf_task_from_vpid(s32 vpid) __ksym;
/* Kernel 6.2+: a pid of the initial namespace. */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

/* The file open as fd in task, or NULL. */
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

#endif /* VIGIL_TASK_BPF_H */
