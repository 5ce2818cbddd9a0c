/* SPDX-License-Identifier: MIT */
/*
 * sensor/modload.c - the module family (bpf/module.bpf.c): event 6
 * DriverLoad, a kernel module loaded.
 *
 * finit_module(): ImageLoaded is the file; enrichment hashes it and reads
 * its appended signature.  init_module() loads from memory: ImageLoaded
 * and Hashes are "-", and the signature is parsed here from the image's
 * last bytes, which the record carries.
 */
#include <errno.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "family.h"
#include "modsig/modsig.h"

static void set_signature(struct event *ev, const char *tail, size_t n)
{
	struct modsig_fields f;
	struct modsig sig;
	const char *why = NULL;
	int r = modsig_parse((const unsigned char *)tail, n, &sig, &why);

	modsig_fields(r, &sig, why, MODSIG_UNKNOWN, &f);
	event_set_str(ev, EV6_SIGNED, f.is_signed);
	event_set_str(ev, EV6_SIGNATURE, f.signature);
	event_set_str(ev, EV6_SIGNATURE_STATUS, f.status);
}

static int decode_module(struct decoder *d, const void *rec, size_t len,
			 struct event *ev)
{
	const struct wire_module *m = rec;
	size_t data_len = len - sizeof(*m);
	const char *tail;
	size_t n;
	int r;

	if (m->call != WIRE_MODULE_INIT && m->call != WIRE_MODULE_FINIT)
		return -EINVAL;
	if (wire_read(m->data, data_len, &m->tail, &tail, &n) < 0)
		return -EINVAL;
	if ((r = event_init(ev, 6)) < 0)
		return r;
	event_set_time(ev, decode_utc(d, m->hdr.ts_ns));
	if (m->call == WIRE_MODULE_INIT) {
		set_signature(ev, tail, n);
		return 1;
	}
	r = wire_set_field(ev, EV6_IMAGE_LOADED, m->data, data_len, &m->image);
	if (r < 0) {
		event_release(ev);
		return r;
	}
	decode_want_file(d, WANT_HASH, EV6_HASHES, EV6_IMAGE_LOADED, &m->file);
	decode_want_file(d, WANT_MODSIG, EV6_SIGNED, EV6_IMAGE_LOADED,
			 &m->file);
	return 1;
}

const struct sensor_family sensor_family_module = {
	.name = "module",
	.needs = "loadable-module support (CONFIG_MODULES: the init_module "
		 "and finit_module syscalls)",
	.event_ids = { 6 },
	.programs = {
		"on_sys_enter_init_module",
		"on_sys_exit_init_module",
		"on_sys_enter_finit_module",
		"on_sys_exit_finit_module",
		NULL,
	},
	.records = {
		{ WIRE_MODULE, sizeof(struct wire_module), true,
		  decode_module },
	},
};
