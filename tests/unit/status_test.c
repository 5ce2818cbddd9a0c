/* SPDX-License-Identifier: MIT */
/*
 * Unit test for status/status.c: the loss table is complete (every
 * reason has a distinct key and a text), the status file round-trips
 * through status_format() and status_parse(), a hostile file is refused
 * or bounded, and status_write()/status_read() meet on disk.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status/status.h"
#include "tap.h"
#include "util/buf.h"

static void test_table(void)
{
	for (size_t i = 0; i < LOSS_MAX; i++) {
		const struct loss_def *d = status_loss(i);

		CHECK(d->key && d->key[0] && d->text && d->text[0]);
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(status_loss(k)->key, d->key) != 0);
	}
	CHECK_STR(status_loss(LOSS_RING)->key, "ring");
	CHECK_STR(status_loss(LOSS_QUEUE)->key, "queue");
	CHECK_STR(status_loss(LOSS_SINK)->key, "sink");
	CHECK_STR(status_loss(LOSS_QUEUE)->text, "queue full");
}

static void sample(struct status_info *st)
{
	memset(st, 0, sizeof(*st));
	st->pid = 4242;
	st->started = 1700000000;
	snprintf(st->version, sizeof(st->version), "1.2.3");
	snprintf(st->config_path, sizeof(st->config_path), "/etc/v/c.xml");
	snprintf(st->config_hash, sizeof(st->config_hash), "abc123");
	snprintf(st->config_error, sizeof(st->config_error),
		 "/etc/v/c.xml:3:7: unexpected end of file");
	snprintf(st->config_running, sizeof(st->config_running),
		 "/var/lib/vigil/config-last-good.xml");
	snprintf(st->schema_version, sizeof(st->schema_version), "4.91");
	snprintf(st->config_schema, sizeof(st->config_schema), "4.90");
	st->armed[0] = 1;
	st->armed[1] = 5;
	st->armed[2] = 255;
	st->narmed = 3;
	st->logged = 99;
	for (size_t i = 0; i < LOSS_MAX; i++)
		st->lost[i] = 10 + i;
	snprintf(st->store_path, sizeof(st->store_path), "/var/lib/e.db");
	st->store_bytes = 4096;
	st->bpf_map_bytes = 1u << 20;
	st->processes = 321;
}

static void test_round_trip(void)
{
	struct status_info a, b;
	struct buf t;

	sample(&a);
	buf_init(&t, 0);
	CHECK(status_format(&a, &t) == 0);
	CHECK(strstr(t.data, "pid=4242\n") == t.data);
	CHECK(strstr(t.data, "\narmed=1,5,255\n") != NULL);
	CHECK(strstr(t.data, "\nlost_ring=10\n") != NULL);
	CHECK(strstr(t.data, "\nlost_queue=12\n") != NULL);
	CHECK(strstr(t.data, "\nlost_sink=13\n") != NULL);
	CHECK(status_parse(t.data, t.len, &b) == 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(strstr(t.data, "\nlost_stdout=16\n") != NULL);
	CHECK(strstr(t.data, "\nlost_jsonl=18\n") != NULL);
	CHECK(strstr(t.data, "\nlost_retention=19\n") != NULL);
	CHECK(strstr(t.data, "\nlost_shed=20\n") != NULL);
	CHECK(strstr(t.data, "\nlost_stdout_shed=21\n") != NULL);
	CHECK(strstr(t.data, "\nlost_jsonl_shed=23\n") != NULL);
	CHECK(status_lost_total(b.lost) == 10 + 11 + 12 + 13 + 14 + 15 + 16 +
						   17 + 18 + 19 + 20 + 21 + 22 +
						   23);
	buf_release(&t);

	/* No armed events: an empty list both ways. */
	a.narmed = 0;
	buf_init(&t, 0);
	CHECK(status_format(&a, &t) == 0);
	CHECK(strstr(t.data, "\narmed=\n") != NULL);
	CHECK(status_parse(t.data, t.len, &b) == 0 && b.narmed == 0);
	buf_release(&t);
}

