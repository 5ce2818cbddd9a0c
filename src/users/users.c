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
	time_t fetched; /* CLOCK_MONOTONIC s + 1 (a clock set back must not
			 * keep a name for ever); 0: empty */
	char name[USERS_NAME_MAX];
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

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1;
}

const char *users_cached(struct users *u, uint32_t uid)
{
	struct user_slot *s = &u->slots[uid % USERS_SLOTS];

	if (s->fetched && s->uid == uid && now_s() - s->fetched < USERS_TTL_S)
		return s->name;
	return NULL;
}

const char *users_store(struct users *u, uint32_t uid, const char *name)
{
	struct user_slot *s = &u->slots[uid % USERS_SLOTS];

	s->uid = uid;
	s->fetched = now_s();
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s->name;
}

void users_lookup(uint32_t uid, char *out, size_t size)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res &&
	    strlen(res->pw_name) < USERS_NAME_MAX)
		snprintf(out, size, "%s", res->pw_name);
	else
		snprintf(out, size, "%u", uid);
}

const char *users_name(struct users *u, uint32_t uid)
{
	const char *name = users_cached(u, uid);
	char buf[USERS_NAME_MAX];

	if (name)
		return name;
	users_lookup(uid, buf, sizeof(buf));
	return users_store(u, uid, buf);
}
