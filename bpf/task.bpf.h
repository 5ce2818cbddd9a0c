// SPDX-License-Identifier: GPL-2.0
/*
 * task.bpf.h - finding the task a pid names (kfuncs; the struct file
 * behind a descriptor is path.bpf.h's task_fd_file()).
 */
#ifndef VIGIL_TASK_BPF_H
#define VIGIL_TASK_BPF_H

#include "common.bpf.h"

/* Kernel 6.13+: a pid as the calling process sees it (its namespace). */
extern struct task_struct *bpf_task_from_vpid(s32 vpid) __ksym;
/* Kernel 6.2+: a pid of the initial namespace. */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
/* Kernel 6.2+: read obj as a btf_id object, with plain fault-safe loads. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#endif /* VIGIL_TASK_BPF_H */