/* Destinations: the daemon's keys, the forwarder's file, the merge. */
static void test_dests(void)
{
	char dir[] = "/tmp/vigil-status-XXXXXX", path[PATH_MAX];
	struct status_info a, fw, b;
	struct status_dest *d;
	struct buf t;

	sample(&a);
	d = status_dest_get(&a, "siem");
	CHECK(d && status_dest_get(&a, "siem") == d && a.ndests == 1);
	snprintf(d->url, sizeof(d->url), "tls://siem:6514");
	d->lost_retention = 7;
	d = status_dest_get(&a, "fleet");
	snprintf(d->url, sizeof(d->url), "http://ch:8123");
	buf_init(&t, 0);
	CHECK(status_format(&a, &t) == 0);
	CHECK(strstr(t.data, "\ndest.siem.url=tls://siem:6514\n"
			     "dest.siem.lost_retention=7\n") != NULL);
	CHECK(status_parse(t.data, t.len, &b) == 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	buf_release(&t);

	/* the forwarder's file: everything but lost_retention */
	memset(&fw, 0, sizeof(fw));
	fw.pid = 99;
	d = status_dest_get(&fw, "siem");
	snprintf(d->url, sizeof(d->url), "tls://siem:6514");
	d->is_connected = true;
	d->cursor = 1000;
	d->delivered = 900;
	d->backlog = 12;
	d->oldest_ns = 1700000000123456789ull;
	d->cut = 2;
	d->skipped = 1;
	d->error_time = 1700000001;
	snprintf(d->error, sizeof(d->error), "bad\nline\x01");
	buf_init(&t, 0);
	CHECK(status_format_forward(&fw, &t) == 0);
	CHECK(strstr(t.data, "\ndest.siem.error=bad?line?\n") != NULL);
	CHECK(!strstr(t.data, "logged=") && !strstr(t.data, "lost_"));
	buf_release(&t);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/forward", dir);
	CHECK(mkdir(path, 0750) == 0);
	CHECK(status_write_forward(dir, &fw) == 0);
	b = a;
	CHECK(status_read_forward(dir, &b) == 0);
	CHECK(b.forward_pid == 99 && b.ndests == 2);
	d = status_dest_get(&b, "siem");
	CHECK(d && d->is_connected && d->cursor == 1000 &&
	      d->delivered == 900 && d->backlog == 12 &&
	      d->oldest_ns == 1700000000123456789ull && d->cut == 2 &&
	      d->skipped == 1 && d->error_time == 1700000001);
	CHECK(d && d->lost_retention == 7); /* the daemon's, kept */
	CHECK_STR(d ? d->error : "", "bad?line?");
	snprintf(path, sizeof(path), "%s/forward/status", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/forward", dir);
	rmdir(path);
	CHECK(status_read_forward(dir, &b) == -ENOENT);
	rmdir(dir);
}

static int parse(const char *text, struct status_info *st)
{
	return status_parse(text, strlen(text), st);
}

static void test_hostile(void)
{
	struct status_info st;
	char big[PATH_MAX + 64];

	CHECK(parse("pid=7\nnew_key=whatever\nlost_new=3\n", &st) == 0);
	CHECK(st.pid == 7 && status_lost_total(st.lost) == 0);
	CHECK(parse("pid=7", &st) == 0); /* no final newline */
	CHECK(parse("", &st) == -EINVAL); /* no pid */
	CHECK(parse("logged=1\n", &st) == -EINVAL);
	CHECK(parse("pid=0\n", &st) == -EINVAL);
	CHECK(parse("pid=-1\n", &st) == -EINVAL);
	CHECK(parse("pid=4294967296\n", &st) == -EINVAL);
	CHECK(parse("pid=1\nlogged=x\n", &st) == -EINVAL);
	CHECK(parse("pid=1\nlost_ring=1 \n", &st) == -EINVAL);
	CHECK(parse("pid=1\nlost_queue=99999999999999999999\n", &st) ==
	      -EINVAL);
	CHECK(parse("pid=1\narmed=1,,2\n", &st) == -EINVAL);
	CHECK(parse("pid=1\narmed=1,\n", &st) == -EINVAL);
	CHECK(parse("pid=1\narmed=70000\n", &st) == -EINVAL);
	CHECK(parse("pid=1\narmed=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,"
		    "18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33\n",
		    &st) == -EINVAL);
	CHECK(parse("pid=1\nversion=0123456789012345678901234567890123\n",
		    &st) == -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "pid=1\nstore_path=", 17);
	CHECK(parse(big, &st) == -EINVAL);
	CHECK(parse("pid=1\ndest..url=x\n", &st) == -EINVAL);
	CHECK(parse("pid=1\ndest.x=1\n", &st) == -EINVAL);
	CHECK(status_parse("pid=1\ndest.a\0b.url=x\n", 20, &st) == -EINVAL);
	CHECK(parse("pid=1\ndest.A.url=x\n", &st) == -EINVAL);
	CHECK(parse("pid=1\ndest.x.cursor=-1\n", &st) == -EINVAL);
	CHECK(parse("pid=1\ndest.x.new_key=1\n", &st) == 0 && st.ndests == 1);
	CHECK(parse("pid=1\ndest.0123456789012345678901234567890123.url=x\n",
		    &st) == -EINVAL);
	CHECK(parse("pid=1\ndest.a.url=x\ndest.b.url=x\ndest.c.url=x\n"
		    "dest.d.url=x\ndest.e.url=x\ndest.f.url=x\ndest.g.url=x\n"
		    "dest.h.url=x\ndest.i.url=x\n",
		    &st) == -EINVAL);
	/* An embedded NUL never shortens a value silently. */
	CHECK(status_parse("pid=1\nversion=a\0b\n", 18, &st) == -EINVAL);
}

static void test_files(void)
{
	char dir[] = "/tmp/vigil-status-XXXXXX";
	char path[PATH_MAX];
	struct status_info a, b;
	long other = 0;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(status_read(dir, &b) == -ENOENT);
	sample(&a);
	CHECK(status_write(dir, &a) == 0);
	CHECK(status_read(dir, &b) == 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	fd = status_lock_pid(dir, &other);
	CHECK(fd >= 0);
	snprintf(path, sizeof(path), "%s/vigil.pid", dir);
	CHECK(access(path, F_OK) == 0);
	/* A second taker (another open file, as another process would
	 * have) is refused and told who holds it; the file is unchanged. */
	CHECK(status_lock_pid(dir, &other) == -EBUSY);
	CHECK(other == (long)getpid());
	{
		FILE *f = fopen(path, "r");
		long pid = 0;

		CHECK(f && fscanf(f, "%ld", &pid) == 1 &&
		      pid == (long)getpid());
		if (f)
			fclose(f);
	}
	status_remove(dir, fd);
	/* Once released, it can be taken again. */
	fd = status_lock_pid(dir, &other);
	CHECK(fd >= 0);
	status_remove(dir, fd);
	CHECK(access(path, F_OK) < 0);
	CHECK(status_read(dir, &b) == -ENOENT);
	CHECK(rmdir(dir) == 0); /* nothing else was left there */

	CHECK(status_store_bytes(NULL) == 0);
	CHECK(status_store_bytes("") == 0);
	CHECK(status_store_bytes("/nonexistent/x.db") == 0);
}

/* Event 255's text: singular for one, every reason with its total. */
static void test_loss_text(void)
{
	uint64_t lost[LOSS_MAX] = { 0 };
	struct buf b;

	lost[LOSS_STDOUT] = 7;
	lost[LOSS_QUEUE] = 1;
	buf_init(&b, 0);
	CHECK(status_format_losses(&b, 1, lost) == 0);
	CHECK(b.data && strncmp(b.data,
				"1 event lost since the last report; "
				"totals since start: kernel ring "
				"buffer full 0, ",
				strlen("1 event lost since the last report; "
				       "totals since start: kernel ring "
				       "buffer full 0, ")) == 0);
	CHECK(b.data && strstr(b.data, ", queue full 1, "));
	CHECK(b.data &&
	      strstr(b.data, ", not written to stdout (behind or failed) 7"));
	buf_reset(&b);
	CHECK(status_format_losses(&b, 2, lost) == 0);
	CHECK(b.data && strncmp(b.data, "2 events lost since", 19) == 0);
	buf_release(&b);
}

int main(void)
{
	test_loss_text();
	test_table();
	test_round_trip();
	test_hostile();
	test_files();
	test_dests();
	return tap_done("status");
}
