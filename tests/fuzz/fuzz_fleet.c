/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_fleet.c - answers from a ClickHouse server, which the
 * web viewer's fleet mode reads (web/fleet_source.c): the first byte
 * picks the reader, the rest is the answer.  Even: web_fleet_rows() with
 * a page of 1..8 rows (what /api/events and /api/event do with a list
 * query's answer); odd: ch_tsv_row() with 1..CH_ROW_MAX_FIELDS fields
 * over every row.  Oracles: fields lie inside the answer and are no
 * longer than it; the list items written never hold a raw control byte
 * (every value is escaped; a record passes only as vigil's own JSON).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse/clickhouse.h"
#include "util/buf.h"
#include "web/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rows(char *a, size_t n, unsigned limit)
{
	struct web_key first, last;
	struct buf out;
	unsigned nrows;
	int r;

	buf_init(&out, 8u << 20);
	r = web_fleet_rows(a, n, limit, &out, &nrows, &first, &last);
	if (r > 0)
		abort();
	for (size_t i = 0; i < out.len; i++)
		if ((unsigned char)out.data[i] < 0x20)
			abort();
	buf_release(&out);
}

static void fields(char *a, size_t n, unsigned nfields)
{
	struct ch_tsv t = { .pos = a, .end = a + n };
	struct ch_row row;

	while (ch_tsv_row(&t, nfields, &row) == 1) {
		if (row.n != nfields)
			abort();
		for (unsigned i = 0; i < row.n; i++)
			if (row.v[i] < a || row.v[i] + row.len[i] > a + n ||
			    row.v[i][row.len[i]] != '\0')
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a;

	if (size < 1 || size > (1u << 20))
		return 0;
	a = malloc(size);
	if (!a)
		return 0;
	memcpy(a, data + 1, size - 1);
	if (data[0] % 2 == 0)
		rows(a, size - 1, 1 + data[0] / 2 % 8);
	else
		fields(a, size - 1, 1 + data[0] / 2 % CH_ROW_MAX_FIELDS);
	free(a);
	return 0;
}
