/* SPDX-License-Identifier: MIT */
/*
 * wire_record - developer tool (root): load the sensor, run a command,
 * and write the ring-buffer records of that command's process tree, raw,
 * to a wire log (tests/wire_log.h) for the golden replay tier.
 *
 *   wire_record OUT.wire COMMAND [ARGS...]
 *
 * The command runs in / with the recorder's environment.  Only records
 * whose acting process is the command or one of its descendants are kept
 * (the tree grows with their fork records), so other activity on the
 * machine stays out.  Fails when the kernel reports a lost record: a
 * recording with a gap would be a wrong golden file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../wire_log.h"
#include "sensor/sensor.h"

#define TREE_MAX 256

struct recording {
	uint32_t tree[TREE_MAX]; /* tgids of the command's live processes */
	size_t ntree;
	FILE *out;
	size_t nrecords;
	int error;
};

static bool in_tree(const struct recording *r, uint32_t tgid)
{
	for (size_t i = 0; i < r->ntree; i++)
		if (r->tree[i] == tgid)
			return true;
	return false;
}

static void tree_add(struct recording *r, uint32_t tgid)
{
	if (in_tree(r, tgid))
		return;
	if (r->ntree == TREE_MAX) {
		fprintf(stderr, "wire_record: more than %d processes\n",
			TREE_MAX);
		r->error = -E2BIG;
		return;
	}
	r->tree[r->ntree++] = tgid;
}

static void tree_remove(struct recording *r, uint32_t tgid)
{
	for (size_t i = 0; i < r->ntree; i++)
		if (r->tree[i] == tgid)
			r->tree[i] = r->tree[--r->ntree];
}

static int on_record(void *ctx, const void *data, size_t len)
{
	struct recording *r = ctx;
	struct wire_hdr h;
	struct wire_task t;

	if (len < sizeof(h) + sizeof(t))
		return 0;
	memcpy(&h, data, sizeof(h));
	memcpy(&t, (const char *)data + sizeof(h), sizeof(t));
	if (!in_tree(r, t.tgid))
		return 0;
	if (h.kind == WIRE_FORK && len >= sizeof(struct wire_fork)) {
		struct wire_fork f;

		memcpy(&f, data, sizeof(f));
		tree_add(r, f.child_tgid);
	}
	if (wire_log_put(r->out, data, len) < 0)
		r->error = -EIO;
	r->nrecords++;
	if (h.kind == WIRE_EXIT)
		tree_remove(r, t.tgid);
	return 0;
}

static uint64_t lost(struct sensor *s)
{
	uint64_t drops[SENSOR_DROP_MAX] = { 0 }, n = 0;

	sensor_drops(s, drops);
	for (int i = 0; i < SENSOR_DROP_MAX; i++)
		n += drops[i];
	return n;
}

int main(int argc, char **argv)
{
	struct recording rec = { 0 };
	struct sensor_opts so = { 0 };
	char layout[WIRE_LOG_LINE_MAX];
	struct sensor *s;
	uint64_t lost_before;
	pid_t child;
	int status = 0;

	if (argc < 3) {
		fprintf(stderr,
			"usage: wire_record OUT.wire COMMAND [ARGS...]\n");
		return 2;
	}
	rec.out = fopen(argv[1], "wb");
	if (!rec.out) {
		perror(argv[1]);
		return 1;
	}
	wire_log_layout(layout, sizeof(layout));
	fprintf(rec.out, "%s\n", layout);
	so.self_tgid = (uint32_t)getpid();
	so.ring_kib = 8192;
	so.on_record = on_record;
	so.ctx = &rec;
	s = sensor_open(&so); /* every family armed */
	if (!s) {
		perror("wire_record: sensor");
		return 1;
	}
	lost_before = lost(s);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		if (chdir("/") == 0)
			execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	/* Our own fork is not recorded (the sensor skips its loader): the
	 * tree starts with the child, whose exec comes next. */
	tree_add(&rec, (uint32_t)child);
	while (waitpid(child, &status, WNOHANG) == 0)
		sensor_poll(s, 50);
	/* Descendants may outlive the command a little; then drain. */
	for (int i = 0; i < 20 && rec.ntree > 0; i++)
		sensor_poll(s, 50);
	sensor_poll(s, 0);
	if (lost(s) != lost_before) {
		fprintf(stderr, "wire_record: the kernel lost records; record "
				"again on a quieter machine\n");
		rec.error = -EAGAIN;
	}
	if (rec.ntree > 0)
		fprintf(stderr,
			"wire_record: %zu processes of the command still "
			"running (their exits are not recorded)\n",
			rec.ntree);
	sensor_close(s);
	if (fclose(rec.out) != 0)
		rec.error = -EIO;
	fprintf(stderr, "wire_record: %zu records, command exit status %d\n",
		rec.nrecords, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return rec.error ? 1 : 0;
}
