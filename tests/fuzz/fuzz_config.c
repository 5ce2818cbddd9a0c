/* SPDX-License-Identifier: MIT */
/*
 * fuzz_config - libFuzzer harness for the config loader: any bytes are
 * loaded as a config; whatever loads is dumped, so the compiled form is
 * walked too.
 */
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts o = { .warn = quiet };
	struct diag d;
	struct config *c;
	struct buf b;

	c = config_load_mem_opts((const char *)data, size, "fuzz", &o, &d);
	if (!c)
		return 0;
	buf_init(&b, 1 << 20);
	config_dump(c, &b);
	buf_release(&b);
	for (unsigned id = 0; id < 260; id++)
		config_wants(c, id);
	config_free(c);
	return 0;
}
