/* SPDX-License-Identifier: MIT */
/*
 * clickhouse/client.c - POST to ClickHouse's HTTP interface with libcurl:
 * one easy handle per client (connections are kept alive between
 * requests), basic authentication, TLS material from memory.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse.h"
#include "util/buf.h"

/* Largest answer kept: queries read rows through it (the viewer). */
#define RESP_MAX_BYTES (256u * 1024 * 1024)

struct ch_client {
	CURL *curl;
	char *url, *user, *password, *ca_pem, *cert_pem, *key_pem;
	char *settings;
	int timeout_ms;
};

int ch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -ENOMEM;
}

static char *dup_or_null(const char *s, bool *is_bad)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*is_bad = true;
	return d;
}

void ch_client_free(struct ch_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->url);
	free(c->user);
	free(c->settings);
	if (c->password)
		memset(c->password, 0, strlen(c->password));
	free(c->password);
	free(c->ca_pem);
	free(c->cert_pem);
	if (c->key_pem)
		memset(c->key_pem, 0, strlen(c->key_pem));
	free(c->key_pem);
	free(c);
}

struct ch_client *ch_client_new(const struct ch_client_opts *o)
{
	struct ch_client *c = calloc(1, sizeof(*c));
	bool is_bad = false;
	size_t n;

	if (!c)
		return NULL;
	n = strlen(o->url);
	c->url = malloc(n + 2);
	if (c->url) {
		memcpy(c->url, o->url, n + 1);
		if (!n || o->url[n - 1] != '/')
			strcat(c->url, "/");
	}
	c->user = dup_or_null(o->user ? o->user : "default", &is_bad);
	c->password = dup_or_null(o->password, &is_bad);
	c->ca_pem = dup_or_null(o->ca_pem, &is_bad);
	c->cert_pem = dup_or_null(o->cert_pem, &is_bad);
	c->key_pem = dup_or_null(o->key_pem, &is_bad);
	c->settings = dup_or_null(o->settings, &is_bad);
	c->timeout_ms = o->timeout_ms;
	c->curl = curl_easy_init();
	if (!c->url || is_bad || !c->curl) {
		ch_client_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (buf_add(b, p, size * n) || b->is_full)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	return size * n;
}

static void set_blob(CURL *h, CURLoption opt, const char *pem)
{
	struct curl_blob blob = { .data = (void *)pem,
				  .len = strlen(pem),
				  .flags = CURL_BLOB_COPY };

	curl_easy_setopt(h, opt, &blob);
}

static int transport_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -ENOENT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return -EPROTO;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EHOSTUNREACH;
	}
}

/* The first line of the server's message, printable ASCII only. */
static void server_error(long code, const struct buf *resp, char *err,
			 size_t errlen)
{
	size_t n = 0, w;

	w = (size_t)snprintf(err, errlen,
			     "ClickHouse answered HTTP %ld: ", code);
	for (; w + 1 < errlen && n < resp->len && resp->data[n] != '\n'; n++)
		err[w++] = resp->data[n] >= 0x20 && resp->data[n] < 0x7f
				   ? resp->data[n]
				   : '?';
	if (w < errlen)
		err[w] = '\0';
}

int ch_post(struct ch_client *c, const char *query, const void *body,
	    size_t len, struct buf *resp, char *err, size_t errlen)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	char *url = NULL, *q = NULL;
	const char *set = c->settings ? c->settings : "";
	CURL *h = c->curl;
	CURLcode rc;
	long code = 0;

	buf_reset(resp);
	resp->max_bytes = RESP_MAX_BYTES;
	if (query || *set) {
		q = curl_easy_escape(h, query ? query : "", 0);
		url = q ? malloc(strlen(c->url) + strlen(set) + strlen(q) + 10)
			: NULL;
		if (!url) {
			curl_free(q);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		sprintf(url, "%s?%s%s%s%s", c->url, set,
			*set && query ? "&" : "", query ? "query=" : "",
			query ? q : "");
		curl_free(q);
	}
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url ? url : c->url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
	curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_pem)
		set_blob(h, CURLOPT_CAINFO_BLOB, c->ca_pem);
	if (c->cert_pem)
		set_blob(h, CURLOPT_SSLCERT_BLOB, c->cert_pem);
	if (c->key_pem)
		set_blob(h, CURLOPT_SSLKEY_BLOB, c->key_pem);
	rc = curl_easy_perform(h);
	free(url);
	if (rc != CURLE_OK) {
		if (rc == CURLE_WRITE_ERROR && resp->is_full) {
			snprintf(err, errlen, "answer longer than %u MiB",
				 RESP_MAX_BYTES >> 20);
			return -ENOMEM;
		}
		snprintf(err, errlen, "ClickHouse at %s: %s", c->url,
			 ebuf[0] ? ebuf : curl_easy_strerror(rc));
		return transport_errno(rc);
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		server_error(code, resp, err, errlen);
		return -EIO;
	}
	return 0;
}
