/* SPDX-License-Identifier: MIT */
/*
 * bench/syscall_tax.c - the cost of syscalls a monitor has no reason to
 * watch: getppid() and a 1-byte read() of /dev/zero, in ns per call.
 *
 * usage: syscall_tax [N [ROUNDS]]     (default 200000 calls, 7 rounds)
 *
 * Each round times N back-to-back calls; the figure is the median round,
 * which shrugs off a round that a neighbour's burst landed on.  getppid()
 * goes through syscall() because some C libraries cache process ids.
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

#define MAX_ROUNDS 51

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double time_getppid_ns(long n)
{
	uint64_t t0 = bench_now_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (double)(bench_now_ns() - t0) / (double)n;
}

static double time_read_ns(int fd, long n)
{
	uint64_t t0 = bench_now_ns();
	char byte;

	for (long i = 0; i < n; i++) {
		if (read(fd, &byte, 1) != 1)
			return -1;
	}
	return (double)(bench_now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	long n = bench_arg_count(argc, argv, 1, 200000);
	long rounds = bench_arg_count(argc, argv, 2, 7);
	double getppid_ns[MAX_ROUNDS], read_ns[MAX_ROUNDS];
	struct bench_clock c;
	long r;
	int fd;

	if (n < 0 || rounds < 0 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: syscall_tax [N [ROUNDS<=%d]]\n",
			MAX_ROUNDS);
		return 1;
	}
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("syscall_tax: /dev/zero");
		return 1;
	}
	bench_start(&c);
	for (r = 0; r < rounds && !bench_past_deadline(&c); r++) {
		getppid_ns[r] = time_getppid_ns(n);
		read_ns[r] = time_read_ns(fd, n);
		if (read_ns[r] < 0) {
			perror("syscall_tax: read /dev/zero");
			close(fd);
			return 1;
		}
	}
	close(fd);
	printf("workload=syscall n=%ld rounds=%ld getppid_ns=%.1f "
	       "read_ns=%.1f\n",
	       n, r, median(getppid_ns, r), median(read_ns, r));
	return r < rounds ? 2 : 0;
}
