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

#define AF_INET	   2
#define AF_INET6   10
#define ETH_P_IP   0x0800
#define ETH_P_IPV6 0x86DD
#define DNS_PORT   53

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
	fill_task_btf(&o->task, task);
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

static __always_inline void tcp_established(struct sock *sk, int oldstate,
					    __u16 family)
{
	struct sock_owner *o;
	struct wire_conn c = {};

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
	/* sk is a BTF pointer: plain loads, no probe-read calls. */
	if (family == AF_INET) {
		map_v4(c.local_ip, sk->__sk_common.skc_rcv_saddr);
		map_v4(c.remote_ip, sk->__sk_common.skc_daddr);
	} else {
		__builtin_memcpy(c.local_ip, &sk->__sk_common.skc_v6_rcv_saddr,
				 16);
		__builtin_memcpy(c.remote_ip, &sk->__sk_common.skc_v6_daddr,
				 16);
	}
	c.local_port = sk->__sk_common.skc_num;
	c.remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
	emit_conn(&c);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(on_sock_inet_sock_set_state, struct sock *sk, int oldstate,
	     int newstate)
{
	struct sock_owner *o;
	__u16 family;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	family = sk->__sk_common.skc_family;
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
			tcp_established(sk, oldstate, family);
		break;
	}
	return 0;
}

/* ---- UDP flows and DNS: the cgroup socket-buffer hooks -------------------- */

/* Where a packet's transport header and payload are, and its ends. */
struct pkt {
	__u8 src_ip[16];
	__u8 dst_ip[16];
	__u16 src_port;
	__u16 dst_port;
	__u32 payload_off;
	__u32 payload_len;
	__u32 seq; /* TCP */
};

/* Parse IPv4/IPv6 + UDP/TCP headers of skb (data starts at the IP header
 * on these hooks).  IPv6 extension headers are not walked: such packets
 * are left alone. */
static __always_inline bool parse_pkt(struct __sk_buff *skb, __u8 proto,
				      struct pkt *p)
{
	__u32 l4, len = skb->len;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
			return false;
		if (ip.protocol != proto || (ip.frag_off & bpf_htons(0x1fff)))
			return false;
		map_v4(p->src_ip, ip.saddr);
		map_v4(p->dst_ip, ip.daddr);
		l4 = ip.ihl * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
			return false;
		if (ip6.nexthdr != proto)
			return false;
		__builtin_memcpy(p->src_ip, &ip6.saddr, 16);
		__builtin_memcpy(p->dst_ip, &ip6.daddr, 16);
		l4 = sizeof(ip6);
	} else {
		return false;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr uh;

		if (bpf_skb_load_bytes(skb, l4, &uh, sizeof(uh)))
			return false;
		p->src_port = bpf_ntohs(uh.source);
		p->dst_port = bpf_ntohs(uh.dest);
		p->payload_off = l4 + sizeof(uh);
		p->seq = 0;
	} else {
		struct tcphdr th;

		if (bpf_skb_load_bytes(skb, l4, &th, sizeof(th)))
			return false;
		p->src_port = bpf_ntohs(th.source);
		p->dst_port = bpf_ntohs(th.dest);
		p->payload_off = l4 + th.doff * 4;
		p->seq = bpf_ntohl(th.seq);
	}
	p->payload_len = len > p->payload_off ? len - p->payload_off : 0;
	return true;
}

