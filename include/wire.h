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

#define WIRE_VERSION  4

#define WIRE_NAME_MAX 256 /* one path component with its NUL */
#define WIRE_PATH_MAX 4096 /* bytes of one path, as the kernel's PATH_MAX */
/* What one path may take in data[]: a walk stops adding components once
 * WIRE_PATH_MAX bytes are out, and the last one adds at most a name. */
#define WIRE_PATH_ROOM (WIRE_PATH_MAX + WIRE_NAME_MAX)
#define WIRE_DATA_MAX  131072 /* data[] region, power of two */
/* Most argv bytes an exec record carries (the loader's cfg_args_max is
 * at most this): data[] less room for the exec record's three paths. */
#define WIRE_ARGS_MAX	  (WIRE_DATA_MAX - 4 * WIRE_PATH_ROOM)
#define WIRE_ARGS_DEFAULT 65536

/* Record kinds; each has one row in the sensor's family table. */
enum wire_kind {
	WIRE_EXEC = 1,
	WIRE_FORK = 2,
	WIRE_EXIT = 3,
	WIRE_NET_CONN = 10, /* a TCP connection established, a UDP flow */
	WIRE_NET_DNS = 11, /* a DNS message to or from port 53 */
	/* files 20-39: struct wire_file (bpf/file.bpf.c) */
	WIRE_FILE_CREATE = 20, /* event 11: a name came into existence */
	WIRE_FILE_DELETE = 21, /* events 23/26: a name went away */
	WIRE_FILE_TIME = 22, /* event 2: times set to given values */
	WIRE_FILE_WRITTEN = 23, /* event 29 candidate: see how */
	WIRE_PIPE_CREATE = 24, /* event 17: mkfifo/mknod S_IFIFO */
	WIRE_PIPE_OPEN = 25, /* event 18: a FIFO opened */
	WIRE_RAW_READ = 26, /* event 9: a block device opened to read */
	WIRE_URING_BLIND = 27, /* event 255: io_uring op vigil cannot log */
	/* process integrity: 40-59 */
	WIRE_ACCESS = 40, /* event 10: one process reached into another */
	WIRE_INJECT = 41, /* event 8: ... and changed its memory or registers */
	WIRE_TAMPER = 42, /* event 25 */
	WIRE_BPF = 43, /* event 100 */
	WIRE_IMAGE_LOAD = 44, /* event 7 */
	WIRE_MODULE = 45, /* event 6 */
	WIRE_KIND_MAX, /* one past the last kind */
};

/* Why a record did not reach user space; counted per CPU in `drops`. */
enum wire_drop {
	WIRE_DROP_RING_FULL = 0, /* ring buffer had no room */
	WIRE_DROP_NO_SCRATCH = 1, /* per-CPU scratch lookup failed */
	WIRE_DROP_SHED = 2, /* a kind shed first, the ring 3/4 full */
	WIRE_DROP_MAX = 3,
};

/*
 * What the network family counts per CPU in `net_counts`: records it
 * chose not to send, which are not losses.
 */
enum wire_net_count {
	WIRE_NET_FILTERED = 0, /* ruled out by the config's kernel prefilter */
	WIRE_NET_UDP_NEW = 1, /* UDP flows entered in the flow table */
	WIRE_NET_UDP_REPEAT = 2, /* datagrams of a flow already logged */
	WIRE_NET_COUNT_MAX = 3,
};

/* UDP flows remembered, and how long a logged flow stays quiet. */
#define WIRE_UDP_FLOWS_MAX 16384
#define WIRE_UDP_WINDOW_NS (300ull * 1000000000ull)

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

/*
 * How to read a wire_str.  Without WIRE_STR_PATH the bytes are a string
 * or, for argv, strings with a NUL after each.
 *
 * WIRE_STR_PATH: path components, leaf first, a NUL after each; joined
 * root first with "/" before each ("/" alone when there are none).
 * WIRE_STR_TRUNC: cut short: a path's walk stopped before the root (the
 * path starts "+", as Sysmon for Linux marks it); a string was longer
 * than len (full_len says how long, when known).
 * WIRE_STR_DELETED: the file was unlinked (or never linked: memfd):
 * " (deleted)" follows the path, as /proc/PID/exe shows it.
 * WIRE_STR_REL (with PATH): the first item is not a component but the
 * rest of a path as a process gave it, relative to the directory the
 * other components name: it may hold "/", "." or "..", nothing resolved;
 * empty when the directory itself is meant.
 */
#define WIRE_STR_PATH	 0x1u
#define WIRE_STR_TRUNC	 0x2u
#define WIRE_STR_DELETED 0x4u
#define WIRE_STR_REL	 0x8u

