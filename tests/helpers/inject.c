/* SPDX-License-Identifier: MIT */
/*
 * inject - reach into another process the ways events 10 and 8 cover, for
 * tests/integration/45-integrity.sh.
 *
 *   inject STEP...
 *
 * Forks a target that waits, then runs each STEP on it in order:
 *   vm-read    process_vm_readv() of the target's marker
 *   vm-write   process_vm_writev() over the marker
 *   poke       PTRACE_ATTACH, PTRACE_POKEDATA on the marker, PTRACE_SETREGS
 *              with the registers unchanged, PTRACE_DETACH
 *   mem-read   open /proc/PID/mem read-only and read the marker
 *   mem-write  open /proc/PID/mem read-write and write the marker
 *   hold       keep the target a second longer (for what reads its
 *              /proc files after the fact)
 * and prints "target=PID marker=0x<16 upper-case hex> rip=0x..." (rip: the
 * target's instruction pointer that poke set, 0 without poke).  Exits 0
 * when every step worked and the target saw the last write.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile uint64_t marker = 0x1111111111111111ull;

static int fail(const char *what)
{
	fprintf(stderr, "inject: %s: %s\n", what, strerror(errno));
	return -1;
}

static int vm_read(pid_t pid)
{
	uint64_t v = 0;
	struct iovec local = { &v, sizeof(v) };
	struct iovec remote = { (void *)&marker, sizeof(v) };

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof(v))
		return fail("process_vm_readv");
	return 0;
}

static int vm_write(pid_t pid)
{
	uint64_t v = 0x2222222222222222ull;
	struct iovec local = { &v, sizeof(v) };
	struct iovec remote = { (void *)&marker, sizeof(v) };

	if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != sizeof(v))
		return fail("process_vm_writev");
	return 0;
}

static int poke(pid_t pid, uint64_t *rip)
{
	struct user_regs_struct regs;
	int status;

	if (ptrace(PTRACE_ATTACH, pid, 0, 0) < 0)
		return fail("PTRACE_ATTACH");
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (ptrace(PTRACE_POKEDATA, pid, (void *)&marker,
		   (void *)0x3333333333333333ull) < 0)
		return fail("PTRACE_POKEDATA");
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0)
		return fail("PTRACE_GETREGS");
	if (ptrace(PTRACE_SETREGS, pid, 0, &regs) < 0)
		return fail("PTRACE_SETREGS");
	*rip = regs.rip;
	if (ptrace(PTRACE_DETACH, pid, 0, 0) < 0)
		return fail("PTRACE_DETACH");
	return 0;
}

static int mem_open(pid_t pid, int flags, int is_write)
{
	char path[64];
	uint64_t v = 0x4444444444444444ull;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, flags);
	if (fd < 0)
		return fail(path);
	if (is_write)
		n = pwrite(fd, &v, sizeof(v), (off_t)(uintptr_t)&marker);
	else
		n = pread(fd, &v, sizeof(v), (off_t)(uintptr_t)&marker);
	close(fd);
	if (n != sizeof(v))
		return fail("pread/pwrite of /proc/PID/mem");
	return 0;
}

int main(int argc, char **argv)
{
	int go[2], r = 0, status;
	uint64_t rip = 0;
	pid_t pid;
	char c;

	if (argc < 2) {
		fprintf(stderr, "usage: inject STEP...\n");
		return 2;
	}
	if (pipe(go) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(go[1]);
		/* Wait for the parent to finish (EOF), then say what the
		 * marker holds through the exit status. */
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(marker == 0x1111111111111111ull ? 1 : 0);
	}
	close(go[0]);
	for (int i = 1; i < argc && r == 0; i++) {
		if (strcmp(argv[i], "vm-read") == 0)
			r = vm_read(pid);
		else if (strcmp(argv[i], "vm-write") == 0)
			r = vm_write(pid);
		else if (strcmp(argv[i], "poke") == 0)
			r = poke(pid, &rip);
		else if (strcmp(argv[i], "mem-read") == 0)
			r = mem_open(pid, O_RDONLY, 0);
		else if (strcmp(argv[i], "mem-write") == 0)
			r = mem_open(pid, O_RDWR, 1);
		else if (strcmp(argv[i], "hold") == 0)
			sleep(1);
		else {
			fprintf(stderr, "inject: unknown step %s\n", argv[i]);
			r = -1;
		}
	}
	printf("target=%d marker=0x%016llX rip=0x%016llX\n", (int)pid,
	       (unsigned long long)(uintptr_t)&marker, (unsigned long long)rip);
	fflush(stdout);
	close(go[1]);
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	return r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
