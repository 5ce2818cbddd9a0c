/* SPDX-License-Identifier: MIT */
/*
 * sensor/imageload.c - the image-load family (bpf/imageload.bpf.c): event
 * 7 ImageLoad, a file mapped executable into a process.
 *
 * ELF files carry no version resource and no signature Linux checks at
 * load, so FileVersion ... OriginalFileName are "-" and the signature
 * fields say "unsigned" as Sysmon does: Signed false, SignatureStatus
 * Unavailable.
 */
#include <errno.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "family.h"

static int decode_image_load(struct decoder *d, const void *rec, size_t len,
			     struct event *ev)
{
	static const struct proc_fields f = {
		.guid = EV7_PROCESS_GUID,
		.pid = EV7_PROCESS_ID,
		.image = EV7_IMAGE,
		.cmdline = -1,
	};
	const struct wire_image_load *e = rec;
	int r;

	if ((r = event_init(ev, 7)) < 0)
		return r;
	r = wire_set_field(ev, EV7_IMAGE_LOADED, e->data, len - sizeof(*e),
			   &e->image);
	if (r < 0) {
		event_release(ev);
		return r;
	}
	event_set_time(ev, decode_utc(d, e->hdr.ts_ns));
	decode_subject(d, &e->task, ev, &f, EV7_USER);
	event_set_str(ev, EV7_SIGNED, "false");
	event_set_str(ev, EV7_SIGNATURE_STATUS, "Unavailable");
	d->image_key = (struct wire_file_key){
		.ino = e->file.ino,
		.dev = e->file.dev,
		.ctime_nsec = e->file.ctime_nsec,
		.ctime_sec = e->file.ctime_sec,
	};
	d->has_image_key = true;
	decode_want_file(d, WANT_HASH, EV7_HASHES, EV7_IMAGE_LOADED, &e->file);
	return 1;
}

const struct sensor_family sensor_family_image_load = {
	.name = "image load",
	.event_ids = { 7 },
	.programs = { "on_sys_enter_mmap", NULL },
	.records = {
		{ WIRE_IMAGE_LOAD, sizeof(struct wire_image_load), true,
		  decode_image_load },
	},
};
