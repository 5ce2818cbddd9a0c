/* SPDX-License-Identifier: MIT */
/*
 * service/internal.h - helpers shared by the files of service/ only.
 */
#ifndef VIGIL_SERVICE_INTERNAL_H
#define VIGIL_SERVICE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "service.h"

struct buf;

/* Bounds: a config is at most what config/ accepts; waits are bounded. */
#define SVC_MAX_CONFIG_BYTES  (8u << 20)
#define SVC_START_TIMEOUT_MS  15000
#define SVC_RELOAD_TIMEOUT_MS 10000
#define SVC_STOP_TIMEOUT_MS   10000
#define SVC_CMD_TIMEOUT_MS    60000

/* ---- files.c ---------------------------------------------------------- */

/* unlink that reports what it removed; a missing file is not an error. */
int svc_remove(const char *path, bool is_verbose);

/* Run argv (PATH lookup) and wait at most timeout_ms; returns its exit
 * status, or a negative errno (-ETIMEDOUT: killed). */
int svc_run_cmd(char *const argv[], int timeout_ms);

/* Sleep for ms milliseconds (poll loops). */
void svc_sleep_ms(int ms);

/* ---- control.c -------------------------------------------------------- */

/* Does systemd manage services here?  Never under a VIGIL_ROOT. */
bool svc_has_systemd(const struct svc_paths *p);

/* Start `bin run --settings S CONFIG` detached (new session, stdio to the
 * log file).  Returns the pid or a negative errno. */
pid_t svc_start_detached(const struct svc_paths *p);

/*
 * Wait until <run_dir>/status shows pid (0: any live pid) running the
 * config with this hash (NULL: any).  Returns 0, -ETIMEDOUT, or -ESRCH if
 * the daemon died (child: a process we started, reaped here).
 */
int svc_wait_status(const char *run_dir, pid_t pid, const char *hash,
		    pid_t child, int timeout_ms);

/* SIGTERM pid and wait; SIGKILL after timeout_ms.  Returns 0 once gone. */
int svc_stop_pid(pid_t pid, int timeout_ms);

/* Whether the text of a /proc/PID/cmdline (len bytes: NUL-separated
 * arguments, the last NUL may be missing) is `.../vigil ... run ...`.
 * Pure. */
bool svc_cmdline_is_vigil_run(const char *text, size_t len);

/* ---- config.c --------------------------------------------------------- */

/*
 * Validate text as a Sysmon config and install it at p->config through a
 * temporary file in the same folder; hash gets the SHA256 the daemon will
 * report.  On any error the installed config is unchanged.  Returns 0 or
 * a negative errno (messages printed).
 */
int svc_config_install(const struct svc_paths *p, const char *text, size_t len,
		       char *hash, size_t hash_len);

/*
 * The text to install: the file given (validated with file:line:col
 * errors), the default or the installed config, with -h -n -l -r applied.
 * Returns 0 or a negative errno (messages printed).
 */
int svc_config_compose(const struct svc_args *a, const char *base_path,
		       struct buf *out);

#endif /* VIGIL_SERVICE_INTERNAL_H */
