/* SPDX-License-Identifier: MIT */
/*
 * content_test - the content module without root: what looks executable,
 * the held-file ring (lookup, rename, eviction when full and by age),
 * taking a deleted file's content, the archive (byte-identical, named
 * after its hash, refused in a folder others can read), and event 29's
 * chmod rule.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/content.h"
#include "tap.h"

static char dir[64];

static void write_file(const char *name, const char *text, mode_t mode,
		       char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	chmod(path, mode);
}

static void test_looks_executable(void)
{
	unsigned char elf[18] = { 0x7f, 'E', 'L', 'F', 2, 1 };

	elf[16] = 2; /* ET_EXEC, little-endian */
	CHECK(content_looks_executable(elf, sizeof(elf), 0644));
	elf[16] = 3; /* ET_DYN */
	CHECK(content_looks_executable(elf, sizeof(elf), 0));
	elf[16] = 1; /* ET_REL: an object file */
	CHECK(!content_looks_executable(elf, sizeof(elf), 0755));
	elf[5] = 2; /* big-endian: e_type in byte 17 */
	elf[16] = 0;
	elf[17] = 2;
	CHECK(content_looks_executable(elf, sizeof(elf), 0644));
	CHECK(!content_looks_executable(elf, 4, 0755)); /* too short */
	CHECK(content_looks_executable((const unsigned char *)"#!/bin/sh", 9,
				       0700));
	CHECK(content_looks_executable((const unsigned char *)"#!", 2, 0001));
	CHECK(!content_looks_executable((const unsigned char *)"#!/bin/sh", 9,
					0644));
	CHECK(!content_looks_executable((const unsigned char *)"echo", 4,
					0755));
}

static struct content *new_content(size_t max_held, uint64_t hold_ns)
{
	struct content_limits l = {
		.max_held = max_held,
		.hold_ns = hold_ns,
		.max_bytes = 1 << 20,
	};
	struct content *c = content_new(&l);
	char arch[96];

	snprintf(arch, sizeof(arch), "%s/archive", dir);
	CHECK(c != NULL);
	CHECK(content_set_archive(c, arch) == 0);
	CHECK(content_is_archiving(c));
	return c;
}

static void test_held(void)
{
	struct content *c = new_content(4, 1000);
	char p[6][96], q[96];
	struct content_file f;

	for (int i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof(name), "h%d", i);
		write_file(name, name, 0644, p[i], sizeof(p[i]));
		content_hold(c, p[i], 0, 0, 10 + (uint64_t)i);
	}
	/* Four at most: the two oldest were let go. */
	CHECK(content_held_count(c) == 4);
	CHECK(content_take(c, p[0], 0, &f) == -ENOENT && f.fd < 0);
	content_file_release(&f);
	CHECK(content_take(c, p[1], 0, &f) == -ENOENT);
	content_file_release(&f);
	/* Deleted, and still readable through what is held. */
	unlink(p[2]);
	CHECK(content_take(c, p[2], HASH_SHA256, &f) == 0 && f.fd >= 0);
	CHECK(strncmp(f.hashes, "SHA256=", 7) == 0);
	CHECK(!f.is_executable);
	content_file_release(&f);
	CHECK(content_held_count(c) == 3);
	/* A rename carries what is held to the new name. */
	snprintf(q, sizeof(q), "%s/renamed", dir);
	rename(p[3], q);
	content_rename(c, p[3], q);
	CHECK(content_take(c, p[3], 0, &f) == -ENOENT);
	content_file_release(&f);
	CHECK(content_take(c, q, 0, &f) == 0);
	content_file_release(&f);
	/* Held too long: let go at the next hold. */
	content_hold(c, p[0], 0, 0, 5000);
	CHECK(content_held_count(c) == 1);
	/* Another inode than the one created: not held. */
	content_hold(c, p[1], 1, 1, 5001);
	CHECK(content_held_count(c) == 1);
	/* Archiving off lets everything go. */
	CHECK(content_set_archive(c, NULL) == 0);
	CHECK(content_held_count(c) == 0 && !content_is_archiving(c));
	content_hold(c, p[1], 0, 0, 5002);
	CHECK(content_held_count(c) == 0);
	content_free(c);
}

