/* SPDX-License-Identifier: MIT */
/*
 * sink/syslog.c - events as Sysmon for Linux writes them: the XML record
 * as one syslog(3) message, ident "sysmon", user.info, no PID in the tag
 * (output-formats.md 1a).  SIEM parsers select these lines by tag and
 * match the body by position, so nothing is added around the XML.
 *
 * syslog(3) drops what /dev/log refuses (a stopped syslog daemon, a
 * datagram over the socket's size); it reports nothing, so this sink can
 * only fail on rendering.  The store is the lossless output.
 */
#include <errno.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "event/event.h"
#include "render/render.h"
#include "sink.h"
#include "util/buf.h"
#include "util/clock.h"

struct syslog_sink {
	struct sink sink;
	struct render_host host;
	struct buf xml;
};

static int syslog_write(struct sink *s, const struct event *ev)
{
	struct syslog_sink *o = s->priv;
	int err;

	buf_reset(&o->xml);
	err = render_event(&o->xml, &o->host, ev, RENDER_XML, clock_utc_ns());
	if (err < 0)
		return err;
	syslog(LOG_USER | LOG_INFO, "%s", o->xml.data);
	return 0;
}

static int syslog_flush(struct sink *s)
{
	(void)s;
	return 0;
}

/* syslog keeps no record ids; the writer takes them from the store. */
static uint64_t syslog_last_record_id(struct sink *s)
{
	(void)s;
	return 0;
}

static void syslog_free(struct sink *s)
{
	struct syslog_sink *o;

	if (!s)
		return;
	o = s->priv;
	closelog();
	buf_release(&o->xml);
	free(o);
}

struct sink *sink_syslog_new(const struct render_host *h)
{
	struct syslog_sink *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->host = *h;
	buf_init(&o->xml, 0);
	openlog("sysmon", LOG_NOWAIT, LOG_USER);
	o->sink.name = "syslog";
	o->sink.write = syslog_write;
	o->sink.flush = syslog_flush;
	o->sink.last_record_id = syslog_last_record_id;
	o->sink.free = syslog_free;
	o->sink.priv = o;
	return &o->sink;
}
