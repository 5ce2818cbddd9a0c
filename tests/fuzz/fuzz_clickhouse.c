/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_clickhouse.c - ClickHouse's answers, on arbitrary
 * bytes: the EventRecordIDs the forwarder asks for before it inserts
 * (ch_parse_ids()) and the rows of `vigil view --fleet`
 * (view_fleet_rows()).  The input is the answer, copied to exactly its
 * length (no terminating NUL: ASan sees any read past it).
 *
 * ch_parse_ids() returns at most one id per two bytes, and the ids it
 * reads print back to text that reads as the same ids.  Every row
 * view_fleet_rows() passes lies within the answer, holds no newline, and
 * a valid one renders in every format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse/clickhouse.h"
#include "event/event.h"
#include "render/render.h"
#include "util/buf.h"
#include "view/view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rows {
	const char *text;
	size_t len;
	struct buf out;
	unsigned n;
};

static int on_row(const struct view_row *row, void *arg)
{
	struct rows *rs = arg;

	if (row->record < rs->text ||
	    row->record + row->record_len > rs->text + rs->len ||
	    !row->record_len || memchr(row->record, '\n', row->record_len))
		abort();
	if (row->is_valid) {
		if (!row->ev || row->ev->def->id != row->event_id)
			abort();
		for (int f = RENDER_XML; f <= RENDER_TEXT; f++) {
			buf_reset(&rs->out);
			if (render_event(&rs->out, &row->host, row->ev,
					 (enum render_format)f,
					 row->created_ns))
				abort();
		}
	}
	rs->n++;
	return 0;
}

static void check_ids(const char *text, size_t len)
{
	uint64_t *ids, *again;
	int64_t n, m;
	struct buf b;

	n = ch_parse_ids(text, len, &ids);
	if (n == -EPROTO || n == -ENOMEM) {
		if (ids)
			abort();
		return;
	}
	if (n < 0 || (size_t)n > len / 2 + 1 || (n > 0) != (ids != NULL))
		abort();
	buf_init(&b, 0);
	for (int64_t i = 0; i < n; i++)
		buf_addf(&b, "%" PRIu64 "\n", ids[i]);
	m = ch_parse_ids(b.data, b.len, &again);
	if (m != n || (n && memcmp(ids, again, (size_t)n * sizeof(*ids))))
		abort();
	free(again);
	free(ids);
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	struct rows rs = { .text = text, .len = size };
	int64_t n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	check_ids(text, size);
	buf_init(&rs.out, 0);
	n = view_fleet_rows(text, size, on_row, &rs);
	if (n != (int64_t)rs.n)
		abort();
	buf_release(&rs.out);
	free(text);
	return 0;
}