static void test_archive(void)
{
	struct content *c = new_content(8, 1000000);
	char p[96], name[HASH_TEXT_MAX + 16], copy[256], buf[64];
	struct content_file f;
	struct stat st;
	ssize_t n;
	int fd;

	write_file("drop.sh", "#!/bin/sh\necho dropped\n", 0755, p, sizeof(p));
	content_hold(c, p, 0, 0, 1);
	unlink(p);
	CHECK(content_take(c, p, HASH_SHA256, &f) == 0);
	CHECK(f.is_executable);
	CHECK(content_archive(c, &f, p, HASH_SHA256, name, sizeof(name)) == 0);
	CHECK(strncmp(name, "SHA256=", 7) == 0);
	CHECK(strcmp(name + strlen(name) - 3, ".sh") == 0);
	CHECK(strncmp(name, f.hashes, strlen(f.hashes)) == 0);
	snprintf(copy, sizeof(copy), "%s/archive/%s", dir, name);
	fd = open(copy, O_RDONLY);
	CHECK(fd >= 0);
	n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	CHECK(n == 23 && memcmp(buf, "#!/bin/sh\necho dropped\n", 23) == 0);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0400);
	if (fd >= 0)
		close(fd);
	/* The same content again: same name, no error. */
	CHECK(content_archive(c, &f, p, HASH_SHA256, name, sizeof(name)) == 0);
	content_file_release(&f);
	/* Nothing held: nothing to archive. */
	CHECK(content_archive(c, &f, p, HASH_SHA256, name, sizeof(name)) ==
	      -ENOENT);
	content_free(c);
}

static void test_archive_dir_private(void)
{
	struct content_limits l = { .max_held = 1, .hold_ns = 1 };
	struct content *c = content_new(&l);
	char open_dir[96];

	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	mkdir(open_dir, 0755);
	chmod(open_dir, 0755);
	CHECK(content_set_archive(c, open_dir) == -EPERM);
	CHECK(!content_is_archiving(c));
	CHECK(content_set_archive(c, "relative") == -EINVAL);
	content_free(c);
}

static void test_executable(void)
{
	struct content *c = new_content(1, 1);
	char script[96], old[96], data[96], hashes[HASH_TEXT_MAX];
	struct stat st;

	/* Written without an exec bit, then given one: counts at the chmod,
	 * once. */
	write_file("s.sh", "#!/bin/sh\n", 0644, script, sizeof(script));
	stat(script, &st);
	content_written(c, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
			st.st_mode);
	CHECK(content_executable(c, script, 0, 0, false, HASH_SHA256, hashes) ==
	      0);
	chmod(script, 0755);
	CHECK(content_executable(c, script, 0, 0, true, HASH_SHA256, hashes) ==
	      1);
	CHECK(strncmp(hashes, "SHA256=", 7) == 0);
	CHECK(content_executable(c, script, 0, 0, true, 0, hashes) == 0);
	/* A script vigil did not see written: no. */
	write_file("old.sh", "#!/bin/sh\n", 0755, old, sizeof(old));
	CHECK(content_executable(c, old, 0, 0, true, 0, hashes) == 0);
	/* At its close a script with an exec bit counts. */
	CHECK(content_executable(c, old, 0, 0, false, 0, hashes) == 1);
	/* Data given the exec bit: no. */
	write_file("data", "text", 0644, data, sizeof(data));
	stat(data, &st);
	content_written(c, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
			st.st_mode);
	chmod(data, 0755);
	CHECK(content_executable(c, data, 0, 0, true, 0, hashes) == 0);
	CHECK(content_executable(c, "/nonexistent/x", 0, 0, false, 0, hashes) ==
	      -ENOENT);
	content_free(c);
}

/* What content_written() remembers: a file, until it is forgotten or
 * pushed out by many newer ones; files given an exec bit at creation are
 * not remembered. */
static void test_written_sets(void)
{
	struct content *c = new_content(1, 1);

	content_written(c, 8, 100, 0644);
	CHECK(content_forget_written(c, 8, 100));
	CHECK(!content_forget_written(c, 8, 100));
	content_written(c, 8, 101, 0755);
	CHECK(!content_forget_written(c, 8, 101));
	content_written(c, 8, 0, 0644);
	CHECK(!content_forget_written(c, 8, 0));
	/* The same inode on another device is another file. */
	content_written(c, 8, 102, 0644);
	CHECK(!content_forget_written(c, 9, 102));
	/* Written twice: remembered once. */
	content_written(c, 8, 102, 0644);
	CHECK(content_forget_written(c, 8, 102));
	CHECK(!content_forget_written(c, 8, 102));
	/* The last ones are remembered (the last 4 always: no set holds
	 * more of them), the oldest of many forgotten. */
	content_written(c, 8, 103, 0644);
	for (uint64_t i = 0; i < 100000; i++)
		content_written(c, 8, 1000 + i, 0600);
	CHECK(!content_forget_written(c, 8, 103));
	for (uint64_t i = 100000 - 4; i < 100000; i++)
		CHECK(content_forget_written(c, 8, 1000 + i));
	{
		unsigned kept = 0;

		for (uint64_t i = 100000 - 256; i < 100000 - 4; i++)
			kept += content_forget_written(c, 8, 1000 + i);
		CHECK(kept >= 128);
	}
	content_free(c);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/vigil-content.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_looks_executable();
	test_held();
	test_archive();
	test_archive_dir_private();
	test_executable();
	test_written_sets();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_failed++;
	return tap_done("content_test");
}
