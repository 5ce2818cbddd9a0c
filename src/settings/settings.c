/* SPDX-License-Identifier: MIT */
/*
 * settings/settings.c - vigil's own settings: the documented defaults and
 * the parser of the small "key = value" settings file (vigil.conf(5)).
 *
 * The parser is strict on purpose: a typo in a key or a value is an error
 * with file:line:col, never a silently ignored line, because a settings
 * file that does not say what the daemon does is worse than none.  It
 * overlays a copy of the caller's settings and commits only when the whole
 * file parsed, so a bad file leaves the caller's settings untouched.
 *
 * It does not read the Sysmon XML (config/ does) and holds no state.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "render/render.h"
#include "internal.h"
#include "settings.h"
#include "util/buf.h"
#include "util/duration.h"
#include "util/file.h"

/* A settings file is a handful of lines; anything bigger is not one. */
#define SETTINGS_MAX_FILE_BYTES (64 * 1024)

#define KIB			1024ull
#define MIB			(1024ull * KIB)
#define GIB			(1024ull * MIB)
#define TIB			(1024ull * GIB)

void settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->state_dir, sizeof(s->state_dir), "/var/lib/vigil");
	snprintf(s->run_dir, sizeof(s->run_dir), "/run/vigil");
	snprintf(s->store_path, sizeof(s->store_path),
		 "/var/lib/vigil/events.db");
	s->store_max_bytes = 1 * GIB;
	s->store_max_age_s = 30ull * 24 * 3600;
	s->stdout_on = false;
	s->stdout_format = RENDER_XML;
	s->syslog_on = false;
	s->jsonl_path[0] = '\0';
	snprintf(s->provider_name, sizeof(s->provider_name), "Linux-Sysmon");
	snprintf(s->provider_guid, sizeof(s->provider_guid),
		 "{ff032593-a8d3-4f13-b0d6-01fc615a0f97}");
	snprintf(s->channel, sizeof(s->channel), "Linux-Sysmon/Operational");
	s->queue_events = 16384;
	settings_parse_shed(SETTINGS_SHED_DEFAULT, s->shed_first);
	s->ring_kib = 4096;
	s->hash_max_bytes = 256 * MIB;
	s->command_line_max = 64 * KIB;
	s->extra_fields = false;
	snprintf(s->forward_user, sizeof(s->forward_user), "nobody");
	s->ndests = 0;
	s->web_on = false;
	snprintf(s->web_listen, sizeof(s->web_listen), "127.0.0.1:%d",
		 SETTINGS_WEB_PORT);
	snprintf(s->web_token_path, sizeof(s->web_token_path),
		 "/etc/vigil/web.token");
	snprintf(s->web_user, sizeof(s->web_user), "nobody");
}

int settings_fail(const struct cursor *c, int col, const char *fmt, ...)
{
	va_list ap;

	if (!c->d)
		return -EINVAL;
	snprintf(c->d->file, sizeof(c->d->file), "%s", c->file);
	c->d->line = c->line;
	c->d->col = col;
	va_start(ap, fmt);
	vsnprintf(c->d->msg, sizeof(c->d->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Value parsers: 0 or a message (static string) describing the problem. */

static const char *parse_u64(const char *v, uint64_t *out, const char **end)
{
	uint64_t n = 0;
	const char *p = v;

	if (*p < '0' || *p > '9')
		return "expected a number";
	while (*p >= '0' && *p <= '9') {
		unsigned digit = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - digit) / 10)
			return "number too large";
		n = n * 10 + digit;
		p++;
	}
	*out = n;
	*end = p;
	return NULL;
}

static const char *mul_checked(uint64_t n, uint64_t unit, uint64_t *out)
{
	if (unit && n > UINT64_MAX / unit)
		return "number too large";
	*out = n * unit;
	return NULL;
}

/* "512", "64K", "16M", "1G", "2T" (binary multiples, case-insensitive). */
const char *settings_parse_size(const char *v, uint64_t *out)
{
	const char *end, *err;
	uint64_t n, unit = 1;

	err = parse_u64(v, &n, &end);
	if (err)
		return err;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		unit = KIB;
		break;
	case 'm':
	case 'M':
		unit = MIB;
		break;
	case 'g':
	case 'G':
		unit = GIB;
		break;
	case 't':
	case 'T':
		unit = TIB;
		break;
	default:
		return "expected a size: a number with an optional K, M, G "
		       "or T suffix";
	}
	if (*end && end[1])
		return "expected a size: a number with an optional K, M, G "
		       "or T suffix";
	return mul_checked(n, unit, out);
}

