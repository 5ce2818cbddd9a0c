/* SPDX-License-Identifier: MIT */
/*
 * store/record.c - the stored form of an event's values, and the SQL
 * function that reads one field of it.
 *
 * A row keeps only what cannot be rebuilt: the values, in catalogue
 * order, each followed by a NUL byte (values never hold NUL, and an unset
 * value is empty).  Everything else of a record (the System block) comes
 * from the row's columns and its run, so a record is rendered at read
 * time in any format.  Encoding is a copy; no escaping on the writer.
 *
 * The blob is outside input to a reader: decoding checks the value count
 * and the size, and a bad blob is an error, never a crash.
 */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#include "event/event.h"
#include "store.h"
#include "util/buf.h"

int store_record_encode(struct buf *b, const struct event *ev)
{
	int err = 0;

	buf_reset(b);
	for (unsigned i = 0; i < ev->def->nfields && !err; i++) {
		if (ev->len[i])
			err = buf_add(b, ev->buf + ev->off[i], ev->len[i]);
		if (!err)
			err = buf_addc(b, '\0');
	}
	if (!err && b->is_full)
		err = -E2BIG;
	return err;
}

/*
 * Find value idx of a blob of def's values: 0 and *v, *len, or -EINVAL
 * when the blob does not hold exactly def's fields.  A blob written
 * before vigil's extra fields existed ends after Sysmon's: those read as
 * unset (*len 0).
 */
static int record_value(const unsigned char *p, size_t size,
			const struct catalog_event *def, unsigned idx,
			const unsigned char **v, size_t *len)
{
	const unsigned char *end = p + size;

	if (size > STORE_RECORD_MAX_BYTES)
		return -EINVAL;
	*v = p;
	*len = 0;
	for (unsigned i = 0; i < def->nfields; i++) {
		const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));

		if (p == end && i == catalog_sysmon_fields(def))
			return 0;
		if (!nul)
			return -EINVAL;
		if (i == idx) {
			*v = p;
			*len = (size_t)(nul - p);
		}
		p = nul + 1;
	}
	return p == end ? 0 : -EINVAL;
}

int store_record_decode(struct event *ev, unsigned event_id, const void *data,
			size_t size)
{
	const unsigned char *p = data ? data : (const void *)"";
	const unsigned char *end = p + size;
	int err;

	if (size > STORE_RECORD_MAX_BYTES || (size && !data))
		return -EINVAL;
	err = event_init(ev, event_id);
	if (err < 0)
		return err;
	for (unsigned i = 0; i < ev->def->nfields; i++) {
		const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));

		if (p == end && i == catalog_sysmon_fields(ev->def))
			return 0; /* written before the extra fields */
		if (!nul) {
			event_release(ev);
			return -EINVAL;
		}
		if (nul > p) {
			err = event_set(ev, i, (const char *)p,
					(size_t)(nul - p));
			if (err < 0) {
				event_release(ev);
				return err;
			}
		}
		p = nul + 1;
	}
	if (p != end) {
		event_release(ev);
		return -EINVAL;
	}
	return 0;
}

/*
 * vigil_field(EventID, data, name): the value of field name as text ("-"
 * when unset, like the renderers), NULL when the event has no such field
 * or the row is damaged.
 */
static void sql_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct catalog_event *def;
	const unsigned char *name, *v = NULL;
	const void *blob;
	sqlite3_int64 id;
	size_t len = 0;
	int idx, size;

	(void)argc;
	id = sqlite3_value_int64(argv[0]);
	name = sqlite3_value_text(argv[2]);
	def = id >= 0 && id <= 0xffff ? catalog_lookup((unsigned)id) : NULL;
	if (!def || !name)
		return; /* NULL */
	idx = catalog_field_index(def, (const char *)name);
	if (idx < 0)
		return;
	blob = sqlite3_value_blob(argv[1]);
	size = sqlite3_value_bytes(argv[1]);
	if (!blob && size)
		return;
	if (record_value(blob ? blob : "", (size_t)size, def, (unsigned)idx, &v,
			 &len) < 0)
		return;
	if (len == 0)
		sqlite3_result_text(ctx, "-", 1, SQLITE_STATIC);
	else
		sqlite3_result_text(ctx, (const char *)v, (int)len,
				    SQLITE_TRANSIENT);
}

/*
 * vigil_is(EventID, data, name, value): 1 when field name of the row
 * holds value, ASCII letters in any case (an unset value is ""), else 0:
 * the check after a lookup by key (store_key()).  A row whose values
 * cannot be read (damaged, or not an event this vigil knows) is 1 too:
 * found by its key, it is shown as damaged rather than hidden.
 */
static void sql_is(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct catalog_event *def;
	const unsigned char *name, *want, *v = NULL;
	const void *blob;
	sqlite3_int64 id;
	size_t len = 0, want_len;
	int idx, size;

	(void)argc;
	sqlite3_result_int(ctx, 0);
	id = sqlite3_value_int64(argv[0]);
	name = sqlite3_value_text(argv[2]);
	want = sqlite3_value_text(argv[3]);
	def = id >= 0 && id <= 0xffff ? catalog_lookup((unsigned)id) : NULL;
	if (!name || !want)
		return;
	if (!def) {
		sqlite3_result_int(ctx, 1); /* unreadable: let it be shown */
		return;
	}
	want_len = (size_t)sqlite3_value_bytes(argv[3]);
	idx = catalog_field_index(def, (const char *)name);
	if (idx < 0)
		return;
	blob = sqlite3_value_blob(argv[1]);
	size = sqlite3_value_bytes(argv[1]);
	if ((!blob && size) || record_value(blob ? blob : "", (size_t)size, def,
					    (unsigned)idx, &v, &len) < 0) {
		sqlite3_result_int(ctx, 1); /* damaged: let it be shown */
		return;
	}
	if (len != want_len)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char a = v[i], b = want[i];

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return;
	}
	sqlite3_result_int(ctx, 1);
}

/* vigil_key(value): store_key() of a text, NULL for NULL. */
static void sql_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *v = sqlite3_value_text(argv[0]);

	(void)argc;
	if (!v)
		return;
	sqlite3_result_int64(ctx,
			     store_key((const char *)v,
				       (size_t)sqlite3_value_bytes(argv[0])));
}

int store_record_register(struct sqlite3 *db)
{
	int fl = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
	int rc = sqlite3_create_function(db, "vigil_field", 3, fl, NULL,
					 sql_field, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "vigil_is", 4, fl, NULL,
					     sql_is, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "vigil_key", 1, fl, NULL,
					     sql_key, NULL, NULL);
	return rc == SQLITE_OK ? 0 : -ENOMEM;
}
