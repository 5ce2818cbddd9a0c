// SPDX-License-Identifier: GPL-2.0
/*
 * module.bpf.c - kernel modules loaded (event 6): init_module() from
 * memory, finit_module() from a file.
 *
 * Entry keeps the arguments, exit reports a load that succeeded: the file
 * finit_module() read (its path and inode, for hashes and the signature),
 * or for init_module() the image's last bytes, which hold its signature.
 * On a kernel without loadable-module support these syscalls and their
 * tracepoints do not exist: the programs load but cannot attach, and the
 * loader says so (sensor_lacks()).
 */
#include "path.bpf.h"
#include "inode.bpf.h"
#include "task.bpf.h"

struct module_call {
	__u32 call; /* enum wire_module_call */
	__s32 fd; /* finit_module() */
	__u64 image; /* init_module(): user address of the image */
	__u64 len; /* and its length */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, struct module_call);
} module_calls SEC(".maps");

static __always_inline void keep(struct module_call *c)
{
	__u64 key = bpf_get_current_pid_tgid();

	bpf_map_update_elem(&module_calls, &key, c, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_init_module")
int on_sys_enter_init_module(struct trace_event_raw_sys_enter *ctx)
{
	struct module_call c = {
		.call = WIRE_MODULE_INIT,
		.fd = -1,
		.image = ctx->args[0],
		.len = ctx->args[1],
	};

	keep(&c);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_finit_module")
int on_sys_enter_finit_module(struct trace_event_raw_sys_enter *ctx)
{
	struct module_call c = {
		.call = WIRE_MODULE_FINIT,
		.fd = (__s32)ctx->args[0],
	};

	keep(&c);
	return 0;
}

static __always_inline void module_exit(long ret)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct module_call *kept = bpf_map_lookup_elem(&module_calls, &key);
	struct task_struct *cur;
	struct wire_module *m;
	struct module_call c;
	struct scratch *s;
	struct file *file;
	__u64 n;
	__u32 len;

	if (!kept)
		return;
	c = *kept;
	bpf_map_delete_elem(&module_calls, &key);
	if (ret != 0)
		return;
	s = get_scratch();
	if (!s)
		return;
	cur = bpf_get_current_task_btf();
	m = (struct wire_module *)s->bytes;
	m->hdr.kind = WIRE_MODULE;
	m->hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&m->task, cur);
	m->call = c.call;
	m->pad = 0;
	__builtin_memset(&m->file, 0, sizeof(m->file));
	__builtin_memset(&m->image, 0, sizeof(m->image));
	__builtin_memset(&m->tail, 0, sizeof(m->tail));
	s->off = 0;
	if (c.call == WIRE_MODULE_FINIT) {
		file = task_fd_file(cur, c.fd);
		if (file) {
			fill_inode(&m->file, BPF_CORE_READ(file, f_inode));
			put_path(s, m->data, &file->f_path, &m->image);
		}
	} else {
		n = c.len < WIRE_MODULE_TAIL_MAX ? c.len : WIRE_MODULE_TAIL_MAX;
		if (bpf_probe_read_user(m->data, n & (WIRE_MODULE_TAIL_MAX - 1),
					(void *)(c.image + c.len - n)) == 0) {
			m->tail.len = n;
			s->off = n;
		}
	}
	len = sizeof(*m) + (s->off & DATA_MASK);
	m->hdr.len = len;
	if (len > sizeof(s->bytes))
		return;
	emit(m, len);
}

SEC("tracepoint/syscalls/sys_exit_init_module")
int on_sys_exit_init_module(struct trace_event_raw_sys_exit *ctx)
{
	module_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_finit_module")
int on_sys_exit_finit_module(struct trace_event_raw_sys_exit *ctx)
{
	module_exit(ctx->ret);
	return 0;
}
