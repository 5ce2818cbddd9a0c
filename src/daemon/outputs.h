/* SPDX-License-Identifier: MIT */
/*
 * daemon/outputs.h - build the sinks the settings turn on and the writer
 * that feeds them.
 */
#ifndef VIGIL_OUTPUTS_H
#define VIGIL_OUTPUTS_H

struct render_host;
struct settings;
struct writer;

/* NULL + errno (and a log line naming the output) on failure. */
struct writer *outputs_open(const struct settings *s,
			    const struct render_host *h);

#endif /* VIGIL_OUTPUTS_H */
