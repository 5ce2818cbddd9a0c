/* SPDX-License-Identifier: MIT */
/*
 * bench/bench.h - what every workload program shares: clocks, argument
 * parsing and the one-line "key=value" report that bench/run.sh reads.
 *
 * A workload prints one line on standard output, e.g.
 *   workload=exec n=5000 wall_s=1.234567 cpu_s=0.987654 user_s=... sys_s=...
 * and exits 0, or prints a reason on standard error and exits 1.  Every
 * loop stops at its count or at BENCH_DEADLINE_S, whichever comes first;
 * a run cut short by the deadline exits 2 after reporting what it did.
 */
#ifndef VIGIL_BENCH_H
#define VIGIL_BENCH_H

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* No single workload run may take longer than this. */
#define BENCH_DEADLINE_S 120

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline double bench_tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/*
 * CPU seconds used so far by this process and its waited-for children,
 * split into user and system time.
 */
static inline void bench_cpu_s(double *user_s, double *sys_s)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	*user_s = bench_tv_s(&self.ru_utime) + bench_tv_s(&kids.ru_utime);
	*sys_s = bench_tv_s(&self.ru_stime) + bench_tv_s(&kids.ru_stime);
}

/* A positive count from argv, or def when absent; -1 when malformed. */
static inline long bench_arg_count(int argc, char **argv, int i, long def)
{
	char *end;
	long v;

	if (i >= argc)
		return def;
	errno = 0;
	v = strtol(argv[i], &end, 10);
	if (errno || end == argv[i] || *end || v <= 0)
		return -1;
	return v;
}

struct bench_clock {
	uint64_t start_ns;
	uint64_t deadline_ns;
	double user0_s, sys0_s;
};

static inline void bench_start(struct bench_clock *c)
{
	bench_cpu_s(&c->user0_s, &c->sys0_s);
	c->start_ns = bench_now_ns();
	c->deadline_ns = c->start_ns + (uint64_t)BENCH_DEADLINE_S * 1000000000u;
}

static inline int bench_past_deadline(const struct bench_clock *c)
{
	return bench_now_ns() > c->deadline_ns;
}

/*
 * Print the report line for n operations done out of want; returns the
 * exit status (0, or 2 when the deadline cut the run short).
 */
static inline int bench_report(const struct bench_clock *c,
			       const char *workload, long n, long want)
{
	uint64_t wall_ns = bench_now_ns() - c->start_ns;
	double user_s, sys_s;

	bench_cpu_s(&user_s, &sys_s);
	user_s -= c->user0_s;
	sys_s -= c->sys0_s;
	printf("workload=%s n=%ld wall_s=%.6f cpu_s=%.6f user_s=%.6f "
	       "sys_s=%.6f\n",
	       workload, n, (double)wall_ns / 1e9, user_s + sys_s, user_s,
	       sys_s);
	if (n < want) {
		fprintf(stderr,
			"%s: deadline of %d s reached after %ld of %ld\n",
			workload, BENCH_DEADLINE_S, n, want);
		return 2;
	}
	return 0;
}

#endif /* VIGIL_BENCH_H */
