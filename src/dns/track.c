/* SPDX-License-Identifier: MIT */
/*
 * dns/track.c - queries paired with their answers, TCP streams cut into
 * messages, unanswered queries timed out.  One result per question.
 *
 * Queries wait in a ring in the order they were sent, so the oldest is
 * always at the head: timing out is a look at the head, and a full ring
 * gives way at the head.  An answer finds its query by (socket, id,
 * name); the few hundred live entries make a linear search cheap next to
 * the parse.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"

#define RESULTS_MAX  8 /* results waiting for dns_track_next() */
#define TCP_MSG_MAX  (65535 + 2) /* one message with its length prefix */
#define TCP_MSGS_MAX 8 /* messages cut from one segment */

struct query {
	bool is_live;
	uint64_t cookie;
	uint16_t id;
	uint16_t qtype;
	uint64_t ts_ns;
	struct dns_ctx ctx;
	char qname[DNS_NAME_MAX];
};

struct stream {
	bool is_used;
	bool is_sent;
	uint64_t cookie;
	uint64_t last_ns; /* for replacement */
	uint32_t next_seq; /* sequence number of the next byte expected */
	uint32_t have; /* bytes of the current message buffered */
	uint8_t *buf; /* TCP_MSG_MAX, allocated on first use */
};

struct pending_result {
	struct dns_result r;
	struct dns_msg msg;
};

struct dns_track {
	uint64_t timeout_ns;
	struct query queries[DNS_TRACK_QUERIES];
	size_t qhead, qcount; /* ring, oldest first */
	struct stream streams[DNS_TRACK_STREAMS];
	struct pending_result results[RESULTS_MAX];
	size_t rhead, rcount;
	struct dns_msg parsed; /* scratch for the message being read */
	struct pending_result out; /* what dns_track_next() handed out */
	struct dns_track_stats stats;
};

struct dns_track *dns_track_new(uint64_t timeout_ns)
{
	struct dns_track *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->timeout_ns = timeout_ns;
	return t;
}

void dns_track_free(struct dns_track *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < DNS_TRACK_STREAMS; i++)
		free(t->streams[i].buf);
	free(t);
}

/* A slot for one more result, or NULL (the ring is full: dropped). */
static struct pending_result *result_slot(struct dns_track *t)
{
	if (t->rcount == RESULTS_MAX)
		return NULL;
	return &t->results[(t->rhead + t->rcount++) % RESULTS_MAX];
}

static void result_timeout(struct dns_track *t, const struct query *q,
			   uint64_t now_ns)
{
	struct pending_result *p = result_slot(t);

	if (!p)
		return;
	memset(&p->r, 0, sizeof(p->r));
	p->r.ctx = q->ctx;
	p->r.ts_ns = now_ns;
	p->r.status = DNS_STATUS_TIMEOUT;
	p->r.qtype = q->qtype;
	memcpy(p->r.qname, q->qname, sizeof(p->r.qname));
	p->r.msg = NULL;
}

/* Drop answered entries from the head, so the head is the oldest live. */
static void trim_head(struct dns_track *t)
{
	while (t->qcount && !t->queries[t->qhead].is_live) {
		t->qhead = (t->qhead + 1) % DNS_TRACK_QUERIES;
		t->qcount--;
	}
}

static struct query *find_query(struct dns_track *t, uint64_t cookie,
				uint16_t id, const char *qname)
{
	for (size_t i = 0; i < t->qcount; i++) {
		struct query *q =
			&t->queries[(t->qhead + i) % DNS_TRACK_QUERIES];

		/* Names compare without case: resolvers may randomise it
		 * (0x20 encoding) and servers echo it back. */
		if (q->is_live && q->cookie == cookie && q->id == id &&
		    strcasecmp(q->qname, qname) == 0)
			return q;
	}
	return NULL;
}

static void on_query(struct dns_track *t, uint64_t ts_ns, uint64_t cookie,
		     const struct dns_msg *m, const struct dns_ctx *ctx)
{
	struct query *q;

	t->stats.queries++;
	if (find_query(t, cookie, m->id, m->qname))
		return; /* a retransmission: the first send counts */
	if (t->qcount == DNS_TRACK_QUERIES) {
		/* Full: the oldest gives way, reported unanswered now. */
		result_timeout(t, &t->queries[t->qhead], ts_ns);
		t->stats.evicted++;
		t->queries[t->qhead].is_live = false;
		trim_head(t);
	}
	q = &t->queries[(t->qhead + t->qcount++) % DNS_TRACK_QUERIES];
	q->is_live = true;
	q->cookie = cookie;
	q->id = m->id;
	q->qtype = m->qtype;
	q->ts_ns = ts_ns;
	q->ctx = *ctx;
	memcpy(q->qname, m->qname, sizeof(q->qname));
}

static void on_answer(struct dns_track *t, uint64_t ts_ns, uint64_t cookie,
		      const struct dns_msg *m, const struct dns_ctx *ctx)
{
	struct query *q = find_query(t, cookie, m->id, m->qname);
	struct pending_result *p;

	t->stats.answers++;
	if (!q)
		t->stats.unmatched++;
	p = result_slot(t);
	if (p) {
		p->msg = *m;
		memset(&p->r, 0, sizeof(p->r));
		p->r.ctx = q ? q->ctx : *ctx;
		p->r.ts_ns = ts_ns;
		p->r.status = dns_status(m);
		p->r.qtype = m->qtype;
		memcpy(p->r.qname, m->qname, sizeof(p->r.qname));
	}
	if (q) {
		q->is_live = false;
		trim_head(t);
	}
}

