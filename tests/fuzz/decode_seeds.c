/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/decode_seeds.c - write the seed inputs of fuzz_decode:
 * valid exec/fork/exit records of the current wire layout (built from
 * wire.h, so they follow it when it changes), sequences that exercise the
 * process table, malformed records, and every golden recording.
 *
 *   decode_seeds OUTDIR [GOLDEN.wire...]     (make fuzz-seeds)
 *
 * Input format: see fuzz_decode.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire_log.h"

#define OPT_SEED   0x1u
#define OPT_SMALL  0x2u
#define OPT_HASH   0x4u
#define OPT_FIXLEN 0x8u

static const char *outdir;
static FILE *cur;
static int failed;

static void begin(const char *name, unsigned opts)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	cur = fopen(path, "wb");
	if (!cur) {
		perror(path);
		exit(1);
	}
	fputc((int)opts, cur);
}

static void end(void)
{
	if (fclose(cur) != 0)
		failed = 1;
}

static void put(const void *rec, size_t len)
{
	if (wire_log_put(cur, rec, len) < 0)
		failed = 1;
}

static struct wire_task task(uint32_t tgid, uint32_t ppid, uint64_t start_ns,
			     uint64_t parent_start_ns, uint64_t end_code)
{
	struct wire_task t = {
		.pid = tgid,
		.tgid = tgid,
		.ppid = ppid,
		.loginuid = 1000,
		.sessionid = 3,
		.start_ns = start_ns,
		.parent_start_ns = parent_start_ns,
		.end_code = end_code,
	};

	return t;
}

/* One part of an exec: bytes and flags; len SIZE_MAX: strlen(bytes). */
struct part {
	const char *bytes;
	size_t len;
	uint16_t flags;
};

static size_t part_len(const struct part *p)
{
	return p->bytes ? p->len : 0;
}

static void put_exec(const struct wire_task *t, struct part args,
		     struct part image, struct part cwd)
{
	static char buf[sizeof(struct wire_exec) + WIRE_DATA_MAX];
	struct wire_exec *e = (struct wire_exec *)buf;
	struct part *parts[3] = { &args, &image, &cwd };
	struct wire_str *strs[3] = { &e->args, &e->image, &e->cwd };
	size_t off = 0;

	memset(e, 0, sizeof(*e));
	e->hdr.kind = WIRE_EXEC;
	e->hdr.ts_ns = t->start_ns + 1000;
	e->task = *t;
	e->exe.ino = 1234;
	e->exe.dev = 8u << 20 | 1;
	e->exe.size = 35664;
	e->exe.mtime_sec = 1700000000;
	e->exe.ctime_sec = 1700000000;
	e->exe.ctime_nsec = 5;
	e->exe.version = 2;
	for (int i = 0; i < 3; i++) {
		size_t n = part_len(parts[i]);

		strs[i]->off = (uint16_t)off;
		strs[i]->len = (uint16_t)n;
		strs[i]->flags = parts[i]->flags;
		memcpy(e->data + off, parts[i]->bytes ? parts[i]->bytes : "",
		       n);
		off += n;
	}
	e->hdr.len = (uint32_t)(sizeof(*e) + off);
	put(e, e->hdr.len);
}

#define ARGS(s) ((struct part){ s, sizeof(s) - 1, 0 })
#define PATH(s) ((struct part){ s, sizeof(s) - 1, WIRE_STR_PATH })
#define PATHF(s, f) \
	((struct part){ s, sizeof(s) - 1, (uint16_t)(WIRE_STR_PATH | (f)) })
#define NONE ((struct part){ NULL, 0, 0 })

static void put_fork(const struct wire_task *parent, uint32_t child,
		     uint64_t child_start_ns)
{
	struct wire_fork f = { .hdr = { WIRE_FORK, sizeof(f),
					child_start_ns } };

	f.task = *parent;
	f.child_tgid = child;
	f.child_start_ns = child_start_ns;
	put(&f, sizeof(f));
}

static void put_exit(const struct wire_task *t, int code)
{
	struct wire_exit x = { .hdr = { WIRE_EXIT, sizeof(x),
					t->start_ns + 5000000 } };

	x.task = *t;
	x.task.end_code = 0; /* no mm left at exit */
	x.exit_code = code;
	put(&x, sizeof(x));
}

