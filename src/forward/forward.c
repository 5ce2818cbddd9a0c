/* SPDX-License-Identifier: MIT */
/*
 * forward/forward.c - `vigil forward`: the forwarder process.
 *
 *   root part    read the settings, build every target (TLS contexts
 *                and ClickHouse passwords are read now, so root-only key
 *                files work), create <state_dir>/forward and
 *                <run_dir>/forward for forward_user, then drop to that
 *                user with the store's group as its only other group;
 *   supervisor   forks the worker and starts it again (backing off) if
 *                it dies of a signal; passes SIGTERM and the daemon's
 *                lifeline on;
 *   worker       one shipper thread per destination; rewrites the
 *                status file every second; on SIGTERM/SIGINT or when the
 *                lifeline closes, stops them (each closes cleanly and
 *                saves its cursor) and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "forward.h"
#include "internal.h"
#include "settings/settings.h"
#include "util/file.h"
#include "util/log.h"
#include "util/version.h"

#define RESTART_MIN_MS 1000
#define RESTART_MAX_MS 30000
#define LIFELINE_FD    3
#define FORWARD_NICE   10

static volatile sig_atomic_t got_stop;

static void on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

static const char usage_text[] =
	"usage: vigil forward [--settings FILE] [--store PATH] "
	"[--state-dir DIR]\n"
	"                     [--run-dir DIR] [-v]\n"
	"\n"
	"Ship the event store to the destinations of the settings file\n"
	"(forward.NAME.url = tcp://, tls://, udp:// (syslog) or http://,\n"
	"https:// (ClickHouse); see vigil.conf(5)).  The daemon starts this\n"
	"itself when destinations are configured.\n";

struct fwd_opts {
	const char *settings_path;
	struct settings s;
	int lifeline; /* -1: none */
};

