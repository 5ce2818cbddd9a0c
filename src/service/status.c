/* SPDX-License-Identifier: MIT */
/*
 * service/status.c - `vigil status`: read the daemon's status file
 * (<run_dir>/status, rewritten every second; format in daemon/daemon.h)
 * and print it for a person.
 *
 * The file is parsed, not trusted: values are bounded and numbers
 * checked, and a file whose pid is not a live vigil is reported as stale.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "config/config.h"
#include "internal.h"
#include "settings/settings.h"
#include "util/buf.h"

#define STATUS_MAX_BYTES 65536

static int copy_value(char *dst, size_t cap, const char *v, size_t len)
{
	if (len >= cap)
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

static int set_key(struct svc_status *st, const char *k, size_t klen,
		   const char *v, size_t vlen)
{
	struct {
		const char *name;
		uint64_t *num;
		char *str;
		size_t cap;
	} keys[] = {
		{ "logged", &st->logged, NULL, 0 },
		{ "lost_ring", &st->lost_ring, NULL, 0 },
		{ "lost_queue", &st->lost_queue, NULL, 0 },
		{ "lost_sink", &st->lost_sink, NULL, 0 },
		{ "lost_other", &st->lost_other, NULL, 0 },
		{ "store_bytes", &st->store_bytes, NULL, 0 },
		{ "version", NULL, st->version, sizeof(st->version) },
		{ "config_path", NULL, st->config_path,
		  sizeof(st->config_path) },
		{ "config_hash", NULL, st->config_hash,
		  sizeof(st->config_hash) },
		{ "schema_version", NULL, st->schema_version,
		  sizeof(st->schema_version) },
		{ "armed", NULL, st->armed, sizeof(st->armed) },
		{ "store_path", NULL, st->store_path, sizeof(st->store_path) },
	};
	uint64_t n;
	int err;

	if (klen == 3 && memcmp(k, "pid", 3) == 0) {
		err = parse_u64(v, vlen, &n);
		if (err || n < 1 || n > INT32_MAX)
			return -EINVAL;
		st->pid = (long)n;
		return 0;
	}
	if (klen == 7 && memcmp(k, "started", 7) == 0) {
		err = parse_u64(v, vlen, &n);
		if (err || n > INT64_MAX)
			return -EINVAL;
		st->started = (long long)n;
		return 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i].name) != klen ||
		    memcmp(keys[i].name, k, klen) != 0)
			continue;
		if (keys[i].num)
			return parse_u64(v, vlen, keys[i].num);
		return copy_value(keys[i].str, keys[i].cap, v, vlen);
	}
	return 0; /* a key a newer daemon added */
}

int svc_status_parse(const char *text, size_t len, struct svc_status *st)
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

int svc_status_read(const char *run_dir, struct svc_status *st)
{
	char path[PATH_MAX + 16];
	struct buf b;
	int err;

	snprintf(path, sizeof(path), "%s/status", run_dir);
	buf_init(&b, STATUS_MAX_BYTES);
	err = svc_read_file(path, STATUS_MAX_BYTES, &b);
	if (!err)
		err = svc_status_parse(b.data, b.len, st);
	buf_release(&b);
	return err;
}

static void print_duration(long long s)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		printf("%lldd ", s / 86400);
	if (s >= 3600)
		printf("%lldh ", s / 3600 % 24);
	if (s >= 60)
		printf("%lldm ", s / 60 % 60);
	printf("%llds", s % 60);
}

static void print_size(uint64_t n)
{
	if (n >= 1ull << 30)
		printf("%.1f GiB", (double)n / (double)(1ull << 30));
	else if (n >= 1ull << 20)
		printf("%.1f MiB", (double)n / (double)(1ull << 20));
	else if (n >= 1ull << 10)
		printf("%.1f KiB", (double)n / (double)(1ull << 10));
	else
		printf("%" PRIu64 " bytes", n);
}

