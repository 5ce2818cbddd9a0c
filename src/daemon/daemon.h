/* SPDX-License-Identifier: MIT */
/*
 * daemon/daemon.h - the monitor: sensor -> process table -> rules ->
 * writer -> sinks, until SIGINT/SIGTERM.
 *
 * Reconfiguration: on SIGHUP the daemon re-reads config_path; a config
 * that fails to load is reported (event 255 and the log) and the running
 * one stays.  A loaded one is swapped in without detaching the sensor and
 * announced as event 16.  Each config that loads is kept in the state
 * directory (lastgood.h); a start with a config_path that does not load
 * runs on that copy and reports it (log, event 255 ConfigurationError,
 * event 16, status file config_error/config_running), and fails only
 * when there is none.
 *
 * Status: every second the daemon rewrites <run_dir>/status atomically
 * and keeps <run_dir>/vigil.pid while it runs (format in status/status.h).
 *
 * Forwarding: when the settings declare destinations, the daemon starts
 * `vigil forward` (forward/forward.h) before it drops its privileges and
 * stops it at exit; retention losses of its cursors are the daemon's to
 * count (the store deletes) and report.
 */
#ifndef VIGIL_DAEMON_H
#define VIGIL_DAEMON_H

#include <stdbool.h>

#include "settings/settings.h"

struct daemon_opts {
	const char *config_path; /* NULL: the embedded default config */
	const char *settings_path; /* NULL: built-in defaults + switches */
	struct settings settings;
};

/* Run until SIGINT/SIGTERM; returns the process exit status. */
int daemon_run(const struct daemon_opts *o);

#endif /* VIGIL_DAEMON_H */
