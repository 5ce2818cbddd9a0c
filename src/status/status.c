/* SPDX-License-Identifier: MIT */
/*
 * status/status.c - the status and pid files in the run directory, and
 * the table of loss reasons.  Written by the daemon only; `vigil status`,
 * the service commands and tests read them.
 *
 * The file is parsed, not trusted: values are bounded and numbers
 * checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "util/buf.h"
#include "util/file.h"

#define STATUS_MAX_BYTES 65536

/* The texts are those of event 255's Description; keep them stable, SIEM
 * searches match them. */
static const struct loss_def losses[LOSS_MAX] = {
	[LOSS_RING] = { "ring", "kernel ring buffer full" },
	[LOSS_SCRATCH] = { "scratch", "kernel scratch unavailable" },
	[LOSS_QUEUE] = { "queue", "queue full" },
	[LOSS_SINK] = { "sink", "output failed" },
	[LOSS_DECODE] = { "decode", "malformed record" },
	[LOSS_PENDING] = { "pending", "enrichment backlog full" },
	[LOSS_STDOUT] = { "stdout",
			  "not written to stdout (behind or failed)" },
	[LOSS_SYSLOG] = { "syslog", "not sent to syslog (behind or failed)" },
	[LOSS_JSONL] = { "jsonl",
			 "not written to the JSON file (behind or failed)" },
	[LOSS_RETENTION] = { "retention",
			     "deleted by retention before forwarding" },
	[LOSS_SHED] = { "shed", "shed under load (shed_first)" },
	[LOSS_STDOUT_SHED] = { "stdout_shed",
			       "shed before stdout (shed_first)" },
	[LOSS_SYSLOG_SHED] = { "syslog_shed",
			       "shed before syslog (shed_first)" },
	[LOSS_JSONL_SHED] = { "jsonl_shed",
			      "shed before the JSON file (shed_first)" },
};

static const char *const counts[COUNT_MAX] = {
	[COUNT_NET_FILTERED] = "net_filtered",
	[COUNT_FILE_FILTERED] = "file_filtered",
	[COUNT_UDP_FLOWS] = "udp_flows",
	[COUNT_UDP_REPEATS] = "udp_repeats",
	[COUNT_UDP_EVICTED] = "udp_evicted",
	[COUNT_DNS_UNANSWERED] = "dns_unanswered",
	[COUNT_DNS_MALFORMED] = "dns_malformed",
	[COUNT_REVERSE_LOOKUPS] = "reverse_lookups",
	[COUNT_REVERSE_SLOW] = "reverse_slow",
	[COUNT_IMAGE_SKIPS] = "image_skips",
};

const char *status_count_key(enum status_count c)
{
	return counts[c];
}

const struct loss_def *status_loss(enum loss_reason r)
{
	return &losses[r];
}

int status_format_losses(struct buf *out, uint64_t n,
			 const uint64_t lost[LOSS_MAX])
{
	int err = buf_addf(out,
			   "%llu event%s lost since the last report; "
			   "totals since start: ",
			   (unsigned long long)n, n == 1 ? "" : "s");

	for (size_t i = 0; i < LOSS_MAX; i++)
		err |= buf_addf(out, "%s%s %llu", i ? ", " : "", losses[i].text,
				(unsigned long long)lost[i]);
	return err ? -ENOMEM : 0;
}

uint64_t status_lost_total(const uint64_t lost[LOSS_MAX])
{
	uint64_t total = 0;

	for (size_t i = 0; i < LOSS_MAX; i++)
		total += lost[i];
	return total;
}

/* Printable ASCII only: the text comes from the network, at times. */
static void put_clean(struct buf *out, const char *s, int *err)
{
	for (; *s; s++)
		*err |= buf_addc(out, *s >= 0x20 && *s < 0x7f ? *s : '?');
}

static int format_dests(const struct status_info *st, struct buf *out,
			bool is_forwarder)
{
	int err = 0;

	for (size_t i = 0; i < st->ndests && i < STATUS_MAX_DESTS; i++) {
		const struct status_dest *d = &st->dests[i];
		char pre[48];

		snprintf(pre, sizeof(pre), "dest.%s.", d->name);
		err |= buf_addf(out, "%surl=", pre);
		put_clean(out, d->url, &err);
		err |= buf_addc(out, '\n');
		if (!is_forwarder) {
			err |= buf_addf(out, "%slost_retention=%llu\n", pre,
					(unsigned long long)d->lost_retention);
			continue;
		}
		err |= buf_addf(out, "%sconnected=%d\n", pre,
				d->is_connected ? 1 : 0);
		err |= buf_addf(out, "%scursor=%llu\n%sdelivered=%llu\n", pre,
				(unsigned long long)d->cursor, pre,
				(unsigned long long)d->delivered);
		err |= buf_addf(out, "%sbacklog=%llu\n%soldest_ns=%llu\n", pre,
				(unsigned long long)d->backlog, pre,
				(unsigned long long)d->oldest_ns);
		err |= buf_addf(out, "%scut=%llu\n%sskipped=%llu\n", pre,
				(unsigned long long)d->cut, pre,
				(unsigned long long)d->skipped);
		err |= buf_addf(out, "%serror_time=%lld\n%serror=", pre,
				d->error_time, pre);
		put_clean(out, d->error, &err);
		err |= buf_addc(out, '\n');
	}
	return err;
}

