/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the decoders of the process-integrity records, without
 * root: records built by hand as the BPF programs lay them out become
 * events 10, 8, 25, 100, 7 and 6 with the values man/vigil.8 documents
 * (GrantedAccess, StartAddress, Type, BpfProgramType, the signature
 * fields), ask enrichment for what needs I/O, and malformed ones are
 * refused.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "proc/proc.h"
#include "sensor/sensor.h"
#include "tap.h"

static char data_dir[PATH_MAX];

static struct wire_task task(uint32_t tgid, uint32_t uid, uint64_t start_s)
{
	struct wire_task t = { .pid = tgid + 1, .tgid = tgid, .ppid = 1 };

	t.uid = t.euid = uid;
	t.start_ns = start_s * 1000000000ull;
	t.end_code = 0x4000;
	t.loginuid = t.sessionid = UINT32_MAX;
	return t;
}

static const struct decode_want *want(const struct decoder *d,
				      enum decode_want_kind kind, int field)
{
	for (unsigned i = 0; i < d->nwants; i++)
		if (d->wants[i].kind == kind && d->wants[i].field == field)
			return &d->wants[i];
	return NULL;
}

static struct wire_access access_rec(uint32_t kind, uint32_t op)
{
	struct wire_access a;

	memset(&a, 0, sizeof(a));
	a.hdr.kind = kind;
	a.hdr.len = sizeof(a);
	a.hdr.ts_ns = 1000000000ull;
	a.task = task(100, 0, 10);
	a.target = task(200, 1000, 20);
	a.op = op;
	a.target_tid = 201;
	return a;
}

static void test_access(struct decoder *d)
{
	struct wire_access a = access_rec(WIRE_ACCESS, WIRE_OP_PTRACE_ATTACH);
	struct event ev;

	CHECK(decode_record(d, &a, sizeof(a), &ev) == 1);
	CHECK(ev.def->id == 10);
	CHECK_STR(event_named(&ev, "SourceImage"), "/usr/bin/gdb");
	CHECK_STR(event_named(&ev, "SourceProcessId"), "100");
	CHECK_STR(event_named(&ev, "SourceThreadId"), "101");
	CHECK_STR(event_named(&ev, "TargetProcessId"), "200");
	CHECK_STR(event_named(&ev, "GrantedAccess"), "0x1fffff");
	CHECK_STR(event_named(&ev, "CallTrace"), "-");
	CHECK(strlen(event_named(&ev, "SourceProcessGUID")) == PROC_GUID_LEN);
	CHECK(strlen(event_named(&ev, "TargetProcessGUID")) == PROC_GUID_LEN);
	CHECK(strcmp(event_named(&ev, "SourceProcessGUID"),
		     event_named(&ev, "TargetProcessGUID")) != 0);
	CHECK(want(d, WANT_USER, EV10_SOURCE_USER)->uid == 0);
	CHECK(want(d, WANT_USER, EV10_TARGET_USER)->uid == 1000);
	/* the target is not in the table: /proc is asked */
	CHECK(want(d, WANT_PROC, EV10_TARGET_IMAGE) != NULL);
	CHECK(want(d, WANT_PROC, EV10_TARGET_IMAGE)->proc.tgid == 200);
	event_release(&ev);

	a.op = WIRE_OP_VM_READ;
	CHECK(decode_record(d, &a, sizeof(a), &ev) == 1);
	CHECK_STR(event_named(&ev, "GrantedAccess"), "0x10");
	event_release(&ev);
	a.op = WIRE_OP_VM_WRITE;
	CHECK(decode_record(d, &a, sizeof(a), &ev) == 1);
	CHECK_STR(event_named(&ev, "GrantedAccess"), "0x28");
	event_release(&ev);
	a.op = WIRE_OP_MEM_OPEN;
	a.mode = WIRE_MODE_READ | WIRE_MODE_WRITE;
	CHECK(decode_record(d, &a, sizeof(a), &ev) == 1);
	CHECK_STR(event_named(&ev, "GrantedAccess"), "0x38");
	event_release(&ev);
	a.mode = WIRE_MODE_READ;
	CHECK(decode_record(d, &a, sizeof(a), &ev) == 1);
	CHECK_STR(event_named(&ev, "GrantedAccess"), "0x10");
	event_release(&ev);

	a.op = 99;
	CHECK(decode_record(d, &a, sizeof(a), &ev) == -EINVAL);
	CHECK(decode_record(d, &a, sizeof(a) - 1, &ev) == -EINVAL);
}

