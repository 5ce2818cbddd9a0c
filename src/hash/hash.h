/* SPDX-License-Identifier: MIT */
/*
 * hash/hash.h - image hashes in Sysmon's "SHA1=..,MD5=..,SHA256=.." form,
 * computed with OpenSSL EVP in one read of the file and cached by
 * (device, inode, size, mtime, ctime) so a binary is hashed once.
 *
 * Not thread-safe: one cache per thread.
 */
#ifndef VIGIL_HASH_H
#define VIGIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Longest result: SHA1=40,MD5=32,SHA256=64 plus names and commas. */
#define HASH_TEXT_MAX 192

struct hash_cache;

/*
 * A cache of at most max_entries results (least recently used evicted);
 * files larger than max_file_bytes are not hashed.  NULL + errno on error.
 */
struct hash_cache *hash_cache_new(size_t max_entries, uint64_t max_file_bytes);
void hash_cache_free(struct hash_cache *c);

/*
 * Hash the file at path with the CONFIG_HASH_* algorithms in algs, into
 * out (HASH_TEXT_MAX bytes) as "SHA1=<hex>,MD5=<hex>,SHA256=<hex>" (only
 * the algorithms asked for, in that order, lower-case hex).  When dev/ino
 * are non-zero, the file must be that inode (st_dev in user-space
 * encoding), else -ESTALE (the path now names another file).
 * Returns 0, -EFBIG (over max_file_bytes), -ENOENT/-EACCES ..., or
 * -ENOTSUP when algs has nothing Linux can compute (IMPHASH only).
 */
int hash_file(struct hash_cache *c, const char *path, uint64_t dev,
	      uint64_t ino, unsigned algs, char *out);

/* Cache statistics, for benchmarks and status. */
void hash_cache_stats(const struct hash_cache *c, uint64_t *hits,
		      uint64_t *misses);

#endif /* VIGIL_HASH_H */
