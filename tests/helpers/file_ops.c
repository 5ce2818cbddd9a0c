/* SPDX-License-Identifier: MIT */
/*
 * file_ops - test helper: file operations the shell's tools do not make.
 *
 *   file_ops openat2 DIR NAME       create DIR/NAME with openat2(2)
 *   file_ops uring-open DIR NAME    create DIR/NAME via io_uring OPENAT
 *   file_ops uring-unlink DIR NAME  delete DIR/NAME via io_uring UNLINKAT
 *   file_ops churn N DIR            N times: create DIR/fI, write 64 bytes,
 *                                   close, unlink (as bench/file_churn)
 *
 * io_uring through the raw syscalls (no liburing on the build host).
 * Exits 0 when every operation succeeded.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int dir_fd(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		perror(dir);
	return fd;
}

static int do_openat2(const char *dir, const char *name)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		.mode = 0644,
	};
	int dfd = dir_fd(dir), fd;

	if (dfd < 0)
		return 1;
	fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
	if (fd < 0) {
		perror("openat2");
		return 1;
	}
	close(fd);
	close(dfd);
	return 0;
}

/* One io_uring operation, submitted and waited for: its result. */
static int uring_one(const struct io_uring_sqe *want)
{
	struct io_uring_params p = { 0 };
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	size_t sq_len, cq_len;
	void *sq, *cq;
	int fd, res;

	fd = (int)syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0) {
		perror("io_uring_setup");
		return -errno;
	}
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		perror("mmap");
		return -ENOMEM;
	}
	sq_tail = (unsigned *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned *)((char *)cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);

	sqes[0] = *want;
	sq_array[*sq_tail & *sq_mask] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL,
		    0) < 0) {
		perror("io_uring_enter");
		return -errno;
	}
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head)
		return -EAGAIN;
	res = cqes[*cq_head & *cq_mask].res;
	__atomic_store_n(cq_head, *cq_head + 1, __ATOMIC_RELEASE);
	close(fd);
	return res;
}

static int do_uring(const char *op, const char *dir, const char *name)
{
	struct io_uring_sqe sqe;
	int dfd = dir_fd(dir), res;

	if (dfd < 0)
		return 1;
	memset(&sqe, 0, sizeof(sqe));
	sqe.fd = dfd;
	sqe.addr = (unsigned long)name;
	if (strcmp(op, "uring-open") == 0) {
		sqe.opcode = IORING_OP_OPENAT;
		sqe.open_flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
		sqe.len = 0644;
	} else {
		sqe.opcode = IORING_OP_UNLINKAT;
	}
	res = uring_one(&sqe);
	if (res < 0) {
		fprintf(stderr, "%s: %s\n", op, strerror(-res));
		return 1;
	}
	if (sqe.opcode == IORING_OP_OPENAT)
		close(res);
	close(dfd);
	return 0;
}

static int do_churn(long n, const char *dir)
{
	static const char data[64] = "vigil test file churn payload";
	int dfd = dir_fd(dir);
	char name[32];

	if (dfd < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		int fd;

		snprintf(name, sizeof(name), "f%ld", i);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0600);
		if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data) ||
		    close(fd) < 0 || unlinkat(dfd, name, 0) < 0) {
			perror(name);
			return 1;
		}
	}
	close(dfd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "openat2") == 0)
		return do_openat2(argv[2], argv[3]);
	if (argc == 4 && (strcmp(argv[1], "uring-open") == 0 ||
			  strcmp(argv[1], "uring-unlink") == 0))
		return do_uring(argv[1], argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "churn") == 0)
		return do_churn(strtol(argv[2], NULL, 10), argv[3]);
	fprintf(stderr, "usage: file_ops openat2|uring-open|uring-unlink DIR "
			"NAME | churn N DIR\n");
	return 2;
}