static void test_inject(struct decoder *d)
{
	struct wire_access a = access_rec(WIRE_INJECT, WIRE_OP_PTRACE_POKE);
	struct event ev;

	a.has_addr = 1;
	a.addr = 0x7ffb8e09b880ull;
	CHECK(decode_record(d, &a, sizeof(a), &ev) == 1);
	CHECK(ev.def->id == 8);
	CHECK_STR(event_named(&ev, "SourceProcessGuid") ? "set" : NULL, "set");
	CHECK_STR(event_named(&ev, "NewThreadId"), "201");
	CHECK_STR(event_named(&ev, "StartAddress"), "0x00007FFB8E09B880");
	CHECK_STR(event_named(&ev, "StartModule"), "-");
	CHECK_STR(event_named(&ev, "StartFunction"), "-");
	CHECK(want(d, WANT_USER, EV8_TARGET_USER)->uid == 1000);
	/* StartModule: the target's mapping at the address, from /proc */
	CHECK(want(d, WANT_MODULE_AT, EV8_START_MODULE) != NULL);
	CHECK(want(d, WANT_MODULE_AT, EV8_START_MODULE)->at.tgid == 200);
	CHECK(want(d, WANT_MODULE_AT, EV8_START_MODULE)->at.addr ==
	      0x7ffb8e09b880ull);
	event_release(&ev);

	a.op = WIRE_OP_MEM_OPEN;
	a.has_addr = 0;
	CHECK(decode_record(d, &a, sizeof(a), &ev) == 1);
	CHECK_STR(event_named(&ev, "StartAddress"), "-");
	CHECK(want(d, WANT_MODULE_AT, EV8_START_MODULE) == NULL);
	event_release(&ev);
}

/* A record with a fixed part of size fixed and data[] := data (n). */
static size_t with_data(char *buf, const void *fixed, size_t size,
			const char *data, size_t n)
{
	memcpy(buf, fixed, size);
	memcpy(buf + size, data, n);
	((struct wire_hdr *)buf)->len = (uint32_t)(size + n);
	return size + n;
}

static void test_tamper(struct decoder *d)
{
	static const char path[] = "x\0tmp\0";
	char buf[sizeof(struct wire_tamper) + 64];
	struct wire_tamper t;
	struct event ev;
	size_t len;

	memset(&t, 0, sizeof(t));
	t.hdr.kind = WIRE_TAMPER;
	t.task = task(300, 0, 30);
	t.kind = WIRE_TAMPER_DELETED;
	t.image.len = sizeof(path) - 1;
	t.image.flags = WIRE_STR_PATH | WIRE_STR_DELETED;
	len = with_data(buf, &t, sizeof(t), path, sizeof(path) - 1);
	CHECK(decode_record(d, buf, len, &ev) == 1);
	CHECK(ev.def->id == 25);
	CHECK_STR(event_named(&ev, "Image"), "/tmp/x (deleted)");
	CHECK_STR(event_named(&ev, "Type"), "Image is deleted");
	CHECK_STR(event_named(&ev, "ProcessId"), "300");
	event_release(&ev);

	((struct wire_tamper *)buf)->kind = WIRE_TAMPER_MEMFD;
	CHECK(decode_record(d, buf, len, &ev) == 1);
	CHECK_STR(event_named(&ev, "Type"), "Image is fileless (memfd)");
	CHECK(want(d, WANT_PROC, EV25_IMAGE) == NULL); /* the record's */
	event_release(&ev);

	/* a written image: the process's own image, from the table */
	((struct wire_tamper *)buf)->kind = WIRE_TAMPER_WRITTEN;
	((struct wire_tamper *)buf)->task = task(100, 0, 10);
	CHECK(decode_record(d, buf, len, &ev) == 1);
	CHECK_STR(event_named(&ev, "Type"), "Image is replaced");
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/gdb");
	event_release(&ev);

	((struct wire_tamper *)buf)->kind = 0;
	CHECK(decode_record(d, buf, len, &ev) == -EINVAL);
	((struct wire_tamper *)buf)->kind = WIRE_TAMPER_DELETED;
	((struct wire_tamper *)buf)->image.off = 60;
	CHECK(decode_record(d, buf, len, &ev) == -EINVAL);
}

