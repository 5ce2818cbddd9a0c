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

/* Hash algorithms, as a bit set (a config's HashAlgorithms). */
#define HASH_SHA1    0x1u
#define HASH_MD5     0x2u
#define HASH_SHA256  0x4u
#define HASH_IMPHASH 0x8u /* accepted in configs, never produced on Linux */

/* Longest result: SHA1=40,MD5=32,SHA256=64 plus names and commas. */
#define HASH_TEXT_MAX 192

struct hash_cache;

/*
 * A cache of at most max_entries results (least recently used evicted;
 * 0: nothing cached, every call reads the file); files larger than
 * max_file_bytes are not hashed (0: no limit).  NULL + errno on error
 * (EINVAL above 16M entries, ENOMEM).  The memory is allocated here,
 * once: about 250 bytes per entry plus a 128 KiB read buffer.
 */
struct hash_cache *hash_cache_new(size_t max_entries, uint64_t max_file_bytes);
void hash_cache_free(struct hash_cache *c);

/*
 * Hash the file at path with the HASH_* algorithms in algs, into
 * out (HASH_TEXT_MAX bytes) as "SHA1=<hex>,MD5=<hex>,SHA256=<hex>" (only
 * the algorithms asked for, in that order, lower-case hex).  When dev/ino
 * are non-zero, the file must be that inode (st_dev in user-space
 * encoding), else -ESTALE (the path now names another file); each is
 * checked on its own when only one is non-zero.
 * Returns 0, -EFBIG (over max_file_bytes), -ENOENT/-EACCES ..., -EINVAL
 * when path is not a regular file, -EIO on a digest failure, or
 * -ENOTSUP when algs has nothing Linux can compute (IMPHASH only) or asks
 * for a digest the crypto provider lacks (MD5 under FIPS; see
 * hash_available()).  On error out is "".
 */
int hash_file(struct hash_cache *c, const char *path, uint64_t dev,
	      uint64_t ino, unsigned algs, char *out);

/*
 * Hash what fd holds from its current offset to its end, as hash_file()
 * does (same limits, nothing cached: fd may name a file no path reaches),
 * writing every byte read to copy_fd too when copy_fd >= 0 (a write
 * failure gives -EIO).  Returns like hash_file().
 */
int hash_fd(struct hash_cache *c, int fd, unsigned algs, int copy_fd,
	    char *out);

/*
 * The HASH_* algorithms this process's OpenSSL provider offers
 * (MD5 is missing when FIPS is enforced), to mask a config with.
 */
unsigned hash_available(const struct hash_cache *c);

/* Cache statistics, for benchmarks and status. */
void hash_cache_stats(const struct hash_cache *c, uint64_t *hits,
		      uint64_t *misses);

/* Number of results held (at most max_entries). */
size_t hash_cache_count(const struct hash_cache *c);

#endif /* VIGIL_HASH_H */