/* One whole message, either way. */
static void on_message(struct dns_track *t, uint64_t ts_ns, uint64_t cookie,
		       bool is_sent, const uint8_t *msg, size_t len,
		       const struct dns_ctx *ctx)
{
	struct dns_msg *m = &t->parsed;

	if (dns_parse(msg, len, m) < 0) {
		t->stats.malformed++;
		return;
	}
	if (m->opcode != 0)
		return; /* not a QUERY (NOTIFY, UPDATE ...) */
	if (is_sent && !m->is_response)
		on_query(t, ts_ns, cookie, m, ctx);
	else if (!is_sent && m->is_response)
		on_answer(t, ts_ns, cookie, m, ctx);
}

static struct stream *find_stream(struct dns_track *t, uint64_t cookie,
				  bool is_sent)
{
	struct stream *oldest = &t->streams[0];

	for (size_t i = 0; i < DNS_TRACK_STREAMS; i++) {
		struct stream *s = &t->streams[i];

		if (s->is_used && s->cookie == cookie && s->is_sent == is_sent)
			return s;
		if (!s->is_used ||
		    (oldest->is_used && s->last_ns < oldest->last_ns))
			oldest = s;
	}
	if (!oldest->buf && !(oldest->buf = malloc(TCP_MSG_MAX)))
		return NULL;
	oldest->is_used = true;
	oldest->cookie = cookie;
	oldest->is_sent = is_sent;
	oldest->have = 0;
	oldest->next_seq = 0;
	return oldest;
}

/* Bytes of a TCP stream: DNS messages, each after a 2-byte length. */
static void on_segment(struct dns_track *t, uint64_t ts_ns, uint64_t cookie,
		       bool is_sent, uint32_t seq, const uint8_t *data,
		       size_t len, const struct dns_ctx *ctx)
{
	struct stream *s = find_stream(t, cookie, is_sent);
	unsigned msgs = 0;

	if (!s)
		return;
	/* A gap (lost or cut capture): what is buffered is all there will
	 * be of that message; read what it holds, then start afresh. */
	if (s->have && seq != s->next_seq) {
		if (s->have > 2)
			on_message(t, ts_ns, cookie, is_sent, s->buf + 2,
				   s->have - 2, ctx);
		s->have = 0;
	}
	s->last_ns = ts_ns;
	s->next_seq = seq + (uint32_t)len;
	while (len > 0 && msgs < TCP_MSGS_MAX) {
		size_t want, take;

		if (s->have < 2) {
			take = len < 2 - s->have ? len : 2 - s->have;
		} else {
			want = (size_t)(s->buf[0] << 8 | s->buf[1]) + 2;
			take = want - s->have < len ? want - s->have : len;
		}
		memcpy(s->buf + s->have, data, take);
		s->have += (uint32_t)take;
		data += take;
		len -= take;
		if (s->have >= 2 &&
		    s->have == (size_t)(s->buf[0] << 8 | s->buf[1]) + 2) {
			on_message(t, ts_ns, cookie, is_sent, s->buf + 2,
				   s->have - 2, ctx);
			s->have = 0;
			msgs++;
		}
	}
}

unsigned dns_track_packet(struct dns_track *t, uint64_t ts_ns, uint64_t cookie,
			  bool is_sent, bool is_tcp, uint32_t seq,
			  const uint8_t *data, size_t len,
			  const struct dns_ctx *ctx)
{
	if (is_tcp)
		on_segment(t, ts_ns, cookie, is_sent, seq, data, len, ctx);
	else
		on_message(t, ts_ns, cookie, is_sent, data, len, ctx);
	return (unsigned)t->rcount;
}

static void expire(struct dns_track *t, uint64_t now_ns, bool is_all)
{
	trim_head(t);
	while (t->qcount && t->rcount < RESULTS_MAX) {
		struct query *q = &t->queries[t->qhead];

		if (!is_all &&
		    (now_ns < q->ts_ns || now_ns - q->ts_ns < t->timeout_ns))
			break;
		result_timeout(t, q, now_ns);
		t->stats.timeouts++;
		q->is_live = false;
		trim_head(t);
	}
}

void dns_track_expire(struct dns_track *t, uint64_t now_ns)
{
	expire(t, now_ns, false);
}

void dns_track_flush(struct dns_track *t, uint64_t now_ns)
{
	expire(t, now_ns, true);
}

bool dns_track_next(struct dns_track *t, struct dns_result *out)
{
	struct pending_result *p;

	if (!t->rcount)
		return false;
	p = &t->results[t->rhead];
	t->rhead = (t->rhead + 1) % RESULTS_MAX;
	t->rcount--;
	/* Hand out a copy the next packet cannot overwrite. */
	t->out = *p;
	*out = t->out.r;
	out->msg = p->r.status == DNS_STATUS_TIMEOUT ? NULL : &t->out.msg;
	return true;
}

void dns_track_stats(const struct dns_track *t, struct dns_track_stats *out)
{
	*out = t->stats;
}
