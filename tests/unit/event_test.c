/* SPDX-License-Identifier: MIT */
/*
 * Unit test for event/event.c's failure bookkeeping: a set that does not
 * take leaves its error in ev->err (the first one), which a reset clears,
 * so a decoder need not check every set and no short event is logged.
 */
#include <errno.h>
#include <string.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "tap.h"

static void test_sticky_error(void)
{
	struct event ev;

	CHECK(event_init(&ev, 1) == 0);
	CHECK(ev.err == 0);
	CHECK(event_set_str(&ev, EV1_IMAGE, "/bin/true") == 0);
	CHECK(ev.err == 0);
	CHECK(event_set_str(&ev, 999, "x") == -EINVAL);
	CHECK(ev.err == -EINVAL);
	/* Later sets still work, and the first failure stays. */
	CHECK(event_setf(&ev, EV1_PROCESS_ID, "%u", 42u) == 0);
	CHECK(ev.err == -EINVAL);
	CHECK_STR(event_value(&ev, EV1_PROCESS_ID, NULL), "42");
	event_reset(&ev);
	CHECK(ev.err == 0);
	event_release(&ev);
}

static void test_truncation_is_no_error(void)
{
	static char big[EVENT_MAX_BYTES + 100];
	struct event ev;

	memset(big, 'a', sizeof(big) - 1);
	CHECK(event_init(&ev, 1) == 0);
	CHECK(event_set_str(&ev, EV1_COMMAND_LINE, big) == 0);
	CHECK(ev.is_truncated);
	CHECK(ev.err == 0);
	event_release(&ev);
}

int main(void)
{
	test_sticky_error();
	test_truncation_is_no_error();
	return tap_done("event_test");
}
