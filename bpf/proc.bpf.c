// SPDX-License-Identifier: GPL-2.0
/*
 * proc.bpf.c - process lifecycle: exec (event 1), fork (process table
 * only) and thread-group exit (event 5).
 *
 * BTF tracepoints (tp_btf) rather than classic tracepoints: they need no
 * tracefs and keep working once the daemon drops privileges.  These three
 * fire per process event, never per syscall, so un-hooked syscalls pay
 * nothing.
 */
#include "inode.bpf.h"
#include "path.bpf.h"

/* Where p runs: its mount and pid namespaces and its cgroup. */
static __always_inline void fill_ctx(struct wire_ctx *c, struct task_struct *p)
{
	struct pid *pid = BPF_CORE_READ(p, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	/* The innermost level is the namespace the process sees itself in. */
	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	c->mnt_ns = BPF_CORE_READ(p, nsproxy, mnt_ns, ns.inum);
	c->pid_ns = BPF_CORE_READ(up.ns, ns.inum);
	c->ns_pid = up.nr;
	c->pad = 0;
	c->cgroup_id = BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, id);
}

/*
 * argv as the new image sees it, up to cfg_args_max bytes, as the first
 * part of data[] (s->off is 0); the part says how long the whole argv
 * was.
 */
static __always_inline void put_args(struct scratch *s, char *data,
				     struct task_struct *p,
				     struct wire_str *out)
{
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	unsigned long arg_start = BPF_CORE_READ(mm, arg_start);
	unsigned long arg_end = BPF_CORE_READ(mm, arg_end);
	__u32 len = arg_end > arg_start ? arg_end - arg_start : 0;
	__u32 max = cfg_args_max;

	if (max > WIRE_ARGS_MAX)
		max = WIRE_ARGS_MAX;
	out->off = 0;
	out->full_len = len;
	out->flags = 0;
	out->pad = 0;
	if (len > max) {
		len = max;
		out->flags = WIRE_STR_TRUNC;
	}
	if (bpf_probe_read_user(data, len & DATA_MASK, (void *)arg_start))
		len = 0;
	out->len = len;
	s->off = len;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct scratch *s;
	struct wire_exec *e;
	struct file *exe;
	__u32 len;

	_Static_assert(sizeof(*e) <= WIRE_FIXED_MAX, "scratch too small");
	if (is_self(p))
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = (struct wire_exec *)s->bytes;
	e->hdr.kind = WIRE_EXEC;
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&e->task, p);
	fill_ctx(&e->ctx, p);

	exe = BPF_CORE_READ(bprm, file);
	fill_inode(&e->exe, BPF_CORE_READ(exe, f_inode));
	put_args(s, e->data, p, &e->args);
	put_path(s, e->data, &exe->f_path, &e->image);
	put_path(s, e->data, &p->fs->pwd, &e->cwd);
	put_cgroup_path(s, e->data, p, &e->cgroup);

	len = sizeof(*e) + (s->off & DATA_MASK);
	e->hdr.len = len;
	if (len > sizeof(s->bytes))
		return 0;
	emit(e, len);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_sched_process_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	struct wire_fork f = {};

	/* New threads share the process: only new thread groups matter. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if (is_self(parent))
		return 0;
	f.hdr.kind = WIRE_FORK;
	f.hdr.len = sizeof(f);
	f.hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&f.task, parent);
	f.child_tgid = BPF_CORE_READ(child, tgid);
	f.child_start_ns = BPF_CORE_READ(child, start_boottime);
	emit(&f, sizeof(f));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_sched_process_exit, struct task_struct *p)
{
	struct wire_exit x = {};

	/* do_exit() has already dropped signal->live: 0 means the whole
	 * thread group is gone, whichever thread exits last. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (is_self(p))
		return 0;
	x.hdr.kind = WIRE_EXIT;
	x.hdr.len = sizeof(x);
	x.hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&x.task, p);
	x.exit_code = BPF_CORE_READ(p, exit_code) >> 8;
	emit(&x, sizeof(x));
	return 0;
}
