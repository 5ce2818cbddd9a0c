/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/web_store.h - the small real store the web harnesses
 * (fuzz_web, fuzz_http) answer from: 60 events 1 and 3 of three
 * processes, with hostile bytes in Image and CommandLine.
 */
#ifndef VIGIL_FUZZ_WEB_STORE_H
#define VIGIL_FUZZ_WEB_STORE_H

#include <stdlib.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"

/* Write the events into a new store at path; aborts on any error. */
static inline void fuzz_web_store(const char *path)
{
	static const char *const guids[] = { "{a}", "{b}", "{c}" };
	struct render_host h;
	struct sink *s;

	render_host_defaults(&h);
	s = sink_store_new(path, 0, 0, &h);
	if (!s)
		abort();
	for (unsigned i = 1; i <= 60; i++) {
		struct event ev;

		event_init(&ev, i % 3 ? 3 : 1);
		ev.record_id = i;
		event_set_time(&ev, 1735689600000000000ull + i * 1000000000ull);
		event_set_named(&ev, "ProcessGuid", guids[i % 3]);
		event_set_named(&ev, "ParentProcessGuid", guids[(i + 1) % 3]);
		event_set_named(&ev, "Image", "/bin/x\xff<b>");
		event_set_named(&ev, "CommandLine", "a \"b\" \\ \x01");
		if (s->write(s, &ev))
			abort();
		event_release(&ev);
	}
	if (s->flush(s))
		abort();
	s->free(s);
}

#endif
