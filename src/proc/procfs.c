/* SPDX-License-Identifier: MIT */
/*
 * proc/procfs.c - parsers of the text of /proc files (stat, status,
 * cmdline, loginuid, sessionid): pure functions over memory,
 * so the fuzzer and the unit tests drive them; proc.c reads the files.
 *
 * What a process shows in /proc is partly its own to choose: its comm
 * (any bytes but NUL, up to 15 of them: spaces, ')' and newlines
 * included) and its command line (anything).  Each parser takes a length,
 * stops at a NUL, and never trusts a number to fit.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "proc.h"

/* Fields of /proc/PID/stat that vigil reads (proc(5) numbers them). */
enum {
	PROC_STAT_STATE = 3,
	PROC_STAT_PPID = 4,
	PROC_STAT_START = 22,
	PROC_STAT_ENDCODE = 27,
};

/* The text up to its first NUL. */
static size_t text_len(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);

	return nul ? (size_t)(nul - text) : len;
}

/* The decimal number s[0, n) into *v, at most max: 0, or -EINVAL (empty,
 * not digits only, or over max). */
static int parse_dec(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || x > (max - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int proc_parse_stat(const char *text, size_t len, struct proc_stat *st)
{
	const char *p, *end, *paren = NULL;
	uint64_t v;
	unsigned field = 2; /* comm, up to its last ')' */

	len = text_len(text, len);
	/* comm may hold ')' and even a newline, but nothing after it does:
	 * the last ')' of the whole text ends it */
	for (p = text; p < text + len; p++)
		if (*p == ')')
			paren = p;
	if (!paren)
		return -EINVAL;
	end = memchr(paren, '\n', (size_t)(text + len - paren));
	if (!end)
		end = text + len;
	memset(st, 0, sizeof(*st));
	for (p = paren + 1; p < end && field < PROC_STAT_ENDCODE;) {
		const char *tok;
		size_t n;

		if (*p != ' ')
			return -EINVAL;
		tok = ++p;
		while (p < end && *p != ' ')
			p++;
		n = (size_t)(p - tok);
		field++;
		if (field == PROC_STAT_STATE) {
			if (n != 1)
				return -EINVAL;
			st->state = tok[0];
		} else if (field == PROC_STAT_PPID) {
			if (parse_dec(tok, n, UINT32_MAX, &v))
				return -EINVAL;
			st->ppid = (uint32_t)v;
		} else if (field == PROC_STAT_START) {
			if (parse_dec(tok, n, UINT64_MAX, &v))
				return -EINVAL;
			st->start_ticks = v;
		} else if (field == PROC_STAT_ENDCODE) {
			/* hidden (0) without ptrace access; an odd one is 0
			 * too: the GUID then rests on pid and start */
			if (parse_dec(tok, n, UINT64_MAX, &v) == 0)
				st->end_code = v;
		} else if (!n) {
			return -EINVAL; /* two spaces: not a stat line */
		}
	}
	/* the fields up to the start time are in every kernel's line;
	 * endcode (27) may be missing */
	return field >= PROC_STAT_START ? 0 : -EINVAL;
}

uint32_t proc_parse_status_uid(const char *text, size_t len)
{
	const char *p = text, *end, *num;
	uint64_t v;

	len = text_len(text, len);
	end = text + len;
	/* "Uid:" at the start of a line (Name: escapes a newline in comm) */
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if (eol - p >= 4 && memcmp(p, "Uid:", 4) == 0) {
			p += 4;
			while (p < eol && (*p == '\t' || *p == ' '))
				p++;
			num = p;
			while (p < eol && isdigit((unsigned char)*p))
				p++;
			if (parse_dec(num, (size_t)(p - num), UINT32_MAX, &v))
				return UINT32_MAX;
			return (uint32_t)v;
		}
		p = eol + 1;
	}
	return UINT32_MAX;
}

uint32_t proc_parse_u32(const char *text, size_t len)
{
	uint64_t v;

	len = text_len(text, len);
	if (len && text[len - 1] == '\n')
		len--;
	if (parse_dec(text, len, UINT32_MAX, &v))
		return UINT32_MAX;
	return (uint32_t)v;
}

size_t proc_cmdline_join(char *buf, size_t len)
{
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[len] = '\0';
	return len;
}
