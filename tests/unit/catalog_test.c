/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for catalog/ and event/: the table is consistent with the
 * manifest and values round-trip.
 */
#include <errno.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/fields.h"
#include "event/event.h"
#include "tap.h"

static void test_table_is_consistent(void)
{
	unsigned prev = 0;
	size_t n = catalog_count();

	CHECK(n == 31); /* 1..29, 100, 255 */
	for (size_t i = 0; i < n; i++) {
		const struct catalog_event *e = catalog_at(i);
		unsigned k = 0;

		CHECK(e->id > prev);
		prev = e->id;
		while (e->fields[k].name)
			k++;
		CHECK(k == e->nfields);
		CHECK(e->nfields <= CATALOG_MAX_FIELDS);
		CHECK((e->rule_tag == NULL) ==
		      (e->rule_default == CATALOG_ALWAYS));
	}
	CHECK(catalog_at(n) == NULL);
}

static void test_lookups(void)
{
	const struct catalog_event *pc = catalog_lookup(1);

	CHECK(pc && catalog_sysmon_fields(pc) == 23 && pc->version == 5);
	CHECK(pc->nfields == 23 + pc->nextra);
	CHECK_STR(pc->rule_tag, "ProcessCreate");
	CHECK(pc->rule_default == CATALOG_INCLUDE);
	CHECK(catalog_field_index(pc, "ParentUser") == 22);
	CHECK(catalog_field_index(pc, "parentuser") == -1);
	CHECK(catalog_lookup(255)->level == 2);
	CHECK(catalog_lookup(4)->rule_tag == NULL);
	CHECK(catalog_lookup(30) == NULL);
	CHECK(catalog_lookup_tag("RegistryEvent")->id == 12);
	CHECK(catalog_lookup_tag("eBPFEvent")->id == 100);
	CHECK(catalog_field_index(catalog_lookup(10), "SourceProcessGUID") ==
	      2);
	CHECK(catalog_lookup(5)->fields[5].type == CATALOG_STRING);
	CHECK(catalog_lookup(1)->fields[3].type == CATALOG_PID);
}

static void test_event_values(void)
{
	struct event ev;
	size_t len;

	CHECK(event_init(&ev, 77) == -EINVAL);
	event_release(&ev);
	CHECK(event_init(&ev, 5) == 0);
	CHECK_STR(event_value(&ev, 4, &len), "-");
	CHECK(len == 1);
	CHECK(event_set_named(&ev, "Image", "/usr/bin/true") == 0);
	CHECK_STR(event_named(&ev, "Image"), "/usr/bin/true");
	CHECK(event_set_named(&ev, "Nope", "x") == -ENOENT);
	CHECK(event_set_uint(&ev, "ProcessId", 0) == 0);
	CHECK_STR(event_named(&ev, "ProcessId"), "0");
	CHECK(event_set_uint(&ev, "ProcessId", 18446744073709551615ull) == 0);
	CHECK_STR(event_named(&ev, "ProcessId"), "18446744073709551615");
	CHECK(event_set_uint(&ev, "Nope", 1) == -ENOENT);
	CHECK(event_set(&ev, 99, "x", 1) == -EINVAL);
	CHECK(event_set(&ev, 4, "", 0) == 0);
	CHECK_STR(event_value(&ev, 4, NULL), "-");
	CHECK(event_set(&ev, 4, "a\0b", 3) == 0);
	CHECK_STR(event_value(&ev, 4, &len), "a");
	event_set_time(&ev, 1700000000123456789ull);
	CHECK_STR(event_named(&ev, "UtcTime"), "2023-11-14 22:13:20.123");
	event_release(&ev);
	event_release(NULL);
}

static void test_event_is_bounded(void)
{
	static char big[EVENT_MAX_BYTES + 10];
	struct event ev;
	size_t len;

	memset(big, 'A', sizeof(big));
	CHECK(event_init(&ev, 1) == 0);
	CHECK(event_set(&ev, 10, big, sizeof(big)) == 0);
	CHECK(ev.is_truncated);
	event_value(&ev, 10, &len);
	CHECK(len == EVENT_MAX_BYTES - 1);
	CHECK(event_set(&ev, 4, "/x", 2) == 0);
	CHECK_STR(event_value(&ev, 4, NULL), "-");
	event_release(&ev);
}

static void test_time_round_trip(void)
{
	char s[40];
	uint64_t ns = 0;

	event_format_time(1700000000123456789ull, true, s, sizeof(s));
	CHECK_STR(s, "2023-11-14T22:13:20.123456789Z");
	CHECK(event_parse_time("2023-11-14 22:13:20.123", &ns) == 0);
	CHECK(ns == 1700000000123000000ull);
	CHECK(event_parse_time("2023-11-14 22:13:20", &ns) == -EINVAL);
	CHECK(event_parse_time("2023-11-14 22:13:20.123x", &ns) == -EINVAL);
}

/* The index constants of fields.h sit where catalog.c put each name, and
 * every event has exactly its constants' count of fields. */
static void test_field_constants(void)
{
	static const struct {
		unsigned id, nfields;
	} counts[] = {
		{ 1, EV1_NFIELDS },	{ 2, EV2_NFIELDS },
		{ 3, EV3_NFIELDS },	{ 4, EV4_NFIELDS },
		{ 5, EV5_NFIELDS },	{ 6, EV6_NFIELDS },
		{ 7, EV7_NFIELDS },	{ 8, EV8_NFIELDS },
		{ 9, EV9_NFIELDS },	{ 10, EV10_NFIELDS },
		{ 11, EV11_NFIELDS },	{ 12, EV12_NFIELDS },
		{ 13, EV13_NFIELDS },	{ 14, EV14_NFIELDS },
		{ 15, EV15_NFIELDS },	{ 16, EV16_NFIELDS },
		{ 17, EV17_NFIELDS },	{ 18, EV18_NFIELDS },
		{ 19, EV19_NFIELDS },	{ 20, EV20_NFIELDS },
		{ 21, EV21_NFIELDS },	{ 22, EV22_NFIELDS },
		{ 23, EV23_NFIELDS },	{ 24, EV24_NFIELDS },
		{ 25, EV25_NFIELDS },	{ 26, EV26_NFIELDS },
		{ 27, EV27_NFIELDS },	{ 28, EV28_NFIELDS },
		{ 29, EV29_NFIELDS },	{ 100, EV100_NFIELDS },
		{ 255, EV255_NFIELDS },
	};
	size_t n = sizeof(counts) / sizeof(counts[0]);

	CHECK(n == catalog_count());
	for (size_t i = 0; i < n; i++)
		CHECK(catalog_lookup(counts[i].id)->nfields ==
		      counts[i].nfields);
	CHECK(catalog_field_index(catalog_lookup(1), "Image") == EV1_IMAGE);
	CHECK(catalog_field_index(catalog_lookup(1), "ParentUser") ==
	      EV1_PARENT_USER);
	CHECK(catalog_field_index(catalog_lookup(3), "DestinationIsIpv6") ==
	      EV3_DESTINATION_IS_IPV6);
	CHECK(catalog_field_index(catalog_lookup(10), "SourceProcessGUID") ==
	      EV10_SOURCE_PROCESS_GUID);
	CHECK(catalog_field_index(catalog_lookup(255), "ID") == EV255_ID);
}

int main(void)
{
	test_field_constants();
	test_table_is_consistent();
	test_lookups();
	test_event_values();
	test_event_is_bounded();
	test_time_round_trip();
	return tap_done("catalog_test");
}
