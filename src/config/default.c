/* SPDX-License-Identifier: MIT */
/*
 * config/default.c - the configuration used when none is given.
 *
 * Sysmon's own defaults: no rule sets, so only ProcessCreate (1) and
 * ProcessTerminate (5) are logged (their manifest default is include), and
 * the three hashes vigil can compute for ProcessCreate.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char default_xml[] =
	"<!-- vigil default configuration: Sysmon's defaults. -->\n"
	"<Sysmon schemaversion=\"4.90\">\n"
	"  <HashAlgorithms>sha1,md5,sha256</HashAlgorithms>\n"
	"  <EventFiltering>\n"
	"    <!-- No rule sets: events 1 and 5 are logged by default,\n"
	"         every other filterable event is off. -->\n"
	"  </EventFiltering>\n"
	"</Sysmon>\n";

const char *config_default_xml(void)
{
	return default_xml;
}

struct config *config_default(void)
{
	struct diag d;
	struct config *c = config_load_mem(default_xml, strlen(default_xml),
					   "(default)", &d);

	/* The default has no file behind it. */
	if (c)
		snprintf(c->hash_hex, sizeof(c->hash_hex), "-");
	return c;
}
