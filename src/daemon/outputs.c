/* SPDX-License-Identifier: MIT */
/*
 * daemon/outputs.c - settings -> sinks -> writer.
 *
 * The store is written on the writer thread (it is the lossless output:
 * the writer queue is what protects it).  Every other output runs behind
 * sink_async_new(), so a stalled reader never holds up the store.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "forward/forward.h"
#include "outputs.h"
#include "render/render.h"
#include "settings/settings.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/file.h"
#include "util/log.h"
#include "writer.h"

#define MAX_SINKS	     4
#define OUTPUT_BACKLOG_BYTES (32u << 20)

/*
 * Put an output that can stall (a terminal, a pipe, syslog, a file) on a
 * thread of its own: then it loses only its own events when it falls
 * behind, and the store never waits for it.  Each has a backlog as deep
 * as the writer queue, in events, and OUTPUT_BACKLOG_BYTES of values, and
 * sheds the events of shed_first first, as the writer queue does.
 */
static struct sink *detach(struct sink *inner, const struct settings *s)
{
	struct sink *a;

	if (!inner)
		return NULL;
	a = sink_async_new(inner, s->queue_events ? s->queue_events : 1,
			   OUTPUT_BACKLOG_BYTES);
	if (a)
		sink_async_set_shed(a, s->shed_first);
	if (!a) {
		int e = errno;

		inner->free(inner);
		errno = e;
	}
	return a;
}

/* Add the sink made by new to sinks; false (with a log line) on failure. */
static bool add(struct sink **sinks, size_t *n, struct sink *new,
		const char *what)
{
	if (!new) {
		log_error("cannot open output %s: %s", what, strerror(errno));
		return false;
	}
	sinks[(*n)++] = new;
	return true;
}

/* The forwarder's cursors, for the store's retention-loss count. */
static void read_cursors(void *arg, uint64_t *cursors, size_t n)
{
	const struct settings *s = arg;
	char path[PATH_MAX];

	for (size_t i = 0; i < n && i < s->ndests; i++) {
		if (forward_cursor_path(path, sizeof(path), s->state_dir,
					s->dests[i].name) < 0 ||
		    forward_cursor_read(path, &cursors[i]) < 0)
			cursors[i] = 0;
	}
}

struct writer *outputs_open(const struct settings *s,
			    const struct render_host *h, struct sink **store)
{
	struct sink *sinks[MAX_SINKS];
	struct writer *w;
	size_t n = 0;
	int err;

	*store = NULL;
	/* group adm: the forwarder (forward_user, in the store's group)
	 * keeps its cursors below it */
	if (s->state_dir[0] &&
	    (err = file_mkdir_shared(s->state_dir, 0750, "adm")) < 0)
		log_warn("state directory %s: %s", s->state_dir,
			 strerror(-err));
	if (s->store_path[0] &&
	    !add(sinks, &n,
		 sink_store_new(s->store_path, s->store_max_bytes,
				s->store_max_age_s, h),
		 s->store_path))
		goto fail;
	if (s->store_path[0]) {
		*store = sinks[n - 1];
		sink_store_watch_cursors(*store, s->ndests, read_cursors,
					 (void *)s);
	}
	if (s->stdout_on &&
	    !add(sinks, &n, detach(sink_stdout_new(h, s->stdout_format), s),
		 "stdout"))
		goto fail;
	if (s->syslog_on &&
	    !add(sinks, &n, detach(sink_syslog_new(h), s), "syslog"))
		goto fail;
	if (s->jsonl_path[0] &&
	    !add(sinks, &n, detach(sink_jsonl_new(s->jsonl_path, h), s),
		 s->jsonl_path))
		goto fail;
	w = writer_new(sinks, n, s->queue_events, s->state_dir);
	if (w) {
		writer_set_shed(w, s->shed_first);
		return w;
	}
	log_error("cannot start the writer: %s", strerror(errno));
fail:
	while (n-- > 0)
		sinks[n]->free(sinks[n]);
	return NULL;
}
