/* SPDX-License-Identifier: MIT */
/*
 * daemon/file_enrich.c - file events' enrichment on the pipeline thread.
 *
 * Deletions: the held content (content/content.h) gives Hashes and
 * IsExecutable before the rules run (rules may test them); a deletion the
 * FileDelete rules log is archived then, while the descriptor is still in
 * hand, and says so in Archived.
 */
#include <errno.h>
#include <string.h>

#include "catalog/fields.h"
#include "config/config.h"
#include "content/content.h"
#include "event/event.h"
#include "sensor/sensor.h"
#include "util/clock.h"
#include "wire.h"
#include "file_enrich.h"

static const char *path_of(const struct event *ev, const struct decode_want *w)
{
	return event_value(ev, (unsigned)w->file.path_field, NULL);
}

static void enrich_deleted(struct content *c, const struct config *cfg,
			   unsigned algs, struct event *ev,
			   const struct decode_want *w)
{
	const char *path = path_of(ev, w);
	struct content_file f;
	char name[HASH_TEXT_MAX + 16];

	if (content_take(c, path, algs, &f) < 0) {
		content_file_release(&f);
		return;
	}
	if (f.hashes[0])
		event_set_str(ev, (unsigned)w->field, f.hashes);
	if (w->file.aux_field >= 0)
		event_set_str(ev, (unsigned)w->file.aux_field,
			      f.is_executable ? "true" : "false");
	/* Archive only what FileDelete logs (the rules run again later, on
	 * the same values, with the same result). */
	if (content_is_archiving(c) && config_decide(cfg, ev) &&
	    content_archive(c, &f, path, algs, name, sizeof(name)) == 0)
		event_set_str(ev, EV23_ARCHIVED, "true");
	event_set_str(ev, EV23_RULE_NAME, "-");
	content_file_release(&f);
}

bool file_enrich(struct content *c, const struct config *cfg,
		 const struct decoder *dec, struct event *ev,
		 const struct decode_want *w)
{
	char hashes[HASH_TEXT_MAX];
	int r;

	switch (w->kind) {
	case WANT_HOLD:
		content_hold(c, path_of(ev, w), w->file.dev, w->file.ino,
			     clock_ns(CLOCK_MONOTONIC));
		if (w->file.mode)
			content_written(c, w->file.dev, w->file.ino,
					w->file.mode);
		return true;
	case WANT_RENAME:
		if (dec->rename_from)
			content_rename(c, dec->rename_from, path_of(ev, w));
		return true;
	case WANT_DELETED:
		enrich_deleted(c, cfg, dec->hash_algs, ev, w);
		return true;
	case WANT_EXECUTABLE:
		r = content_executable(c, path_of(ev, w), w->file.dev,
				       w->file.ino, w->file.is_chmod,
				       dec->hash_algs, hashes);
		if (r <= 0)
			return false;
		if (hashes[0])
			event_set_str(ev, (unsigned)w->field, hashes);
		return true;
	default:
		return true;
	}
}

bool file_decide(const struct config *cfg, struct event *ev)
{
	if (config_decide(cfg, ev))
		return true;
	if (ev->def->id != 23 || event_retype(ev, 26) < 0)
		return false;
	return config_decide(cfg, ev);
}

/* pf := what ids a and b (b 0: none) can log in field. */
static int slot_of(const struct config *cfg, unsigned a, unsigned b,
		   const char *field, struct config_prefilter *pf)
{
	struct config_prefilter more;
	int r = config_prefilter(cfg, a, field, pf);

	if (r < 0 || !b)
		return r;
	r = config_prefilter(cfg, b, field, &more);
	if (r == 0)
		r = config_prefilter_merge(pf, &more);
	config_prefilter_release(&more);
	return r;
}

int file_prefilters(const struct config *cfg, bool is_archiving,
		    struct config_prefilter pfs[6])
{
	int r = 0;

	_Static_assert(WIRE_PF_SLOTS == 6, "file_enrich.h says 6 slots");
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++) {
		memset(&pfs[k], 0, sizeof(pfs[k]));
		pfs[k].is_all = true;
	}
	if (!(is_archiving && config_wants(cfg, 23)) && !config_wants(cfg, 29))
		r |= slot_of(cfg, 11, 0, "TargetFilename",
			     &pfs[WIRE_PF_CREATE]);
	r |= slot_of(cfg, 23, 26, "TargetFilename", &pfs[WIRE_PF_DELETE]);
	r |= slot_of(cfg, 2, 0, "TargetFilename", &pfs[WIRE_PF_TIME]);
	r |= slot_of(cfg, 29, 0, "TargetFilename", &pfs[WIRE_PF_WRITTEN]);
	r |= slot_of(cfg, 17, 18, "PipeName", &pfs[WIRE_PF_PIPE]);
	r |= slot_of(cfg, 9, 0, "Device", &pfs[WIRE_PF_RAW]);
	return r ? -ENOMEM : 0;
}
