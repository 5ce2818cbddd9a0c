/* SPDX-License-Identifier: MIT */
/*
 * hash/hash.c - image hashes with OpenSSL EVP and a bounded LRU cache.
 *
 * The cache is a fixed array of entries (allocated once), a chained hash
 * table of entry indices for O(1) lookup, and a doubly linked LRU list
 * through the same entries.  A key is everything that changes when the
 * file's content may have changed: (dev, ino, size, mtime, ctime), plus
 * the algorithm set, so a config change never serves a stale result.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"

/* One read() size: big enough that syscalls cost nothing next to SHA. */
#define HASH_READ_BYTES ((size_t)128 * 1024)
/* Entry indices are 32-bit; far more than any process table needs. */
#define HASH_MAX_ENTRIES (1u << 24)
#define NIL		 UINT32_MAX

#define ALGS_KNOWN	 (HASH_SHA1 | HASH_MD5 | HASH_SHA256)

struct hash_key {
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
	unsigned algs;
};

struct hash_entry {
	struct hash_key key;
	uint32_t chain; /* next entry in the same bucket, or NIL */
	uint32_t prev; /* LRU neighbours; head is the most recent */
	uint32_t next;
	char text[HASH_TEXT_MAX];
};

/* The algorithms in output order: SHA1, MD5, SHA256 (as Sysmon). */
static const struct {
	unsigned bit;
	const char *evp_name;
	const char *label;
} algos[] = {
	{ HASH_SHA1, "SHA1", "SHA1=" },
	{ HASH_MD5, "MD5", "MD5=" },
	{ HASH_SHA256, "SHA256", "SHA256=" },
};
#define NALGOS (sizeof(algos) / sizeof(algos[0]))

struct hash_cache {
	size_t max_entries;
	uint64_t max_file_bytes;
	struct hash_entry *entries;
	uint32_t *buckets;
	size_t bucket_mask;
	uint32_t count; /* entries[0..count) are in use */
	uint32_t head, tail;
	uint64_t hits, misses;
	EVP_MD *md[NALGOS]; /* NULL when the provider lacks it (MD5/FIPS) */
	EVP_MD_CTX *ctx[NALGOS];
	unsigned char *readbuf;
};

struct hash_cache *hash_cache_new(size_t max_entries, uint64_t max_file_bytes)
{
	struct hash_cache *c;
	size_t nb = 16;

	if (max_entries > HASH_MAX_ENTRIES) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->max_entries = max_entries;
	c->max_file_bytes = max_file_bytes;
	c->head = c->tail = NIL;
	/* Load factor at most 1/2 keeps chains short. */
	while (nb < 2 * max_entries)
		nb *= 2;
	c->bucket_mask = nb - 1;
	c->buckets = malloc(nb * sizeof(*c->buckets));
	c->entries = calloc(max_entries ? max_entries : 1, sizeof(*c->entries));
	c->readbuf = malloc(HASH_READ_BYTES);
	if (!c->buckets || !c->entries || !c->readbuf)
		goto nomem;
	memset(c->buckets, 0xff, nb * sizeof(*c->buckets));
	for (size_t i = 0; i < NALGOS; i++) {
		/* A missing digest is not fatal: hash_file() reports it. */
		c->md[i] = EVP_MD_fetch(NULL, algos[i].evp_name, NULL);
		c->ctx[i] = EVP_MD_CTX_new();
		if (!c->ctx[i])
			goto nomem;
	}
	return c;
nomem:
	hash_cache_free(c);
	errno = ENOMEM;
	return NULL;
}

void hash_cache_free(struct hash_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < NALGOS; i++) {
		EVP_MD_free(c->md[i]);
		EVP_MD_CTX_free(c->ctx[i]);
	}
	free(c->readbuf);
	free(c->entries);
	free(c->buckets);
	free(c);
}

unsigned hash_available(const struct hash_cache *c)
{
	unsigned algs = 0;

	for (size_t i = 0; i < NALGOS; i++)
		if (c->md[i])
			algs |= algos[i].bit;
	return algs;
}

