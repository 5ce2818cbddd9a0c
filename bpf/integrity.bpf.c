// SPDX-License-Identifier: GPL-2.0
/*
 * integrity.bpf.c - one process reaching into another (events 10 and 8)
 * and images that are not what they seem (event 25).
 *
 *   ptrace(ATTACH|SEIZE)            -> WIRE_ACCESS
 *   ptrace(POKE*|SET*REGS*)          -> WIRE_INJECT
 *   process_vm_readv()               -> WIRE_ACCESS
 *   process_vm_writev()              -> WIRE_ACCESS + WIRE_INJECT
 *   open of /proc/PID/mem            -> WIRE_ACCESS (+ WIRE_INJECT to write)
 *   exec of a memfd or deleted file  -> WIRE_TAMPER
 *   open to write of a file some process maps executable -> WIRE_TAMPER
 *
 * Per-syscall tracepoints, so only these syscalls pay: an enter program
 * keeps the arguments of the calls that matter (most ptrace requests of a
 * debugger are reads and return at the first test), the exit program
 * reports the calls that succeeded.  Opens are judged at exit from the
 * struct file the call produced, so relative paths, /proc/self and dirfd
 * tricks all resolve to the file actually opened.
 */
#include "path.bpf.h"
#include "task.bpf.h"

#define PTRACE_POKETEXT	 4
#define PTRACE_POKEDATA	 5
#define PTRACE_POKEUSER	 6
#define PTRACE_SETREGS	 13
#define PTRACE_SETFPREGS 15
#define PTRACE_ATTACH	 16
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE	 0x4206
#define NT_PRSTATUS	 1

#define PROC_SUPER_MAGIC 0x9fa0
#define FMODE_READ	 0x1
#define FMODE_WRITE	 0x2
#define VM_EXEC		 0x4

/* x86-64 struct user_regs_struct: rip is the 17th of 27 registers, and
 * struct user starts with it, so PTRACE_POKEUSER at this offset sets the
 * instruction pointer too. */
#define USER_RIP_OFF   (16 * 8)
#define USER_REGS_SIZE (27 * 8)

/* Repeats of one operation between the same two processes within this
 * window are one event (a debugger pokes many words; an injector too). */
#define REPEAT_NS 1000000000ull

/* Write-mapped files: vmas of the file's mapping examined for one that is
 * executable (a breadth-first walk of the interval tree's top). */
#define MMAP_WALK_MAX 15

struct access_call {
	__u32 op; /* enum wire_access_op */
	__u32 tid; /* pid argument, in the caller's namespace */
	__u64 addr;
	__u64 request;
	__u32 has_addr;
	__u32 pad;
};

/* Arguments of a call in flight, by thread, until its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct access_call);
} access_calls SEC(".maps");

struct access_key {
	__u32 source_tgid;
	__u32 target_tgid;
	__u32 what; /* op, and the open mode above bit 8 */
	__u32 kind; /* WIRE_ACCESS or WIRE_INJECT */
};

/* When each (source, target, operation) was last reported. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct access_key);
	__type(value, __u64);
} access_seen SEC(".maps");

static __always_inline bool is_repeat(__u32 src, __u32 dst, __u32 what,
				      __u32 kind, __u64 now)
{
	struct access_key k = {
		.source_tgid = src,
		.target_tgid = dst,
		.what = what,
		.kind = kind,
	};
	__u64 *last = bpf_map_lookup_elem(&access_seen, &k);

	if (last && now - *last < REPEAT_NS)
		return true;
	bpf_map_update_elem(&access_seen, &k, &now, BPF_ANY);
	return false;
}

static __always_inline void send_access(struct wire_access *r, __u32 kind)
{
	if (!is_wanted(kind == WIRE_ACCESS ? 10 : 8))
		return;
	if (is_repeat(r->task.tgid, r->target.tgid, r->op | r->mode << 8, kind,
		      r->hdr.ts_ns))
		return;
	r->hdr.kind = kind;
	emit(r, sizeof(*r));
}

/* Report source's call c on target (both thread groups' tasks). */
static __always_inline void report_access(struct task_struct *source,
					  struct task_struct *target,
					  const struct access_call *c,
					  __u32 mode)
{
	struct wire_access r = {};

	if (BPF_CORE_READ(source, tgid) == BPF_CORE_READ(target, tgid))
		return; /* its own memory */
	r.hdr.len = sizeof(r);
	r.hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&r.task, source);
	fill_task(&r.target, target);
	r.op = c->op;
	r.target_tid = BPF_CORE_READ(target, pid); /* initial namespace */
	r.mode = mode;
	r.has_addr = c->has_addr;
	r.addr = c->addr;
	r.request = c->request;
	switch (c->op) {
	case WIRE_OP_PTRACE_POKE:
	case WIRE_OP_PTRACE_SETREGS:
		send_access(&r, WIRE_INJECT); /* the attach was the access */
		break;
	case WIRE_OP_VM_WRITE:
		send_access(&r, WIRE_ACCESS);
		send_access(&r, WIRE_INJECT);
		break;
	case WIRE_OP_MEM_OPEN:
		send_access(&r, WIRE_ACCESS);
		if (mode & WIRE_MODE_WRITE)
			send_access(&r, WIRE_INJECT);
		break;
	default:
		send_access(&r, WIRE_ACCESS);
	}
}

