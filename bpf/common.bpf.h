// SPDX-License-Identifier: GPL-2.0
/*
 * common.bpf.h - what every family program shares: the maps, the config
 * globals, drop accounting and task helpers.  Maps and globals are
 * defined in maps.bpf.c and declared extern here, so all family objects
 * link into one skeleton.
 */
#ifndef VIGIL_COMMON_BPF_H
#define VIGIL_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "wire.h"

/* Component offsets put_path() records (a power of two). */
#define PATH_COMPS 64

/* The largest fixed part of any record that has a data[] member. */
#define WIRE_FIXED_MAX 256

/*
 * A path walk in progress (path.bpf.h): what one batch of steps hands the
 * next.  Kernel pointers are kept as numbers: only ever read through
 * bpf_probe_read_kernel().
 */
struct walk_state {
	__u64 dentry; /* struct dentry * to name next */
	__u64 mnt; /* struct mount * it is on */
	__u32 start; /* data[] offset where the part starts */
	__u32 leaf; /* data[] offset of the walk's first component */
	__u32 flags; /* WIRE_STR_* so far */
	__u32 data_off; /* offset of data[] in bytes[] */
};

/* The path prefilter's walk in progress: DFA state, the string being
 * fed, and why it stopped (WIRE_PF_ACCEPT, WIRE_PF_DEAD, 0: not yet). */
struct pf_state_walk {
	__u32 state;
	__u32 off;
	__u32 len;
	__u32 done;
};

/*
 * Scratch for building one variable-length record per CPU: the fixed part
 * of any record and its data[], with room for one more path past the data
 * mask, so a write at any masked offset stays inside.
 */
struct scratch {
	/*
	 * Loop-carried state lives here, not in registers: loaded from a
	 * map it is an unknown scalar to the verifier, so the states of a
	 * loop differ only by the loop counter instead of one state per
	 * distinct offset (see bpf/README.md, verifier notes).
	 */
	__u32 off; /* data[] bytes used so far */
	__u32 depth;
	struct walk_state walk;
	/* Where the last walk put each component (leaf first), for the
	 * path prefilter (file.bpf.c); ncomp may exceed PATH_COMPS. */
	__u32 ncomp;
	__u32 comp[PATH_COMPS];
	struct pf_state_walk pf; /* the path prefilter's walk (file.bpf.c) */
	char bytes[WIRE_FIXED_MAX + WIRE_DATA_MAX + WIRE_PATH_MAX];
};

/* Map types are named so maps.bpf.c defines exactly what others declare. */
struct events_map {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by the loader */
};

struct drops_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WIRE_DROP_MAX);
	__type(key, __u32);
	__type(value, __u64);
};

struct scratches_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* one per possible CPU, set by the loader */
	__type(key, __u32);
	__type(value, struct scratch);
};

/* Files opened to be written (key: struct file *, value: its inode
 * number), until their last close: event 29 (file.bpf.c). */
struct written_files_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u64);
};

/* Processes (tgid) that opened a file in written_files. */
struct writers_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
};

/* A utimes-family call's previous mtime, by thread, entry to exit. */
struct times_prev_map {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __s64);
};

/* The path prefilter (wire.h): its head and its DFA states. */
struct pf_heads_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wire_pf_head);
};

struct pf_states_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, WIRE_PF_STATES);
	__type(key, __u32);
	__type(value, struct wire_pf_state);
};

/* Records the prefilter kept from user space, per slot and CPU. */
struct filtered_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WIRE_PF_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
};

extern struct events_map events SEC(".maps");
extern struct drops_map drops SEC(".maps");
extern struct scratches_map scratches SEC(".maps");
extern struct written_files_map written_files SEC(".maps");
extern struct times_prev_map times_prev SEC(".maps");
extern struct writers_map writers SEC(".maps");
extern struct pf_heads_map pf_heads SEC(".maps");
extern struct pf_states_map pf_states SEC(".maps");
extern struct filtered_map filtered SEC(".maps");

extern const volatile __u32 cfg_self_tgid;
/* Bit n set: records of kind n wake user space at once (sensor.h's
 * sensor_set_urgent()). */
extern __u64 cfg_urgent_kinds;
/* argv bytes an exec record carries, at most WIRE_ARGS_MAX. */
extern const volatile __u32 cfg_args_max;
/* Record kinds shed first (bit kind), once cfg_shed_bytes wait in the
 * ring: the rest of the ring is kept for the other kinds. */