static void test_bpf(struct decoder *d)
{
	struct wire_bpf b;
	struct event ev;

	memset(&b, 0, sizeof(b));
	b.hdr.kind = WIRE_BPF;
	b.hdr.len = sizeof(b);
	b.task = task(100, 0, 10);
	b.cmd = 5; /* BPF_PROG_LOAD */
	b.prog_type = 5; /* TRACEPOINT */
	b.prog_id = 4242;
	memcpy(b.prog_name, "trace_execve", 12);
	CHECK(decode_record(d, &b, sizeof(b), &ev) == 1);
	CHECK(ev.def->id == 100);
	CHECK_STR(event_named(&ev, "BpfCommand"), "BPF_PROG_LOAD");
	CHECK_STR(event_named(&ev, "BpfProgramType"), "TRACEPOINT");
	CHECK_STR(event_named(&ev, "BpfProgramId"), "4242");
	CHECK_STR(event_named(&ev, "BpfProgramName"), "trace_execve");
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/gdb");
	event_release(&ev);

	/* a full 16-byte name has no NUL; unknown types; no name */
	memset(b.prog_name, 'a', sizeof(b.prog_name));
	b.prog_type = 1000;
	b.cmd = 28;
	CHECK(decode_record(d, &b, sizeof(b), &ev) == 1);
	CHECK_STR(event_named(&ev, "BpfCommand"), "BPF_LINK_CREATE");
	CHECK_STR(event_named(&ev, "BpfProgramType"), "UNKNOWN");
	CHECK_STR(event_named(&ev, "BpfProgramName"), "aaaaaaaaaaaaaaaa");
	event_release(&ev);
	memset(b.prog_name, 0, sizeof(b.prog_name));
	b.prog_type = 32;
	CHECK(decode_record(d, &b, sizeof(b), &ev) == 1);
	CHECK_STR(event_named(&ev, "BpfProgramType"), "NETFILTER");
	CHECK_STR(event_named(&ev, "BpfProgramName"), "-");
	event_release(&ev);

	b.cmd = 1; /* not a command this family reports */
	CHECK(decode_record(d, &b, sizeof(b), &ev) == -EINVAL);
}

static void test_image_load(struct decoder *d)
{
	static const char path[] = "libc.so.6\0lib\0usr\0";
	char buf[sizeof(struct wire_image_load) + 64];
	struct wire_image_load e;
	const struct decode_want *w;
	struct event ev;
	size_t len;

	memset(&e, 0, sizeof(e));
	e.hdr.kind = WIRE_IMAGE_LOAD;
	e.task = task(100, 0, 10);
	e.file.ino = 77;
	e.file.dev = 8u << 20 | 1;
	e.file.ctime_sec = 1234;
	e.file.size = 4096;
	e.image.len = sizeof(path) - 1;
	e.image.flags = WIRE_STR_PATH;
	len = with_data(buf, &e, sizeof(e), path, sizeof(path) - 1);
	d->hash_algs = 4;
	CHECK(decode_record(d, buf, len, &ev) == 1);
	CHECK(ev.def->id == 7);
	CHECK_STR(event_named(&ev, "ImageLoaded"), "/usr/lib/libc.so.6");
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/gdb");
	CHECK_STR(event_named(&ev, "Signed"), "false");
	CHECK_STR(event_named(&ev, "Signature"), "-");
	CHECK_STR(event_named(&ev, "SignatureStatus"), "Unavailable");
	CHECK_STR(event_named(&ev, "FileVersion"), "-");
	CHECK(d->has_image_key && d->image_key.ino == 77 &&
	      d->image_key.ctime_sec == 1234);
	w = want(d, WANT_HASH, EV7_HASHES);
	CHECK(w && w->file.path_field == EV7_IMAGE_LOADED &&
	      w->file.id.ino == 77 && w->file.id.dev == ((8ull << 8) | 1) &&
	      w->file.id.size == 4096 && w->file.id.ctime_sec == 1234 &&
	      w->file.algs == 4);
	event_release(&ev);
	d->hash_algs = 0;

	/* the next record of another kind does not keep the key */
	{
		struct wire_bpf b = { .hdr = { WIRE_BPF, sizeof(b), 0 } };

		b.cmd = 5;
		CHECK(decode_record(d, &b, sizeof(b), &ev) == 1);
		CHECK(!d->has_image_key);
		event_release(&ev);
	}
}

