/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/sink_async_test.c - sink_async_new(): a stalled inner sink
 * never blocks write(), the events that do not fit are counted as
 * backlog losses (loss reports have a reserve), the queued ones arrive
 * in order once it moves again,
 * refusals are counted as failed, and free() gives up on an output that
 * stays stalled.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event/event.h"
#include "sink/sink.h"
#include "tap.h"
#include "util/clock.h"

/* An inner sink that blocks while is_stalled and records record ids. */
struct fake {
	struct sink sink;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool is_stalled;
	bool is_failing;
	uint64_t got[1024];
	size_t ngot;
	int flushes;
	bool is_freed;
};

static int fake_write(struct sink *s, const struct event *ev)
{
	struct fake *f = s->priv;

	pthread_mutex_lock(&f->lock);
	while (f->is_stalled)
		pthread_cond_wait(&f->cond, &f->lock);
	if (f->ngot < 1024)
		f->got[f->ngot++] = ev->record_id;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return f->is_failing ? -EPIPE : 0;
}

static int fake_flush(struct sink *s)
{
	struct fake *f = s->priv;

	pthread_mutex_lock(&f->lock);
	f->flushes++;
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static void fake_free(struct sink *s)
{
	struct fake *f = s->priv;

	f->is_freed = true;
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->sink.name = "fake";
	f->sink.write = fake_write;
	f->sink.flush = fake_flush;
	f->sink.free = fake_free;
	f->sink.priv = f;
}

static void set_stalled(struct fake *f, bool is_stalled)
{
	pthread_mutex_lock(&f->lock);
	f->is_stalled = is_stalled;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Wait (bounded) until the fake has n events. */
static bool wait_got(struct fake *f, size_t n)
{
	bool is_there;

	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&f->lock);
		is_there = f->ngot >= n;
		pthread_mutex_unlock(&f->lock);
		if (is_there)
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
	return false;
}

static void push(struct sink *s, uint64_t rid)
{
	struct event ev;

	CHECK(event_init(&ev, 5) == 0);
	CHECK(event_set_named(&ev, "Image", "/usr/bin/true") == 0);
	ev.record_id = rid;
	CHECK(s->write(s, &ev) == 0);
	event_release(&ev);
}

static void test_stall(void)
{
	struct fake f;
	struct sink_losses l;
	struct sink *s;
	uint64_t t0;
	bool is_ordered = true;

	fake_init(&f);
	s = sink_async_new(&f.sink, 8, 1 << 20);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK_STR(s->name, "fake");
	set_stalled(&f, true);
	/* The thread takes the first event and blocks in write(); 8 more
	 * fill the queue, the rest are lost to the backlog.  No write()
	 * waits. */
	t0 = clock_ns(CLOCK_MONOTONIC);
	push(s, 1);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	for (uint64_t i = 2; i <= 30; i++)
		push(s, i);
	CHECK(clock_ns(CLOCK_MONOTONIC) - t0 < 1000000000ull);
	s->losses(s, &l);
	CHECK(l.backlog == 21 && l.failed == 0);
	set_stalled(&f, false);
	CHECK(wait_got(&f, 9));
	CHECK(f.ngot == 9);
	for (size_t i = 0; i < f.ngot; i++)
		if (f.got[i] != i + 1)
			is_ordered = false;
	CHECK(is_ordered);
	CHECK(f.flushes >= 1);

	/* Refusals are counted as failed. */
	f.is_failing = true;
	push(s, 31);
	CHECK(wait_got(&f, 10));
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	s->losses(s, &l);
	CHECK(l.backlog == 21 && l.failed == 1);
	f.is_failing = false;

	/* free() writes what is queued, then frees the inner sink. */
	set_stalled(&f, true);
	push(s, 32);
	push(s, 33);
	set_stalled(&f, false);
	s->free(s);
	CHECK(f.ngot == 12 && f.got[11] == 33);
	CHECK(f.is_freed);
}

/* Loss reports (event 255) have a reserve beyond a full queue. */
static void test_reserve(void)
{
	struct fake f;
	struct sink_losses l;
	struct sink *s;
	struct event ev;

	fake_init(&f);
	s = sink_async_new(&f.sink, 4, 1 << 20);
	CHECK(s != NULL);
	if (!s)
		return;
	set_stalled(&f, true);
	push(s, 1);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	for (uint64_t i = 2; i <= 10; i++)
		push(s, i); /* 2..5 queued, 6..10 lost */
	CHECK(event_init(&ev, 255) == 0);
	CHECK(event_set_named(&ev, "Description", "5 events lost") == 0);
	ev.record_id = 11;
	CHECK(s->write(s, &ev) == 0);
	event_release(&ev);
	s->losses(s, &l);
	CHECK(l.backlog == 5);
	set_stalled(&f, false);
	s->free(s);
	CHECK(f.ngot == 6 && f.got[5] == 11);
}

/* shed_first: event 5 (pushed by push()) fills three quarters of the
 * backlog; event 1 then has the last quarter, and only a full backlog
 * drops it. */
static void test_shed(void)
{
	const uint64_t shed[4] = { 1ull << 5 };
	struct fake f;
	struct sink_losses l;
	struct sink *s;
	struct event ev;

	fake_init(&f);
	s = sink_async_new(&f.sink, 8, 1 << 20);
	CHECK(s != NULL);
	if (!s)
		return;
	sink_async_set_shed(s, shed);
	set_stalled(&f, true);
	push(s, 1);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	for (uint64_t i = 2; i <= 10; i++)
		push(s, i); /* 2..7 queued (6 of 8), 8..10 shed */
	for (uint64_t i = 11; i <= 14; i++) {
		CHECK(event_init(&ev, 1) == 0);
		ev.record_id = i; /* 11, 12 queued; 13, 14 lost: full */
		CHECK(s->write(s, &ev) == 0);
		event_release(&ev);
	}
	s->losses(s, &l);
	CHECK(l.shed == 3 && l.backlog == 2 && l.failed == 0);
	set_stalled(&f, false);
	s->free(s);
	CHECK(f.ngot == 9 && f.got[6] == 7 && f.got[7] == 11 && f.got[8] == 12);
}

/* A byte budget bounds the queue as well as the event count. */
static void test_bytes(void)
{
	struct fake f;
	struct sink_losses l;
	struct sink *s;

	fake_init(&f);
	/* Each event holds ~15 bytes of values: two fit in 40. */
	s = sink_async_new(&f.sink, 100, 40);
	CHECK(s != NULL);
	if (!s)
		return;
	set_stalled(&f, true);
	push(s, 1);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	for (uint64_t i = 2; i <= 10; i++)
		push(s, i);
	s->losses(s, &l);
	CHECK(l.backlog == 7);
	set_stalled(&f, false);
	s->free(s);
	CHECK(f.ngot == 3);
}

/* An output that never moves again: free() returns after its wait. */
static void test_stalled_at_exit(void)
{
	static struct fake f; /* the abandoned thread keeps using it */
	struct sink *s;
	uint64_t t0;

	fake_init(&f);
	s = sink_async_new(&f.sink, 8, 1 << 20);
	CHECK(s != NULL);
	if (!s)
		return;
	set_stalled(&f, true);
	push(s, 1);
	push(s, 2);
	t0 = clock_ns(CLOCK_MONOTONIC);
	s->free(s);
	CHECK(clock_ns(CLOCK_MONOTONIC) - t0 < 5000000000ull);
	CHECK(!f.is_freed);
}

int main(void)
{
	CHECK(sink_async_new(NULL, 1, 1) == NULL && errno == EINVAL);
	test_stall();
	test_reserve();
	test_shed();
	test_bytes();
	test_stalled_at_exit();
	return tap_done("sink_async");
}
