/* SPDX-License-Identifier: MIT */
/*
 * settings/settings.h - vigil's own settings (not the Sysmon XML): where
 * state and the store live, which outputs are on, limits, and where the
 * forwarder ships events (forward.NAME.KEY lines, settings_dest below).
 *
 * settings_defaults() gives the documented defaults; settings_load()
 * overlays a settings file (see vigil.conf(5)).
 */
#ifndef VIGIL_SETTINGS_H
#define VIGIL_SETTINGS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;

#define SETTINGS_DEFAULT_PATH  "/etc/vigil/vigil.conf"

#define SETTINGS_MAX_DESTS     8
#define SETTINGS_DEST_NAME_MAX 32 /* [a-z0-9_-], at most 31 */
#define SETTINGS_DEST_STR_MAX  256

enum settings_dest_kind {
	DEST_SYSLOG_TCP, /* tcp://host[:514]: RFC 5424 over RFC 6587 */
	DEST_SYSLOG_TLS, /* tls://host[:6514]: the same inside TLS (5425) */
	DEST_SYSLOG_UDP, /* udp://host[:514]: RFC 5426, lossy */
	DEST_CLICKHOUSE, /* http(s)://host[:8123]: ClickHouse's HTTP API */
};

enum settings_framing { FRAMING_OCTET_COUNTED, FRAMING_LF };

/* One forward.NAME destination; defaults in vigil.conf(5). */
struct settings_dest {
	char name[SETTINGS_DEST_NAME_MAX];
	enum settings_dest_kind kind;
	char url[SETTINGS_DEST_STR_MAX]; /* as written, for logs and status */
	char host[SETTINGS_DEST_STR_MAX]; /* name or address, no brackets */
	unsigned port;
	bool is_https; /* DEST_CLICKHOUSE over TLS */
	/* syslog */
	int format; /* RENDER_XML or RENDER_JSON: the MSG */
	enum settings_framing framing;
	uint64_t message_max; /* bytes of one syslog message (header + MSG) */
	unsigned facility; /* 0-23 */
	char app_name[49]; /* RFC 5424: at most 48 printable ASCII */
	bool has_origin_sd; /* [origin software="vigil" swVersion=".."] */
	/* TLS (tls:// and https://) */
	char ca_file[SETTINGS_DEST_STR_MAX]; /* "": the system's CAs */
	char cert_file[SETTINGS_DEST_STR_MAX]; /* client certificate ... */
	char key_file[SETTINGS_DEST_STR_MAX]; /* ... and its key, or "" */
	char server_name[SETTINGS_DEST_STR_MAX]; /* "": host */
	/* ClickHouse */
	char table[128]; /* [db.]table */
	char user[64];
	char password_file[SETTINGS_DEST_STR_MAX]; /* "": no password */
	bool is_create_table;
	unsigned batch_events; /* most events per send */
};

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
	/* Event ids shed first under load (bit id of word id / 64): they
	 * may fill the kernel ring and the writer queue to 3/4 only. */
	uint64_t shed_first[4];
	unsigned ring_kib; /* kernel ring buffer size */
	uint64_t hash_max_bytes; /* larger images are not hashed */
	unsigned command_line_max; /* argv bytes captured per exec */
	bool extra_fields; /* render vigil's own fields after Sysmon's */
	bool web_on; /* the service starts `vigil web` */
	char web_listen[64]; /* ADDRESS:PORT of `vigil web` */
	char web_token_path[PATH_MAX]; /* its access token */
	char web_user[64]; /* the user it drops to when started as root */
	char forward_user[64]; /* the forwarder drops to this user */
	struct settings_dest dests[SETTINGS_MAX_DESTS];
	unsigned ndests;
};

/* Default port of `vigil web` (web_listen = 127.0.0.1:8470). */
#define SETTINGS_WEB_PORT 8470

/* The largest command_line_max: what an exec record carries
 * (WIRE_ARGS_MAX in include/wire.h, checked where both are seen). */
#define SETTINGS_COMMAND_LINE_MAX 113664u

/*
 * What shed_first is by default: file events, then network and image
 * loads (the flood-prone families); process, integrity and service
 * events are kept to the last.  vigil.conf(5) and docs/reliability.md.
 */
#define SETTINGS_SHED_DEFAULT "2, 3, 7, 9, 11, 15, 17, 18, 22, 23, 26, 29"

/* Parse a shed_first value ("none", or ids 1-255 separated by commas
 * or blanks) into out; NULL, or what is wrong. */
const char *settings_parse_shed(const char *v, uint64_t out[4]);

/* The documented defaults. */
void settings_defaults(struct settings *s);

/*
 * Overlay the settings file at path on s.  Returns 0, -ENOENT if the file
 * does not exist (s untouched), -EINVAL with d filled (file:line:col) for
 * a malformed file, in which case s is untouched too.
 */
int settings_load(struct settings *s, const char *path, struct diag *d);

/*
 * The same for a file's text already in memory (len bytes, need not be
 * terminated; name is the file named in diagnostics).  Pure: no I/O.
 * Returns 0, -EINVAL with d filled (s untouched), or -ENOMEM.
 */
int settings_load_mem(struct settings *s, const char *text, size_t len,
		      const char *name, struct diag *d);

/* The destination called name, or NULL. */
const struct settings_dest *settings_dest_find(const struct settings *s,
					       const char *name);

#endif /* VIGIL_SETTINGS_H */
