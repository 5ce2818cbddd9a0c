/* SPDX-License-Identifier: MIT */
/*
 * render/xml.c - Sysmon for Linux's syslog XML, byte for byte.
 *
 * SIEM parsers (Sentinel's ASIM parsers in particular) match this record
 * by exact substrings and position, so element order, double quotes, the
 * lack of whitespace and of an XML declaration are all part of the format.
 */
#include "escape.h"
#include "event/event.h"
#include "render.h"

/* Write s, or "-" when it is NULL or empty, as Sysmon does. */
static void put_text(struct render_out *w, const char *s, enum render_esc esc)
{
	if (!s || !*s)
		render_put(w, "-", 1);
	else
		render_escape(w, s, strlen(s), esc);
}

void render_xml(struct render_out *w, const struct render_host *h,
		const struct event *ev, uint64_t created_ns)
{
	const struct catalog_event *def = ev->def;
	char when[RENDER_TIME_LEN + 1];

	render_format_created(created_ns, when);
	render_puts(w, "<Event><System><Provider Name=\"");
	put_text(w, h->provider_name, RENDER_ESC_XML_ATTR);
	render_puts(w, "\" Guid=\"");
	put_text(w, h->provider_guid, RENDER_ESC_XML_ATTR);
	render_puts(w, "\"/><EventID>");
	render_put_u64(w, def->id);
	render_puts(w, "</EventID><Version>");
	render_put_u64(w, def->version);
	render_puts(w, "</Version><Level>");
	render_put_u64(w, def->level);
	render_puts(w, "</Level><Task>");
	render_put_u64(w, def->id);
	render_puts(w, "</Task><Opcode>0</Opcode>"
		       "<Keywords>0x8000000000000000</Keywords>"
		       "<TimeCreated SystemTime=\"");
	render_put(w, when, RENDER_TIME_LEN);
	render_puts(w, "\"/><EventRecordID>");
	render_put_u64(w, ev->record_id);
	render_puts(w, "</EventRecordID><Correlation/><Execution ProcessID=\"");
	render_put_u64(w, h->pid);
	render_puts(w, "\" ThreadID=\"");
	render_put_u64(w, h->tid);
	render_puts(w, "\"/><Channel>");
	put_text(w, h->channel, RENDER_ESC_XML_TEXT);
	render_puts(w, "</Channel><Computer>");
	put_text(w, h->computer, RENDER_ESC_XML_TEXT);
	render_puts(w, "</Computer><Security UserId=\"");
	render_put_u64(w, h->euid);
	render_puts(w, "\"/></System><EventData>");
	for (unsigned i = 0, n = render_nfields(h, ev); i < n; i++) {
		size_t len;
		const char *v = event_value(ev, i, &len);

		render_puts(w, "<Data Name=\"");
		/* Field names are catalogue constants: nothing to escape. */
		render_puts(w, def->fields[i].name);
		render_put(w, "\">", 2);
		render_escape(w, v, len, RENDER_ESC_XML_TEXT);
		render_put(w, "</Data>", 7);
	}
	render_puts(w, "</EventData></Event>");
}