static size_t load(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX + 64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static void test_module(struct decoder *d)
{
	static char buf[sizeof(struct wire_module) + 8192];
	static char image[8192];
	static const char path[] = "vigil_test.ko\0tmp\0";
	struct wire_module m;
	struct event ev;
	size_t n = load("signed.ko", image, sizeof(image)), len;

	CHECK(n > 0);
	memset(&m, 0, sizeof(m));
	m.hdr.kind = WIRE_MODULE;
	m.task = task(100, 0, 10);
	m.call = WIRE_MODULE_INIT;
	m.tail.len = (uint16_t)n;
	len = with_data(buf, &m, sizeof(m), image, n);
	CHECK(decode_record(d, buf, len, &ev) == 1);
	CHECK(ev.def->id == 6);
	CHECK_STR(event_named(&ev, "ImageLoaded"), "-");
	CHECK_STR(event_named(&ev, "Hashes"), "-");
	CHECK_STR(event_named(&ev, "Signed"), "true");
	CHECK_STR(event_named(&ev, "Signature"),
		  "vigil test module signing key");
	CHECK_STR(event_named(&ev, "SignatureStatus"), "Unverified");
	CHECK(d->nwants == 0);
	event_release(&ev);

	n = load("unsigned.ko", image, sizeof(image));
	m.tail.len = (uint16_t)n;
	len = with_data(buf, &m, sizeof(m), image, n);
	CHECK(decode_record(d, buf, len, &ev) == 1);
	CHECK_STR(event_named(&ev, "Signed"), "false");
	CHECK_STR(event_named(&ev, "SignatureStatus"), "Unavailable");
	event_release(&ev);

	/* finit_module(): the file, hashed and read by enrichment */
	memset(&m.tail, 0, sizeof(m.tail));
	m.call = WIRE_MODULE_FINIT;
	m.file.ino = 5;
	m.file.dev = 1;
	m.image.len = sizeof(path) - 1;
	m.image.flags = WIRE_STR_PATH;
	len = with_data(buf, &m, sizeof(m), path, sizeof(path) - 1);
	d->hash_algs = 1;
	CHECK(decode_record(d, buf, len, &ev) == 1);
	CHECK_STR(event_named(&ev, "ImageLoaded"), "/tmp/vigil_test.ko");
	CHECK(want(d, WANT_HASH, EV6_HASHES) != NULL);
	CHECK(want(d, WANT_MODSIG, EV6_SIGNED) != NULL);
	CHECK(want(d, WANT_MODSIG, EV6_SIGNED)->file.path_field ==
	      EV6_IMAGE_LOADED);
	event_release(&ev);
	d->hash_algs = 0;

	((struct wire_module *)buf)->call = 7;
	CHECK(decode_record(d, buf, len, &ev) == -EINVAL);
	((struct wire_module *)buf)->call = WIRE_MODULE_INIT;
	((struct wire_module *)buf)->tail.len = 60000;
	CHECK(decode_record(d, buf, len, &ev) == -EINVAL);
}

int main(int argc, char **argv)
{
	struct proc_table *t = proc_table_new(16, "0123456789", "/nonexistent");
	struct decoder d = { .procs = t };
	struct wire_task gdb = task(100, 0, 10);
	char self[PATH_MAX];

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(data_dir, sizeof(data_dir), "%s/../../tests/data/modsig",
		 dirname(self));
	CHECK(t != NULL);
	CHECK(proc_on_exec(t, &gdb, strdup("/usr/bin/gdb"), strdup("gdb")));
	test_access(&d);
	test_inject(&d);
	test_tamper(&d);
	test_bpf(&d);
	test_image_load(&d);
	test_module(&d);
	proc_table_free(t);
	return tap_done("integrity_test");
}
