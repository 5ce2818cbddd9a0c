/* SPDX-License-Identifier: MIT */
/*
 * config/schema.c - `-s [version|all]` and `-? config` texts, built from
 * the catalogue plus two small tables (options, conditions), so they can
 * never disagree with what the loader and the engine accept.
 *
 * Only the current schema is embedded: a faithful print of the older
 * manifests would need the manifest files themselves.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "util/buf.h"

#define SCHEMA_VERSION "4.91"
#define SCHEMA_BINARY  "18"

static const char *const schema_options[] = {
	"<option switch=\"i\" name=\"Install\" argument=\"optional\" "
	"noconfig=\"true\" exclusive=\"true\" />",
	"<option switch=\"c\" name=\"Configuration\" argument=\"optional\" "
	"noconfig=\"true\" exclusive=\"true\" />",
	"<option switch=\"u\" name=\"UnInstall\" argument=\"optional\" "
	"noconfig=\"true\" exclusive=\"true\" />",
	"<option switch=\"t\" name=\"DebugMode\" argument=\"optional\" "
	"noconfig=\"true\" />",
	"<option switch=\"s\" name=\"PrintSchema\" argument=\"optional\" "
	"noconfig=\"true\" exclusive=\"true\" />",
	"<option switch=\"accepteula\" name=\"AcceptEula\" argument=\"none\" "
	"noconfig=\"true\" />",
	"<option switch=\"-\" name=\"ConfigDefault\" argument=\"none\" "
	"noconfig=\"true\" />",
	"<option switch=\"a\" name=\"ArchiveDirectory\" argument=\"required\" />",
	"<option name=\"CaptureClipboard\" argument=\"none\" />",
	"<option switch=\"d\" name=\"DriverName\" argument=\"required\" />",
	"<option switch=\"h\" name=\"HashAlgorithms\" argument=\"required\" />",
	"<option name=\"DnsLookup\" argument=\"required\" />",
	"<option name=\"DriverQueueSize\" argument=\"required\" />",
	"<option name=\"SigningQueueSize\" argument=\"required\" />",
	"<option switch=\"r\" name=\"CheckRevocation\" argument=\"optional\" />",
	"<option name=\"FieldSizes\" argument=\"required\" />",
};

static const char *in_type(enum catalog_type t)
{
	switch (t) {
	case CATALOG_GUID:
		return "win:GUID\"";
	case CATALOG_UINT16:
		return "win:UInt16\"";
	case CATALOG_UINT32:
		return "win:UInt32\"";
	case CATALOG_PID:
		return "win:UInt32\" outType=\"win:PID\"";
	case CATALOG_BOOL:
		return "win:Boolean\"";
	case CATALOG_HEX32:
		return "win:HexInt32\"";
	case CATALOG_HEX64:
		return "win:HexInt64\"";
	default:
		return "win:UnicodeString\" outType=\"xs:string\"";
	}
}

static int print_current(struct buf *out)
{
	int r = buf_adds(out, "<manifest schemaversion=\"" SCHEMA_VERSION
			      "\" binaryversion=\"" SCHEMA_BINARY "\">\n"
			      "  <configuration>\n    <options>\n");

	for (size_t i = 0;
	     !r && i < sizeof(schema_options) / sizeof(schema_options[0]); i++)
		r = buf_addf(out, "      %s\n", schema_options[i]);
	if (!r)
		r = buf_adds(out,
			     "    </options>\n    <filters default=\"is\">");
	for (unsigned i = 0; !r && i < COND_COUNT; i++)
		r = buf_addf(out, "%s%s", i ? "," : "", config_cond_names[i]);
	if (!r)
		r = buf_adds(out,
			     "</filters>\n  </configuration>\n  <events>\n");
	for (size_t i = 0; !r && i < catalog_count(); i++) {
		const struct catalog_event *ev = catalog_at(i);

		r = buf_addf(out,
			     "    <event name=\"%s\" value=\"%u\" level=\"%s\" "
			     "template=\"%s\"",
			     ev->symbol, ev->id,
			     ev->level == 2 ? "Error" : "Informational",
			     ev->task);
		if (!r && ev->rule_tag)
			r = buf_addf(out, " rulename=\"%s\"", ev->rule_tag);
		if (!r && ev->rule_default != CATALOG_ALWAYS)
			r = buf_addf(out, " ruledefault=\"%s\"",
				     ev->rule_default == CATALOG_INCLUDE
					     ? "include"
					     : "exclude");
		if (!r)
			r = buf_addf(out, " version=\"%u\">\n", ev->version);
		for (unsigned f = 0; !r && f < catalog_sysmon_fields(ev); f++)
			r = buf_addf(out,
				     "      <data name=\"%s\" inType=\"%s />\n",
				     ev->fields[f].name,
				     in_type(ev->fields[f].type));
		if (!r)
			r = buf_adds(out, "    </event>\n");
	}
	if (!r)
		r = buf_adds(out, "  </events>\n</manifest>\n");
	return r;
}

int config_schema_print(const char *version, struct buf *out)
{
	/* Like Sysmon: the version is matched as a prefix of the schema. */
	if (version && *version && strcmp(version, "all") != 0 &&
	    strncmp(SCHEMA_VERSION, version, strlen(version)) != 0)
		return -ENOENT;
	return print_current(out);
}

