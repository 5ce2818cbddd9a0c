/* SPDX-License-Identifier: MIT */
/*
 * net/net.h - what event 3 needs besides the kernel record: addresses as
 * Sysmon writes them, port names from the services database, host names
 * from the DNS answers vigil captured, and reverse lookups off the event
 * path.
 *
 * net_format_ip(), the services parser and the name cache are pure
 * (memory in, memory out); net_services_load() reads one file and the
 * resolver runs lookups on its own thread.
 */
#ifndef VIGIL_NET_H
#define VIGIL_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "0:0:0:0:0:0:0:1" is 15, eight groups of 4 with 7 colons is 39. */
#define NET_IP_MAX 40

/*
 * A 16-byte address as Sysmon writes it into SourceIp/DestinationIp.
 * IPv4, kept by the kernel as v4-mapped ::ffff:a.b.c.d, is written dotted
 * and is not IPv6 (*is_ipv6 false), whichever socket family carried it:
 * a rule on DestinationIp 10.0.0.5 then also sees a connection made
 * through an AF_INET6 socket to ::ffff:10.0.0.5.  IPv6 is eight lower-case
 * groups without leading zeros and without "::" compression.
 */
void net_format_ip(const uint8_t ip[16], char out[NET_IP_MAX], bool *is_ipv6);

/* IPv6 in the usual compressed form (RFC 5952), IPv4 dotted: for
 * QueryResults, whose AAAA answers Sysmon writes compressed. */
void net_format_ip_short(const uint8_t ip[16], char out[NET_IP_MAX]);

/* --- services.c: port names ---------------------------------------------- */

struct net_services;

/*
 * Parse services(5) text: "name port/proto aliases... # comment".  Lines
 * that do not parse are skipped; the first name given for a port and
 * protocol wins, as getservbyport() returns it.  NULL + errno on ENOMEM.
 */
struct net_services *net_services_parse(const char *text, size_t len);

/* The same from a file (normally /etc/services); NULL + errno. */
struct net_services *net_services_load(const char *path);

/* The service name of port for protocol (IPPROTO_TCP / IPPROTO_UDP), or
 * NULL.  services NULL is fine (no database). */
const char *net_services_name(const struct net_services *s, uint16_t port,
			      uint8_t protocol);

size_t net_services_count(const struct net_services *s);

void net_services_free(struct net_services *s);

/* --- names.c: host names the DNS answers gave ------------------------------ */

/*
 * A bounded cache of (address -> name) learnt from captured DNS answers,
 * remembered per asking process and for the host as a whole.  A lookup
 * prefers the name this process resolved itself (a shared CDN address
 * answers to many names), then the latest any process resolved.  Oldest
 * entries are replaced when full.
 */
struct net_names;

struct net_names *net_names_new(size_t max_entries);
void net_names_free(struct net_names *n);

/* Remember that tgid's lookup of name answered ip. */
void net_names_add(struct net_names *n, const uint8_t ip[16], uint32_t tgid,
		   const char *name);

/* The name for ip, tgid's own first; NULL if none.  Valid until the next
 * net_names_add(). */
const char *net_names_find(const struct net_names *n, const uint8_t ip[16],
			   uint32_t tgid);

/* --- resolver.c: reverse lookups, never on the event path ------------------ */

/*
 * Reverse lookups (getnameinfo, name required) on a worker thread, with a
 * bounded cache of answers, failures included.  net_resolver_name()
 * never waits: it returns the cached name, or NULL and queues the
 * address (when the queue has room) so that a later event finds it.  A
 * lookup that takes longer than timeout_ms is abandoned by the cache (the
 * worker is not killed: getnameinfo cannot be cancelled; the queue stays
 * bounded).
 */
struct net_resolver;

struct net_resolver *net_resolver_new(size_t cache_max, unsigned timeout_ms);
void net_resolver_free(struct net_resolver *r);

#define NET_NAME_MAX 256

/* Copy the cached name of ip into out: true; false when there is none
 * (not resolved yet, or no name), having queued it for the worker. */
bool net_resolver_name(struct net_resolver *r, const uint8_t ip[16],
		       char out[NET_NAME_MAX]);

/* Counters for the status file. */
struct net_resolver_stats {
	uint64_t lookups; /* getnameinfo calls made */
	uint64_t names; /* of which gave a name */
	uint64_t queue_full; /* addresses not queued: the queue was full */
	uint64_t slow; /* lookups that took longer than the timeout */
};
void net_resolver_stats(struct net_resolver *r, struct net_resolver_stats *out);

#endif /* VIGIL_NET_H */
