/* SPDX-License-Identifier: MIT */
/*
 * bench/event_rate.c - produce monitored activity at a set rate for a set
 * time, to find the highest event rate a monitor sustains without loss.
 *
 * usage: event_rate MODE OPS_PER_S SECONDS [WORKERS [DIR]]
 *   MODE       fork  fork() a child that exits at once (one exit)
 *              exec  spawn /bin/true (one exec and one exit)
 *              file  create, write and delete a file (one create and
 *                    one delete)
 *              udp   send a 1-byte UDP datagram to a new address: a new
 *                    flow each way (two events 3, out and in), the
 *                    cheapest operation that makes new events.  Each
 *                    worker runs in a network namespace of its own with
 *                    only lo up and one receiver that never reads, so
 *                    the datagrams reach nobody else on the host.
 *   OPS_PER_S  operations per second over all workers; 0 for as fast as
 *              the machine goes
 *   SECONDS    how long to keep it up (at most 60)
 *   WORKERS    processes sharing the rate (default 2, at most 16)
 *   DIR        where file mode makes its files (default /tmp); a tmpfs
 *              such as /dev/shm keeps the file system's own cost out
 *
 * Each worker keeps to an absolute schedule (operation i is due at
 * start + i / rate), sleeping when ahead and catching up when behind, so
 * the average rate holds even when single sleeps overshoot.  It sleeps
 * in ticks of TICK_NS: what falls due within a tick is done in a burst.
 *
 * Prints: workload=rate mode=M target_ops_per_s=R ops=N wall_s=S
 *         ops_per_s=A
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_WORKERS 16
#define MAX_SECONDS 60
#define TICK_NS	    1000000u
/* UDP mode: the receiver's port, and how many remote addresses (127.1.0.0
 * upwards) a worker cycles through: far more than the sensor's flow table
 * (WIRE_UDP_FLOWS_MAX) holds, so an address comes round again only long
 * after its flow was pushed out, and every datagram is a new flow. */
#define UDP_PORT      9
#define UDP_ADDRESSES (1u << 22)

extern char **environ;

enum mode { MODE_FORK, MODE_EXEC, MODE_FILE, MODE_UDP };

static int op_fork(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(0);
	return waitpid(pid, &status, 0) < 0 ? -1 : 0;
}

static int op_exec(void)
{
	char *argv[] = { "/bin/true", NULL };
	int status;
	pid_t pid;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ))
		return -1;
	return waitpid(pid, &status, 0) < 0 ? -1 : 0;
}

static int op_file(int dfd, uint64_t i)
{
	char name[32];
	int fd;

	snprintf(name, sizeof(name), "r%" PRIu64, i);
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, name, 8) != 8) {
		close(fd);
		return -1;
	}
	close(fd);
	return unlinkat(dfd, name, 0);
}

/*
 * A network namespace of this process's own, with lo up and a receiver on
 * UDP_PORT of every loopback address that never reads (a 1-byte receive
 * buffer: the kernel drops what it cannot queue, after the hooks saw it).
 * Returns the sending socket, or -1.
 */
static int udp_setup(int *rx)
{
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = htons(UDP_PORT) };
	struct ifreq ifr = { .ifr_name = "lo" };
	int one = 1, tx, s;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	ifr.ifr_flags = IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		close(s);
		return -1;
	}
	close(s);
	*rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*rx < 0 || tx < 0 ||
	    setsockopt(*rx, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)) < 0 ||
	    bind(*rx, (struct sockaddr *)&any, sizeof(any)) < 0) {
		close(*rx);
		close(tx);
		return -1;
	}
	return tx;
}

static int op_udp(int tx, uint64_t i)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(UDP_PORT),
		.sin_addr.s_addr =
			htonl(0x7f010000u + (uint32_t)(i % UDP_ADDRESSES)),
	};

	return sendto(tx, "v", 1, 0, (struct sockaddr *)&to, sizeof(to)) == 1
		       ? 0
		       : -1;
}

