/* SPDX-License-Identifier: MIT */
/*
 * nettool - test helper for the network events: TCP and UDP ends over
 * IPv4 or IPv6, io_uring connects, connection loops.  Every mode prints
 * "pid=P local=PORT" lines the tests compare events with.
 *
 *   nettool listen ADDR PORTFILE [N]     accept N (1) connections
 *   nettool connect ADDR PORT [N]        connect N (1) times
 *   nettool uring-connect ADDR PORT      one connect through io_uring
 *   nettool uring-listen ADDR PORTFILE   one accept through io_uring
 *   nettool loop N                       N connects+accepts on 127.0.0.1
 *   nettool udp-recv ADDR PORTFILE N     receive N datagrams, answer each
 *   nettool udp-send ADDR PORT N [c]     send N datagrams from one socket
 *                                        (c: connect() first, then send())
 *   nettool udp-mmsg ADDR PORT N         N datagrams in one sendmmsg()
 *
 * ADDR is numeric; an IPv4 address on an AF_INET6 socket is written
 * ::ffff:a.b.c.d.  PORTFILE gets the bound port once listening; the port
 * is the kernel's choice, or $NETTOOL_PORT when set.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int parse_addr(const char *text, uint16_t port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return AF_INET6;
	}
	fprintf(stderr, "nettool: bad address %s\n", text);
	exit(2);
}

static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void write_port(const char *path, uint16_t port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		perror("nettool: port file");
		exit(1);
	}
}

static int bound_socket(const char *addr, int type, uint16_t *port)
{
	const char *want = getenv("NETTOOL_PORT");
	struct sockaddr_storage ss;
	socklen_t len;
	int family =
		parse_addr(addr, want ? (uint16_t)atoi(want) : 0, &ss, &len);
	int fd = socket(family, type | SOCK_CLOEXEC, 0), on = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("nettool: bind");
		exit(1);
	}
	if (type == SOCK_STREAM && listen(fd, 128) < 0) {
		perror("nettool: listen");
		exit(1);
	}
	*port = local_port(fd);
	return fd;
}

static int do_listen(const char *addr, const char *portfile, long n)
{
	uint16_t port;
	int fd = bound_socket(addr, SOCK_STREAM, &port);
	char buf[256];

	printf("pid=%d listen=%u\n", (int)getpid(), port);
	fflush(stdout);
	write_port(portfile, port);
	for (long i = 0; i < n; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			perror("nettool: accept");
			return 1;
		}
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
	close(fd);
	return 0;
}

static int do_connect(const char *addr, uint16_t port, long n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = parse_addr(addr, port, &ss, &len);

	for (long i = 0; i < n; i++) {
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
			printf("pid=%d connect=%s\n", (int)getpid(),
			       strerror(errno));
			return 1;
		}
		printf("pid=%d local=%u\n", (int)getpid(), local_port(fd));
		close(fd);
	}
	return 0;
}

/* ---- io_uring, raw: one submission, one completion ---------------------- */

struct uring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int uring_open(struct uring *u)
{
	struct io_uring_params p = { 0 };
	size_t sq_len, cq_len;
	char *sq, *cq;

	u->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (u->fd < 0)
		return -1;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd,
		  IORING_OFF_CQ_RING);
	u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED, u->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || u->sqes == MAP_FAILED)
		return -1;
	u->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	u->sq_array = (unsigned *)(sq + p.sq_off.array);
	u->cq_head = (unsigned *)(cq + p.cq_off.head);
	u->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submit sqe and wait for its completion: the op's result. */
static int uring_run(struct uring *u, const struct io_uring_sqe *sqe)
{
	unsigned tail = *u->sq_tail, head;
	int res;

	u->sqes[tail & *u->sq_mask] = *sqe;
	u->sq_array[tail & *u->sq_mask] = tail & *u->sq_mask;
	__atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -errno;
	head = __atomic_load_n(u->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = u->cqes[head & *u->cq_mask].res;
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static int do_uring_connect(const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = parse_addr(addr, port, &ss, &len);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct io_uring_sqe sqe = { 0 };
	struct uring u;
	int r;

	if (fd < 0 || uring_open(&u) < 0) {
		perror("nettool: io_uring");
		return 1;
	}
	sqe.opcode = IORING_OP_CONNECT;
	sqe.fd = fd;
	sqe.addr = (uint64_t)(uintptr_t)&ss;
	sqe.off = len;
	r = uring_run(&u, &sqe);
	if (r < 0) {
		printf("pid=%d connect=%s\n", (int)getpid(), strerror(-r));
		return 1;
	}
	printf("pid=%d local=%u\n", (int)getpid(), local_port(fd));
	close(fd);
	return 0;
}

static int do_uring_listen(const char *addr, const char *portfile)
{
	uint16_t port;
	int fd = bound_socket(addr, SOCK_STREAM, &port);
	struct io_uring_sqe sqe = { 0 };
	struct uring u;
	int c;

	if (uring_open(&u) < 0) {
		perror("nettool: io_uring");
		return 1;
	}
	printf("pid=%d listen=%u\n", (int)getpid(), port);
	fflush(stdout);
	write_port(portfile, port);
	sqe.opcode = IORING_OP_ACCEPT;
	sqe.fd = fd;
	c = uring_run(&u, &sqe);
	if (c < 0) {
		fprintf(stderr, "nettool: io_uring accept: %s\n", strerror(-c));
		return 1;
	}
	close(c);
	return 0;
}

/* ---- loops ----------------------------------------------------------------- */

static int do_loop(long n)
{
	struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t port;
	int lfd;

	unsetenv("NETTOOL_PORT");
	lfd = bound_socket("127.0.0.1", SOCK_STREAM, &port);
	parse_addr("127.0.0.1", port, &ss, &len);
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

		if (c < 0 || connect(c, (struct sockaddr *)&ss, len) < 0) {
			perror("nettool: connect");
			return 1;
		}
		a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0) {
			perror("nettool: accept");
			return 1;
		}
		/* A reset: no TIME_WAIT left to exhaust the ports. */
		setsockopt(c, SOL_SOCKET, SO_LINGER, &abort_close,
			   sizeof(abort_close));
		close(c);
		close(a);
	}
	printf("pid=%d listen=%u\n", (int)getpid(), port);
	return 0;
}

