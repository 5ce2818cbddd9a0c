/* SPDX-License-Identifier: MIT */
/*
 * render/text.c - the readable form of Sysmon's -t debug output:
 *
 *	Event SYSMONEVENT_CREATE_PROCESS
 *		RuleName: -
 *		UtcTime: 2025-01-01 00:00:00.000
 *
 * Values are escaped so that one field is always one line.
 */
#include "escape.h"
#include "event/event.h"
#include "render.h"

void render_text(struct render_out *w, const struct render_host *h,
		 const struct event *ev)
{
	const struct catalog_event *def = ev->def;
	unsigned n = render_nfields(h, ev);

	render_puts(w, "Event ");
	render_puts(w, def->symbol);
	render_put(w, "\n", 1);
	for (unsigned i = 0; i < n; i++) {
		size_t len;
		const char *v = event_value(ev, i, &len);

		render_put(w, "\t", 1);
		render_puts(w, def->fields[i].name);
		render_put(w, ": ", 2);
		render_escape(w, v, len, RENDER_ESC_TEXT);
		render_put(w, "\n", 1);
	}
}
