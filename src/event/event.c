/* SPDX-License-Identifier: MIT */
/*
 * event/event.c - storage of one canonical event's values.
 *
 * Values are appended to one growable buffer; setting a field again
 * appends the new value and leaves the old bytes unused (events are short
 * lived, so compaction would cost more than it saves).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "util/fmt.h"

int event_init(struct event *ev, unsigned id)
{
	memset(ev, 0, sizeof(*ev));
	ev->def = catalog_lookup(id);
	if (!ev->def)
		return -EINVAL;
	ev->cap = 1024;
	ev->buf = malloc(ev->cap);
	if (!ev->buf)
		return -ENOMEM;
	return 0;
}

int event_retype(struct event *ev, unsigned id)
{
	const struct catalog_event *def = catalog_lookup(id);
	unsigned keep;

	if (!def)
		return -EINVAL;
	keep = def->nfields < ev->def->nfields ? def->nfields
					       : ev->def->nfields;
	for (unsigned i = 0; i < keep; i++)
		if (strcmp(def->fields[i].name, ev->def->fields[i].name) != 0)
			return -EINVAL;
	for (unsigned i = keep; i < CATALOG_MAX_FIELDS; i++)
		ev->len[i] = 0;
	if (keep > 0 && strcmp(def->fields[0].name, "RuleName") == 0)
		ev->len[0] = 0;
	ev->def = def;
	return 0;
}

void event_release(struct event *ev)
{
	if (!ev)
		return;
	free(ev->buf);
	memset(ev, 0, sizeof(*ev));
}

int event_copy(struct event *dst, const struct event *src)
{
	*dst = *src;
	dst->cap = src->used ? src->used : 1;
	dst->buf = malloc(dst->cap);
	if (!dst->buf) {
		memset(dst, 0, sizeof(*dst));
		return -ENOMEM;
	}
	if (src->used)
		memcpy(dst->buf, src->buf, src->used);
	return 0;
}

/* Less unused than this is not worth a copy. */
#define COMPACT_MIN_BYTES 256

/*
 * A copy into a buffer of the exact size, not realloc(): shrinking in
 * place would leave a hole after each queued event too small for the
 * next event_init(), and a full queue would hold as much heap as before.
 * The whole old buffer freed is what the next event_init() gets back.
 */
void event_compact(struct event *ev)
{
	uint32_t cap = ev->used ? ev->used : 1;
	char *p;

	if (!ev->buf || ev->cap - ev->used < COMPACT_MIN_BYTES)
		return;
	p = malloc(cap);
	if (!p)
		return; /* keeps the bigger buffer */
	memcpy(p, ev->buf, ev->used);
	free(ev->buf);
	ev->buf = p;
	ev->cap = cap;
}

void event_reset(struct event *ev)
{
	memset(ev->len, 0, sizeof(ev->len));
	ev->used = 0;
	ev->record_id = 0;
	ev->time_ns = 0;
	ev->is_truncated = false;
	ev->err = 0;
}

static int reserve(struct event *ev, size_t n)
{
	size_t cap = ev->cap;
	char *p;

	if (ev->used + n <= cap)
		return 0;
	while (cap < ev->used + n)
		cap *= 2;
	if (cap > EVENT_MAX_BYTES)
		cap = EVENT_MAX_BYTES;
	p = realloc(ev->buf, cap);
	if (!p)
		return -ENOMEM;
	ev->buf = p;
	ev->cap = (uint32_t)cap;
	return 0;
}

/* Keep the first failure of a set in ev->err. */
static int failed(struct event *ev, int r)
{
	if (!ev->err)
		ev->err = r;
	return r;
}

int event_set(struct event *ev, unsigned idx, const char *v, size_t n)
{
	const char *nul = memchr(v, '\0', n);
	size_t room;
	int r;

	if (idx >= ev->def->nfields)
		return failed(ev, -EINVAL);
	if (nul)
		n = (size_t)(nul - v);
	/* Room for the value and its NUL within EVENT_MAX_BYTES. */
	if (ev->used >= EVENT_MAX_BYTES) {
		ev->len[idx] = 0;
		ev->is_truncated = true;
		return 0;
	}
	room = EVENT_MAX_BYTES - ev->used - 1;
	if (n > room) {
		n = room;
		ev->is_truncated = true;
	}
	r = reserve(ev, n + 1);
	if (r < 0)
		return failed(ev, r);
	memcpy(ev->buf + ev->used, v, n);
	ev->buf[ev->used + n] = '\0';
	ev->off[idx] = ev->used;
	ev->len[idx] = (uint32_t)n;
	ev->used += (uint32_t)n + 1;
	return 0;
}