static int do_udp_recv(const char *addr, const char *portfile, long n)
{
	uint16_t port;
	int fd = bound_socket(addr, SOCK_DGRAM, &port);
	char buf[2048];

	printf("pid=%d listen=%u\n", (int)getpid(), port);
	fflush(stdout);
	write_port(portfile, port);
	for (long i = 0; i < n; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t k = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);

		if (k < 0) {
			perror("nettool: recvfrom");
			return 1;
		}
		sendto(fd, buf, (size_t)k, 0, (struct sockaddr *)&from, flen);
	}
	close(fd);
	return 0;
}

static int do_udp_send(const char *addr, uint16_t port, long n,
		       bool is_connected)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = parse_addr(addr, port, &ss, &len);
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char buf[64];

	if (fd < 0)
		return 1;
	if (is_connected && connect(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("nettool: connect");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		ssize_t k = is_connected ? send(fd, "ping", 4, 0)
					 : sendto(fd, "ping", 4, 0,
						  (struct sockaddr *)&ss, len);

		if (k < 0) {
			perror("nettool: send");
			return 1;
		}
		if (recv(fd, buf, sizeof(buf), 0) < 0) {
			perror("nettool: recv");
			return 1;
		}
	}
	printf("pid=%d local=%u\n", (int)getpid(), local_port(fd));
	close(fd);
	return 0;
}

static int do_udp_mmsg(const char *addr, uint16_t port, long n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = parse_addr(addr, port, &ss, &len);
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct mmsghdr msgs[16];
	struct iovec iov = { .iov_base = "ping", .iov_len = 4 };
	char buf[64];

	if (fd < 0 || n < 1 || n > 16)
		return 1;
	memset(msgs, 0, sizeof(msgs));
	for (long i = 0; i < n; i++) {
		msgs[i].msg_hdr.msg_name = &ss;
		msgs[i].msg_hdr.msg_namelen = len;
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	if (sendmmsg(fd, msgs, (unsigned)n, 0) != n) {
		perror("nettool: sendmmsg");
		return 1;
	}
	for (long i = 0; i < n; i++)
		if (recv(fd, buf, sizeof(buf), 0) < 0)
			return 1;
	printf("pid=%d local=%u\n", (int)getpid(), local_port(fd));
	close(fd);
	return 0;
}

static long count_arg(int argc, char **argv, int i, long dflt)
{
	return argc > i ? strtol(argv[i], NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "listen") == 0 && argc >= 4)
		return do_listen(argv[2], argv[3], count_arg(argc, argv, 4, 1));
	if (strcmp(mode, "connect") == 0 && argc >= 4)
		return do_connect(argv[2], (uint16_t)atoi(argv[3]),
				  count_arg(argc, argv, 4, 1));
	if (strcmp(mode, "uring-connect") == 0 && argc == 4)
		return do_uring_connect(argv[2], (uint16_t)atoi(argv[3]));
	if (strcmp(mode, "uring-listen") == 0 && argc == 4)
		return do_uring_listen(argv[2], argv[3]);
	if (strcmp(mode, "loop") == 0 && argc == 3)
		return do_loop(count_arg(argc, argv, 2, 1));
	if (strcmp(mode, "udp-recv") == 0 && argc == 5)
		return do_udp_recv(argv[2], argv[3],
				   count_arg(argc, argv, 4, 1));
	if (strcmp(mode, "udp-send") == 0 && argc >= 5)
		return do_udp_send(argv[2], (uint16_t)atoi(argv[3]),
				   count_arg(argc, argv, 4, 1),
				   argc > 5 && argv[5][0] == 'c');
	if (strcmp(mode, "udp-mmsg") == 0 && argc == 5)
		return do_udp_mmsg(argv[2], (uint16_t)atoi(argv[3]),
				   count_arg(argc, argv, 4, 1));
	fprintf(stderr, "usage: see the comment at the top of nettool.c\n");
	return 2;
}
