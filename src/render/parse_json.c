/* SPDX-License-Identifier: MIT */
/*
 * render/parse_json.c - read one line of vigil's own JSON back into an
 * event (for `vigil filter` and the store viewer).
 *
 * Not a general JSON parser: it walks exactly the shape render_json()
 * writes, driven by the constant key tables below, so nesting depth is
 * bounded by those tables and not by the input.  It accepts only what the
 * renderer can produce: strings must be valid UTF-8 without U+0000,
 * U+FFFE, U+FFFF or lone surrogates, numbers are unsigned integers, keys
 * are known and appear at most once.  Key order is free, and EventData may
 * come before System: its position is remembered and it is read again once
 * the event id is known.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "event/event.h"
#include "render.h"

/* Longest line accepted: every value of a full event escaped as \u00XX. */
#define PARSE_MAX_LINE (8u * EVENT_MAX_BYTES)
/* Longest key: every key of the shape is far shorter. */
#define PARSE_MAX_KEY 64

struct jp {
	const unsigned char *p, *end;
	char *scratch; /* decoded string values */
	size_t scratch_size; /* input length + 1: decoding never grows */
};

/* K_NUMSTR: a string of decimal digits ("UserId":"0"). */
enum kind { K_UINT, K_STR, K_NUMSTR, K_TIME, K_OBJ };

/* Where a value goes: numbers to slot[], strings to the render_system. */
enum slot {
	S_NONE,
	S_ID,
	S_RECORD,
	S_CREATED,
	S_PID,
	S_TID,
	S_UID,
	S_NAME,
	S_GUID,
	S_CHANNEL,
	S_COMPUTER,
	S_COUNT
};

struct key {
	const char *name;
	enum kind kind;
	enum slot slot;
	const struct key *sub; /* K_OBJ: its keys, NULL-terminated */
};

