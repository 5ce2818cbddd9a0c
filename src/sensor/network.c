/* SPDX-License-Identifier: MIT */
/*
 * sensor/network.c - the network family (bpf/net.bpf.c): connections
 * become event 3 NetworkConnect, DNS messages event 22 DnsQuery.
 *
 * Source is always this host's end and Destination the peer, for inbound
 * connections too (Initiated false): that is how Windows Sysmon writes
 * them (a listener's port appears as SourcePort), and what the Windows
 * configs' SourcePort/SourcePortName filters expect.  Sysmon for Linux
 * swaps them for TCP accepts; man/vigil.8 says so.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "catalog/fields.h"
#include "dns/dns.h"
#include "event/event.h"
#include "family.h"
#include "net/net.h"

#define ZERO_GUID "{00000000-0000-0000-0000-000000000000}"

/* A record whose socket had no known process: Sysmon's rendering. */
static void set_unknown_subject(struct event *ev, const struct proc_fields *f,
				int user_field)
{
	event_set_str(ev, (unsigned)f->guid, ZERO_GUID);
	event_set_str(ev, (unsigned)f->pid, "0");
	event_set_str(ev, (unsigned)f->image, "<unknown process>");
	if (user_field >= 0)
		event_set_str(ev, (unsigned)user_field, "-");
}

static void want_port_name(struct decoder *d, int field, uint16_t port,
			   uint8_t protocol)
{
	struct decode_want *w = decode_want(d, WANT_PORT_NAME, field);

	if (w) {
		w->port.port = port;
		w->port.protocol = protocol;
	}
}

static void want_hostname(struct decoder *d, int field, const uint8_t ip[16])
{
	struct decode_want *w;

	if (!d->dns_lookup)
		return;
	w = decode_want(d, WANT_HOSTNAME, field);
	if (w)
		memcpy(w->host.ip, ip, 16);
}

/* One end: IsIpv6, Ip, Port, and what enrichment names. */
static void set_end(struct decoder *d, struct event *ev, const uint8_t ip[16],
		    uint16_t port, uint8_t protocol, unsigned first)
{
	/* first is *_IS_IPV6; Ip, Hostname, Port, PortName follow. */
	char text[NET_IP_MAX];
	bool is_ipv6;

	net_format_ip(ip, text, &is_ipv6);
	event_set_str(ev, first, is_ipv6 ? "true" : "false");
	event_set_str(ev, first + 1, text);
	event_set_u64(ev, first + 3, port);
	want_port_name(d, (int)first + 4, port, protocol);
}

static int decode_conn(struct decoder *d, const void *rec, size_t len,
		       struct event *ev)
{
	static const struct proc_fields f = {
		.guid = EV3_PROCESS_GUID,
		.pid = EV3_PROCESS_ID,
		.image = EV3_IMAGE,
		.cmdline = -1,
	};
	const struct wire_conn *c = rec;
	const char *name;
	int r;

	(void)len;
	if (c->protocol != IPPROTO_TCP && c->protocol != IPPROTO_UDP)
		return -EINVAL;
	if ((r = event_init(ev, 3)) < 0)
		return r;
	event_set_time(ev, decode_utc(d, c->hdr.ts_ns));
	if (c->flags & WIRE_CONN_NO_OWNER)
		set_unknown_subject(ev, &f, EV3_USER);
	else
		decode_subject(d, &c->task, ev, &f, EV3_USER);
	event_set_str(ev, EV3_PROTOCOL,
		      c->protocol == IPPROTO_TCP ? "tcp" : "udp");
	event_set_str(ev, EV3_INITIATED,
		      c->flags & WIRE_CONN_INITIATED ? "true" : "false");
	set_end(d, ev, c->local_ip, c->local_port, c->protocol,
		EV3_SOURCE_IS_IPV6);
	set_end(d, ev, c->remote_ip, c->remote_port, c->protocol,
		EV3_DESTINATION_IS_IPV6);
	/* The peer's name: first what the process itself resolved (a name
	 * a reverse lookup would never give back), then a reverse lookup. */
	name = net_names_find(d->names, c->remote_ip, c->task.tgid);
	if (name)
		event_set_str(ev, EV3_DESTINATION_HOSTNAME, name);
	else
		want_hostname(d, EV3_DESTINATION_HOSTNAME, c->remote_ip);
	want_hostname(d, EV3_SOURCE_HOSTNAME, c->local_ip);
	return 1;
}

