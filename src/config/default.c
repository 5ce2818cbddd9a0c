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
#include "util/version.h"

static const char default_xml[] =
	"<!-- vigil default configuration: Sysmon's defaults. -->\n"
	"<Sysmon schemaversion=\"" VIGIL_SCHEMA_VERSION "\">\n"
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
	/* Its hash is that of the text above, as for a file: it tells which
	 * built-in default a daemon runs. */
	return config_load_mem(default_xml, strlen(default_xml), "(default)",
			       &d);
}
