/* SPDX-License-Identifier: MIT */
/*
 * clickhouse/tsv.c - rows of a TabSeparated answer (pure).
 *
 * ClickHouse writes a row as fields separated by a tab and ended by a
 * newline; inside a field it escapes the tab, newline and backslash, and
 * also the quote, NUL, backspace, form feed and carriage return (\t \n
 * \\ \' \0 \b \f \r).  Anything else after a backslash, a row with more
 * or fewer fields than the query selected, or an answer that does not
 * end with a newline is not what we asked for: -EPROTO.
 */
#include <errno.h>
#include <string.h>

#include "clickhouse.h"

static int unescape(char c, char *out)
{
	static const char from[] = "tn\\'0bfr";
	static const char to[] = "\t\n\\'\0\b\f\r";
	const char *p = memchr(from, c, sizeof(from) - 1);

	if (!p)
		return -EPROTO;
	*out = to[p - from];
	return 0;
}

int ch_tsv_row(struct ch_tsv *t, unsigned nfields, struct ch_row *row)
{
	char *w;

	if (nfields == 0 || nfields > CH_ROW_MAX_FIELDS)
		return -EINVAL;
	if (t->pos >= t->end)
		return 0;
	row->n = 0;
	w = t->pos;
	row->v[0] = w;
	while (t->pos < t->end) {
		char c = *t->pos++;

		if (c == '\\') {
			if (t->pos >= t->end || unescape(*t->pos++, &c))
				return -EPROTO;
			*w++ = c;
			continue;
		}
		if (c != '\t' && c != '\n') {
			*w++ = c;
			continue;
		}
		/* end of a field: unescaping never grows, so w < t->pos */
		row->len[row->n] = (size_t)(w - row->v[row->n]);
		*w = '\0';
		if (++row->n > nfields || (c == '\n') != (row->n == nfields))
			return -EPROTO;
		if (c == '\n')
			return 1;
		w = t->pos;
		row->v[row->n] = w;
	}
	return -EPROTO; /* the last row has no newline */
}

int ch_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -EPROTO;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EPROTO;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}
