// SPDX-License-Identifier: GPL-2.0
/*
 * file.bpf.c - files and devices: creation (event 11), deletion (23/26),
 * times set to given values (2), executables written (29), named pipes
 * (17/18), block devices opened to read (9), and io_uring file operations
 * the syscall hooks cannot see.
 *
 * Per-syscall tracepoints (syscalls:sys_exit_<name>): each costs only its
 * own syscall, never the others (a raw sys_enter/sys_exit hook would tax
 * every syscall of the machine).  Nearly all are exit hooks: the result
 * is known there, the arguments are still in the caller's saved user
 * registers (bpf_task_pt_regs), and for an open the new file itself is in
 * the descriptor table, so "created" is the kernel's own FMODE_CREATED bit
 * rather than a guess from timestamps.  The loader attaches these through
 * perf events by tracepoint id (see src/sensor/loader.c).
 */
#include "path.bpf.h"

#define O_ACCMODE	  00000003
#define O_CREAT		  00000100
#define O_TRUNC		  00001000
#define __O_TMPFILE	  020000000
#define AT_REMOVEDIR	  0x200
#define RENAME_EXCHANGE	  0x2

#define S_IFMT		  00170000
#define S_IFSOCK	  0140000
#define S_IFREG		  0100000
#define S_IFBLK		  0060000
#define S_IFIFO		  0010000

#define FMODE_READ	  0x1u
#define FMODE_WRITE	  0x2u
#define FMODE_CREATED	  0x100000u

#define UTIME_NOW	  ((1l << 30) - 1l)
#define UTIME_OMIT	  ((1l << 30) - 2l)

#define PIPEFS_MAGIC	  0x50495045
#define EXT4_SUPER_MAGIC  0xEF53
#define TMPFS_MAGIC	  0x01021994
#define XFS_SUPER_MAGIC	  0x58465342
#define BTRFS_SUPER_MAGIC 0x9123683E

#define NSEC_PER_SEC	  1000000000ll