void hash_cache_stats(const struct hash_cache *c, uint64_t *hits,
		      uint64_t *misses)
{
	if (hits)
		*hits = c->hits;
	if (misses)
		*misses = c->misses;
}

size_t hash_cache_count(const struct hash_cache *c)
{
	return c->count;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static size_t key_bucket(const struct hash_cache *c, const struct hash_key *k)
{
	uint64_t h = 0;

	h = mix(h, k->dev);
	h = mix(h, k->ino);
	h = mix(h, k->size);
	h = mix(h, (uint64_t)k->mtime_sec ^ (uint64_t)k->mtime_nsec << 32);
	h = mix(h, (uint64_t)k->ctime_sec ^ (uint64_t)k->ctime_nsec << 32);
	h = mix(h, k->algs);
	/* Final avalanche so the low bits used as index depend on all. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & c->bucket_mask;
}

static bool key_equal(const struct hash_key *a, const struct hash_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec &&
	       a->algs == b->algs;
}

static void lru_unlink(struct hash_cache *c, uint32_t i)
{
	struct hash_entry *e = &c->entries[i];

	if (e->prev != NIL)
		c->entries[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != NIL)
		c->entries[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_push_front(struct hash_cache *c, uint32_t i)
{
	struct hash_entry *e = &c->entries[i];

	e->prev = NIL;
	e->next = c->head;
	if (c->head != NIL)
		c->entries[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

static uint32_t cache_find(struct hash_cache *c, const struct hash_key *k)
{
	uint32_t i = c->buckets[key_bucket(c, k)];

	while (i != NIL && !key_equal(&c->entries[i].key, k))
		i = c->entries[i].chain;
	return i;
}

static void chain_remove(struct hash_cache *c, uint32_t i)
{
	uint32_t *link = &c->buckets[key_bucket(c, &c->entries[i].key)];

	while (*link != NIL && *link != i)
		link = &c->entries[*link].chain;
	if (*link == i)
		*link = c->entries[i].chain;
}

static void cache_insert(struct hash_cache *c, const struct hash_key *k,
			 const char *text)
{
	struct hash_entry *e;
	size_t b;
	uint32_t i;

	if (!c->max_entries)
		return;
	if (c->count < c->max_entries) {
		i = c->count++;
	} else { /* full: reuse the least recently used entry */
		i = c->tail;
		lru_unlink(c, i);
		chain_remove(c, i);
	}
	e = &c->entries[i];
	e->key = *k;
	memcpy(e->text, text, HASH_TEXT_MAX);
	b = key_bucket(c, k);
	e->chain = c->buckets[b];
	c->buckets[b] = i;
	lru_push_front(c, i);
}

static const char hexdig[] = "0123456789abcdef";

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One read of fd through every digest asked for, formatted into out;
 * what is read is also written to copy_fd when it is >= 0. */
static int digest_fd(struct hash_cache *c, int fd, unsigned algs, int copy_fd,
		     char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	uint64_t total = 0;
	size_t pos = 0;
	ssize_t n;

	for (size_t i = 0; i < NALGOS; i++) {
		if (!(algs & algos[i].bit))
			continue;
		if (!c->md[i])
			return -ENOTSUP; /* e.g. MD5 under the FIPS provider */
		if (!EVP_DigestInit_ex(c->ctx[i], c->md[i], NULL))
			return -ENOTSUP;
	}
	for (;;) {
		n = read(fd, c->readbuf, HASH_READ_BYTES);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		total += (uint64_t)n;
		/* The file grew past the limit while we read it. */
		if (c->max_file_bytes && total > c->max_file_bytes)
			return -EFBIG;
		if (copy_fd >= 0 &&
		    write_all(copy_fd, c->readbuf, (size_t)n) < 0)
			return -EIO;
		for (size_t i = 0; i < NALGOS; i++)
			if ((algs & algos[i].bit) &&
			    !EVP_DigestUpdate(c->ctx[i], c->readbuf, (size_t)n))
				return -EIO;
	}
	for (size_t i = 0; i < NALGOS; i++) {
		unsigned len = 0;

		if (!(algs & algos[i].bit))
			continue;
		if (!EVP_DigestFinal_ex(c->ctx[i], md, &len))
			return -EIO;
		/* Longest text: 5+40 + 1+4+32 + 1+7+64 = 154 < HASH_TEXT_MAX. */
		if (pos)
			out[pos++] = ',';
		memcpy(out + pos, algos[i].label, strlen(algos[i].label));
		pos += strlen(algos[i].label);
		for (unsigned j = 0; j < len; j++) {
			out[pos++] = hexdig[md[j] >> 4];
			out[pos++] = hexdig[md[j] & 15];
		}
	}
	out[pos] = '\0';
	return 0;
}