/* The first datagram of a UDP flow, either way, is a connection. */
static __always_inline void udp_flow(struct __sk_buff *skb,
				     const struct sock_owner *o,
				     const __u8 *local_ip, __u16 local_port,
				     const __u8 *remote_ip, __u16 remote_port,
				     bool is_sent)
{
	struct flow_key k = {};
	struct wire_conn c = {};
	__u64 now = bpf_ktime_get_boot_ns(), *last;

	if (cfg_net_port_filter && !port_passes(local_port) &&
	    !port_passes(remote_port)) {
		count_net(WIRE_NET_FILTERED);
		return;
	}
	__builtin_memcpy(k.local_ip, local_ip, 16);
	__builtin_memcpy(k.remote_ip, remote_ip, 16);
	k.local_port = local_port;
	k.remote_port = remote_port;
	k.netns = (__u32)bpf_get_netns_cookie(skb);
	last = bpf_map_lookup_elem(&udp_flows, &k);
	if (last && now - *last < WIRE_UDP_WINDOW_NS) {
		count_net(WIRE_NET_UDP_REPEAT);
		return;
	}
	if (!last)
		count_net(WIRE_NET_UDP_NEW);
	bpf_map_update_elem(&udp_flows, &k, &now, BPF_ANY);

	c.hdr.kind = WIRE_NET_CONN;
	c.hdr.len = sizeof(c);
	c.hdr.ts_ns = now;
	conn_from_owner(&c, o);
	if (is_sent)
		c.flags |= WIRE_CONN_INITIATED;
	c.cookie = bpf_get_socket_cookie(skb);
	c.protocol = IPPROTO_UDP;
	__builtin_memcpy(c.local_ip, local_ip, 16);
	__builtin_memcpy(c.remote_ip, remote_ip, 16);
	c.local_port = local_port;
	c.remote_port = remote_port;
	emit(&c, sizeof(c));
}

/* A packet to or from port 53: its payload for user space to parse. */
static __always_inline void dns_packet(struct __sk_buff *skb,
				       const struct sock_owner *o, __u8 proto,
				       const struct pkt *p, bool is_sent)
{
	struct scratch *s;
	struct wire_dns *d;
	__u32 len = p->payload_len;

	_Static_assert(sizeof(*d) <= WIRE_FIXED_MAX, "scratch too small");
	if (len == 0)
		return;
	s = get_scratch();
	if (!s)
		return;
	d = (struct wire_dns *)s->bytes;
	d->hdr.kind = WIRE_NET_DNS;
	d->hdr.ts_ns = bpf_ktime_get_boot_ns();
	if (o) {
		d->task = o->task;
		d->flags = 0;
	} else {
		__builtin_memset(&d->task, 0, sizeof(d->task));
		d->flags = WIRE_DNS_NO_OWNER;
	}
	if (is_sent)
		d->flags |= WIRE_DNS_SENT;
	if (len > WIRE_DNS_MAX) {
		len = WIRE_DNS_MAX;
		d->flags |= WIRE_DNS_TRUNC;
	}
	d->cookie = bpf_get_socket_cookie(skb);
	d->seq = p->seq;
	d->protocol = proto;
	d->pad = 0;
	d->payload.off = 0;
	d->payload.full_len = p->payload_len;
	d->payload.flags = len < p->payload_len ? WIRE_STR_TRUNC : 0;
	d->payload.pad = 0;
	/* The verifier wants the length proven in [1, WIRE_DNS_MAX]. */
	len &= 2 * WIRE_DNS_MAX - 1;
	if (len < 1 || len > WIRE_DNS_MAX)
		return;
	if (bpf_skb_load_bytes(skb, p->payload_off, d->data, len))
		return;
	d->payload.len = len;
	d->hdr.len = sizeof(*d) + len;
	emit(d, sizeof(*d) + len);
}

/* The process behind a packet: the sender, when the packet leaves a UDP
 * socket (the kernel sends it in the sender's context); else the socket's
 * recorded owner.  NULL when unknown. */
static __always_inline struct sock_owner *pkt_owner(struct bpf_sock *sk,
						    __u8 proto, bool is_sent)
{
	struct sock_owner *o;

	if (!is_sent || proto != IPPROTO_UDP)
		return bpf_sk_storage_get(&sock_owners, sk, NULL, 0);
	o = bpf_sk_storage_get(&sock_owners, sk, NULL,
			       BPF_SK_STORAGE_GET_F_CREATE);
	if (o && o->task.tgid != bpf_get_current_pid_tgid() >> 32)
		owner_set(o, bpf_get_current_task_btf(), o->flags);
	return o;
}