int status_format_forward(const struct status_info *st, struct buf *out)
{
	int err = 0;

	err |= buf_addf(out, "pid=%ld\nstarted=%lld\nversion=%s\n", st->pid,
			st->started, st->version);
	err |= format_dests(st, out, true);
	if (err)
		return -ENOMEM;
	return out->is_full ? -EFBIG : 0;
}

struct status_dest *status_dest_get(struct status_info *st, const char *name)
{
	for (size_t i = 0; i < st->ndests; i++)
		if (strcmp(st->dests[i].name, name) == 0)
			return &st->dests[i];
	if (st->ndests >= STATUS_MAX_DESTS ||
	    strlen(name) >= sizeof(st->dests[0].name))
		return NULL;
	memset(&st->dests[st->ndests], 0, sizeof(st->dests[0]));
	snprintf(st->dests[st->ndests].name, sizeof(st->dests[0].name), "%s",
		 name);
	return &st->dests[st->ndests++];
}

int status_format(const struct status_info *st, struct buf *out)
{
	int err = 0;

	err |= buf_addf(out, "pid=%ld\nstarted=%lld\nversion=%s\n", st->pid,
			st->started, st->version);
	err |= buf_addf(out, "config_path=%s\nconfig_hash=%s\n",
			st->config_path, st->config_hash);
	err |= buf_addf(out, "config_error=%s\nconfig_running=%s\n",
			st->config_error, st->config_running);
	err |= buf_addf(out, "schema_version=%s\nconfig_schema=%s\narmed=",
			st->schema_version, st->config_schema);
	for (size_t i = 0; i < st->narmed && i < STATUS_MAX_ARMED; i++)
		err |= buf_addf(out, "%s%u", i ? "," : "", st->armed[i]);
	err |= buf_addf(out, "\nunavailable=");
	for (size_t i = 0; i < st->nunavailable && i < STATUS_MAX_ARMED; i++)
		err |= buf_addf(out, "%s%u", i ? "," : "", st->unavailable[i]);
	err |= buf_addf(out, "\nlogged=%llu\n", (unsigned long long)st->logged);
	for (size_t i = 0; i < LOSS_MAX; i++)
		err |= buf_addf(out, "lost_%s=%llu\n", losses[i].key,
				(unsigned long long)st->lost[i]);
	for (size_t i = 0; i < COUNT_MAX; i++)
		err |= buf_addf(out, "%s=%llu\n", counts[i],
				(unsigned long long)st->counts[i]);
	err |= buf_addf(out, "store_path=%s\nstore_bytes=%llu\n",
			st->store_path, (unsigned long long)st->store_bytes);
	err |= buf_addf(out, "bpf_map_bytes=%llu\nprocesses=%llu\n",
			(unsigned long long)st->bpf_map_bytes,
			(unsigned long long)st->processes);
	err |= format_dests(st, out, false);
	if (err)
		return -ENOMEM;
	return out->is_full ? -EFBIG : 0;
}

