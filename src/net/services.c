/* SPDX-License-Identifier: MIT */
/*
 * net/services.c - port names from services(5): parsed once into a table
 * indexed by port, so a lookup on the event path is one array read, with
 * no NSS call and no file access.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define SERVICES_MAX_BYTES (4u << 20) /* a services file larger is refused */
#define SERVICE_NAME_MAX   64

struct net_services {
	/* Offset + 1 of the name in names[] per port, tcp and udp; 0: none */
	uint32_t tcp[65536];
	uint32_t udp[65536];
	char *names;
	size_t used, cap;
	size_t count;
};

static int add_name(struct net_services *s, const char *name, size_t len,
		    uint32_t *slot)
{
	if (*slot)
		return 0; /* the first entry wins, as getservbyport() */
	if (s->used + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		char *p;

		while (cap < s->used + len + 1)
			cap *= 2;
		p = realloc(s->names, cap);
		if (!p)
			return -ENOMEM;
		s->names = p;
		s->cap = cap;
	}
	memcpy(s->names + s->used, name, len);
	s->names[s->used + len] = '\0';
	*slot = (uint32_t)s->used + 1;
	s->used += len + 1;
	s->count++;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One line "name port/proto ...": 0 (parsed or skipped) or -ENOMEM. */
static int parse_line(struct net_services *s, const char *p, const char *end)
{
	const char *name, *num;
	size_t name_len;
	unsigned long port = 0;
	size_t digits = 0;

	while (p < end && is_space(*p))
		p++;
	name = p;
	while (p < end && !is_space(*p) && *p != '#')
		p++;
	name_len = (size_t)(p - name);
	if (!name_len || name_len >= SERVICE_NAME_MAX)
		return 0;
	while (p < end && is_space(*p))
		p++;
	num = p;
	while (p < end && *p >= '0' && *p <= '9' && digits < 6) {
		port = port * 10 + (unsigned long)(*p - '0');
		p++;
		digits++;
	}
	if (p == num || port > 65535 || p >= end || *p != '/')
		return 0;
	p++;
	if ((size_t)(end - p) >= 3 && memcmp(p, "tcp", 3) == 0 &&
	    (end - p == 3 || is_space(p[3]) || p[3] == '#'))
		return add_name(s, name, name_len, &s->tcp[port]);
	if ((size_t)(end - p) >= 3 && memcmp(p, "udp", 3) == 0 &&
	    (end - p == 3 || is_space(p[3]) || p[3] == '#'))
		return add_name(s, name, name_len, &s->udp[port]);
	return 0;
}

struct net_services *net_services_parse(const char *text, size_t len)
{
	struct net_services *s = calloc(1, sizeof(*s));
	const char *p = text, *end = text + len;

	if (!s)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (parse_line(s, p, eol) < 0) {
			net_services_free(s);
			errno = ENOMEM;
			return NULL;
		}
		p = nl ? nl + 1 : end;
	}
	return s;
}

struct net_services *net_services_load(const char *path)
{
	FILE *f = fopen(path, "re");
	struct net_services *s;
	char *text;
	size_t n;

	if (!f)
		return NULL;
	text = malloc(SERVICES_MAX_BYTES);
	if (!text) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	n = fread(text, 1, SERVICES_MAX_BYTES, f);
	fclose(f);
	s = net_services_parse(text, n);
	free(text);
	return s;
}

const char *net_services_name(const struct net_services *s, uint16_t port,
			      uint8_t protocol)
{
	uint32_t off;

	if (!s)
		return NULL;
	off = protocol == IPPROTO_UDP ? s->udp[port] : s->tcp[port];
	return off ? s->names + off - 1 : NULL;
}

size_t net_services_count(const struct net_services *s)
{
	return s ? s->count : 0;
}

void net_services_free(struct net_services *s)
{
	if (!s)
		return;
	free(s->names);
	free(s);
}
