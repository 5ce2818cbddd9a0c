/* SPDX-License-Identifier: MIT */
/*
 * content/internal.h - private to the content module: struct content.
 */
#ifndef VIGIL_CONTENT_INTERNAL_H
#define VIGIL_CONTENT_INTERNAL_H

#include "content.h"

#define NIL UINT32_MAX

/* One held file: a slot of a ring in creation order. */
struct held {
	char *path; /* NULL: free slot */
	uint64_t dev, ino;
	uint64_t since_ns;
	int fd;
	uint32_t chain; /* next slot in the same bucket */
};

/* A file created without an exec bit (event 29's chmod case). */
struct script {
	uint64_t dev, ino;
	uint64_t seq; /* when remembered (content.nscripts); 0: empty */
};

/* Remembered in sets of SCRIPT_WAYS by (dev, ino): a lookup reads one
 * set, not all of them (every file created is remembered, so this runs
 * per event 11); a set forgets its oldest first. */
#define SCRIPTS_MAX 1024
#define SCRIPT_WAYS 4

struct content {
	struct content_limits lim;
	struct hash_cache *hashes; /* no entries: only its digests */
	/* held files */
	struct held *slots; /* lim.max_held of them */
	uint32_t *buckets;
	size_t bucket_mask;
	size_t oldest, next, count; /* ring: [oldest, next) may be in use */
	/* the archive */
	int archive_fd; /* -1: archiving off */
	/* files created without an exec bit, in sets */
	struct script scripts[SCRIPTS_MAX];
	uint64_t nscripts; /* remembered so far */
};

void content_held_release_all(struct content *c);

#endif /* VIGIL_CONTENT_INTERNAL_H */
