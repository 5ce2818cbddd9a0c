/* SPDX-License-Identifier: MIT */
/*
 * clickhouse/clickhouse.h - the fleet table in ClickHouse: its schema,
 * its rows, and a small client for ClickHouse's HTTP interface (libcurl).
 * The forwarder writes the table; `vigil view --fleet` reads it.
 *
 * Works with ClickHouse 18.16 (Debian 12's), so it uses nothing newer:
 * no query parameters (values are quoted with ch_quote()), no
 * DateTime64, no TTL.
 *
 * The table (ch_table_ddl(); docs/clickhouse-table.sql holds the same):
 * one row per event, the Computer and EventRecordID that identify it,
 * EventID, UtcTime (DateTime, seconds) and time_ns / created_ns (UtcTime
 * and TimeCreated in ns), the common Sysmon fields as String columns
 * named as the fields are (ch_columns; "" when the event has no such
 * field), and record, the whole event as vigil's JSON line.  Engine
 * ReplacingMergeTree, PARTITION BY toYYYYMM(UtcTime), ORDER BY
 * (Computer, EventID, EventRecordID): a row that arrives twice (the same
 * Computer and EventRecordID) is merged away; the forwarder itself never
 * inserts one twice (see forward/ch_target.c).
 */
#ifndef VIGIL_CLICKHOUSE_H
#define VIGIL_CLICKHOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct event;

#define CH_DEFAULT_TABLE "vigil_events"
#define CH_NCOLUMNS	 20

/* The Sysmon fields with a column of their own, in column order. */
extern const char *const ch_columns[CH_NCOLUMNS];

/* Whether field (catalogue spelling) has a column. */
bool ch_is_column(const char *field);

/* CREATE TABLE IF NOT EXISTS for table ([db.]name, already checked). */
int ch_table_ddl(struct buf *b, const char *table);

/*
 * One JSONEachRow line (with its newline) for ev: computer, the
 * columns, and record (len bytes of vigil's JSON rendering of ev).
 * Returns 0 or -ENOMEM.
 */
int ch_row_json(struct buf *b, const char *computer, const struct event *ev,
		uint64_t created_ns, const char *record, size_t len);

/* s as a ClickHouse string literal, quotes included. */
int ch_quote(struct buf *b, const char *s, size_t n);

/*
 * Reading a TabSeparated answer (the viewers' queries end with FORMAT
 * TabSeparated): t walks the answer, which it unescapes in place.
 */
#define CH_ROW_MAX_FIELDS 16

struct ch_tsv {
	char *pos, *end;
};

/* One row: n fields, each NUL-terminated and len[i] long (a field may
 * hold NUL bytes of its own); pointers into the answer. */
struct ch_row {
	unsigned n;
	const char *v[CH_ROW_MAX_FIELDS];
	size_t len[CH_ROW_MAX_FIELDS];
};

/*
 * The next row of t, which must have exactly nfields fields (1 ..
 * CH_ROW_MAX_FIELDS).  Returns 1 (a row), 0 (the end), or -EPROTO: a
 * row with another number of fields, an escape ClickHouse does not
 * write, no newline at the end.
 */
int ch_tsv_row(struct ch_tsv *t, unsigned nfields, struct ch_row *row);

/* A field as an unsigned decimal number (digits only, no leading zero,
 * no overflow): 0 or -EPROTO. */
int ch_parse_u64(const char *s, size_t n, uint64_t *out);

/* Once per process, before any thread uses a client. */
int ch_global_init(void);

struct ch_client_opts {
	const char *url; /* http(s)://host:port[/] */
	const char *user; /* NULL: "default" */
	const char *password; /* NULL: none */
	/* https: PEM contents (not paths: read before privileges drop) */
	const char *ca_pem; /* NULL: the system's CAs */
	const char *cert_pem, *key_pem; /* client certificate, or NULL */
	int timeout_ms; /* whole request */
	/* NULL, or settings for every request, "name=value&..." in the
	 * URL (the viewers: readonly=2 and bounds on the work) */
	const char *settings;
};

struct ch_client;

/* NULL and errno (ENOMEM) on error.  Strings are copied. */
struct ch_client *ch_client_new(const struct ch_client_opts *o);

/*
 * A client for the ClickHouse destination d of vigil.conf: its URL and
 * user, its password and PEM files read now (before privileges drop),
 * timeout_ms and settings as in ch_client_opts.  NULL, errno and a
 * sentence in err (a file that cannot be read, no memory).
 */
struct settings_dest;
struct ch_client *ch_client_for(const struct settings_dest *d, int timeout_ms,
				const char *settings, char *err, size_t errlen);
void ch_client_free(struct ch_client *c);

/*
 * POST body to the server, with query (NULL: none) in the URL, and the
 * answer into resp (reset first).  Returns 0, or with a sentence in err:
 *   -ECONNREFUSED, -ETIMEDOUT, -ENOENT (no such host), -EHOSTUNREACH:
 *      the server could not be reached;
 *   -EPROTO  TLS failed (handshake, certificate);
 *   -EIO     the server answered with an error (its message in err);
 *   -ENOMEM.
 */
int ch_post(struct ch_client *c, const char *query, const void *body,
	    size_t len, struct buf *resp, char *err, size_t errlen);

/*
 * The answer to a query for one UInt64 column in FORMAT TabSeparated
 * (len bytes, need not be terminated): one decimal number per line.
 * Returns the count and *ids (malloc'd, the caller frees; NULL for 0),
 * -EPROTO for anything else (*ids NULL), or -ENOMEM.  Pure.
 */
int64_t ch_parse_ids(const char *text, size_t len, uint64_t **ids);

#endif /* VIGIL_CLICKHOUSE_H */