extern const volatile __u64 cfg_shed_kinds;
extern const volatile __u64 cfg_shed_bytes;
extern __u64 cfg_wanted[4];

/* Whether the config can log event id now (programs that feed several
 * events are attached while any is wanted and ask per record). */
static __always_inline bool is_wanted(__u32 id)
{
	return id < 256 && (cfg_wanted[id / 64 & 3] >> (id % 64)) & 1;
}

static __always_inline void count_drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &reason);

	if (n)
		*n += 1;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratches, &cpu);

	if (!s)
		count_drop(WIRE_DROP_NO_SCRATCH);
	return s;
}

/*
 * Wake user space only once this much is waiting: the daemon also drains
 * the ring on a short timer, so batching wake-ups trades a few tens of
 * milliseconds of latency for one epoll round trip per batch instead of
 * per record.
 */
#define WAKEUP_BYTES (256 << 10)

/*
 * Send a record of kind; counts a drop when the ring is full, or, for a
 * kind shed first (cfg_shed_kinds), 3/4 full.  User space is woken at
 * once for urgent kinds (cfg_urgent_kinds: the daemon must act before
 * the process goes on, e.g. open a new file before it is deleted), else
 * once a batch waits.
 */
static __always_inline void emit_kind(void *rec, __u64 size, __u32 kind)
{
	__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bool is_urgent = kind < 64 && ((cfg_urgent_kinds >> kind) & 1);

	if (kind < 64 && ((cfg_shed_kinds >> kind) & 1) &&
	    waiting >= cfg_shed_bytes) {
		count_drop(WIRE_DROP_SHED);
		return;
	}
	if (bpf_ringbuf_output(&events, rec, size,
			       is_urgent || waiting >= WAKEUP_BYTES
				       ? BPF_RB_FORCE_WAKEUP
				       : BPF_RB_NO_WAKEUP))
		count_drop(WIRE_DROP_RING_FULL);
}

/* The same for a record whose header names its kind. */
static __always_inline void emit(void *rec, __u64 size)
{
	emit_kind(rec, size, ((struct wire_hdr *)rec)->kind);
}

static __always_inline void fill_task(struct wire_task *t,
				      struct task_struct *task)
{
	const struct cred *cred = BPF_CORE_READ(task, real_cred);

	t->pid = BPF_CORE_READ(task, pid);
	t->tgid = BPF_CORE_READ(task, tgid);
	t->ppid = BPF_CORE_READ(task, real_parent, tgid);
	t->uid = BPF_CORE_READ(cred, uid.val);
	t->euid = BPF_CORE_READ(cred, euid.val);
	t->loginuid = BPF_CORE_READ(task, loginuid.val);
	t->sessionid = BPF_CORE_READ(task, sessionid);
	t->pad = 0;
	t->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	t->parent_start_ns =
		BPF_CORE_READ(task, real_parent, group_leader, start_boottime);
	t->end_code = BPF_CORE_READ(task, mm, end_code);
}

/*
 * fill_task() through BTF pointers: plain loads the JIT guards instead of
 * a probe-read helper call per field (about 3x cheaper; the file and
 * network hooks run per syscall or per connection).  task must be a BTF
 * pointer (a tracepoint argument, bpf_get_current_task_btf()).
 */
static __always_inline void fill_task_btf(struct wire_task *t,
					  struct task_struct *task)
{
	const struct cred *cred = task->real_cred;
	struct task_struct *parent = task->real_parent;
	struct mm_struct *mm = task->mm;

	t->pid = task->pid;
	t->tgid = task->tgid;
	t->ppid = parent->tgid;
	t->uid = cred->uid.val;
	t->euid = cred->euid.val;
	t->loginuid = task->loginuid.val;
	t->sessionid = task->sessionid;
	t->pad = 0;
	t->start_ns = task->group_leader->start_boottime;
	t->parent_start_ns = parent->group_leader->start_boottime;
	t->end_code = mm ? mm->end_code : 0;
}

static __always_inline bool is_self(struct task_struct *task)
{
	return cfg_self_tgid && BPF_CORE_READ(task, tgid) == cfg_self_tgid;
}

#endif /* VIGIL_COMMON_BPF_H */
