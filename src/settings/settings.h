/* SPDX-License-Identifier: MIT */
/*
 * settings/settings.h - vigil's own settings (not the Sysmon XML): where
 * state and the store live, which outputs are on, limits.
 *
 * settings_defaults() gives the documented defaults; settings_load()
 * overlays a settings file (see vigil.conf(5)).
 */
#ifndef VIGIL_SETTINGS_H
#define VIGIL_SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct diag;

#define SETTINGS_DEFAULT_PATH "/etc/vigil/vigil.conf"

struct settings {
	char state_dir[PATH_MAX]; /* /var/lib/vigil: record-id counter ... */
	char run_dir[PATH_MAX]; /* /run/vigil: pid file, status file */
	char store_path[PATH_MAX]; /* "" turns the store off */
	uint64_t store_max_bytes; /* retention by size */
	uint64_t store_max_age_s; /* retention by age, 0: none */
	bool stdout_on;
	int stdout_format; /* enum render_format */
	bool syslog_on;
	char jsonl_path[PATH_MAX]; /* "" turns the JSON-lines file off */
	char provider_name[64];
	char provider_guid[64];
	char channel[64];
	unsigned queue_events; /* user-space queue bound, events */
	unsigned ring_kib; /* kernel ring buffer size */
	uint64_t hash_max_bytes; /* larger images are not hashed */
	unsigned command_line_max; /* argv bytes captured per exec */
	bool extra_fields; /* render vigil's own fields after Sysmon's */
	bool web_on; /* the service starts `vigil web` */
	char web_listen[64]; /* ADDRESS:PORT of `vigil web` */
	char web_token_path[PATH_MAX]; /* its access token */
	char web_user[64]; /* the user it drops to when started as root */
};

/* Default port of `vigil web` (web_listen = 127.0.0.1:8470). */
#define SETTINGS_WEB_PORT 8470

/* The largest command_line_max: what an exec record carries
 * (WIRE_ARGS_MAX in include/wire.h, checked where both are seen). */
#define SETTINGS_COMMAND_LINE_MAX 113664u

/* The documented defaults. */
void settings_defaults(struct settings *s);

/*
 * Overlay the settings file at path on s.  Returns 0, -ENOENT if the file
 * does not exist (s untouched), -EINVAL with d filled (file:line:col) for
 * a malformed file, in which case s is untouched too.
 */
int settings_load(struct settings *s, const char *path, struct diag *d);

#endif /* VIGIL_SETTINGS_H */