static int copy_value(char *dst, size_t cap, const char *v, size_t len)
{
	if (len >= cap || memchr(v, '\0', len))
		return -EINVAL;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int parse_u64(const char *v, size_t len, uint64_t *out)
{
	char tmp[32], *end;

	if (!len || len >= sizeof(tmp) || v[0] < '0' || v[0] > '9')
		return -EINVAL;
	memcpy(tmp, v, len);
	tmp[len] = '\0';
	errno = 0;
	*out = strtoull(tmp, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* "1,4,5" -> ids[]; more than STATUS_MAX_ARMED ids is an error. */
static int parse_ids(const char *v, size_t len, unsigned *ids, size_t *n)
{
	const char *p = v, *end = v + len;
	uint64_t id;
	int err;

	*n = 0;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		err = parse_u64(p, (size_t)(stop - p), &id);
		if (err || id > 65535 || *n >= STATUS_MAX_ARMED)
			return -EINVAL;
		ids[(*n)++] = (unsigned)id;
		p = comma ? comma + 1 : end;
		if (comma && p == end)
			return -EINVAL; /* a trailing comma */
	}
	return 0;
}

static bool key_is(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(k, name, klen) == 0;
}

/* dest.<name>.<key>=value */
static int set_dest_key(struct status_info *st, const char *k, size_t klen,
			const char *v, size_t vlen)
{
	const char *name = k + 5, *dot = memchr(name, '.', klen - 5);
	char nm[sizeof(st->dests[0].name)];
	struct status_dest *d;
	const char *key;
	size_t kl;
	uint64_t n;
	int err;

	if (!dot || dot == name || (size_t)(dot - name) >= sizeof(nm))
		return -EINVAL;
	/* a destination name of vigil.conf: [a-z0-9_-] */
	for (const char *c = name; c < dot; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '-'))
			return -EINVAL;
	memcpy(nm, name, (size_t)(dot - name));
	nm[dot - name] = '\0';
	d = status_dest_get(st, nm);
	if (!d)
		return -EINVAL;
	key = dot + 1;
	kl = klen - (size_t)(key - k);
	if (key_is(key, kl, "url"))
		return copy_value(d->url, sizeof(d->url), v, vlen);
	if (key_is(key, kl, "error"))
		return copy_value(d->error, sizeof(d->error), v, vlen);
	if (key_is(key, kl, "connected")) {
		err = parse_u64(v, vlen, &n);
		d->is_connected = n != 0;
		return err;
	}
	if (key_is(key, kl, "error_time")) {
		err = parse_u64(v, vlen, &n);
		if (err || n > INT64_MAX)
			return -EINVAL;
		d->error_time = (long long)n;
		return 0;
	}
	{
		struct {
			const char *name;
			uint64_t *num;
		} nums[] = {
			{ "cursor", &d->cursor },
			{ "delivered", &d->delivered },
			{ "backlog", &d->backlog },
			{ "oldest_ns", &d->oldest_ns },
			{ "cut", &d->cut },
			{ "skipped", &d->skipped },
			{ "lost_retention", &d->lost_retention },
		};

		for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
			if (key_is(key, kl, nums[i].name))
				return parse_u64(v, vlen, nums[i].num);
	}
	return 0;
}

static int set_key(struct status_info *st, const char *k, size_t klen,
		   const char *v, size_t vlen)
{
	struct {
		const char *name;
		uint64_t *num;
		char *str;
		size_t cap;
	} keys[] = {
		{ "logged", &st->logged, NULL, 0 },
		{ "store_bytes", &st->store_bytes, NULL, 0 },
		{ "bpf_map_bytes", &st->bpf_map_bytes, NULL, 0 },
		{ "processes", &st->processes, NULL, 0 },
		{ "version", NULL, st->version, sizeof(st->version) },
		{ "config_path", NULL, st->config_path,
		  sizeof(st->config_path) },
		{ "config_hash", NULL, st->config_hash,
		  sizeof(st->config_hash) },
		{ "config_error", NULL, st->config_error,
		  sizeof(st->config_error) },
		{ "config_running", NULL, st->config_running,
		  sizeof(st->config_running) },
		{ "schema_version", NULL, st->schema_version,
		  sizeof(st->schema_version) },
		{ "config_schema", NULL, st->config_schema,
		  sizeof(st->config_schema) },
		{ "store_path", NULL, st->store_path, sizeof(st->store_path) },
	};
	uint64_t n;
	int err;

	if (key_is(k, klen, "pid")) {
		err = parse_u64(v, vlen, &n);
		if (err || n < 1 || n > INT32_MAX)
			return -EINVAL;
		st->pid = (long)n;
		return 0;
	}
	if (key_is(k, klen, "started")) {
		err = parse_u64(v, vlen, &n);
		if (err || n > INT64_MAX)
			return -EINVAL;
		st->started = (long long)n;
		return 0;
	}
	if (key_is(k, klen, "armed"))
		return parse_ids(v, vlen, st->armed, &st->narmed);
	if (key_is(k, klen, "unavailable"))
		return parse_ids(v, vlen, st->unavailable, &st->nunavailable);
	if (klen > 5 && memcmp(k, "dest.", 5) == 0)
		return set_dest_key(st, k, klen, v, vlen);
	if (klen > 5 && memcmp(k, "lost_", 5) == 0)
		for (size_t i = 0; i < LOSS_MAX; i++)
			if (key_is(k + 5, klen - 5, losses[i].key))
				return parse_u64(v, vlen, &st->lost[i]);
	for (size_t i = 0; i < COUNT_MAX; i++)
		if (key_is(k, klen, counts[i]))
			return parse_u64(v, vlen, &st->counts[i]);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!key_is(k, klen, keys[i].name))
			continue;
		if (keys[i].num)
			return parse_u64(v, vlen, keys[i].num);
		return copy_value(keys[i].str, keys[i].cap, v, vlen);
	}
	return 0; /* a key a newer daemon added */
}