/* A shell (seeded 101's child) runs a command that forks and execs. */
static void seed_lifecycle(void)
{
	struct wire_task sh = task(300, 101, 50000000000, 3000000000, 0x4000),
			 child = task(301, 300, 51000000000, 50000000000,
				      0x4000);

	begin("lifecycle", OPT_SEED | OPT_HASH | OPT_FIXLEN);
	put_exec(&sh, ARGS("sh\0-c\0ls -l | wc\0"), PATH("sh\0bin\0usr\0"),
		 PATH("work\0tmp\0"));
	put_fork(&sh, 301, child.start_ns);
	child.end_code = 0x9000;
	put_exec(&child, ARGS("ls\0-l\0"), PATH("ls\0bin\0usr\0"),
		 PATH("work\0tmp\0"));
	put_exit(&child, 0);
	put_exit(&sh, 1);
	end();
}

/* The parent is not in the table: enrichment must ask /proc. */
static void seed_unknown_parent(void)
{
	struct wire_task t = task(500, 499, 7000000000, 6000000000, 0x1000);

	begin("unknown-parent", 0);
	put_exec(&t, ARGS("true\0"), PATH("true\0bin\0"), PATH("\0"));
	put_exit(&t, 0);
	end();
}

/* One pid, two processes: a missed exit, then the old one's late exit. */
static void seed_pid_reuse(void)
{
	struct wire_task a = task(400, 100, 5000000000, 2000000000, 0x1000),
			 b = task(400, 100, 9000000000, 2000000000, 0x2000);

	begin("pid-reuse", OPT_SEED);
	put_exec(&a, ARGS("old\0"), PATH("old\0"), PATH("\0"));
	put_exec(&b, ARGS("new\0"), PATH("new\0"), PATH("\0"));
	put_exit(&a, 0);
	put_exit(&b, 0);
	put_exec(&a, ARGS("old\0"), PATH("old\0"), PATH("\0"));
	put_fork(&a, 400, 1000);
	put_exit(&a, 0);
	end();
}

/* Forks that make no sense: a child with its parent's pid, a child
 * older than its parent, a parent nobody knows. */
static void seed_odd_forks(void)
{
	struct wire_task p = task(100, 1, 2000000000, 10000000, 0x2000),
			 ghost = task(777, 1, 1, 1, 0);

	begin("odd-forks", OPT_SEED);
	put_fork(&p, 100, 2500000000);
	put_fork(&p, 101, 1);
	put_fork(&ghost, 778, 2);
	put_exit(&ghost, 9);
	end();
}

/* More processes than the four-entry table holds. */
static void seed_table_full(void)
{
	begin("table-full", OPT_SMALL | OPT_SEED);
	for (uint32_t i = 0; i < 8; i++) {
		struct wire_task t = task(600 + i, 100, 10000000000ull + i,
					  2000000000, 0x1000 + i);

		put_exec(&t, ARGS("x\0"), PATH("x\0"), PATH("\0"));
		put_fork(&t, 700 + i, 20000000000ull + i);
	}
	for (uint32_t i = 0; i < 8; i++) {
		struct wire_task t = task(600 + i, 100, 10000000000ull + i,
					  2000000000, 0x1000 + i);

		put_exit(&t, (int)i);
	}
	end();
}

/* Strings at their edges: cut, deleted, absent, empty components, no
 * final NUL, argv without NULs. */
static void seed_strings(void)
{
	struct wire_task t = task(800, 1, 8000000000, 10000000, 0x8000);
	static char deep[2048 * 2 + 2];

	begin("strings", OPT_SEED | OPT_FIXLEN);
	put_exec(&t, (struct part){ "a\0b\0c", 5, WIRE_STR_TRUNC },
		 PATHF("x\0deep\0", WIRE_STR_TRUNC | WIRE_STR_DELETED), NONE);
	put_exec(&t, ARGS("no nul at all"), PATH("a\0\0b\0"), NONE);
	put_exec(&t, ARGS("\0\0\0"), PATH("memfd:x\0"), PATH("unterminated"));
	put_exec(&t, ARGS("\xff\xfe<&>\"\n\t\x01"), PATH("\xc3\x28\0"),
		 PATHF("\0", WIRE_STR_DELETED));
	/* 2048 components fit the reader, 2049 do not. */
	for (size_t i = 0; i < sizeof(deep); i += 2)
		memcpy(deep + i, "a", 2);
	put_exec(&t, NONE, (struct part){ deep, 4096, WIRE_STR_PATH }, NONE);
	put_exec(&t, NONE, (struct part){ deep, 4098, WIRE_STR_PATH }, NONE);
	put_exit(&t, 0);
	end();
}

