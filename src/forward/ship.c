/* SPDX-License-Identifier: MIT */
/*
 * forward/ship.c - one shipper thread per destination: read the store
 * after the read position, hand batches to the target, and move the
 * delivery cursor when the target says the destination has them.
 *
 * Two positions: "next" is the last id sent, "delivered" the last id the
 * destination surely has (the target's settled()).  Only "delivered" is
 * persisted (<state_dir>/forward/<name>.cursor), so after a lost
 * connection or a restart the shipper resends from there: at least once.
 *
 * A destination that is down costs its shipper only waiting: the daemon
 * and the store never wait for a forwarder, and the backlog is what the
 * store still holds (its retention is the only bound).  Reconnects back
 * off from 0.5 s, doubling, to 10 s.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "forward.h"
#include "internal.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"

#define BACKOFF_MIN_MS	 500
#define BACKOFF_MAX_MS	 10000
#define IDLE_MS		 100
#define BACKLOG_EVERY_MS 2000
#define SENT_MAX	 4096 /* batches counted for "delivered" */
#define STORE_RETRY_MS	 1000

struct sent {
	uint64_t last_rid;
	unsigned n;
};

struct fwd_shipper {
	pthread_t thread;
	bool is_started;
	struct fwd_target *t;
	char store_path[PATH_MAX];
	char cursor_path[PATH_MAX];
	const volatile int *stop;
	pthread_mutex_t lock;
	struct status_dest st; /* guarded by lock */

	struct fwd_reader *reader;
	bool is_open;
	uint64_t next, delivered, persisted;
	uint64_t last_persist_ns;
	unsigned backoff_ms;
	uint64_t retry_at_ns;
	uint64_t last_backlog_ns;
	uint64_t damaged;
	struct sent sent[SENT_MAX];
	unsigned sent_head, sent_count;
	uint64_t ndelivered;
	char last_logged[256];
};

