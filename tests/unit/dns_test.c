/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the DNS module: the parser on well-formed and hostile
 * messages (compression loops, cut records, odd bytes), Sysmon's
 * QueryResults and QueryStatus, and the tracker (queries paired with
 * answers, TCP streams, timeouts, a full table).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"
#include "tap.h"

/* A message under construction. */
struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put_bytes(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* "a.b.c" as labels, ending in the root. */
static void put_name(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		put8(m, (unsigned)l);
		put_bytes(m, name, l);
		name += l + (dot ? 1 : 0);
	}
	put8(m, 0);
}

static void header(struct msg *m, unsigned id, unsigned flags, unsigned qd,
		   unsigned an)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

static void question(struct msg *m, const char *name, unsigned type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

/* An answer whose owner is a pointer to the question name (offset 12). */
static void rr_start(struct msg *m, unsigned type, unsigned rdlen)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, rdlen);
}

#define RESPONSE 0x8180 /* QR, RD, RA */

static void test_answers(void)
{
	struct msg m;
	struct dns_msg *d = calloc(1, sizeof(*d));
	char out[DNS_RESULTS_MAX];
	const uint8_t v6[16] = { 0x2a, 0x02, 0x06, 0xb1, 0, 0, 0, 0,
				 0,    0,    0,	   0,	 0, 2, 2, 0x12 };
	size_t cname_at;

	/* CNAME, then A and AAAA of the target through a pointer to it. */
	header(&m, 0x1234, RESPONSE, 1, 3);
	question(&m, "go.example.com", 1);
	cname_at = m.n + 12;
	rr_start(&m, DNS_TYPE_CNAME, 18);
	put_name(&m, "edge.example.net");
	put16(&m, 0xc000 | (unsigned)cname_at);
	put16(&m, DNS_TYPE_A);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 60);
	put16(&m, 4);
	put_bytes(&m, "\x17\xdf\x0e\x43", 4);
	rr_start(&m, DNS_TYPE_AAAA, 16);
	put_bytes(&m, v6, 16);
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK(d->id == 0x1234 && d->is_response && !d->is_partial);
	CHECK_STR(d->qname, "go.example.com");
	CHECK(d->qtype == 1 && d->nanswers == 3);
	dns_format_results(d, out, sizeof(out));
	CHECK_STR(out, "type:  5 edge.example.net;::ffff:23.223.14.67;"
		       "2a02:6b1::2:212;");
	CHECK(dns_status(d) == 0);

	/* NXDOMAIN and NODATA. */
	header(&m, 1, RESPONSE | 3, 1, 0);
	question(&m, "nope.example", 1);
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK(dns_status(d) == 9003);
	dns_format_results(d, out, sizeof(out));
	CHECK_STR(out, "-");
	header(&m, 1, RESPONSE, 1, 0);
	question(&m, "v4only.example", 28);
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK(dns_status(d) == 9501);
	header(&m, 1, RESPONSE | 2, 1, 0);
	question(&m, "broken.example", 1);
	CHECK(dns_parse(m.b, m.n, d) == 0 && dns_status(d) == 9002);
	header(&m, 1, RESPONSE | 5, 1, 0);
	question(&m, "refused.example", 1);
	CHECK(dns_parse(m.b, m.n, d) == 0 && dns_status(d) == 9005);

	/* TXT with a ';' that must not pass for a separator, MX, type 99. */
	header(&m, 2, RESPONSE, 1, 3);
	question(&m, "t.example", 16);
	rr_start(&m, DNS_TYPE_TXT, 12);
	put8(&m, 11);
	put_bytes(&m, "v=spf1;-all", 11);
	rr_start(&m, DNS_TYPE_MX, 2 + 9);
	put16(&m, 10);
	put_name(&m, "mx.test");
	rr_start(&m, 99, 1);
	put8(&m, 0);
	CHECK(dns_parse(m.b, m.n, d) == 0 && d->nanswers == 3);
	dns_format_results(d, out, sizeof(out));
	CHECK_STR(out, "type: 16 v=spf1\\059-all;type: 15 mx.test;type: 99 ;");

	/* The root, and a name with a trailing dot never gets one. */
	header(&m, 3, 0x0100, 1, 0);
	question(&m, "", 2);
	CHECK(dns_parse(m.b, m.n, d) == 0 && !d->is_response);
	CHECK_STR(d->qname, ".");
	free(d);
}