static __always_inline void keep_call(struct access_call *c)
{
	__u64 key = bpf_get_current_pid_tgid();

	if (cfg_self_tgid && key >> 32 == cfg_self_tgid)
		return;
	if (!is_wanted(10) && !is_wanted(8))
		return; /* armed for event 25 alone */
	bpf_map_update_elem(&access_calls, &key, c, BPF_ANY);
}

/* The instruction pointer in a user_regs_struct at regs, if readable. */
static __always_inline void read_rip(struct access_call *c, __u64 regs)
{
	__u64 rip;

	if (bpf_probe_read_user(&rip, sizeof(rip),
				(void *)(regs + USER_RIP_OFF)) == 0) {
		c->addr = rip;
		c->has_addr = 1;
	}
}

SEC("tracepoint/syscalls/sys_enter_ptrace")
int on_sys_enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	struct access_call c = {};
	__u64 req = ctx->args[0], addr = ctx->args[2], data = ctx->args[3];
	struct {
		__u64 base;
		__u64 len;
	} iov;

	switch (req) {
	case PTRACE_ATTACH:
		c.op = WIRE_OP_PTRACE_ATTACH;
		break;
	case PTRACE_SEIZE:
		c.op = WIRE_OP_PTRACE_SEIZE;
		break;
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		c.op = WIRE_OP_PTRACE_POKE;
		c.addr = addr;
		c.has_addr = 1;
		break;
	case PTRACE_POKEUSER:
		c.op = WIRE_OP_PTRACE_POKE;
		if (addr == USER_RIP_OFF) {
			c.addr = data;
			c.has_addr = 1;
		}
		break;
	case PTRACE_SETREGS:
		c.op = WIRE_OP_PTRACE_SETREGS;
		read_rip(&c, data);
		break;
	case PTRACE_SETFPREGS:
		c.op = WIRE_OP_PTRACE_SETREGS;
		break;
	case PTRACE_SETREGSET:
		c.op = WIRE_OP_PTRACE_SETREGS;
		if (addr == NT_PRSTATUS &&
		    bpf_probe_read_user(&iov, sizeof(iov), (void *)data) == 0 &&
		    iov.len >= USER_REGS_SIZE)
			read_rip(&c, iov.base);
		break;
	default:
		return 0; /* reads, continues, detaches: nothing new */
	}
	c.tid = (__u32)ctx->args[1];
	c.request = req;
	keep_call(&c);
	return 0;
}

static __always_inline void vm_enter(struct trace_event_raw_sys_enter *ctx,
				     __u32 op)
{
	struct access_call c = {};
	__u64 base;

	c.op = op;
	c.tid = (__u32)ctx->args[0];
	/* The first remote iovec's base: where the write lands. */
	if (op == WIRE_OP_VM_WRITE && ctx->args[4] > 0 &&
	    bpf_probe_read_user(&base, sizeof(base), (void *)ctx->args[3]) ==
		    0) {
		c.addr = base;
		c.has_addr = 1;
	}
	keep_call(&c);
}

