/* SPDX-License-Identifier: MIT */
/*
 * forward/syslog_target.c - the syslog destinations: RFC 5424 messages
 * (message.c) over TCP, TLS or UDP (conn.c).
 *
 * When does a syslog receiver "have" an event?  Plain syslog has no
 * acknowledgement, so this target settles a batch when the peer's TCP
 * has acknowledged its last byte and the connection then stayed up for
 * SETTLE_MS: a receiver that read the bytes has had that long to act on
 * them, and one that died meanwhile (its unread socket buffer lost)
 * shows as a broken connection first.  When the connection breaks, the
 * shipper resends from the last settled batch, so an event the receiver
 * did get may arrive twice, with the same EventRecordID and Computer.
 * A graceful close (shutdown) waits for the receiver to close in turn,
 * which it does after reading everything, and settles all.  UDP settles
 * on send: it is lossy by design.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "internal.h"
#include "util/clock.h"

#define SETTLE_MS	   1000
#define INFLIGHT_MAX	   1024 /* batches sent and not yet settled */
#define CONNECT_TIMEOUT_MS 10000
#define WRITE_TIMEOUT_MS   30000
#define CLOSE_TIMEOUT_MS   3000

struct inflight {
	uint64_t last_rid;
	uint64_t wire_end; /* wire_written after its last byte */
	uint64_t acked_ns; /* when the peer's TCP had it all, 0: not yet */
};

struct syslog_target {
	struct fwd_target t;
	struct ssl_ctx_st *ctx;
	struct fwd_conn conn;
	bool is_open;
	struct buf data; /* framed messages of the batch being built */
	struct buf scratch;
	size_t *ends; /* UDP: end of each message in data */
	unsigned nends, cap_ends;
	struct inflight ring[INFLIGHT_MAX];
	unsigned head, count;
	uint64_t settled_rid;
};

static struct syslog_target *to_syslog(struct fwd_target *t)
{
	return (struct syslog_target *)t;
}

static int sl_open(struct fwd_target *t)
{
	struct syslog_target *s = to_syslog(t);
	int r = fwd_conn_open(&s->conn, t->d, s->ctx, CONNECT_TIMEOUT_MS,
			      t->err, sizeof(t->err));

	if (r < 0)
		return r;
	s->is_open = true;
	s->head = s->count = 0;
	return 0;
}

static unsigned sl_room(struct fwd_target *t)
{
	struct syslog_target *s = to_syslog(t);

	return s->count >= INFLIGHT_MAX ? 0 : t->d->batch_events;
}

static int sl_add(struct fwd_target *t, struct fwd_row *row)
{
	struct syslog_target *s = to_syslog(t);
	bool is_cut;
	size_t before = s->data.len;
	int r;

	r = fwd_message_append(&s->data, t->d, &row->host, row->ev,
			       row->created_ns, &s->scratch, &is_cut);
	if (r < 0) {
		s->data.len = before;
		return r;
	}
	if (is_cut)
		t->cut++;
	if (t->d->kind == DEST_SYSLOG_UDP) {
		if (s->nends == s->cap_ends) {
			unsigned cap = s->cap_ends ? s->cap_ends * 2 : 256;
			size_t *e = realloc(s->ends, cap * sizeof(*e));

			if (!e) {
				s->data.len = before;
				return -ENOMEM;
			}
			s->ends = e;
			s->cap_ends = cap;
		}
		s->ends[s->nends++] = s->data.len;
	}
	return 0;
}

static int sl_send(struct fwd_target *t)
{
	struct syslog_target *s = to_syslog(t);
	struct inflight *f;
	int r = 0;

	if (t->d->kind == DEST_SYSLOG_UDP) {
		size_t start = 0;

		for (unsigned i = 0; i < s->nends && !r; i++) {
			r = fwd_conn_write(&s->conn, s->data.data + start,
					   s->ends[i] - start, WRITE_TIMEOUT_MS,
					   t->stop, t->err, sizeof(t->err));
			start = s->ends[i];
		}
	} else if (s->data.len) {
		r = fwd_conn_write(&s->conn, s->data.data, s->data.len,
				   WRITE_TIMEOUT_MS, t->stop, t->err,
				   sizeof(t->err));
	}
	buf_reset(&s->data);
	s->nends = 0;
	if (r < 0)
		return r;
	if (t->d->kind == DEST_SYSLOG_UDP) {
		s->settled_rid = t->batch_last;
		return 0;
	}
	f = &s->ring[(s->head + s->count) % INFLIGHT_MAX];
	f->last_rid = t->batch_last;
	f->wire_end = s->conn.wire_written;
	f->acked_ns = 0;
	s->count++;
	return 0;
}

static uint64_t sl_settled(struct fwd_target *t, bool *is_broken)
{
	struct syslog_target *s = to_syslog(t);
	uint64_t now = clock_ns(CLOCK_MONOTONIC), acked;

	*is_broken = s->is_open && fwd_conn_is_broken(&s->conn);
	if (!s->is_open || *is_broken)
		return s->settled_rid;
	acked = fwd_conn_acked(&s->conn);
	for (unsigned i = 0; i < s->count; i++) {
		struct inflight *f = &s->ring[(s->head + i) % INFLIGHT_MAX];

		if (f->wire_end > acked)
			break;
		if (!f->acked_ns)
			f->acked_ns = now;
	}
	while (s->count) {
		struct inflight *f = &s->ring[s->head];

		if (!f->acked_ns || now - f->acked_ns < SETTLE_MS * 1000000ull)
			break;
		s->settled_rid = f->last_rid;
		s->head = (s->head + 1) % INFLIGHT_MAX;
		s->count--;
	}
	return s->settled_rid;
}

static void sl_close(struct fwd_target *t, bool graceful)
{
	struct syslog_target *s = to_syslog(t);

	if (!s->is_open)
		return;
	if (fwd_conn_close(&s->conn, graceful, CLOSE_TIMEOUT_MS) && s->count)
		s->settled_rid =
			s->ring[(s->head + s->count - 1) % INFLIGHT_MAX]
				.last_rid;
	s->head = s->count = 0;
	s->is_open = false;
	buf_reset(&s->data);
	s->nends = 0;
}

static void sl_free(struct fwd_target *t)
{
	struct syslog_target *s = to_syslog(t);

	sl_close(t, false);
	buf_release(&s->data);
	buf_release(&s->scratch);
	free(s->ends);
	free(s);
}

static const struct fwd_target_ops syslog_ops = {
	.open = sl_open,
	.room = sl_room,
	.add = sl_add,
	.send = sl_send,
	.settled = sl_settled,
	.close = sl_close,
	.free = sl_free,
};

struct fwd_target *fwd_syslog_new(const struct settings_dest *d,
				  struct ssl_ctx_st *tls_ctx)
{
	struct syslog_target *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->t.d = d;
	s->t.ops = &syslog_ops;
	s->t.persist_interval_ms = 1000;
	s->ctx = tls_ctx;
	s->conn.fd = -1;
	buf_init(&s->data, 0);
	buf_init(&s->scratch, 0);
	return &s->t;
}
