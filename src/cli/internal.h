/* SPDX-License-Identifier: MIT */
/*
 * cli/internal.h - helpers shared by the files of cli/ only.
 */
#ifndef VIGIL_CLI_INTERNAL_H
#define VIGIL_CLI_INTERNAL_H

#include "cli.h"

struct svc_args;
struct svc_paths;

/* `vigil -t [verbose]` (debug.c): the monitor in the foreground with the
 * installed or the default config.  Returns an SVC_EXIT_* status. */
int cli_debug(const struct svc_args *a, const struct svc_paths *p);

#endif /* VIGIL_CLI_INTERNAL_H */
