/* SPDX-License-Identifier: MIT */
/*
 * Unit test for util/file.c: bounded whole-file reads (empty, exact
 * limit, one byte over, directories, FIFOs, missing files), cut reads of
 * a file's head, atomic
 * writes and copies (content, exact mode, no temporary left behind, the
 * old file kept when the write cannot happen) and mkdir -p.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/buf.h"
#include "util/file.h"

static char dir[] = "/tmp/vigil-file-XXXXXX";

/* dir/name in one of two rotating buffers, so a call can take two. */
static const char *at(const char *name)
{
	static char path[2][PATH_MAX];
	static int next;

	next = !next;
	snprintf(path[next], sizeof(path[next]), "%s/%s", dir, name);
	return path[next];
}

static int put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Entries of dir other than . and .. */
static int count_entries(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_read(void)
{
	struct buf b;

	CHECK(put("hello", "hello\n") == 0);
	buf_init(&b, 0);
	CHECK(file_read_all(at("hello"), 6, &b) == 0);
	CHECK(b.len == 6 && strcmp(b.data, "hello\n") == 0);
	buf_release(&b);

	buf_init(&b, 0);
	CHECK(file_read_all(at("hello"), 5, &b) == -EFBIG);
	buf_release(&b);

	CHECK(put("empty", "") == 0);
	buf_init(&b, 0);
	CHECK(file_read_all(at("empty"), 10, &b) == 0);
	CHECK(b.len == 0 && b.data && b.data[0] == '\0');
	buf_release(&b);

	buf_init(&b, 0);
	CHECK(file_read_all(at("missing"), 10, &b) == -ENOENT);
	CHECK(file_read_all(dir, 10, &b) == -EISDIR);
	CHECK(mkfifo(at("fifo"), 0600) == 0);
	/* Refused without waiting for a writer. */
	CHECK(file_read_all(at("fifo"), 10, &b) == -EINVAL);
	CHECK(b.len == 0);
	buf_release(&b);
	unlink(at("fifo"));

	/* /proc files say size 0 but have content. */
	buf_init(&b, 0);
	CHECK(file_read_all("/proc/self/stat", 4096, &b) == 0 && b.len > 0);
	buf_release(&b);
}

static void test_read_head(void)
{
	char small[4], big[64];

	CHECK(put("head", "abcdefgh") == 0);
	CHECK(file_read_head(at("head"), small, sizeof(small)) == 3);
	CHECK_STR(small, "abc");
	CHECK(file_read_head(at("head"), big, sizeof(big)) == 8);
	CHECK_STR(big, "abcdefgh");
	CHECK(file_read_head(at("head"), small, 1) == 0 && small[0] == '\0');
	CHECK(file_read_head(at("missing"), big, sizeof(big)) == -ENOENT);
	CHECK(big[0] == '\0');
	CHECK(file_read_head(dir, big, sizeof(big)) == -EISDIR);
	/* /proc/self/cmdline: NUL-separated, size 0 in stat. */
	CHECK(file_read_head("/proc/self/cmdline", big, sizeof(big)) > 0);
	unlink(at("head"));
}

static void test_write(void)
{
	struct stat st;
	struct buf b;

	CHECK(file_write_atomic(at("w"), "one", 3, 0600) == 0);
	CHECK(stat(at("w"), &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(file_write_atomic(at("w"), "two!", 4, 0644) == 0);
	CHECK(stat(at("w"), &st) == 0 && (st.st_mode & 07777) == 0644);
	buf_init(&b, 0);
	CHECK(file_read_all(at("w"), 100, &b) == 0);
	CHECK(b.len == 4 && strcmp(b.data, "two!") == 0);
	buf_release(&b);

	/* Into a folder that does not exist: an error, nothing written. */
	CHECK(file_write_atomic(at("no/such/w"), "x", 1, 0600) == -ENOENT);

	CHECK(file_copy_atomic(at("w"), at("c"), 0640) == 0);
	CHECK(stat(at("c"), &st) == 0 && (st.st_mode & 07777) == 0640);
	buf_init(&b, 0);
	CHECK(file_read_all(at("c"), 100, &b) == 0);
	CHECK(b.len == 4 && strcmp(b.data, "two!") == 0);
	buf_release(&b);
	CHECK(file_copy_atomic(at("missing"), at("c"), 0640) == -ENOENT);
	CHECK(stat(at("c"), &st) == 0 && st.st_size == 4);
	unlink(at("w"));
	unlink(at("c"));
}

static void test_mkdir(void)
{
	struct stat st;

	CHECK(file_mkdir_p(at("a/b/c"), 0700) == 0);
	CHECK(stat(at("a/b/c"), &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 0777) == (0700 & ~(mode_t)022 & 0777));
	CHECK(file_mkdir_p(at("a/b/c"), 0700) == 0); /* exists: fine */
	CHECK(file_mkdir_parent(at("p/q/file"), 0755) == 0);
	CHECK(stat(at("p/q"), &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(stat(at("p/q/file"), &st) < 0);
	CHECK(file_mkdir_parent("relative", 0755) == 0);
	CHECK(put("plain", "x") == 0);
	CHECK(file_mkdir_p(at("plain/sub"), 0755) == -ENOTDIR);
	rmdir(at("a/b/c"));
	rmdir(at("a/b"));
	rmdir(at("a"));
	rmdir(at("p/q"));
	rmdir(at("p"));
}

int main(void)
{
	umask(022);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_read();
	test_read_head();
	test_write();
	test_mkdir();
	unlink(at("hello"));
	unlink(at("empty"));
	unlink(at("plain"));
	/* No temporary file is ever left behind. */
	CHECK(count_entries(dir) == 0);
	rmdir(dir);
	return tap_done("file");
}