int status_parse(const char *text, size_t len, struct status_info *st)
{
	const char *p = text, *end = text + len;
	int err;

	memset(st, 0, sizeof(*st));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(eol - p));

		if (eq) {
			err = set_key(st, p, (size_t)(eq - p), eq + 1,
				      (size_t)(eol - eq - 1));
			if (err)
				return err;
		}
		p = eol + 1;
	}
	return st->pid ? 0 : -EINVAL;
}

int status_write(const char *run_dir, const struct status_info *st)
{
	char path[PATH_MAX];
	struct buf b;
	int err;

	if (snprintf(path, sizeof(path), "%s/status", run_dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	buf_init(&b, STATUS_MAX_BYTES);
	err = status_format(st, &b);
	/* 0640: what the service's umask (027) always gave it. */
	if (!err)
		err = file_write_atomic(path, b.data, b.len, 0640);
	buf_release(&b);
	return err;
}

int status_write_forward(const char *run_dir, const struct status_info *st)
{
	char path[PATH_MAX];
	struct buf b;
	int err;

	if (snprintf(path, sizeof(path), "%s/forward/status", run_dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	buf_init(&b, STATUS_MAX_BYTES);
	err = status_format_forward(st, &b);
	if (!err)
		err = file_write_atomic(path, b.data, b.len, 0640);
	buf_release(&b);
	return err;
}

int status_read_forward(const char *run_dir, struct status_info *st)
{
	struct status_info *fw = malloc(sizeof(*fw));
	char path[PATH_MAX + 16];
	struct buf b;
	int err;

	if (!fw)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/forward/status", run_dir);
	buf_init(&b, STATUS_MAX_BYTES);
	err = file_read_all(path, STATUS_MAX_BYTES, &b);
	if (!err)
		err = status_parse(b.data, b.len, fw);
	buf_release(&b);
	for (size_t i = 0; !err && i < fw->ndests; i++) {
		struct status_dest *d = status_dest_get(st, fw->dests[i].name);
		uint64_t lost;

		if (!d)
			continue;
		lost = d->lost_retention;
		*d = fw->dests[i];
		d->lost_retention = lost;
	}
	if (!err)
		st->forward_pid = fw->pid;
	free(fw);
	return err;
}

int status_read(const char *run_dir, struct status_info *st)
{
	char path[PATH_MAX + 16];
	struct buf b;
	int err;

	snprintf(path, sizeof(path), "%s/status", run_dir);
	buf_init(&b, STATUS_MAX_BYTES);
	err = file_read_all(path, STATUS_MAX_BYTES, &b);
	if (!err)
		err = status_parse(b.data, b.len, st);
	buf_release(&b);
	return err;
}

uint64_t status_store_bytes(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	uint64_t total = 0;
	char p[PATH_MAX + 8];
	struct stat sb;

	if (!path || !path[0])
		return 0;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		if (stat(p, &sb) == 0)
			total += (uint64_t)sb.st_size;
	}
	return total;
}

/* The pid written in an open pid file, 0 when it holds none. */
static long read_pid(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, &end, 10);
	return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

int status_lock_pid(const char *run_dir, long *other_pid)
{
	char path[PATH_MAX], text[32];
	struct stat a, b;
	int fd, n;

	*other_pid = 0;
	if (mkdir(run_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/vigil.pid", run_dir);
	/* A few rounds: the holder may unlink the file as it exits, after
	 * we opened it; a lock on a file no longer at the path is no lock. */
	for (int round = 0; round < 10; round++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			  0644);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			int err = errno == EWOULDBLOCK ? -EBUSY : -errno;

			*other_pid = read_pid(fd);
			close(fd);
			return err;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return -EBUSY;
	n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void status_remove(const char *run_dir, int pid_fd)
{
	char path[PATH_MAX];

	/* Unlink while still holding the lock: a newcomer that opened the
	 * old file sees it gone and starts over on a new one. */
	snprintf(path, sizeof(path), "%s/vigil.pid", run_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/status", run_dir);
	unlink(path);
	if (pid_fd >= 0)
		close(pid_fd);
}
