/* SPDX-License-Identifier: MIT */
/*
 * render/json.c - one line of JSON per event: a transliteration of the
 * XML record ({"Event":{"System":{..},"EventData":{..}}}), EventData
 * values all strings, Keywords a string (it does not fit a signed 64-bit
 * integer, which many JSON readers use).
 */
#include "escape.h"
#include "event/event.h"
#include "render.h"

static void put_str(struct render_out *w, const char *s)
{
	render_put(w, "\"", 1);
	if (!s || !*s)
		render_put(w, "-", 1);
	else
		render_escape(w, s, strlen(s), RENDER_ESC_JSON);
	render_put(w, "\"", 1);
}

int render_json_string(struct buf *out, const char *s, size_t n)
{
	struct render_out w;

	render_out_init(&w, out);
	render_put(&w, "\"", 1);
	render_escape(&w, s, n, RENDER_ESC_JSON);
	render_put(&w, "\"", 1);
	return render_out_finish(&w);
}

void render_json(struct render_out *w, const struct render_host *h,
		 const struct event *ev, uint64_t created_ns)
{
	const struct catalog_event *def = ev->def;
	char when[RENDER_TIME_LEN + 1];

	render_format_created(created_ns, when);
	render_puts(w, "{\"Event\":{\"System\":{\"Provider\":{\"Name\":");
	put_str(w, h->provider_name);
	render_puts(w, ",\"Guid\":");
	put_str(w, h->provider_guid);
	render_puts(w, "},\"EventID\":");
	render_put_u64(w, def->id);
	render_puts(w, ",\"Version\":");
	render_put_u64(w, def->version);
	render_puts(w, ",\"Level\":");
	render_put_u64(w, def->level);
	render_puts(w, ",\"Task\":");
	render_put_u64(w, def->id);
	render_puts(w, ",\"Opcode\":0,\"Keywords\":\"0x8000000000000000\","
		       "\"TimeCreated\":{\"SystemTime\":\"");
	render_put(w, when, RENDER_TIME_LEN);
	render_puts(w, "\"},\"EventRecordID\":");
	render_put_u64(w, ev->record_id);
	render_puts(w, ",\"Execution\":{\"ProcessID\":");
	render_put_u64(w, h->pid);
	render_puts(w, ",\"ThreadID\":");
	render_put_u64(w, h->tid);
	render_puts(w, "},\"Channel\":");
	put_str(w, h->channel);
	render_puts(w, ",\"Computer\":");
	put_str(w, h->computer);
	render_puts(w, ",\"Security\":{\"UserId\":\"");
	render_put_u64(w, h->euid);
	render_puts(w, "\"}},\"EventData\":{");
	for (unsigned i = 0, n = render_nfields(h, ev); i < n; i++) {
		size_t len;
		const char *v = event_value(ev, i, &len);

		if (i)
			render_put(w, ",", 1);
		render_put(w, "\"", 1);
		render_puts(w, def->fields[i].name);
		render_put(w, "\":\"", 3);
		render_escape(w, v, len, RENDER_ESC_JSON);
		render_put(w, "\"", 1);
	}
	render_puts(w, "}}}");
}
