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

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct scratch *s;
	struct wire_exec *e;
	struct mm_struct *mm;
	struct file *exe;
	unsigned long arg_start, arg_end;
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

	mm = BPF_CORE_READ(p, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	e->args.flags = 0;
	e->args.pad = 0;
	if (len > WIRE_ARGS_MAX) {
		len = WIRE_ARGS_MAX;
		e->args.flags = WIRE_STR_TRUNC;
	}
	if (bpf_probe_read_user(e->data, len & DATA_MASK, (void *)arg_start))
		len = 0;
	e->args.off = 0;
	e->args.len = len;

	exe = BPF_CORE_READ(bprm, file);
	fill_inode(&e->exe, BPF_CORE_READ(exe, f_inode));
	s->off = len;
	put_path(s, e->data, &exe->f_path, &e->image);
	put_path(s, e->data, &p->fs->pwd, &e->cwd);

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
