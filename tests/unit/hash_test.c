/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/hash_test.c - image hashes against coreutils' sha1sum,
 * md5sum and sha256sum, and the cache: hits, invalidation by mtime, LRU
 * eviction bound, ESTALE, EFBIG, ENOENT, no-crash without a digest; and
 * versions: a rewritten file is never hashed as the version asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "hash/hash.h"
#include "tap.h"

#define ALL (CONFIG_HASH_SHA1 | CONFIG_HASH_MD5 | CONFIG_HASH_SHA256)

static char dir[] = "/tmp/vigil-hash-XXXXXX";

/* The hex digest `tool path` prints, into hex; 0 or -1. */
static int tool_digest(const char *tool, const char *path, char *hex,
		       size_t size)
{
	char cmd[512], line[256];
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "%s '%s'", tool, path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		pclose(f);
		return -1;
	}
	pclose(f);
	n = strcspn(line, " ");
	if (n == 0 || n >= size)
		return -1;
	memcpy(hex, line, n);
	hex[n] = '\0';
	return 0;
}

/* "SHA1=..,MD5=..,SHA256=.." for algs, built from the coreutils tools. */
static void expected(const char *path, unsigned algs, char *out, size_t size)
{
	char hex[160];

	out[0] = '\0';
	if (algs & CONFIG_HASH_SHA1 &&
	    tool_digest("sha1sum", path, hex, sizeof(hex)) == 0)
		snprintf(out + strlen(out), size - strlen(out), "SHA1=%s", hex);
	if (algs & CONFIG_HASH_MD5 &&
	    tool_digest("md5sum", path, hex, sizeof(hex)) == 0)
		snprintf(out + strlen(out), size - strlen(out), "%sMD5=%s",
			 out[0] ? "," : "", hex);
	if (algs & CONFIG_HASH_SHA256 &&
	    tool_digest("sha256sum", path, hex, sizeof(hex)) == 0)
		snprintf(out + strlen(out), size - strlen(out), "%sSHA256=%s",
			 out[0] ? "," : "", hex);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fwrite(data, 1, n, f) == n);
	fclose(f);
}

static char *tmp_path(const char *name)
{
	static char paths[16][256];
	static int next;
	char *p = paths[next++ % 16];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

/* The version of path now, as the kernel would give it at exec. */
static void id_of(const char *path, struct hash_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	CHECK(stat(path, &st) == 0);
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime_sec = st.st_mtim.tv_sec;
	id->mtime_nsec = (uint32_t)st.st_mtim.tv_nsec;
	id->ctime_sec = st.st_ctim.tv_sec;
	id->ctime_nsec = (uint32_t)st.st_ctim.tv_nsec;
	id->version = 1;
}

static void test_against_tools(struct hash_cache *c)
{
	static const unsigned sets[] = {
		ALL,
		CONFIG_HASH_SHA256,
		CONFIG_HASH_SHA1,
		CONFIG_HASH_MD5,
		CONFIG_HASH_SHA1 | CONFIG_HASH_SHA256,
		CONFIG_HASH_MD5 | CONFIG_HASH_SHA256 | CONFIG_HASH_IMPHASH,
	};
	const char *files[4];
	char out[HASH_TEXT_MAX], want[HASH_TEXT_MAX];
	unsigned char *big;
	size_t big_n = 3 * 128 * 1024 + 12345; /* spans several reads */

	files[0] = tmp_path("hello");
	write_file(files[0], "hello, world\n", 13);
	files[1] = tmp_path("empty");
	write_file(files[1], "", 0);
	files[2] = tmp_path("big");
	big = malloc(big_n);
	CHECK(big != NULL);
	if (!big)
		return;
	for (size_t i = 0; i < big_n; i++)
		big[i] = (unsigned char)(i * 2654435761u >> 13);
	write_file(files[2], big, big_n);
	free(big);
	/* /bin is often a symlink to usr/bin: reached through it on purpose. */
	files[3] = "/bin/true";

	for (size_t f = 0; f < 4; f++) {
		for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
			if ((sets[s] & CONFIG_HASH_MD5) &&
			    !(hash_available(c) & CONFIG_HASH_MD5))
				continue;
			expected(files[f], sets[s], want, sizeof(want));
			CHECK(want[0] != '\0');
			CHECK(hash_file(c, files[f], NULL, sets[s], out) == 0);
			CHECK_STR(out, want);
		}
	}
	/* Known value, independent of the tools. */
	CHECK(hash_file(c, files[1], NULL, CONFIG_HASH_SHA256, out) == 0);
	CHECK_STR(out, "SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934"
		       "ca495991b7852b855");
	/* Nothing Linux can compute. */
	CHECK(hash_file(c, files[0], NULL, CONFIG_HASH_IMPHASH, out) ==
	      -ENOTSUP);
	CHECK(hash_file(c, files[0], NULL, 0, out) == -ENOTSUP);
	CHECK(out[0] == '\0');
}

