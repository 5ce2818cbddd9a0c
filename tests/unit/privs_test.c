/* SPDX-License-Identifier: MIT */
/*
 * Unit test for privs_drop() (daemon/privs.c), in a child process so the
 * test runner keeps its own capabilities: the effective, permitted and
 * bounding sets end up as the kept list, no_new_privs is set, reading any
 * file still works (CAP_DAC_READ_SEARCH) and writing one that is not ours
 * no longer does (CAP_DAC_OVERRIDE is gone).  The sets are per thread:
 * the child starts two threads before the drop (as the daemon starts its
 * writer and workers), and every thread must end up with the kept sets.
 * As non-root only the "nothing to keep" path can be checked.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/privs.h"
#include "tap.h"

#define CAP_BIT(n) (1ull << (n))

/* "CapEff:\t000001c000080004" -> the mask; ~0 if absent. */
static uint64_t proc_status_hex(const char *key)
{
	char line[256];
	uint64_t v = ~0ull;
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			v = strtoull(line + klen + 1, NULL, 16);
	fclose(f);
	return v;
}

/* Whether every thread's status has key (hex) equal to want. */
static int all_threads_hex(const char *key, uint64_t want)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0, bad = 0;

	while (d && (e = readdir(d))) {
		char path[300], line[256];
		size_t klen = strlen(key);
		uint64_t v = ~0ull;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (strncmp(line, key, klen) == 0 && line[klen] == ':')
				v = strtoull(line + klen + 1, NULL, 16);
		fclose(f);
		n++;
		bad |= v != want;
	}
	if (d)
		closedir(d);
	return n == 3 && !bad; /* the child and its two threads */
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int is_done;

/* A thread that waits, as the daemon's workers do, until told to end. */
static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!is_done)
		pthread_cond_wait(&wake, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int last = 40;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = 40;
		fclose(f);
	}
	return last;
}

/* Child: drop, then report each check as one bit of the exit status. */
static int child(const char *secret, uint64_t had)
{
	uint64_t want = CAP_BIT(2) | CAP_BIT(19); /* DAC_READ_SEARCH, PTRACE */
	int fails = 0, fd;
	pthread_t t[2];

	want |= last_cap() >= 39 ? CAP_BIT(38) | CAP_BIT(39) : CAP_BIT(21);
	want &= had;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, waiter, NULL) != 0)
			return 255;
	if (privs_drop() != 0)
		fails |= 1;
	if (!all_threads_hex("CapEff", want))
		fails |= 2;
	if (!all_threads_hex("CapPrm", want))
		fails |= 4;
	if (getuid() == 0 && !all_threads_hex("CapBnd", want))
		fails |= 8;
	if (!all_threads_hex("NoNewPrivs", 1))
		fails |= 16;
	if (getuid() == 0) {
		/* Mode 0000, owned by another user: reading needs
		 * DAC_READ_SEARCH (kept), writing DAC_OVERRIDE (dropped). */
		fd = open(secret, O_RDONLY);
		if (fd < 0)
			fails |= 32;
		else
			close(fd);
		fd = open(secret, O_WRONLY);
		if (fd >= 0 || errno != EACCES)
			fails |= 64;
		if (fd >= 0)
			close(fd);
	}
	/* A second call is harmless. */
	if (privs_drop() != 0)
		fails |= 128;
	pthread_mutex_lock(&lock);
	is_done = 1;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return fails;
}

int main(void)
{
	char secret[] = "/tmp/vigil-privs-XXXXXX";
	uint64_t had = proc_status_hex("CapPrm");
	int status, fd;
	pid_t pid;

	fd = mkstemp(secret);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	if (getuid() == 0) {
		CHECK(chown(secret, 65534, 65534) == 0);
		CHECK(chmod(secret, 0) == 0);
	}
	pid = fork();
	if (pid == 0)
		_exit(child(secret, had));
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	if (WIFEXITED(status) && WEXITSTATUS(status))
		fprintf(stderr, "  child failures: 0x%x\n",
			WEXITSTATUS(status));
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 1) == 0);
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 2) == 0);
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 4) == 0);
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 8) == 0);
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 16) == 0);
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 32) == 0);
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 64) == 0);
	CHECK(WIFEXITED(status) && (WEXITSTATUS(status) & 128) == 0);
	/* The parent is untouched. */
	CHECK(proc_status_hex("CapPrm") == had);
	unlink(secret);
	return tap_done("privs");
}
