/* SPDX-License-Identifier: MIT */
/*
 * net/addr.c - addresses as text, Sysmon's way (event 3) and the usual
 * way (QueryResults of event 22).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "net.h"
#include "util/fmt.h"

static bool is_v4_mapped(const uint8_t ip[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0,    0,
					    0, 0, 0, 0, 0xff, 0xff };

	return memcmp(ip, prefix, sizeof(prefix)) == 0;
}

/* Dotted quad of the last four bytes: once or twice per event. */
static void format_v4(const uint8_t ip[16], char out[NET_IP_MAX])
{
	char *p = out;

	for (int i = 12; i < 16; i++) {
		p += fmt_uint(p, ip[i]);
		*p++ = i < 15 ? '.' : '\0';
	}
}

void net_format_ip(const uint8_t ip[16], char out[NET_IP_MAX], bool *is_ipv6)
{
	*is_ipv6 = !is_v4_mapped(ip);
	if (!*is_ipv6) {
		format_v4(ip, out);
		return;
	}
	snprintf(out, NET_IP_MAX, "%x:%x:%x:%x:%x:%x:%x:%x", ip[0] << 8 | ip[1],
		 ip[2] << 8 | ip[3], ip[4] << 8 | ip[5], ip[6] << 8 | ip[7],
		 ip[8] << 8 | ip[9], ip[10] << 8 | ip[11], ip[12] << 8 | ip[13],
		 ip[14] << 8 | ip[15]);
}

void net_format_ip_short(const uint8_t ip[16], char out[NET_IP_MAX])
{
	if (is_v4_mapped(ip)) {
		format_v4(ip, out);
		return;
	}
	/* inet_ntop is pure and writes RFC 5952 text, which is what
	 * Sysmon's AAAA answers look like ("2a02:6b1::2:212"). */
	if (!inet_ntop(AF_INET6, ip, out, NET_IP_MAX))
		snprintf(out, NET_IP_MAX, "-");
}
