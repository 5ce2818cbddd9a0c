/* SPDX-License-Identifier: MIT */
/*
 * bench/connect_loop.c - N TCP connections over loopback: connect to a
 * listener on 127.0.0.1 (ephemeral port), accept, close both ends.
 *
 * usage: connect_loop [N]     (default 20000)
 *
 * The client closes with SO_LINGER {1, 0} (a reset), so no connection is
 * left in TIME_WAIT: runs back to back never exhaust the ephemeral ports
 * and each run starts from the same state.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

static int listen_loopback(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	addr->sin_family = AF_INET;
	addr->sin_port = 0;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0 ||
	    listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_once(int lfd, const struct sockaddr_in *addr)
{
	struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
	int cfd, afd;

	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0)
		return -1;
	if (connect(cfd, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
		close(cfd);
		return -1;
	}
	afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (afd < 0) {
		close(cfd);
		return -1;
	}
	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &abort_close,
		   sizeof(abort_close));
	close(cfd);
	close(afd);
	return 0;
}

int main(int argc, char **argv)
{
	long want = bench_arg_count(argc, argv, 1, 20000);
	struct sockaddr_in addr;
	struct bench_clock c;
	int lfd;
	long n;

	if (want < 0) {
		fprintf(stderr, "usage: connect_loop [N]\n");
		return 1;
	}
	lfd = listen_loopback(&addr);
	if (lfd < 0) {
		perror("connect_loop: listen on 127.0.0.1");
		return 1;
	}
	bench_start(&c);
	for (n = 0; n < want && !bench_past_deadline(&c); n++) {
		if (connect_once(lfd, &addr) < 0) {
			perror("connect_loop: connect");
			close(lfd);
			return 1;
		}
	}
	close(lfd);
	return bench_report(&c, "connect", n, want);
}
