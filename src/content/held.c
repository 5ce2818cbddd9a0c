/* SPDX-License-Identifier: MIT */
/*
 * content/held.c - descriptors of files created while archiving is on,
 * by path, in a ring in creation order: the oldest is let go first, when
 * the ring is full or when it has been held too long.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* FNV-1a: paths are short and this runs once per created file. */
static size_t bucket_of(const struct content *c, const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 32)) & c->bucket_mask;
}

struct content *content_new(const struct content_limits *l)
{
	struct content *c = calloc(1, sizeof(*c));
	size_t nb = 16;

	if (!c)
		return NULL;
	c->lim = *l;
	c->archive_fd = -1;
	while (nb < 2 * l->max_held)
		nb *= 2;
	c->bucket_mask = nb - 1;
	c->buckets = malloc(nb * sizeof(*c->buckets));
	c->slots = calloc(l->max_held ? l->max_held : 1, sizeof(*c->slots));
	c->hashes = hash_cache_new(0, l->max_bytes);
	if (!c->buckets || !c->slots || !c->hashes) {
		content_free(c);
		errno = ENOMEM;
		return NULL;
	}
	memset(c->buckets, 0xff, nb * sizeof(*c->buckets));
	return c;
}

void content_free(struct content *c)
{
	if (!c)
		return;
	content_held_release_all(c);
	if (c->archive_fd >= 0)
		close(c->archive_fd);
	hash_cache_free(c->hashes);
	free(c->buckets);
	free(c->slots);
	free(c);
}

size_t content_held_count(const struct content *c)
{
	return c->count;
}

static uint32_t find(const struct content *c, const char *path)
{
	uint32_t i = c->buckets[bucket_of(c, path)];

	while (i != NIL && strcmp(c->slots[i].path, path) != 0)
		i = c->slots[i].chain;
	return i;
}

static void unchain(struct content *c, uint32_t i)
{
	uint32_t *link = &c->buckets[bucket_of(c, c->slots[i].path)];

	while (*link != NIL && *link != i)
		link = &c->slots[*link].chain;
	if (*link == i)
		*link = c->slots[i].chain;
}

static void chain(struct content *c, uint32_t i)
{
	size_t b = bucket_of(c, c->slots[i].path);

	c->slots[i].chain = c->buckets[b];
	c->buckets[b] = i;
}

/* Empty slot i; returns its descriptor (the caller's now). */
static int vacate(struct content *c, uint32_t i)
{
	struct held *h = &c->slots[i];
	int fd = h->fd;

	unchain(c, i);
	free(h->path);
	h->path = NULL;
	h->fd = -1;
	c->count--;
	return fd;
}

/* Move the ring's tail to the oldest slot in use. */
static void trim(struct content *c)
{
	if (!c->count) {
		c->oldest = c->next;
		return;
	}
	while (!c->slots[c->oldest].path)
		c->oldest = (c->oldest + 1) % c->lim.max_held;
}

void content_held_release_all(struct content *c)
{
	for (size_t i = 0; c->slots && i < c->lim.max_held; i++)
		if (c->slots[i].path)
			close(vacate(c, (uint32_t)i));
	c->oldest = c->next = 0;
}

/* Let go of what has been held too long. */
static void expire(struct content *c, uint64_t now_ns)
{
	for (;;) {
		trim(c);
		if (!c->count ||
		    now_ns - c->slots[c->oldest].since_ns <= c->lim.hold_ns)
			return;
		close(vacate(c, (uint32_t)c->oldest));
	}
}

void content_hold(struct content *c, const char *path, uint64_t dev,
		  uint64_t ino, uint64_t now_ns)
{
	struct held *h;
	struct stat st;
	uint32_t i, slot;
	int fd;

	if (c->archive_fd < 0 || !c->lim.max_held || path[0] != '/')
		return;
	expire(c, now_ns);
	if ((i = find(c, path)) != NIL)
		close(vacate(c, i)); /* the name now names a new file */
	/*
	 * O_NONBLOCK: a FIFO or a device swapped in under the name cannot
	 * block the daemon; O_NOFOLLOW: nor can a symlink lead it away.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW |
				O_NOCTTY | O_NOATIME);
	if (fd < 0 && errno == EPERM) /* O_NOATIME needs ownership */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW |
					O_NOCTTY);
	if (fd < 0)
		return; /* gone already: that race is lost */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (dev && (uint64_t)st.st_dev != dev) ||
	    (ino && (uint64_t)st.st_ino != ino)) {
		close(fd);
		return;
	}
	/* Slots fill in creation order, so the one at next is free or
	 * the oldest: full, it is let go. */
	slot = (uint32_t)c->next;
	if (c->slots[slot].path)
		close(vacate(c, slot));
	h = &c->slots[slot];
	h->path = strdup(path);
	if (!h->path) {
		close(fd);
		trim(c);
		return;
	}
	h->dev = (uint64_t)st.st_dev;
	h->ino = (uint64_t)st.st_ino;
	h->since_ns = now_ns;
	h->fd = fd;
	chain(c, slot);
	c->count++;
	c->next = (c->next + 1) % c->lim.max_held;
	if (c->count == 1)
		c->oldest = slot;
	else if (c->oldest == slot) /* the ring was full */
		c->oldest = c->next;
}

void content_rename(struct content *c, const char *from, const char *to)
{
	uint32_t i, j;
	char *p;

	if (!c->count)
		return;
	if ((j = find(c, to)) != NIL)
		close(vacate(c, j));
	if ((i = find(c, from)) == NIL || !(p = strdup(to)))
		return;
	unchain(c, i);
	free(c->slots[i].path);
	c->slots[i].path = p;
	chain(c, i);
}

int content_take(struct content *c, const char *path, unsigned algs,
		 struct content_file *f)
{
	unsigned char head[CONTENT_HEAD];
	struct stat st;
	uint32_t i;
	ssize_t n;
	int r;

	f->fd = -1;
	f->is_executable = false;
	f->hashes[0] = '\0';
	if (!c->count || (i = find(c, path)) == NIL)
		return -ENOENT;
	f->fd = vacate(c, i);
	trim(c);
	if (fstat(f->fd, &st) < 0)
		return -errno;
	n = pread(f->fd, head, sizeof(head), 0);
	if (n > 0)
		f->is_executable =
			content_looks_executable(head, (size_t)n, st.st_mode);
	if (!algs)
		return 0;
	if (lseek(f->fd, 0, SEEK_SET) < 0)
		return -errno;
	r = hash_fd_copy(c->hashes, f->fd, algs, -1, f->hashes);
	return r == -ENOTSUP || r == -EFBIG ? 0 : r;
}

void content_file_release(struct content_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
