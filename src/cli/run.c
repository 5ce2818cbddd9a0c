/* SPDX-License-Identifier: MIT */
/*
 * cli/run.c - `vigil run`: the monitor in the foreground, the entry point
 * of the service and of containers.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "render/render.h"
#include "util/log.h"

static const char run_usage[] =
	"usage: vigil run [--settings FILE] [--format xml|json|text] [--quiet]\n"
	"                 [--store PATH | --no-store] [--state-dir DIR]\n"
	"                 [--run-dir DIR] [--jsonl PATH] [--syslog] [-v]\n"
	"                 [CONFIG]\n";

enum {
	OPT_SETTINGS = 256,
	OPT_FORMAT,
	OPT_QUIET,
	OPT_STORE,
	OPT_NO_STORE,
	OPT_STATE_DIR,
	OPT_RUN_DIR,
	OPT_JSONL,
	OPT_SYSLOG,
};

static const struct option run_options[] = {
	{ "settings", required_argument, NULL, OPT_SETTINGS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "no-store", no_argument, NULL, OPT_NO_STORE },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "run-dir", required_argument, NULL, OPT_RUN_DIR },
	{ "jsonl", required_argument, NULL, OPT_JSONL },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int copy_path(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size) {
		fprintf(stderr, "vigil run: path too long: %s\n", src);
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* Settings file first (if any), then the switches on top of it. */
static int load_settings(int argc, char **argv, struct settings *s,
			 const char **pathp)
{
	const char *path = NULL;
	struct diag d = { 0 };
	int r;

	for (int i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], "--settings") == 0)
			path = argv[i + 1];
	settings_defaults(s);
	/* In the foreground, events go to the terminal unless --quiet. */
	s->stdout_on = true;
	*pathp = path;
	if (!path)
		return 0;
	r = settings_load(s, path, &d);
	if (r == -EINVAL)
		fprintf(stderr, "%s:%d:%d: %s\n", d.file, d.line, d.col, d.msg);
	else if (r < 0)
		fprintf(stderr, "vigil run: %s: %s\n", path, strerror(-r));
	return r;
}

static int apply_option(int c, struct settings *s)
{
	enum render_format f;

	switch (c) {
	case OPT_SETTINGS:
		return 0;
	case OPT_FORMAT:
		if (render_format_parse(optarg, &f) < 0) {
			fprintf(stderr, "vigil run: unknown format '%s'\n",
				optarg);
			return -EINVAL;
		}
		s->stdout_format = (int)f;
		return 0;
	case OPT_QUIET:
		s->stdout_on = false;
		return 0;
	case OPT_STORE:
		return copy_path(s->store_path, sizeof(s->store_path), optarg);
	case OPT_NO_STORE:
		s->store_path[0] = '\0';
		return 0;
	case OPT_STATE_DIR:
		return copy_path(s->state_dir, sizeof(s->state_dir), optarg);
	case OPT_RUN_DIR:
		return copy_path(s->run_dir, sizeof(s->run_dir), optarg);
	case OPT_JSONL:
		return copy_path(s->jsonl_path, sizeof(s->jsonl_path), optarg);
	case OPT_SYSLOG:
		s->syslog_on = true;
		return 0;
	case 'v':
		log_set_level(LOG_LVL_DEBUG);
		return 0;
	default:
		return -EINVAL;
	}
}

struct web_child {
	pid_t pid;
	int fd; /* the write end of its --parent-fd pipe */
};

/*
 * web = yes: `vigil web` beside the monitor, as a child of its own that
 * drops to web_user at once (started before the daemon opens anything,
 * so it inherits no descriptor and no BPF object).  It is told the
 * settings in force, run options included.  It stops when the pipe
 * behind --parent-fd closes: once the daemon has dropped its
 * capabilities (no CAP_KILL), it could not signal another user's process.
 */
static void start_web(const struct settings *s, const char *settings_path,
		      struct web_child *w)
{
	char fd_text[16];
	char *argv[] = { "vigil",
			 "web",
			 "--listen",
			 (char *)s->web_listen,
			 "--store",
			 (char *)s->store_path,
			 "--token-file",
			 (char *)s->web_token_path,
			 "--user",
			 (char *)s->web_user,
			 "--parent-fd",
			 fd_text,
			 settings_path ? "--settings" : NULL,
			 (char *)settings_path,
			 NULL };
	int fds[2];

	*w = (struct web_child){ .pid = 0, .fd = -1 };
	if (!s->web_on)
		return;
	if (!s->store_path[0]) {
		log_warn("web = yes but the store is off: no web viewer");
		return;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_warn("cannot start the web viewer: %s", strerror(errno));
		return;
	}
	snprintf(fd_text, sizeof(fd_text), "%d", fds[0]);
	w->pid = fork();
	if (w->pid == 0) {
		/* the read end stays open across exec, the write end not */
		fcntl(fds[0], F_SETFD, 0);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(fds[0]);
	if (w->pid < 0) {
		log_warn("cannot start the web viewer: %s", strerror(errno));
		close(fds[1]);
		w->pid = 0;
		return;
	}
	w->fd = fds[1];
	log_info("web viewer started (pid %d) on %s", (int)w->pid,
		 s->web_listen);
}

/* Close its pipe (it stops within a fifth of a second), then reap it. */
static void stop_web(struct web_child *w)
{
	int status;

	if (w->pid <= 0)
		return;
	close(w->fd);
	waitpid(w->pid, &status, 0);
}

int cmd_run(int argc, char **argv)
{
	struct daemon_opts o = { 0 };
	const char *settings_path = NULL;
	struct web_child web;
	int c, status;

	if (load_settings(argc, argv, &o.settings, &o.settings_path) < 0)
		return 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", run_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(run_usage, stdout);
			return 0;
		}
		if (apply_option(c, &o.settings) < 0) {
			fputs(run_usage, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fputs(run_usage, stderr);
		return 2;
	}
	o.config_path = optind < argc ? argv[optind] : NULL;
	if (geteuid() != 0)
		log_warn("not running as root: loading BPF programs will "
			 "probably fail");
	for (int i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], "--settings") == 0)
			settings_path = argv[i + 1];
	start_web(&o.settings, settings_path, &web);
	status = daemon_run(&o);
	stop_web(&web);
	return status;
}
