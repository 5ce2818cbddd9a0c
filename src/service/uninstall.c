/* SPDX-License-Identifier: MIT */
/*
 * service/uninstall.c - `vigil -u [force] [-purge]`: stop the daemon and
 * remove what `-i` installed.
 *
 * The event store is evidence, so it stays unless -purge asks for it to
 * go; the message says where it is.  Without force, a partial install is
 * reported and left alone (Sysmon's rule); force removes whatever is
 * there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "settings/settings.h"

static int stop_daemon(const struct svc_paths *p, const struct settings *s)
{
	char *disable[] = { "systemctl", "disable", "--now", "vigil.service",
			    NULL };
	pid_t pid;
	int err;

	if (svc_has_systemd(p) && svc_exists(p->unit)) {
		printf("Stopping vigil.service...\n");
		if (svc_run_cmd(disable, SVC_CMD_TIMEOUT_MS) != 0)
			fprintf(stderr, "vigil: systemctl disable --now "
					"failed; stopping by pid\n");
	}
	pid = svc_daemon_pid(s->run_dir);
	if (!pid)
		return 0;
	printf("Stopping vigil (pid %d)...\n", (int)pid);
	err = svc_stop_pid(pid, SVC_STOP_TIMEOUT_MS);
	if (err)
		fprintf(stderr, "vigil: pid %d is still running\n", (int)pid);
	return err;
}

static void remove_dir(const char *path)
{
	if (rmdir(path) == 0)
		printf("  removed %s/\n", path);
	else if (errno != ENOENT)
		fprintf(stderr, "vigil: kept %s/: %s\n", path, strerror(errno));
}

/* Store files: the database and SQLite's companions. */
static void purge_store(const char *store_path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char path[PATH_MAX + 16];

	if (!store_path[0])
		return;
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", store_path, suffix[i]);
		svc_remove(path, true);
	}
}

/*
 * The state folder: regular files directly in it, then the folder.  Only
 * a folder named "vigil" is emptied, so a settings file pointing
 * state_dir at /var or / can never turn -purge into rm -rf.
 */
static void purge_state(const char *state_dir)
{
	const char *base = strrchr(state_dir, '/');
	struct dirent *e;
	DIR *d;

	if (!base || strcmp(base, "/vigil") != 0) {
		fprintf(stderr,
			"vigil: kept %s (not a folder of vigil's own)\n",
			state_dir);
		return;
	}
	d = opendir(state_dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char path[PATH_MAX + 300];

		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    S_ISDIR(st.st_mode))
			continue;
		snprintf(path, sizeof(path), "%s/%s", state_dir, e->d_name);
		svc_remove(path, true);
	}
	closedir(d);
	remove_dir(state_dir);
}

/* What a complete install has; a missing one needs `force`. */
static int check_parts(const struct svc_paths *p, bool is_force)
{
	const char *parts[] = { p->config, p->settings, p->bin, p->unit };
	size_t missing = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (!svc_exists(parts[i]))
			missing++;
	if (missing == sizeof(parts) / sizeof(parts[0]) && !is_force) {
		fprintf(stderr, "vigil is not installed.\n");
		return -ENOENT;
	}
	if (missing && !is_force) {
		fprintf(stderr, "vigil: the install is incomplete; missing:\n");
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (!svc_exists(parts[i]))
				fprintf(stderr, "  %s\n", parts[i]);
		fprintf(stderr, "Use vigil -u force to remove the rest.\n");
		return -ENOENT;
	}
	return 0;
}

static void remove_files(const struct svc_paths *p, const struct settings *s)
{
	char *reload[] = { "systemctl", "daemon-reload", NULL };
	char path[PATH_MAX + 16];

	svc_remove(p->unit, true);
	if (svc_has_systemd(p))
		svc_run_cmd(reload, SVC_CMD_TIMEOUT_MS);
	svc_remove(p->config, true);
	snprintf(path, sizeof(path), "%s/.config.xml.new", p->etc_dir);
	svc_remove(path, false);
	svc_remove(p->settings, true);
	svc_remove(s->web_token_path, true);
	remove_dir(p->etc_dir);
	svc_remove(p->man8, true);
	svc_remove(p->man5, true);
	svc_remove(p->log_file, true);
	remove_dir(p->log_dir);
	snprintf(path, sizeof(path), "%s/status", s->run_dir);
	svc_remove(path, false);
	snprintf(path, sizeof(path), "%s/vigil.pid", s->run_dir);
	svc_remove(path, false);
	remove_dir(s->run_dir);
	/* The binary last: it is what the user runs to finish a retry. */
	svc_remove(p->bin, true);
}

int svc_uninstall(const struct svc_args *a, const struct svc_paths *p)
{
	struct settings s;
	struct stat st;
	int err;

	if (check_parts(p, a->is_force))
		return SVC_EXIT_FAIL;
	/* On error s holds the defaults, which force then goes by. */
	err = svc_settings_load(p, &s);
	if (err && err != -ENOENT && !a->is_force)
		return SVC_EXIT_FAIL;
	if (stop_daemon(p, &s) && !a->is_force)
		return SVC_EXIT_FAIL;
	printf("Removing vigil:\n");
	remove_files(p, &s);
	if (a->is_purge) {
		purge_store(s.store_path);
		purge_state(s.state_dir);
		printf("vigil uninstalled; the event store was deleted "
		       "(-purge).\n");
	} else if (s.store_path[0] && stat(s.store_path, &st) == 0) {
		printf("vigil uninstalled.  The event store is kept: %s "
		       "(%lld bytes); delete it with: rm -r %s\n",
		       s.store_path, (long long)st.st_size, s.state_dir);
	} else {
		printf("vigil uninstalled.  State is kept in %s (no event "
		       "store yet); delete it with: rm -r %s\n",
		       s.state_dir, s.state_dir);
	}
	return SVC_EXIT_OK;
}
