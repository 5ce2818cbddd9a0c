/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_store_rows.c - hostile rows in a real store, read back
 * by everything that reads the store: `vigil view` (view_query()), the
 * forwarder (fwd_reader_read(), then its syslog message and ClickHouse
 * row) and the web viewer (web_api()).  A store file is outside input:
 * any process that can write it can put any value of any SQLite type in
 * any column, and the readers run as root or as the viewers.
 *
 * The input fills the tables of one store (emptied first) through SQL,
 * so values keep the types the input gives them:
 *   byte: number of runs (mod 4), then per run: a run id byte and four
 *         strings (Computer, ProviderName, ProviderGuid, Channel), each a
 *         length byte and the bytes;
 *   byte: number of segments (mod 4), each four 8-byte integers;
 *   then rows until the input ends: EventRecordID (8 bytes), time_ns
 *   (8), EventID (2), run (1), created_ns (8), a type byte for data
 *   (blob, text, integer, real, NULL), its length (2) and bytes, and a
 *   ProcessGuid (length byte and bytes) whose key goes in guid_key, so
 *   lookups by it find the row whatever its values blob holds.
 * Every reader must finish without a crash, a leak or undefined
 * behaviour; rows it takes as valid render in every format and as a
 * syslog message and a ClickHouse row.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clickhouse/clickhouse.h"
#include "config/config.h"
#include "event/event.h"
#include "forward/internal.h"
#include "render/render.h"
#include "settings/settings.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/buf.h"
#include "view/view.h"
#include "web/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROWS 64

struct in {
	const uint8_t *p, *end;
};

static unsigned take(struct in *in, void *out, size_t n)
{
	size_t have = (size_t)(in->end - in->p);

	memset(out, 0, n);
	if (have < n)
		n = have;
	memcpy(out, in->p, n);
	in->p += n;
	return (unsigned)n;
}

static uint8_t take8(struct in *in)
{
	uint8_t v;

	take(in, &v, 1);
	return v;
}

static int64_t take64(struct in *in)
{
	int64_t v;

	take(in, &v, sizeof(v));
	return v;
}

/* A length byte and that many bytes (as many as there are). */
static const uint8_t *take_str(struct in *in, int *len)
{
	const uint8_t *s = in->p;
	uint8_t n = take8(in);

	s = in->p;
	*len = (int)((size_t)(in->end - in->p) < n ? (size_t)(in->end - in->p)
						   : n);
	in->p += *len;
	return s;
}

struct fixture {
	char path[64];
	sqlite3 *rw, *ro;
	sqlite3_stmt *ins_run, *ins_seg, *ins_ev;
	struct settings s; /* one syslog destination, small messages */
	char guid[256]; /* the first row's ProcessGuid ("" none) */
};

static struct fixture *fixture(void)
{
	static struct fixture fx;
	static bool is_ready;
	static const char conf[] = "forward.x.url = tcp://h\n"
				   "forward.x.message_max = 2K\n";
	char dir[] = "/tmp/fuzz_store_rows.XXXXXX";
	struct render_host h;
	struct diag d;
	struct sink *s;

