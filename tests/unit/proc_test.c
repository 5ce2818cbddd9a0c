/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for proc/ (GUIDs, the bounded table, seeding from a /proc
 * tree) and sensor/decode.c (wire records -> events), without the kernel:
 * a fake /proc is built in a temp dir.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire.h"

#include "event/event.h"
#include "proc/proc.h"
#include "sensor/sensor.h"
#include "users/users.h"
#include "tap.h"

static char root[64];

static void put(const char *pid, const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, pid, name);
	f = fopen(path, "w");
	fwrite(text, 1, len, f);
	fclose(f);
}

/* A fake process: stat with ppid and start ticks, status, cmdline, exe. */
static void fake_proc(const char *pid, const char *ppid, const char *exe,
		      const char *argv, size_t argv_len)
{
	char stat[256], path[256];

	snprintf(stat, sizeof(stat),
		 "%s (a (weird) name) S %s 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 "
		 "0 4242 0 0",
		 pid, ppid);
	put(pid, "stat", stat, strlen(stat));
	put(pid, "status", "Name:\tx\nUid:\t1000\t1000\t1000\t1000\n", 34);
	put(pid, "loginuid", "1000", 4);
	put(pid, "sessionid", "7", 1);
	put(pid, "cmdline", argv, argv_len);
	snprintf(path, sizeof(path), "%s/%s/exe", root, pid);
	symlink(exe, path);
}

static void test_guid_format(void)
{
	char g[PROC_GUID_LEN + 1];

	proc_format_guid(g, 0xdeadbeef, 0x12345678, 0x0123456789abcdefull);
	CHECK_STR(g, "{deadbeef-5678-1234-0123-456789abcdef}");
	CHECK(strlen(g) == PROC_GUID_LEN);
}

static void test_table_bounds(void)
{
	struct proc_table *t = proc_table_new(2, "abcdef0123", "/nonexistent");
	struct proc info = { .tgid = 10, .ppid = 1, .uid = 0 };

	CHECK(t != NULL);
	CHECK(proc_table_machine(t) == 0xabcdef01);
	CHECK(proc_on_exec(t, &info, 1000000000ull, strdup("/a"),
			   strdup("a")) != NULL);
	info.tgid = 11;
	CHECK(proc_on_exec(t, &info, 2000000000ull, strdup("/b"),
			   strdup("b")) != NULL);
	info.tgid = 12;
	CHECK(proc_on_exec(t, &info, 3000000000ull, strdup("/c"),
			   strdup("c")) == NULL);
	CHECK(proc_table_overflows(t) == 1);
	CHECK(proc_table_count(t) == 2);
	CHECK(proc_find(t, 12) == NULL); /* not in /nonexistent either */
	proc_on_exit(t, 10);
	CHECK(proc_table_count(t) == 1);
	CHECK(proc_find(t, 10) == NULL);
	CHECK(proc_on_exec(t, &info, 3000000000ull, strdup("/c"),
			   strdup("c")) != NULL);
	CHECK_STR(proc_find(t, 12)->image, "/c");
	/* exec again in the same process: new image, new GUID */
	{
		char old[PROC_GUID_LEN + 1];

		snprintf(old, sizeof(old), "%s", proc_find(t, 12)->guid);
		CHECK(proc_on_exec(t, &info, 4000000000ull, strdup("/d"),
				   strdup("d")) != NULL);
		CHECK(strcmp(old, proc_find(t, 12)->guid) != 0);
		CHECK(proc_table_count(t) == 2);
	}
	proc_table_free(t);
	proc_table_free(NULL);
}

/* Exits free slots for reuse; the table never holds more than its size
 * and never hands out a slot twice. */
static void test_table_churn(void)
{
	struct proc_table *t = proc_table_new(4, NULL, "/nonexistent");
	struct proc info = { .ppid = 1 };
	int added = 0;

	for (uint32_t round = 0; round < 100; round++) {
		for (uint32_t k = 0; k < 5; k++) {
			info.tgid = 1000 + round * 10 + k;
			if (proc_on_exec(t, &info, 1, strdup("/x"),
					 strdup("x")))
				added++;
		}
		CHECK(proc_table_count(t) == 4);
		for (uint32_t k = 0; k < 4; k++)
			CHECK(proc_find(t, 1000 + round * 10 + k) != NULL);
		for (uint32_t k = 0; k < 5; k++)
			proc_on_exit(t, 1000 + round * 10 + k);
		CHECK(proc_table_count(t) == 0);
	}
	CHECK(added == 400);
	CHECK(proc_table_overflows(t) == 100);
	proc_table_free(t);
}

static void test_fork_inherits(void)
{
	struct proc_table *t = proc_table_new(8, NULL, "/nonexistent");
	struct proc info = { .tgid = 20, .ppid = 1, .uid = 1000 };
	struct proc *child;
	char pg[PROC_GUID_LEN + 1];

	proc_on_exec(t, &info, 5000000000ull, strdup("/bin/sh"),
		     strdup("sh -c x"));
	snprintf(pg, sizeof(pg), "%s", proc_find(t, 20)->guid);
	child = proc_on_fork(t, 20, 21, 6000000000ull);
	CHECK(child != NULL);
	CHECK_STR(child->image, "/bin/sh");
	CHECK_STR(child->cmdline, "sh -c x");
	CHECK(child->ppid == 20 && child->uid == 1000);
	CHECK(strcmp(child->guid, pg) != 0);
	proc_table_free(t);
}