int event_set_str(struct event *ev, unsigned idx, const char *v)
{
	return event_set(ev, idx, v, strlen(v));
}

int event_setf(struct event *ev, unsigned idx, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return failed(ev, -EINVAL);
	return event_set(ev, idx, tmp, strnlen(tmp, sizeof(tmp)));
}

int event_set_named(struct event *ev, const char *field, const char *v)
{
	int idx = catalog_field_index(ev->def, field);

	if (idx < 0)
		return -ENOENT;
	return event_set_str(ev, (unsigned)idx, v);
}

int event_set_uint(struct event *ev, const char *field, uint64_t v)
{
	int idx = catalog_field_index(ev->def, field);

	if (idx < 0)
		return -ENOENT;
	return event_set_u64(ev, (unsigned)idx, v);
}

/* Per event, several times: cheaper than going through printf. */
int event_set_u64(struct event *ev, unsigned idx, uint64_t v)
{
	char tmp[FMT_UINT_MAX];

	return event_set(ev, idx, tmp, fmt_uint(tmp, v));
}

const char *event_value(const struct event *ev, unsigned idx, size_t *len)
{
	if (idx >= ev->def->nfields || ev->len[idx] == 0) {
		if (len)
			*len = 1;
		return "-";
	}
	if (len)
		*len = ev->len[idx];
	return ev->buf + ev->off[idx];
}

const char *event_named(const struct event *ev, const char *field)
{
	int idx = catalog_field_index(ev->def, field);

	return idx < 0 ? NULL : event_value(ev, (unsigned)idx, NULL);
}

/* Once per event and per rendering: digits written directly (fmt.h). */
void event_format_time(uint64_t utc_ns, bool with_ns, char *out, size_t size)
{
	time_t secs = (time_t)(utc_ns / 1000000000ull);
	uint64_t frac = utc_ns % 1000000000ull;
	char tmp[48], *p = tmp;
	struct tm tm;

	if (size == 0)
		return;
	gmtime_r(&secs, &tm);
	/* years past 9999 would not fit the layout: as printf would */
	p += fmt_uint_pad(p, (uint64_t)(tm.tm_year + 1900) % 1000000, 4);
	*p++ = '-';
	p += fmt_uint_pad(p, (uint64_t)tm.tm_mon + 1, 2);
	*p++ = '-';
	p += fmt_uint_pad(p, (uint64_t)tm.tm_mday, 2);
	*p++ = with_ns ? 'T' : ' ';
	p += fmt_uint_pad(p, (uint64_t)tm.tm_hour, 2);
	*p++ = ':';
	p += fmt_uint_pad(p, (uint64_t)tm.tm_min, 2);
	*p++ = ':';
	p += fmt_uint_pad(p, (uint64_t)tm.tm_sec, 2);
	*p++ = '.';
	if (with_ns) {
		p += fmt_uint_pad(p, frac, 9);
		*p++ = 'Z';
	} else {
		p += fmt_uint_pad(p, frac / 1000000, 3);
	}
	*p = '\0';
	if ((size_t)(p - tmp) >= size)
		p = tmp + size - 1;
	memcpy(out, tmp, (size_t)(p - tmp));
	out[p - tmp] = '\0';
}

int event_parse_time(const char *s, uint64_t *utc_ns)
{
	struct tm tm = { 0 };
	unsigned ms = 0;
	int n = 0;

	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d.%3u%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms,
		   &n) != 7 ||
	    s[n] != '\0')
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*utc_ns = (uint64_t)timegm(&tm) * 1000000000ull + ms * 1000000ull;
	return 0;
}

void event_set_time(struct event *ev, uint64_t utc_ns)
{
	char tmp[40];
	int idx = catalog_field_index(ev->def, "UtcTime");

	ev->time_ns = utc_ns;
	if (idx < 0)
		return;
	event_format_time(utc_ns, false, tmp, sizeof(tmp));
	event_set_str(ev, (unsigned)idx, tmp);
}
