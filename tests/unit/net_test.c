/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the net module: addresses as Sysmon writes them, the
 * services(5) parser, and the cache of names from DNS answers.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net/net.h"
#include "tap.h"

static void test_format(void)
{
	const uint8_t v4[16] = { 0, 0, 0,    0,	   0,  0,   0,	0,
				 0, 0, 0xff, 0xff, 10, 132, 15, 213 };
	const uint8_t lo6[16] = { [15] = 1 };
	const uint8_t ll[16] = {
		0xfe, 0x80, 0,	  0,	0,    0,    0,	  0,
		0x11, 0x6b, 0xfe, 0x91, 0x1f, 0x2d, 0x5b, 0xcd
	};
	char out[NET_IP_MAX];
	bool v6;

	net_format_ip(v4, out, &v6);
	CHECK_STR(out, "10.132.15.213");
	CHECK(!v6);
	/* Sysmon's IPv6: eight groups, no "::", no leading zeros. */
	net_format_ip(lo6, out, &v6);
	CHECK_STR(out, "0:0:0:0:0:0:0:1");
	CHECK(v6);
	net_format_ip(ll, out, &v6);
	CHECK_STR(out, "fe80:0:0:0:116b:fe91:1f2d:5bcd");
	net_format_ip_short(ll, out);
	CHECK_STR(out, "fe80::116b:fe91:1f2d:5bcd");
	net_format_ip_short(v4, out);
	CHECK_STR(out, "10.132.15.213");
}

static void test_services(void)
{
	static const char text[] =
		"# comment\n"
		"http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP\n"
		"domain 53/tcp\n"
		"domain 53/udp\n"
		"alt-http 80/tcp\n" /* a second name: the first wins */
		"bad 99999/tcp\n"
		"bad2 12x/tcp\n"
		"nolen\n"
		"sctp-only 9/sctp\n"
		"ntp 123/udp";
	struct net_services *s = net_services_parse(text, sizeof(text) - 1);

	CHECK(s != NULL);
	CHECK_STR(net_services_name(s, 80, IPPROTO_TCP), "http");
	CHECK(net_services_name(s, 80, IPPROTO_UDP) == NULL);
	CHECK_STR(net_services_name(s, 53, IPPROTO_UDP), "domain");
	CHECK_STR(net_services_name(s, 123, IPPROTO_UDP), "ntp");
	CHECK(net_services_name(s, 9, IPPROTO_TCP) == NULL);
	CHECK(net_services_count(s) == 4);
	CHECK(net_services_name(NULL, 80, IPPROTO_TCP) == NULL);
	net_services_free(s);
	net_services_free(NULL);
}

static void test_names(void)
{
	struct net_names *n = net_names_new(64);
	uint8_t ip[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 10 };
	char name[32];

	CHECK(net_names_find(n, ip, 1) == NULL);
	net_names_add(n, ip, 100, "pool.minexmr.com");
	net_names_add(n, ip, 200, "other.cdn.example");
	/* Each process gets the name it resolved itself ... */
	CHECK_STR(net_names_find(n, ip, 100), "pool.minexmr.com");
	CHECK_STR(net_names_find(n, ip, 200), "other.cdn.example");
	/* ... any other the latest any process resolved. */
	CHECK_STR(net_names_find(n, ip, 300), "other.cdn.example");
	/* Bounded: many more names than slots, the cache still answers
	 * for the newest. */
	for (int i = 0; i < 1000; i++) {
		ip[15] = (uint8_t)i;
		ip[14] = (uint8_t)(i >> 8);
		snprintf(name, sizeof(name), "h%d.example", i);
		net_names_add(n, ip, 0, name);
	}
	CHECK_STR(net_names_find(n, ip, 0), "h999.example");
	net_names_free(n);
}

int main(void)
{
	test_format();
	test_services();
	test_names();
	return tap_done("net_test");
}