static void test_cache(void)
{
	struct hash_cache *c = hash_cache_new(8, 0);
	const char *p = tmp_path("cached");
	char out[HASH_TEXT_MAX], first[HASH_TEXT_MAX];
	struct timespec ts[2];
	uint64_t hits, misses;

	CHECK(c != NULL);
	if (!c)
		return;
	write_file(p, "abc", 3);
	CHECK(hash_file(c, p, NULL, CONFIG_HASH_SHA256, first) == 0);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 0 && misses == 1);
	CHECK(hash_file(c, p, NULL, CONFIG_HASH_SHA256, out) == 0);
	CHECK_STR(out, first);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 1 && misses == 1);

	/* Another algorithm set is another key. */
	CHECK(hash_file(c, p, NULL, CONFIG_HASH_SHA1, out) == 0);
	CHECK(strncmp(out, "SHA1=", 5) == 0 && strlen(out) == 45);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 1 && misses == 2);

	/* A new mtime (same content, same size) is a miss. */
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec += 100;
	ts[1] = ts[0];
	CHECK(utimensat(AT_FDCWD, p, ts, 0) == 0);
	CHECK(hash_file(c, p, NULL, CONFIG_HASH_SHA256, out) == 0);
	CHECK_STR(out, first);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 1 && misses == 3);
	CHECK(hash_file(c, p, NULL, CONFIG_HASH_SHA256, out) == 0);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 2 && misses == 3);

	/* New content of the same size through the same inode is a miss. */
	write_file(p, "abd", 3);
	CHECK(utimensat(AT_FDCWD, p, ts, 0) == 0); /* even with old mtime */
	CHECK(hash_file(c, p, NULL, CONFIG_HASH_SHA256, out) == 0);
	CHECK(strcmp(out, first) != 0);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 2 && misses == 4);
	hash_cache_free(c);
}

static void test_eviction(void)
{
	struct hash_cache *c = hash_cache_new(3, 0);
	char out[HASH_TEXT_MAX], name[32];
	const char *p[6];
	uint64_t hits, misses;

	CHECK(c != NULL);
	if (!c)
		return;
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "evict%d", i);
		p[i] = tmp_path(name);
		write_file(p[i], name, strlen(name));
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 6; i++) {
			CHECK(hash_file(c, p[i], NULL, ALL & hash_available(c),
					out) == 0);
			CHECK(hash_cache_count(c) <= 3);
		}
	CHECK(hash_cache_count(c) == 3);
	/* 6 files cycling through 3 slots: every call was a miss. */
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 0 && misses == 18);

	/* LRU, not FIFO: 3, 4, 5 cached; touch 3; add 0 evicts 4. */
	CHECK(hash_file(c, p[3], NULL, ALL & hash_available(c), out) == 0);
	CHECK(hash_file(c, p[0], NULL, ALL & hash_available(c), out) == 0);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 1 && misses == 19);
	CHECK(hash_file(c, p[3], NULL, ALL & hash_available(c), out) == 0);
	CHECK(hash_file(c, p[5], NULL, ALL & hash_available(c), out) == 0);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 3 && misses == 19);
	CHECK(hash_file(c, p[4], NULL, ALL & hash_available(c), out) == 0);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 3 && misses == 20);
	hash_cache_free(c);

	/* max_entries 0: correct results, nothing kept. */
	c = hash_cache_new(0, 0);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(hash_file(c, p[0], NULL, CONFIG_HASH_SHA1, out) == 0);
	CHECK(hash_file(c, p[0], NULL, CONFIG_HASH_SHA1, out) == 0);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 0 && misses == 2 && hash_cache_count(c) == 0);
	hash_cache_free(c);

	/* A large cache under churn stays bounded and consistent. */
	c = hash_cache_new(1000, 0);
	CHECK(c != NULL);
	if (!c)
		return;
	for (int i = 0; i < 3000; i++) {
		struct timespec ts[2] = { { 1000000 + i, 0 },
					  { 1000000 + i, 0 } };

		/* Each mtime is a new key for the same file. */
		utimensat(AT_FDCWD, p[0], ts, 0);
		CHECK(hash_file(c, p[0], NULL, CONFIG_HASH_SHA1, out) == 0);
	}
	CHECK(hash_cache_count(c) == 1000);
	hash_cache_free(c);
	CHECK(hash_cache_new(1u << 25, 0) == NULL && errno == EINVAL);
	hash_cache_free(NULL);
}

