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

bool svc_exists(const char *path);

/* Read a regular file of at most max_bytes into out (NUL-terminated).
 * Returns 0, -EFBIG, -EISDIR/-EINVAL (not a regular file), -errno. */
int svc_read_file(const char *path, size_t max_bytes, struct buf *out);

/* Write data to path through a temporary file in the same folder and a
 * rename, so readers see the old or the new file, never a mix. */
int svc_write_atomic(const char *path, const void *data, size_t len,
		     mode_t mode);

/* Copy src to dst the same way (used for the binary). */
int svc_copy_atomic(const char *src, const char *dst, mode_t mode);

/* mkdir -p; existing folders are left as they are. */
int svc_mkdir_p(const char *path, mode_t mode);

/* mkdir -p of the folder that holds path. */
int svc_mkdir_parent(const char *path, mode_t mode);

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

/* The running daemon's pid from <run_dir>/vigil.pid, checked against
 * /proc (a vigil process that is still alive), or 0. */
pid_t svc_daemon_pid(const char *run_dir);

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

/* ---- status.c --------------------------------------------------------- */

/* What the daemon's status file says (daemon.h has the format). */
struct svc_status {
	long pid;
	long long started;
	char version[32];
	char config_path[PATH_MAX];
	char config_hash[80];
	char schema_version[16];
	char armed[256];
	uint64_t logged;
	uint64_t lost_ring;
	uint64_t lost_queue;
	uint64_t lost_sink;
	uint64_t lost_other;
	char store_path[PATH_MAX];
	uint64_t store_bytes;
};

/* Parse the key=value text; unknown keys are skipped (newer daemons may
 * add some).  Returns 0 or -EINVAL (no pid, a bad number). */
int svc_status_parse(const char *text, size_t len, struct svc_status *st);

/* Read and parse <run_dir>/status.  Returns 0, -ENOENT, -EINVAL ... */
int svc_status_read(const char *run_dir, struct svc_status *st);

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
