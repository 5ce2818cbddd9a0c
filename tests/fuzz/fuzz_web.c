/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_web.c - web_api() on arbitrary requests over a small
 * real store: the first line is the path, the rest "name=value" pairs
 * separated by '&' (raw bytes, as a server hands them over after
 * percent-decoding).  Every request must be answered with a known status
 * and a JSON object, whatever its parameters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/buf.h"
#include "web/internal.h"
#include "web_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A store of 60 events, built once per process (then kept open). */
static struct sqlite3 *store(void)
{
	static struct sqlite3 *db;
	char dir[] = "/tmp/fuzz_web.XXXXXX", path[64];

	if (db || !mkdtemp(dir))
		return db;
	snprintf(path, sizeof(path), "%s/events.db", dir);
	fuzz_web_store(path);
	if (store_open_ro(path, 1000, &db))
		abort();
	/* the files go now; the open connection keeps them readable */
	unlink(path);
	snprintf(path, sizeof(path), "%s/events.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/events.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_param p[WEB_MAX_PARAMS + 4];
	struct web_source local, *srcs[] = { &local };
	char *text, *path, *rest, *tok, *save = NULL;
	unsigned n = 0;
	struct buf out;
	int status;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	path = text;
	rest = strchr(text, '\n');
	if (rest)
		*rest++ = '\0';
	for (tok = rest ? strtok_r(rest, "&", &save) : NULL;
	     tok && n < WEB_MAX_PARAMS + 4; tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq++ = '\0';
		p[n++] = (struct web_param){ .name = tok, .value = eq };
	}
	web_store_source(&local, store());
	buf_init(&out, 8u << 20);
	status = web_api(srcs, 1, path, p, n, 1735689700000000000ull, &out);
	if (status != 200 && status != 400 && status != 404 && status != 500)
		abort();
	if (!out.data || out.data[0] != '{' || out.data[out.len - 1] != '}')
		abort();
	buf_release(&out);
	free(text);
	return 0;
}
