/* SPDX-License-Identifier: MIT */
/*
 * web/web.h - `vigil web`, the event viewer in a browser: a small HTTP
 * server (libmicrohttpd) in its own unprivileged process, serving the
 * pages under web/ (built into the binary) and a read-only JSON API over
 * the event store (docs/web.md).
 *
 * Access needs the token that `vigil -i` generates (web_token_create())
 * and `vigil status` shows.
 */
#ifndef VIGIL_WEB_H
#define VIGIL_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* vigil web [options]: serve the viewer until SIGINT/SIGTERM.  argv[0] is
 * "web"; returns the process exit status (0, 1 failure, 2 usage). */
int web_main(int argc, char **argv);

/* A token is this many lower-case hex digits (256 random bits). */
#define WEB_TOKEN_LEN 64

/*
 * Write a fresh random token to path (atomically, mode 0640, group gid
 * unless gid is (gid_t)-1), unless path already holds a valid one, which
 * is kept: reinstalling does not lock out a browser.  Returns 0, 1 when
 * a token was kept, or a negative errno.
 */
int web_token_create(const char *path, gid_t gid);

/* Read the token at path into out (NUL-terminated).  Returns 0, -EINVAL
 * when the file does not hold one, or a negative errno from open/read. */
int web_token_read(const char *path, char out[WEB_TOKEN_LEN + 1]);

/* Whether the n bytes at s are token, in time independent of where they
 * differ. */
bool web_token_equal(const char *token, const char *s, size_t n);

#endif /* VIGIL_WEB_H */
