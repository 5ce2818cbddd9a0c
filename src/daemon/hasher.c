/* SPDX-License-Identifier: MIT */
/*
 * daemon/hasher.c - one worker thread, a bounded job list and a result
 * list, both under one mutex.  Jobs are rare (only images too big to hash
 * inline and not yet cached), so simplicity beats lock-free here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hasher.h"

struct job {
	uint64_t ticket;
	char *path;
	uint64_t dev, ino;
	unsigned algs;
	bool is_done;
	struct hasher_result result;
};

struct hasher {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	struct hash_cache *cache; /* the worker's own */
	struct job *jobs; /* ring of max_jobs, in submit order */
	size_t max_jobs, head, count;
	size_t next_todo; /* offset from head of the first job not done */
	bool is_stopping;
};

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct job *j;
		struct hasher_result r = { 0 };

		while (h->next_todo == h->count && !h->is_stopping)
			pthread_cond_wait(&h->wake, &h->lock);
		if (h->is_stopping)
			break;
		j = &h->jobs[(h->head + h->next_todo) % h->max_jobs];
		pthread_mutex_unlock(&h->lock);
		r.ticket = j->ticket;
		r.error = hash_file(h->cache, j->path, j->dev, j->ino, j->algs,
				    r.text);
		pthread_mutex_lock(&h->lock);
		j->result = r;
		j->is_done = true;
		h->next_todo++;
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

struct hasher *hasher_new(size_t cache_entries, uint64_t max_file_bytes,
			  size_t max_jobs)
{
	struct hasher *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->max_jobs = max_jobs ? max_jobs : 1;
	h->jobs = calloc(h->max_jobs, sizeof(*h->jobs));
	h->cache = hash_cache_new(cache_entries, max_file_bytes);
	if (!h->jobs || !h->cache)
		goto fail;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->wake, NULL);
	if (pthread_create(&h->thread, NULL, hasher_main, h) != 0)
		goto fail;
	return h;
fail:
	hash_cache_free(h->cache);
	free(h->jobs);
	free(h);
	errno = ENOMEM;
	return NULL;
}

int hasher_submit(struct hasher *h, uint64_t ticket, const char *path,
		  uint64_t dev, uint64_t ino, unsigned algs)
{
	struct job *j;
	char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&h->lock);
	if (h->count == h->max_jobs) {
		pthread_mutex_unlock(&h->lock);
		free(copy);
		return -EAGAIN;
	}
	j = &h->jobs[(h->head + h->count) % h->max_jobs];
	*j = (struct job){ .ticket = ticket,
			   .path = copy,
			   .dev = dev,
			   .ino = ino,
			   .algs = algs };
	h->count++;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

int hasher_collect(struct hasher *h, struct hasher_result *out)
{
	struct job *j;

	pthread_mutex_lock(&h->lock);
	j = &h->jobs[h->head];
	if (h->count == 0 || !j->is_done) {
		pthread_mutex_unlock(&h->lock);
		return 0;
	}
	*out = j->result;
	free(j->path);
	memset(j, 0, sizeof(*j));
	h->head = (h->head + 1) % h->max_jobs;
	h->count--;
	h->next_todo--;
	pthread_mutex_unlock(&h->lock);
	return 1;
}

void hasher_free(struct hasher *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->is_stopping = true;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	for (size_t i = 0; i < h->max_jobs; i++)
		free(h->jobs[i].path);
	hash_cache_free(h->cache);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->wake);
	free(h->jobs);
	free(h);
}
