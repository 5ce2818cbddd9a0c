/* SPDX-License-Identifier: MIT */
/*
 * cli/status.c - `vigil status`: read the daemon's status file (written
 * every second; format and parser in status/status.h) and print it for a
 * person.  A file whose pid is not a live vigil is reported as stale.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "config/config.h"
#include "internal.h"
#include "service/service.h"
#include "settings/settings.h"
#include "status/status.h"
#include "util/token.h"

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

/* One armed event per line: its id and its task name. */
static void print_armed(const struct status_info *st)
{
	if (!st->narmed) {
		printf("none");
		return;
	}
	for (size_t i = 0; i < st->narmed; i++) {
		const struct catalog_event *ev = catalog_lookup(st->armed[i]);

		printf("%s%u%s%s", i ? "\n                 " : "", st->armed[i],
		       ev ? " " : "", ev ? ev->task : "");
	}
}

/* "12 (queue full 12)": the reasons that lost anything. */
static void print_lost(const struct status_info *st)
{
	bool first = true;

	printf("%" PRIu64, status_lost_total(st->lost));
	for (size_t i = 0; i < LOSS_MAX; i++) {
		if (!st->lost[i])
			continue;
		printf("%s%s %" PRIu64, first ? " (" : ", ",
		       status_loss(i)->text, st->lost[i]);
		first = false;
	}
	if (!first)
		printf(")");
}

static void print_age(uint64_t ns)
{
	uint64_t now = (uint64_t)time(NULL);
	uint64_t s = ns / 1000000000ull;

	print_duration(now > s ? (long long)(now - s) : 0);
}

/* Per destination: connected, what was delivered, backlog, losses, the
 * last error. */
static void print_dests(const struct status_info *st)
{
	if (!st->ndests)
		return;
	if (!st->forward_pid)
		printf("  forwarder      not running\n");
	for (size_t i = 0; i < st->ndests; i++) {
		const struct status_dest *d = &st->dests[i];

		printf("  %-14s %s: %s, %s\n", i ? "" : "forwarding", d->name,
		       d->url,
		       !st->forward_pid	 ? "-"
		       : d->is_connected ? "connected"
					 : "not connected");
		if (st->forward_pid) {
			printf("                   delivered %" PRIu64
			       " (cursor %" PRIu64 "), backlog %" PRIu64,
			       d->delivered, d->cursor, d->backlog);
			if (d->backlog && d->oldest_ns) {
				printf(" (oldest ");
				print_age(d->oldest_ns);
				printf(" old)");
			}
			printf("\n");
		}
		printf("                   lost to retention %" PRIu64,
		       d->lost_retention);
		if (d->cut || d->skipped)
			printf(", cut %" PRIu64 ", skipped %" PRIu64, d->cut,
			       d->skipped);
		printf("\n");
		if (st->forward_pid && d->error_time) {
			printf("                   last error (");
			print_duration((long long)time(NULL) - d->error_time);
			printf(" ago): %s\n", d->error);
		}
	}
}

static void print_status(const struct status_info *st, const char *state)
{
	time_t now = time(NULL);

	printf("vigil is %s\n", state);
	printf("  pid            %ld\n", st->pid);
	printf("  uptime         ");
	print_duration((long long)now - st->started);
	printf("\n  version        %s\n", st->version);
	printf("  config         %s\n", st->config_path);
	/* The file on disk does not load: the rules are older ones. */
	if (st->config_error[0])
		printf("  config error   %s\n", st->config_error);
	if (st->config_running[0])
		printf("  running        the last configuration that loaded, "
		       "kept in %s\n",
		       st->config_running);
	else if (st->config_error[0])
		printf("  running        the configuration loaded before\n");
	printf("  config hash    SHA256=%s\n", st->config_hash);
	/* The schema events speak (event 4 says it too), and the one the
	 * config was written for when that differs. */
	printf("  schema         %s", st->schema_version);
	if (st->config_schema[0] &&
	    strcmp(st->config_schema, st->schema_version) != 0)
		printf(" (the config declares %s)", st->config_schema);
	printf("\n");
	printf("  armed events   ");
	print_armed(st);
	if (st->nunavailable) {
		printf("\n  not on this kernel ");
		for (size_t i = 0; i < st->nunavailable; i++) {
			const struct catalog_event *ev =
				catalog_lookup(st->unavailable[i]);

			printf("%s%u%s%s", i ? ", " : "", st->unavailable[i],
			       ev ? " " : "", ev ? ev->task : "");
		}
		printf(" (its hooks are missing; see the daemon log)");
	}
	printf("\n  events logged  %" PRIu64 "\n", st->logged);
	if (st->counts[COUNT_FILE_FILTERED])
		printf("  kept in kernel %" PRIu64 " file records (prefilter: "
		       "the rules would drop them)\n",
		       st->counts[COUNT_FILE_FILTERED]);
	printf("  events lost    ");
	print_lost(st);
	printf("\n");
	printf("  store          %s", st->store_path);
	if (strcmp(st->store_path, "-") != 0) {
		printf(" (");
		print_size(st->store_bytes);
		printf(")");
	}
	printf("\n");
	print_dests(st);
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

/* The web viewer: where it listens and the link that logs in. */
static void print_web(const struct settings *s)
{
	char token[TOKEN_LEN + 1];
	int err = token_read(s->web_token_path, token);

	printf("  web viewer     %s (%s)\n",
	       s->web_on ? "on"
			 : "off: web = yes in the settings, or run "
			   "vigil web",
	       s->web_listen);
	if (err == 0)
		printf("  web login      http://%s/login#token=%s\n",
		       s->web_listen, token);
	else
		printf("  web token      %s (%s)\n", s->web_token_path,
		       err == -EACCES
			       ? "readable by root and group adm"
			       : strerror(err == -EINVAL ? EINVAL : -err));
	explicit_bzero(token, sizeof(token));
}

static int status_usage(void)
{
	fprintf(stderr, "usage: vigil status [--settings FILE]\n");
	return SVC_EXIT_USAGE;
}

int cmd_status(int argc, char **argv)
{
	const char *settings_path = NULL;
	struct svc_paths p;
	struct settings s;
	struct status_info st;
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
	err = status_read(s.run_dir, &st);
	if (!err && status_read_forward(s.run_dir, &st) == 0 &&
	    kill((pid_t)st.forward_pid, 0) < 0 && errno != EPERM)
		st.forward_pid = 0; /* a stale file */
	if (pid && !err && st.pid == pid) {
		print_status(&st, "running");
		print_web(&s);
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
	print_web(&s);
	return SVC_EXIT_NOT_RUNNING;
}
