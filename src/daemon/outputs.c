/* SPDX-License-Identifier: MIT */
/*
 * daemon/outputs.c - settings -> sinks -> writer.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "outputs.h"
#include "render/render.h"
#include "settings/settings.h"
#include "sink/sink.h"
#include "util/log.h"
#include "writer.h"

#define MAX_SINKS 4

struct writer *outputs_open(const struct settings *s,
			    const struct render_host *h)
{
	struct sink *sinks[MAX_SINKS];
	struct writer *w;
	size_t n = 0;

	if (s->state_dir[0] && mkdir(s->state_dir, 0750) < 0 && errno != EEXIST)
		log_warn("state directory %s: %s", s->state_dir,
			 strerror(errno));
	if (s->stdout_on) {
		sinks[n] = sink_stdout_new(h, s->stdout_format);
		if (!sinks[n])
			goto fail;
		n++;
	}
	w = writer_new(sinks, n, s->queue_events, s->state_dir);
	if (w)
		return w;
fail:
	log_error("cannot open outputs: %s", strerror(errno));
	while (n-- > 0)
		sinks[n]->free(sinks[n]);
	return NULL;
}