int forward_cursor_path(char *out, size_t size, const char *state_dir,
			const char *name)
{
	int n = snprintf(out, size, "%s/forward/%s.cursor", state_dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int forward_cursor_read(const char *path, uint64_t *rid)
{
	char text[32], *end;
	ssize_t n = file_read_head(path, text, sizeof(text));
	unsigned long long v;

	if (n < 0)
		return (int)n;
	if (n == 0 || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || (*end && *end != '\n'))
		return -EINVAL;
	*rid = v;
	return 0;
}

static int copy_path(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size || src[0] != '/') {
		fprintf(stderr, "vigil forward: bad path: %s\n", src);
		return -EINVAL;
	}
	snprintf(dst, size, "%s", src);
	return 0;
}

static int parse_args(struct fwd_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "store", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "lifeline", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diag d = { 0 };
	int c, err;

	o->lifeline = -1;
	settings_defaults(&o->s);
	for (int i = 1; i < argc - 1; i++)
		if (strcmp(argv[i], "--settings") == 0)
			o->settings_path = argv[i + 1];
	if (o->settings_path) {
		err = settings_load(&o->s, o->settings_path, &d);
		if (err == -EINVAL) {
			fprintf(stderr, "%s:%d:%d: %s\n", d.file, d.line, d.col,
				d.msg);
			return 2;
		}
		if (err) {
			fprintf(stderr, "vigil forward: %s: %s\n",
				o->settings_path, strerror(-err));
			return 2;
		}
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			break;
		case 'S':
			if (copy_path(o->s.store_path, sizeof(o->s.store_path),
				      optarg))
				return 2;
			break;
		case 'd':
			if (copy_path(o->s.state_dir, sizeof(o->s.state_dir),
				      optarg))
				return 2;
			break;
		case 'r':
			if (copy_path(o->s.run_dir, sizeof(o->s.run_dir),
				      optarg))
				return 2;
			break;
		case 'l':
			o->lifeline = atoi(optarg);
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	return 0;
}

/*
 * The group that may read the store: its file's; before the daemon made
 * it, the one the store will get (adm, see store.h).
 */
static gid_t store_gid(const char *path)
{
	struct group *gr;
	struct stat sb;

	if (stat(path, &sb) == 0)
		return sb.st_gid;
	gr = getgrnam("adm");
	return gr ? gr->gr_gid : (gid_t)-1;
}

/* <dir>/forward, owned by uid with group gid, 0750. */
static int make_dir(const char *parent, uid_t uid, gid_t gid, bool is_root)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/forward", parent) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if (file_mkdir_p(path, 0750) < 0 && errno != EEXIST)
		return -errno;
	if (is_root && chown(path, uid, gid) < 0)
		return -errno;
	return 0;
}

/*
 * As root: create the forwarder's folders for forward_user and become
 * that user, with the store's group and nothing else.  Not root: just
 * the folders.
 */
static int drop_privileges(const struct fwd_opts *o)
{
	const struct settings *s = &o->s;
	bool is_root = geteuid() == 0;
	struct passwd *pw = NULL;
	gid_t gid = (gid_t)-1;
	int err;

	if (is_root) {
		pw = getpwnam(s->forward_user);
		if (!pw) {
			log_error("forward_user %s: no such user",
				  s->forward_user);
			return -ENOENT;
		}
		gid = store_gid(s->store_path);
		if (gid == (gid_t)-1 || gid == 0)
			gid = pw->pw_gid;
	}
	err = make_dir(s->state_dir, pw ? pw->pw_uid : 0, gid, is_root);
	if (!err)
		err = make_dir(s->run_dir, pw ? pw->pw_uid : 0, gid, is_root);
	if (err) {
		log_error("cannot create the forwarder's folders: %s",
			  strerror(-err));
		return err;
	}
	if (!is_root || pw->pw_uid == 0)
		return 0;
	/* the store's group as the primary one too: the cursor and status
	 * files are then the admins' to read, as the store is */
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		err = -errno;
		log_error("cannot become %s: %s", s->forward_user,
			  strerror(errno));
		return err;
	}
	if (setuid(0) == 0 || getuid() != pw->pw_uid) {
		log_error("dropping privileges to %s did not hold",
			  s->forward_user);
		return -EPERM;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* the daemon's death ends us too (set after setuid: it clears it) */
	if (o->lifeline >= 0)
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	return 0;
}

struct worker {
	struct fwd_target *targets[SETTINGS_MAX_DESTS];
	struct ssl_ctx_st *ctxs[SETTINGS_MAX_DESTS];
	struct fwd_shipper *shippers[SETTINGS_MAX_DESTS];
	unsigned n;
};

static void worker_release(struct worker *w)
{
	for (unsigned i = 0; i < w->n; i++) {
		if (w->shippers[i])
			fwd_shipper_free(w->shippers[i]);
		else if (w->targets[i])
			w->targets[i]->ops->free(w->targets[i]);
		fwd_tls_ctx_free(w->ctxs[i]);
	}
	w->n = 0;
}

/* Every target, before privileges go. */
static int build_targets(const struct settings *s, struct worker *w)
{
	char err[256];

	for (unsigned i = 0; i < s->ndests; i++) {
		const struct settings_dest *d = &s->dests[i];

		err[0] = '\0';
		w->n = i + 1;
		if (d->kind == DEST_CLICKHOUSE) {
			w->targets[i] = fwd_clickhouse_new(d, err, sizeof(err));
		} else {
			if (d->kind == DEST_SYSLOG_TLS) {
				w->ctxs[i] =
					fwd_tls_ctx_new(d, err, sizeof(err));
				if (!w->ctxs[i])
					goto fail;
			}
			w->targets[i] = fwd_syslog_new(d, w->ctxs[i]);
		}
		if (!w->targets[i])
			goto fail;
	}
	return 0;
fail:
	log_error("forward %s: %s", s->dests[w->n - 1].name,
		  err[0] ? err : strerror(errno));
	return -EINVAL;
}

static bool lifeline_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (fd < 0 || poll(&p, 1, 0) <= 0)
		return false;
	return read(fd, &c, 1) <= 0;
}

static void write_status(const struct fwd_opts *o, struct worker *w,
			 time_t started)
{
	struct status_info *st = calloc(1, sizeof(*st));

	if (!st)
		return;
	st->pid = (long)getpid();
	st->started = (long long)started;
	snprintf(st->version, sizeof(st->version), "%s", VIGIL_VERSION);
	for (unsigned i = 0; i < w->n; i++)
		fwd_shipper_status(w->shippers[i], &st->dests[st->ndests++]);
	status_write_forward(o->s.run_dir, st);
	free(st);
}

static int run_worker(const struct fwd_opts *o, struct worker *w)
{
	static volatile int stop;
	time_t started = time(NULL);
	char path[PATH_MAX + 16];
	int status = 0;

	for (unsigned i = 0; i < w->n && !stop; i++) {
		w->shippers[i] = fwd_shipper_start(
			w->targets[i], o->s.store_path, o->s.state_dir, &stop);
		w->targets[i] = NULL; /* the shipper owns it, even on error */
		if (!w->shippers[i]) {
			log_error("forward %s: cannot start: %s",
				  o->s.dests[i].name, strerror(errno));
			stop = 1;
			status = 1;
		}
	}
	if (!stop)
		log_info("forwarding to %u destination%s", w->n,
			 w->n == 1 ? "" : "s");
	while (!stop) {
		for (int k = 0; k < 10 && !got_stop; k++) {
			if (lifeline_closed(o->lifeline))
				got_stop = 1;
			else
				usleep(100 * 1000);
		}
		if (got_stop)
			stop = 1;
		else
			write_status(o, w, started);
	}
	/* each shipper closes cleanly and saves its cursor */
	worker_release(w);
	snprintf(path, sizeof(path), "%s/forward/status", o->s.run_dir);
	unlink(path);
	return status;
}