static const char *const help_text =
	"Configuration file (Sysmon XML, schema 4.0 to " SCHEMA_VERSION "):\n"
	"\n"
	"  <Sysmon schemaversion=\"4.90\">\n"
	"    <HashAlgorithms>sha1,md5,sha256</HashAlgorithms>\n"
	"    <EventFiltering>\n"
	"      <RuleGroup name=\"\" groupRelation=\"or\">\n"
	"        <ProcessCreate onmatch=\"include\">\n"
	"          <Image condition=\"image\">curl</Image>\n"
	"        </ProcessCreate>\n"
	"      </RuleGroup>\n"
	"    </EventFiltering>\n"
	"  </Sysmon>\n"
	"\n"
	"Options:\n"
	"  HashAlgorithms    sha1 (sha-1), md5 (md-5), sha256 (sha-256),\n"
	"                    imphash (accepted, never computed), * or all.\n"
	"                    Default without the option: sha1.\n"
	"  FieldSizes        Field:N,... cut output values to N characters\n"
	"                    ending in '...' ('-' when N < 3), after filtering.\n"
	"  DnsLookup         true (default) or false: reverse lookups for\n"
	"                    NetworkConnect's host names when no captured DNS\n"
	"                    answer names the address.\n"
	"  ArchiveDirectory  where FileDelete keeps deleted files: an absolute\n"
	"                    path, or a folder name under the state directory.\n"
	"  CheckRevocation, CaptureClipboard, DriverName,\n"
	"  DriverQueueSize, SigningQueueSize, ProcessAccessConfig,\n"
	"  PipeMonitoringConfig, CopyOnDelete*\n"
	"                    Windows-only: ignored with a warning (refused in\n"
	"                    strict mode).\n"
	"\n"
	"Rule sets: onmatch=\"include\" logs what matches, \"exclude\" drops it.\n"
	"Exclude sets are tried first, later sets before earlier ones; the\n"
	"first match decides.  With one set an unmatched event gets the\n"
	"opposite of its mode; with two or more it is dropped.  An empty\n"
	"exclude set logs everything, an empty include set nothing.\n"
	"Filters of different fields are AND-ed (schema > 4.1) unless the\n"
	"RuleGroup says groupRelation=\"or\"; filters on the same field are\n"
	"OR-ed, except inside <Rule groupRelation=\"and\">.\n"
	"\n"
	"Conditions (case-insensitive; ';' separates items of any/all):\n"
	"  is              value equals (default)\n"
	"  is not          value differs\n"
	"  is any          value equals one of the items\n"
	"  contains        value contains the text\n"
	"  contains any    value contains at least one item\n"
	"  contains all    value contains every item\n"
	"  excludes        value does not contain the text\n"
	"  excludes any    value contains none of the items\n"
	"  excludes all    at least one item is missing from the value\n"
	"  begin with      value starts with the text\n"
	"  not begin with  value does not start with the text\n"
	"  end with        value ends with the text\n"
	"  not end with    value does not end with the text\n"
	"  less than       value sorts before the text (string order)\n"
	"  more than       value sorts after the text (string order)\n"
	"  image           without '/' or '\\': the last path component\n"
	"                  equals the text; with one: the whole value does\n";

int config_help(struct buf *out)
{
	return buf_adds(out, help_text);
}
