/* SPDX-License-Identifier: MIT */
/*
 * settings/internal.h - what the files of the settings module share; not
 * for other modules (settings.h is the interface).
 *
 *   settings.c  defaults, the line parser and the plain keys;
 *   dest.c      the forward.NAME.KEY keys of destinations.
 */
#ifndef VIGIL_SETTINGS_INTERNAL_H
#define VIGIL_SETTINGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "settings.h"

struct diag;

/* Where the parser is, for the diagnostic. */
struct cursor {
	const char *file;
	int line;
	struct diag *d;
};

/* Fill the diagnostic (file:line:col: message); returns -EINVAL. */
int settings_fail(const struct cursor *c, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Value parsers: NULL, or a message (static string) naming the problem. */
const char *settings_parse_size(const char *v, uint64_t *out);
const char *settings_parse_bool(const char *v, bool *out);
const char *settings_parse_path(const char *v, char *dst, size_t cap,
				bool may_be_empty);
const char *settings_parse_format(const char *v, int *out);
bool settings_has_control_bytes(const char *v);

/* What dest.c remembers while a file is parsed. */
struct dest_parse {
	uint32_t seen[SETTINGS_MAX_DESTS]; /* keys given, one bit each */
	int line[SETTINGS_MAX_DESTS]; /* where each destination began */
	int tls_line[SETTINGS_MAX_DESTS]; /* a TLS key, for the check */
	int ch_line[SETTINGS_MAX_DESTS]; /* a ClickHouse key */
	int syslog_line[SETTINGS_MAX_DESTS]; /* a syslog key */
};

/*
 * One "forward.NAME.KEY = value" line (key is the whole dotted key);
 * key_col and val_col for the diagnostic.  Returns 0 or -EINVAL.
 */
int settings_dest_line(struct settings *s, struct dest_parse *p,
		       const char *key, const char *val, int key_col,
		       int val_col, const struct cursor *c);

/* After the whole file: every destination complete and consistent. */
int settings_dest_check(struct settings *s, const struct dest_parse *p,
			const struct cursor *c);

#endif /* VIGIL_SETTINGS_INTERNAL_H */