static void key_from_stat(struct hash_key *k, const struct stat *st,
			  unsigned algs)
{
	memset(k, 0, sizeof(*k));
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->size = (uint64_t)st->st_size;
	k->mtime_sec = st->st_mtim.tv_sec;
	k->mtime_nsec = st->st_mtim.tv_nsec;
	k->ctime_sec = st->st_ctim.tv_sec;
	k->ctime_nsec = st->st_ctim.tv_nsec;
	k->algs = algs;
}

/* Whether st may be hashed: the expected inode, a regular file, small
 * enough.  0 or the error hash_file() returns. */
static int check_stat(const struct hash_cache *c, const struct stat *st,
		      uint64_t dev, uint64_t ino)
{
	if ((dev && (uint64_t)st->st_dev != dev) ||
	    (ino && (uint64_t)st->st_ino != ino))
		return -ESTALE;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if (c->max_file_bytes && (uint64_t)st->st_size > c->max_file_bytes)
		return -EFBIG;
	return 0;
}

static bool cache_get(struct hash_cache *c, const struct hash_key *key,
		      char *out)
{
	uint32_t i = cache_find(c, key);

	if (i == NIL)
		return false;
	c->hits++;
	lru_unlink(c, i);
	lru_push_front(c, i);
	memcpy(out, c->entries[i].text, HASH_TEXT_MAX);
	return true;
}

/* Digest the file at path, which stat()ed as key, and cache the result
 * if the file did not change on the way. */
static int hash_miss(struct hash_cache *c, const char *path, uint64_t dev,
		     uint64_t ino, struct hash_key *key, char *out)
{
	char text[HASH_TEXT_MAX];
	struct hash_key after;
	struct stat st;
	int fd, r;

	/*
	 * Not O_NOFOLLOW: image paths may go through symlinked folders.
	 * O_NONBLOCK so a FIFO swapped in after the stat() cannot stall the
	 * caller; it changes nothing for regular files.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	/* The path may name another file than the one stat()ed. */
	if ((r = check_stat(c, &st, dev, ino)) < 0)
		goto out;
	key_from_stat(key, &st, key->algs);
	c->misses++;
	r = digest_fd(c, fd, key->algs, -1, text);
	if (r)
		goto out;
	memcpy(out, text, HASH_TEXT_MAX);
	if (fstat(fd, &st) == 0) {
		key_from_stat(&after, &st, key->algs);
		if (key_equal(key, &after))
			cache_insert(c, key, text);
	}
out:
	close(fd);
	return r;
}

int hash_file(struct hash_cache *c, const char *path, uint64_t dev,
	      uint64_t ino, unsigned algs, char *out)
{
	struct hash_key key;
	struct stat st;
	int r;

	out[0] = '\0';
	algs &= ALGS_KNOWN;
	if (!algs)
		return -ENOTSUP;
	/* A cache hit costs one stat(): no open, no read. */
	if (stat(path, &st) < 0)
		return -errno;
	if ((r = check_stat(c, &st, dev, ino)) < 0)
		return r;
	key_from_stat(&key, &st, algs);
	if (cache_get(c, &key, out))
		return 0;
	return hash_miss(c, path, dev, ino, &key, out);
}

int hash_fd(struct hash_cache *c, int fd, unsigned algs, int copy_fd, char *out)
{
	int r;

	out[0] = '\0';
	algs &= ALGS_KNOWN;
	if (!algs)
		return -ENOTSUP;
	r = digest_fd(c, fd, algs, copy_fd, out);
	if (r)
		out[0] = '\0';
	return r;
}
