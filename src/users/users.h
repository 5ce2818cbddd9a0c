/* SPDX-License-Identifier: MIT */
/*
 * users/users.h - uid -> user name, cached.  Unknown uids read as their
 * number, as Sysmon for Linux does; root is "root".
 */
#ifndef VIGIL_USERS_H
#define VIGIL_USERS_H

#include <stdint.h>

struct users;

struct users *users_new(void);
void users_free(struct users *u);

/* Name for uid; the string lives as long as the cache. */
const char *users_name(struct users *u, uint32_t uid);

#endif /* VIGIL_USERS_H */
