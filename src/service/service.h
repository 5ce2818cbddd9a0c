/* SPDX-License-Identifier: MIT */
/*
 * service/service.h - Sysmon's command line and the service lifecycle:
 * parse the switches (-i -c -u -m -s -t -? ...), install, reconfigure and
 * uninstall the daemon, with or without systemd.
 *
 * svc_args_parse() and svc_unit_text() are pure; everything else touches
 * the file system under the install root (VIGIL_ROOT, default "/") and
 * prints what it does on stdout, problems on stderr.
 */
#ifndef VIGIL_SERVICE_H
#define VIGIL_SERVICE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct buf;
struct settings;

/* Exit statuses of the switches and `vigil status`. */
#define SVC_EXIT_OK	     0
#define SVC_EXIT_FAIL	     1 /* the operation failed (message on stderr) */
#define SVC_EXIT_USAGE	     2 /* bad command line; usage printed */
#define SVC_EXIT_NOT_RUNNING 3 /* `vigil status`: daemon not running */

/* Bounds on the command line (anything longer is refused, not cut). */
#define SVC_MAX_ARGS 64
#define SVC_MAX_LIST 4096 /* -h, -n, -l values */

enum svc_cmd {
	SVC_NONE, /* no command switch (only possible with -accepteula) */
	SVC_INSTALL, /* -i [config] */
	SVC_CONFIGURE, /* -c [config|--] */
	SVC_UNINSTALL, /* -u [force] */
	SVC_MANIFEST, /* -m */
	SVC_SCHEMA, /* -s [version|all] */
	SVC_DEBUG, /* -t [verbose] */
	SVC_HELP, /* -? [config], -h alone, -help, --help */
};

/* A parsed command line; strings point into argv. */
struct svc_args {
	enum svc_cmd cmd;
	const char *config_path; /* -i FILE, -c FILE; NULL: none */
	bool is_reset; /* -c --: back to the default config */
	bool is_force; /* -u force */
	bool is_purge; /* -purge (with -u): delete the store too */
	const char *schema_version; /* -s VALUE; NULL: the current one */
	bool is_verbose; /* -t verbose */
	bool is_config_help; /* -? config */
	bool has_accepteula; /* -accepteula (there is no EULA) */
	const char *hash_algs; /* -h LIST; NULL: not given */
	bool has_network; /* -n [procs] */
	const char *network_procs; /* its list, NULL: all processes */
	bool has_image_load; /* -l [procs] */
	const char *image_procs; /* its list, NULL: all processes */
	bool has_revocation; /* -r */
};

/* Do -h -n -l -r change anything (they only apply with -i and -c)? */
bool svc_args_has_legacy(const struct svc_args *a);

/*
 * Parse main()'s argv the way Sysmon does (sysmon-semantics.md 4.1), minus
 * prefix matching and bundling: whole switch names, case-insensitive; an
 * optional value is the next argument unless it starts with '-'; one of
 * -i -c -u -m -s -t at most.  Returns 0, or -EINVAL with a one-line
 * message in err (the caller prints it and the usage).
 */
int svc_args_parse(int argc, char *const *argv, struct svc_args *a, char *err,
		   size_t err_len);

/* The usage text listing every switch and subcommand. */
void svc_usage(FILE *f);

/*
 * Every installed path, under an install root ("" or "/" for the real
 * system).  The root exists so tests can install into a temporary folder;
 * the daemon never sees it (the settings file written at install carries
 * the rooted paths).
 */
struct svc_paths {
	char root[PATH_MAX]; /* "" for "/" */
	char bin[PATH_MAX]; /* /usr/local/sbin/vigil */
	char etc_dir[PATH_MAX]; /* /etc/vigil */
	char config[PATH_MAX]; /* /etc/vigil/config.xml */
	char settings[PATH_MAX]; /* /etc/vigil/vigil.conf */
	char state_dir[PATH_MAX]; /* /var/lib/vigil */
	char store[PATH_MAX]; /* /var/lib/vigil/events.db */
	char run_dir[PATH_MAX]; /* /run/vigil */
	char log_dir[PATH_MAX]; /* /var/log/vigil */
	char log_file[PATH_MAX]; /* /var/log/vigil/vigil.log */
	char unit[PATH_MAX]; /* /etc/systemd/system/vigil.service */
	char man8[PATH_MAX]; /* /usr/local/share/man/man8/vigil.8 */
	char man5[PATH_MAX]; /* /usr/local/share/man/man5/vigil.conf.5 */
	char web_token[PATH_MAX]; /* /etc/vigil/web.token */
};

/* Fill p for root (NULL, "" or "/" mean the real system).  Returns 0, or
 * -EINVAL (root not absolute), -ENAMETOOLONG. */
int svc_paths_init(struct svc_paths *p, const char *root);

/*
 * The systemd unit for these paths, appended to out.  Pure.  Returns 0 or
 * -ENOMEM.
 */
int svc_unit_text(const struct svc_paths *p, struct buf *out);

/*
 * Apply the legacy switches -h -n -l -r of a to the Sysmon XML in xml:
 * they write the same options as <HashAlgorithms>, <NetworkConnect>,
 * <ImageLoad> and <CheckRevocation> (sysmon-semantics.md 3.3, 3.4).  A
 * value already in the config wins with a warning on stderr, unless
 * switch_wins (no config file on the command line: the switch changes the
 * default or installed config).  The result (UTF-8) is appended to out.
 * Returns 0, -EINVAL (not parseable XML, message on stderr), -ENOMEM,
 * -EFBIG (out is full).
 */
int svc_legacy_apply(const char *xml, size_t len, const char *name,
		     const struct svc_args *a, bool switch_wins,
		     struct buf *out);

/* The lifecycle operations; each returns an SVC_EXIT_* status. */
int svc_install(const struct svc_args *a, const struct svc_paths *p);
int svc_configure(const struct svc_args *a, const struct svc_paths *p);
int svc_uninstall(const struct svc_args *a, const struct svc_paths *p);

/*
 * The settings the installed daemon uses: defaults, then p->settings if
 * it exists.  Returns 0, -ENOENT (not installed) or -EINVAL ... (message
 * printed); on any error s holds the defaults under the root.
 */
int svc_settings_load(const struct svc_paths *p, struct settings *s);

/* The running daemon's pid from <run_dir>/vigil.pid, checked against
 * /proc (a vigil process that is still alive), or 0. */
pid_t svc_daemon_pid(const char *run_dir);

/* Does path exist (lstat: a dangling symlink does)? */
bool svc_exists(const char *path);

#endif /* VIGIL_SERVICE_H */
