/* SPDX-License-Identifier: MIT */
/*
 * wire.h - the kernel <-> user ABI: records the BPF programs put in the
 * ring buffer.  Shared by bpf/ and src/sensor/decode.c (its only reader on
 * the user side).
 *
 * Fixed-width fields, explicit padding, no pointers; every record starts
 * with struct wire_hdr.  Variable parts follow the fixed part in data[]:
 * paths as their components, leaf first, each NUL-terminated (the decoder
 * reverses them), then raw argv bytes (NUL between arguments).
 */
#ifndef VIGIL_WIRE_H
#define VIGIL_WIRE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define WIRE_VERSION	1

#define WIRE_ARGS_MAX	32768 /* argv bytes captured per exec */
#define WIRE_NAME_MAX	256 /* one path component with its NUL */
#define WIRE_PATH_DEPTH 40 /* components walked per path */
#define WIRE_DATA_MAX	65536 /* data[] region, power of two */

enum wire_kind {
	WIRE_EXEC = 1,
	WIRE_FORK = 2,
	WIRE_EXIT = 3,
};

/* Why a record did not reach user space; counted per CPU in `drops`. */
enum wire_drop {
	WIRE_DROP_RING_FULL = 0, /* ring buffer had no room */
	WIRE_DROP_NO_SCRATCH = 1, /* per-CPU scratch lookup failed */
	WIRE_DROP_MAX = 2,
};

/* Truncation marks in wire_exec.flags. */
#define WIRE_F_ARGS_TRUNC  0x1u
#define WIRE_F_IMAGE_TRUNC 0x2u
#define WIRE_F_CWD_TRUNC   0x4u

struct wire_hdr {
	__u32 kind;
	__u32 len; /* whole record, bytes */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
};

/* Who did it: the calling thread's process. */
struct wire_task {
	__u32 pid; /* thread id */
	__u32 tgid; /* process id */
	__u32 ppid; /* real parent's tgid */
	__u32 uid; /* real uid */
	__u32 euid;
	__u32 loginuid; /* audit login uid, (u32)-1 when unset */
	__u32 sessionid; /* audit session id, (u32)-1 when unset */
	__u32 pad;
	__u64 start_ns; /* thread group start, CLOCK_BOOTTIME */
};

struct wire_exec {
	struct wire_hdr hdr;
	struct wire_task task;
	__u64 exe_ino;
	__u32 exe_dev; /* kernel encoding: major << 20 | minor */
	__u32 flags; /* WIRE_F_* */
	__u32 args_len; /* bytes of argv in data[] */
	__u16 image_len; /* bytes of image components after argv */
	__u16 image_depth;
	__u16 cwd_len; /* bytes of cwd components after the image's */
	__u16 cwd_depth;
	__u32 pad;
	char data[];
};

struct wire_fork {
	struct wire_hdr hdr;
	struct wire_task task; /* the parent */
	__u32 child_tgid;
	__u32 pad;
	__u64 child_start_ns;
};

struct wire_exit {
	struct wire_hdr hdr;
	struct wire_task task;
	__s32 exit_code;
	__u32 pad;
};

_Static_assert(sizeof(struct wire_hdr) == 16, "wire_hdr layout");
_Static_assert(sizeof(struct wire_task) == 40, "wire_task layout");
_Static_assert(sizeof(struct wire_exec) == 88, "wire_exec layout");
_Static_assert(sizeof(struct wire_fork) == 72, "wire_fork layout");
_Static_assert(sizeof(struct wire_exit) == 64, "wire_exit layout");

#endif /* VIGIL_WIRE_H */
