/* SPDX-License-Identifier: MIT */
/*
 * Unit test for util/duration.c: every unit, the flags that allow bare
 * numbers and weeks, and what is refused (signs, spaces, two units,
 * overflow).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "tap.h"
#include "util/duration.h"

static uint64_t got(const char *s, unsigned flags)
{
	uint64_t v = 12345;

	return duration_parse(s, flags, &v) == 0 ? v : UINT64_MAX;
}

static void test_units(void)
{
	const unsigned all = DURATION_BARE_SECONDS | DURATION_WEEKS;

	CHECK(got("0s", 0) == 0);
	CHECK(got("90s", 0) == 90);
	CHECK(got("15m", 0) == 900);
	CHECK(got("12h", 0) == 12 * 3600);
	CHECK(got("30d", 0) == 30 * 86400);
	CHECK(got("2w", DURATION_WEEKS) == 14 * 86400);
	CHECK(got("90", DURATION_BARE_SECONDS) == 90);
	CHECK(got("0", all) == 0);
	CHECK(got("007m", all) == 420);
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"",    "s",   "-1s",  "+1s", " 1s", "1s ",   "1 s",  "1x",
		"1ss", "1hm", "1.5h", "1S",  "1H",  "0x10s", "1e3s",
	};
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(duration_parse(bad[i],
				     DURATION_BARE_SECONDS | DURATION_WEEKS,
				     &v) == -EINVAL);
		if (duration_parse(bad[i],
				   DURATION_BARE_SECONDS | DURATION_WEEKS,
				   &v) != -EINVAL)
			fprintf(stderr, "  accepted '%s'\n", bad[i]);
	}
	CHECK(v == 7); /* untouched on error */
	/* Each flag is needed for its form. */
	CHECK(duration_parse("90", 0, &v) == -EINVAL);
	CHECK(duration_parse("3w", 0, &v) == -EINVAL);
	CHECK(duration_parse("3w", DURATION_BARE_SECONDS, &v) == -EINVAL);
	CHECK(duration_parse("90", DURATION_WEEKS, &v) == -EINVAL);
}

static void test_range(void)
{
	uint64_t v = 0;

	CHECK(duration_parse("18446744073709551615s", 0, &v) == 0 &&
	      v == UINT64_MAX);
	CHECK(duration_parse("18446744073709551616s", 0, &v) == -ERANGE);
	CHECK(duration_parse("99999999999999999999999", DURATION_BARE_SECONDS,
			     &v) == -ERANGE);
	CHECK(duration_parse("307445734561825860m", 0, &v) == 0 &&
	      v == 307445734561825860ull * 60);
	CHECK(duration_parse("307445734561825861m", 0, &v) == -ERANGE);
	CHECK(duration_parse("30500568904943w", DURATION_WEEKS, &v) == 0);
	CHECK(duration_parse("30500568904944w", DURATION_WEEKS, &v) == -ERANGE);
}

int main(void)
{
	test_units();
	test_refused();
	test_range();
	return tap_done("duration");
}
