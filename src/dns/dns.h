/* SPDX-License-Identifier: MIT */
/*
 * dns/dns.h - DNS messages for event 22 DnsQuery: a parser of hostile
 * wire bytes, Sysmon's renderings of the answers and of the status, and
 * the tracker that pairs what a process asked with what it was told.
 *
 * Everything here is pure: bytes in, text out, no I/O, no clock (times
 * are passed in).  The parser is fuzzed (tests/fuzz/fuzz_dns.c).
 */
#ifndef VIGIL_DNS_H
#define VIGIL_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A name in text: 253 characters at most, more with \DDD escapes (each
 * byte of a label can take four), so a name that would not fit is cut
 * and marked. */
#define DNS_NAME_MAX	1024
#define DNS_ANSWERS_MAX 32 /* answers kept per message; more are counted */
#define DNS_RESULTS_MAX 4096 /* QueryResults text */

#define DNS_TYPE_A	1
#define DNS_TYPE_NS	2
#define DNS_TYPE_CNAME	5
#define DNS_TYPE_SOA	6
#define DNS_TYPE_PTR	12
#define DNS_TYPE_MX	15
#define DNS_TYPE_TXT	16
#define DNS_TYPE_AAAA	28
#define DNS_TYPE_SRV	33
#define DNS_TYPE_DNAME	39

/* Windows' codes for QueryStatus (sysmon-values.md, event 22). */
#define DNS_STATUS_SUCCESS    0
#define DNS_STATUS_NO_RECORDS 9501 /* DNS_INFO_NO_RECORDS: NODATA */
#define DNS_STATUS_RCODE_BASE 9000 /* DNS_ERROR_RCODE_*: 9000 + RCODE */
#define DNS_STATUS_TIMEOUT    1460 /* ERROR_TIMEOUT: no answer came */

struct dns_answer {
	uint16_t type;
	/* A / AAAA: the address, IPv4 v4-mapped; other types: data text */
	uint8_t addr[16];
	char text[DNS_NAME_MAX];
};

struct dns_msg {
	uint16_t id;
	bool is_response; /* QR */
	bool is_truncated; /* TC: the server said the answer did not fit */
	bool is_partial; /* the bytes ended or broke before the last answer */
	uint8_t opcode;
	uint8_t rcode;
	uint16_t qtype;
	uint16_t qclass;
	char qname[DNS_NAME_MAX]; /* no trailing dot; the root is "." */
	unsigned nanswers; /* answers[] filled */
	unsigned nanswers_more; /* answer records beyond DNS_ANSWERS_MAX */
	struct dns_answer answers[DNS_ANSWERS_MAX];
};

/*
 * Parse one DNS message (no TCP length prefix).  Names are decoded with
 * compression pointers that must point backwards (so no loop is
 * possible), and written with every byte outside [!-~] and each '.', ';'
 * and '\' inside a label escaped as \DDD, so no byte of a name can pass
 * for a separator.  Returns 0 with the header and question read (the
 * answer section best-effort: is_partial says it stopped early), or
 * -EINVAL when even the question cannot be read.
 */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);

/*
 * QueryResults as Sysmon writes it: each answer followed by ';', A as
 * "::ffff:a.b.c.d", AAAA compressed, any other type "type: N data" with N
 * right-aligned in three columns ("type:  5 alias.example").  "-" when
 * there is no answer.  Always NUL-terminates out; a text that does not fit
 * ends after the last whole answer.
 */
void dns_format_results(const struct dns_msg *m, char *out, size_t size);

/*
 * QueryStatus: 0 when the server answered with records, 9501 when it
 * answered NOERROR with none (NODATA), 9000 + RCODE for an error
 * (9003 NXDOMAIN, 9002 SERVFAIL, 9005 REFUSED ...).
 */
unsigned dns_status(const struct dns_msg *m);

/* --- track.c: queries paired with answers ---------------------------------- */

/*
 * The tracker sees each DNS packet a socket sent or received (UDP
 * datagrams, TCP segments reassembled per socket) and yields one result
 * per question: when its answer arrives, or with status 1460 when none did
 * within the timeout.  A result carries the context of the query (the
 * asking process) when the query was seen, else the answer's.
 *
 * Bounded: at most DNS_TRACK_QUERIES unanswered queries and
 * DNS_TRACK_STREAMS TCP streams; the oldest gives way (a query pushed out
 * is reported as unanswered at once).
 */
#define DNS_TRACK_QUERIES 1024
#define DNS_TRACK_STREAMS 32

struct dns_track;

/* What the caller attaches to a packet (the wire_task, opaque here). */
struct dns_ctx {
	uint8_t bytes[64];
};

struct dns_result {
	struct dns_ctx ctx; /* the asker */
	uint64_t ts_ns; /* when it completed (answer or timeout) */
	unsigned status;
	char qname[DNS_NAME_MAX];
	uint16_t qtype;
	struct dns_msg *msg; /* the answer (NULL on timeout); borrowed */
};

struct dns_track *dns_track_new(uint64_t timeout_ns);
void dns_track_free(struct dns_track *t);

/*
 * Feed one packet: cookie names the socket, is_sent its direction,
 * is_tcp with seq for stream bytes.  Results become available through
 * dns_track_next().  Returns the number of results now pending.
 */
unsigned dns_track_packet(struct dns_track *t, uint64_t ts_ns, uint64_t cookie,
			  bool is_sent, bool is_tcp, uint32_t seq,
			  const uint8_t *data, size_t len,
			  const struct dns_ctx *ctx);

/* Time out queries older than the timeout at now_ns. */
void dns_track_expire(struct dns_track *t, uint64_t now_ns);

/* Time out every query still waiting, as of now_ns (at shutdown: they
 * are reported unanswered rather than forgotten). */
void dns_track_flush(struct dns_track *t, uint64_t now_ns);

/*
 * The next result, valid until the next call into the tracker; false when
 * there is none.
 */
bool dns_track_next(struct dns_track *t, struct dns_result *out);

struct dns_track_stats {
	uint64_t queries; /* questions seen leaving */
	uint64_t answers; /* answers seen arriving */
	uint64_t unmatched; /* answers to a query not seen */
	uint64_t timeouts; /* queries never answered */
	uint64_t malformed; /* packets that did not parse */
	uint64_t evicted; /* queries pushed out by newer ones */
};
void dns_track_stats(const struct dns_track *t, struct dns_track_stats *out);

#endif /* VIGIL_DNS_H */
