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
#include "common.bpf.h"

#define DATA_MASK (WIRE_DATA_MAX - 1)

/*
 * Append the components of path, leaf first, each NUL-terminated, at
 * data[s->off...], advancing s->off and counting s->depth.  Crosses mount
 * points up to the global root.  Returns whether the walk stopped before
 * reaching the root (path truncated).
 */
static __always_inline bool put_path(struct scratch *s, char *data,
				     const struct path *path)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);

	s->depth = 0;
	for (int i = 0; i < WIRE_PATH_DEPTH; i++) {
		struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		const unsigned char *name;
		long r;

		if (dentry == root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt)
				return false;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		if (dentry == parent)
			return false;
		name = BPF_CORE_READ(dentry, d_name.name);
		r = bpf_probe_read_kernel_str(&data[s->off & DATA_MASK],
					      WIRE_NAME_MAX, name);
		if (r <= 0)
			return true;
		s->off += r;
		s->depth++;
		dentry = parent;
	}
	return true;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct scratch *s;
	struct wire_exec *e;
	struct mm_struct *mm;
	struct file *exe;
	unsigned long arg_start, arg_end;
	__u32 len, off;
	if (is_self(p))
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = (struct wire_exec *)s->bytes;
	e->hdr.kind = WIRE_EXEC;
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&e->task, p);
	e->flags = 0;

	mm = BPF_CORE_READ(p, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > WIRE_ARGS_MAX) {
		len = WIRE_ARGS_MAX;
		e->flags |= WIRE_F_ARGS_TRUNC;
	}
	if (bpf_probe_read_user(e->data, len & (WIRE_DATA_MAX - 1),
				(void *)arg_start))
		len = 0;
	e->args_len = len;

	exe = BPF_CORE_READ(bprm, file);
	e->exe_ino = BPF_CORE_READ(exe, f_inode, i_ino);
	e->exe_dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
	s->off = len;
	if (put_path(s, e->data, &exe->f_path))
		e->flags |= WIRE_F_IMAGE_TRUNC;
	e->image_len = s->off - len;
	e->image_depth = s->depth;
	len = s->off;
	if (put_path(s, e->data, &p->fs->pwd))
		e->flags |= WIRE_F_CWD_TRUNC;
	e->cwd_len = s->off - len;
	e->cwd_depth = s->depth;
	off = s->off;

	len = sizeof(*e) + (off & DATA_MASK);
	e->hdr.len = len;
	if (len > sizeof(*s))
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