static void test_hostile(void)
{
	struct msg m;
	struct dns_msg *d = calloc(1, sizeof(*d));
	char out[DNS_RESULTS_MAX];
	char longname[600];

	/* Too short, no question. */
	CHECK(dns_parse((const uint8_t *)"\0\1", 2, d) == -EINVAL);
	header(&m, 1, RESPONSE, 0, 0);
	CHECK(dns_parse(m.b, m.n, d) == -EINVAL);

	/* A question name that points at itself, and one that points
	 * forward: both refused, never followed. */
	header(&m, 1, RESPONSE, 1, 0);
	put16(&m, 0xc00c);
	put16(&m, 1);
	put16(&m, 1);
	CHECK(dns_parse(m.b, m.n, d) == -EINVAL);
	header(&m, 1, RESPONSE, 1, 0);
	put16(&m, 0xc010);
	put16(&m, 1);
	put16(&m, 1);
	put8(&m, 0);
	CHECK(dns_parse(m.b, m.n, d) == -EINVAL);

	/* A loop through labels: a pointer that lands on a label which
	 * runs into the same pointer again. */
	header(&m, 1, RESPONSE, 1, 1);
	question(&m, "a.b", 1); /* 12: 1 a 1 b 0 */
	put8(&m, 1); /* 21: "x", then a pointer back to 21 */
	put8(&m, 'x');
	put16(&m, 0xc000 | 21);
	put16(&m, 1);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 4);
	put_bytes(&m, "\1\2\3\4", 4);
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK(d->is_partial && d->nanswers == 0);

	/* Answers cut short: what came before the cut is kept. */
	header(&m, 1, RESPONSE, 1, 2);
	question(&m, "cut.example", 1);
	rr_start(&m, DNS_TYPE_A, 4);
	put_bytes(&m, "\x0a\x00\x00\x01", 4);
	rr_start(&m, DNS_TYPE_A, 4);
	put_bytes(&m, "\x0a\x00", 2);
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK(d->is_partial && d->nanswers == 1);
	dns_format_results(d, out, sizeof(out));
	CHECK_STR(out, "::ffff:10.0.0.1;");
	/* An A record of the wrong size is not an address. */
	header(&m, 1, RESPONSE, 1, 1);
	question(&m, "bad.example", 1);
	rr_start(&m, DNS_TYPE_A, 5);
	put_bytes(&m, "\x0a\x00\x00\x01\x02", 5);
	CHECK(dns_parse(m.b, m.n, d) == 0 && d->nanswers == 0);

	/* Odd bytes in labels: NUL, '.', ';', '\', space, non-ASCII. */
	header(&m, 1, 0, 1, 0);
	put8(&m, 7);
	put_bytes(&m, "a\0.;\\ \xe9", 7);
	put8(&m, 3);
	put_bytes(&m, "com", 3);
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK_STR(d->qname, "a\\000\\046\\059\\092\\032\\233.com");

	/* Label types 0x40/0x80 are refused. */
	header(&m, 1, 0, 1, 0);
	put8(&m, 0x41);
	put8(&m, 0);
	CHECK(dns_parse(m.b, m.n, d) == -EINVAL);

	/* A name longer than any real one (by pointers to long labels)
	 * is cut and marked, never overflows. */
	memset(longname, 'a', sizeof(longname));
	header(&m, 1, 0, 1, 0);
	for (int i = 0; i < 4; i++) {
		put8(&m, 63);
		put_bytes(&m, longname, 63);
	}
	put8(&m, 0);
	put16(&m, 1);
	put16(&m, 1);
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK(strlen(d->qname) == 4 * 63 + 3);

	/* More answers than kept are counted; the status is still 0. */
	header(&m, 1, RESPONSE, 1, DNS_ANSWERS_MAX + 5);
	question(&m, "many.example", 1);
	for (int i = 0; i < DNS_ANSWERS_MAX + 5; i++) {
		rr_start(&m, DNS_TYPE_A, 4);
		put_bytes(&m, "\x0a\x00\x00\x02", 4);
	}
	CHECK(dns_parse(m.b, m.n, d) == 0);
	CHECK(d->nanswers == DNS_ANSWERS_MAX && d->nanswers_more == 5);
	/* A results buffer too small keeps whole answers only. */
	dns_format_results(d, out, 40);
	CHECK_STR(out, "::ffff:10.0.0.2;::ffff:10.0.0.2;");
	free(d);
}

static struct dns_ctx ctx_of(unsigned v)
{
	struct dns_ctx c;

	memset(&c, 0, sizeof(c));
	c.bytes[0] = (uint8_t)v;
	return c;
}