/*
 * Run the worker in a child and start it again when it dies of a signal
 * (a crash), backing off.  A clean exit (0) or a stop request ends it.
 */
static int supervise(const struct fwd_opts *o, struct worker *w)
{
	unsigned backoff_ms = RESTART_MIN_MS;

	for (;;) {
		pid_t pid = fork();
		int wst = 0;

		if (pid < 0) {
			log_error("fork: %s", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
			_exit(run_worker(o, w));
		}
		for (;;) {
			pid_t r = waitpid(pid, &wst, WNOHANG);

			if (r == pid)
				break;
			if (got_stop || lifeline_closed(o->lifeline)) {
				got_stop = 1;
				kill(pid, SIGTERM);
				waitpid(pid, &wst, 0);
				break;
			}
			usleep(100 * 1000);
		}
		if (got_stop || !WIFSIGNALED(wst)) {
			worker_release(w);
			return WIFEXITED(wst) ? WEXITSTATUS(wst) : 0;
		}
		log_error("the forwarder died of signal %d; starting it again "
			  "in %u s",
			  WTERMSIG(wst), backoff_ms / 1000);
		for (unsigned t = 0; t < backoff_ms && !got_stop; t += 100)
			usleep(100 * 1000);
		if (got_stop) {
			worker_release(w);
			return 0;
		}
		backoff_ms = backoff_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS
							     : backoff_ms * 2;
	}
}

int forward_main(int argc, char **argv)
{
	struct fwd_opts *o = calloc(1, sizeof(*o));
	struct worker *w = calloc(1, sizeof(*w));
	struct sigaction sa = { .sa_handler = on_stop };
	int status;

	if (!o || !w) {
		fprintf(stderr, "vigil forward: out of memory\n");
		free(o);
		free(w);
		return 1;
	}
	status = parse_args(o, argc, argv);
	if (status) {
		status = status == 1 ? 0 : status;
		goto out;
	}
	if (!o->s.ndests) {
		fprintf(stderr,
			"vigil forward: no destinations in %s "
			"(forward.NAME.url; see vigil.conf(5))\n",
			o->settings_path ? o->settings_path : "the settings");
		status = 2;
		goto out;
	}
	if (!o->s.store_path[0]) {
		fprintf(stderr, "vigil forward: the store is off "
				"(store_path is empty): nothing to forward\n");
		status = 2;
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (build_targets(&o->s, w) < 0 || drop_privileges(o) < 0) {
		worker_release(w);
		status = 1;
		goto out;
	}
	/* background work: a backlog is caught up with the CPU the host
	 * does not need (the sensor and the workload come first) */
	if (setpriority(PRIO_PROCESS, 0, FORWARD_NICE) < 0)
		log_debug("setpriority: %s", strerror(errno));
	status = supervise(o, w);
out:
	free(o);
	free(w);
	return status;
}

pid_t forward_spawn(const char *settings_path, const struct settings *s,
		    int *lifeline)
{
	const char *argv[16];
	int fds[2], n = 0, err;
	char fd_text[16];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	snprintf(fd_text, sizeof(fd_text), "%d", LIFELINE_FD);
	argv[n++] = "vigil";
	argv[n++] = "forward";
	if (settings_path) {
		argv[n++] = "--settings";
		argv[n++] = settings_path;
	}
	argv[n++] = "--store";
	argv[n++] = s->store_path;
	argv[n++] = "--state-dir";
	argv[n++] = s->state_dir;
	argv[n++] = "--run-dir";
	argv[n++] = s->run_dir;
	argv[n++] = "--lifeline";
	argv[n++] = fd_text;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		/* only async-signal-safe calls until exec */
		int null = open("/dev/null", O_RDWR);

		if (null >= 0)
			dup2(null, STDIN_FILENO), dup2(null, STDOUT_FILENO);
		if (dup2(fds[0], LIFELINE_FD) < 0)
			_exit(127);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	close(fds[0]);
	*lifeline = fds[1];
	return pid;
}

int forward_stop(pid_t pid, int lifeline, int timeout_ms)
{
	close(lifeline);
	for (int t = 0; t < timeout_ms; t += 50) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return 0;
		usleep(50 * 1000);
	}
	return -ETIMEDOUT;
}
