/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_decode.c - decode_record() on arbitrary ring records.
 *
 * Input: one options byte, then records as in tests/wire_log.h (a 32-bit
 * length and the bytes), decoded in order by one decoder over one process
 * table, so fork, exec and exit build up state that later records lean on
 * (pid reuse, a full table, a parent the table lacks).  Each record is
 * copied into a buffer of exactly its length, so any read past it is
 * caught by ASan.
 *
 * Options byte: bit 0 seeds the table with three processes (what start-up
 * finds in /proc; added the way the table adds them, without files, so
 * the fuzzer does no I/O); bit 1 makes the table four entries (overflow);
 * bit 2 asks for hashes; bit 3 makes each record's header length agree
 * with its framing, so inputs whose sizes the fuzzer changed still get
 * past the dispatcher to the decoders.
 *
 * Beyond "no crash, no leak, no undefined behaviour", the decoder's
 * contract is checked: results are 1, 0, -EINVAL or -ENOMEM; an event
 * comes only with 1, enrichment requests only with an event and only for
 * fields the event has; a malformed record changes nothing in the table;
 * the table never holds more than its size; every event renders.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dns/dns.h"
#include "event/event.h"
#include "net/net.h"
#include "proc/proc.h"
#include "render/render.h"
#include "sensor/sensor.h"
#include "util/buf.h"

#include "../wire_log.h"

#define OPT_SEED   0x1u
#define OPT_SMALL  0x2u
#define OPT_HASH   0x4u
#define OPT_FIXLEN 0x8u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What start-up would have found: init, a shell and its child. */
static void seed(struct proc_table *t)
{
	static const struct {
		uint32_t tgid, ppid;
		uint64_t start_ns, end_code;
		const char *image, *cmdline;
	} procs[] = {
		{ 1, 0, 10000000, 0x1000, "/sbin/init", "/sbin/init" },
		{ 100, 1, 2000000000, 0x2000, "/bin/sh", "sh -c x" },
		{ 101, 100, 3000000000, 0x3000, "/usr/bin/odd name", "a b c" },
	};

	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		struct wire_task k = { .pid = procs[i].tgid,
				       .tgid = procs[i].tgid,
				       .ppid = procs[i].ppid,
				       .uid = 1000,
				       .start_ns = procs[i].start_ns,
				       .end_code = procs[i].end_code };

		proc_on_exec(t, &k, strdup(procs[i].image),
			     strdup(procs[i].cmdline));
	}
}

static int is_field(const struct event *ev, int idx, bool may_be_none)
{
	if (idx < 0)
		return may_be_none;
	return (unsigned)idx < ev->def->nfields;
}

/* Every request names fields of ev; enrichment then fills them. */
static void check_wants(const struct decoder *d, struct event *ev)
{
	if (d->nwants > DECODE_MAX_WANTS)
		abort();
	for (unsigned i = 0; i < d->nwants; i++) {
		const struct decode_want *w = &d->wants[i];

		if (!is_field(ev, w->field, w->kind == WANT_PROC))
			abort();
		switch (w->kind) {
		case WANT_USER:
			break;
		case WANT_HASH:
			if (!is_field(ev, w->file.path_field, false))
				abort();
			break;
		case WANT_EXECUTABLE:
		case WANT_HOLD:
		case WANT_RENAME:
			if (!is_field(ev, w->file.path_field, false))
				abort();
			if (w->kind == WANT_RENAME && !d->rename_from)
				abort();
			break;
		case WANT_DELETED:
			if (!is_field(ev, w->file.path_field, false) ||
			    !is_field(ev, w->file.aux_field, true))
				abort();
			break;
		case WANT_MODSIG: /* fills field and the two after it */
			if (!is_field(ev, w->file.path_field, false) ||
			    !is_field(ev, w->field + 2, false))
				abort();
			break;
		case WANT_PORT_NAME:
		case WANT_HOSTNAME:
		case WANT_MODULE_AT:
			break;
		case WANT_PROC:
			if (!is_field(ev, w->proc.fields.guid, true) ||
			    !is_field(ev, w->proc.fields.pid, true) ||
			    !is_field(ev, w->proc.fields.image, true) ||
			    !is_field(ev, w->proc.fields.cmdline, true) ||
			    !is_field(ev, w->proc.user_field, true))
				abort();
			break;
		default:
			abort();
		}
		/* As the daemon's enrichment would. */
		if (w->field >= 0 &&
		    event_set_str(ev, (unsigned)w->field, "enriched") < 0)
			abort();
	}
}

static void check_event(struct event *ev)
{
	struct buf out;

	buf_init(&out, 0);
	if (!ev->def)
		abort();
	for (int f = RENDER_XML; f <= RENDER_TEXT; f++) {
		buf_reset(&out);
		if (render_event(&out, NULL, ev, (enum render_format)f, 0) < 0)
			abort();
	}
	buf_release(&out);
}

/* An event from decode_record() or decode_more(): contract, render. */
static void check(struct decoder *d, struct event *ev)
{
	check_wants(d, ev);
	check_event(ev);
	event_release(ev);
}

/* What the families held back, as the daemon drains it. */
static void drain(struct decoder *d, uint64_t now, bool is_final)
{
	struct event ev;
	int r;

	while ((r = decode_more(d, now, is_final, &ev)) == 1)
		check(d, &ev);
	if (r != 0 && r != -ENOMEM)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned opts = size ? data[0] : 0;
	size_t max = opts & OPT_SMALL ? 4 : 64, off = size ? 1 : 0, len;
	struct proc_table *t =
		proc_table_new(max, "0123456789abcdef", "/nonexistent");
	struct decoder d = { .procs = t,
			     .boot_to_utc_ns = 1700000000000000000ll };
	const uint8_t *rec;

	if (!t)
		return 0;
	d.names = net_names_new(64);
	d.dns_lookup = true;
	d.dns = dns_track_new(1000000000ull);
	if (opts & OPT_SEED)
		seed(t);
	if (opts & OPT_HASH)
		d.hash_algs = CONFIG_HASH_SHA256;
	while (wire_log_next(data, size, &off, &rec, &len)) {
		/* Exactly len bytes, aligned as a ring-buffer sample is. */
		void *copy = malloc(len ? len : 1);
		size_t before = proc_table_count(t);
		struct event ev;
		int r;

		if (!copy)
			break;
		memcpy(copy, rec, len);
		if ((opts & OPT_FIXLEN) && len >= sizeof(struct wire_hdr))
			((struct wire_hdr *)copy)->len = (uint32_t)len;
		r = decode_record(&d, copy, len, &ev);
		if (r == 1) {
			check(&d, &ev);
		} else if (r == 0 || r == -EINVAL || r == -ENOMEM) {
			if (d.nwants != 0)
				abort();
			if (r == -EINVAL && proc_table_count(t) != before)
				abort();
		} else {
			abort();
		}
		if (proc_table_count(t) > max)
			abort();
		free(copy);
		drain(&d, 0, false);
	}
	drain(&d, 5000000000ull, false);
	drain(&d, 6000000000ull, true);
	dns_track_free(d.dns);
	net_names_free(d.names);
	decode_release(&d);
	proc_table_free(t);
	return 0;
}
