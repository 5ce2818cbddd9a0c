/* SPDX-License-Identifier: MIT */
/*
 * daemon/outputs.h - build the sinks the settings turn on and the writer
 * that feeds them.
 */
#ifndef VIGIL_OUTPUTS_H
#define VIGIL_OUTPUTS_H

struct render_host;
struct settings;
struct sink;
struct writer;

/*
 * NULL + errno (and a log line naming the output) on failure.  *store
 * gets the store sink (owned by the writer) or NULL when it is off; it
 * watches the forwarding cursors of s's destinations (s must outlive
 * the writer).
 */
struct writer *outputs_open(const struct settings *s,
			    const struct render_host *h, struct sink **store);

#endif /* VIGIL_OUTPUTS_H */