/* "1,3,5" -> "1 Process Create, 3 Network connection detected, ..." */
static void print_armed(const char *armed)
{
	const char *p = armed;
	bool first = true;

	if (!*p) {
		printf("none");
		return;
	}
	while (*p) {
		char *end;
		unsigned long id = strtoul(p, &end, 10);
		const struct catalog_event *ev;

		if (end == p)
			break;
		ev = id <= 65535 ? catalog_lookup((unsigned)id) : NULL;
		printf("%s%lu%s%s", first ? "" : "\n                 ", id,
		       ev ? " " : "", ev ? ev->task : "");
		first = false;
		p = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end)
			break;
	}
}

static void print_status(const struct svc_status *st, const char *state)
{
	time_t now = time(NULL);

	printf("vigil is %s\n", state);
	printf("  pid            %ld\n", st->pid);
	printf("  uptime         ");
	print_duration((long long)now - st->started);
	printf("\n  version        %s\n", st->version);
	printf("  config         %s\n", st->config_path);
	printf("  config hash    SHA256=%s\n", st->config_hash);
	printf("  schema         %s\n", st->schema_version);
	printf("  armed events   ");
	print_armed(st->armed);
	printf("\n  events logged  %" PRIu64 "\n", st->logged);
	printf("  events lost    %" PRIu64 " (ring buffer %" PRIu64
	       ", queue %" PRIu64 ", outputs %" PRIu64 ", other %" PRIu64 ")\n",
	       st->lost_ring + st->lost_queue + st->lost_sink + st->lost_other,
	       st->lost_ring, st->lost_queue, st->lost_sink, st->lost_other);
	printf("  store          %s", st->store_path);
	if (strcmp(st->store_path, "-") != 0) {
		printf(" (");
		print_size(st->store_bytes);
		printf(")");
	}
	printf("\n");
}

/* Not running: say where things would be, so the user knows what to look
 * at. */
static void print_stopped(const struct svc_paths *p, const struct settings *s,
			  bool is_installed)
{
	struct stat sb;

	printf("vigil is not running\n");
	printf("  installed      %s\n",
	       is_installed ? p->config : "no (install with vigil -i)");
	if (s->store_path[0] && stat(s->store_path, &sb) == 0) {
		printf("  store          %s (", s->store_path);
		print_size((uint64_t)sb.st_size);
		printf(")\n");
	}
}

static int status_usage(void)
{
	fprintf(stderr, "usage: vigil status [--settings FILE]\n");
	return SVC_EXIT_USAGE;
}

int svc_status_main(int argc, char **argv)
{
	const char *settings_path = NULL;
	struct svc_paths p;
	struct settings s;
	struct svc_status st;
	struct diag d = { 0 };
	pid_t pid;
	int err;

	if (argc == 3 && strcmp(argv[1], "--settings") == 0)
		settings_path = argv[2];
	else if (argc != 1)
		return status_usage();
	err = svc_paths_init(&p, getenv("VIGIL_ROOT"));
	if (err) {
		fprintf(stderr, "vigil: VIGIL_ROOT: %s\n", strerror(-err));
		return SVC_EXIT_FAIL;
	}
	if (settings_path) {
		settings_defaults(&s);
		err = settings_load(&s, settings_path, &d);
		if (err == -EINVAL)
			fprintf(stderr, "%s:%d:%d: %s\n", d.file, d.line, d.col,
				d.msg);
		else if (err)
			fprintf(stderr, "vigil: %s: %s\n", settings_path,
				strerror(-err));
	} else {
		err = svc_settings_load(&p, &s);
		if (err == -ENOENT)
			err = 0;
	}
	if (err)
		return SVC_EXIT_FAIL;
	pid = svc_daemon_pid(s.run_dir);
	err = svc_status_read(s.run_dir, &st);
	if (pid && !err && st.pid == pid) {
		print_status(&st, "running");
		return SVC_EXIT_OK;
	}
	if (pid) {
		printf("vigil is starting or not responding (pid %d, no "
		       "status in %s)\n",
		       (int)pid, s.run_dir);
		return SVC_EXIT_FAIL;
	}
	if (!err)
		printf("(stale status file from pid %ld in %s)\n", st.pid,
		       s.run_dir);
	print_stopped(&p, &s, svc_exists(p.config));
	return SVC_EXIT_NOT_RUNNING;
}