/* What the tracker keeps of a packet's process: its task and whether it
 * was known at all. */
struct asker {
	struct wire_task task;
	uint32_t is_unknown;
};
_Static_assert(sizeof(struct asker) <= sizeof(struct dns_ctx), "dns_ctx");

/* Addresses the answer gave, for event 3's DestinationHostname. */
static void learn_names(struct decoder *d, const struct dns_result *r,
			uint32_t tgid)
{
	if (!r->msg)
		return;
	for (unsigned i = 0; i < r->msg->nanswers; i++) {
		const struct dns_answer *a = &r->msg->answers[i];

		if (a->type == DNS_TYPE_A || a->type == DNS_TYPE_AAAA)
			net_names_add(d->names, a->addr, tgid, r->qname);
	}
}

/* One result of the tracker as event 22. */
static int dns_event(struct decoder *d, const struct dns_result *r,
		     struct event *ev)
{
	static const struct proc_fields f = {
		.guid = EV22_PROCESS_GUID,
		.pid = EV22_PROCESS_ID,
		.image = EV22_IMAGE,
		.cmdline = -1,
	};
	struct asker who;
	char results[DNS_RESULTS_MAX];
	int rc;

	memcpy(&who, r->ctx.bytes, sizeof(who));
	learn_names(d, r, who.is_unknown ? 0 : who.task.tgid);
	if ((rc = event_init(ev, 22)) < 0)
		return rc;
	event_set_time(ev, decode_utc(d, r->ts_ns));
	if (who.is_unknown)
		set_unknown_subject(ev, &f, EV22_USER);
	else
		decode_subject(d, &who.task, ev, &f, EV22_USER);
	event_set_str(ev, EV22_QUERY_NAME, r->qname);
	event_setf(ev, EV22_QUERY_STATUS, "%u", r->status);
	if (r->msg) {
		dns_format_results(r->msg, results, sizeof(results));
		event_set_str(ev, EV22_QUERY_RESULTS, results);
	}
	return 1;
}

static int decode_dns(struct decoder *d, const void *rec, size_t len,
		      struct event *ev)
{
	const struct wire_dns *w = rec;
	struct dns_result r;
	struct dns_ctx ctx = { 0 };
	struct asker who = { .task = w->task };
	const char *p;
	size_t n;

	if (wire_read(w->data, len - sizeof(*w), &w->payload, &p, &n) < 0)
		return -EINVAL;
	if (!d->dns)
		return 0;
	who.is_unknown = (w->flags & WIRE_DNS_NO_OWNER) != 0;
	memcpy(ctx.bytes, &who, sizeof(who));
	dns_track_packet(d->dns, w->hdr.ts_ns, w->cookie,
			 w->flags & WIRE_DNS_SENT, w->protocol == IPPROTO_TCP,
			 w->seq, (const uint8_t *)p, n, &ctx);
	if (!dns_track_next(d->dns, &r))
		return 0;
	return dns_event(d, &r, ev);
}

/* Results the last packet left, and queries that got no answer. */
static int more_dns(struct decoder *d, uint64_t now_boot_ns, bool is_final,
		    struct event *ev)
{
	struct dns_result r;

	if (!d->dns)
		return 0;
	if (is_final)
		dns_track_flush(d->dns, now_boot_ns);
	else if (now_boot_ns)
		dns_track_expire(d->dns, now_boot_ns);
	if (!dns_track_next(d->dns, &r))
		return 0;
	return dns_event(d, &r, ev);
}

const struct sensor_family sensor_family_network = {
	.name = "network",
	.event_ids = { 3, 22 },
	.programs = {
		"on_sock_inet_sock_set_state",
		"on_cgroup_skb_egress",
		"on_cgroup_skb_ingress",
		"on_cgroup_post_bind4",
		"on_cgroup_post_bind6",
		"on_iter_task_file",
	},
	.records = {
		{ WIRE_NET_CONN, sizeof(struct wire_conn), false, decode_conn },
		{ WIRE_NET_DNS, sizeof(struct wire_dns), true, decode_dns },
	},
	.more = more_dns,
};
