/* SPDX-License-Identifier: MIT */
/*
 * wire.h - the kernel <-> user ABI: records the BPF programs put in the
 * ring buffer.  Shared by bpf/ and src/sensor/ (its only reader on the
 * user side).
 *
 * Fixed-width fields, explicit padding, no pointers.  Every record starts
 * with struct wire_hdr and carries the acting process as struct
 * wire_task.  Variable parts (paths, argv, names) follow the fixed part in
 * data[] and are described by struct wire_str: where they are, how long,
 * and how to read them.
 */
#ifndef VIGIL_WIRE_H
#define VIGIL_WIRE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define WIRE_VERSION  2

#define WIRE_ARGS_MAX 32768 /* argv bytes captured per exec */
#define WIRE_NAME_MAX 256 /* one path component with its NUL */
#define WIRE_PATH_MAX 4096 /* bytes of one path, as the kernel's PATH_MAX */
#define WIRE_DATA_MAX 65536 /* data[] region, power of two */

/* Record kinds; each has one row in the sensor's family table. */
enum wire_kind {
	WIRE_EXEC = 1,
	WIRE_FORK = 2,
	WIRE_EXIT = 3,
	WIRE_KIND_MAX, /* one past the last kind */
};

/* Why a record did not reach user space; counted per CPU in `drops`. */
enum wire_drop {
	WIRE_DROP_RING_FULL = 0, /* ring buffer had no room */
	WIRE_DROP_NO_SCRATCH = 1, /* per-CPU scratch lookup failed */
	WIRE_DROP_MAX = 2,
};

struct wire_hdr {
	__u32 kind;
	__u32 len; /* whole record, bytes */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
};

/*
 * Who did it: the calling thread's process.  (tgid, start_ns) names one
 * process for its whole life; end_code tells its exec images apart (the
 * same value /proc/PID/stat shows as endcode), so together they give a
 * ProcessGuid that user space can compute again at any time.
 */
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
	__u64 parent_start_ns; /* the real parent's start_ns */
	__u64 end_code; /* mm->end_code; 0 without an mm (kernel threads) */
};

/* How to read a wire_str. */
#define WIRE_STR_PATH	 0x1u /* path components, leaf first, NUL after each */
#define WIRE_STR_TRUNC	 0x2u /* cut short: args end "...", paths start "+" */
#define WIRE_STR_DELETED 0x4u /* path of an unlinked file: " (deleted)" */

/*
 * A variable-length part of a record: len bytes at data[off], data being
 * the record's data[] member.  len 0: absent.  Read only through the
 * sensor's bounds-checked reader.
 */
struct wire_str {
	__u16 off;
	__u16 len;
	__u16 flags; /* WIRE_STR_* */
	__u16 pad;
};

/*
 * A file's identity and change counters as its inode held them when the
 * record was made (for exec: the bytes being executed).  User space
 * hashes the file only while it still matches them, and keys its hash
 * cache by them.
 */
struct wire_inode {
	__u64 ino;
	__u64 size;
	__s64 mtime_sec;
	__s64 ctime_sec;
	__u32 mtime_nsec;
	__u32 ctime_nsec; /* without the kernel's "queried" flag bit */
	__u64 version; /* i_version without its flag bit; 0: none */
	__u32 dev; /* kernel encoding: major << 20 | minor */
	__u32 pad;
};

struct wire_exec {
	struct wire_hdr hdr;
	struct wire_task task; /* after exec: end_code is the new image's */
	struct wire_inode exe; /* the file executed, at exec */
	struct wire_str args; /* argv bytes, NUL between arguments */
	struct wire_str image; /* path of the file executed */
	struct wire_str cwd;
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
_Static_assert(sizeof(struct wire_task) == 56, "wire_task layout");
_Static_assert(sizeof(struct wire_str) == 8, "wire_str layout");
_Static_assert(sizeof(struct wire_inode) == 56, "wire_inode layout");
_Static_assert(sizeof(struct wire_exec) == 152, "wire_exec layout");
_Static_assert(sizeof(struct wire_fork) == 88, "wire_fork layout");
_Static_assert(sizeof(struct wire_exit) == 80, "wire_exit layout");

#endif /* VIGIL_WIRE_H */
