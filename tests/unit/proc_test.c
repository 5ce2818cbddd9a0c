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
#include "service/internal.h"
#include "catalog/fields.h"
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

/* A task as the kernel reports it: start and end_code make the image. */
static struct wire_task task(uint32_t tgid, uint32_t ppid, uint64_t start_s,
			     uint64_t end_code)
{
	struct wire_task t = { .pid = tgid, .tgid = tgid, .ppid = ppid };

	t.start_ns = start_s * 1000000000ull;
	t.end_code = end_code;
	t.loginuid = t.sessionid = UINT32_MAX;
	return t;
}

static void test_table_bounds(void)
{
	struct proc_table *t = proc_table_new(2, "abcdef0123", "/nonexistent");
	struct wire_task a = task(10, 1, 1, 0x1000), b = task(11, 1, 2, 0x1000),
			 c = task(12, 1, 3, 0x1000);

	CHECK(t != NULL);
	CHECK(proc_table_machine(t) == 0xabcdef01);
	CHECK(proc_on_exec(t, &a, strdup("/a"), strdup("a")) != NULL);
	CHECK(proc_on_exec(t, &b, strdup("/b"), strdup("b")) != NULL);
	CHECK(proc_on_exec(t, &c, strdup("/c"), strdup("c")) == NULL);
	CHECK(proc_table_overflows(t) == 1);
	CHECK(proc_table_count(t) == 2);
	CHECK(proc_peek(t, 12) == NULL);
	proc_on_exit(t, &a);
	CHECK(proc_table_count(t) == 1);
	CHECK(proc_peek(t, 10) == NULL);
	CHECK(proc_on_exec(t, &c, strdup("/c"), strdup("c")) != NULL);
	CHECK_STR(proc_get(t, 12, c.start_ns)->image, "/c");
	/* exec again in the same process: new image, new GUID */
	{
		char old[PROC_GUID_LEN + 1];

		snprintf(old, sizeof(old), "%s", proc_peek(t, 12)->guid);
		c.end_code = 0x2000;
		CHECK(proc_on_exec(t, &c, strdup("/d"), strdup("d")) != NULL);
		CHECK(strcmp(old, proc_peek(t, 12)->guid) != 0);
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
	int added = 0;

	for (uint32_t round = 0; round < 100; round++) {
		struct wire_task k5[5];

		for (uint32_t k = 0; k < 5; k++) {
			k5[k] = task(1000 + round * 10 + k, 1, 1, 0x400);
			if (proc_on_exec(t, &k5[k], strdup("/x"), strdup("x")))
				added++;
		}
		CHECK(proc_table_count(t) == 4);
		for (uint32_t k = 0; k < 4; k++)
			CHECK(proc_get(t, k5[k].tgid, k5[k].start_ns) != NULL);
		for (uint32_t k = 0; k < 5; k++)
			proc_on_exit(t, &k5[k]);
		CHECK(proc_table_count(t) == 0);
	}
	CHECK(added == 400);
	CHECK(proc_table_overflows(t) == 100);
	proc_table_free(t);
}

static void test_fork_inherits(void)
{
	struct proc_table *t = proc_table_new(8, NULL, "/nonexistent");
	struct wire_task sh = task(20, 1, 5, 0x5000);
	struct proc *child;
	char pg[PROC_GUID_LEN + 1];

	sh.uid = 1000;
	proc_on_exec(t, &sh, strdup("/bin/sh"), strdup("sh -c x"));
	snprintf(pg, sizeof(pg), "%s", proc_peek(t, 20)->guid);
	child = proc_on_fork(t, &sh, 21, 6000000000ull);
	CHECK(child != NULL);
	CHECK_STR(child->image, "/bin/sh");
	CHECK_STR(child->cmdline, "sh -c x");
	CHECK(child->ppid == 20 && child->uid == 1000);
	CHECK(strcmp(child->guid, pg) != 0);
	proc_table_free(t);
}

/* A process is (tgid, start): a reused pid never finds the old entry,
 * and the GUID is the same function of the kernel's values wherever it
 * is computed. */
static void test_pid_reuse(void)
{
	struct proc_table *t = proc_table_new(8, "0123456789", "/nonexistent");
	struct wire_task old = task(30, 1, 7, 0x7000),
			 reused = task(30, 1, 9, 0x7000);
	char g[PROC_GUID_LEN + 1];

	proc_on_exec(t, &old, strdup("/old"), strdup("old"));
	proc_guid(t, 30, old.start_ns, old.end_code, g);
	CHECK_STR(proc_peek(t, 30)->guid, g);
	/* The old process's exit was missed: the new one is not it. */
	CHECK(proc_get(t, 30, reused.start_ns) == NULL);
	CHECK(proc_peek(t, 30) == NULL); /* stale entry dropped */
	proc_guid(t, 30, reused.start_ns, reused.end_code, g);
	proc_on_exec(t, &reused, strdup("/new"), strdup("new"));
	CHECK_STR(proc_get(t, 30, reused.start_ns)->guid, g);
	CHECK_STR(proc_get(t, 30, reused.start_ns)->image, "/new");
	/* An exit record of the old process leaves the new one alone. */
	proc_on_exit(t, &old);
	CHECK(proc_get(t, 30, reused.start_ns) != NULL);
	proc_table_free(t);
}

/* The /proc text parsers on what a process can make its files say. */
static void test_procfs_stat(void)
{
	/* no NUL after the text: the parser must keep to len */
	static const char unterminated[] = { '9', ' ', '(', 'x', ')',
					     ' ', 'R', ' ', '3' };
	char line[512];
	struct proc_stat st;
	int n;

	/* comm "a) R 1 (": fields count from the last ')' */
	n = snprintf(line, sizeof(line),
		     "4242 (a) R 1 () S 77 4242 4242 0 -1 4194560 109 0 0 0 "
		     "0 0 0 0 20 0 1 0 123456 4595712 224 "
		     "18446744073709551615 94555 94999 140724 0 0 0\n");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == 0);
	CHECK(st.state == 'S' && st.ppid == 77 && st.start_ticks == 123456 &&
	      st.end_code == 94999);
	/* a newline in comm (stat does not escape it) */
	n = snprintf(line, sizeof(line),
		     "7 (x\n) Z 9) S 5 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		     "99 0 0");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == 0);
	CHECK(st.state == 'S' && st.ppid == 5 && st.start_ticks == 99 &&
	      st.end_code == 0); /* the line ends before endcode */
	/* empty, truncated, no ')' at all, nothing after it */
	CHECK(proc_parse_stat("", 0, &st) == -EINVAL);
	CHECK(proc_parse_stat("1 (a) S 1 1 1", 13, &st) == -EINVAL);
	CHECK(proc_parse_stat("1 (a S 1 1 1", 12, &st) == -EINVAL);
	CHECK(proc_parse_stat("1 (a)", 5, &st) == -EINVAL);
	CHECK(proc_parse_stat(unterminated, sizeof(unterminated), &st) ==
	      -EINVAL);
	/* a NUL ends the text, whatever follows */
	CHECK(proc_parse_stat("1 (a)\0 S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 "
			      "0 5 0 0",
			      46, &st) == -EINVAL);
	/* numbers that do not fit, or are not numbers */
	n = snprintf(line, sizeof(line),
		     "1 (a) S 4294967296 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		     "5 0 0");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == -EINVAL);
	n = snprintf(line, sizeof(line),
		     "1 (a) S -1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == -EINVAL);
	n = snprintf(line, sizeof(line),
		     "1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		     "18446744073709551616 0 0");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == -EINVAL);
	n = snprintf(line, sizeof(line),
		     "1 (a) S 4294967295 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
		     "18446744073709551615 0 0 0 0 99999999999999999999999\n");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == 0);
	CHECK(st.ppid == UINT32_MAX && st.start_ticks == UINT64_MAX &&
	      st.end_code == 0);
	/* a state of two bytes, two spaces */
	n = snprintf(line, sizeof(line),
		     "1 (a) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == -EINVAL);
	n = snprintf(line, sizeof(line),
		     "1 (a)  S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0");
	CHECK(proc_parse_stat(line, (size_t)n, &st) == -EINVAL);
}

static void test_procfs_files(void)
{
	char cmd[] = "\0\0a\0\0b c\0\0", nuls[] = "\0\0\0";
	static const char status[] = "Name:\tUid:\\n7\nUmask:\t0022\n"
				     "State:\tS (sleeping)\n"
				     "Uid:\t1000\t1001\t1002\t1003\n";

	CHECK(proc_parse_status_uid(status, sizeof(status) - 1) == 1000);
	CHECK(proc_parse_status_uid("Uid:\t0\t0\t0\t0\n", 13) == 0);
	CHECK(proc_parse_status_uid("Name:\tx\nUmask:\t0022\n", 20) ==
	      UINT32_MAX);
	CHECK(proc_parse_status_uid("Uid:\t4294967296\t0\n", 18) == UINT32_MAX);
	CHECK(proc_parse_status_uid("Uid:\t\n", 6) == UINT32_MAX);
	CHECK(proc_parse_status_uid("Uid:", 4) == UINT32_MAX);
	CHECK(proc_parse_status_uid("", 0) == UINT32_MAX);

	CHECK(proc_parse_u32("1000", 4) == 1000);
	CHECK(proc_parse_u32("7\n", 2) == 7);
	CHECK(proc_parse_u32("4294967295", 10) == UINT32_MAX); /* unset */
	CHECK(proc_parse_u32("4294967294", 10) == 4294967294u);
	CHECK(proc_parse_u32("4294967296", 10) == UINT32_MAX);
	CHECK(proc_parse_u32("99999999999999999999999", 23) == UINT32_MAX);
	CHECK(proc_parse_u32("", 0) == UINT32_MAX);
	CHECK(proc_parse_u32("\n", 1) == UINT32_MAX);
	CHECK(proc_parse_u32("-1", 2) == UINT32_MAX);
	CHECK(proc_parse_u32("12x", 3) == UINT32_MAX);
	CHECK(proc_parse_u32("12", 1) == 1); /* len, not the NUL */

	CHECK(proc_cmdline_join(cmd, sizeof(cmd) - 1) == 8);
	CHECK_STR(cmd, "  a  b c");
	CHECK(proc_cmdline_join(nuls, sizeof(nuls) - 1) == 0);
	CHECK_STR(nuls, "");

	CHECK(svc_cmdline_is_vigil_run("/usr/bin/vigil\0--settings\0s\0run\0"
				       "c.xml\0",
				       35));
	CHECK(svc_cmdline_is_vigil_run("vigil\0run", 9)); /* no last NUL */
	CHECK(!svc_cmdline_is_vigil_run("vigil\0ru", 8));
	CHECK(!svc_cmdline_is_vigil_run("vigil\0runx\0", 10));
	CHECK(!svc_cmdline_is_vigil_run("/bin/notvigil\0run\0", 18));
	CHECK(!svc_cmdline_is_vigil_run("vigil/\0run\0", 11));
	CHECK(!svc_cmdline_is_vigil_run("", 0));
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
	CHECK(proc_table_seed(t) == 2);
	p = proc_peek(t, 101);
	CHECK(p != NULL);
	CHECK_STR(p->image, "/usr/bin/odd name");
	CHECK_STR(p->cmdline, "a b c");
	CHECK(p->ppid == 100 && p->uid == 1000 && p->loginuid == 1000 &&
	      p->sessionid == 7);
	/* start 4242 ticks -> GUID time 42 s (at 100 Hz) with boot offset 0 */
	if (sysconf(_SC_CLK_TCK) == 100)
		CHECK(strncmp(p->guid, "{01234567-002a-0000-", 20) == 0);
	CHECK_STR(proc_peek(t, 100)->cmdline, "sleep 60");
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
	e->task = task(tgid, ppid, 50, 0x4000);
	e->task.parent_start_ns = 42420000000ull; /* 4242 ticks, as seeded */
	e->args.len = (uint16_t)args_len;
	e->image.off = (uint16_t)args_len;
	e->image.len = sizeof(image) - 1;
	e->image.flags = WIRE_STR_PATH;
	e->cwd.off = (uint16_t)(args_len + sizeof(image) - 1);
	e->cwd.len = sizeof(cwd) - 1;
	e->cwd.flags = WIRE_STR_PATH;
	memcpy(e->data, args, args_len);
	memcpy(e->data + args_len, image, sizeof(image) - 1);
	memcpy(e->data + args_len + sizeof(image) - 1, cwd, sizeof(cwd) - 1);
	return len;
}

/* The enrichment request of kind for field, or NULL. */
static const struct decode_want *want(const struct decoder *d,
				      enum decode_want_kind kind, int field)
{
	for (unsigned i = 0; i < d->nwants; i++)
		if (d->wants[i].kind == kind && d->wants[i].field == field)
			return &d->wants[i];
	return NULL;
}

static void test_decode(void)
{
	static char buf[sizeof(struct wire_exec) + 4096];
	struct proc_table *t = proc_table_new(16, "0123456789", root);
	struct decoder d = { .procs = t,
			     .boot_to_utc_ns = 1700000000000000000ll };
	struct wire_exit x = { .hdr = { WIRE_EXIT, sizeof(x), 2000000000ull } };
	struct wire_fork f = { .hdr = { WIRE_FORK, sizeof(f), 1 } };
	struct event ev;
	char guid[PROC_GUID_LEN + 1];
	size_t len;

	CHECK(proc_table_seed(t) == 2);
	len = make_exec(buf, sizeof(buf), 300, 101, "true\0-x\0", 8);
	CHECK(decode_record(&d, buf, len, &ev) == 1);
	CHECK(ev.def->id == 1);
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/true");
	CHECK_STR(event_named(&ev, "CommandLine"), "true -x");
	CHECK_STR(event_named(&ev, "CurrentDirectory"), "/tmp/work");
	CHECK(want(&d, WANT_USER, EV1_USER) &&
	      want(&d, WANT_USER, EV1_USER)->uid == 0);
	CHECK(want(&d, WANT_USER, EV1_PARENT_USER) &&
	      want(&d, WANT_USER, EV1_PARENT_USER)->uid == 1000);
	CHECK(want(&d, WANT_HASH, EV1_HASHES) == NULL); /* no algorithms */
	CHECK_STR(event_named(&ev, "ProcessId"), "300");
	CHECK_STR(event_named(&ev, "ParentImage"), "/usr/bin/odd name");
	CHECK_STR(event_named(&ev, "ParentCommandLine"), "a b c");
	CHECK_STR(event_named(&ev, "ParentProcessGuid"),
		  proc_peek(t, 101)->guid);
	CHECK_STR(event_named(&ev, "LogonId"), "65535");
	CHECK_STR(event_named(&ev, "UtcTime"), "2023-11-14 22:13:21.000");
	CHECK_STR(event_named(&ev, "Hashes"), "-");
	snprintf(guid, sizeof(guid), "%s", event_named(&ev, "ProcessGuid"));
	event_release(&ev);

	/* malformed: length lies, parts outside the record, unknown kind */
	CHECK(decode_record(&d, buf, len - 1, &ev) == -EINVAL);
	((struct wire_exec *)buf)->cwd.off = 60000;
	CHECK(decode_record(&d, buf, len, &ev) == -EINVAL);
	CHECK(decode_record(&d, buf, 3, &ev) == -EINVAL);
	((struct wire_exec *)buf)->hdr.kind = 99;
	CHECK(decode_record(&d, buf, len, &ev) == -EINVAL);

	f.task = task(300, 101, 50, 0x4000);
	f.child_tgid = 301;
	f.child_start_ns = 51000000000ull;
	CHECK(decode_record(&d, &f, sizeof(f), &ev) == 0);
	CHECK_STR(proc_peek(t, 301)->image, "/usr/bin/true");

	x.task = task(300, 101, 50, 0); /* no mm at exit */
	CHECK(decode_record(&d, &x, sizeof(x), &ev) == 1);
	CHECK(ev.def->id == 5);
	CHECK_STR(event_named(&ev, "ProcessGuid"), guid);
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/true");
	event_release(&ev);
	CHECK(proc_peek(t, 300) == NULL); /* evicted */

	proc_table_free(t);
}

int main(void)
{
	char cmd[128];

	test_guid_format();
	test_table_bounds();
	test_table_churn();
	test_fork_inherits();
	test_pid_reuse();
	test_procfs_stat();
	test_procfs_files();
	test_seed();
	test_decode();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return tap_done("proc_test");
}
