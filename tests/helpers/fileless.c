/* SPDX-License-Identifier: MIT */
/*
 * fileless - run a program from a file that has no name, for event 25's
 * test (tests/integration/45-integrity.sh).
 *
 *   fileless memfd PROGRAM [ARG...]    copy into a memfd_create() file
 *   fileless deleted PROGRAM [ARG...]  copy into a file, unlink it
 *
 * then fexecve() the copy with argv PROGRAM ARG...  Exits 1 on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int copy(int from, int to)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (write(to, buf, (size_t)n) != n)
			return -1;
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/vigil-fileless-XXXXXX";
	int in, fd;

	if (argc < 3) {
		fprintf(stderr,
			"usage: fileless memfd|deleted PROGRAM [ARG...]\n");
		return 2;
	}
	in = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		perror(argv[2]);
		return 1;
	}
	if (strcmp(argv[1], "memfd") == 0) {
		fd = memfd_create("vigil-fileless", MFD_CLOEXEC);
	} else if (strcmp(argv[1], "deleted") == 0) {
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0 && fchmod(fd, 0700) < 0)
			fd = -1;
	} else {
		fprintf(stderr, "fileless: unknown kind %s\n", argv[1]);
		return 2;
	}
	if (fd < 0 || copy(in, fd) < 0) {
		perror("fileless: copy");
		return 1;
	}
	if (strcmp(argv[1], "deleted") == 0) {
		/* Reopen read-only: exec refuses a file open for writing. */
		int ro = open(path, O_RDONLY | O_CLOEXEC);

		unlink(path);
		close(fd);
		fd = ro;
	}
	fexecve(fd, argv + 2, environ);
	fprintf(stderr, "fileless: fexecve: %s\n", strerror(errno));
	return 1;
}
