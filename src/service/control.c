/* SPDX-License-Identifier: MIT */
/*
 * service/control.c - find, start, watch and stop the daemon without a
 * service manager: the pid file, /proc, signals and the status file.
 *
 * A pid file can outlive its daemon and the pid be reused, so a pid is
 * only trusted when /proc says it is a live `vigil run`.  Every wait is
 * bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "proc/proc.h"
#include "status/status.h"
#include "util/buf.h"
#include "util/file.h"

#define POLL_MS	 100
#define STAT_MAX 1024 /* a /proc/PID/stat line is about 300 bytes */

bool svc_has_systemd(const struct svc_paths *p)
{
	struct stat st;

	/* sd_booted()'s test: this folder exists only when systemd is PID 1. */
	return !p->root[0] && lstat("/run/systemd/system", &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* Alive and not a zombie (a zombie still answers kill(pid, 0)). */
static bool is_alive(pid_t pid)
{
	char path[64];
	struct proc_stat st;
	struct buf b;
	bool alive = false;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	buf_init(&b, STAT_MAX);
	if (file_read_all(path, STAT_MAX, &b) == 0 && b.data &&
	    proc_parse_stat(b.data, b.len, &st) == 0)
		alive = st.state != 'Z' && st.state != 'X';
	buf_release(&b);
	return alive;
}

bool svc_cmdline_is_vigil_run(const char *text, size_t len)
{
	const char *arg = text, *end = text + len, *nul, *base;
	bool is_vigil = false, has_run = false;
	size_t n;

	for (; arg < end; arg = nul + 1) {
		nul = memchr(arg, '\0', (size_t)(end - arg));
		if (!nul)
			nul = end;
		n = (size_t)(nul - arg);
		if (arg == text) {
			base = memrchr(arg, '/', n);
			base = base ? base + 1 : arg;
			is_vigil = (size_t)(nul - base) == 5 &&
				   memcmp(base, "vigil", 5) == 0;
		} else if (n == 3 && memcmp(arg, "run", 3) == 0) {
			has_run = true;
		}
	}
	return is_vigil && has_run;
}

/* Is pid a `vigil ... run ...` process? */
static bool is_vigil_run(pid_t pid)
{
	char path[64];
	struct buf b;
	bool is_vigil_run = false;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	buf_init(&b, 65536);
	if (file_read_all(path, 65536, &b) == 0 && b.len)
		is_vigil_run = svc_cmdline_is_vigil_run(b.data, b.len);
	buf_release(&b);
	return is_vigil_run;
}

pid_t svc_daemon_pid(const char *run_dir)
{
	char path[PATH_MAX + 16];
	struct buf b;
	char *end;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/vigil.pid", run_dir);
	buf_init(&b, 64);
	if (file_read_all(path, 64, &b) == 0 && b.data) {
		errno = 0;
		pid = strtol(b.data, &end, 10);
		if (errno || end == b.data || (*end && *end != '\n') ||
		    pid <= 1 || pid > INT_MAX)
			pid = 0;
	}
	buf_release(&b);
	if (!pid || !is_alive((pid_t)pid) || !is_vigil_run((pid_t)pid))
		return 0;
	return (pid_t)pid;
}

/* The detached child: new session, stdio to the log, then the daemon. */
static void exec_daemon(const struct svc_paths *p, int log_fd)
{
	char *argv[] = { (char *)p->bin,    "run",
			 "--settings",	    (char *)p->settings,
			 (char *)p->config, NULL };
	int null_fd;

	setsid();
	umask(027);
	if (chdir("/") < 0)
		_exit(126);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 ||
	    dup2(log_fd, 2) < 0)
		_exit(126);
	/* Everything the installer had open stays behind. */
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGHUP, SIG_DFL);
	execv(p->bin, argv);
	dprintf(2, "vigil: cannot run %s: %s\n", p->bin, strerror(errno));
	_exit(127);
}

pid_t svc_start_detached(const struct svc_paths *p)
{
	int log_fd, err;
	pid_t pid;

	err = file_mkdir_p(p->log_dir, 0750);
	if (err)
		return err;
	log_fd = open(p->log_file,
		      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
		      0640);
	if (log_fd < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(log_fd);
		return err;
	}
	if (pid == 0)
		exec_daemon(p, log_fd);
	close(log_fd);
	return pid;
}

int svc_wait_status(const char *run_dir, pid_t pid, const char *hash,
		    pid_t child, int timeout_ms)
{
	struct status_info st;
	int status;

	for (int waited = 0; waited <= timeout_ms; waited += POLL_MS) {
		if (child > 0 && waitpid(child, &status, WNOHANG) == child)
			return -ESRCH;
		if (pid > 0 && !is_alive(pid))
			return -ESRCH;
		if (status_read(run_dir, &st) == 0 &&
		    (pid > 0 ? st.pid == pid : is_alive((pid_t)st.pid)) &&
		    (!hash || strcmp(st.config_hash, hash) == 0))
			return 0;
		svc_sleep_ms(POLL_MS);
	}
	return -ETIMEDOUT;
}

static bool wait_gone(pid_t pid, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += POLL_MS) {
		/* Reaps it if it happens to be our child. */
		waitpid(pid, NULL, WNOHANG);
		if (!is_alive(pid))
			return true;
		svc_sleep_ms(POLL_MS);
	}
	return false;
}

int svc_stop_pid(pid_t pid, int timeout_ms)
{
	if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
		return -errno;
	if (wait_gone(pid, timeout_ms))
		return 0;
	fprintf(stderr,
		"vigil: pid %d did not stop within %d s; sending SIGKILL\n",
		(int)pid, timeout_ms / 1000);
	kill(pid, SIGKILL);
	return wait_gone(pid, 2000) ? 0 : -ETIMEDOUT;
}
