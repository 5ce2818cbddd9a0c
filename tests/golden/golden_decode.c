/* SPDX-License-Identifier: MIT */
/*
 * golden_decode - the golden replay tier's decoder: read a wire log
 * recorded from the kernel (tests/helpers/wire_record.c) and print what
 * decode_record() makes of each record, as stable text: every field of
 * every event and every enrichment request, in record order.
 *
 *   golden_decode FILE.wire
 *
 * Everything that varies from run to run outside the recording is fixed
 * here: the machine id, no boot id (so GUIDs depend only on the recorded
 * pid, start time and end of code), the boot-to-UTC offset, an empty
 * process table (nothing from this machine's /proc), and the hash
 * algorithms.  The output is then a pure function of the recording.
 * Exit status 2 when the recording was made with another wire layout.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "dns/dns.h"
#include "event/event.h"
#include "net/net.h"
#include "proc/proc.h"
#include "sensor/sensor.h"

#include "../wire_log.h"

#define MACHINE_ID  "5eedc0de5eedc0de5eedc0de5eedc0de"
#define BOOT_TO_UTC 1750000000000000000ll /* 2025-06-15 15:06:40 UTC */

static const char *field_name(const struct event *ev, int idx)
{
	if (idx < 0)
		return "-";
	if ((unsigned)idx >= ev->def->nfields)
		return "(out of range)";
	return ev->def->fields[idx].name;
}

static void print_want(const struct event *ev, const struct decode_want *w)
{
	switch (w->kind) {
	case WANT_USER:
		printf("  want user %s uid=%" PRIu32 "\n",
		       field_name(ev, w->field), w->uid);
		break;
	case WANT_HASH:
		printf("  want hash %s of %s algs=%u dev=%" PRIu64
		       " ino=%" PRIu64 " size=%" PRIu64 " mtime=%" PRId64
		       ".%09" PRIu32 " ctime=%" PRId64 ".%09" PRIu32
		       " version=%" PRIu64 " exe_tgid=%" PRIu32 "\n",
		       field_name(ev, w->field),
		       field_name(ev, w->file.path_field), w->file.algs,
		       w->file.id.dev, w->file.id.ino, w->file.id.size,
		       w->file.id.mtime_sec, w->file.id.mtime_nsec,
		       w->file.id.ctime_sec, w->file.id.ctime_nsec,
		       w->file.id.version, w->file.exe_tgid);
		break;
	case WANT_PROC:
		printf("  want proc tgid=%" PRIu32 " start_ns=%" PRIu64
		       " guid=%s pid=%s image=%s cmdline=%s user=%s\n",
		       w->proc.tgid, w->proc.start_ns,
		       field_name(ev, w->proc.fields.guid),
		       field_name(ev, w->proc.fields.pid),
		       field_name(ev, w->proc.fields.image),
		       field_name(ev, w->proc.fields.cmdline),
		       field_name(ev, w->proc.user_field));
		break;
	case WANT_PORT_NAME:
		printf("  want port name %s port=%u protocol=%u\n",
		       field_name(ev, w->field), w->port.port,
		       w->port.protocol);
		break;
	case WANT_HOSTNAME: {
		char ip[NET_IP_MAX];
		bool is_v6;

		net_format_ip(w->host.ip, ip, &is_v6);
		printf("  want hostname %s of %s\n", field_name(ev, w->field),
		       ip);
		break;
	}
	case WANT_MODSIG:
		printf("  want module signature %s of %s dev=%" PRIu64
		       " ino=%" PRIu64 "\n",
		       field_name(ev, w->field),
		       field_name(ev, w->file.path_field), w->file.id.dev,
		       w->file.id.ino);
		break;
	case WANT_MODULE_AT:
		printf("  want module at %s tgid=%" PRIu32 " start_ns=%" PRIu64
		       " addr=0x%" PRIx64 "\n",
		       field_name(ev, w->field), w->at.tgid, w->at.start_ns,
		       w->at.addr);
		break;
	default:
		printf("  want kind %d field %s\n", (int)w->kind,
		       field_name(ev, w->field));
	}
}

