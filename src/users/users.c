/* SPDX-License-Identifier: MIT */
/*
 * users/users.c - a small direct-mapped cache in front of getpwuid_r().
 * Entries expire after a minute so renamed or new accounts show up.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "users.h"

#define USERS_SLOTS 256
#define USERS_TTL_S 60

struct user_slot {
	uint32_t uid;
	time_t fetched;
	char name[64];
};

struct users {
	struct user_slot slots[USERS_SLOTS];
};

struct users *users_new(void)
{
	return calloc(1, sizeof(struct users));
}

void users_free(struct users *u)
{
	free(u);
}

const char *users_name(struct users *u, uint32_t uid)
{
	struct user_slot *s = &u->slots[uid % USERS_SLOTS];
	time_t now = time(NULL);
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (s->fetched && s->uid == uid && now - s->fetched < USERS_TTL_S)
		return s->name;
	s->uid = uid;
	s->fetched = now;
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res &&
	    strlen(res->pw_name) < sizeof(s->name))
		snprintf(s->name, sizeof(s->name), "%s", res->pw_name);
	else
		snprintf(s->name, sizeof(s->name), "%u", uid);
	return s->name;
}
