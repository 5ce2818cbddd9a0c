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
};

struct ch_client;

/* NULL and errno (ENOMEM) on error.  Strings are copied. */
struct ch_client *ch_client_new(const struct ch_client_opts *o);
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
