/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_render_json.c - render_parse_json() on arbitrary bytes;
 * whatever it accepts must render in every format, and its JSON must read
 * back to the very same bytes (the reader accepts only what the writer
 * can produce).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "render/render.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event ev, again;
	struct buf a, b;
	uint64_t created = 0, created2 = 0;

	if (render_parse_json((const char *)data, size, &ev, &created)) {
		event_release(&ev); /* must be harmless after a failure */
		return 0;
	}
	buf_init(&a, 0);
	buf_init(&b, 0);
	for (int f = RENDER_XML; f <= RENDER_TEXT; f++) {
		buf_reset(&a);
		if (render_event(&a, NULL, &ev, (enum render_format)f, created))
			abort();
		/* One event, one line. */
		if (f != RENDER_TEXT && memchr(a.data, '\n', a.len))
			abort();
	}
	buf_reset(&a);
	if (render_event(&a, NULL, &ev, RENDER_JSON, created))
		abort();
	if (render_parse_json(a.data, a.len, &again, &created2))
		abort();
	if (render_event(&b, NULL, &again, RENDER_JSON, created2))
		abort();
	/* A value cut at EVENT_MAX_BYTES may split a UTF-8 sequence. */
	if (!ev.is_truncated &&
	    (a.len != b.len || memcmp(a.data, b.data, a.len) != 0))
		abort();
	event_release(&again);
	event_release(&ev);
	buf_release(&a);
	buf_release(&b);
	return 0;
}
