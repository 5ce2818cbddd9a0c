// SPDX-License-Identifier: GPL-2.0
/*
 * imageload.bpf.c - shared objects and other files mapped executable
 * (event 7): what the dynamic loader does for each library of a program
 * and what dlopen() does later.
 *
 * The mmap() entry tracepoint, so only mmap() pays, and the first test
 * (PROT_EXEC with a file) lets anonymous and data mappings go at once.
 * Files the config drops whatever process maps them are in image_skips,
 * put there by the daemon after the first such drop: their later loads
 * cost a map lookup, no path walk and no record.  The program and its ELF
 * interpreter, which the kernel maps itself at exec, are event 1's.
 */
#include "path.bpf.h"
#include "inode.bpf.h"
#include "task.bpf.h"

#define PROT_EXEC     0x4
#define MAP_ANONYMOUS 0x20

struct image_skips_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct wire_file_key);
	__type(value, __u8);
} image_skips SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_mmap")
int on_sys_enter_mmap(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *cur;
	struct wire_image_load *e;
	struct wire_file_key key;
	struct scratch *s;
	struct inode *inode;
	struct file *file;
	__u32 len;

	_Static_assert(sizeof(*e) <= WIRE_FIXED_MAX, "scratch too small");
	if (!(ctx->args[2] & PROT_EXEC) || (ctx->args[3] & MAP_ANONYMOUS) ||
	    (int)ctx->args[4] < 0)
		return 0;
	cur = bpf_get_current_task_btf();
	if (is_self(cur))
		return 0;
	file = task_fd_file(cur, (int)ctx->args[4]);
	if (!file)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ctime_sec = BPF_CORE_READ(inode, i_ctime_sec);
	key.ctime_nsec =
		BPF_CORE_READ(inode, i_ctime_nsec) & ~CTIME_QUERIED_BIT;
	if (bpf_map_lookup_elem(&image_skips, &key))
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	e = (struct wire_image_load *)s->bytes;
	e->hdr.kind = WIRE_IMAGE_LOAD;
	e->hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&e->task, cur);
	fill_inode(&e->file, inode);
	s->off = 0;
	put_path(s, e->data, &file->f_path, &e->image);
	len = sizeof(*e) + (s->off & DATA_MASK);
	e->hdr.len = len;
	if (len > sizeof(s->bytes))
		return 0;
	emit(e, len);
	return 0;
}
