/* SPDX-License-Identifier: MIT */
/*
 * hash/hash.c - image hashes with OpenSSL EVP and a bounded LRU cache.
 *
 * The cache is a fixed array of entries (allocated once), a chained hash
 * table of entry indices for O(1) lookup, and a doubly linked LRU list
 * through the same entries.  A key is everything that changes when the
 * file's content may have changed (struct hash_id), plus the algorithm
 * set, so a config change never serves a stale result.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
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
	struct hash_id id;
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
	if (!c->buckets || !c->entries)
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

	h = mix(h, k->id.dev);
	h = mix(h, k->id.ino);
	h = mix(h, k->id.size);
	h = mix(h,
		(uint64_t)k->id.mtime_sec ^ (uint64_t)k->id.mtime_nsec << 32);
	h = mix(h,
		(uint64_t)k->id.ctime_sec ^ (uint64_t)k->id.ctime_nsec << 32);
	h = mix(h, k->id.version);
	h = mix(h, k->algs);
	/* Final avalanche so the low bits used as index depend on all. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & c->bucket_mask;
}

/* Whether two versions are the same bytes, as far as user space can
 * tell (the change counter aside). */
static bool id_same_file(const struct hash_id *a, const struct hash_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

bool hash_id_equal(const struct hash_id *a, const struct hash_id *b)
{
	return id_same_file(a, b) && a->version == b->version;
}

static bool key_equal(const struct hash_key *a, const struct hash_key *b)
{
	return hash_id_equal(&a->id, &b->id) && a->algs == b->algs;
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

/* One read of fd through every digest asked for, formatted into out. */
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

	if (!c->readbuf && !(c->readbuf = malloc(HASH_READ_BYTES)))
		return -ENOMEM;
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

static void id_from_stat(struct hash_id *id, const struct stat *st)
{
	memset(id, 0, sizeof(*id));
	id->dev = (uint64_t)st->st_dev;
	id->ino = (uint64_t)st->st_ino;
	id->size = (uint64_t)st->st_size;
	id->mtime_sec = st->st_mtim.tv_sec;
	id->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
	id->ctime_sec = st->st_ctim.tv_sec;
	id->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
}

/* Whether st may be hashed: a regular file, small enough.  0 or the
 * error hash_file() returns. */
static int check_stat(const struct hash_cache *c, const struct stat *st)
{
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

/*
 * Digest fd, whose fstat() was *st, into out.  want NULL: cache the result
 * under the stat()'s identity if the file did not change while it was
 * read; else the file must be version *want before and after (-ESTALE).
 */
static int hash_fd(struct hash_cache *c, int fd, struct stat *st,
		   const struct hash_id *want, unsigned algs, char *out)
{
	char text[HASH_TEXT_MAX];
	struct hash_key key = { .algs = algs };
	struct hash_id after;
	int r;

	id_from_stat(&key.id, st);
	if (want && !id_same_file(&key.id, want))
		return -ESTALE;
	if ((r = check_stat(c, st)) < 0)
		return r;
	c->misses++;
	r = digest_fd(c, fd, algs, -1, text);
	if (r)
		return r;
	if (fstat(fd, st) < 0)
		return -errno;
	id_from_stat(&after, st);
	if (!id_same_file(&key.id, &after)) {
		if (want)
			return -ESTALE; /* written while we read it */
	} else {
		if (want)
			key.id = *want; /* with the kernel's change counter */
		cache_insert(c, &key, text);
	}
	memcpy(out, text, HASH_TEXT_MAX);
	return 0;
}

/* Open path and hash it (hash_fd()). */
static int hash_path(struct hash_cache *c, const char *path,
		     const struct hash_id *want, unsigned algs, char *out)
{
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
	r = fstat(fd, &st) < 0 ? -errno : hash_fd(c, fd, &st, want, algs, out);
	close(fd);
	return r;
}

bool hash_cache_get(struct hash_cache *c, const struct hash_id *id,
		    unsigned algs, char *out)
{
	struct hash_key key = { .id = *id, .algs = algs & ALGS_KNOWN };

	return cache_get(c, &key, out);
}

void hash_cache_put(struct hash_cache *c, const struct hash_id *id,
		    unsigned algs, const char *text)
{
	struct hash_key key = { .id = *id, .algs = algs & ALGS_KNOWN };
	char buf[HASH_TEXT_MAX] = "";

	if (cache_find(c, &key) != NIL)
		return;
	snprintf(buf, sizeof(buf), "%s", text);
	cache_insert(c, &key, buf);
}

int hash_file(struct hash_cache *c, const char *path, const struct hash_id *id,
	      unsigned algs, char *out)
{
	struct hash_key key = { .algs = algs & ALGS_KNOWN };
	struct stat st;
	int r;

	out[0] = '\0';
	if (!key.algs)
		return -ENOTSUP;
	if (id) {
		key.id = *id;
		if (cache_get(c, &key, out))
			return 0;
		if (c->max_file_bytes && id->size > c->max_file_bytes)
			return -EFBIG;
		return hash_path(c, path, id, key.algs, out);
	}
	/* A cache hit costs one stat(): no open, no read. */
	if (stat(path, &st) < 0)
		return -errno;
	if ((r = check_stat(c, &st)) < 0)
		return r;
	id_from_stat(&key.id, &st);
	if (cache_get(c, &key, out))
		return 0;
	return hash_path(c, path, NULL, key.algs, out);
}

int hash_fd_copy(struct hash_cache *c, int fd, unsigned algs, int copy_fd,
		 char *out)
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
