/* SPDX-License-Identifier: MIT */
/*
 * clickhouse/answer.c - reading ClickHouse's answers.  The server is
 * outside input like any other: an answer that is not what the query
 * asks for is an error, never a guess.
 */
#include <errno.h>
#include <stdlib.h>

#include "clickhouse.h"

int64_t ch_parse_ids(const char *text, size_t len, uint64_t **ids)
{
	uint64_t *out = NULL, v = 0;
	size_t n = 0, digits = 0;

	*ids = NULL;
	if (!len)
		return 0;
	/* at most one id per two bytes: a digit and a newline */
	out = malloc((len / 2 + 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= '0' && c <= '9') {
			if (v > (UINT64_MAX - (c - '0')) / 10)
				goto bad;
			v = v * 10 + (c - '0');
			digits++;
		} else if (c == '\n' && digits) {
			out[n++] = v;
			v = 0;
			digits = 0;
		} else {
			goto bad;
		}
	}
	if (digits) /* the last line without its newline */
		out[n++] = v;
	*ids = out;
	return (int64_t)n;
bad:
	free(out);
	return -EPROTO;
}
