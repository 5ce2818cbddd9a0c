/* SPDX-License-Identifier: MIT */
/*
 * clickhouse/dest.c - a client for a ClickHouse destination of vigil.conf
 * (forward.NAME.url = http(s)://...): the forwarder, `vigil view --fleet`
 * and `vigil web` all reach the fleet table through one of these.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clickhouse.h"
#include "settings/settings.h"
#include "util/buf.h"
#include "util/file.h"

#define SECRET_MAX_BYTES (64 * 1024)

/* A secret or PEM file's text (trailing newlines kept for PEM). */
static int read_text(const char *path, struct buf *b, bool is_password,
		     char *err, size_t errlen)
{
	int r = file_read_all(path, SECRET_MAX_BYTES, b);

	if (r < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-r));
		return r;
	}
	while (is_password && b->len &&
	       (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = '\0';
	return 0;
}

struct ch_client *ch_client_for(const struct settings_dest *d, int timeout_ms,
				const char *settings, char *err, size_t errlen)
{
	struct ch_client *cl = NULL;
	struct buf pw, ca, cert, key;
	struct ch_client_opts o = { 0 };
	char url[SETTINGS_DEST_STR_MAX + 32];
	bool is_v6 = strchr(d->host, ':') != NULL;
	int r = 0;

	buf_init(&pw, SECRET_MAX_BYTES + 1);
	buf_init(&ca, SECRET_MAX_BYTES + 1);
	buf_init(&cert, SECRET_MAX_BYTES + 1);
	buf_init(&key, SECRET_MAX_BYTES + 1);
	if (d->password_file[0])
		r = read_text(d->password_file, &pw, true, err, errlen);
	if (!r && d->ca_file[0])
		r = read_text(d->ca_file, &ca, false, err, errlen);
	if (!r && d->cert_file[0])
		r = read_text(d->cert_file, &cert, false, err, errlen);
	if (!r && d->key_file[0])
		r = read_text(d->key_file, &key, false, err, errlen);
	snprintf(url, sizeof(url), "%s://%s%s%s:%u/",
		 d->is_https ? "https" : "http", is_v6 ? "[" : "", d->host,
		 is_v6 ? "]" : "", d->port);
	o.url = url;
	o.user = d->user;
	o.password = d->password_file[0] ? pw.data : NULL;
	o.ca_pem = d->ca_file[0] ? ca.data : NULL;
	o.cert_pem = d->cert_file[0] ? cert.data : NULL;
	o.key_pem = d->key_file[0] ? key.data : NULL;
	o.timeout_ms = timeout_ms;
	o.settings = settings;
	if (!r) {
		cl = ch_client_new(&o);
		if (!cl) {
			snprintf(err, errlen, "out of memory");
			r = -ENOMEM;
		}
	}
	if (pw.data)
		memset(pw.data, 0, pw.len);
	if (key.data)
		memset(key.data, 0, key.len);
	buf_release(&pw);
	buf_release(&ca);
	buf_release(&cert);
	buf_release(&key);
	if (r)
		errno = -r;
	return cl;
}