static void test_track(void)
{
	struct dns_track *t = dns_track_new(5000);
	struct dns_result r;
	struct dns_ctx asker = ctx_of(1), other = ctx_of(2);
	struct msg q, a;
	struct dns_track_stats st;
	uint8_t stream[600];
	size_t sn;

	/* A query, then its answer on the same socket: the asker's. */
	header(&q, 77, 0x0100, 1, 0);
	question(&q, "host.example", 1);
	header(&a, 77, RESPONSE, 1, 1);
	question(&a, "HOST.example", 1); /* 0x20 case randomisation */
	rr_start(&a, DNS_TYPE_A, 4);
	put_bytes(&a, "\xc0\x00\x02\x0a", 4);
	CHECK(dns_track_packet(t, 100, 9, true, false, 0, q.b, q.n, &asker) ==
	      0);
	CHECK(!dns_track_next(t, &r));
	CHECK(dns_track_packet(t, 200, 9, false, false, 0, a.b, a.n, &other) ==
	      1);
	CHECK(dns_track_next(t, &r));
	CHECK(r.ctx.bytes[0] == 1 && r.status == 0 && r.ts_ns == 200);
	CHECK_STR(r.qname, "HOST.example");
	CHECK(r.msg && r.msg->nanswers == 1);
	CHECK(!dns_track_next(t, &r));

	/* An answer to a query never seen: the answer's context. */
	dns_track_packet(t, 300, 10, false, false, 0, a.b, a.n, &other);
	CHECK(dns_track_next(t, &r) && r.ctx.bytes[0] == 2);

	/* A query that gets no answer times out, once. */
	dns_track_packet(t, 400, 11, true, false, 0, q.b, q.n, &asker);
	dns_track_expire(t, 400 + 4999);
	CHECK(!dns_track_next(t, &r));
	dns_track_expire(t, 400 + 5000);
	CHECK(dns_track_next(t, &r));
	CHECK(r.status == 1460 && !r.msg && r.ctx.bytes[0] == 1);
	CHECK_STR(r.qname, "host.example");
	dns_track_expire(t, 1000000);
	CHECK(!dns_track_next(t, &r));
	/* A clock behind the query is no timeout; a flush is. */
	dns_track_packet(t, 450, 11, true, false, 0, q.b, q.n, &asker);
	dns_track_expire(t, 300);
	CHECK(!dns_track_next(t, &r));
	dns_track_flush(t, 460);
	CHECK(dns_track_next(t, &r) && r.status == 1460 && r.ts_ns == 460);

	/* TCP: the query and the answer cut across segments, then two
	 * messages in one segment. */
	sn = 0;
	stream[sn++] = (uint8_t)(q.n >> 8);
	stream[sn++] = (uint8_t)q.n;
	memcpy(stream + sn, q.b, q.n);
	sn += q.n;
	dns_track_packet(t, 500, 12, true, true, 1000, stream, 1, &asker);
	dns_track_packet(t, 500, 12, true, true, 1001, stream + 1, sn - 1,
			 &asker);
	sn = 0;
	for (int i = 0; i < 2; i++) {
		stream[sn++] = (uint8_t)(a.n >> 8);
		stream[sn++] = (uint8_t)a.n;
		memcpy(stream + sn, a.b, a.n);
		sn += a.n;
	}
	dns_track_packet(t, 600, 12, false, true, 5000, stream, 7, &other);
	CHECK(!dns_track_next(t, &r));
	CHECK(dns_track_packet(t, 600, 12, false, true, 5007, stream + 7,
			       sn - 7, &other) == 2);
	CHECK(dns_track_next(t, &r) && r.ctx.bytes[0] == 1 && r.status == 0);
	CHECK(dns_track_next(t, &r) && r.ctx.bytes[0] == 2); /* unmatched */
	CHECK(!dns_track_next(t, &r));

	/* A gap in a stream: the partial message is read as far as it
	 * goes, the stream starts again at the new segment. */
	sn = 0;
	stream[sn++] = (uint8_t)((a.n + 10) >> 8);
	stream[sn++] = (uint8_t)(a.n + 10);
	memcpy(stream + sn, a.b, a.n);
	sn += a.n;
	dns_track_packet(t, 700, 13, false, true, 1, stream, sn, &other);
	CHECK(!dns_track_next(t, &r));
	dns_track_packet(t, 700, 13, false, true, 9999, stream, 1, &other);
	CHECK(dns_track_next(t, &r) && r.msg && r.msg->nanswers == 1);

	/* Garbage is counted, not reported. */
	dns_track_packet(t, 800, 14, false, false, 0, (const uint8_t *)"xx", 2,
			 &other);
	CHECK(!dns_track_next(t, &r));

	/* A full table: the oldest query gives way as unanswered. */
	for (unsigned i = 0; i <= DNS_TRACK_QUERIES; i++) {
		q.b[0] = (uint8_t)(i >> 8);
		q.b[1] = (uint8_t)i;
		dns_track_packet(t, 900 + i, 15, true, false, 0, q.b, q.n,
				 &asker);
	}
	CHECK(dns_track_next(t, &r) && r.status == 1460 &&
	      r.ts_ns == 900 + DNS_TRACK_QUERIES);
	dns_track_stats(t, &st);
	CHECK(st.evicted == 1 && st.malformed == 1 && st.timeouts == 2);
	CHECK(st.unmatched == 3);
	dns_track_free(t);
}

int main(void)
{
	test_answers();
	test_hostile();
	test_track();
	return tap_done("dns_test");
}
