// SPDX-License-Identifier: GPL-2.0
/*
 * net.bpf.c - the network family: TCP connections and UDP flows (event
 * 3) and DNS messages (event 22).
 *
 * TCP is watched through the stack's own state changes
 * (sock:inet_sock_set_state), not the connect/accept syscalls, so io_uring
 * and in-kernel callers are seen too.  The state change to ESTABLISHED
 * often runs in softirq context on behalf of nobody, so the process is
 * recorded earlier, where the kernel runs in its context, in a socket
 * local storage ("owner"): at CLOSE -> SYN_SENT (connect) and at LISTEN
 * (listen); the storage is cloned into the sockets a listener accepts.
 *
 * UDP and DNS are watched on the cgroup socket-buffer hooks of the root
 * cgroup v2 (every socket of the host): egress runs in the sender's
 * context, ingress in softirq and uses the socket's owner.  Their return
 * value decides the packet's fate: they always return 1 (let it pass).
 *
 * Nothing here runs per syscall: only TCP state changes, packets (while
 * the family is armed) and bind()s pay.
 */
#include "common.bpf.h"

#include <bpf/bpf_endian.h>

#define AF_INET	 2
#define AF_INET6 10
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define DNS_PORT 53

/* The process a socket belongs to, kept with the socket. */
struct sock_owner {
	struct wire_task task;
	__u32 flags; /* OWNER_* */
	__u32 pad;
};

#define OWNER_CONNECT 0x1u /* set at connect: ESTABLISHED is outbound */
#define OWNER_LISTEN  0x2u /* a listener's: its accepted sockets inherit */

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct sock_owner);
} sock_owners SEC(".maps");

/* Counters user space reads (enum wire_net_count). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WIRE_NET_COUNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} net_counts SEC(".maps");

/*
 * UDP flows logged lately: (local, remote) -> when.  A repeat within
 * WIRE_UDP_WINDOW_NS is not logged again.  LRU: a flood of new flows
 * pushes out old ones (a pushed-out flow is logged again when it
 * repeats: a duplicate, never a loss); user space counts the evictions
 * from WIRE_NET_UDP_NEW and the live entries.
 */
struct flow_key {
	__u8 local_ip[16];
	__u8 remote_ip[16];
	__u16 local_port;
	__u16 remote_port;
	__u32 netns; /* network namespace inode */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WIRE_UDP_FLOWS_MAX);
	__type(key, struct flow_key);
	__type(value, __u64);
} udp_flows SEC(".maps");

/*
 * The kernel prefilter (user space derives it from the rules, see
 * src/config/prefilter.c): when cfg_net_port_filter is set, a connection
 * is sent only if its local or remote port has its bit in cfg_net_ports.
 */
__u32 cfg_net_port_filter = 0;
__u64 cfg_net_ports[65536 / 64] = {};

static __always_inline void count_net(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&net_counts, &what);

	if (n)
		*n += 1;
}

static __always_inline bool port_passes(__u16 port)
{
	return (cfg_net_ports[(port >> 6) & 1023] >> (port & 63)) & 1;
}

static __always_inline void map_v4(__u8 out[16], __u32 addr)
{
	__builtin_memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	__builtin_memcpy(out + 12, &addr, 4);
}

static __always_inline void owner_set(struct sock_owner *o,
				      struct task_struct *task, __u32 flags)
{
	fill_task(&o->task, task);
	o->flags = flags;
	o->pad = 0;
}

static __always_inline bool owner_is_self(const struct sock_owner *o)
{
	return o && cfg_self_tgid && o->task.tgid == cfg_self_tgid;
}

/* Send c unless the prefilter rules it out; counts what it filters. */
static __always_inline void emit_conn(struct wire_conn *c)
{
	if (cfg_net_port_filter && !port_passes(c->local_port) &&
	    !port_passes(c->remote_port)) {
		count_net(WIRE_NET_FILTERED);
		return;
	}
	emit(c, sizeof(*c));
}

static __always_inline void conn_from_owner(struct wire_conn *c,
					    const struct sock_owner *o)
{
	if (o)
		c->task = o->task;
	else
		c->flags |= WIRE_CONN_NO_OWNER;
}

/* ---- TCP ---------------------------------------------------------------- */

static __always_inline void tcp_established(struct sock *sk, int oldstate)
{
	struct sock_owner *o;
	struct wire_conn c = {};
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	o = bpf_sk_storage_get(&sock_owners, sk, NULL, 0);
	if (owner_is_self(o) || !is_wanted(3))
		return;
	c.hdr.kind = WIRE_NET_CONN;
	c.hdr.len = sizeof(c);
	c.hdr.ts_ns = bpf_ktime_get_boot_ns();
	conn_from_owner(&c, o);
	/* Simultaneous open goes SYN_SENT -> SYN_RECV -> ESTABLISHED: the
	 * owner's mark says who started it. */
	if ((o && (o->flags & OWNER_CONNECT)) || oldstate == TCP_SYN_SENT)
		c.flags |= WIRE_CONN_INITIATED;
	c.cookie = bpf_get_socket_cookie(sk);
	c.protocol = IPPROTO_TCP;
	if (family == AF_INET) {
		map_v4(c.local_ip, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
		map_v4(c.remote_ip, BPF_CORE_READ(sk, __sk_common.skc_daddr));
	} else {
		BPF_CORE_READ_INTO(&c.local_ip, sk,
				   __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&c.remote_ip, sk, __sk_common.skc_v6_daddr);
	}
	c.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	c.remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	emit_conn(&c);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_sock_inet_sock_set_state, struct sock *sk, int oldstate,
	     int newstate)
{
	struct sock_owner *o;
	__u16 family;

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	switch (newstate) {
	case TCP_SYN_SENT:
	case TCP_LISTEN:
		/* connect() and listen() run in the caller's context (also
		 * from io_uring's workers, threads of the caller). */
		o = bpf_sk_storage_get(&sock_owners, sk, NULL,
				       BPF_SK_STORAGE_GET_F_CREATE);
		if (o)
			owner_set(o, bpf_get_current_task_btf(),
				  newstate == TCP_SYN_SENT ? OWNER_CONNECT
							   : OWNER_LISTEN);
		break;
	case TCP_ESTABLISHED:
		if (oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV)
			tcp_established(sk, oldstate);
		break;
	}
	return 0;
}
