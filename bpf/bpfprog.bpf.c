// SPDX-License-Identifier: GPL-2.0
/*
 * bpfprog.bpf.c - BPF programs loaded or attached by other processes
 * (event 100, as Sysmon for Linux has it).
 *
 * bpf() is hooked by its own enter and exit tracepoints, so no other
 * syscall pays.  Entry keeps the command (and the program fd an attach
 * names); exit reports the calls that succeeded, reading type, name and
 * the kernel's program id from the struct bpf_prog the fd holds.  vigil's
 * own calls are skipped at entry.
 */
#include "path.bpf.h"

struct bpf_call {
	__u32 cmd;
	__s32 prog_fd; /* PROG_ATTACH, LINK_CREATE: the program's fd */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct bpf_call);
} bpf_calls SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_bpf")
int on_sys_enter_bpf(struct trace_event_raw_sys_enter *ctx)
{
	struct bpf_call c = { .cmd = (__u32)ctx->args[0], .prog_fd = -1 };
	void *attr = (void *)ctx->args[1];
	__u64 key = bpf_get_current_pid_tgid();

	/* union bpf_attr is UAPI: attach_bpf_fd is the second __u32 of
	 * BPF_PROG_ATTACH's struct, prog_fd the first of link_create's. */
	switch (c.cmd) {
	case BPF_PROG_LOAD:
		break;
	case BPF_PROG_ATTACH:
		if (bpf_probe_read_user(&c.prog_fd, sizeof(c.prog_fd),
					attr + 4))
			return 0;
		break;
	case BPF_LINK_CREATE:
		if (bpf_probe_read_user(&c.prog_fd, sizeof(c.prog_fd), attr))
			return 0;
		break;
	default:
		return 0;
	}
	if (cfg_self_tgid && key >> 32 == cfg_self_tgid)
		return 0;
	bpf_map_update_elem(&bpf_calls, &key, &c, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bpf")
int on_sys_exit_bpf(struct trace_event_raw_sys_exit *ctx)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct bpf_call *kept = bpf_map_lookup_elem(&bpf_calls, &key);
	struct task_struct *cur;
	struct wire_bpf r = {};
	struct bpf_prog *prog;
	struct bpf_prog_aux *aux;
	struct file *file;
	struct bpf_call c;
	long fd;

	if (!kept)
		return 0;
	c = *kept;
	bpf_map_delete_elem(&bpf_calls, &key);
	if (ctx->ret < 0)
		return 0;
	cur = bpf_get_current_task_btf();
	fd = c.cmd == BPF_PROG_LOAD ? ctx->ret : c.prog_fd;
	file = task_fd_file(cur, (int)fd);
	if (!file)
		return 0;
	prog = BPF_CORE_READ(file, private_data);
	r.hdr.kind = WIRE_BPF;
	r.hdr.len = sizeof(r);
	r.hdr.ts_ns = bpf_ktime_get_boot_ns();
	fill_task(&r.task, cur);
	r.cmd = c.cmd;
	aux = BPF_CORE_READ(prog, aux);
	r.prog_type = BPF_CORE_READ(prog, type);
	r.prog_id = BPF_CORE_READ(aux, id);
	bpf_probe_read_kernel_str(r.prog_name, sizeof(r.prog_name), &aux->name);
	emit(&r, sizeof(r));
	return 0;
}
