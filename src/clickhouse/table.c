/* SPDX-License-Identifier: MIT */
/*
 * clickhouse/table.c - the fleet table's schema and rows (pure).
 */
#include <errno.h>
#include <string.h>

#include "clickhouse.h"
#include "event/event.h"
#include "render/render.h"
#include "util/buf.h"

const char *const ch_columns[CH_NCOLUMNS] = {
	"RuleName",
	"ProcessGuid",
	"ProcessId",
	"Image",
	"CommandLine",
	"CurrentDirectory",
	"User",
	"Hashes",
	"ParentProcessGuid",
	"ParentProcessId",
	"ParentImage",
	"ParentCommandLine",
	"TargetFilename",
	"Protocol",
	"SourceIp",
	"SourcePort",
	"DestinationIp",
	"DestinationPort",
	"DestinationHostname",
	"QueryName",
};

bool ch_is_column(const char *field)
{
	for (size_t i = 0; i < CH_NCOLUMNS; i++)
		if (strcmp(ch_columns[i], field) == 0)
			return true;
	return false;
}

int ch_table_ddl(struct buf *b, const char *table)
{
	int err = 0;

	err |= buf_addf(b,
			"CREATE TABLE IF NOT EXISTS %s (\n"
			"    Computer String,\n"
			"    EventRecordID UInt64,\n"
			"    EventID UInt16,\n"
			"    UtcTime DateTime,\n"
			"    time_ns UInt64,\n"
			"    created_ns UInt64,\n",
			table);
	for (size_t i = 0; i < CH_NCOLUMNS; i++)
		err |= buf_addf(b, "    %s String,\n", ch_columns[i]);
	err |= buf_adds(b, "    record String\n"
			   ") ENGINE = ReplacingMergeTree\n"
			   "PARTITION BY toYYYYMM(UtcTime)\n"
			   "ORDER BY (Computer, EventID, EventRecordID)\n");
	return err ? -ENOMEM : 0;
}

static int put_str(struct buf *b, const char *key, const char *v, size_t n)
{
	int err = buf_addf(b, ",\"%s\":", key);

	if (!err)
		err = render_json_string(b, v, n); /* quotes included */
	return err == -ENOBUFS ? -ENOMEM : err;
}

int ch_row_json(struct buf *b, const char *computer, const struct event *ev,
		uint64_t created_ns, const char *record, size_t len)
{
	int err;

	err = buf_addf(b,
		       "{\"EventRecordID\":%llu,\"EventID\":%u,"
		       "\"UtcTime\":%llu,\"time_ns\":%llu,"
		       "\"created_ns\":%llu",
		       (unsigned long long)ev->record_id, ev->def->id,
		       (unsigned long long)(ev->time_ns / 1000000000ull),
		       (unsigned long long)ev->time_ns,
		       (unsigned long long)created_ns);
	if (!err)
		err = put_str(b, "Computer", computer ? computer : "-",
			      computer ? strlen(computer) : 1);
	for (size_t i = 0; i < CH_NCOLUMNS && !err; i++) {
		int idx = catalog_field_index(ev->def, ch_columns[i]);
		size_t n = 0;
		const char *v = "";

		if (idx >= 0)
			v = event_value(ev, (unsigned)idx, &n);
		err = put_str(b, ch_columns[i], v, n);
	}
	if (!err)
		err = put_str(b, "record", record, len);
	if (!err)
		err = buf_adds(b, "}\n");
	return err || b->is_full ? -ENOMEM : 0;
}

int ch_quote(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int err = buf_addc(b, '\'');

	for (size_t i = 0; i < n && !err; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\'' || c == '\\') {
			err = buf_addc(b, '\\');
			err |= buf_addc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			char e[5] = { '\\', 'x', hex[c >> 4], hex[c & 15], 0 };

			err = buf_adds(b, e);
		} else {
			err = buf_addc(b, (char)c);
		}
	}
	if (!err)
		err = buf_addc(b, '\'');
	return err || b->is_full ? -ENOMEM : 0;
}