void fwd_target_error(struct fwd_target *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Sleep up to ms, in short steps, returning early when told to stop. */
static void nap(struct fwd_shipper *s, unsigned ms)
{
	while (ms && !*s->stop) {
		unsigned step = ms > 50 ? 50 : ms;

		usleep(step * 1000);
		ms -= step;
	}
}

/* Note an error for the status file; log it when it is a new one. */
static void set_error(struct fwd_shipper *s, const char *msg)
{
	pthread_mutex_lock(&s->lock);
	snprintf(s->st.error, sizeof(s->st.error), "%s", msg);
	s->st.error_time = (long long)time(NULL);
	pthread_mutex_unlock(&s->lock);
	if (strcmp(msg, s->last_logged) != 0) {
		log_warn("forward %s: %s", s->t->d->name, msg);
		snprintf(s->last_logged, sizeof(s->last_logged), "%s", msg);
	}
}

static void persist(struct fwd_shipper *s, bool force)
{
	uint64_t now = now_ns();
	char text[32];
	int n, err;

	if (s->delivered == s->persisted)
		return;
	if (!force && now - s->last_persist_ns <
			      (uint64_t)s->t->persist_interval_ms * 1000000ull)
		return;
	n = snprintf(text, sizeof(text), "%" PRIu64 "\n", s->delivered);
	err = file_write_atomic(s->cursor_path, text, (size_t)n, 0640);
	if (err < 0) {
		char msg[PATH_MAX + 64];

		snprintf(msg, sizeof(msg), "cannot save the cursor %s: %s",
			 s->cursor_path, strerror(-err));
		set_error(s, msg);
		return;
	}
	s->persisted = s->delivered;
	s->last_persist_ns = now;
}

/* The destination has everything up to rid: count it, maybe persist. */
static void advance(struct fwd_shipper *s, uint64_t rid)
{
	if (rid <= s->delivered)
		return;
	s->delivered = rid;
	while (s->sent_count && s->sent[s->sent_head].last_rid <= rid) {
		s->ndelivered += s->sent[s->sent_head].n;
		s->sent_head = (s->sent_head + 1) % SENT_MAX;
		s->sent_count--;
	}
	persist(s, s->t->persist_interval_ms == 0);
}

static void note_sent(struct fwd_shipper *s, uint64_t last_rid, unsigned n)
{
	if (s->sent_count == SENT_MAX) { /* count the oldest as delivered */
		s->ndelivered += s->sent[s->sent_head].n;
		s->sent_head = (s->sent_head + 1) % SENT_MAX;
		s->sent_count--;
	}
	s->sent[(s->sent_head + s->sent_count) % SENT_MAX] =
		(struct sent){ .last_rid = last_rid, .n = n };
	s->sent_count++;
}

static void disconnect(struct fwd_shipper *s, bool graceful)
{
	struct fwd_target *t = s->t;
	bool is_broken;

	t->ops->close(t, graceful);
	advance(s, t->ops->settled(t, &is_broken));
	s->is_open = false;
	s->sent_count = 0; /* resent after the reconnect: counted then */
	s->next = s->delivered;
	pthread_mutex_lock(&s->lock);
	s->st.is_connected = false;
	pthread_mutex_unlock(&s->lock);
}

static void schedule_retry(struct fwd_shipper *s)
{
	s->retry_at_ns = now_ns() + (uint64_t)s->backoff_ms * 1000000ull;
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							   : s->backoff_ms * 2;
}

static int on_row(void *arg, struct fwd_row *row)
{
	struct fwd_shipper *s = arg;
	struct fwd_target *t = s->t;
	int r = t->ops->add(t, row);

	if (r == 1)
		return 1; /* the batch ends before this row */
	if (r < 0) {
		t->skipped++;
		log_debug("forward %s: event %" PRIu64 " skipped: %s",
			  t->d->name, row->rid, strerror(-r));
	}
	if (!t->batch_n)
		t->batch_first = row->rid;
	t->batch_last = row->rid;
	t->batch_n++;
	return 0;
}

static bool open_reader(struct fwd_shipper *s)
{
	char msg[PATH_MAX + 64];

	if (s->reader && fwd_reader_is_stale(s->reader, s->store_path)) {
		log_info("forward %s: %s is a new file (the daemon started "
			 "a new store): reading it",
			 s->t->d->name, s->store_path);
		fwd_reader_close(s->reader);
		s->reader = NULL;
	}
	if (s->reader)
		return true;
	s->reader = fwd_reader_open(s->store_path);
	if (s->reader)
		return true;
	snprintf(msg, sizeof(msg), "cannot read the store %s: %s",
		 s->store_path,
		 errno == ENOENT || errno == ENODATA ? "not there yet"
						     : strerror(errno));
	set_error(s, msg);
	return false;
}

static bool connect_target(struct fwd_shipper *s)
{
	struct fwd_target *t = s->t;

	if (now_ns() < s->retry_at_ns)
		return false;
	t->err[0] = '\0';
	if (t->ops->open(t) < 0) {
		set_error(s, t->err[0] ? t->err : "cannot connect");
		schedule_retry(s);
		return false;
	}
	s->is_open = true;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->next = s->delivered;
	log_info("forward %s: connected to %s", t->d->name, t->d->url);
	s->last_logged[0] = '\0';
	pthread_mutex_lock(&s->lock);
	s->st.is_connected = true;
	pthread_mutex_unlock(&s->lock);
	return true;
}

/* One batch from the store to the target; the number of events sent. */
static int64_t send_batch(struct fwd_shipper *s)
{
	struct fwd_target *t = s->t;
	unsigned room = t->ops->room(t), limit = t->d->batch_events;
	uint64_t last = s->next;
	int64_t n;

	if (!room)
		return 0;
	t->batch_first = t->batch_last = 0;
	t->batch_n = 0;
	n = fwd_reader_read(s->reader, s->next, room < limit ? room : limit,
			    on_row, s, &s->damaged, &last);
	if (n < 0) {
		char msg[128];

		snprintf(msg, sizeof(msg), "reading the store: %s",
			 strerror((int)-n));
		set_error(s, msg);
		fwd_reader_close(s->reader);
		s->reader = NULL;
		return n;
	}
	if (!t->batch_n) {
		/* only damaged rows: step over them */
		if (last > s->next && s->next == s->delivered && !s->sent_count)
			advance(s, last);
		s->next = last > s->next ? last : s->next;
		return 0;
	}
	t->err[0] = '\0';
	if (t->ops->send(t) < 0) {
		if (*s->stop && !t->err[0])
			return 0;
		set_error(s, t->err[0] ? t->err : "send failed");
		disconnect(s, false);
		schedule_retry(s);
		return -EIO;
	}
	note_sent(s, t->batch_last, t->batch_n);
	s->next = t->batch_last;
	return t->batch_n;
}

static void update_status(struct fwd_shipper *s)
{
	uint64_t now = now_ns(), count = 0, oldest = 0;
	bool is_due = now - s->last_backlog_ns >= BACKLOG_EVERY_MS * 1000000ull;

	if (is_due && s->reader &&
	    fwd_reader_backlog(s->reader, s->delivered, &count, &oldest) == 0)
		s->last_backlog_ns = now;
	else
		is_due = false;
	pthread_mutex_lock(&s->lock);
	s->st.cursor = s->delivered;
	s->st.delivered = s->ndelivered;
	s->st.cut = s->t->cut;
	s->st.skipped = s->t->skipped + s->damaged;
	if (is_due) {
		s->st.backlog = count;
		s->st.oldest_ns = oldest;
	}
	pthread_mutex_unlock(&s->lock);
}

static void *ship_main(void *arg)
{
	struct fwd_shipper *s = arg;
	struct fwd_target *t = s->t;

	while (!*s->stop) {
		int64_t n = 0;
		bool is_broken = false;

		if (!open_reader(s)) {
			nap(s, STORE_RETRY_MS);
			continue;
		}
		if (!s->is_open && !connect_target(s)) {
			update_status(s);
			nap(s, IDLE_MS);
			continue;
		}
		n = send_batch(s);
		if (s->is_open) {
			advance(s, t->ops->settled(t, &is_broken));
			if (is_broken) {
				set_error(s, "the receiver closed the "
					     "connection");
				disconnect(s, false);
				schedule_retry(s);
			}
		}
		update_status(s);
		if (n <= 0)
			nap(s, IDLE_MS);
	}
	if (s->is_open)
		disconnect(s, true);
	persist(s, true);
	update_status(s);
	return NULL;
}

static int read_cursor(struct fwd_shipper *s)
{
	int err = forward_cursor_read(s->cursor_path, &s->delivered);

	if (err == -ENOENT) {
		s->delivered = 0;
		return 0;
	}
	return err;
}

struct fwd_shipper *fwd_shipper_start(struct fwd_target *t,
				      const char *store_path,
				      const char *state_dir,
				      const volatile int *stop)
{
	struct fwd_shipper *s = calloc(1, sizeof(*s));
	int err;

	if (!s) {
		t->ops->free(t);
		return NULL;
	}
	s->t = t;
	t->stop = stop;
	s->stop = stop;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->store_path, sizeof(s->store_path), "%s", store_path);
	forward_cursor_path(s->cursor_path, sizeof(s->cursor_path), state_dir,
			    t->d->name);
	snprintf(s->st.name, sizeof(s->st.name), "%s", t->d->name);
	snprintf(s->st.url, sizeof(s->st.url), "%s", t->d->url);
	s->backoff_ms = BACKOFF_MIN_MS;
	err = read_cursor(s);
	if (err < 0) {
		log_error("forward %s: cursor %s: %s", t->d->name,
			  s->cursor_path, strerror(-err));
		goto fail;
	}
	s->next = s->persisted = s->delivered;
	err = pthread_create(&s->thread, NULL, ship_main, s);
	if (err) {
		errno = err;
		goto fail;
	}
	s->is_started = true;
	return s;
fail:
	err = errno;
	t->ops->free(t);
	pthread_mutex_destroy(&s->lock);
	free(s);
	errno = err ? err : EIO;
	return NULL;
}

void fwd_shipper_status(struct fwd_shipper *s, struct status_dest *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	pthread_mutex_unlock(&s->lock);
}

void fwd_shipper_free(struct fwd_shipper *s)
{
	if (!s)
		return;
	if (s->is_started)
		pthread_join(s->thread, NULL);
	fwd_reader_close(s->reader);
	s->t->ops->free(s->t);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
