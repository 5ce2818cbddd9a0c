/* SPDX-License-Identifier: MIT */
/*
 * settings/dest.c - the forwarder's destinations: "forward.NAME.KEY =
 * value" lines.  A destination exists once any of its keys is given; its
 * url says what it is (tcp://, tls://, udp:// syslog; http://, https://
 * ClickHouse).  Keys may come in any order, so what depends on the kind
 * (a TLS key on a tcp:// destination, say) is checked once the whole file
 * is read, and reported at the line of the offending key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "internal.h"
#include "render/render.h"

#define MESSAGE_MAX_DEFAULT (8 * 1024)
#define MESSAGE_MAX_MIN	    2048
#define MESSAGE_MAX_TCP	    (16u * 1024 * 1024)
#define MESSAGE_MAX_UDP	    65000
#define BATCH_SYSLOG	    1000
#define BATCH_CLICKHOUSE    5000
#define BATCH_MAX	    100000

enum dest_key {
	DK_URL,
	DK_FORMAT,
	DK_FRAMING,
	DK_MESSAGE_MAX,
	DK_FACILITY,
	DK_APP_NAME,
	DK_STRUCTURED_DATA,
	DK_CA_FILE,
	DK_CERT_FILE,
	DK_KEY_FILE,
	DK_SERVER_NAME,
	DK_TABLE,
	DK_USER,
	DK_PASSWORD_FILE,
	DK_CREATE_TABLE,
	DK_BATCH_EVENTS,
	DK_COUNT,
};

/* Which kinds a key belongs to. */
enum key_group { G_ANY, G_SYSLOG, G_TLS, G_CLICKHOUSE };

static const struct {
	const char *name;
	enum key_group group;
} dest_keys[DK_COUNT] = {
	[DK_URL] = { "url", G_ANY },
	[DK_FORMAT] = { "format", G_SYSLOG },
	[DK_FRAMING] = { "framing", G_SYSLOG },
	[DK_MESSAGE_MAX] = { "message_max", G_SYSLOG },
	[DK_FACILITY] = { "facility", G_SYSLOG },
	[DK_APP_NAME] = { "app_name", G_SYSLOG },
	[DK_STRUCTURED_DATA] = { "structured_data", G_SYSLOG },
	[DK_CA_FILE] = { "ca_file", G_TLS },
	[DK_CERT_FILE] = { "cert_file", G_TLS },
	[DK_KEY_FILE] = { "key_file", G_TLS },
	[DK_SERVER_NAME] = { "server_name", G_TLS },
	[DK_TABLE] = { "table", G_CLICKHOUSE },
	[DK_USER] = { "user", G_CLICKHOUSE },
	[DK_PASSWORD_FILE] = { "password_file", G_CLICKHOUSE },
	[DK_CREATE_TABLE] = { "create_table", G_CLICKHOUSE },
	[DK_BATCH_EVENTS] = { "batch_events", G_ANY },
};

static const char *const facilities[24] = {
	"kern",	  "user",   "mail",   "daemon", "auth",	    "syslog",
	"lpr",	  "news",   "uucp",   "cron",	"authpriv", "ftp",
	"ntp",	  "audit",  "alert",  "clock",	"local0",   "local1",
	"local2", "local3", "local4", "local5", "local6",   "local7",
};

const struct settings_dest *settings_dest_find(const struct settings *s,
					       const char *name)
{
	for (unsigned i = 0; i < s->ndests; i++)
		if (strcmp(s->dests[i].name, name) == 0)
			return &s->dests[i];
	return NULL;
}