static void test_errors(void)
{
	struct hash_cache *c = hash_cache_new(8, 10);
	const char *p = tmp_path("ten"), *q = tmp_path("eleven");
	const char *fifo = tmp_path("fifo");
	char out[HASH_TEXT_MAX];
	struct hash_id id, bad;

	CHECK(c != NULL);
	if (!c)
		return;
	write_file(p, "0123456789", 10);
	write_file(q, "0123456789a", 11);
	CHECK(hash_file(c, p, NULL, CONFIG_HASH_SHA1, out) == 0);
	CHECK(hash_file(c, q, NULL, CONFIG_HASH_SHA1, out) == -EFBIG);
	CHECK(out[0] == '\0');
	CHECK(hash_file(c, tmp_path("missing"), NULL, CONFIG_HASH_SHA1, out) ==
	      -ENOENT);

	/* The expected version, and each mismatch on its own. */
	id_of(p, &id);
	CHECK(hash_file(c, p, &id, CONFIG_HASH_SHA1, out) == 0);
	bad = id, bad.ino++;
	CHECK(hash_file(c, p, &bad, CONFIG_HASH_SHA1, out) == -ESTALE);
	bad = id, bad.dev++;
	CHECK(hash_file(c, p, &bad, CONFIG_HASH_SHA1, out) == -ESTALE);
	bad = id, bad.size--;
	CHECK(hash_file(c, p, &bad, CONFIG_HASH_SHA1, out) == -ESTALE);
	bad = id, bad.mtime_nsec ^= 1;
	CHECK(hash_file(c, p, &bad, CONFIG_HASH_SHA1, out) == -ESTALE);
	bad = id, bad.ctime_sec--;
	CHECK(hash_file(c, p, &bad, CONFIG_HASH_SHA1, out) == -ESTALE);
	CHECK(out[0] == '\0');
	/* Bigger than the limit by the kernel's size: not even opened. */
	bad = id, bad.size = 11;
	CHECK(hash_file(c, tmp_path("missing"), &bad, CONFIG_HASH_SHA1, out) ==
	      -EFBIG);
	/* The path now names another file: replaced by rename. */
	CHECK(rename(q, p) == 0);
	id.version = 7; /* not cached under this counter: reads the file */
	CHECK(hash_file(c, p, &id, CONFIG_HASH_SHA1, out) == -ESTALE);

	/* Not regular files; a FIFO must not block. */
	CHECK(hash_file(c, dir, NULL, CONFIG_HASH_SHA1, out) == -EINVAL);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(hash_file(c, fifo, NULL, CONFIG_HASH_SHA1, out) == -EINVAL);
	hash_cache_free(c);
}

/*
 * A version is hashed only while the file is that version; the cache
 * answers by version without touching the file, and keeps versions apart
 * even when the same inode is rewritten with content of the same size.
 */
