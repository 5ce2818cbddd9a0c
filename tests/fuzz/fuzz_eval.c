/* SPDX-License-Identifier: MIT */
/*
 * fuzz_eval - libFuzzer harness for compile + evaluate.  The input is a
 * config, a NUL byte, then event values: one byte of event id, then
 * "Field=value" lines.  Each loaded config decides that event and cuts it
 * for FieldSizes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "event/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static const unsigned ids[] = { 1, 3, 5, 9, 10, 11, 12, 13, 14, 17, 23, 100 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	struct config_opts o = { .warn = quiet };
	struct config *c;
	struct event ev;
	struct diag d;
	const char *p, *end;

	if (!nul)
		return 0;
	c = config_load_mem_opts((const char *)data, (size_t)(nul - data),
				 "fuzz", &o, &d);
	if (!c)
		return 0;
	p = (const char *)nul + 1;
	end = (const char *)data + size;
	if (p < end &&
	    event_init(&ev, ids[(unsigned char)*p++ %
				(sizeof(ids) / sizeof(ids[0]))]) == 0) {
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *line_end = nl ? nl : end;
			const char *eq = memchr(p, '=', (size_t)(line_end - p));

			if (eq) {
				char name[64];
				size_t n = (size_t)(eq - p);

				if (n < sizeof(name)) {
					memcpy(name, p, n);
					name[n] = '\0';
					int idx = catalog_field_index(ev.def,
								      name);
					if (idx >= 0)
						event_set(&ev, (unsigned)idx,
							  eq + 1,
							  (size_t)(line_end -
								   eq - 1));
				}
			}
			p = nl ? nl + 1 : end;
		}
		config_decide(c, &ev);
		config_apply_field_sizes(c, &ev);
		event_release(&ev);
	}
	config_free(c);
	return 0;
}
