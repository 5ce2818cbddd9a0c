/* SPDX-License-Identifier: MIT */
/*
 * Unit test for privs_drop() (daemon/privs.c), in a child process so the
 * test runner keeps its own capabilities: the effective, permitted and
 * bounding sets end up as the kept list, no_new_privs is set, reading any
 * file still works (CAP_DAC_READ_SEARCH) and writing one that is not ours
 * no longer does (CAP_DAC_OVERRIDE is gone).  As non-root only the
 * "nothing to keep" path can be checked.
 */
#include <errno.h>
#include <fcntl.h>
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

	want |= last_cap() >= 39 ? CAP_BIT(38) | CAP_BIT(39) : CAP_BIT(21);
	want &= had;
	if (privs_drop() != 0)
		fails |= 1;
	if (proc_status_hex("CapEff") != want)
		fails |= 2;
	if (proc_status_hex("CapPrm") != want)
		fails |= 4;
	if (getuid() == 0 && proc_status_hex("CapBnd") != want)
		fails |= 8;
	if (proc_status_hex("NoNewPrivs") != 1)
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