static void test_identity(void)
{
	struct hash_cache *c = hash_cache_new(8, 0);
	const char *p = tmp_path("spoof"), *a = tmp_path("a-copy");
	char out[HASH_TEXT_MAX], want_a[HASH_TEXT_MAX], want_b[HASH_TEXT_MAX];
	struct hash_id id_a, id_b;
	uint64_t hits, misses;
	int fd;

	CHECK(c != NULL);
	if (!c)
		return;
	write_file(a, "AAAA", 4);
	expected(a, CONFIG_HASH_SHA256, want_a, sizeof(want_a));
	write_file(p, "BBBB", 4);
	expected(p, CONFIG_HASH_SHA256, want_b, sizeof(want_b));
	write_file(p, "AAAA", 4);
	id_of(p, &id_a);
	CHECK(hash_file(c, p, &id_a, CONFIG_HASH_SHA256, out) == 0);
	CHECK_STR(out, want_a);

	/* The same inode rewritten (same size): the old version is gone. */
	usleep(2000);
	fd = open(p, O_WRONLY);
	CHECK(fd >= 0 && write(fd, "BBBB", 4) == 4);
	close(fd);
	id_of(p, &id_b);
	CHECK(id_b.ino == id_a.ino && id_b.size == id_a.size);
	CHECK(id_b.ctime_sec != id_a.ctime_sec ||
	      id_b.ctime_nsec != id_a.ctime_nsec);
	CHECK(hash_file(c, p, &id_b, CONFIG_HASH_SHA256, out) == 0);
	CHECK_STR(out, want_b);
	/* Asked for version A again: the cache still knows A's bytes. */
	CHECK(hash_file(c, p, &id_a, CONFIG_HASH_SHA256, out) == 0);
	CHECK_STR(out, want_a);
	hash_cache_stats(c, &hits, &misses);
	CHECK(hits == 1 && misses == 2);
	/* A version never hashed is never answered with other bytes. */
	id_a.version = 2;
	CHECK(hash_file(c, p, &id_a, CONFIG_HASH_SHA256, out) == -ESTALE);
	CHECK(out[0] == '\0');

	/* By version, no I/O: the cache answers with the file gone. */
	CHECK(unlink(p) == 0);
	CHECK(hash_cache_get(c, &id_b, CONFIG_HASH_SHA256, out));
	CHECK_STR(out, want_b);
	CHECK(!hash_cache_get(c, &id_b, CONFIG_HASH_SHA1, out));
	/* A result from elsewhere (another thread's hash_file()). */
	hash_cache_put(c, &id_a, CONFIG_HASH_SHA1, "SHA1=00");
	CHECK(hash_cache_get(c, &id_a, CONFIG_HASH_SHA1, out));
	CHECK_STR(out, "SHA1=00");
	CHECK(hash_file(c, p, &id_a, CONFIG_HASH_SHA1, out) == 0);
	CHECK_STR(out, "SHA1=00");
	hash_cache_free(c);
}

/*
 * No digest at all (what FIPS does to MD5): asking for one is an error,
 * not a crash.  Changes the library default, so it runs last.
 */
static void test_no_digest(void)
{
	struct hash_cache *c;
	char out[HASH_TEXT_MAX];

	CHECK(EVP_set_default_properties(NULL, "fips=yes") == 1);
	c = hash_cache_new(4, 0);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK((hash_available(c) & CONFIG_HASH_MD5) == 0);
	CHECK(hash_file(c, tmp_path("hello"), NULL, ALL, out) == -ENOTSUP);
	CHECK(hash_file(c, tmp_path("hello"), NULL, CONFIG_HASH_MD5, out) ==
	      -ENOTSUP);
	hash_cache_free(c);
	EVP_set_default_properties(NULL, "");
}

int main(void)
{
	struct hash_cache *c;
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	c = hash_cache_new(64, 0);
	CHECK(c != NULL);
	if (c) {
		CHECK((hash_available(c) & CONFIG_HASH_SHA1) &&
		      (hash_available(c) & CONFIG_HASH_SHA256));
		test_against_tools(c);
		hash_cache_free(c);
	}
	test_cache();
	test_eviction();
	test_errors();
	test_identity();
	test_no_digest();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done("hash");
}