/*
 * A variable-length part of a record: len bytes at data[off], data being
 * the record's data[] member.  len 0: absent.  Read only through the
 * sensor's bounds-checked reader.
 */
struct wire_str {
	__u32 off;
	__u32 len;
	__u32 full_len; /* bytes before truncation when known, else 0 */
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

/*
 * Where a process runs: its namespaces (the inode numbers
 * /proc/PID/ns/{mnt,pid} show) and its cgroup (v2).
 */
struct wire_ctx {
	__u32 mnt_ns;
	__u32 pid_ns;
	__u32 ns_pid; /* the process id inside pid_ns */
	__u32 pad;
	__u64 cgroup_id; /* kernfs id, as bpf_get_current_cgroup_id() */
};

struct wire_exec {
	struct wire_hdr hdr;
	struct wire_task task; /* after exec: end_code is the new image's */
	struct wire_inode exe; /* the file executed, at exec */
	struct wire_ctx ctx;
	struct wire_str args; /* argv bytes, NUL after each argument */
	struct wire_str image; /* path of the file executed */
	struct wire_str cwd;
	struct wire_str cgroup; /* cgroup v2 path, components leaf first */
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

/* wire_conn.flags */
#define WIRE_CONN_INITIATED \
	0x1u /* connect / datagram sent (else accepted, received) */
#define WIRE_CONN_NO_OWNER \
	0x2u /* no process known for the socket: task is zero */

/*
 * A network connection: TCP once established (connect or accept), UDP on
 * the first datagram of a flow either way.  Addresses are 16 bytes, IPv4
 * as the v4-mapped form ::ffff:a.b.c.d; ports in host order.  local is
 * this host's end, remote the peer's.
 */
struct wire_conn {
	struct wire_hdr hdr;
	struct wire_task task;
	__u64 cookie; /* socket cookie: names the socket */
	__u8 local_ip[16];
	__u8 remote_ip[16];
	__u16 local_port;
	__u16 remote_port;
	__u8 protocol; /* IPPROTO_TCP, IPPROTO_UDP */
	__u8 flags; /* WIRE_CONN_* */
	__u16 pad;
};

/* wire_dns.flags */
#define WIRE_DNS_SENT	  0x1u /* leaving the socket (a query), else arriving */
#define WIRE_DNS_TRUNC	  0x2u /* payload cut at WIRE_DNS_MAX */
#define WIRE_DNS_NO_OWNER 0x4u /* no process known for the socket */

#define WIRE_DNS_MAX	  4096 /* payload bytes captured per packet */

/*
 * A packet to or from port 53, UDP or TCP: its payload as it was on the
 * wire (TCP: stream bytes from seq on, with DNS's 2-byte length prefixes).
 * task is the process that owns the socket: the one that asked.
 */
struct wire_dns {
	struct wire_hdr hdr;
	struct wire_task task;
	__u64 cookie;
	__u32 seq; /* TCP sequence number of the first payload byte */
	__u8 protocol;
	__u8 flags; /* WIRE_DNS_* */
	__u16 pad;
	struct wire_str payload;
	char data[];
};

/* Which call produced a struct wire_file (its `how`). */
enum wire_how {
	WIRE_HOW_OPEN = 1, /* open/openat/openat2/creat */
	WIRE_HOW_URING_OPEN = 2, /* io_uring IORING_OP_OPENAT(2) */
	WIRE_HOW_MKNOD = 3, /* mknod/mknodat */
	WIRE_HOW_RENAME = 4, /* rename/renameat/renameat2: path2 the old name */
	WIRE_HOW_LINK = 5, /* link/linkat: path2 the existing name */
	WIRE_HOW_UNLINK = 6, /* unlink/unlinkat */
	WIRE_HOW_RMDIR = 7, /* rmdir, unlinkat(AT_REMOVEDIR) */
	WIRE_HOW_UTIMES = 8, /* utimensat/utimes/futimesat/utime */
	/* last close of a file written since open, sent only when the file
	 * may be an executable (WIRE_EXEC_HEAD) */
	WIRE_HOW_CLOSE = 9,
	WIRE_HOW_CHMOD = 10, /* chmod family giving an exec bit */
	WIRE_HOW_SYMLINK = 11, /* symlink/symlinkat: the new name */
};

/* struct wire_file flags */
#define WIRE_FILE_CREATED   0x1u /* the open created the inode */
#define WIRE_FILE_TRUNCATED 0x2u /* an existing file opened with O_TRUNC */
#define WIRE_FILE_HAS_BIRTH 0x4u /* birth_ns is the filesystem's */
#define WIRE_FILE_HAS_PREV  0x8u /* prev_ns known (event 2) */

/*
 * Every file record.  path is the file's path: walked from a struct path
 * (opens, closes: complete and resolved), or as the caller named it
 * (put_user_path_at(): an absolute name as given, a relative one after
 * its directory, WIRE_STR_REL).  path2 is rename's and link's old name.
 * ino/dev/mode are 0 when the call gives no inode (names resolved by the
 * kernel inside the syscall).  Times are UTC ns (inode times are
 * wall-clock).
 */
struct wire_file {
	struct wire_hdr hdr;
	struct wire_task task;
	__u64 ino;
	__u32 dev; /* kernel encoding: major << 20 | minor */
	__u16 mode; /* i_mode */
	__u16 how; /* enum wire_how */
	__u32 flags; /* WIRE_FILE_* */
	__u32 op; /* io_uring opcode (WIRE_URING_BLIND), else 0 */
	__s64 birth_ns; /* 11: birth time; 2: the new mtime */
	__s64 prev_ns; /* 2: the mtime before the call */
	struct wire_str path;
	struct wire_str path2;
	char data[];
};

/*
 * Event 29: a closed written file shorter than this is no ELF (the
 * header's e_type ends at byte 18), and one shorter than 2 bytes is no
 * "#!" script; a script needs an exec bit too.  The kernel sends no
 * WIRE_HOW_CLOSE record for a file that cannot be an executable by its
 * size and mode, so the daemon does not open it (src/content/exec.c
 * decides the rest from the first bytes).
 */
#define WIRE_EXEC_HEAD 18

/*
 * The path prefilter (src/sensor/path_dfa.c builds it, bpf/file.bpf.c
 * walks it): per slot, a DFA over the case-folded bytes of the absolute
 * path a record would carry; a record is sent only if the walk ends in
 * an accepting state.  Slots are the record groups whose rules differ.
 */
enum wire_pf_slot {
	WIRE_PF_CREATE = 0, /* WIRE_FILE_CREATE: event 11 */
	WIRE_PF_DELETE = 1, /* WIRE_FILE_DELETE: events 23 and 26 */
	WIRE_PF_TIME = 2, /* event 2 */
	WIRE_PF_WRITTEN = 3, /* event 29 */
	WIRE_PF_PIPE = 4, /* events 17, 18 */
	WIRE_PF_RAW = 5, /* event 9 */
	WIRE_PF_SLOTS = 6,
};

#define WIRE_PF_STATES	2048 /* states of all slots together */
#define WIRE_PF_CLASSES 64 /* byte classes, 0 for bytes in no atom */
#define WIRE_PF_OFF	0xffff /* start of a slot that lets all through */
#define WIRE_PF_ACCEPT	0x1 /* accepted whatever follows */
#define WIRE_PF_AT_END	0x2 /* accepted if the path ends here */
#define WIRE_PF_DEAD	0x4 /* no path going on from here is accepted */

struct wire_pf_state {
	__u16 next[WIRE_PF_CLASSES];
	__u8 flags; /* WIRE_PF_ACCEPT, WIRE_PF_AT_END, WIRE_PF_DEAD */
	__u8 pad[7];
};

/* The rest of the prefilter: one map entry. */
struct wire_pf_head {
	__u8 classes[256];
	__u16 start[WIRE_PF_SLOTS]; /* WIRE_PF_OFF: not filtered */
	__u32 is_set; /* 0 (before the loader wrote it): nothing filtered */
};

/* What a wire_access did (WIRE_ACCESS and WIRE_INJECT records). */
enum wire_access_op {
	WIRE_OP_PTRACE_ATTACH = 1, /* PTRACE_ATTACH */
	WIRE_OP_PTRACE_SEIZE = 2, /* PTRACE_SEIZE */
	WIRE_OP_VM_READ = 3, /* process_vm_readv() */
	WIRE_OP_VM_WRITE = 4, /* process_vm_writev() */
	WIRE_OP_MEM_OPEN = 5, /* open of /proc/PID/mem; mode says how */
	WIRE_OP_PTRACE_POKE = 6, /* PTRACE_POKETEXT/POKEDATA/POKEUSER */
	WIRE_OP_PTRACE_SETREGS = 7, /* PTRACE_SETREGS/SETFPREGS/SETREGSET */
};

#define WIRE_MODE_READ	0x1u /* the file was opened for reading */
#define WIRE_MODE_WRITE 0x2u /* ... for writing */

/*
 * Another process's memory or registers, reached by a successful call:
 * task is the source, target the process whose memory it is.
 */
struct wire_access {
	struct wire_hdr hdr;
	struct wire_task task;
	struct wire_task target;
	__u32 op; /* enum wire_access_op */
	__u32 target_tid; /* the thread the call named */
	__u32 mode; /* WIRE_OP_MEM_OPEN: WIRE_MODE_* */
	__u32 has_addr; /* 1: addr is known */
	__u64 addr; /* address written, or the new instruction pointer */
	__u64 request; /* the ptrace request */
};

/* Why a process's image is suspect (WIRE_TAMPER). */
enum wire_tamper_kind {
	WIRE_TAMPER_MEMFD = 1, /* exec of a memfd_create() file */
	WIRE_TAMPER_DELETED = 2, /* exec of a file with no name left */
	WIRE_TAMPER_WRITTEN = 3, /* a file it maps executable opened to write */
};

struct wire_tamper {
	struct wire_hdr hdr;
	struct wire_task task; /* the process whose image it is */
	__u32 kind; /* enum wire_tamper_kind */
	__u32 writer_tgid; /* WIRE_TAMPER_WRITTEN: who opened it */
	struct wire_str image; /* the file */
	char data[];
};

/* A bpf() call that loaded or attached a program (WIRE_BPF). */
struct wire_bpf {
	struct wire_hdr hdr;
	struct wire_task task;
	__u32 cmd; /* enum bpf_cmd */
	__u32 prog_type; /* enum bpf_prog_type */
	__u32 prog_id; /* the kernel's program id */
	__u32 pad;
	char prog_name[16]; /* as the kernel keeps it, NUL-padded */
};

/*
 * The key of the `image_skips` map: files whose image loads the config
 * drops whatever process maps them.  The inode's change time moves on
 * every write, rename and new link, so a key never outlives the content or
 * the names it was made for.
 */
struct wire_file_key {
	__u64 ino;
	__u32 dev; /* kernel encoding: major << 20 | minor */
	__u32 ctime_nsec; /* without the "queried" flag bit */
	__s64 ctime_sec;
};

/* A file mapped executable by mmap() (WIRE_IMAGE_LOAD). */
struct wire_image_load {
	struct wire_hdr hdr;
	struct wire_task task;
	struct wire_inode file; /* the file mapped, at mmap */
	struct wire_str image;
	char data[];
};

/* A kernel module loaded (WIRE_MODULE). */
enum wire_module_call {
	WIRE_MODULE_INIT = 1, /* init_module(): from memory, no file */
	WIRE_MODULE_FINIT = 2, /* finit_module(): from a file */
};

/* Bytes of an init_module() image's end sent along: they hold its
 * appended signature, if any (power of two). */
#define WIRE_MODULE_TAIL_MAX 8192

struct wire_module {
	struct wire_hdr hdr;
	struct wire_task task; /* who loaded it */
	__u32 call; /* enum wire_module_call */
	__u32 pad;
	struct wire_inode file; /* finit_module(): the file, at load */
	struct wire_str image; /* finit_module(): the file */
	struct wire_str tail; /* init_module(): the image's last bytes */
	char data[];
};

_Static_assert(sizeof(struct wire_hdr) == 16, "wire_hdr layout");
_Static_assert(sizeof(struct wire_task) == 56, "wire_task layout");
_Static_assert(sizeof(struct wire_str) == 16, "wire_str layout");
_Static_assert(sizeof(struct wire_inode) == 56, "wire_inode layout");
_Static_assert(sizeof(struct wire_ctx) == 24, "wire_ctx layout");
_Static_assert(sizeof(struct wire_exec) == 216, "wire_exec layout");
_Static_assert(sizeof(struct wire_fork) == 88, "wire_fork layout");
_Static_assert(sizeof(struct wire_exit) == 80, "wire_exit layout");
_Static_assert(sizeof(struct wire_conn) == 120, "wire_conn layout");
_Static_assert(sizeof(struct wire_dns) == 104, "wire_dns layout");
_Static_assert(sizeof(struct wire_file) == 144, "wire_file layout");
_Static_assert(sizeof(struct wire_pf_state) == 136, "wire_pf_state layout");
_Static_assert(sizeof(struct wire_pf_head) == 272, "wire_pf_head layout");
_Static_assert(sizeof(struct wire_access) == 160, "wire_access layout");
_Static_assert(sizeof(struct wire_tamper) == 96, "wire_tamper layout");
_Static_assert(sizeof(struct wire_bpf) == 104, "wire_bpf layout");
_Static_assert(sizeof(struct wire_file_key) == 24, "wire_file_key layout");
_Static_assert(sizeof(struct wire_image_load) == 144, "wire_image_load layout");
_Static_assert(sizeof(struct wire_module) == 168, "wire_module layout");

#endif /* VIGIL_WIRE_H */