/* Records the dispatcher must refuse. */
static void seed_bad_headers(void)
{
	struct wire_task t = task(900, 1, 9000000000, 10000000, 0x9000);
	struct wire_exit x = { .hdr = { WIRE_EXIT, sizeof(x), 1 }, .task = t };
	struct wire_fork f = { .hdr = { WIRE_FORK, sizeof(f), 1 }, .task = t };
	struct wire_exec e = { .hdr = { WIRE_EXEC, sizeof(e), 1 }, .task = t };
	char big[sizeof(f) + 8] = { 0 };

	begin("bad-headers", OPT_SEED);
	put(&x, 3); /* shorter than a header */
	x.hdr.len = sizeof(x) + 1; /* header says more than the record */
	put(&x, sizeof(x));
	x.hdr.len = sizeof(x) - 8; /* a short fixed record */
	put(&x, sizeof(x) - 8);
	x.hdr.len = sizeof(x);
	x.hdr.kind = 0;
	put(&x, sizeof(x));
	x.hdr.kind = WIRE_KIND_MAX;
	put(&x, sizeof(x));
	x.hdr.kind = 0xffffffffu;
	put(&x, sizeof(x));
	memcpy(big, &f, sizeof(f)); /* a fixed record with a tail */
	((struct wire_hdr *)big)->len = sizeof(big);
	put(big, sizeof(big));
	put(&e, sizeof(e)); /* an exec with no data: every part absent */
	e.image.off = 1; /* ... and one pointing past it */
	e.image.len = 1;
	put(&e, sizeof(e));
	e.image.off = 0xffff;
	e.image.len = 0xffff;
	put(&e, sizeof(e));
	end();
}

/* ---- the network family ---------------------------------------------- */

static void put_conn(const struct wire_task *t, uint8_t protocol, uint8_t flags,
		     const char *local, const char *remote, uint16_t lport,
		     uint16_t rport)
{
	struct wire_conn c = { .hdr = { WIRE_NET_CONN, sizeof(c), 5000 } };

	c.task = *t;
	c.cookie = 77;
	memcpy(c.local_ip, local, 16);
	memcpy(c.remote_ip, remote, 16);
	c.local_port = lport;
	c.remote_port = rport;
	c.protocol = protocol;
	c.flags = flags;
	put(&c, sizeof(c));
}

static void put_dns(const struct wire_task *t, uint8_t protocol, uint8_t flags,
		    uint32_t seq, const void *msg, size_t len)
{
	static char buf[sizeof(struct wire_dns) + 600];
	struct wire_dns *d = (struct wire_dns *)buf;

	memset(buf, 0, sizeof(buf));
	d->hdr.kind = WIRE_NET_DNS;
	d->hdr.len = (uint32_t)(sizeof(*d) + len);
	d->hdr.ts_ns = 6000;
	d->task = *t;
	d->cookie = 9;
	d->seq = seq;
	d->protocol = protocol;
	d->flags = flags;
	d->payload.len = (uint32_t)len;
	memcpy(d->data, msg, len);
	put(d, sizeof(*d) + len);
}

/* TCP both ways and UDP over IPv4, IPv6 and v4-mapped, an unknown owner,
 * a bad protocol; a DNS query and its answer over UDP, then over TCP in
 * two segments, and a query never answered. */