static void dest_defaults(struct settings_dest *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->format = RENDER_XML;
	d->framing = FRAMING_OCTET_COUNTED;
	d->message_max = MESSAGE_MAX_DEFAULT;
	d->facility = 1; /* user, as Sysmon for Linux */
	snprintf(d->app_name, sizeof(d->app_name), "sysmon");
	d->has_origin_sd = true;
	snprintf(d->table, sizeof(d->table), "vigil_events");
	snprintf(d->user, sizeof(d->user), "default");
	d->is_create_table = true;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

/* host: a DNS name or IPv4 address, or [IPv6]; then :port (optional). */
static const char *parse_host_port(const char *p, struct settings_dest *d)
{
	const char *end;
	size_t n;

	if (*p == '[') {
		end = strchr(p, ']');
		if (!end)
			return "expected ']' after an IPv6 address";
		p++;
		n = (size_t)(end - p);
		if (!n || strspn(p, "0123456789abcdefABCDEF:.") != n)
			return "bad IPv6 address";
		end++;
	} else {
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
		if (!n)
			return "expected a host name or address after '//'";
		end = p + n;
	}
	if (n >= sizeof(d->host))
		return "host name too long";
	memcpy(d->host, p, n);
	d->host[n] = '\0';
	if (*end == ':') {
		char *stop;
		unsigned long port = strtoul(end + 1, &stop, 10);

		if (end[1] < '0' || end[1] > '9' || port < 1 || port > 65535)
			return "expected a port from 1 to 65535";
		d->port = (unsigned)port;
		end = stop;
	}
	if (d->kind == DEST_CLICKHOUSE && *end == '/')
		end++;
	if (*end)
		return "unexpected text after host:port (no path, user or "
		       "query in the url)";
	return NULL;
}

static const char *parse_url(const char *v, struct settings_dest *d)
{
	static const struct {
		const char *scheme;
		enum settings_dest_kind kind;
		unsigned port;
		bool is_https;
	} schemes[] = {
		{ "tcp://", DEST_SYSLOG_TCP, 514, false },
		{ "tls://", DEST_SYSLOG_TLS, 6514, false },
		{ "udp://", DEST_SYSLOG_UDP, 514, false },
		{ "http://", DEST_CLICKHOUSE, 8123, false },
		{ "https://", DEST_CLICKHOUSE, 8443, true },
	};

	if (strlen(v) >= sizeof(d->url))
		return "url too long";
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].scheme);

		if (strncmp(v, schemes[i].scheme, n) != 0)
			continue;
		d->kind = schemes[i].kind;
		d->port = schemes[i].port;
		d->is_https = schemes[i].is_https;
		snprintf(d->url, sizeof(d->url), "%s", v);
		return parse_host_port(v + n, d);
	}
	return "expected a url starting with tcp://, tls://, udp:// (syslog) "
	       "or http://, https:// (ClickHouse)";
}

/* RFC 5424 APP-NAME: 1-48 printable US-ASCII, no space. */
static const char *parse_app_name(const char *v, char *dst, size_t cap)
{
	if (!*v || strlen(v) >= cap)
		return "expected 1 to 48 characters";
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 33 || *p > 126)
			return "only printable ASCII without blanks is allowed";
	snprintf(dst, cap, "%s", v);
	return NULL;
}

/* [db.]table: identifiers of letters, digits and '_'. */
static const char *parse_table(const char *v, char *dst, size_t cap)
{
	size_t n = strlen(v), dots = 0;

	if (!n || n >= cap)
		return "expected a table name ([database.]table)";
	for (const char *p = v; *p; p++) {
		if (*p == '.') {
			if (++dots > 1 || p == v || !p[1])
				return "expected a table name ([database.]"
				       "table)";
			continue;
		}
		if (!(is_name_char(*p) && *p != '-') &&
		    !(*p >= 'A' && *p <= 'Z'))
			return "only letters, digits, '_' and one '.' are "
			       "allowed";
	}
	if (v[0] >= '0' && v[0] <= '9')
		return "a table name starts with a letter or '_'";
	snprintf(dst, cap, "%s", v);
	return NULL;
}

static const char *parse_facility(const char *v, unsigned *out)
{
	for (unsigned i = 0; i < 24; i++)
		if (strcasecmp(v, facilities[i]) == 0) {
			*out = i;
			return NULL;
		}
	return "expected a facility name (user, daemon, local0 ... local7, "
	       "see vigil.conf(5))";
}

