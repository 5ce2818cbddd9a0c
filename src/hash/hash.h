/* SPDX-License-Identifier: MIT */
/*
 * hash/hash.h - image hashes in Sysmon's "SHA1=..,MD5=..,SHA256=.." form,
 * computed with OpenSSL EVP in one read of the file and cached by the
 * file's identity (device, inode, size, mtime, ctime, change counter) so a
 * binary is hashed once.
 *
 * A hash describes the bytes of one identity: given the identity the
 * kernel saw (at exec), hash_file() hashes the file only if it still has
 * that identity before and after reading it, and the cache answers by that
 * identity without touching the file.
 *
 * Not thread-safe: one cache per thread.
 */
#ifndef VIGIL_HASH_H
#define VIGIL_HASH_H

#include <stdbool.h>
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
 * One version of a file: what changes when its bytes may have changed.
 * dev is in user-space st_dev encoding.  version is the kernel's change
 * counter (i_version, 0 when unknown): user space cannot read it back, so
 * it only keys the cache, it is not compared with the file.
 */
struct hash_id {
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
	uint64_t version;
};

/*
 * A cache of at most max_entries results (least recently used evicted;
 * 0: nothing cached, every call reads the file); files larger than
 * max_file_bytes are not hashed (0: no limit).  NULL + errno on error
 * (EINVAL above 16M entries, ENOMEM).  The memory is allocated here:
 * about 250 bytes per entry, once, and a 128 KiB read buffer when the
 * first file is read.
 */
struct hash_cache *hash_cache_new(size_t max_entries, uint64_t max_file_bytes);
void hash_cache_free(struct hash_cache *c);

/*
 * Hash the file at path with the HASH_* algorithms in algs, into
 * out (HASH_TEXT_MAX bytes) as "SHA1=<hex>,MD5=<hex>,SHA256=<hex>" (only
 * the algorithms asked for, in that order, lower-case hex).
 *
 * id NULL: whatever the path names now (cached by its stat()).  Otherwise
 * the bytes of that version only: a cached result for id costs no system
 * call; else the file is opened, and its fstat() must match id (device,
 * inode, size, mtime, ctime) both before and after it is read, or the
 * result is -ESTALE (the path names another file, or the file changed):
 * never the hash of other bytes.
 *
 * Returns 0, -ESTALE, -EFBIG (over max_file_bytes), -ENOENT/-EACCES ...,
 * -EINVAL when path is not a regular file, -EIO on a digest failure, or
 * -ENOTSUP when algs has nothing Linux can compute (IMPHASH only) or asks
 * for a digest the crypto provider lacks (MD5 under FIPS; see
 * hash_available()).  On error out is "".
 */
int hash_file(struct hash_cache *c, const char *path, const struct hash_id *id,
	      unsigned algs, char *out);

/* Whether a and b are the same version (every field, version too). */
bool hash_id_equal(const struct hash_id *a, const struct hash_id *b);

/* The cached result for (id, algs) into out: true on a hit.  No I/O. */
bool hash_cache_get(struct hash_cache *c, const struct hash_id *id,
		    unsigned algs, char *out);

/* Remember text as the result for (id, algs) (a result computed
 * elsewhere, e.g. on another thread, checked against id there). */
void hash_cache_put(struct hash_cache *c, const struct hash_id *id,
		    unsigned algs, const char *text);

/*
 * Hash what fd holds from its current offset to its end, as hash_file()
 * does (same limits, nothing cached: fd may name a file no path reaches),
 * writing every byte read to copy_fd too when copy_fd >= 0 (a write
 * failure gives -EIO).  Returns like hash_file().
 */
int hash_fd_copy(struct hash_cache *c, int fd, unsigned algs, int copy_fd,
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
