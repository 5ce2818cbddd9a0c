/* SPDX-License-Identifier: MIT */
/*
 * bench/udp_loop.c - N UDP datagrams over loopback: one socket sends a
 * 32-byte datagram to another on 127.0.0.1, which receives it, N times.
 *
 * usage: udp_loop [N]     (default 200000)
 *
 * One flow each way, so a monitor logging UDP flows logs two events and
 * the figure is what every datagram pays for being watched (the hooks on
 * the way out and in); a monitor that hooks sendto() or recvfrom() pays
 * per call.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

static int bound_socket(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	addr->sin_family = AF_INET;
	addr->sin_port = 0;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)addr, &len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	long want = bench_arg_count(argc, argv, 1, 200000);
	struct sockaddr_in to, from;
	char buf[32] = "vigil-bench";
	struct bench_clock c;
	int rx, tx;
	long n;

	if (want < 0) {
		fprintf(stderr, "usage: udp_loop [N]\n");
		return 1;
	}
	rx = bound_socket(&to);
	tx = bound_socket(&from);
	if (rx < 0 || tx < 0) {
		perror("udp_loop: socket on 127.0.0.1");
		return 1;
	}
	bench_start(&c);
	for (n = 0; n < want && !bench_past_deadline(&c); n++) {
		if (sendto(tx, buf, sizeof(buf), 0, (struct sockaddr *)&to,
			   sizeof(to)) != sizeof(buf) ||
		    recv(rx, buf, sizeof(buf), 0) != sizeof(buf)) {
			perror("udp_loop: send/receive");
			return 1;
		}
	}
	close(rx);
	close(tx);
	return bench_report(&c, "udp", n, want);
}
