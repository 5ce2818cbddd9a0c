/* SPDX-License-Identifier: MIT */
/*
 * forward/message.c - one event as one RFC 5424 syslog message:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
 *
 * PRI is the destination's facility with the severity of the event's
 * Level (2 error -> err, 3 -> warning, else info); TIMESTAMP is
 * TimeCreated in UTC with microseconds; HOSTNAME the record's Computer;
 * APP-NAME "sysmon" unless set (what Sysmon for Linux's lines carry, so
 * rules keyed on it keep working); PROCID the daemon's pid (the record's
 * Execution ProcessID); MSGID the EventID, so receivers can route
 * without parsing the body; SD the registered [origin] element naming
 * vigil, or "-"; MSG the XML record (or JSON) without a BOM, which never
 * holds a raw newline.
 *
 * Framing: octet counting (RFC 6587 3.4.1, "LEN SP MSG") by default, LF
 * termination for receivers that only know that, nothing for UDP.
 *
 * Size: a message longer than the destination's message_max is never
 * split; the longest values are cut, the end replaced by "..." as
 * Sysmon's FieldSizes does, until it fits, each as little as needed.
 * The record is rendered again, so it stays well-formed XML/JSON.
 *
 * Pure: no I/O, no globals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event/event.h"
#include "internal.h"
#include "util/version.h"

/* Every value cut at most this many times (each pass cuts the longest). */
#define CUT_MAX_PASSES (2 * CATALOG_MAX_FIELDS)

void fwd_timestamp(uint64_t utc_ns, char out[32])
{
	time_t s = (time_t)(utc_ns / 1000000000ull);
	unsigned us = (unsigned)(utc_ns % 1000000000ull / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ",
		 (unsigned)(tm.tm_year + 1900) % 10000,
		 (unsigned)(tm.tm_mon + 1) % 100, (unsigned)tm.tm_mday % 100,
		 (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
		 (unsigned)tm.tm_sec % 100, us % 1000000);
}

static unsigned severity(const struct event *ev)
{
	switch (ev->def->level) {
	case 1:
	case 2:
		return 3; /* err */
	case 3:
		return 4; /* warning */
	default:
		return 6; /* informational */
	}
}

/* HOSTNAME: 1-255 printable US-ASCII; anything else becomes '_'. */
static int put_hostname(struct buf *b, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	int err = 0;

	if (!n)
		return buf_addc(b, '-');
	if (n > 255)
		n = 255;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		err |= buf_addc(b, c > 32 && c < 127 ? (char)c : '_');
	}
	return err;
}

static int put_header(struct buf *b, const struct settings_dest *d,
		      const struct render_host *h, const struct event *ev,
		      uint64_t created_ns)
{
	char ts[32];
	int err;

	fwd_timestamp(created_ns, ts);
	err = buf_addf(b, "<%u>1 %s ", d->facility * 8 + severity(ev), ts);
	err |= put_hostname(b, h ? h->computer : NULL);
	err |= buf_addf(b, " %s %u %u ", d->app_name, h ? h->pid : 0,
			ev->def->id);
	if (d->has_origin_sd)
		err |= buf_adds(
			b,
			"[origin software=\"vigil\" swVersion=\"" VIGIL_VERSION
			"\"] ");
	else
		err |= buf_adds(b, "- ");
	return err;
}

/* Back off to the start of a UTF-8 sequence, so a cut leaves none half. */
static size_t utf8_floor(const char *v, size_t n)
{
	while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	return n;
}

struct fit {
	struct buf *scratch;
	size_t head_len;
	const struct settings_dest *d;
	const struct render_host *h;
	uint64_t created_ns;
};

/* Render ev after the header: 0 when it fits, 1 when not, or -ENOMEM. */
static int try_render(struct fit *f, struct event *ev)
{
	int err;

	f->scratch->len = f->head_len;
	f->scratch->is_full = false;
	err = render_event(f->scratch, f->h, ev,
			   (enum render_format)f->d->format, f->created_ns);
	if (err == -ENOMEM)
		return err;
	return err || f->scratch->len > f->d->message_max;
}

/* Value idx as orig[0..keep) + "..." (keep 0: "-"). */
static void set_cut(struct event *ev, unsigned idx, const char *orig,
		    size_t keep)
{
	char *v = ev->buf + ev->off[idx];

	if (!keep) {
		ev->len[idx] = 0; /* reads back as "-" */
		return;
	}
	memcpy(v, orig, keep);
	memcpy(v + keep, "...", 3);
	v[keep + 3] = '\0';
	ev->len[idx] = (uint32_t)(keep + 3);
}

/*
 * Cut the longest value as little as needed: the longest prefix (whole
 * UTF-8 sequences) that, with "...", lets the message fit, found by
 * bisection (escaping makes the rendered size of a value unknowable
 * from its bytes).  Returns 0 (fits now), 1 (emptied and still too big:
 * cut the next one), -E2BIG (nothing left to cut), -ENOMEM.
 */
static int cut_longest(struct fit *f, struct event *ev)
{
	unsigned best = 0;
	size_t best_len = 0, lo, hi;
	char *orig;
	int r;

	for (unsigned i = 0; i < ev->def->nfields; i++)
		if (ev->len[i] > best_len) {
			best_len = ev->len[i];
			best = i;
		}
	if (best_len <= 3)
		return -E2BIG;
	orig = malloc(best_len);
	if (!orig)
		return -ENOMEM;
	memcpy(orig, ev->buf + ev->off[best], best_len);
	set_cut(ev, best, orig, 0);
	r = try_render(f, ev);
	if (r != 0) {
		free(orig);
		return r < 0 ? r : 1;
	}
	/* keep lo fits; keep hi does not (the whole value did not) */
	lo = 0;
	hi = best_len - 3;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2, keep = utf8_floor(orig, mid);

		if (keep <= lo) { /* inside one sequence: try its end */
			hi = mid;
			continue;
		}
		set_cut(ev, best, orig, keep);
		r = try_render(f, ev);
		if (r < 0) {
			free(orig);
			return r;
		}
		if (r == 0)
			lo = keep;
		else
			hi = keep;
	}
	set_cut(ev, best, orig, utf8_floor(orig, lo));
	free(orig);
	r = try_render(f, ev);
	return r < 0 ? r : 0;
}

int fwd_message_append(struct buf *out, const struct settings_dest *d,
		       const struct render_host *h, struct event *ev,
		       uint64_t created_ns, struct buf *scratch, bool *is_cut)
{
	struct fit f = {
		.scratch = scratch, .d = d, .h = h, .created_ns = created_ns
	};
	size_t total;
	int err;

	*is_cut = false;
	buf_reset(scratch);
	err = put_header(scratch, d, h, ev, created_ns);
	if (err)
		return -ENOMEM;
	f.head_len = scratch->len;
	err = try_render(&f, ev);
	for (int pass = 0; err == 1; pass++) {
		if (pass >= CUT_MAX_PASSES)
			return -E2BIG;
		*is_cut = true;
		err = cut_longest(&f, ev);
	}
	if (err < 0)
		return err;
	total = scratch->len;
	switch (d->kind) {
	case DEST_SYSLOG_TCP:
	case DEST_SYSLOG_TLS:
		if (d->framing == FRAMING_LF) {
			err = buf_add(out, scratch->data, total);
			err |= buf_addc(out, '\n');
		} else {
			err = buf_addf(out, "%zu ", total);
			err |= buf_add(out, scratch->data, total);
		}
		break;
	default:
		err = buf_add(out, scratch->data, total);
		break;
	}
	return err || out->is_full ? -ENOMEM : 0;
}