static void seed_network(void)
{
	static const char v4a[16] = {
		[10] = (char)0xff, [11] = (char)0xff, 127, 0, 0, 1
	};
	static const char v4b[16] = {
		[10] = (char)0xff, [11] = (char)0xff, 10, 1, 2, 3
	};
	static const char v6[16] = { [15] = 1 };
	static const char none[16] = { 0 };
	/* "a.test" A? and its answer 192.0.2.10 */
	static const unsigned char query[] = { 0x12, 0x34, 0x01, 0x00, 0,   1,
					       0,    0,	   0,	 0,    0,   0,
					       1,    'a',  4,	 't',  'e', 's',
					       't',  0,	   0,	 1,    0,   1 };
	static const unsigned char answer[] = {
		0x12, 0x34, 0x81, 0x80, 0,    1,    0,	 1,   0,   0,
		0,    0,    1,	  'a',	4,    't',  'e', 's', 't', 0,
		0,    1,    0,	  1,	0xc0, 0x0c, 0,	 1,   0,   1,
		0,    0,    0,	  60,	0,    4,    192, 0,   2,   10
	};
	unsigned char stream[sizeof(answer) + 2] = { 0, sizeof(answer) };
	struct wire_task t = task(100, 1, 2000000000, 10000000, 0x2000);
	struct wire_task zero = { 0 };

	memcpy(stream + 2, answer, sizeof(answer));
	begin("network", OPT_SEED | OPT_FIXLEN);
	put_conn(&t, 6, WIRE_CONN_INITIATED, v4a, v4b, 40000, 443);
	put_conn(&t, 6, 0, v6, v6, 22, 50000);
	put_conn(&t, 17, WIRE_CONN_INITIATED, v4a, v4a, 5353, 53);
	put_conn(&zero, 17, WIRE_CONN_NO_OWNER, none, v4b, 0, 0);
	put_conn(&t, 1, 0, v4a, v4b, 1, 2); /* not TCP or UDP: refused */
	put_dns(&t, 17, WIRE_DNS_SENT, 0, query, sizeof(query));
	put_dns(&t, 17, 0, 0, answer, sizeof(answer));
	put_conn(&t, 6, WIRE_CONN_INITIATED, v4a,
		 (const char[16]){
			 [10] = (char)0xff, [11] = (char)0xff, 192, 0, 2, 10 },
		 40001, 80);
	put_dns(&t, 6, WIRE_DNS_SENT, 100, query, sizeof(query));
	put_dns(&t, 6, 0, 500, stream, 5);
	put_dns(&t, 6, 0, 505, stream + 5, sizeof(stream) - 5);
	put_dns(&zero, 17, WIRE_DNS_SENT | WIRE_DNS_NO_OWNER, 0, query,
		sizeof(query));
	put_dns(&t, 17, 0, 0, "\xff", 1); /* garbage */
	end();
}

/* A record with data[]: fixed part (size bytes, its wire_strs already
 * pointing into data) then data. */
static void put_with_data(void *fixed, size_t size, const void *data, size_t n)
{
	static char buf[512 + 16384];

	if (size + n > sizeof(buf))
		return;
	memcpy(buf, fixed, size);
	memcpy(buf + size, data, n);
	((struct wire_hdr *)buf)->len = (uint32_t)(size + n);
	put(buf, size + n);
}

/* The integrity family: every access operation as events 10 and 8, the
 * three tamper kinds, BPF loads, image loads and module loads (one from
 * memory with a signature trailer), and records it must refuse. */
