/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_proc.c - the parsers of /proc text (proc/procfs.c and
 * the daemon finder's cmdline check), on what a process can make its own
 * /proc files say.  The first byte picks the parser, the rest is the
 * file's text:
 *   0  proc_parse_stat()        a /proc/PID/stat line
 *   1  proc_parse_stat()        the rest is a comm, put in a real line:
 *                               every field must come back as written
 *   2  proc_parse_status_uid()  /proc/PID/status
 *   3  proc_parse_u32()         loginuid, sessionid
 *   4  proc_cmdline_join()      /proc/PID/cmdline
 *   5  svc_cmdline_is_vigil_run()
 * Each is checked against its contract (what it may return), never
 * reading outside the input (the text is an exact-size copy).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "proc/proc.h"
#include "service/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* A comm (any bytes but NUL, as prctl(PR_SET_NAME) allows; longer than
 * the kernel's 15 to be safe) in a stat line with numbers taken from
 * it: the parser must give exactly those numbers back. */
static void stat_round_trip(const char *comm, size_t n)
{
	char name[64], line[512];
	uint64_t h = 1469598103934665603ull;
	uint32_t ppid;
	uint64_t start, end_code;
	struct proc_stat st;
	int len;

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	for (size_t i = 0; i < n; i++) {
		name[i] = comm[i] ? comm[i] : '?';
		h = (h ^ (unsigned char)comm[i]) * 1099511628211ull;
	}
	name[n] = '\0';
	ppid = (uint32_t)h;
	start = h >> 7;
	end_code = h & 1 ? 0 : ~h;
	len = snprintf(line, sizeof(line),
		       "%" PRIu32 " (%s) %c %" PRIu32 " 1 1 0 -1 4194560 "
		       "109 0 0 0 0 0 0 0 20 0 1 0 %" PRIu64 " 4595712 "
		       "224 18446744073709551615 94555 %" PRIu64
		       " 140724 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 "
		       "0 0 0\n",
		       ppid ^ 1, name, "RSDZTtXxKWPI"[h % 12], ppid, start,
		       end_code);
	if (len <= 0 || (size_t)len >= sizeof(line))
		abort();
	if (proc_parse_stat(line, (size_t)len, &st) != 0 || st.ppid != ppid ||
	    st.start_ticks != start || st.end_code != end_code ||
	    st.state != "RSDZTtXxKWPI"[h % 12])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;
	char *text;
	uint32_t v;
	size_t n;
	int r;

	if (size < 1 || size > 65536)
		return 0;
	n = size - 1;
	/* one more byte for proc_cmdline_join()'s NUL, only there */
	text = malloc(data[0] % 6 == 4 ? n + 1 : n ? n : 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, n);
	switch (data[0] % 6) {
	case 0:
		r = proc_parse_stat(text, n, &st);
		if (r != 0 && r != -EINVAL)
			abort();
		if (r == 0 && (!st.state || !memchr(text, ')', n)))
			abort();
		break;
	case 1:
		stat_round_trip(text, n);
		break;
	case 2:
		v = proc_parse_status_uid(text, n);
		if (v != UINT32_MAX && !memmem(text, n, "Uid:", 4))
			abort();
		break;
	case 3:
		v = proc_parse_u32(text, n);
		if (v != UINT32_MAX && !all_digits(text, 1))
			abort();
		break;
	case 4: {
		size_t len = proc_cmdline_join(text, n);

		if (len > n || text[len] != '\0' || strlen(text) != len ||
		    (len && text[len - 1] == ' ' && data[len] == '\0'))
			abort();
		break;
	}
	case 5:
		if (svc_cmdline_is_vigil_run(text, n) &&
		    (!memmem(text, n, "vigil", 5) ||
		     !memmem(text, n, "run", 3)))
			abort();
		break;
	}
	free(text);
	return 0;
}
