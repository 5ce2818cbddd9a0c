/* SPDX-License-Identifier: MIT */
/*
 * fexec - test helper: run a program that no path names, as fileless
 * malware does.
 *
 *   fexec memfd NAME FILE ARGS...   copy FILE into memfd_create(NAME) and
 *                                   fexecve() it with ARGS as argv
 *   fexec deleted FILE ARGS...      open FILE, unlink it, fexecve() it
 *
 * /proc/PID/exe then shows "/memfd:NAME (deleted)" or "FILE (deleted)".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int copy_into_memfd(const char *name, const char *file)
{
	int in = open(file, O_RDONLY | O_CLOEXEC);
	int fd = memfd_create(name, MFD_CLOEXEC);
	struct stat st;
	off_t off = 0;

	if (in < 0 || fd < 0 || fstat(in, &st) < 0)
		return -1;
	while (off < st.st_size)
		if (sendfile(fd, in, &off, (size_t)(st.st_size - off)) <= 0)
			return -1;
	close(in);
	return fd;
}

int main(int argc, char **argv)
{
	int fd;
	char **args;

	if (argc >= 5 && strcmp(argv[1], "memfd") == 0) {
		fd = copy_into_memfd(argv[2], argv[3]);
		args = argv + 4;
	} else if (argc >= 4 && strcmp(argv[1], "deleted") == 0) {
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && unlink(argv[2]) < 0)
			fd = -1;
		args = argv + 3;
	} else {
		fprintf(stderr, "usage: fexec memfd NAME FILE ARGS...\n"
				"       fexec deleted FILE ARGS...\n");
		return 2;
	}
	if (fd < 0) {
		fprintf(stderr, "fexec: %s\n", strerror(errno));
		return 1;
	}
	fexecve(fd, args, environ);
	fprintf(stderr, "fexec: fexecve: %s\n", strerror(errno));
	return 1;
}
