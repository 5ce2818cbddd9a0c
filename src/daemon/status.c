/* SPDX-License-Identifier: MIT */
/*
 * daemon/status.c - the status and pid files in the run directory.
 * Written by the daemon only; `vigil status` and tests read them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "util/version.h"

static unsigned long long store_bytes(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	unsigned long long total = 0;
	char p[PATH_MAX + 8];
	struct stat sb;

	if (!path || !path[0])
		return 0;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		if (stat(p, &sb) == 0)
			total += (unsigned long long)sb.st_size;
	}
	return total;
}

static void put_counters(FILE *f, const struct daemon_counters *c)
{
	fprintf(f, "logged=%llu\n", (unsigned long long)c->logged);
	fprintf(f, "lost_ring=%llu\n", (unsigned long long)c->lost_ring);
	fprintf(f, "lost_queue=%llu\n", (unsigned long long)c->lost_queue);
	fprintf(f, "lost_sink=%llu\n", (unsigned long long)c->lost_sink);
	fprintf(f, "lost_other=%llu\n",
		(unsigned long long)(c->lost_other + c->lost_decode +
				     c->lost_pending));
	fprintf(f, "net_filtered=%llu\n", (unsigned long long)c->net_filtered);
	fprintf(f, "udp_flows=%llu\nudp_repeats=%llu\nudp_evicted=%llu\n",
		(unsigned long long)c->udp_flows,
		(unsigned long long)c->udp_repeats,
		(unsigned long long)c->udp_evicted);
	fprintf(f, "dns_unanswered=%llu\ndns_malformed=%llu\n",
		(unsigned long long)c->dns_unanswered,
		(unsigned long long)c->dns_malformed);
	fprintf(f, "reverse_lookups=%llu\nreverse_slow=%llu\n",
		(unsigned long long)c->reverse_lookups,
		(unsigned long long)c->reverse_slow);
}

int status_write(const char *run_dir, const struct daemon_status *st)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(path, sizeof(path), "%s/status", run_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "pid=%u\nstarted=%lld\nversion=%s\n", st->pid,
		(long long)st->started, VIGIL_VERSION);
	fprintf(f, "config_path=%s\nconfig_hash=%s\nschema_version=%s\n",
		st->config_path ? st->config_path : "(built-in)",
		st->config_hash, st->schema_version);
	fprintf(f, "armed=");
	for (size_t i = 0; i < st->narmed; i++)
		fprintf(f, "%s%u", i ? "," : "", st->armed[i]);
	fprintf(f, "\n");
	put_counters(f, &st->counters);
	fprintf(f, "store_path=%s\nstore_bytes=%llu\n",
		st->store_path && st->store_path[0] ? st->store_path : "-",
		store_bytes(st->store_path));
	fprintf(f, "bpf_map_bytes=%llu\nprocesses=%zu\n",
		(unsigned long long)st->sensor_map_bytes, st->proc_entries);
	if (fclose(f) != 0)
		return -errno;
	return rename(tmp, path) < 0 ? -errno : 0;
}

int status_write_pid(const char *run_dir)
{
	char path[PATH_MAX];
	FILE *f;

	if (mkdir(run_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/vigil.pid", run_dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) == 0 ? 0 : -errno;
}

void status_remove(const char *run_dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/vigil.pid", run_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/status", run_dir);
	unlink(path);
}