/* "30", "90s", "15m", "12h", "30d" (no suffix: seconds; no weeks). */
static const char *parse_duration(const char *v, uint64_t *out)
{
	switch (duration_parse(v, DURATION_BARE_SECONDS, out)) {
	case 0:
		return NULL;
	case -ERANGE:
		return "number too large";
	default:
		return "expected a duration: a number with an optional s, m, "
		       "h or d suffix";
	}
}

const char *settings_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return NULL;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return NULL;
		}
	}
	return "expected yes or no (also on/off, true/false, 1/0)";
}

bool settings_has_control_bytes(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* An absolute path that fits; "" only if may_be_empty. */
const char *settings_parse_path(const char *v, char *dst, size_t cap,
				bool may_be_empty)
{
	if (!*v) {
		if (!may_be_empty)
			return "a path is required here";
		dst[0] = '\0';
		return NULL;
	}
	if (v[0] != '/')
		return "expected an absolute path";
	if (strlen(v) >= cap)
		return "path too long";
	if (settings_has_control_bytes(v))
		return "control character in path";
	snprintf(dst, cap, "%s", v);
	return NULL;
}

/* Provider/channel names end up verbatim in every XML record: keep them
 * to printable ASCII without markup characters. */
static const char *parse_name(const char *v, char *dst, size_t cap)
{
	if (!*v)
		return "a value is required here";
	if (strlen(v) >= cap)
		return "value too long";
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || strchr("<>&\"'", *p))
			return "only printable ASCII without <>&\"' is "
			       "allowed";
	snprintf(dst, cap, "%s", v);
	return NULL;
}

/* "ADDRESS:PORT": an IPv4 address or [IPv6], a port 1-65535 (checked
 * again, and resolved, by `vigil web`). */
static const char *parse_listen(const char *v, char *dst, size_t cap)
{
	const char *colon = strrchr(v, ':');
	uint64_t port;
	const char *end;

	if (!colon || colon == v || strlen(v) >= cap ||
	    strspn(v, "0123456789abcdefABCDEF.:[]") != strlen(v))
		return "expected ADDRESS:PORT (127.0.0.1:8470, [::1]:8470)";
	if (parse_u64(colon + 1, &port, &end) || *end || port == 0 ||
	    port > 65535)
		return "expected a port between 1 and 65535";
	snprintf(dst, cap, "%s", v);
	return NULL;
}

/* A user name as useradd allows it. */
static const char *parse_user(const char *v, char *dst, size_t cap)
{
	size_t n = strlen(v);

	if (!n || n >= cap || v[0] == '-' ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return "expected a user name (lower-case letters, digits, _ "
		       "and -)";
	snprintf(dst, cap, "%s", v);
	return NULL;
}

enum key_id {
	K_STATE_DIR,
	K_RUN_DIR,
	K_STORE_PATH,
	K_STORE_MAX_BYTES,
	K_STORE_MAX_AGE,
	K_STDOUT,
	K_STDOUT_FORMAT,
	K_SYSLOG,
	K_JSONL_PATH,
	K_PROVIDER_NAME,
	K_PROVIDER_GUID,
	K_CHANNEL,
	K_QUEUE_EVENTS,
	K_SHED_FIRST,
	K_RING_KIB,
	K_HASH_MAX_BYTES,
	K_COMMAND_LINE_MAX,
	K_EXTRA_FIELDS,
	K_FORWARD_USER,
	K_WEB,
	K_WEB_LISTEN,
	K_WEB_TOKEN_PATH,
	K_WEB_USER,
	K_COUNT,
};

static const char *const key_names[K_COUNT] = {
	[K_STATE_DIR] = "state_dir",
	[K_RUN_DIR] = "run_dir",
	[K_STORE_PATH] = "store_path",
	[K_STORE_MAX_BYTES] = "store_max_bytes",
	[K_STORE_MAX_AGE] = "store_max_age",
	[K_STDOUT] = "stdout",
	[K_STDOUT_FORMAT] = "stdout_format",
	[K_SYSLOG] = "syslog",
	[K_JSONL_PATH] = "jsonl_path",
	[K_PROVIDER_NAME] = "provider_name",
	[K_PROVIDER_GUID] = "provider_guid",
	[K_CHANNEL] = "channel",
	[K_QUEUE_EVENTS] = "queue_events",
	[K_SHED_FIRST] = "shed_first",
	[K_RING_KIB] = "ring_kib",
	[K_HASH_MAX_BYTES] = "hash_max_bytes",
	[K_COMMAND_LINE_MAX] = "command_line_max",
	[K_EXTRA_FIELDS] = "extra_fields",
	[K_FORWARD_USER] = "forward_user",
	[K_WEB] = "web",
	[K_WEB_LISTEN] = "web_listen",
	[K_WEB_TOKEN_PATH] = "web_token_path",
	[K_WEB_USER] = "web_user",
};

const char *settings_parse_format(const char *v, int *out)
{
	if (strcmp(v, "xml") == 0)
		*out = RENDER_XML;
	else if (strcmp(v, "json") == 0)
		*out = RENDER_JSON;
	else if (strcmp(v, "text") == 0)
		*out = RENDER_TEXT;
	else
		return "expected xml, json or text";
	return NULL;
}

const char *settings_parse_shed(const char *v, uint64_t out[4])
{
	const char *p = v;

	memset(out, 0, 4 * sizeof(out[0]));
	if (strcmp(v, "none") == 0)
		return NULL;
	while (*p) {
		char *end;
		unsigned long id;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p < '0' || *p > '9')
			return "expected event ids (1-255) separated by commas, "
			       "or none";
		errno = 0;
		id = strtoul(p, &end, 10);
		if (errno || id < 1 || id > 255)
			return "an event id is 1 to 255";
		out[id / 64] |= 1ull << (id % 64);
		p = end;
	}
	return NULL;
}