static const char *set_dest_value(struct settings_dest *d, enum dest_key k,
				  const char *v)
{
	const char *err;
	uint64_t n;

	switch (k) {
	case DK_URL:
		return parse_url(v, d);
	case DK_FORMAT:
		err = settings_parse_format(v, &d->format);
		if (!err && d->format == RENDER_TEXT)
			err = "expected xml or json";
		return err ? "expected xml or json" : NULL;
	case DK_FRAMING:
		if (strcmp(v, "octet-counted") == 0)
			d->framing = FRAMING_OCTET_COUNTED;
		else if (strcmp(v, "lf") == 0)
			d->framing = FRAMING_LF;
		else
			return "expected octet-counted or lf";
		return NULL;
	case DK_MESSAGE_MAX:
		err = settings_parse_size(v, &n);
		if (!err && (n < MESSAGE_MAX_MIN || n > MESSAGE_MAX_TCP))
			err = "must be between 2K and 16M";
		if (!err)
			d->message_max = n;
		return err;
	case DK_FACILITY:
		return parse_facility(v, &d->facility);
	case DK_APP_NAME:
		return parse_app_name(v, d->app_name, sizeof(d->app_name));
	case DK_STRUCTURED_DATA:
		return settings_parse_bool(v, &d->has_origin_sd);
	case DK_CA_FILE:
		return settings_parse_path(v, d->ca_file, sizeof(d->ca_file),
					   false);
	case DK_CERT_FILE:
		return settings_parse_path(v, d->cert_file,
					   sizeof(d->cert_file), false);
	case DK_KEY_FILE:
		return settings_parse_path(v, d->key_file, sizeof(d->key_file),
					   false);
	case DK_PASSWORD_FILE:
		return settings_parse_path(v, d->password_file,
					   sizeof(d->password_file), false);
	case DK_SERVER_NAME: {
		struct settings_dest tmp = { .kind = DEST_SYSLOG_TLS };

		err = parse_host_port(v, &tmp);
		if (!err && (strchr(v, ':') || v[0] == '['))
			err = "a host name, without port";
		if (!err)
			snprintf(d->server_name, sizeof(d->server_name), "%s",
				 tmp.host);
		return err;
	}
	case DK_TABLE:
		return parse_table(v, d->table, sizeof(d->table));
	case DK_USER:
		if (!*v || strlen(v) >= sizeof(d->user) ||
		    settings_has_control_bytes(v) || strpbrk(v, " \"'\\"))
			return "expected a user name (no blanks, quotes or "
			       "backslashes)";
		snprintf(d->user, sizeof(d->user), "%s", v);
		return NULL;
	case DK_CREATE_TABLE:
		return settings_parse_bool(v, &d->is_create_table);
	case DK_BATCH_EVENTS:
		err = settings_parse_size(v, &n);
		if (!err && (n < 1 || n > BATCH_MAX))
			err = "must be between 1 and 100000";
		if (!err)
			d->batch_events = (unsigned)n;
		return err;
	case DK_COUNT:
		break;
	}
	return "internal error: unknown key";
}

