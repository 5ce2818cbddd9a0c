/* SPDX-License-Identifier: MIT */
/*
 * service/reconfig.c - `vigil -c`: print the active rules (no argument),
 * or validate a new config, install it atomically and have the running
 * daemon reload it (SIGHUP), waiting until its status file reports the new
 * config's hash.  `-c --` installs the default config.
 *
 * A config that does not load changes nothing: the error names the user's
 * file:line:col and the exit status is 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "config/config.h"
#include "internal.h"
#include "settings/settings.h"
#include "util/buf.h"

#define DUMP_MAX_BYTES (16u << 20)

/* `vigil -c` alone: the rules of the installed config, Sysmon's -c
 * format, after a short header like Sysmon for Windows prints. */
static int dump(const struct svc_paths *p)
{
	struct diag d = { 0 };
	struct config *c;
	struct buf b;
	int err;

	if (!svc_exists(p->config)) {
		fprintf(stderr, "vigil is not installed (no %s).\n", p->config);
		return SVC_EXIT_FAIL;
	}
	c = config_load_file(p->config, &d);
	if (!c) {
		fprintf(stderr, "%s:%d:%d: %s\n", d.file, d.line, d.col, d.msg);
		return SVC_EXIT_FAIL;
	}
	printf("Current configuration:\n"
	       " - %-30s %s\n - %-30s SHA256=%s\n\n",
	       "Config file:", p->config, "Config hash:", config_file_hash(c));
	buf_init(&b, DUMP_MAX_BYTES);
	err = config_dump(c, &b);
	if (!err && b.len)
		fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	config_free(c);
	if (err) {
		fprintf(stderr, "vigil: %s\n", strerror(-err));
		return SVC_EXIT_FAIL;
	}
	return SVC_EXIT_OK;
}

/* SIGHUP the daemon and wait until it runs the config with hash. */
static int reload(const struct settings *s, const char *hash)
{
	pid_t pid = svc_daemon_pid(s->run_dir);
	int err;

	if (!pid) {
		printf("vigil is not running; the new configuration will be "
		       "used when it starts.\n");
		return SVC_EXIT_OK;
	}
	if (kill(pid, SIGHUP) < 0) {
		fprintf(stderr, "vigil: cannot signal pid %d: %s\n", (int)pid,
			strerror(errno));
		return SVC_EXIT_FAIL;
	}
	err = svc_wait_status(s->run_dir, pid, hash, 0, SVC_RELOAD_TIMEOUT_MS);
	if (err) {
		fprintf(stderr,
			"vigil: the daemon (pid %d) %s; it keeps running its "
			"previous configuration until it can load this one\n",
			(int)pid,
			err == -ESRCH ? "exited"
				      : "did not report the new configuration "
					"in time");
		return SVC_EXIT_FAIL;
	}
	printf("vigil (pid %d) is running the new configuration.\n", (int)pid);
	return SVC_EXIT_OK;
}

int svc_configure(const struct svc_args *a, const struct svc_paths *p)
{
	char hash[80] = "";
	struct settings s;
	struct buf text;
	int err, rc, lock_fd;

	if (!a->config_path && !a->is_reset && !svc_args_has_legacy(a))
		return dump(p);
	if (!svc_exists(p->config)) {
		fprintf(stderr,
			"vigil is not installed (no %s); install it "
			"with vigil -i.\n",
			p->config);
		return SVC_EXIT_FAIL;
	}
	err = svc_settings_load(p, &s);
	if (err && err != -ENOENT)
		return SVC_EXIT_FAIL;
	/* Two -c at once would race on the temporary file and on which
	 * config the daemon ends up with: one at a time.  Released at exit. */
	lock_fd = open(p->etc_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX) < 0) {
		fprintf(stderr, "vigil: cannot lock %s: %s\n", p->etc_dir,
			strerror(errno));
		if (lock_fd >= 0)
			close(lock_fd);
		return SVC_EXIT_FAIL;
	}
	buf_init(&text, SVC_MAX_CONFIG_BYTES);
	/* No file and no "--": the switches change the installed config. */
	err = svc_config_compose(
		a, a->config_path || a->is_reset ? NULL : p->config, &text);
	if (!err) {
		printf("Configuration %s validated.\n",
		       a->config_path ? a->config_path
		       : a->is_reset  ? "(default)"
				      : p->config);
		err = svc_config_install(p, text.data, text.len, hash,
					 sizeof(hash));
	}
	buf_release(&text);
	if (err) {
		close(lock_fd);
		return SVC_EXIT_FAIL;
	}
	printf("Configuration updated: %s (SHA256=%s).\n", p->config, hash);
	rc = reload(&s, hash);
	close(lock_fd);
	return rc;
}
