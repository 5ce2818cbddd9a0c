/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_settings.c - settings_load_mem() on arbitrary bytes as
 * a vigil.conf.  A rejected file leaves the settings exactly as they were
 * and says where (a line within the file, a message); an accepted one
 * holds only terminated strings, at most SETTINGS_MAX_DESTS complete
 * destinations, and loads again over itself to the same result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "settings/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap))
		abort();
}

static void check_dest(const struct settings_dest *d)
{
	check_str(d->name, sizeof(d->name));
	check_str(d->url, sizeof(d->url));
	check_str(d->host, sizeof(d->host));
	check_str(d->app_name, sizeof(d->app_name));
	check_str(d->ca_file, sizeof(d->ca_file));
	check_str(d->cert_file, sizeof(d->cert_file));
	check_str(d->key_file, sizeof(d->key_file));
	check_str(d->server_name, sizeof(d->server_name));
	check_str(d->table, sizeof(d->table));
	check_str(d->user, sizeof(d->user));
	check_str(d->password_file, sizeof(d->password_file));
	if (!d->name[0] || !d->host[0] || d->port < 1 || d->port > 65535 ||
	    d->facility > 23)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct settings s, before, again;
	struct diag d;
	unsigned lines = 1;
	int r;

	settings_defaults(&s);
	before = s;
	memset(&d, 0, sizeof(d));
	r = settings_load_mem(&s, (const char *)data, size, "fuzz.conf", &d);
	if (r) {
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		if (memcmp(&s, &before, sizeof(s)) != 0 || !d.msg[0] ||
		    d.line < 0 || (unsigned)d.line > lines ||
		    strcmp(d.file, "fuzz.conf") != 0)
			abort();
		return 0;
	}
	check_str(s.state_dir, sizeof(s.state_dir));
	check_str(s.run_dir, sizeof(s.run_dir));
	check_str(s.store_path, sizeof(s.store_path));
	check_str(s.jsonl_path, sizeof(s.jsonl_path));
	check_str(s.provider_name, sizeof(s.provider_name));
	check_str(s.provider_guid, sizeof(s.provider_guid));
	check_str(s.channel, sizeof(s.channel));
	check_str(s.web_listen, sizeof(s.web_listen));
	check_str(s.web_token_path, sizeof(s.web_token_path));
	check_str(s.web_user, sizeof(s.web_user));
	check_str(s.forward_user, sizeof(s.forward_user));
	if (s.ndests > SETTINGS_MAX_DESTS ||
	    s.command_line_max > SETTINGS_COMMAND_LINE_MAX)
		abort();
	for (unsigned i = 0; i < s.ndests; i++) {
		check_dest(&s.dests[i]);
		if (settings_dest_find(&s, s.dests[i].name) != &s.dests[i])
			abort();
	}
	/* The same file over what it produced: the same settings. */
	again = s;
	if (settings_load_mem(&again, (const char *)data, size, "fuzz.conf",
			      &d) != 0 ||
	    memcmp(&again, &s, sizeof(s)) != 0)
		abort();
	return 0;
}
