/* SPDX-License-Identifier: MIT */
/*
 * sensor/integrity.c - the process-integrity family (bpf/integrity.bpf.c):
 * event 10 ProcessAccess, event 8 CreateRemoteThread's Linux analogue and
 * event 25 ProcessTampering.  man/vigil.8 gives the Linux meaning of each.
 */
#include <errno.h>
#include <stdlib.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "family.h"

/* Windows process access rights, as GrantedAccess shows them. */
#define PROCESS_VM_OPERATION 0x0008u
#define PROCESS_VM_READ	     0x0010u
#define PROCESS_VM_WRITE     0x0020u
#define PROCESS_ALL_ACCESS   0x1fffffu

/*
 * What a call amounts to in Windows rights, so rules written for Sysmon
 * read the same: a tracer controls the process entirely; reading memory
 * is VM_READ; writing it needs VM_WRITE and VM_OPERATION, as
 * WriteProcessMemory() does.
 */
static uint32_t granted_access(const struct wire_access *a)
{
	uint32_t v = 0;

	switch (a->op) {
	case WIRE_OP_PTRACE_ATTACH:
	case WIRE_OP_PTRACE_SEIZE:
		return PROCESS_ALL_ACCESS;
	case WIRE_OP_VM_READ:
		return PROCESS_VM_READ;
	case WIRE_OP_VM_WRITE:
		return PROCESS_VM_WRITE | PROCESS_VM_OPERATION;
	case WIRE_OP_MEM_OPEN:
		if (a->mode & WIRE_MODE_READ)
			v |= PROCESS_VM_READ;
		if (a->mode & WIRE_MODE_WRITE)
			v |= PROCESS_VM_WRITE | PROCESS_VM_OPERATION;
		return v;
	default:
		return 0;
	}
}

static bool is_known_op(uint32_t op)
{
	return op >= WIRE_OP_PTRACE_ATTACH && op <= WIRE_OP_PTRACE_SETREGS;
}

static int decode_access(struct decoder *d, const void *rec, size_t len,
			 struct event *ev)
{
	static const struct proc_fields source = {
		.guid = EV10_SOURCE_PROCESS_GUID,
		.pid = EV10_SOURCE_PROCESS_ID,
		.image = EV10_SOURCE_IMAGE,
		.cmdline = -1,
	};
	static const struct proc_fields target = {
		.guid = EV10_TARGET_PROCESS_GUID,
		.pid = EV10_TARGET_PROCESS_ID,
		.image = EV10_TARGET_IMAGE,
		.cmdline = -1,
	};
	const struct wire_access *a = rec;
	int r;

	(void)len;
	if (!is_known_op(a->op))
		return -EINVAL;
	if ((r = event_init(ev, 10)) < 0)
		return r;
	event_set_time(ev, decode_utc(d, a->hdr.ts_ns));
	decode_subject(d, &a->task, ev, &source, EV10_SOURCE_USER);
	decode_subject(d, &a->target, ev, &target, EV10_TARGET_USER);
	event_setf(ev, EV10_SOURCE_THREAD_ID, "%u", a->task.pid);
	event_setf(ev, EV10_GRANTED_ACCESS, "0x%x", granted_access(a));
	return 1;
}

static int decode_inject(struct decoder *d, const void *rec, size_t len,
			 struct event *ev)
{
	static const struct proc_fields source = {
		.guid = EV8_SOURCE_PROCESS_GUID,
		.pid = EV8_SOURCE_PROCESS_ID,
		.image = EV8_SOURCE_IMAGE,
		.cmdline = -1,
	};
	static const struct proc_fields target = {
		.guid = EV8_TARGET_PROCESS_GUID,
		.pid = EV8_TARGET_PROCESS_ID,
		.image = EV8_TARGET_IMAGE,
		.cmdline = -1,
	};
	const struct wire_access *a = rec;
	struct decode_want *w;
	int r;

	(void)len;
	if (!is_known_op(a->op))
		return -EINVAL;
	if ((r = event_init(ev, 8)) < 0)
		return r;
	event_set_time(ev, decode_utc(d, a->hdr.ts_ns));
	decode_subject(d, &a->task, ev, &source, EV8_SOURCE_USER);
	decode_subject(d, &a->target, ev, &target, EV8_TARGET_USER);
	event_setf(ev, EV8_NEW_THREAD_ID, "%u", a->target_tid);
	/* Sysmon prints the address as 0x%p: 16 upper-case digits. */
	if (!a->has_addr)
		return 1;
	event_setf(ev, EV8_START_ADDRESS, "0x%016llX",
		   (unsigned long long)a->addr);
	w = decode_want(d, WANT_MODULE_AT, EV8_START_MODULE);
	if (w) {
		w->at.tgid = a->target.tgid;
		w->at.start_ns = a->target.start_ns;
		w->at.addr = a->addr;
	}
	return 1;
}

/* Type values: Sysmon's phrase where the meaning carries over. */
static const char *tamper_type(uint32_t kind)
{
	switch (kind) {
	case WIRE_TAMPER_MEMFD:
		return "Image is fileless (memfd)";
	case WIRE_TAMPER_DELETED:
		return "Image is deleted";
	case WIRE_TAMPER_WRITTEN:
		return "Image is replaced";
	default:
		return NULL;
	}
}

static int decode_tamper(struct decoder *d, const void *rec, size_t len,
			 struct event *ev)
{
	/* An exec: the file it ran is the image, whatever the table has. */
	static const struct proc_fields exec = {
		.guid = EV25_PROCESS_GUID,
		.pid = EV25_PROCESS_ID,
		.image = -1,
		.cmdline = -1,
	};
	static const struct proc_fields written = {
		.guid = EV25_PROCESS_GUID,
		.pid = EV25_PROCESS_ID,
		.image = EV25_IMAGE,
		.cmdline = -1,
	};
	const struct wire_tamper *t = rec;
	bool is_exec = t->kind != WIRE_TAMPER_WRITTEN;
	const char *type = tamper_type(t->kind);
	const char *p;
	size_t n;
	int r;

	if (!type ||
	    wire_read(t->data, len - sizeof(*t), &t->image, &p, &n) < 0)
		return -EINVAL;
	if ((r = event_init(ev, 25)) < 0)
		return r;
	/* Before any enrichment request: a refused record asks for none. */
	if (is_exec && (r = wire_set_field(ev, EV25_IMAGE, t->data,
					   len - sizeof(*t), &t->image)) < 0) {
		event_release(ev);
		return r;
	}
	event_set_time(ev, decode_utc(d, t->hdr.ts_ns));
	decode_subject(d, &t->task, ev, is_exec ? &exec : &written, EV25_USER);
	event_set_str(ev, EV25_TYPE, type);
	return 1;
}

const struct sensor_family sensor_family_integrity = {
	.name = "integrity",
	.event_ids = { 8, 10, 25 },
	.programs = {
		"on_sys_enter_ptrace",
		"on_sys_exit_ptrace",
		"on_sys_enter_process_vm_readv",
		"on_sys_exit_process_vm_readv",
		"on_sys_enter_process_vm_writev",
		"on_sys_exit_process_vm_writev",
		"on_sys_exit_openat_integrity",
		"on_sys_exit_openat2_integrity",
		"on_sys_exit_open_integrity",
		"on_sched_process_exec_tamper",
		NULL,
	},
	.records = {
		{ WIRE_ACCESS, sizeof(struct wire_access), false,
		  decode_access },
		{ WIRE_INJECT, sizeof(struct wire_access), false,
		  decode_inject },
		{ WIRE_TAMPER, sizeof(struct wire_tamper), true,
		  decode_tamper },
	},
};
