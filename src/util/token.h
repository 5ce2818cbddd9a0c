/* SPDX-License-Identifier: MIT */
/*
 * util/token.h - access tokens kept in files: the web viewer's, which
 * `vigil -i` writes, `vigil status` shows and `vigil web` checks.
 */
#ifndef VIGIL_TOKEN_H
#define VIGIL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A token is this many lower-case hex digits (256 random bits). */
#define TOKEN_LEN 64

/*
 * Write a fresh random token to path (atomically, mode 0640, group gid
 * unless gid is (gid_t)-1), unless path already holds a valid one, which
 * is kept: reinstalling does not lock out a browser.  Returns 0, 1 when
 * a token was kept, or a negative errno.
 */
int token_create(const char *path, gid_t gid);

/* Read the token at path into out (NUL-terminated).  Returns 0, -EINVAL
 * when the file does not hold one, or a negative errno from open/read. */
int token_read(const char *path, char out[TOKEN_LEN + 1]);

/* Whether the n bytes at s are token, in time independent of where they
 * differ. */
bool token_equal(const char *token, const char *s, size_t n);

#endif /* VIGIL_TOKEN_H */
