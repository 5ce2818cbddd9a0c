/* SPDX-License-Identifier: MIT */
/*
 * web/web.h - `vigil web`, the event viewer in a browser: a small HTTP
 * server (libmicrohttpd) in its own unprivileged process, serving the
 * pages under web/ (built into the binary) and a read-only JSON API over
 * the event store (docs/web.md).
 *
 * Access needs the token that `vigil -i` generates (util/token.h) and
 * `vigil status` shows.
 */
#ifndef VIGIL_WEB_H
#define VIGIL_WEB_H

/* vigil web [options]: serve the viewer until SIGINT/SIGTERM.  argv[0] is
 * "web"; returns the process exit status (0, 1 failure, 2 usage). */
int web_main(int argc, char **argv);

#endif /* VIGIL_WEB_H */