/* The kernel before 6.13 counted references in f_count. */
struct file___f_count {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

static __always_inline struct pt_regs *user_regs(struct task_struct *task)
{
	return (struct pt_regs *)bpf_task_pt_regs(task);
}

/* Start a record in the scratch: header, task, how; data[] empty. */
static __always_inline struct wire_file *
file_begin(struct scratch *s, struct task_struct *task, __u32 kind, __u16 how)
{
	struct wire_file *f = (struct wire_file *)s->bytes;

	_Static_assert(sizeof(*f) <= WIRE_FIXED_MAX, "scratch too small");
	__builtin_memset(f, 0, sizeof(*f));
	f->hdr.kind = kind;
	f->hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task_btf(&f->task, task);
	f->how = how;
	s->off = 0;
	return f;
}

static __always_inline void file_emit(struct scratch *s, struct wire_file *f)
{
	__u64 len = sizeof(*f) + (s->off & DATA_MASK);

	f->hdr.len = len;
	if (len > sizeof(s->bytes))
		return;
	emit_kind(f, len, f->hdr.kind);
}

static __always_inline __s64 ts_ns(__s64 sec, __s64 nsec)
{
	return sec * NSEC_PER_SEC + nsec;
}

/*
 * The birth time the filesystem keeps (statx's btime) for the four that
 * keep one in memory; 0 otherwise.  Generic inodes have no birth time.
 */
static __always_inline __s64 inode_birth_ns(struct inode *inode)
{
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
	struct timespec64 ts = {};

	if (magic == EXT4_SUPER_MAGIC) {
		struct ext4_inode_info *ei =
			(void *)inode -
			bpf_core_field_offset(struct ext4_inode_info,
					      vfs_inode);

		ts = BPF_CORE_READ(ei, i_crtime);
	} else if (magic == TMPFS_MAGIC) {
		struct shmem_inode_info *si =
			(void *)inode -
			bpf_core_field_offset(struct shmem_inode_info,
					      vfs_inode);

		ts = BPF_CORE_READ(si, i_crtime);
	} else if (magic == XFS_SUPER_MAGIC) {
		struct xfs_inode *xi =
			(void *)inode -
			bpf_core_field_offset(struct xfs_inode, i_vnode);

		ts = BPF_CORE_READ(xi, i_crtime);
	} else if (magic == BTRFS_SUPER_MAGIC) {
		struct btrfs_inode *bi =
			(void *)inode -
			bpf_core_field_offset(struct btrfs_inode, vfs_inode);

		ts.tv_sec = BPF_CORE_READ(bi, i_otime_sec);
		ts.tv_nsec = BPF_CORE_READ(bi, i_otime_nsec);
	}
	if (ts.tv_sec == 0 && ts.tv_nsec == 0)
		return 0;
	return ts_ns(ts.tv_sec, ts.tv_nsec);
}

static __always_inline __s64 inode_mtime_ns(struct inode *inode)
{
	return ts_ns(BPF_CORE_READ(inode, i_mtime_sec),
		     BPF_CORE_READ(inode, i_mtime_nsec));
}

static __always_inline void file_set_inode(struct wire_file *f,
					   struct inode *inode)
{
	f->ino = BPF_CORE_READ(inode, i_ino);
	f->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	f->mode = BPF_CORE_READ(inode, i_mode);
}

/* Whether this close drops the last reference to file. */
static __always_inline bool is_last_ref(struct file *file)
{
	if (bpf_core_field_exists(file->f_ref))
		return BPF_CORE_READ(file, f_ref.refcnt.counter) == 0;
	return BPF_CORE_READ((struct file___f_count *)file, f_count.counter) ==
	       1;
}

/* --- the path prefilter (wire.h, src/sensor/path_dfa.c) --- */

/*
 * The walk's pointers, on the stack for bpf_loop(); what changes from
 * byte to byte lives in the scratch (struct pf_state_walk), so the
 * verifier sees unknown scalars there and each callback converges in one
 * pass (see bpf/README.md, verifier notes) instead of a state per value.
 */
struct pf_walk {
	struct wire_pf_head *head;
	char *data; /* the record's data[] in the scratch */
	struct scratch *s;
};

/* One byte through the DFA; 1 stops a bpf_loop() (accepted or dead). */
static __always_inline long pf_step(struct pf_walk *w, unsigned char ch)
{
	struct pf_state_walk *pw = &w->s->pf;
	__u32 st = pw->state;
	struct wire_pf_state *row = bpf_map_lookup_elem(&pf_states, &st);

	if (!row)
		return 1;
	if (row->flags & (WIRE_PF_ACCEPT | WIRE_PF_DEAD)) {
		pw->done = row->flags;
		return 1;
	}
	pw->state = row->next[w->head->classes[ch] & (WIRE_PF_CLASSES - 1)];
	return 0;
}

/* Byte i of the string at pf.off, at most pf.len bytes. */
static long pf_string_byte(__u32 i, void *ctx)
{
	struct pf_walk *w = ctx;
	struct pf_state_walk *pw = &w->s->pf;
	unsigned char ch;

	if (i >= pw->len)
		return 1;
	ch = w->data[(pw->off + i) & DATA_MASK];
	if (!ch)
		return 1;
	return pf_step(w, ch);
}

/* Component i from the top of the last walk: "/" and its bytes. */
static long pf_component(__u32 i, void *ctx)
{
	struct pf_walk *w = ctx;
	struct scratch *s = w->s;
	__u32 n = s->ncomp;

	if (i >= n || i >= PATH_COMPS)
		return 1;
	if (pf_step(w, '/'))
		return 1;
	s->pf.off = s->comp[(n - 1 - i) & (PATH_COMPS - 1)];
	s->pf.len = WIRE_NAME_MAX;
	bpf_loop(WIRE_NAME_MAX, pf_string_byte, w, 0);
	return s->pf.done != 0;
}

/*
 * Whether a record for slot may go to user space: the prefilter's DFA
 * over the path the decoder will make of part p of the record whose
 * data[] is at s->bytes + data_off (wire_strdup(): the components of the
 * last walk root first, then a relative name as given; or a plain
 * string).  Counted in `filtered` when not.  Global, so the verifier
 * checks it apart from its callers (see path_walk_steps()); 1: pass,
 * 0: filtered.
 */
__noinline int file_pf_check(struct scratch *s, __u32 data_off, __u32 slot,
			     const struct wire_str *p)
{
	__u32 zero = 0, st, off, len, flags;
	struct wire_pf_head *head = bpf_map_lookup_elem(&pf_heads, &zero);
	struct wire_pf_state *row;
	struct pf_walk w;
	bool is_rel, is_rel_named;
	__u64 *n;

	if (!s || !p || !head || !head->is_set || slot >= WIRE_PF_SLOTS ||
	    data_off > WIRE_FIXED_MAX)
		return 1;
	off = p->off;
	len = p->len;
	flags = p->flags;
	is_rel = flags & WIRE_STR_REL;
	st = head->start[slot];
	if (st == WIRE_PF_OFF)
		return 1;
	/* Paths the decoder marks ("+" cut short, " (deleted)") are let
	 * through. */
	if ((flags & WIRE_STR_TRUNC) ||
	    ((flags & WIRE_STR_DELETED) && !is_rel) ||
	    ((flags & WIRE_STR_PATH) && s->ncomp > PATH_COMPS))
		return 1;
	w.head = head;
	w.data = s->bytes + data_off;
	w.s = s;
	s->pf.state = st;
	s->pf.done = 0;
	s->pf.off = off;
	s->pf.len = len;
	if (!(flags & WIRE_STR_PATH)) {
		bpf_loop(WIRE_PATH_MAX, pf_string_byte, &w, 0);
	} else {
		is_rel_named = is_rel && w.data[off & DATA_MASK];
		bpf_loop(PATH_COMPS, pf_component, &w, 0);
		s->pf.off = off;
		s->pf.len = len;
		if (!s->pf.done && is_rel_named && !pf_step(&w, '/'))
			bpf_loop(WIRE_PATH_MAX, pf_string_byte, &w, 0);
		/* The root alone is "/". */
		if (!s->pf.done && !s->ncomp && !is_rel_named)
			pf_step(&w, '/');
	}
	if (s->pf.done & WIRE_PF_ACCEPT)
		return 1;
	if (!(s->pf.done & WIRE_PF_DEAD)) {
		st = s->pf.state;
		row = bpf_map_lookup_elem(&pf_states, &st);
		if (!row || (row->flags & (WIRE_PF_ACCEPT | WIRE_PF_AT_END)))
			return 1;
	}
	n = bpf_map_lookup_elem(&filtered, &slot);
	if (n)
		*n += 1;
	return 0;
}

static __always_inline bool pf_pass(struct scratch *s, char *data,
				    unsigned slot, const struct wire_str *p)
{
	return file_pf_check(s, (__u32)((long)data - (long)s->bytes), slot, p);
}

static __always_inline unsigned pf_slot(__u32 kind)
{
	switch (kind) {
	case WIRE_FILE_CREATE:
		return WIRE_PF_CREATE;
	case WIRE_FILE_DELETE:
		return WIRE_PF_DELETE;
	case WIRE_FILE_TIME:
		return WIRE_PF_TIME;
	case WIRE_FILE_WRITTEN:
		return WIRE_PF_WRITTEN;
	case WIRE_PIPE_CREATE:
	case WIRE_PIPE_OPEN:
		return WIRE_PF_PIPE;
	case WIRE_RAW_READ:
		return WIRE_PF_RAW;
	}
	return WIRE_PF_SLOTS;
}

/* The record's path part is complete: check it and send it. */
static __always_inline void file_emit_path(struct scratch *s,
					   struct wire_file *f)
{
	if (pf_pass(s, f->data, pf_slot(f->hdr.kind), &f->path))
		file_emit(s, f);
}

/* --- opens: 11 (created or truncated), 9, 18, and 29's bookkeeping --- */

/* An opened file as one record: its resolved path and inode. */
static __always_inline void emit_opened(struct task_struct *task,
					struct file *file, struct inode *inode,
					__u32 kind, __u16 how, __u32 flags)
{
	struct scratch *s = get_scratch();
	struct wire_file *f;

	if (!s)
		return;
	f = file_begin(s, task, kind, how);
	file_set_inode(f, inode);
	f->flags = flags;
	if (kind == WIRE_FILE_CREATE && !(flags & WIRE_FILE_CREATED)) {
		f->birth_ns = inode_birth_ns(inode);
		if (f->birth_ns)
			f->flags |= WIRE_FILE_HAS_BIRTH;
	}
	put_path(s, f->data, &file->f_path, &f->path);
	file_emit_path(s, f);
}

/* Files opened to be (re)written, until their last close (event 29),
 * and the processes that have some open (for their exit). */
static __always_inline void note_written(struct task_struct *task,
					 struct file *file, struct inode *inode)
{
	__u64 key = (__u64)file;
	__u64 ino = BPF_CORE_READ(inode, i_ino);
	__u32 tgid = BPF_CORE_READ(task, tgid), one = 1;

