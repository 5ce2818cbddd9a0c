/* SPDX-License-Identifier: MIT */
/*
 * daemon/privs.c - privs_drop(): once the BPF programs are attached, the
 * daemon keeps only the capabilities it still uses (list in privs.h).
 *
 * Plain prctl(2) and capset(2), no libcap: the whole job is three bit
 * masks.  The daemon stays uid 0 (it owns the store), so what protects
 * the host is the capability sets, the bounding set (no way back, even
 * through exec) and no_new_privs.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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
	data[0].inheritable = data[1].inheritable = 0;
	err = cap_set(data);
	if (err)
		return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;

	/* Trust, but verify: the kernel must now report exactly keep. */
	err = cap_get(data);
	if (err)
		return err;
	have = (uint64_t)data[0].effective |
	       ((uint64_t)data[1].effective << 32);
	return have == keep ? 0 : -EPERM;
}
