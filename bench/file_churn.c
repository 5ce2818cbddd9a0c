/* SPDX-License-Identifier: MIT */
/*
 * bench/file_churn.c - N times: create a new file, write 64 bytes, close
 * it, delete it.  The file-creation and file-deletion workload.
 *
 * usage: file_churn [N [DIR]]     (default 20000 in a fresh /tmp folder)
 *
 * Every name is new (O_CREAT|O_EXCL), so each open really creates a file.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static int churn_once(int dfd, long i)
{
	static const char data[64] = "vigil bench file churn payload";
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "f%ld", i);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data)) {
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return -1;
	return unlinkat(dfd, name, 0);
}

int main(int argc, char **argv)
{
	long want = bench_arg_count(argc, argv, 1, 20000);
	char tmp[] = "/tmp/vigil-churn.XXXXXX";
	const char *dir = argc > 2 ? argv[2] : NULL;
	struct bench_clock c;
	int dfd, rc;
	long n;

	if (want < 0) {
		fprintf(stderr, "usage: file_churn [N [DIR]]\n");
		return 1;
	}
	if (!dir) {
		dir = mkdtemp(tmp);
		if (!dir) {
			perror("file_churn: mkdtemp");
			return 1;
		}
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		perror("file_churn: open folder");
		return 1;
	}
	bench_start(&c);
	for (n = 0; n < want && !bench_past_deadline(&c); n++) {
		if (churn_once(dfd, n) < 0) {
			perror("file_churn");
			close(dfd);
			return 1;
		}
	}
	rc = bench_report(&c, "file", n, want);
	close(dfd);
	if (dir == tmp)
		rmdir(tmp);
	return rc;
}
