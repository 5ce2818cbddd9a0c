/* SPDX-License-Identifier: MIT */
/*
 * daemon/lastgood.h - the last configuration that loaded, kept in the
 * state directory, so a daemon started (or restarted by its service
 * manager) with a configuration file that is broken or gone goes on
 * monitoring with the rules it last ran instead of not at all.
 */
#ifndef VIGIL_DAEMON_LASTGOOD_H
#define VIGIL_DAEMON_LASTGOOD_H

#include <stddef.h>

struct config;
struct diag;

/* The copy's file name in the state directory. */
#define LASTGOOD_NAME "config-last-good.xml"

/* "<state_dir>/config-last-good.xml" into out: 0 or -ENAMETOOLONG. */
int lastgood_path(char *out, size_t size, const char *state_dir);

/*
 * Load the config at path, as config_load_file() does (NULL with d
 * filled and errno set when it does not load), and keep the very bytes
 * that loaded as the state directory's copy (written atomically, mode
 * 0600: the rules say what is not watched, root's business only).  A
 * copy that cannot be written is logged, not an error.  state_dir NULL
 * or "": nothing kept.
 */
struct config *lastgood_load(const char *path, const char *state_dir,
			     struct diag *d);

#endif /* VIGIL_DAEMON_LASTGOOD_H */
