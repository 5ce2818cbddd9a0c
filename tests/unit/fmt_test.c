/* SPDX-License-Identifier: MIT */
/*
 * Unit test for util/fmt.c and the formatting that moved onto it: each
 * against snprintf() over edge values and a sweep, and event times in
 * both layouts against the printf formats they replace.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event/event.h"
#include "net/net.h"
#include "proc/proc.h"
#include "tap.h"
#include "util/fmt.h"

static const char *uint_text(uint64_t v, unsigned width)
{
	static char out[FMT_UINT_MAX + 32];

	out[fmt_uint_pad(out, v, width)] = '\0';
	return out;
}

static void test_uint(void)
{
	static const uint64_t edges[] = { 0,	     1,		  9,
					  10,	     99,	  100,
					  65535,     4294967295u, 4294967296u,
					  UINT64_MAX };
	char want[64], got[64];
	int bad = 0;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		snprintf(want, sizeof(want), "%" PRIu64, edges[i]);
		CHECK_STR(uint_text(edges[i], 0), want);
		snprintf(want, sizeof(want), "%04" PRIu64, edges[i]);
		CHECK_STR(uint_text(edges[i], 4), want);
	}
	for (uint64_t v = 0; v < 200000; v += 7) {
		snprintf(want, sizeof(want), "%09" PRIu64, v);
		got[fmt_uint_pad(got, v, 9)] = '\0';
		bad += strcmp(got, want) != 0;
	}
	CHECK(bad == 0);
	CHECK(fmt_uint(got, UINT64_MAX) == FMT_UINT_MAX);
}

static void test_hex(void)
{
	char got[32];

	got[fmt_hex_pad(got, 0xabcdef12u, 8)] = '\0';
	CHECK_STR(got, "abcdef12");
	got[fmt_hex_pad(got, 0x1u, 4)] = '\0';
	CHECK_STR(got, "0001");
	/* only the low digits, as %012llx of a masked value */
	got[fmt_hex_pad(got, 0xffff123456789abcull, 12)] = '\0';
	CHECK_STR(got, "123456789abc");
	got[fmt_hex_pad(got, UINT64_MAX, 16)] = '\0';
	CHECK_STR(got, "ffffffffffffffff");
}

static void test_time(void)
{
	static const uint64_t times[] = {
		0, 1735689600123456789ull, /* 2025-01-01 00:00:00.123456789 */
		951782400999999999ull, /* 2000-02-29 00:00:00.999999999 */
		4102444799000000001ull, /* 2099-12-31 23:59:59 */
	};
	char got[64], want[64];

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		time_t s = (time_t)(times[i] / 1000000000ull);
		unsigned long ns = (unsigned long)(times[i] % 1000000000ull);
		struct tm tm;

		gmtime_r(&s, &tm);
		snprintf(want, sizeof(want),
			 "%04d-%02d-%02d %02d:%02d:%02d.%03lu",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, ns / 1000000);
		event_format_time(times[i], false, got, sizeof(got));
		CHECK_STR(got, want);
		snprintf(want, sizeof(want),
			 "%04d-%02d-%02dT%02d:%02d:%02d.%09luZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
		event_format_time(times[i], true, got, sizeof(got));
		CHECK_STR(got, want);
	}
	/* a short buffer gets what fits, NUL-terminated, like snprintf */
	event_format_time(times[1], false, got, 11);
	CHECK_STR(got, "2025-01-01");
}

static void test_ip_and_guid(void)
{
	uint8_t ip[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 10, 255 };
	char text[NET_IP_MAX], guid[PROC_GUID_LEN + 1];
	bool is_v6;

	net_format_ip(ip, text, &is_v6);
	CHECK_STR(text, "127.0.10.255");
	CHECK(!is_v6);
	net_format_ip_short(ip, text);
	CHECK_STR(text, "127.0.10.255");
	proc_format_guid(guid, 0x5b8e3f2au, 0x6789abcdu, 0x0123456789abcdefull);
	CHECK_STR(guid, "{5b8e3f2a-abcd-6789-0123-456789abcdef}");
	CHECK(strlen(guid) == PROC_GUID_LEN);
}

int main(void)
{
	test_uint();
	test_hex();
	test_time();
	test_ip_and_guid();
	return tap_done("fmt");
}
