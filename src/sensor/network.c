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
	struct decode_want *w = decode_want(d, WANT_HOSTNAME, field);

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
	event_setf(ev, first + 3, "%u", port);
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

static int decode_dns(struct decoder *d, const void *rec, size_t len,
		      struct event *ev)
{
	(void)d;
	(void)rec;
	(void)len;
	(void)ev;
	return 0;
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
	},
	.records = {
		{ WIRE_NET_CONN, sizeof(struct wire_conn), false, decode_conn },
		{ WIRE_NET_DNS, sizeof(struct wire_dns), true, decode_dns },
	},
};
