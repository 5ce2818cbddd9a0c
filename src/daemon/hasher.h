/* SPDX-License-Identifier: MIT */
/*
 * daemon/hasher.h - hash big images on a thread of their own, so that a
 * large binary never stalls the pipeline.  Jobs go in with a ticket;
 * results come back by ticket, polled by the pipeline thread.
 */
#ifndef VIGIL_HASHER_H
#define VIGIL_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "hash/hash.h"

struct hasher_result {
	uint64_t ticket;
	int error; /* 0, or what hash_file() returned */
	char text[HASH_TEXT_MAX];
};

struct hasher;

/* A thread with its own cache of cache_entries results, hashing files up
 * to max_file_bytes; at most max_jobs in flight.  NULL + errno. */
struct hasher *hasher_new(size_t cache_entries, uint64_t max_file_bytes,
			  size_t max_jobs);

/* Queue a job (path is copied).  -EAGAIN when max_jobs are in flight. */
int hasher_submit(struct hasher *h, uint64_t ticket, const char *path,
		  uint64_t dev, uint64_t ino, unsigned algs);

/* Take one finished result without waiting: 1 when *out holds one, 0 when
 * none is ready. */
int hasher_collect(struct hasher *h, struct hasher_result *out);

/* Stop the thread (finishing the job in hand), drop the rest, free. */
void hasher_free(struct hasher *h);

#endif /* VIGIL_HASHER_H */