/* One line per value: backslash, controls and bytes past ASCII escaped. */
static void print_value(const char *v)
{
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if (*c == '\\')
			fputs("\\\\", stdout);
		else if (*c == '\n')
			fputs("\\n", stdout);
		else if (*c < 0x20 || *c >= 0x7f)
			printf("\\x%02x", *c);
		else
			putchar(*c);
	}
	putchar('\n');
}

static void print_event(const struct decoder *d, const struct event *ev)
{
	printf("event %u %s\n", ev->def->id, ev->def->task);
	for (unsigned i = 0; i < ev->def->nfields; i++) {
		printf("  %s: ", ev->def->fields[i].name);
		print_value(event_value(ev, i, NULL));
	}
	for (unsigned i = 0; i < d->nwants; i++)
		print_want(ev, &d->wants[i]);
}

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n + 1)) &&
	    fread(data, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

/* Decode every record after the header line; 0 or 1 (a record failed). */
static int replay(const uint8_t *data, size_t size, size_t off)
{
	struct proc_table *t = proc_table_new(4096, MACHINE_ID, "/nonexistent");
	struct decoder d = { .procs = t, .boot_to_utc_ns = BOOT_TO_UTC };
	struct event more;
	const uint8_t *rec;
	size_t len;
	unsigned n = 0;
	int status = 0;

	if (!t)
		return 1;
	d.hash_algs = CONFIG_HASH_SHA256;
	d.dns_lookup = true;
	d.names = net_names_new(256);
	d.dns = dns_track_new(10000000000ull);
	if (!d.names || !d.dns)
		return 1;
	while (wire_log_next(data, size, &off, &rec, &len)) {
		void *copy = malloc(len ? len : 1);
		struct wire_hdr h = { 0 };
		struct event ev;
		int r;

		if (!copy)
			return 1;
		memcpy(copy, rec, len);
		if (len >= sizeof(h))
			memcpy(&h, rec, sizeof(h));
		printf("record %u: kind %" PRIu32 ", %zu bytes: ", ++n, h.kind,
		       len);
		r = decode_record(&d, copy, len, &ev);
		if (r == 1) {
			print_event(&d, &ev);
			event_release(&ev);
		} else if (r == 0) {
			printf("state only\n");
		} else {
			printf("error %s\n", strerror(-r));
			status = 1;
		}
		free(copy);
		while (decode_more(&d, 0, false, &more) == 1) {
			printf("held back: ");
			print_event(&d, &more);
			event_release(&more);
		}
	}
	/* What is still waiting when the recording ends (an unanswered
	 * DNS query), as the daemon flushes it at shutdown. */
	while (decode_more(&d, 0, true, &more) == 1) {
		printf("at the end: ");
		print_event(&d, &more);
		event_release(&more);
	}
	dns_track_free(d.dns);
	net_names_free(d.names);
	printf("table: %zu processes\n", proc_table_count(t));
	decode_release(&d);
	proc_table_free(t);
	return status;
}

int main(int argc, char **argv)
{
	char want[WIRE_LOG_LINE_MAX];
	const uint8_t *nl;
	uint8_t *data;
	size_t size = 0;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: golden_decode FILE.wire\n");
		return 2;
	}
	data = read_all(argv[1], &size);
	if (!data) {
		perror(argv[1]);
		return 2;
	}
	wire_log_layout(want, sizeof(want));
	nl = memchr(data, '\n', size);
	if (!nl || (size_t)(nl - data) != strlen(want) ||
	    memcmp(data, want, strlen(want)) != 0) {
		fprintf(stderr,
			"%s: recorded with another wire layout:\n"
			"  recording: %.*s\n  this build: %s\n"
			"record it again: make golden-record "
			"(tests/golden/README.md)\n",
			argv[1], nl ? (int)(nl - data) : 0, (const char *)data,
			want);
		free(data);
		return 2;
	}
	r = replay(data, size, (size_t)(nl - data) + 1);
	free(data);
	return r;
}