SEC("tracepoint/syscalls/sys_enter_process_vm_readv")
int on_sys_enter_process_vm_readv(struct trace_event_raw_sys_enter *ctx)
{
	vm_enter(ctx, WIRE_OP_VM_READ);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int on_sys_enter_process_vm_writev(struct trace_event_raw_sys_enter *ctx)
{
	vm_enter(ctx, WIRE_OP_VM_WRITE);
	return 0;
}

/* Exit of a call kept at entry: report it if it succeeded. */
static __always_inline void access_exit(long ret)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct access_call *kept = bpf_map_lookup_elem(&access_calls, &key);
	struct access_call c;
	struct task_struct *target;

	if (!kept)
		return;
	c = *kept;
	bpf_map_delete_elem(&access_calls, &key);
	if (ret < 0)
		return;
	target = bpf_task_from_vpid((s32)c.tid);
	if (!target)
		return; /* gone already */
	report_access(bpf_get_current_task_btf(), target, &c, 0);
	bpf_task_release(target);
}

SEC("tracepoint/syscalls/sys_exit_ptrace")
int on_sys_exit_ptrace(struct trace_event_raw_sys_exit *ctx)
{
	access_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_process_vm_readv")
int on_sys_exit_process_vm_readv(struct trace_event_raw_sys_exit *ctx)
{
	access_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_process_vm_writev")
int on_sys_exit_process_vm_writev(struct trace_event_raw_sys_exit *ctx)
{
	access_exit(ctx->ret);
	return 0;
}

/* file is open on procfs: report it when it is some /proc/PID/mem. */
static __always_inline void mem_open(struct task_struct *cur, struct file *file,
				     __u32 fmode)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct proc_inode *pi =
		container_of(inode, struct proc_inode, vfs_inode);
	struct access_call c = { .op = WIRE_OP_MEM_OPEN };
	struct task_struct *target;
	char name[4];
	struct pid *pid;
	__u32 mode = 0;

	if (BPF_CORE_READ(d, d_name.len) != 3 ||
	    bpf_probe_read_kernel(name, sizeof(name),
				  BPF_CORE_READ(d, d_name.name)) ||
	    name[0] != 'm' || name[1] != 'e' || name[2] != 'm')
		return;
	pid = BPF_CORE_READ(pi, pid);
	if (!pid)
		return; /* not a per-process entry */
	c.tid = BPF_CORE_READ(pid, numbers[0].nr);
	target = bpf_task_from_pid((s32)c.tid);
	if (!target)
		return;
	if (fmode & FMODE_READ)
		mode |= WIRE_MODE_READ;
	if (fmode & FMODE_WRITE)
		mode |= WIRE_MODE_WRITE;
	report_access(cur, target, &c, mode);
	bpf_task_release(target);
}

/*
 * A file opened to write that some process maps executable: its code can
 * change under it.  The mapping's interval tree is walked breadth first
 * from the top for a vma with VM_EXEC, preferring another process's.
 */
static __always_inline void image_write(struct task_struct *cur,
					struct file *file)
{
	struct rb_node *queue[MMAP_WALK_MAX + 1];
	struct mm_struct *mine = BPF_CORE_READ(cur, mm), *hit = NULL;
	struct scratch *s;
	struct wire_tamper *t;
	struct task_struct *owner;
	__u32 head = 0, tail = 0, len;

	queue[tail++] = BPF_CORE_READ(file, f_mapping, i_mmap.rb_root.rb_node);
	if (!queue[0])
		return; /* mapped nowhere */
	for (int i = 0; i < MMAP_WALK_MAX; i++) {
		struct rb_node *n, *l, *r;
		struct vm_area_struct *vma;
		struct mm_struct *mm;

		if (head >= tail)
			break;
		n = queue[head++ & MMAP_WALK_MAX];
		vma = container_of(n, struct vm_area_struct, shared.rb);
		mm = BPF_CORE_READ(vma, vm_mm);
		if (BPF_CORE_READ(vma, vm_flags) & VM_EXEC) {
			hit = mm;
			if (mm != mine)
				break;
		}
		l = BPF_CORE_READ(n, rb_left);
		r = BPF_CORE_READ(n, rb_right);
		if (l && tail <= MMAP_WALK_MAX)
			queue[tail++ & MMAP_WALK_MAX] = l;
		if (r && tail <= MMAP_WALK_MAX)
			queue[tail++ & MMAP_WALK_MAX] = r;
	}
	if (!hit)
		return;
	owner = BPF_CORE_READ(hit, owner);
	if (!owner)
		return;
	s = get_scratch();
	if (!s)
		return;
	t = (struct wire_tamper *)s->bytes;
	t->hdr.kind = WIRE_TAMPER;
	t->hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&t->task, owner);
	t->kind = WIRE_TAMPER_WRITTEN;
	t->writer_tgid = BPF_CORE_READ(cur, tgid);
	s->off = 0;
	put_path(s, t->data, &file->f_path, &t->image);
	len = sizeof(*t) + (s->off & DATA_MASK);
	t->hdr.len = len;
	if (len > sizeof(s->bytes))
		return;
	emit(t, len);
}