static void test_seed(void)
{
	struct proc_table *t;
	struct proc *p;

	snprintf(root, sizeof(root), "/tmp/vigil-proc-test.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	fake_proc("100", "1", "/usr/bin/sleep",
		  "sleep\0"
		  "60\0",
		  9);
	fake_proc("101", "100", "/usr/bin/odd name", "a b\0c\0", 6);
	put("self", "stat", "x", 1); /* not a pid: skipped */
	t = proc_table_new(16, "0123456789", root);
	CHECK(proc_table_seed(t, 0) == 2);
	p = proc_find(t, 101);
	CHECK(p != NULL);
	CHECK_STR(p->image, "/usr/bin/odd name");
	CHECK_STR(p->cmdline, "a b c");
	CHECK(p->ppid == 100 && p->uid == 1000 && p->loginuid == 1000 &&
	      p->sessionid == 7);
	/* start 4242 ticks -> GUID time 42 s (at 100 Hz) with boot offset 0 */
	if (sysconf(_SC_CLK_TCK) == 100)
		CHECK(strncmp(p->guid, "{01234567-002a-0000-", 20) == 0);
	CHECK_STR(proc_find(t, 100)->cmdline, "sleep 60");
	proc_table_free(t);
}

/* A wire exec record built by hand, as the BPF program lays it out. */
static size_t make_exec(char *buf, size_t size, uint32_t tgid, uint32_t ppid,
			const char *args, size_t args_len)
{
	struct wire_exec *e = (struct wire_exec *)buf;
	static const char image[] = "true\0bin\0usr\0";
	static const char cwd[] = "work\0tmp\0";
	size_t len =
		sizeof(*e) + args_len + sizeof(image) - 1 + sizeof(cwd) - 1;

	if (len > size)
		return 0;
	memset(e, 0, sizeof(*e));
	e->hdr.kind = WIRE_EXEC;
	e->hdr.len = (uint32_t)len;
	e->hdr.ts_ns = 1000000000ull;
	e->task.tgid = e->task.pid = tgid;
	e->task.ppid = ppid;
	e->task.uid = 0;
	e->task.loginuid = 0xffffffffu;
	e->task.sessionid = 0xffffffffu;
	e->args_len = (uint32_t)args_len;
	e->image_len = sizeof(image) - 1;
	e->image_depth = 3;
	e->cwd_len = sizeof(cwd) - 1;
	e->cwd_depth = 2;
	memcpy(e->data, args, args_len);
	memcpy(e->data + args_len, image, sizeof(image) - 1);
	memcpy(e->data + args_len + sizeof(image) - 1, cwd, sizeof(cwd) - 1);
	return len;
}

static void test_decode(void)
{
	static char buf[sizeof(struct wire_exec) + 4096];
	struct proc_table *t = proc_table_new(16, "0123456789", root);
	struct decoder d = { .procs = t,
			     .users = users_new(),
			     .boot_to_utc_ns = 1700000000000000000ll };
	struct wire_exit x = { .hdr = { WIRE_EXIT, sizeof(x), 2000000000ull } };
	struct wire_fork f = { .hdr = { WIRE_FORK, sizeof(f), 1 } };
	struct event ev;
	char guid[PROC_GUID_LEN + 1];
	size_t len;

	len = make_exec(buf, sizeof(buf), 300, 101, "true\0-x\0", 8);
	CHECK(decode_record(&d, buf, len, &ev) == 1);
	CHECK(ev.def->id == 1);
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/true");
	CHECK_STR(event_named(&ev, "CommandLine"), "true -x");
	CHECK_STR(event_named(&ev, "CurrentDirectory"), "/tmp/work");
	CHECK_STR(event_named(&ev, "User"), "root");
	CHECK_STR(event_named(&ev, "ProcessId"), "300");
	CHECK_STR(event_named(&ev, "ParentImage"), "/usr/bin/odd name");
	CHECK_STR(event_named(&ev, "ParentCommandLine"), "a b c");
	CHECK_STR(event_named(&ev, "LogonId"), "65535");
	CHECK_STR(event_named(&ev, "UtcTime"), "2023-11-14 22:13:21.000");
	CHECK_STR(event_named(&ev, "Hashes"), "-");
	snprintf(guid, sizeof(guid), "%s", event_named(&ev, "ProcessGuid"));
	event_release(&ev);

	/* malformed: length lies, lengths overflow the record, unknown kind */
	CHECK(decode_record(&d, buf, len - 1, &ev) == -EINVAL);
	((struct wire_exec *)buf)->args_len = 100000;
	CHECK(decode_record(&d, buf, len, &ev) == -EINVAL);
	CHECK(decode_record(&d, buf, 3, &ev) == -EINVAL);

	f.task.tgid = 300;
	f.child_tgid = 301;
	CHECK(decode_record(&d, &f, sizeof(f), &ev) == 0);
	CHECK_STR(proc_find(t, 301)->image, "/usr/bin/true");

	x.task.tgid = 300;
	CHECK(decode_record(&d, &x, sizeof(x), &ev) == 1);
	CHECK(ev.def->id == 5);
	CHECK_STR(event_named(&ev, "ProcessGuid"), guid);
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/true");
	event_release(&ev);
	CHECK(proc_find(t, 300) == NULL); /* evicted, and not in fake /proc */

	users_free(d.users);
	proc_table_free(t);
}

int main(void)
{
	char cmd[128];

	test_guid_format();
	test_table_bounds();
	test_table_churn();
	test_fork_inherits();
	test_seed();
	test_decode();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return tap_done("proc_test");
}