static void sleep_until_ns(uint64_t t_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t_ns / 1000000000u),
		.tv_nsec = (long)(t_ns % 1000000000u),
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* One worker's loop; returns the operations done, or -1 on error. */
static long worker_run(enum mode m, double ops_per_s, uint64_t start_ns,
		       uint64_t end_ns, const char *base)
{
	char dir[PATH_MAX];
	int dfd = -1, rx = -1, tx = -1, rc = 0;
	uint64_t i;

	if (m == MODE_UDP) {
		tx = udp_setup(&rx);
		if (tx < 0)
			return -1;
	}
	if (m == MODE_FILE) {
		snprintf(dir, sizeof(dir), "%s/vigil-rate.XXXXXX", base);
		if (!mkdtemp(dir))
			return -1;
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			rmdir(dir);
			return -1;
		}
	}
	for (i = 0; rc == 0; i++) {
		uint64_t now = bench_now_ns();

		if (now >= end_ns)
			break;
		if (ops_per_s > 0) {
			uint64_t due = start_ns +
				       (uint64_t)((double)i * 1e9 / ops_per_s);

			if (due >= end_ns)
				break;
			/* Ahead: sleep to the next whole tick, then do what
			 * is due by then in one burst (a sleep per operation
			 * would cost more than a cheap operation). */
			if (due > now)
				sleep_until_ns(due + TICK_NS -
					       (due - start_ns) % TICK_NS);
		}
		if (m == MODE_FORK)
			rc = op_fork();
		else if (m == MODE_EXEC)
			rc = op_exec();
		else if (m == MODE_UDP)
			rc = op_udp(tx, i);
		else
			rc = op_file(dfd, i);
	}
	if (tx >= 0) {
		close(tx);
		close(rx);
	}
	if (dfd >= 0) {
		close(dfd);
		rmdir(dir);
	}
	return rc ? -1 : (long)i;
}

static int parse_mode(const char *s, enum mode *m)
{
	if (strcmp(s, "fork") == 0)
		*m = MODE_FORK;
	else if (strcmp(s, "exec") == 0)
		*m = MODE_EXEC;
	else if (strcmp(s, "file") == 0)
		*m = MODE_FILE;
	else if (strcmp(s, "udp") == 0)
		*m = MODE_UDP;
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	long rate, seconds, workers, total = 0;
	uint64_t start_ns, end_ns;
	pid_t pids[MAX_WORKERS];
	long *done;
	enum mode m;
	int failed = 0;

	if (argc < 4 || parse_mode(argv[1], &m) < 0)
		goto usage;
	rate = strcmp(argv[2], "0") == 0 ? 0
					 : bench_arg_count(argc, argv, 2, 0);
	seconds = bench_arg_count(argc, argv, 3, 0);
	workers = bench_arg_count(argc, argv, 4, 2);
	if (rate < 0 || seconds <= 0 || seconds > MAX_SECONDS || workers < 0 ||
	    workers > MAX_WORKERS)
		goto usage;

	done = mmap(NULL, sizeof(long) * MAX_WORKERS, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (done == MAP_FAILED) {
		perror("event_rate: mmap");
		return 1;
	}
	start_ns = bench_now_ns() + 10000000u; /* all workers start together */
	end_ns = start_ns + (uint64_t)seconds * 1000000000u;
	for (long w = 0; w < workers; w++) {
		pids[w] = fork();
		if (pids[w] < 0) {
			perror("event_rate: fork");
			for (long k = 0; k < w; k++)
				kill(pids[k], SIGTERM);
			return 1;
		}
		if (pids[w] == 0) {
			sleep_until_ns(start_ns);
			done[w] = worker_run(m, (double)rate / (double)workers,
					     start_ns, end_ns,
					     argc > 5 ? argv[5] : "/tmp");
			_exit(done[w] < 0);
		}
	}
	for (long w = 0; w < workers; w++) {
		int status;

		if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
		else
			total += done[w];
	}
	double wall_s = (double)(bench_now_ns() - start_ns) / 1e9;
	printf("workload=rate mode=%s target_ops_per_s=%ld ops=%ld "
	       "wall_s=%.3f ops_per_s=%.0f\n",
	       argv[1], rate, total, wall_s, (double)total / wall_s);
	munmap(done, sizeof(long) * MAX_WORKERS);
	if (failed)
		fprintf(stderr, "event_rate: a worker failed\n");
	return failed;

usage:
	fprintf(stderr,
		"usage: event_rate fork|exec|file|udp OPS_PER_S SECONDS "
		"[WORKERS<=%d [DIR]]\n",
		MAX_WORKERS);
	return 1;
}
