/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for proc_maps_find() (proc/maps.c): the file mapped at an
 * address in /proc/PID/maps text, anonymous and special mappings, paths
 * with spaces and " (deleted)", the edges of a range, and text that is
 * not what the kernel writes.
 */
#include <errno.h>
#include <string.h>

#include "proc/proc.h"
#include "tap.h"

static const char maps[] =
	"55f993e97000-55f993e98000 r--p 00000000 fe:00 12 /usr/bin/x y\n"
	"55f993e98000-55f993e99000 rw-p 00001000 fe:00 12 /usr/bin/x y\n"
	"55f995000000-55f995021000 rw-p 00000000 00:00 0          [heap]\n"
	"7f0000000000-7f0000001000 rwxp 00000000 00:00 0 \n"
	"7fa208400000-7fa208426000 r-xp 00026000 fe:00 99         "
	"/usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7fa208500000-7fa208501000 r-xp 00000000 00:01 4018       "
	"/memfd:evil (deleted)\n"
	"7ffc1000000-7ffc1021000 rw-p 00000000 00:00 0 [stack]";

static int find(uint64_t addr, char *out, size_t size)
{
	return proc_maps_find(maps, sizeof(maps) - 1, addr, out, size);
}

int main(void)
{
	char out[256];

	CHECK(find(0x55f993e980b0, out, sizeof(out)) == 0);
	CHECK_STR(out, "/usr/bin/x y");
	CHECK(find(0x55f993e97000, out, sizeof(out)) == 0); /* first byte */
	CHECK(find(0x7fa208425fff, out, sizeof(out)) == 0); /* last byte */
	CHECK_STR(out, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	CHECK(find(0x7fa208426000, out, sizeof(out)) == -ENOENT); /* past */
	CHECK(find(0x55f995000010, out, sizeof(out)) == -ENOENT); /* heap */
	CHECK(find(0x7f0000000010, out, sizeof(out)) == -ENOENT); /* anon */
	CHECK(find(0x7ffc1000010, out, sizeof(out)) == -ENOENT); /* stack */
	CHECK(find(0x1000, out, sizeof(out)) == -ENOENT);
	CHECK(find(0x7fa208500004, out, sizeof(out)) == 0);
	CHECK_STR(out, "/memfd:evil (deleted)");
	CHECK(find(0x7fa208500004, out, 8) == -ENAMETOOLONG);
	CHECK(find(0x7fa208500004, out, 0) == -EINVAL);
	/* Not the kernel's text: no dash, no range, cut lines. */
	CHECK(proc_maps_find("zz-10 r 0 0 0 /a\n", 17, 5, out, 64) == -ENOENT);
	CHECK(proc_maps_find("0-10", 4, 5, out, 64) == -ENOENT);
	CHECK(proc_maps_find("0-10 r-xp 0 fe:00 1 /a", 22, 5, out, 64) == 0);
	CHECK_STR(out, "/a");
	CHECK(proc_maps_find("", 0, 5, out, 64) == -ENOENT);
	CHECK(proc_maps_find("10000000000000000-2 r 0 0 0 /a", 30, 1, out,
			     64) == -ENOENT);
	return tap_done("maps_test");
}