static void seed_integrity(void)
{
	static const char lib[] = "libz.so.1\0lib\0usr\0";
	static const char mod[] = "dummy.ko\0net\0kernel\0";
	static const char tail[] = "\x30\x03\x02\x01\x00"
				   "\0\0\x02\0\0\0\0\0\0\0\0\x05"
				   "~Module signature appended~\n";
	struct wire_task gdb = task(1000, 1, 10000000000, 1000000, 0x5000),
			 victim = task(1001, 1, 11000000000, 1000000, 0x6000);
	struct wire_access a;
	struct wire_tamper tm;
	struct wire_bpf b;
	struct wire_image_load il;
	struct wire_module m;

	begin("integrity", OPT_SEED | OPT_HASH | OPT_FIXLEN);
	put_exec(&gdb, ARGS("gdb\0-p\0001001\0"), PATH("gdb\0bin\0usr\0"),
		 PATH("\0"));
	for (uint32_t op = 0; op <= 8; op++) {
		memset(&a, 0, sizeof(a));
		a.hdr.kind = op % 2 ? WIRE_INJECT : WIRE_ACCESS;
		a.hdr.len = sizeof(a);
		a.hdr.ts_ns = 12000000000ull + op;
		a.task = gdb;
		a.target = victim;
		a.op = op;
		a.target_tid = 1001 + op;
		a.mode = op & 3;
		a.has_addr = op & 1;
		a.addr = 0x7f0000000000ull + op;
		put(&a, sizeof(a));
		a.hdr.kind =
			a.hdr.kind == WIRE_INJECT ? WIRE_ACCESS : WIRE_INJECT;
		put(&a, sizeof(a));
	}
	for (uint32_t k = 0; k <= 4; k++) {
		memset(&tm, 0, sizeof(tm));
		tm.hdr.kind = WIRE_TAMPER;
		tm.hdr.ts_ns = 13000000000ull + k;
		tm.task = k == 3 ? victim : gdb;
		tm.kind = k;
		tm.image.len = sizeof(lib) - 1;
		tm.image.flags = (uint16_t)(WIRE_STR_PATH |
					    (k == 2 ? WIRE_STR_DELETED : 0));
		put_with_data(&tm, sizeof(tm), lib, sizeof(lib) - 1);
	}
	memset(&b, 0, sizeof(b));
	b.hdr.kind = WIRE_BPF;
	b.hdr.len = sizeof(b);
	b.task = gdb;
	for (uint32_t cmd = 0; cmd < 30; cmd += 1) {
		b.cmd = cmd;
		b.prog_type = cmd * 3;
		b.prog_id = cmd;
		memset(b.prog_name, 'a' + (int)cmd % 26,
		       cmd % 17 < sizeof(b.prog_name) ? cmd % 17 : 16);
		put(&b, sizeof(b));
	}
	memset(&il, 0, sizeof(il));
	il.hdr.kind = WIRE_IMAGE_LOAD;
	il.task = victim;
	il.file.ino = 42;
	il.file.dev = 8u << 20 | 2;
	il.file.size = 100;
	il.image.len = sizeof(lib) - 1;
	il.image.flags = WIRE_STR_PATH;
	put_with_data(&il, sizeof(il), lib, sizeof(lib) - 1);
	il.image.off = 4;
	put_with_data(&il, sizeof(il), lib, sizeof(lib) - 1);
	memset(&m, 0, sizeof(m));
	m.hdr.kind = WIRE_MODULE;
	m.task = gdb;
	m.call = WIRE_MODULE_INIT;
	m.tail.len = sizeof(tail) - 1;
	put_with_data(&m, sizeof(m), tail, sizeof(tail) - 1);
	m.call = WIRE_MODULE_FINIT;
	m.tail.len = 0;
	m.image.len = sizeof(mod) - 1;
	m.image.flags = WIRE_STR_PATH;
	m.file.dev = 1;
	m.file.ino = 7;
	put_with_data(&m, sizeof(m), mod, sizeof(mod) - 1);
	m.call = 3;
	put_with_data(&m, sizeof(m), mod, sizeof(mod) - 1);
	put_exit(&gdb, 0);
	end();
}

/* A golden recording (header line, then records) as a seed. */
static void seed_golden(const char *path)
{
	char line[WIRE_LOG_LINE_MAX], name[256];
	const char *base = strrchr(path, '/');
	FILE *in = fopen(path, "rb");
	int c;

	if (!in || !fgets(line, sizeof(line), in)) {
		perror(path);
		failed = 1;
		if (in)
			fclose(in);
		return;
	}
	snprintf(name, sizeof(name), "golden-%s", base ? base + 1 : path);
	begin(name, OPT_HASH | OPT_FIXLEN);
	while ((c = fgetc(in)) != EOF)
		fputc(c, cur);
	fclose(in);
	end();
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr,
			"usage: decode_seeds OUTDIR [GOLDEN.wire...]\n");
		return 2;
	}
	outdir = argv[1];
	seed_lifecycle();
	seed_unknown_parent();
	seed_pid_reuse();
	seed_odd_forks();
	seed_table_full();
	seed_strings();
	seed_bad_headers();
	seed_network();
	seed_integrity();
	for (int i = 2; i < argc; i++)
		seed_golden(argv[i]);
	return failed;
}