int settings_dest_line(struct settings *s, struct dest_parse *p,
		       const char *key, const char *val, int key_col,
		       int val_col, const struct cursor *c)
{
	const char *name = key + 8, *dot = strchr(name, '.');
	char nm[SETTINGS_DEST_NAME_MAX];
	size_t n = dot ? (size_t)(dot - name) : 0;
	struct settings_dest *d = NULL;
	const char *err;
	unsigned i;
	int k;

	if (!dot || !n || strchr(dot + 1, '.'))
		return settings_fail(c, key_col,
				     "expected forward.NAME.KEY, e.g. "
				     "forward.siem.url");
	if (n >= sizeof(nm))
		return settings_fail(c, key_col + 8,
				     "destination name longer than %d",
				     SETTINGS_DEST_NAME_MAX - 1);
	for (size_t j = 0; j < n; j++)
		if (!is_name_char(name[j]))
			return settings_fail(c, key_col + 8 + (int)j,
					     "a destination name is lower-case "
					     "letters, digits, '_' and '-'");
	memcpy(nm, name, n);
	nm[n] = '\0';
	for (k = 0; k < DK_COUNT; k++)
		if (strcmp(dot + 1, dest_keys[k].name) == 0)
			break;
	if (k == DK_COUNT)
		return settings_fail(c, key_col + 9 + (int)n,
				     "unknown destination key '%s'", dot + 1);
	for (i = 0; i < s->ndests && !d; i++)
		if (strcmp(s->dests[i].name, nm) == 0)
			d = &s->dests[i];
	if (d)
		i--;
	if (!d) {
		if (s->ndests >= SETTINGS_MAX_DESTS)
			return settings_fail(c, key_col,
					     "at most %d destinations",
					     SETTINGS_MAX_DESTS);
		i = s->ndests++;
		d = &s->dests[i];
		dest_defaults(d, nm);
		p->line[i] = c->line;
	}
	if (p->seen[i] & (1u << k))
		return settings_fail(c, key_col, "'%s' is set twice", key);
	p->seen[i] |= 1u << k;
	err = set_dest_value(d, (enum dest_key)k, val);
	if (err)
		return settings_fail(c, val_col, "%s: %s", key, err);
	switch (dest_keys[k].group) {
	case G_SYSLOG:
		p->syslog_line[i] =
			p->syslog_line[i] ? p->syslog_line[i] : c->line;
		break;
	case G_TLS:
		p->tls_line[i] = p->tls_line[i] ? p->tls_line[i] : c->line;
		break;
	case G_CLICKHOUSE:
		p->ch_line[i] = p->ch_line[i] ? p->ch_line[i] : c->line;
		break;
	case G_ANY:
		break;
	}
	return 0;
}

/* The diagnostic of a check after parsing, at line (column 1). */
static int fail_at(const struct cursor *c, int line, const char *name,
		   const char *what)
{
	struct cursor at = *c;

	at.line = line;
	return settings_fail(&at, 1, "destination '%s': %s", name, what);
}

int settings_dest_check(struct settings *s, const struct dest_parse *p,
			const struct cursor *c)
{
	for (unsigned i = 0; i < s->ndests; i++) {
		struct settings_dest *d = &s->dests[i];
		bool is_syslog = d->kind != DEST_CLICKHOUSE;
		bool is_tls = d->kind == DEST_SYSLOG_TLS || d->is_https;

		if (!(p->seen[i] & (1u << DK_URL)))
			return fail_at(c, p->line[i], d->name, "no url");
		if (p->syslog_line[i] && !is_syslog)
			return fail_at(c, p->syslog_line[i], d->name,
				       "a syslog key on a ClickHouse url");
		if (p->ch_line[i] && is_syslog)
			return fail_at(c, p->ch_line[i], d->name,
				       "a ClickHouse key on a syslog url");
		if (p->tls_line[i] && !is_tls)
			return fail_at(c, p->tls_line[i], d->name,
				       "a TLS key without tls:// or https://");
		if (!d->cert_file[0] != !d->key_file[0])
			return fail_at(c, p->tls_line[i], d->name,
				       "cert_file and key_file go together");
		if (d->kind == DEST_SYSLOG_UDP &&
		    (p->seen[i] & (1u << DK_FRAMING)))
			return fail_at(c, p->syslog_line[i], d->name,
				       "framing is for tcp:// and tls:// "
				       "(a UDP datagram is one message)");
		if (d->kind == DEST_SYSLOG_UDP &&
		    d->message_max > MESSAGE_MAX_UDP)
			return fail_at(c, p->syslog_line[i], d->name,
				       "message_max of udp:// is at most "
				       "65000");
		if (!d->batch_events)
			d->batch_events =
				is_syslog ? BATCH_SYSLOG : BATCH_CLICKHOUSE;
	}
	return 0;
}
