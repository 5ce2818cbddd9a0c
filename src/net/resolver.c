/* SPDX-License-Identifier: MIT */
/*
 * net/resolver.c - reverse lookups for SourceHostname/DestinationHostname
 * when <DnsLookup> is on, as Sysmon does them: asynchronously, cached, and
 * "-" for an address not resolved yet.  The event path only reads the
 * cache; one worker thread calls getnameinfo(NI_NAMEREQD) with the
 * resolver's own timeout and retry count cut to the configured timeout,
 * so a dead name server delays later names, never an event.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net.h"
#include "util/clock.h"

#define WAYS	    4
#define QUEUE_MAX   256
#define NAME_TTL_NS (600ull * 1000000000ull) /* a name is asked again after */
#define FAIL_TTL_NS (60ull * 1000000000ull) /* a failure is retried after */

enum state { EMPTY, QUEUED, NAMED, NONE };

struct entry {
	uint8_t ip[16];
	uint8_t state; /* enum state */
	uint64_t age; /* insertion counter */
	uint64_t done_ns; /* when the answer came (CLOCK_MONOTONIC) */
	char name[NET_NAME_MAX];
};

struct net_resolver {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t worker;
	bool has_worker, is_stopping;
	unsigned timeout_ms;
	size_t nsets;
	uint64_t clock;
	struct entry *slots;
	uint8_t queue[QUEUE_MAX][16];
	size_t qhead, qcount;
	struct net_resolver_stats stats;
};

static size_t set_of(const struct net_resolver *r, const uint8_t ip[16])
{
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < 16; i++)
		h = (h ^ ip[i]) * 1099511628211ull;
	return (size_t)(h % r->nsets);
}

static struct entry *find(struct net_resolver *r, const uint8_t ip[16])
{
	struct entry *set = &r->slots[set_of(r, ip) * WAYS];

	for (int w = 0; w < WAYS; w++)
		if (set[w].state != EMPTY && memcmp(set[w].ip, ip, 16) == 0)
			return &set[w];
	return NULL;
}

/* A slot for ip: the oldest of its set that is not waiting in the queue
 * (a queued entry must stay until the worker answers it); NULL if none. */
static struct entry *claim(struct net_resolver *r, const uint8_t ip[16])
{
	struct entry *set = &r->slots[set_of(r, ip) * WAYS], *e = NULL;

	for (int w = 0; w < WAYS; w++) {
		if (set[w].state == QUEUED)
			continue;
		if (!e || set[w].state == EMPTY || set[w].age < e->age)
			e = &set[w];
		if (e->state == EMPTY)
			break;
	}
	if (e) {
		memcpy(e->ip, ip, 16);
		e->age = ++r->clock;
	}
	return e;
}

/* Tune this thread's resolver: one try per server, timeout_ms each. */
static void set_timeout(unsigned timeout_ms)
{
	if (res_init() != 0)
		return;
	_res.retrans = (int)(timeout_ms + 999) / 1000;
	if (_res.retrans < 1)
		_res.retrans = 1;
	_res.retry = 1;
}

static void lookup(const uint8_t ip[16], char out[NET_NAME_MAX], bool *ok)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(ip, mapped, 12) == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip + 12, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip, 16);
		len = sizeof(*sin6);
	}
	*ok = getnameinfo((struct sockaddr *)&ss, len, out, NET_NAME_MAX, NULL,
			  0, NI_NAMEREQD) == 0;
}

static void *worker(void *arg)
{
	struct net_resolver *r = arg;

	/* named for top -H, perf and bench/run.sh's per-thread CPU */
	pthread_setname_np(pthread_self(), "vigil-resolver");

	set_timeout(r->timeout_ms);
	pthread_mutex_lock(&r->lock);
	while (!r->is_stopping) {
		uint8_t ip[16];
		char name[NET_NAME_MAX];
		uint64_t t0, t1;
		struct entry *e;
		bool ok;

		if (!r->qcount) {
			pthread_cond_wait(&r->wake, &r->lock);
			continue;
		}
		memcpy(ip, r->queue[r->qhead], 16);
		r->qhead = (r->qhead + 1) % QUEUE_MAX;
		r->qcount--;
		pthread_mutex_unlock(&r->lock);

		t0 = clock_ns(CLOCK_MONOTONIC);
		lookup(ip, name, &ok);
		t1 = clock_ns(CLOCK_MONOTONIC);

		pthread_mutex_lock(&r->lock);
		r->stats.lookups++;
		r->stats.names += ok;
		if (t1 - t0 > (uint64_t)r->timeout_ms * 1000000ull)
			r->stats.slow++;
		e = find(r, ip);
		if (e) {
			e->state = ok ? NAMED : NONE;
			e->done_ns = t1;
			if (ok)
				memcpy(e->name, name, NET_NAME_MAX);
		}
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct net_resolver *net_resolver_new(size_t cache_max, unsigned timeout_ms)
{
	struct net_resolver *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->timeout_ms = timeout_ms ? timeout_ms : 1000;
	r->nsets = cache_max / WAYS ? cache_max / WAYS : 1;
	r->slots = calloc(r->nsets * WAYS, sizeof(*r->slots));
	if (!r->slots) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	err = pthread_create(&r->worker, NULL, worker, r);
	if (err) {
		net_resolver_free(r);
		errno = err;
		return NULL;
	}
	r->has_worker = true;
	return r;
}

void net_resolver_free(struct net_resolver *r)
{
	if (!r)
		return;
	if (r->has_worker) {
		pthread_mutex_lock(&r->lock);
		r->is_stopping = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->worker, NULL);
	}
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->slots);
	free(r);
}

bool net_resolver_name(struct net_resolver *r, const uint8_t ip[16],
		       char out[NET_NAME_MAX])
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	struct entry *e;
	bool found = false;

	pthread_mutex_lock(&r->lock);
	e = find(r, ip);
	if (e && e->state == NAMED && now - e->done_ns < NAME_TTL_NS) {
		memcpy(out, e->name, NET_NAME_MAX);
		found = true;
	} else if (e &&
		   (e->state == QUEUED ||
		    (e->state == NONE && now - e->done_ns < FAIL_TTL_NS))) {
		/* asked already */
	} else if (r->qcount == QUEUE_MAX) {
		r->stats.queue_full++;
	} else if ((e = e ? e : claim(r, ip)) != NULL) {
		e->state = QUEUED;
		memcpy(r->queue[(r->qhead + r->qcount) % QUEUE_MAX], ip, 16);
		r->qcount++;
		pthread_cond_signal(&r->wake);
	}
	pthread_mutex_unlock(&r->lock);
	return found;
}

void net_resolver_stats(struct net_resolver *r, struct net_resolver_stats *out)
{
	pthread_mutex_lock(&r->lock);
	*out = r->stats;
	pthread_mutex_unlock(&r->lock);
}
