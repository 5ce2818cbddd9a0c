/* SPDX-License-Identifier: MIT */
/*
 * sensor/bpfprog.c - the BPF family (bpf/bpfprog.bpf.c): event 100
 * eBPFEvent, a program loaded or attached by another process, with Sysmon
 * for Linux's fields and names.
 */
#include <errno.h>
#include <string.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "family.h"

/* enum bpf_cmd values this family reports. */
#define BPF_PROG_LOAD	5
#define BPF_PROG_ATTACH 8
#define BPF_LINK_CREATE 28

/* enum bpf_prog_type without its BPF_PROG_TYPE_ prefix, as Sysmon for
 * Linux prints it; newer types than this kernel ABI table are UNKNOWN. */
static const char *const prog_types[] = {
	"UNSPEC",
	"SOCKET_FILTER",
	"KPROBE",
	"SCHED_CLS",
	"SCHED_ACT",
	"TRACEPOINT",
	"XDP",
	"PERF_EVENT",
	"CGROUP_SKB",
	"CGROUP_SOCK",
	"LWT_IN",
	"LWT_OUT",
	"LWT_XMIT",
	"SOCK_OPS",
	"SK_SKB",
	"CGROUP_DEVICE",
	"SK_MSG",
	"RAW_TRACEPOINT",
	"CGROUP_SOCK_ADDR",
	"LWT_SEG6LOCAL",
	"LIRC_MODE2",
	"SK_REUSEPORT",
	"FLOW_DISSECTOR",
	"CGROUP_SYSCTL",
	"RAW_TRACEPOINT_WRITABLE",
	"CGROUP_SOCKOPT",
	"TRACING",
	"STRUCT_OPS",
	"EXT",
	"LSM",
	"SK_LOOKUP",
	"SYSCALL",
	"NETFILTER",
};

static const char *cmd_name(uint32_t cmd)
{
	switch (cmd) {
	case BPF_PROG_LOAD:
		return "BPF_PROG_LOAD";
	case BPF_PROG_ATTACH:
		return "BPF_PROG_ATTACH";
	case BPF_LINK_CREATE:
		return "BPF_LINK_CREATE";
	default:
		return NULL;
	}
}

static int decode_bpf(struct decoder *d, const void *rec, size_t len,
		      struct event *ev)
{
	static const struct proc_fields f = {
		.guid = EV100_PROCESS_GUID,
		.pid = EV100_PROCESS_ID,
		.image = EV100_IMAGE,
		.cmdline = -1,
	};
	const struct wire_bpf *b = rec;
	const char *cmd = cmd_name(b->cmd);
	size_t n = strnlen(b->prog_name, sizeof(b->prog_name));
	int r;

	(void)len;
	if (!cmd)
		return -EINVAL;
	if ((r = event_init(ev, 100)) < 0)
		return r;
	event_set_time(ev, decode_utc(d, b->hdr.ts_ns));
	decode_subject(d, &b->task, ev, &f, EV100_USER);
	event_set_str(ev, EV100_BPF_COMMAND, cmd);
	event_set_str(ev, EV100_BPF_PROGRAM_TYPE,
		      b->prog_type < sizeof(prog_types) / sizeof(prog_types[0])
			      ? prog_types[b->prog_type]
			      : "UNKNOWN");
	event_setf(ev, EV100_BPF_PROGRAM_ID, "%u", b->prog_id);
	if (n)
		event_set(ev, EV100_BPF_PROGRAM_NAME, b->prog_name, n);
	return 1;
}

const struct sensor_family sensor_family_bpf = {
	.name = "bpf",
	.event_ids = { 100 },
	.programs = { "on_sys_enter_bpf", "on_sys_exit_bpf", NULL },
	.records = {
		{ WIRE_BPF, sizeof(struct wire_bpf), false, decode_bpf },
	},
};
