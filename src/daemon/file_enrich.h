/* SPDX-License-Identifier: MIT */
/*
 * daemon/file_enrich.h - the file family's enrichment: the I/O its
 * decoder asks for (held content, archive, executable checks) and the
 * rule that turns a deletion FileDelete logs not into FileDeleteDetected.
 */
#ifndef VIGIL_DAEMON_FILE_ENRICH_H
#define VIGIL_DAEMON_FILE_ENRICH_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct config_prefilter;
struct content;
struct decode_want;
struct decoder;
struct event;

/*
 * Fill what w (WANT_EXECUTABLE, WANT_HOLD, WANT_RENAME, WANT_DELETED)
 * asks of ev.  Returns false when ev must be dropped (event 29 for a file
 * that is no executable).
 */
bool file_enrich(struct content *c, const struct config *cfg,
		 const struct decoder *dec, struct event *ev,
		 const struct decode_want *w);

/*
 * The rules for a deletion: FileDelete (23) first; a deletion it does not
 * log becomes FileDeleteDetected (26) and meets those rules.  For other
 * events, config_decide().  true: log ev (as its possibly new type).
 */
bool file_decide(const struct config *cfg, struct event *ev);

/*
 * The kernel prefilter of each record slot (enum wire_pf_slot) for cfg:
 * what the rules of the events each slot feeds can log.  Creations feed
 * archiving (23) and event 29's chmod case too: then they are all kept.
 * Release each with config_prefilter_release().  0 or -ENOMEM.
 */
int file_prefilters(const struct config *cfg, bool is_archiving,
		    struct config_prefilter pfs[6]);

#endif /* VIGIL_DAEMON_FILE_ENRICH_H */
