/* SPDX-License-Identifier: MIT */
/*
 * users/users.h - uid -> user name, cached.  Unknown uids read as their
 * number, as Sysmon for Linux does; root is "root".
 *
 * The cache and the lookup are apart so that a caller that must never
 * block (the pipeline thread) can ask the cache alone and have the lookup,
 * which goes through NSS and may wait on a network directory, done on
 * another thread.
 */
#ifndef VIGIL_USERS_H
#define VIGIL_USERS_H

#include <stddef.h>
#include <stdint.h>

/* Longest name kept, with its NUL; longer names read as the uid. */
#define USERS_NAME_MAX 64

struct users;

/* An empty cache; NULL + errno. */
struct users *users_new(void);
void users_free(struct users *u);

/* The cached name of uid, or NULL when it is not cached or has expired.
 * No I/O.  The string lives until the next call that changes the cache. */
const char *users_cached(struct users *u, uint32_t uid);

/* Remember name as uid's, as of now; returns the cached copy (lives as
 * users_cached()'s). */
const char *users_store(struct users *u, uint32_t uid, const char *name);

/*
 * Ask the user database (getpwuid_r: NSS, may block) for uid's name, into
 * out (size bytes, at least USERS_NAME_MAX): the name, or the uid in
 * decimal when it has none.  Thread-safe.
 */
void users_lookup(uint32_t uid, char *out, size_t size);

/* Cached, else looked up now (may block).  Lives as users_cached(). */
const char *users_name(struct users *u, uint32_t uid);

#endif /* VIGIL_USERS_H */