	bpf_map_update_elem(&written_files, &key, &ino, BPF_ANY);
	bpf_map_update_elem(&writers, &tgid, &one, BPF_ANY);
}

/*
 * task_fd_file() for the hot path (every open of the machine): the table
 * by direct BTF loads and one probe read for the slot.  The file's own
 * fields are then probe reads: bpf_rdonly_cast() would make them plain
 * loads, but integrity.bpf.c declares it, and libbpf 1.1's linker cannot
 * join two objects that declare one kfunc.
 */
static __always_inline struct file *fd_file_fast(struct task_struct *task,
						 long fd)
{
	struct fdtable *fdt = task->files->fdt;
	struct file *f = NULL;

	if (fd < 0 || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f),
			      (void *)((__u64)fdt->fd + fd * sizeof(f)));
	return f;
}

static __always_inline int on_open_done(struct task_struct *task, long fd,
					__u64 oflags, __u16 how)
{
	struct file *file;
	struct inode *inode;
	__u32 fmode, created;
	__u16 mode;

	if (fd < 0)
		return 0;
	/* Most opens neither create nor truncate: unless a block device
	 * or a FIFO may be what was opened, nothing to look at. */
	if (!(oflags & (O_CREAT | O_TRUNC)) && !is_wanted(9) && !is_wanted(18))
		return 0;
	if (is_self(task))
		return 0;
	file = fd_file_fast(task, fd);
	if (!file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	mode = BPF_CORE_READ(inode, i_mode);
	fmode = BPF_CORE_READ(file, f_mode);
	switch (mode & S_IFMT) {
	case S_IFREG:
		/* O_TMPFILE has no name yet: linkat() gives it one. */
		if (oflags & __O_TMPFILE)
			return 0;
		created = fmode & FMODE_CREATED;
		if (!created && !((oflags & O_TRUNC) && (fmode & FMODE_WRITE)))
			return 0;
		if (is_wanted(29) && (fmode & FMODE_WRITE))
			note_written(task, file, inode);
		/* 23: held for ArchiveDirectory; 29: remembered for a
		 * later chmod.  The rules drop the event 11 itself. */
		if (is_wanted(11) || is_wanted(23) || is_wanted(29))
			emit_opened(task, file, inode, WIRE_FILE_CREATE, how,
				    created ? WIRE_FILE_CREATED
					    : WIRE_FILE_TRUNCATED);
		return 0;
	case S_IFBLK:
		if (is_wanted(9) && (fmode & FMODE_READ))
			emit_opened(task, file, inode, WIRE_RAW_READ, how, 0);
		return 0;
	case S_IFIFO:
		/* /proc/PID/fd/N of an anonymous pipe is no named pipe. */
		if (is_wanted(18) &&
		    BPF_CORE_READ(inode, i_sb, s_magic) != PIPEFS_MAGIC)
			emit_opened(task, file, inode, WIRE_PIPE_OPEN, how, 0);
		return 0;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int on_sys_exit_openat(struct syscall_trace_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ctx->ret < 0)
		return 0;
	return on_open_done(task, ctx->ret,
			    PT_REGS_PARM3_SYSCALL(user_regs(task)),
			    WIRE_HOW_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_open")
int on_sys_exit_open(struct syscall_trace_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ctx->ret < 0)
		return 0;
	return on_open_done(task, ctx->ret,
			    PT_REGS_PARM2_SYSCALL(user_regs(task)),
			    WIRE_HOW_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int on_sys_exit_creat(struct syscall_trace_exit *ctx)
{
	if (ctx->ret < 0)
		return 0;
	return on_open_done(bpf_get_current_task_btf(), ctx->ret,
			    O_CREAT | O_TRUNC | 1, WIRE_HOW_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int on_sys_exit_openat2(struct syscall_trace_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct open_how *uhow;
	__u64 oflags = 0;

	if (ctx->ret < 0)
		return 0;
	uhow = (void *)PT_REGS_PARM3_SYSCALL(user_regs(task));
	bpf_probe_read_user(&oflags, sizeof(oflags), &uhow->flags);
	return on_open_done(task, ctx->ret, oflags, WIRE_HOW_OPEN);
}

/* --- names: 11 (mknod, rename, link, symlink), 17, 23/26 --- */

/*
 * One record for a call that names files: (dfd, name) and, for rename and
 * link, the old (dfd2, name2).
 */
static __always_inline int emit_named(struct task_struct *task, __u32 kind,
				      __u16 how, long dfd, const char *name,
				      long dfd2, const char *name2)
{
	struct scratch *s;
	struct wire_file *f;

	if (is_self(task))
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	f = file_begin(s, task, kind, how);
	put_user_path_at(s, f->data, task, (int)dfd, name, &f->path);
	/* Checked before the old name's walk overwrites the offsets. */
	if (!pf_pass(s, f->data, pf_slot(kind), &f->path))
		return 0;
	if (name2)
		put_user_path_at(s, f->data, task, (int)dfd2, name2, &f->path2);
	file_emit(s, f);
	return 0;
}

static __always_inline int on_mknod_done(long ret, long dfd, const char *name,
					 __u32 mode)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ret < 0)
		return 0;
	if ((mode & S_IFMT) == S_IFIFO) {
		if (is_wanted(17))
			emit_named(task, WIRE_PIPE_CREATE, WIRE_HOW_MKNOD, dfd,
				   name, 0, NULL);
		return 0;
	}
	if ((mode & S_IFMT) != S_IFSOCK && is_wanted(11))
		emit_named(task, WIRE_FILE_CREATE, WIRE_HOW_MKNOD, dfd, name, 0,
			   NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mknodat")
int on_sys_exit_mknodat(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_mknod_done(ctx->ret, PT_REGS_PARM1_SYSCALL(regs),
			     (void *)PT_REGS_PARM2_SYSCALL(regs),
			     PT_REGS_PARM3_SYSCALL(regs));
}

SEC("tracepoint/syscalls/sys_exit_mknod")
int on_sys_exit_mknod(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_mknod_done(ctx->ret, AT_FDCWD,
			     (void *)PT_REGS_PARM1_SYSCALL(regs),
			     PT_REGS_PARM2_SYSCALL(regs));
}

static __always_inline int on_rename_done(long ret, long olddfd,
					  const char *oldname, long newdfd,
					  const char *newname, __u32 flags)
{
	/* An exchange swaps two names that both exist before and after. */
	if (ret < 0 || (flags & RENAME_EXCHANGE))
		return 0;
	return emit_named(bpf_get_current_task_btf(), WIRE_FILE_CREATE,
			  WIRE_HOW_RENAME, newdfd, newname, olddfd, oldname);
}

SEC("tracepoint/syscalls/sys_exit_renameat2")
int on_sys_exit_renameat2(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_rename_done(ctx->ret, PT_REGS_PARM1_SYSCALL(regs),
			      (void *)PT_REGS_PARM2_SYSCALL(regs),
			      PT_REGS_PARM3_SYSCALL(regs),
			      (void *)PT_REGS_PARM4_SYSCALL(regs),
			      PT_REGS_PARM5_SYSCALL(regs));
}

SEC("tracepoint/syscalls/sys_exit_renameat")
int on_sys_exit_renameat(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_rename_done(ctx->ret, PT_REGS_PARM1_SYSCALL(regs),
			      (void *)PT_REGS_PARM2_SYSCALL(regs),
			      PT_REGS_PARM3_SYSCALL(regs),
			      (void *)PT_REGS_PARM4_SYSCALL(regs), 0);
}

SEC("tracepoint/syscalls/sys_exit_rename")
int on_sys_exit_rename(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_rename_done(ctx->ret, AT_FDCWD,
			      (void *)PT_REGS_PARM1_SYSCALL(regs), AT_FDCWD,
			      (void *)PT_REGS_PARM2_SYSCALL(regs), 0);
}

static __always_inline int on_link_done(long ret, __u16 how, long olddfd,
					const char *oldname, long newdfd,
					const char *newname)
{
	if (ret < 0)
		return 0;
	return emit_named(bpf_get_current_task_btf(), WIRE_FILE_CREATE, how,
			  newdfd, newname, olddfd, oldname);
}

SEC("tracepoint/syscalls/sys_exit_linkat")
int on_sys_exit_linkat(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_link_done(ctx->ret, WIRE_HOW_LINK,
			    PT_REGS_PARM1_SYSCALL(regs),
			    (void *)PT_REGS_PARM2_SYSCALL(regs),
			    PT_REGS_PARM3_SYSCALL(regs),
			    (void *)PT_REGS_PARM4_SYSCALL(regs));
}

SEC("tracepoint/syscalls/sys_exit_link")
int on_sys_exit_link(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_link_done(ctx->ret, WIRE_HOW_LINK, AT_FDCWD,
			    (void *)PT_REGS_PARM1_SYSCALL(regs), AT_FDCWD,
			    (void *)PT_REGS_PARM2_SYSCALL(regs));
}

/* A symlink's target is text, not a name: only the new name is kept. */
SEC("tracepoint/syscalls/sys_exit_symlinkat")
int on_sys_exit_symlinkat(struct syscall_trace_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = user_regs(task);

	if (ctx->ret < 0)
		return 0;
	return emit_named(task, WIRE_FILE_CREATE, WIRE_HOW_SYMLINK,
			  PT_REGS_PARM2_SYSCALL(regs),
			  (void *)PT_REGS_PARM3_SYSCALL(regs), 0, NULL);
}

SEC("tracepoint/syscalls/sys_exit_symlink")
int on_sys_exit_symlink(struct syscall_trace_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ctx->ret < 0)
		return 0;
	return emit_named(task, WIRE_FILE_CREATE, WIRE_HOW_SYMLINK, AT_FDCWD,
			  (void *)PT_REGS_PARM2_SYSCALL(user_regs(task)), 0,
			  NULL);
}

static __always_inline int on_unlink_done(long ret, long dfd, const char *name,
					  __u16 how)
{
	if (ret < 0)
		return 0;
	return emit_named(bpf_get_current_task_btf(), WIRE_FILE_DELETE, how,
			  dfd, name, 0, NULL);
}

SEC("tracepoint/syscalls/sys_exit_unlinkat")
int on_sys_exit_unlinkat(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());
	__u32 flags = PT_REGS_PARM3_SYSCALL(regs);

	return on_unlink_done(ctx->ret, PT_REGS_PARM1_SYSCALL(regs),
			      (void *)PT_REGS_PARM2_SYSCALL(regs),
			      flags & AT_REMOVEDIR ? WIRE_HOW_RMDIR
						   : WIRE_HOW_UNLINK);
}

SEC("tracepoint/syscalls/sys_exit_unlink")
int on_sys_exit_unlink(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_unlink_done(ctx->ret, AT_FDCWD,
			      (void *)PT_REGS_PARM1_SYSCALL(regs),
			      WIRE_HOW_UNLINK);
}

SEC("tracepoint/syscalls/sys_exit_rmdir")
int on_sys_exit_rmdir(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_unlink_done(ctx->ret, AT_FDCWD,
			      (void *)PT_REGS_PARM1_SYSCALL(regs),
			      WIRE_HOW_RMDIR);
}

/* --- times: event 2 --- */

/*
 * The mtime a utimes-family call replaces, when the call names its file by
 * descriptor (futimens(), which touch uses): read at entry, keyed by
 * thread, taken at exit.  A call by name is resolved inside the syscall,
 * where no hook sees the inode: its previous time stays unknown.
 */
static __always_inline void times_enter(long fd, const char *name)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file;
	__u32 tid;
	__s64 prev;

	if (name || is_self(task))
		return;
	file = task_fd_file(task, (int)fd);
	if (!file)
		return;
	prev = inode_mtime_ns(BPF_CORE_READ(file, f_inode));
	tid = BPF_CORE_READ(task, pid);
	bpf_map_update_elem(&times_prev, &tid, &prev, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_utimensat")
int on_sys_enter_utimensat(struct syscall_trace_enter *ctx)
{
	if (is_wanted(2) && ctx->args[2])
		times_enter(ctx->args[0], (void *)ctx->args[1]);
	return 0;
}

/* mtime_ns: the time set, or 0 when the call sets "now" or leaves mtime. */
static __always_inline int times_exit(long ret, long dfd, const char *name,
				      __s64 mtime_ns)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tid = BPF_CORE_READ(task, pid);
	__s64 *prev = bpf_map_lookup_elem(&times_prev, &tid);
	__s64 prev_ns = prev ? *prev : 0;
	struct scratch *s;
	struct wire_file *f;

	if (prev)
		bpf_map_delete_elem(&times_prev, &tid);
	if (ret < 0 || !mtime_ns || is_self(task))
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	f = file_begin(s, task, WIRE_FILE_TIME, WIRE_HOW_UTIMES);
	f->birth_ns = mtime_ns;
	if (prev) {
		f->prev_ns = prev_ns;
		f->flags |= WIRE_FILE_HAS_PREV;
	}
	if (!name) {
		struct file *file = task_fd_file(task, (int)dfd);

		if (!file)
			return 0;
		file_set_inode(f, BPF_CORE_READ(file, f_inode));
		put_path(s, f->data, &file->f_path, &f->path);
	} else {
		put_user_path_at(s, f->data, task, (int)dfd, name, &f->path);
	}
	file_emit_path(s, f);
	return 0;
}

/* tv: user pointer to two timespecs (utimensat) or timevals (utimes). */
static __always_inline __s64 given_mtime(const void *tv, bool is_timeval)
{
	__s64 t[4] = {};

	if (!tv || bpf_probe_read_user(t, sizeof(t), tv))
		return 0;
	if (is_timeval)
		return ts_ns(t[2], t[3] * 1000);
	if (t[3] == UTIME_NOW || t[3] == UTIME_OMIT)
		return 0;
	return ts_ns(t[2], t[3]);
}

SEC("tracepoint/syscalls/sys_exit_utimensat")
int on_sys_exit_utimensat(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());
	const char *name = (void *)PT_REGS_PARM2_SYSCALL(regs);

	return times_exit(
		ctx->ret, PT_REGS_PARM1_SYSCALL(regs), name,
		given_mtime((void *)PT_REGS_PARM3_SYSCALL(regs), false));
}

SEC("tracepoint/syscalls/sys_exit_futimesat")
int on_sys_exit_futimesat(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return times_exit(
		ctx->ret, PT_REGS_PARM1_SYSCALL(regs),
		(void *)PT_REGS_PARM2_SYSCALL(regs),
		given_mtime((void *)PT_REGS_PARM3_SYSCALL(regs), true));
}

SEC("tracepoint/syscalls/sys_exit_utimes")
int on_sys_exit_utimes(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return times_exit(
		ctx->ret, AT_FDCWD, (void *)PT_REGS_PARM1_SYSCALL(regs),
		given_mtime((void *)PT_REGS_PARM2_SYSCALL(regs), true));
}

SEC("tracepoint/syscalls/sys_exit_utime")
int on_sys_exit_utime(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());
	const __s64 *ub = (void *)PT_REGS_PARM2_SYSCALL(regs);
	__s64 t[2] = {};

	/* struct utimbuf { actime; modtime; }, seconds. */
	if (ub && bpf_probe_read_user(t, sizeof(t), ub))
		t[1] = 0;
	return times_exit(ctx->ret, AT_FDCWD,
			  (void *)PT_REGS_PARM1_SYSCALL(regs),
			  ub ? ts_ns(t[1], 0) : 0);
}

/* --- executables written: event 29 --- */

/*
 * Whether the file's size and mode leave room for an executable: an ELF
 * header (WIRE_EXEC_HEAD bytes), or "#!" with an exec bit.  Most written
 * files are short data files; the daemon need not open those.
 */
static __always_inline bool may_be_executable(struct inode *inode)
{
	__s64 size = BPF_CORE_READ(inode, i_size);
	__u16 mode = BPF_CORE_READ(inode, i_mode);

	return size >= WIRE_EXEC_HEAD || (size >= 2 && (mode & 0111));
}

/*
 * fd of task is being closed (close(), or dup2() over it): when that is
 * the last reference to a file written since its open, the writer is
 * done with it.
 */
static __always_inline void written_closing(struct task_struct *task, long fd)
{
	struct file *file = task_fd_file(task, (int)fd);
	struct inode *inode;
	struct scratch *s;
	struct wire_file *f;
	__u64 key = (__u64)file, *ino;

	if (!file)
		return;
	ino = bpf_map_lookup_elem(&written_files, &key);
	if (!ino)
		return;
	inode = BPF_CORE_READ(file, f_inode);
	/* A struct file freed without a close we saw, now reused. */
	if (*ino != BPF_CORE_READ(inode, i_ino)) {
		bpf_map_delete_elem(&written_files, &key);
		return;
	}
	/* dup()ed or inherited: the writer is not done yet. */
	if (!is_last_ref(file))
		return;
	bpf_map_delete_elem(&written_files, &key);
	if (!may_be_executable(inode))
		return;
	s = get_scratch();
	if (!s)
		return;
	f = file_begin(s, task, WIRE_FILE_WRITTEN, WIRE_HOW_CLOSE);
	file_set_inode(f, inode);
	put_path(s, f->data, &file->f_path, &f->path);
	file_emit_path(s, f);
}

SEC("tracepoint/syscalls/sys_enter_close")
int on_sys_enter_close(struct syscall_trace_enter *ctx)
{
	written_closing(bpf_get_current_task_btf(), (long)ctx->args[0]);
	return 0;
}

/* Shells restore a redirected descriptor with dup2(): that closes the
 * file that was there. */
SEC("tracepoint/syscalls/sys_enter_dup2")
int on_sys_enter_dup2(struct syscall_trace_enter *ctx)
{
	if (ctx->args[0] != ctx->args[1])
		written_closing(bpf_get_current_task_btf(), (long)ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_dup3")
int on_sys_enter_dup3(struct syscall_trace_enter *ctx)
{
	written_closing(bpf_get_current_task_btf(), (long)ctx->args[1]);
	return 0;
}

/* Descriptors of an exiting process looked at (see sched_process_exit
 * below): enough for a shell redirection and then some. */
#define EXIT_FDS_MAX 64

/*
 * A process that exits with a written file open closes it there (`cmd >
 * file` leaves the file on the command's stdout until it exits).  Only
 * processes note_written() saw get their low descriptors looked at.
 * The descriptor table is still in place at this tracepoint.
 */
static long exit_fd(__u32 fd, void *ctx)
{
	written_closing(*(struct task_struct **)ctx, fd);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_sched_process_exit_files, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (!bpf_map_lookup_elem(&writers, &tgid))
		return 0;
	bpf_map_delete_elem(&writers, &tgid);
	bpf_loop(EXIT_FDS_MAX, exit_fd, &p, 0);
	return 0;
}

static __always_inline int on_chmod_done(long ret, long dfd, const char *name,
					 __u32 mode)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (ret < 0 || !(mode & 0111))
		return 0;
	if (name)
		return emit_named(task, WIRE_FILE_WRITTEN, WIRE_HOW_CHMOD, dfd,
				  name, 0, NULL);
	if (!is_self(task)) {
		struct file *file = task_fd_file(task, (int)dfd);
		struct scratch *s = get_scratch();
		struct wire_file *f;

		if (!file || !s)
			return 0;
		f = file_begin(s, task, WIRE_FILE_WRITTEN, WIRE_HOW_CHMOD);
		file_set_inode(f, BPF_CORE_READ(file, f_inode));
		put_path(s, f->data, &file->f_path, &f->path);
		file_emit_path(s, f);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_fchmodat")
int on_sys_exit_fchmodat(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_chmod_done(ctx->ret, PT_REGS_PARM1_SYSCALL(regs),
			     (void *)PT_REGS_PARM2_SYSCALL(regs),
			     PT_REGS_PARM3_SYSCALL(regs));
}

SEC("tracepoint/syscalls/sys_exit_fchmodat2")
int on_sys_exit_fchmodat2(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_chmod_done(ctx->ret, PT_REGS_PARM1_SYSCALL(regs),
			     (void *)PT_REGS_PARM2_SYSCALL(regs),
			     PT_REGS_PARM3_SYSCALL(regs));
}

SEC("tracepoint/syscalls/sys_exit_chmod")
int on_sys_exit_chmod(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_chmod_done(ctx->ret, AT_FDCWD,
			     (void *)PT_REGS_PARM1_SYSCALL(regs),
			     PT_REGS_PARM2_SYSCALL(regs));
}

SEC("tracepoint/syscalls/sys_exit_fchmod")
int on_sys_exit_fchmod(struct syscall_trace_exit *ctx)
{
	struct pt_regs *regs = user_regs(bpf_get_current_task_btf());

	return on_chmod_done(ctx->ret, PT_REGS_PARM1_SYSCALL(regs), NULL,
			     PT_REGS_PARM2_SYSCALL(regs));
}

/* --- io_uring --- */

/*
 * io_uring runs file operations in the kernel without the syscalls above.
 * Opens are logged from their completion: the new descriptor is in the
 * submitter's table (io-wq workers share it), so they go through the same
 * checks as open(2).  Renames, unlinks and links complete without
 * anything that names their result, and an open into a fixed-file slot or
 * with its completion skipped leaves no descriptor: those are reported as
 * blind spots (event 255 naming the process and the path), not dropped.
 */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(on_io_uring_complete, struct io_ring_ctx *ring, void *req,
	     struct io_uring_cqe *cqe)
{
	struct io_kiocb *r = req;
	struct io_open *op = req;
	__u8 opcode = BPF_CORE_READ(r, opcode);
	__s32 res = BPF_CORE_READ(cqe, res);

	if (opcode != IORING_OP_OPENAT && opcode != IORING_OP_OPENAT2)
		return 0;
	if (res < 0 || BPF_CORE_READ(op, file_slot))
		return 0;
	return on_open_done(bpf_get_current_task_btf(), res,
			    BPF_CORE_READ(op, how.flags), WIRE_HOW_URING_OPEN);
}

/* put_user_path_at() for a name the kernel holds (io_uring's copy). */
static __always_inline void put_kernel_path_at(struct scratch *s, char *data,
					       struct task_struct *task,
					       int dirfd, const char *kpath,
					       struct wire_str *out)
{
	const struct path *dir;
	char *p;
	long r;

	if (!part_begin(s, out, 0))
		return;
	p = &data[s->off & DATA_MASK];
	r = bpf_probe_read_kernel_str(p, WIRE_PATH_MAX, kpath);
	if (r <= 0)
		return;
	s->off += r;
	if (p[0] == '/') {
		out->len = r - 1;
		return;
	}
	out->flags |= WIRE_STR_REL;
	if (dirfd == AT_FDCWD) {
		dir = &task->fs->pwd;
	} else {
		struct file *f = task_fd_file(task, dirfd);

		if (!f)
			return;
		dir = &f->f_path;
	}
	walk_dentry(s, data, BPF_CORE_READ(dir, dentry),
		    BPF_CORE_READ(dir, mnt), out);
}

static __always_inline int uring_blind(struct task_struct *task, __u8 opcode,
				       long dfd, struct filename *name)
{
	struct scratch *s = get_scratch();
	struct wire_file *f;

	if (!s)
		return 0;
	f = file_begin(s, task, WIRE_URING_BLIND, 0);
	f->op = opcode;
	if (name)
		put_kernel_path_at(s, f->data, task, (int)dfd,
				   BPF_CORE_READ(name, name), &f->path);
	file_emit(s, f);
	return 0;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(on_io_uring_submit_req, struct io_kiocb *req)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u8 opcode = BPF_CORE_READ(req, opcode);

	if (is_self(task))
		return 0;
	switch (opcode) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2: {
		struct io_open *op = (void *)req;

		if (!BPF_CORE_READ(op, file_slot) &&
		    !(BPF_CORE_READ(req, flags) & REQ_F_CQE_SKIP))
			return 0; /* seen at completion */
		if (!(BPF_CORE_READ(op, how.flags) & (O_CREAT | O_TRUNC)))
			return 0;
		return uring_blind(task, opcode, BPF_CORE_READ(op, dfd),
				   BPF_CORE_READ(op, filename));
	}
	case IORING_OP_UNLINKAT: {
		struct io_unlink *op = (void *)req;

		return uring_blind(task, opcode, BPF_CORE_READ(op, dfd),
				   BPF_CORE_READ(op, filename));
	}
	case IORING_OP_RENAMEAT: {
		struct io_rename *op = (void *)req;

		return uring_blind(task, opcode, BPF_CORE_READ(op, new_dfd),
				   BPF_CORE_READ(op, newpath));
	}
	case IORING_OP_LINKAT:
	case IORING_OP_SYMLINKAT: {
		struct io_link *op = (void *)req;

		return uring_blind(task, opcode, BPF_CORE_READ(op, new_dfd),
				   BPF_CORE_READ(op, newpath));
	}
	}
	return 0;
}