static const char *set_value(struct settings *s, enum key_id k, const char *v)
{
	const char *err = NULL;
	uint64_t n;

	switch (k) {
	case K_STATE_DIR:
		return settings_parse_path(v, s->state_dir,
					   sizeof(s->state_dir), false);
	case K_RUN_DIR:
		return settings_parse_path(v, s->run_dir, sizeof(s->run_dir),
					   false);
	case K_STORE_PATH:
		return settings_parse_path(v, s->store_path,
					   sizeof(s->store_path), true);
	case K_JSONL_PATH:
		return settings_parse_path(v, s->jsonl_path,
					   sizeof(s->jsonl_path), true);
	case K_STORE_MAX_BYTES:
		err = settings_parse_size(v, &n);
		if (!err && n < MIB)
			err = "must be at least 1M";
		if (!err)
			s->store_max_bytes = n;
		return err;
	case K_STORE_MAX_AGE:
		err = parse_duration(v, &n);
		if (!err)
			s->store_max_age_s = n;
		return err;
	case K_HASH_MAX_BYTES:
		err = settings_parse_size(v, &n);
		if (!err)
			s->hash_max_bytes = n;
		return err;
	case K_QUEUE_EVENTS:
		err = settings_parse_size(v, &n);
		if (!err && (n < 64 || n > 16 * MIB))
			err = "must be between 64 and 16M events";
		if (!err)
			s->queue_events = (unsigned)n;
		return err;
	case K_SHED_FIRST:
		return settings_parse_shed(v, s->shed_first);
	case K_RING_KIB:
		/* The kernel wants a power-of-two multiple of the page. */
		err = settings_parse_size(v, &n);
		if (!err && (n < 4 || n > 1024 * 1024 || (n & (n - 1))))
			err = "must be a power of two between 4 and 1048576";
		if (!err)
			s->ring_kib = (unsigned)n;
		return err;
	case K_COMMAND_LINE_MAX:
		/* The exec record's data[] bounds it (include/wire.h). */
		err = settings_parse_size(v, &n);
		if (!err && (n < 4 * KIB || n > SETTINGS_COMMAND_LINE_MAX))
			err = "must be between 4K and 111K";
		if (!err)
			s->command_line_max = (unsigned)n;
		return err;
	case K_EXTRA_FIELDS:
		return settings_parse_bool(v, &s->extra_fields);
	case K_WEB:
		return settings_parse_bool(v, &s->web_on);
	case K_WEB_LISTEN:
		return parse_listen(v, s->web_listen, sizeof(s->web_listen));
	case K_WEB_TOKEN_PATH:
		return settings_parse_path(v, s->web_token_path,
					   sizeof(s->web_token_path), false);
	case K_WEB_USER:
		return parse_user(v, s->web_user, sizeof(s->web_user));
	case K_STDOUT:
		return settings_parse_bool(v, &s->stdout_on);
	case K_SYSLOG:
		return settings_parse_bool(v, &s->syslog_on);
	case K_STDOUT_FORMAT:
		return settings_parse_format(v, &s->stdout_format);
	case K_PROVIDER_NAME:
		return parse_name(v, s->provider_name,
				  sizeof(s->provider_name));
	case K_PROVIDER_GUID:
		return parse_name(v, s->provider_guid,
				  sizeof(s->provider_guid));
	case K_CHANNEL:
		return parse_name(v, s->channel, sizeof(s->channel));
	case K_FORWARD_USER:
		return parse_user(v, s->forward_user, sizeof(s->forward_user));
	case K_COUNT:
		break;
	}
	return "internal error: unknown key";
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* '.' and '-' only appear in forward.NAME.KEY keys. */
static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-';
}

