/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_store_record.c - a store row read back: the values blob
 * of a row (store_record_decode(), what `vigil view`, the web viewer and
 * the forwarder do with every row) and the SQL function vigil_field()
 * that filters read through, on arbitrary bytes.
 *
 * Input: two bytes of EventID (little-endian: unknown ids too), then the
 * blob.  A blob that decodes renders in every format, encodes back to
 * itself (or, for a row written before vigil's extra fields, to itself
 * followed by their empty values), and vigil_field() reads each field as
 * the decoder did; a blob that does not decode has vigil_field() NULL for
 * every field.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "event/event.h"
#include "render/render.h"
#include "store/store.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3_stmt *field_stmt(void)
{
	static sqlite3 *db;
	static sqlite3_stmt *st;

	if (st)
		return st;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    store_record_register(db) ||
	    sqlite3_prepare_v2(db, "SELECT vigil_field(?1, ?2, ?3)", -1, &st,
			       NULL) != SQLITE_OK)
		abort();
	return st;
}

/* vigil_field(id, blob, name): 1 and the text in *v, or 0 for NULL. */
static int sql_field(unsigned id, const uint8_t *blob, size_t n,
		     const char *name, struct buf *v)
{
	sqlite3_stmt *st = field_stmt();
	int got = 0;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, n ? (const void *)blob : "", (int)n,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		abort();
	buf_reset(v);
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		got = 1;
		buf_add(v, sqlite3_column_text(st, 0),
			(size_t)sqlite3_column_bytes(st, 0));
	}
	sqlite3_clear_bindings(st);
	return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct catalog_event *def;
	struct event ev;
	struct buf b, v;
	unsigned id;
	uint8_t *blob;
	size_t n;
	int r;

	if (size < 2 || size > STORE_RECORD_MAX_BYTES + 64)
		return 0;
	id = data[0] | (unsigned)data[1] << 8;
	n = size - 2;
	/* a copy of exactly n bytes, so ASan sees any read past it */
	blob = malloc(n ? n : 1);
	if (!blob)
		return 0;
	memcpy(blob, data + 2, n);
	def = catalog_lookup(id);
	buf_init(&b, 0);
	buf_init(&v, 0);
	r = store_record_decode(&ev, id, blob, n);
	if (r == 0 && !def)
		abort();
	if (r < 0) {
		for (unsigned i = 0; def && i < def->nfields; i++)
			if (sql_field(id, blob, n, def->fields[i].name, &v))
				abort();
		goto out;
	}
	for (int f = RENDER_XML; f <= RENDER_TEXT; f++) {
		buf_reset(&b);
		if (render_event(&b, NULL, &ev, (enum render_format)f, 0))
			abort();
	}
	if (store_record_encode(&b, &ev))
		abort();
	if (!ev.is_truncated &&
	    (b.len < n || memcmp(b.data, blob, n) != 0 ||
	     (b.len > n && (n != 0 && blob[n - 1] != '\0'))))
		abort();
	for (unsigned i = 0; i < def->nfields; i++) {
		size_t len;
		const char *want = event_value(&ev, i, &len);

		if (!sql_field(id, blob, n, def->fields[i].name, &v))
			abort();
		if (!ev.is_truncated &&
		    (v.len != len || memcmp(v.data, want, len) != 0))
			abort();
	}
	event_release(&ev);
out:
	buf_release(&b);
	buf_release(&v);
	free(blob);
	return 0;
}
