/* SPDX-License-Identifier: MIT */
/*
 * sensor/tracefs.h - private to the sensor: the ids of classic tracepoints
 * ("syscalls/sys_enter_ptrace"), which perf_event_open() attaches by.
 */
#ifndef VIGIL_SENSOR_TRACEFS_H
#define VIGIL_SENSOR_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * ids[i] := the id of tracepoint names[i] ("category/name"), or a negative
 * errno (-ENOENT: this kernel has no such tracepoint).  Reads a mounted
 * tracefs, or mounts one in a private mount namespace of a child process
 * (needs CAP_SYS_ADMIN) and leaves the host's mounts as they were.
 * Returns 0, or a negative errno when no id could be read at all.
 */
int tracefs_ids(const char *const *names, size_t n, int *ids);

#endif /* VIGIL_SENSOR_TRACEFS_H */