	if (is_ready)
		return &fx;
	if (!mkdtemp(dir))
		abort();
	snprintf(fx.path, sizeof(fx.path), "%s/events.db", dir);
	render_host_defaults(&h);
	s = sink_store_new(fx.path, 0, 0, &h);
	if (!s)
		abort();
	s->free(s);
	if (sqlite3_open(fx.path, &fx.rw) != SQLITE_OK ||
	    sqlite3_exec(fx.rw, "PRAGMA synchronous=OFF", NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(fx.rw,
			       "INSERT OR REPLACE INTO runs "
			       "VALUES(?, ?, ?, ?, ?, 1, 2, 0)",
			       -1, &fx.ins_run, NULL) ||
	    sqlite3_prepare_v2(fx.rw,
			       "INSERT OR REPLACE INTO segments "
			       "VALUES(?, ?, ?, ?)",
			       -1, &fx.ins_seg, NULL) ||
	    sqlite3_prepare_v2(fx.rw,
			       "INSERT OR REPLACE INTO events "
			       "VALUES(?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
			       -1, &fx.ins_ev, NULL) ||
	    store_open_ro(fx.path, 1000, &fx.ro))
		abort();
	settings_defaults(&fx.s);
	if (settings_load_mem(&fx.s, conf, sizeof(conf) - 1, "fuzz", &d))
		abort();
	is_ready = true;
	return &fx;
}

static void step(sqlite3_stmt *st)
{
	sqlite3_step(st); /* a constraint may refuse a row: fine */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void fill(struct fixture *fx, const uint8_t *data, size_t size)
{
	struct in in = { data, data + size };
	unsigned nruns, nsegs;

	sqlite3_exec(fx->rw,
		     "BEGIN; DELETE FROM events; DELETE FROM runs;"
		     " DELETE FROM segments;",
		     NULL, NULL, NULL);
	fx->guid[0] = '\0';
	nruns = take8(&in) % 4;
	for (unsigned i = 0; i < nruns; i++) {
		sqlite3_bind_int(fx->ins_run, 1, take8(&in));
		for (int k = 2; k <= 5; k++) {
			int len;
			const uint8_t *s = take_str(&in, &len);

			sqlite3_bind_text(fx->ins_run, k, (const char *)s, len,
					  SQLITE_TRANSIENT);
		}
		step(fx->ins_run);
	}
	nsegs = take8(&in) % 4;
	for (unsigned i = 0; i < nsegs; i++) {
		for (int k = 1; k <= 4; k++)
			sqlite3_bind_int64(fx->ins_seg, k, take64(&in));
		step(fx->ins_seg);
	}
	for (unsigned n = 0; n < MAX_ROWS && in.p < in.end; n++) {
		sqlite3_stmt *st = fx->ins_ev;
		uint16_t id, len;
		uint8_t run, type;
		const uint8_t *v;
		int glen;

		sqlite3_bind_int64(st, 1, take64(&in));
		sqlite3_bind_int64(st, 2, take64(&in));
		take(&in, &id, sizeof(id));
		sqlite3_bind_int(st, 3, id);
		run = take8(&in);
		sqlite3_bind_int(st, 4, run);
		sqlite3_bind_int64(st, 5, take64(&in));
		type = take8(&in);
		take(&in, &len, sizeof(len));
		v = in.p;
		if ((size_t)(in.end - in.p) < len)
			len = (uint16_t)(in.end - in.p);
		in.p += len;
		switch (type % 5) {
		case 0:
			sqlite3_bind_blob(st, 7, v, len, SQLITE_TRANSIENT);
			break;
		case 1:
			sqlite3_bind_text(st, 7, (const char *)v, len,
					  SQLITE_TRANSIENT);
			break;
		case 2:
			sqlite3_bind_int64(st, 7, (int64_t)len << 20 | type);
			break;
		case 3:
			sqlite3_bind_double(st, 7, (double)len / 3.0);
			break;
		default:
			sqlite3_bind_null(st, 7);
		}
		v = take_str(&in, &glen);
		sqlite3_bind_int64(st, 6,
				   store_key((const char *)v, (size_t)glen));
		if (n == 0)
			snprintf(fx->guid, sizeof(fx->guid), "%.*s", glen,
				 (const char *)v);
		step(st);
	}
	sqlite3_exec(fx->rw, "COMMIT", NULL, NULL, NULL);
}

static struct buf out, scratch;

static int on_view_row(const struct view_row *row, void *arg)
{
	(void)arg;
	if (!row->is_valid)
		return 0;
	if (!row->ev || row->record_len != strlen(row->record))
		abort();
	for (int f = RENDER_XML; f <= RENDER_TEXT; f++) {
		buf_reset(&out);
		if (render_event(&out, &row->host, row->ev,
				 (enum render_format)f, row->created_ns) < 0)
			abort();
	}
	return 0;
}

static int on_fwd_row(void *arg, struct fwd_row *row)
{
	struct fixture *fx = arg;
	bool is_cut;
	int r;

	buf_reset(&out);
	r = fwd_message_append(&out, &fx->s.dests[0], &row->host, row->ev,
			       row->created_ns, &scratch, &is_cut);
	if (r && r != -E2BIG)
		abort();
	buf_reset(&out);
	buf_reset(&scratch);
	if (render_event(&scratch, &row->host, row->ev, RENDER_JSON,
			 row->created_ns) == 0 &&
	    ch_row_json(&out, row->host.computer ? row->host.computer : "",
			row->ev, row->created_ns, scratch.data,
			scratch.len) < 0)
		abort();
	return 0;
}

static void web(struct fixture *fx, const char *path, const char *name,
		const char *value)
{
	struct web_param p = { .name = name, .value = value };
	struct web_source local, *srcs[] = { &local };
	int status;

	web_store_source(&local, fx->ro);
	status = web_api(srcs, 1, path, &p, name ? 1 : 0,
			 1735689700000000000ull, &out);
	if (status != 200 && status != 400 && status != 404 && status != 500 &&
	    status != 503)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fixture *fx = fixture();
	struct view_filter f;
	struct fwd_reader *r;
	uint64_t damaged = 0, last = 0;
	sqlite3_stmt *st = NULL;

	if (size > 16384)
		return 0;
	fill(fx, data, size);
	buf_init(&out, 8u << 20);
	buf_init(&scratch, 0);

	memset(&f, 0, sizeof(f));
	view_query(fx->ro, &f, 0, on_view_row, NULL);
	f.is_oldest_first = true;
	f.has_since = f.has_until = true;
	f.since_ns = 1;
	f.until_ns = UINT64_MAX / 2;
	f.limit = 10;
	view_query(fx->ro, &f, 0, on_view_row, NULL);
	memset(&f, 0, sizeof(f));
	snprintf(f.process, sizeof(f.process), "{a}");
	snprintf(f.grep, sizeof(f.grep), "a");
	view_query(fx->ro, &f, 1, on_view_row, NULL);

	r = fwd_reader_open(fx->path);
	if (!r)
		abort();
	fwd_reader_read(r, 0, 100, on_fwd_row, fx, &damaged, &last);
	fwd_reader_close(r);

	web(fx, "/api/events", NULL, NULL);
	web(fx, "/api/events", "order", "asc");
	web(fx, "/api/meta", NULL, NULL);
	web(fx, "/api/histogram", "since", "1000d");
	/* one stored row by its id, and its process */
	if (sqlite3_prepare_v2(fx->rw,
			       "SELECT EventRecordID FROM events LIMIT 1", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		char rid[32];

		snprintf(rid, sizeof(rid), "%lld",
			 (long long)sqlite3_column_int64(st, 0));
		web(fx, "/api/event", "rid", rid);
		web(fx, "/api/process", "guid", fx->guid[0] ? fx->guid : "{a}");
	}
	sqlite3_finalize(st);
	buf_release(&out);
	buf_release(&scratch);
	return 0;
}
