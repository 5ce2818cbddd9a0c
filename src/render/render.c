/* SPDX-License-Identifier: MIT */
/*
 * render/render.c - format selection and the host defaults.
 */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "event/event.h"
#include "render.h"

#define DEFAULT_PROVIDER_NAME "Linux-Sysmon"
#define DEFAULT_PROVIDER_GUID "{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"
#define DEFAULT_CHANNEL	      "Linux-Sysmon/Operational"

void render_host_defaults(struct render_host *h)
{
	memset(h, 0, sizeof(*h));
	h->provider_name = DEFAULT_PROVIDER_NAME;
	h->provider_guid = DEFAULT_PROVIDER_GUID;
	h->channel = DEFAULT_CHANNEL;
}

void render_host_fill(struct render_host *dst, const struct render_host *h)
{
	render_host_defaults(dst);
	if (!h)
		return;
	dst->computer = h->computer;
	dst->pid = h->pid;
	dst->tid = h->tid;
	dst->euid = h->euid;
	dst->extra_fields = h->extra_fields;
	if (h->provider_name)
		dst->provider_name = h->provider_name;
	if (h->provider_guid)
		dst->provider_guid = h->provider_guid;
	if (h->channel)
		dst->channel = h->channel;
}

int render_format_parse(const char *s, enum render_format *f)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "xml"))
		*f = RENDER_XML;
	else if (!strcmp(s, "json"))
		*f = RENDER_JSON;
	else if (!strcmp(s, "text"))
		*f = RENDER_TEXT;
	else
		return -EINVAL;
	return 0;
}

unsigned render_nfields(const struct render_host *h, const struct event *ev)
{
	return h->extra_fields ? ev->def->nfields
			       : catalog_sysmon_fields(ev->def);
}

int render_event(struct buf *out, const struct render_host *h,
		 const struct event *ev, enum render_format fmt,
		 uint64_t created_ns)
{
	struct render_host host;
	struct render_out w;

	render_host_fill(&host, h);
	render_out_init(&w, out);
	switch (fmt) {
	case RENDER_XML:
		render_xml(&w, &host, ev, created_ns);
		break;
	case RENDER_JSON:
		render_json(&w, &host, ev, created_ns);
		break;
	case RENDER_TEXT:
		render_text(&w, &host, ev);
		break;
	default:
		return -EINVAL;
	}
	return render_out_finish(&w);
}

int render_value_text(struct buf *out, const char *s, size_t n)
{
	struct render_out w;

	render_out_init(&w, out);
	render_escape(&w, s, n, RENDER_ESC_TEXT);
	return render_out_finish(&w);
}
