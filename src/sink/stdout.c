/* SPDX-License-Identifier: MIT */
/*
 * sink/stdout.c - rendered events on standard output, one per line (text
 * format: one block per event).  For `vigil run` in the foreground, a
 * container's log, or a pipe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink.h"
#include "util/buf.h"
#include "util/clock.h"

struct stdout_sink {
	struct sink sink;
	struct render_host host;
	enum render_format format;
	struct buf out;
};

static int stdout_write(struct sink *s, const struct event *ev)
{
	struct stdout_sink *o = s->priv;
	int r = render_event(&o->out, &o->host, ev, o->format, clock_utc_ns());

	if (r < 0)
		return r;
	if (o->format != RENDER_TEXT)
		buf_addc(&o->out, '\n');
	/* Flush in large pieces; a batch is flushed at its end anyway. */
	if (o->out.len >= 1 << 16)
		return s->flush(s);
	return 0;
}

static int stdout_flush(struct sink *s)
{
	struct stdout_sink *o = s->priv;
	size_t off = 0;

	while (off < o->out.len) {
		ssize_t n = write(STDOUT_FILENO, o->out.data + off,
				  o->out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			buf_reset(&o->out);
			return n < 0 ? -errno : -EIO;
		}
		off += (size_t)n;
	}
	buf_reset(&o->out);
	return 0;
}

static void stdout_free(struct sink *s)
{
	struct stdout_sink *o;

	if (!s)
		return;
	o = s->priv;
	stdout_flush(s);
	buf_release(&o->out);
	free(o);
}

struct sink *sink_stdout_new(const struct render_host *h, int format)
{
	struct stdout_sink *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->host = *h;
	o->format = (enum render_format)format;
	buf_init(&o->out, 0);
	o->sink.name = "stdout";
	o->sink.write = stdout_write;
	o->sink.flush = stdout_flush;
	o->sink.free = stdout_free;
	o->sink.priv = o;
	return &o->sink;
}