static __always_inline void on_skb(struct __sk_buff *skb, bool is_sent)
{
	struct bpf_sock *sk = skb->sk;
	struct sock_owner *o;
	struct pkt p;
	__u16 local_port, remote_port;
	const __u8 *local_ip, *remote_ip;
	__u8 proto;
	bool is_dns;

	/* Attached for good once attached (see src/sensor/loader.c): idle
	 * while neither event is wanted. */
	if (!is_wanted(3) && !is_wanted(22))
		return;
	if (!sk)
		return;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return;
	proto = sk->protocol;
	/* TCP packets matter only for DNS over TCP. */
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return;
	if (proto == IPPROTO_TCP && sk->dst_port != bpf_htons(DNS_PORT))
		return;
	if (!parse_pkt(skb, proto, &p))
		return;
	if (is_sent) {
		local_ip = p.src_ip, local_port = p.src_port;
		remote_ip = p.dst_ip, remote_port = p.dst_port;
	} else {
		local_ip = p.dst_ip, local_port = p.dst_port;
		remote_ip = p.src_ip, remote_port = p.src_port;
	}
	o = pkt_owner(sk, proto, is_sent);
	if (owner_is_self(o))
		return;
	/* A client's side of DNS: to or from a server's port 53. */
	is_dns = remote_port == DNS_PORT;
	if (is_dns && (is_wanted(22) || is_wanted(3)))
		dns_packet(skb, o, proto, &p, is_sent);
	if (proto == IPPROTO_UDP && is_wanted(3))
		udp_flow(skb, o, local_ip, local_port, remote_ip, remote_port,
			 is_sent);
}

SEC("cgroup_skb/egress")
int on_cgroup_skb_egress(struct __sk_buff *skb)
{
	on_skb(skb, true);
	return 1; /* always let the packet pass */
}

SEC("cgroup_skb/ingress")
int on_cgroup_skb_ingress(struct __sk_buff *skb)
{
	on_skb(skb, false);
	return 1; /* always let the packet pass */
}

/* bind() runs in the caller's context: the owner of a socket that may
 * receive before it ever sends (a UDP server). */
static __always_inline void on_bind(struct bpf_sock *sk)
{
	struct sock_owner *o;

	if (sk->protocol != IPPROTO_UDP && sk->protocol != IPPROTO_TCP)
		return;
	o = bpf_sk_storage_get(&sock_owners, sk, NULL,
			       BPF_SK_STORAGE_GET_F_CREATE);
	if (o)
		owner_set(o, bpf_get_current_task_btf(), o->flags);
}

SEC("cgroup/post_bind4")
int on_cgroup_post_bind4(struct bpf_sock *sk)
{
	on_bind(sk);
	return 1; /* always allow the bind */
}

SEC("cgroup/post_bind6")
int on_cgroup_post_bind6(struct bpf_sock *sk)
{
	on_bind(sk);
	return 1; /* always allow the bind */
}

/* ---- sockets that predate the hooks ---------------------------------- */

/*
 * Run once each time the family is armed (src/sensor/loader.c): every
 * TCP or UDP socket some process holds gets that process as its owner
 * when it has none yet, so a server started before vigil (sshd) is
 * named for the connections it accepts.  The first holder found wins:
 * for a listener shared by a pre-forked server, that is one of them.
 */
SEC("iter/task_file")
int on_iter_task_file(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct sock_owner *o;
	struct socket *sock;
	struct sock *sk;
	__u16 family;
	__u8 state;

	if (!task || !file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = sock->sk; /* a BTF pointer, as the helper below wants */
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP &&
	    BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
		return 0;
	o = bpf_sk_storage_get(&sock_owners, sk, NULL,
			       BPF_SK_STORAGE_GET_F_CREATE);
	if (!o || o->task.tgid)
		return 0;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	owner_set(o, task,
		  state == TCP_LISTEN	  ? OWNER_LISTEN
		  : state == TCP_SYN_SENT ? OWNER_CONNECT
					  : 0);
	return 0;
}