/*
 * Every successful open comes here, so the common case is kept to plain
 * loads: the task, its descriptor table and the file are read through
 * BTF pointers (fault-safe loads, no helper calls) except the one slot of
 * the fd array, which has no BTF type of its own.
 */
static __always_inline void open_exit(long ret)
{
	struct task_struct *cur;
	struct fdtable *fdt;
	struct file *file = NULL;
	struct file **fds;
	bool is_mem, is_tamper;
	__u32 fmode;

	if (ret < 0)
		return;
	is_mem = is_wanted(10) || is_wanted(8);
	is_tamper = is_wanted(25);
	if (!is_mem && !is_tamper)
		return;
	if (cfg_self_tgid && bpf_get_current_pid_tgid() >> 32 == cfg_self_tgid)
		return;
	cur = bpf_get_current_task_btf();
	fdt = cur->files->fdt;
	if ((__u64)ret >= fdt->max_fds)
		return;
	fds = fdt->fd;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[ret]);
	if (!file)
		return;
	file = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
	fmode = file->f_mode;
	if (file->f_inode->i_sb->s_magic == PROC_SUPER_MAGIC) {
		if (is_mem)
			mem_open(cur, file, fmode);
	} else if ((fmode & FMODE_WRITE) && is_tamper) {
		image_write(cur, file);
	}
}

SEC("tracepoint/syscalls/sys_exit_openat")
int on_sys_exit_openat_integrity(struct trace_event_raw_sys_exit *ctx)
{
	open_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int on_sys_exit_openat2_integrity(struct trace_event_raw_sys_exit *ctx)
{
	open_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int on_sys_exit_open_integrity(struct trace_event_raw_sys_exit *ctx)
{
	open_exit(ctx->ret);
	return 0;
}

/* The file an exec really ran when it has no name: a memfd, or a file
 * deleted before (or while) it ran. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_process_exec_tamper, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct file *exe = BPF_CORE_READ(bprm, file);
	struct dentry *d = BPF_CORE_READ(exe, f_path.dentry);
	struct scratch *s;
	struct wire_tamper *t;
	char name[6];
	__u32 len;

	if (!is_wanted(25))
		return 0;
	if (BPF_CORE_READ(exe, f_inode, __i_nlink) != 0 && !is_deleted(d))
		return 0;
	if (is_self(p))
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	t = (struct wire_tamper *)s->bytes;
	t->hdr.kind = WIRE_TAMPER;
	t->hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&t->task, p);
	/* memfd_create() names its files "memfd:NAME" and never links them */
	t->kind = WIRE_TAMPER_DELETED;
	if (bpf_probe_read_kernel(name, sizeof(name),
				  BPF_CORE_READ(d, d_name.name)) == 0 &&
	    name[0] == 'm' && name[1] == 'e' && name[2] == 'm' &&
	    name[3] == 'f' && name[4] == 'd' && name[5] == ':')
		t->kind = WIRE_TAMPER_MEMFD;
	t->writer_tgid = 0;
	s->off = 0;
	put_path(s, t->data, &exe->f_path, &t->image);
	len = sizeof(*t) + (s->off & DATA_MASK);
	t->hdr.len = len;
	if (len > sizeof(s->bytes))
		return 0;
	emit(t, len);
	return 0;
}