static const struct key provider_keys[] = {
	{ "Name", K_STR, S_NAME, NULL },
	{ "Guid", K_STR, S_GUID, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct key time_keys[] = {
	{ "SystemTime", K_TIME, S_CREATED, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct key execution_keys[] = {
	{ "ProcessID", K_UINT, S_PID, NULL },
	{ "ThreadID", K_UINT, S_TID, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct key security_keys[] = {
	{ "UserId", K_NUMSTR, S_UID, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct key system_keys[] = {
	{ "Provider", K_OBJ, S_NONE, provider_keys },
	{ "EventID", K_UINT, S_ID, NULL },
	{ "Version", K_UINT, S_NONE, NULL },
	{ "Level", K_UINT, S_NONE, NULL },
	{ "Task", K_UINT, S_NONE, NULL },
	{ "Opcode", K_UINT, S_NONE, NULL },
	{ "Keywords", K_STR, S_NONE, NULL },
	{ "TimeCreated", K_OBJ, S_NONE, time_keys },
	{ "EventRecordID", K_UINT, S_RECORD, NULL },
	{ "Execution", K_OBJ, S_NONE, execution_keys },
	{ "Channel", K_STR, S_CHANNEL, NULL },
	{ "Computer", K_STR, S_COMPUTER, NULL },
	{ "Security", K_OBJ, S_NONE, security_keys },
	{ NULL, 0, 0, NULL },
};

struct parsed {
	uint64_t slot[S_COUNT];
	bool has[S_COUNT];
	const unsigned char *data; /* just after "EventData": */
	struct render_system *sys; /* NULL: System strings are not kept */
};

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int expect(struct jp *j, unsigned char c)
{
	skip_ws(j);
	if (j->p >= j->end || *j->p != c)
		return -EINVAL;
	j->p++;
	return 0;
}

static bool accept(struct jp *j, unsigned char c)
{
	skip_ws(j);
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

static int hex4(struct jp *j, unsigned *v)
{
	*v = 0;
	if (j->end - j->p < 4)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		unsigned char c = *j->p++;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return -EINVAL;
	}
	return 0;
}

/* The code point of a \u escape (after "\u"), pairs joined. */
static int unicode_escape(struct jp *j, unsigned *cp)
{
	unsigned lo;

	if (hex4(j, cp))
		return -EINVAL;
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return -EINVAL; /* lone low surrogate */
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
			return -EINVAL;
		j->p += 2;
		if (hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return -EINVAL;
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	/* What the renderer can never write (see escape.h). */
	if (*cp == 0 || *cp == 0xfffe || *cp == 0xffff)
		return -EINVAL;
	return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode the string at the cursor into dst (cap bytes, NUL-terminated);
 * -EINVAL when malformed or longer than cap - 1.
 */
static int get_string(struct jp *j, char *dst, size_t cap, size_t *len)
{
	size_t n = 0;

	if (expect(j, '"'))
		return -EINVAL;
	while (j->p < j->end) {
		unsigned char c = *j->p;
		unsigned cp;
		size_t u;

		if (n + 4 >= cap) /* room for the longest sequence + NUL */
			return -EINVAL;
		if (c == '"') {
			j->p++;
			dst[n] = '\0';
			*len = n;
			return 0;
		}
		if (c < 0x20)
			return -EINVAL;
		if (c >= 0x80) {
			u = render_utf8_len(j->p, j->end);
			if (!u)
				return -EINVAL;
			memcpy(dst + n, j->p, u);
			n += u;
			j->p += u;
			continue;
		}
		j->p++;
		if (c != '\\') {
			dst[n++] = (char)c;
			continue;
		}
		if (j->p >= j->end)
			return -EINVAL;
		switch (*j->p++) {
		case '"':
			dst[n++] = '"';
			break;
		case '\\':
			dst[n++] = '\\';
			break;
		case '/':
			dst[n++] = '/';
			break;
		case 'b':
			dst[n++] = '\b';
			break;
		case 'f':
			dst[n++] = '\f';
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'u':
			if (unicode_escape(j, &cp))
				return -EINVAL;
			n += put_utf8(dst + n, cp);
			break;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL; /* unterminated */
}

/* A value string: JSON-decoded, then its value text decoded (render.h). */
static int get_value(struct jp *j, size_t *len)
{
	if (get_string(j, j->scratch, j->scratch_size, len))
		return -EINVAL;
	return render_value_decode(j->scratch, j->scratch, *len, len, true);
}

/* A string of decimal digits, as "UserId" is written. */
static int get_numstr(struct jp *j, uint64_t *v)
{
	size_t len;

	if (get_string(j, j->scratch, j->scratch_size, &len) || !len ||
	    len > 10 || (len > 1 && j->scratch[0] == '0'))
		return -EINVAL;
	*v = 0;
	for (size_t i = 0; i < len; i++) {
		if (j->scratch[i] < '0' || j->scratch[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(j->scratch[i] - '0');
	}
	return *v > UINT32_MAX ? -EINVAL : 0;
}

/* Keep a System string in out->sys, when there is one. */
static int keep_text(struct parsed *out, enum slot slot, const char *v,
		     size_t len)
{
	struct render_system *sys = out->sys;
	char *dst;

	if (!sys)
		return 0;
	switch (slot) {
	case S_NAME:
		dst = sys->provider_name;
		break;
	case S_GUID:
		dst = sys->provider_guid;
		break;
	case S_CHANNEL:
		dst = sys->channel;
		break;
	case S_COMPUTER:
		dst = sys->computer;
		break;
	default:
		return 0;
	}
	/* A NUL inside would cut the value: the renderer never writes one. */
	if (len >= RENDER_SYSTEM_TEXT_MAX || memchr(v, '\0', len))
		return -EINVAL;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

static int get_uint(struct jp *j, uint64_t *v)
{
	skip_ws(j);
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return -EINVAL;
	if (*j->p == '0') { /* JSON allows no leading zeros */
		j->p++;
		*v = 0;
	} else {
		for (*v = 0; j->p < j->end && *j->p >= '0' && *j->p <= '9';
		     j->p++) {
			unsigned d = *j->p - '0';

			if (*v > (UINT64_MAX - d) / 10)
				return -EINVAL;
			*v = *v * 10 + d;
		}
	}
	/* Fractions and exponents never occur in the shape. */
	if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
			      (*j->p >= '0' && *j->p <= '9')))
		return -EINVAL;
	return 0;
}

/*
 * After '{': 1 with the next key in key[], 0 at the closing '}', or
 * -EINVAL.
 */
static int next_key(struct jp *j, bool *is_first, char key[PARSE_MAX_KEY])
{
	size_t len;

	if (accept(j, '}'))
		return 0;
	if (!*is_first && expect(j, ','))
		return -EINVAL;
	*is_first = false;
	if (get_string(j, key, PARSE_MAX_KEY, &len) || expect(j, ':'))
		return -EINVAL;
	return 1;
}

/* An object whose keys come from the table keys (depth bounded by it). */
static int parse_object(struct jp *j, const struct key *keys,
			struct parsed *out)
{
	char key[PARSE_MAX_KEY];
	bool is_first = true;
	uint32_t seen = 0;
	int r;

	if (expect(j, '{'))
		return -EINVAL;
	while ((r = next_key(j, &is_first, key)) == 1) {
		const struct key *k;
		unsigned i;
		uint64_t v = 0;
		size_t len;

		for (i = 0, k = keys; k->name && strcmp(k->name, key); i++, k++)
			;
		if (!k->name || (seen & (1u << i)))
			return -EINVAL;
		seen |= 1u << i;
		switch (k->kind) {
		case K_UINT:
			r = get_uint(j, &v);
			break;
		case K_STR:
			r = get_value(j, &len);
			if (!r)
				r = keep_text(out, k->slot, j->scratch, len);
			break;
		case K_NUMSTR:
			r = get_numstr(j, &v);
			break;
		case K_TIME:
			r = get_string(j, j->scratch, j->scratch_size, &len);
			if (!r)
				r = render_parse_created(j->scratch, len, &v);
			break;
		case K_OBJ:
			r = parse_object(j, k->sub, out);
			break;
		default:
			r = -EINVAL;
		}
		if (r ||
		    ((k->slot == S_PID || k->slot == S_TID) && v > UINT32_MAX))
			return -EINVAL;
		if (k->slot != S_NONE) {
			out->slot[k->slot] = v;
			out->has[k->slot] = true;
		}
	}
	return r;
}

/*
 * EventData: a flat object of strings.  With ev NULL only the syntax is
 * checked (the event type may not be known yet); otherwise every key must
 * be a field of ev, at most once, and its value is stored.
 */
static int parse_data(struct jp *j, struct event *ev)
{
	char key[PARSE_MAX_KEY];
	bool is_first = true;
	uint64_t seen = 0;
	int r;

	if (expect(j, '{'))
		return -EINVAL;
	while ((r = next_key(j, &is_first, key)) == 1) {
		int idx = 0;
		size_t len;
		uint64_t t;

		if (ev) {
			idx = catalog_field_index(ev->def, key);
			if (idx < 0 || (seen & (1ull << idx)))
				return -EINVAL;
			seen |= 1ull << idx;
		}
		if (get_value(j, &len))
			return -EINVAL;
		if (!ev)
			continue;
		r = event_set(ev, (unsigned)idx, j->scratch, len);
		if (r)
			return r;
		if (!strcmp(key, "UtcTime") &&
		    !event_parse_time(j->scratch, &t))
			ev->time_ns = t;
	}
	return r;
}

/* {"Event":{"System":{..},"EventData":{..}}} and nothing after it. */
static int parse_top(struct jp *j, struct parsed *out)
{
	char key[PARSE_MAX_KEY];
	bool is_first = true, has_system = false;

	if (expect(j, '{') || next_key(j, &is_first, key) != 1 ||
	    strcmp(key, "Event") || expect(j, '{'))
		return -EINVAL;
	is_first = true;
	for (;;) {
		int r = next_key(j, &is_first, key);

		if (r < 0)
			return r;
		if (r == 0)
			break;
		if (!strcmp(key, "System") && !has_system) {
			has_system = true;
			if (parse_object(j, system_keys, out))
				return -EINVAL;
		} else if (!strcmp(key, "EventData") && !out->data) {
			out->data = j->p;
			if (parse_data(j, NULL))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	if (next_key(j, &is_first, key) != 0)
		return -EINVAL;
	skip_ws(j);
	if (j->p != j->end || !out->data || !out->has[S_ID])
		return -EINVAL;
	return 0;
}

int render_parse_json(const char *line, size_t len, struct event *ev,
		      uint64_t *created_ns)
{
	struct render_system sys;
	int r = render_parse_json_system(line, len, ev, &sys);

	if (r == 0 && created_ns)
		*created_ns = sys.created_ns;
	return r;
}

int render_parse_json_system(const char *line, size_t len, struct event *ev,
			     struct render_system *sys)
{
	struct parsed out;
	struct jp j;
	int r;

	memset(ev, 0, sizeof(*ev));
	memset(&out, 0, sizeof(out));
	memset(sys, 0, sizeof(*sys));
	out.sys = sys;
	if (!line || len > PARSE_MAX_LINE)
		return -EINVAL;
	j.p = (const unsigned char *)line;
	j.end = j.p + len;
	/* A decoded string is never longer than its encoding. */
	j.scratch_size = len + 1;
	j.scratch = malloc(j.scratch_size);
	if (!j.scratch)
		return -ENOMEM;
	r = parse_top(&j, &out);
	if (r)
		goto out;
	if (out.slot[S_ID] > UINT32_MAX) {
		r = -EINVAL;
		goto out;
	}
	r = event_init(ev, (unsigned)out.slot[S_ID]);
	if (r)
		goto out;
	ev->record_id = out.slot[S_RECORD];
	j.p = out.data;
	r = parse_data(&j, ev);
	if (r)
		goto out;
	sys->created_ns = out.slot[S_CREATED];
	render_host_defaults(&sys->host);
	sys->host.pid = (unsigned)out.slot[S_PID];
	sys->host.tid = (unsigned)out.slot[S_TID];
	sys->host.euid = (unsigned)out.slot[S_UID];
	sys->host.computer = sys->computer;
	if (out.has[S_NAME])
		sys->host.provider_name = sys->provider_name;
	if (out.has[S_GUID])
		sys->host.provider_guid = sys->provider_guid;
	if (out.has[S_CHANNEL])
		sys->host.channel = sys->channel;
out:
	if (r)
		event_release(ev);
	free(j.scratch);
	return r;
}
