/* SPDX-License-Identifier: MIT */
/*
 * cli/debug.c - `vigil -t [verbose]`: Sysmon's debug mode.  The
 * monitor in the foreground, each event printed readably on stdout, no
 * store, no syslog, until Ctrl-C.
 *
 * It uses the installed config if there is one (so an admin sees what
 * the service would log), else the built-in default.  Its pid and status
 * files go to a private temporary folder, so a debug run next to the
 * installed service neither hides nor overwrites the service's own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "internal.h"
#include "service/service.h"
#include "render/render.h"
#include "settings/settings.h"
#include "util/log.h"

/* Remove the files the daemon left in the private folder, then it. */
static void remove_private_dir(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

int cli_debug(const struct svc_args *a, const struct svc_paths *p)
{
	char dir[] = "/tmp/vigil-debug-XXXXXX";
	struct daemon_opts o = { 0 };
	int rc;

	settings_defaults(&o.settings);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "vigil: mkdtemp: %s\n", strerror(errno));
		return SVC_EXIT_FAIL;
	}
	snprintf(o.settings.run_dir, sizeof(o.settings.run_dir), "%s", dir);
	snprintf(o.settings.state_dir, sizeof(o.settings.state_dir), "%s", dir);
	o.settings.store_path[0] = '\0';
	o.settings.jsonl_path[0] = '\0';
	o.settings.syslog_on = false;
	o.settings.stdout_on = true;
	o.settings.stdout_format = RENDER_TEXT;
	o.config_path = svc_exists(p->config) ? p->config : NULL;
	if (a->is_verbose)
		log_set_level(LOG_LVL_DEBUG);
	fprintf(stderr, "vigil: debug mode with %s; Ctrl-C stops.\n",
		o.config_path ? o.config_path : "the default configuration");
	rc = daemon_run(&o);
	remove_private_dir(dir);
	return rc;
}
