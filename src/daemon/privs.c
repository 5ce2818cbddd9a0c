/* SPDX-License-Identifier: MIT */
/*
 * daemon/privs.c - privs_drop(): once the BPF programs are attached, the
 * daemon keeps only the capabilities it still uses (list in privs.h).
 *
 * Plain prctl(2) and capset(2), no libcap: the whole job is three bit
 * masks.  The daemon stays uid 0 (it owns the store), so what protects
 * the host is the capability sets, the bounding set (no way back, even
 * through exec) and no_new_privs.
 *
 * All three are per thread, and the daemon's threads (the writer,
 * enrichment workers, the resolver, the store's checkpointer) start
 * before the programs are attached: dropping in the calling thread alone
 * would leave every one of them with all of root's capabilities.  So, as
 * libcap's libpsx does, every other thread is sent a signal whose handler
 * drops that thread's own sets the same way, and privs_drop() waits for
 * all of them, then checks each thread in /proc/self/task.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "privs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define CAP_MAX_KNOWN 63

static int cap_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	return syscall(SYS_capget, &hdr, data) < 0 ? -errno : 0;
}

static int cap_set(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

/* The highest capability this kernel knows. */
static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = -1;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = -1;
		fclose(f);
	}
	/* Fall back to probing the bounding set. */
	if (last < 0)
		for (last = CAP_MAX_KNOWN;
		     last > 0 && prctl(PR_CAPBSET_READ, last, 0, 0, 0) < 0;
		     last--)
			;
	return last > CAP_MAX_KNOWN ? CAP_MAX_KNOWN : last;
}

static uint64_t wanted_caps(int last)
{
	uint64_t keep =
		(1ull << CAP_DAC_READ_SEARCH) | (1ull << CAP_SYS_PTRACE);

	/* Before 5.8 BPF and perf events are CAP_SYS_ADMIN's. */
	if (last >= CAP_BPF)
		keep |= (1ull << CAP_BPF) | (1ull << CAP_PERFMON);
	else
		keep |= 1ull << CAP_SYS_ADMIN;
	return keep;
}

/*
 * What the signal handler needs: the sets to keep and how the threads
 * fared.  File scope because a signal handler has no other way in; only
 * privs_drop() writes them, before it sends any signal.
 */
static uint64_t drop_keep;
static int drop_last;
static int drop_done, drop_failed; /* __atomic */

/* The calling thread's own drop: bounding set, ambient, then the sets. */
static int drop_self(uint64_t keep, int last)
{
	struct __user_cap_data_struct data[2] = { { 0 } };

	/* The bounding set needs CAP_SETPCAP, so it goes first; without
	 * that capability (a container) the sets below still shrink. */
	for (int cap = 0; cap <= last; cap++)
		if (!(keep & (1ull << cap)) &&
		    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EPERM)
			return -errno;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (cap_set(data) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

static void on_drop_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (drop_self(drop_keep, drop_last) < 0)
		__atomic_add_fetch(&drop_failed, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&drop_done, 1, __ATOMIC_SEQ_CST);
	errno = saved;
}

/* The other threads of this process drop too; 0 or a negative errno. */
static int drop_others(void)
{
	struct sigaction sa = { .sa_handler = on_drop_signal,
				.sa_flags = SA_RESTART };
	int sig = SIGRTMIN + 4, sent = 0;
	pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
	struct dirent *e;
	DIR *d;

	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) < 0)
		return -errno;
	d = opendir("/proc/self/task");
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)strtol(e->d_name, NULL, 10);

		if (tid <= 0 || tid == self)
			continue;
		if (syscall(SYS_tgkill, pid, tid, sig) == 0)
			sent++;
	}
	closedir(d);
	/* A thread blocked in a system call runs the handler at once; two
	 * seconds is a stuck thread, and the check below says so. */
	for (int i = 0; i < 2000; i++) {
		if (__atomic_load_n(&drop_done, __ATOMIC_SEQ_CST) >= sent)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return __atomic_load_n(&drop_failed, __ATOMIC_SEQ_CST) ? -EPERM : 0;
}

/* "CapEff:\t000001c000080004" of one thread's status, or ~0. */
static uint64_t task_caps(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ull;
}

/* Trust, but verify: every thread now holds exactly keep. */
static int check_threads(uint64_t keep)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");
	int err = 0;

	if (!d)
		return -errno;
	while (!err && (e = readdir(d))) {
		char path[64], text[4096];
		FILE *f;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%.16s/status",
			 e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue; /* the thread ended */
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		if (task_caps(text, "\nCapEff:") != keep ||
		    task_caps(text, "\nCapPrm:") != keep ||
		    task_caps(text, "\nCapInh:") != 0 ||
		    !strstr(text, "\nNoNewPrivs:\t1"))
			err = -EPERM;
	}
	closedir(d);
	return err;
}

int privs_drop(void)
{
	struct __user_cap_data_struct data[2];
	uint64_t have, keep;
	int last = last_cap(), err;

	err = cap_get(data);
	if (err)
		return err;
	have = (uint64_t)data[0].permitted |
	       ((uint64_t)data[1].permitted << 32);
	keep = have & wanted_caps(last);

	drop_keep = keep;
	drop_last = last;
	__atomic_store_n(&drop_done, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&drop_failed, 0, __ATOMIC_SEQ_CST);
	err = drop_others();
	if (!err)
		err = drop_self(keep, last);
	if (err)
		return err;
	return check_threads(keep);
}

int privs_join_group(const char *name)
{
	struct group gr, *res = NULL;
	gid_t groups[256];
	char tmp[4096];
	int n;

	if (getgrnam_r(name, &gr, tmp, sizeof(tmp), &res) != 0 || !res)
		return -ENOENT;
	n = getgroups(256, groups);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++)
		if (groups[i] == gr.gr_gid)
			return 0;
	if (n == 256)
		return -E2BIG;
	groups[n++] = gr.gr_gid;
	/* glibc applies it to every thread of the process */
	return setgroups((size_t)n, groups) < 0 ? -errno : 0;
}