/* Parse one line (NUL-terminated, no newline) into s. */
static int parse_line(struct settings *s, char *line, bool seen[K_COUNT],
		      struct dest_parse *dp, const struct cursor *c)
{
	char *p = line, *key, *val, *end;
	const char *err;
	int key_col, val_col;
	size_t key_len;
	int k;

	while (is_blank(*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	key = p;
	key_col = (int)(p - line) + 1;
	while (is_key_char(*p))
		p++;
	key_len = (size_t)(p - key);
	if (key_len == 0)
		return settings_fail(c, key_col,
				     "expected a key (lower-case letters, "
				     "digits, '_')");
	while (is_blank(*p))
		p++;
	if (*p != '=')
		return settings_fail(c, (int)(p - line) + 1,
				     "expected '=' after '%.*s'", (int)key_len,
				     key);
	key[key_len] = '\0';
	p++;
	while (is_blank(*p))
		p++;
	val = p;
	val_col = (int)(p - line) + 1;
	/* A comment after a value starts with blank + '#'. */
	for (end = val; *end; end++)
		if (*end == '#' && (end == val || is_blank(end[-1])))
			break;
	while (end > val && is_blank(end[-1]))
		end--;
	*end = '\0';

	if (strncmp(key, "forward.", 8) == 0)
		return settings_dest_line(s, dp, key, val, key_col, val_col, c);
	for (k = 0; k < K_COUNT; k++)
		if (strcmp(key, key_names[k]) == 0)
			break;
	if (k == K_COUNT)
		return settings_fail(c, key_col, "unknown key '%s'", key);
	if (seen[k])
		return settings_fail(c, key_col, "'%s' is set twice", key);
	seen[k] = true;
	err = set_value(s, (enum key_id)k, val);
	if (err)
		return settings_fail(c, val_col, "%s: %s", key, err);
	return 0;
}

/* Parse the whole text (NUL-terminated, len bytes) into s. */
static int parse_text(struct settings *s, char *text, size_t len,
		      const struct cursor *start)
{
	bool seen[K_COUNT] = { false };
	struct dest_parse dp;
	struct cursor c = *start;
	char *line = text, *nl;
	int err;

	memset(&dp, 0, sizeof(dp));
	if (memchr(text, '\0', len))
		return settings_fail(&c, 1, "NUL byte in settings file");
	for (c.line = 1; line < text + len; c.line++) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		err = parse_line(s, line, seen, &dp, &c);
		if (err)
			return err;
		if (!nl)
			break;
		line = nl + 1;
	}
	return settings_dest_check(s, &dp, &c);
}

/* The file as a string; -ENOENT is the caller's to report. */
static int read_file(const char *path, struct buf *out, const struct cursor *c)
{
	int err = file_read_all(path, SETTINGS_MAX_FILE_BYTES, out);

	switch (err) {
	case 0:
	case -ENOENT:
		return err;
	case -EFBIG:
		return settings_fail(c, 0, "larger than %d bytes",
				     SETTINGS_MAX_FILE_BYTES);
	case -EISDIR:
	case -EINVAL:
		return settings_fail(c, 0, "not a regular file");
	default:
		settings_fail(c, 0, "cannot read: %s", strerror(-err));
		return err;
	}
}

int settings_load_mem(struct settings *s, const char *text, size_t len,
		      const char *name, struct diag *d)
{
	struct cursor c = { .file = name, .line = 0, .d = d };
	struct settings tmp = *s;
	struct buf copy;
	int err;

	if (len > SETTINGS_MAX_FILE_BYTES)
		return settings_fail(&c, 0, "larger than %d bytes",
				     SETTINGS_MAX_FILE_BYTES);
	/* parse_text() cuts lines in place: a private, terminated copy */
	buf_init(&copy, SETTINGS_MAX_FILE_BYTES + 1);
	if (buf_add(&copy, text, len) || (len && !copy.data)) {
		buf_release(&copy);
		return -ENOMEM;
	}
	err = parse_text(&tmp, copy.data ? copy.data : (char *)"", len, &c);
	buf_release(&copy);
	if (err)
		return err;
	*s = tmp;
	return 0;
}

int settings_load(struct settings *s, const char *path, struct diag *d)
{
	struct cursor c = { .file = path, .line = 0, .d = d };
	struct buf text;
	int err;

	buf_init(&text, SETTINGS_MAX_FILE_BYTES + 1);
	err = read_file(path, &text, &c);
	if (!err)
		err = settings_load_mem(s, text.data ? text.data : "", text.len,
					path, d);
	buf_release(&text);
	return err;
}
