/* SPDX-License-Identifier: MIT */
/*
 * config_test - the rule engine against sysmon-semantics sections 5 and 7,
 * table-driven: for every condition and every fallback rule one event that
 * matches and one that does not; plus loader rejections and options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "event/event.h"
#include "tap.h"
#include "util/buf.h"

/* ---- helpers ---------------------------------------------------------- */

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Warnings of these snippets are checked in check_options(). */
static struct config *load(const char *xml, struct diag *d)
{
	struct config_opts o = { .warn = quiet };
	struct diag tmp;

	return config_load_mem_opts(xml, strlen(xml), "t.xml", &o,
				    d ? d : &tmp);
}

static struct config *load_rules(const char *schema, const char *rules)
{
	char xml[8192];

	snprintf(xml, sizeof(xml),
		 "<Sysmon schemaversion=\"%s\"><EventFiltering>%s"
		 "</EventFiltering></Sysmon>",
		 schema, rules);
	return load(xml, NULL);
}

/* "Image=/usr/bin/ls|CommandLine=ls -l" -> an event of type id. */
static int make_event(struct event *ev, unsigned id, const char *fields)
{
	char tmp[2048], *save = NULL, *tok;

	if (event_init(ev, id))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", fields);
	for (tok = strtok_r(tmp, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return -1;
		*eq = '\0';
		if (event_set_named(ev, tok, eq + 1))
			return -1;
	}
	return 0;
}

struct rcase {
	const char *what;
	const char *schema;
	const char *rules; /* inside <EventFiltering> */
	unsigned id;
	const char *fields;
	bool want_log;
	const char *want_rulename; /* NULL: don't care; "-": none */
};

#define PC_OR(filters)                                                                \
	"<RuleGroup groupRelation=\"or\"><ProcessCreate onmatch=\"include\">" filters \
	"</ProcessCreate></RuleGroup>"

static const struct rcase cases[] = {
	/* Every condition, one match and one miss (section 5.3). */
	{ "is", "4.90", PC_OR("<Image condition=\"is\">/usr/bin/ls</Image>"), 1,
	  "Image=/usr/bin/LS", true, NULL },
	{ "is miss", "4.90",
	  PC_OR("<Image condition=\"is\">/usr/bin/ls</Image>"), 1,
	  "Image=/usr/bin/lsx", false, NULL },
	{ "is default", "4.90", PC_OR("<Image>/usr/bin/ls</Image>"), 1,
	  "Image=/usr/bin/ls", true, NULL },
	{ "is dash=empty", "4.90", PC_OR("<User condition=\"is\">-</User>"), 1,
	  "Image=/bin/x", true, NULL },
	{ "is dash miss", "4.90", PC_OR("<User condition=\"is\">-</User>"), 1,
	  "User=root", false, NULL },
	{ "is not", "4.90",
	  PC_OR("<Image condition=\"is not\">/usr/bin/cat</Image>"), 1,
	  "Image=/usr/bin/ls", true, NULL },
	{ "is not miss", "4.90",
	  PC_OR("<Image condition=\"is not\">/usr/bin/cat</Image>"), 1,
	  "Image=/USR/bin/cat", false, NULL },
	{ "is any", "4.90",
	  PC_OR("<CommandLine condition=\"is any\">ls -l;id</CommandLine>"), 1,
	  "CommandLine=ID", true, NULL },
	{ "is any miss", "4.90",
	  PC_OR("<CommandLine condition=\"is any\">ls -l;id</CommandLine>"), 1,
	  "CommandLine=ls -l;id", false, NULL },
	{ "contains", "4.90",
	  PC_OR("<CommandLine condition=\"contains\">Marker</CommandLine>"), 1,
	  "CommandLine=run --MARKER=1", true, NULL },
	{ "contains miss", "4.90",
	  PC_OR("<CommandLine condition=\"contains\">marker</CommandLine>"), 1,
	  "CommandLine=run --mark", false, NULL },
	{ "contains ; literal", "4.90",
	  PC_OR("<CommandLine condition=\"contains\">a;b</CommandLine>"), 1,
	  "CommandLine=x a;b y", true, NULL },
	{ "contains ; literal miss", "4.90",
	  PC_OR("<CommandLine condition=\"contains\">a;b</CommandLine>"), 1,
	  "CommandLine=x a b y", false, NULL },
	{ "contains any", "4.90",
	  PC_OR("<CommandLine condition=\"contains any\">-e;-c</CommandLine>"),
	  1, "CommandLine=nc -c sh", true, NULL },
	{ "contains any miss", "4.90",
	  PC_OR("<CommandLine condition=\"contains any\">-e;-c</CommandLine>"),
	  1, "CommandLine=nc -l 80", false, NULL },
	{ "contains any trailing ;", "4.90",
	  PC_OR("<CommandLine condition=\"contains any\">zz;</CommandLine>"), 1,
	  "CommandLine=anything", true, NULL },
	{ "contains all", "4.90",
	  PC_OR("<CommandLine condition=\"contains all\">p1;p2</CommandLine>"),
	  1, "CommandLine=p2 and P1", true, NULL },
	{ "contains all miss", "4.90",
	  PC_OR("<CommandLine condition=\"contains all\">p1;p2</CommandLine>"),
	  1, "CommandLine=only p1", false, NULL },
	{ "excludes", "4.90",
	  PC_OR("<CommandLine condition=\"excludes\">secret</CommandLine>"), 1,
	  "CommandLine=ls", true, NULL },
	{ "excludes miss", "4.90",
	  PC_OR("<CommandLine condition=\"excludes\">secret</CommandLine>"), 1,
	  "CommandLine=cat SECRET", false, NULL },
	/* excludes any = contains none (engine, not the docs) */
	{ "excludes any", "4.90",
	  PC_OR("<CommandLine condition=\"excludes any\">a1;b1</CommandLine>"),
	  1, "CommandLine=zzz", true, NULL },
	{ "excludes any miss (one present)", "4.90",
	  PC_OR("<CommandLine condition=\"excludes any\">a1;b1</CommandLine>"),
	  1, "CommandLine=x a1", false, NULL },
	/* excludes all = at least one missing */
	{ "excludes all (one missing)", "4.90",
	  PC_OR("<CommandLine condition=\"excludes all\">a1;b1</CommandLine>"),
	  1, "CommandLine=x a1", true, NULL },
	{ "excludes all miss (all present)", "4.90",
	  PC_OR("<CommandLine condition=\"excludes all\">a1;b1</CommandLine>"),
	  1, "CommandLine=b1 a1", false, NULL },
	{ "begin with", "4.90",
	  PC_OR("<Image condition=\"begin with\">/tmp/</Image>"), 1,
	  "Image=/TMP/x", true, NULL },
	{ "begin with miss", "4.90",
	  PC_OR("<Image condition=\"begin with\">/tmp/</Image>"), 1,
	  "Image=/var/tmp/x", false, NULL },
	{ "not begin with", "4.90",
	  PC_OR("<Image condition=\"not begin with\">/usr</Image>"), 1,
	  "Image=/opt/x", true, NULL },
	{ "not begin with miss", "4.90",
	  PC_OR("<Image condition=\"not begin with\">/usr</Image>"), 1,
	  "Image=/usr/bin/x", false, NULL },
	{ "end with", "4.90",
	  PC_OR("<Image condition=\"end with\">/curl</Image>"), 1,
	  "Image=/usr/bin/CURL", true, NULL },
	{ "end with miss (longer rule)", "4.90",
	  PC_OR("<Image condition=\"end with\">/usr/bin/curl</Image>"), 1,
	  "Image=curl", false, NULL },
	{ "not end with", "4.90",
	  PC_OR("<Image condition=\"not end with\">.sh</Image>"), 1,
	  "Image=/bin/x", true, NULL },
	{ "not end with miss", "4.90",
	  PC_OR("<Image condition=\"not end with\">.sh</Image>"), 1,
	  "Image=/tmp/a.SH", false, NULL },
	/* less/more than are string comparisons (section 5.3) */
	{ "more than 443>1024", "4.90",
	  "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"more than\">1024</DestinationPort></NetworkConnect>",
	  3, "DestinationPort=443", true, NULL },
	{ "more than miss 10000", "4.90",
	  "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"more than\">1024</DestinationPort></NetworkConnect>",
	  3, "DestinationPort=10000", false, NULL },
	{ "more than miss equal", "4.90",
	  "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"more than\">1024</DestinationPort></NetworkConnect>",
	  3, "DestinationPort=1024", false, NULL },
	{ "less than 10000<1024", "4.90",
	  "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"less than\">1024</DestinationPort></NetworkConnect>",
	  3, "DestinationPort=10000", true, NULL },
	{ "less than miss 22", "4.90",
	  "<NetworkConnect onmatch=\"include\"><DestinationPort "
	  "condition=\"less than\">1024</DestinationPort></NetworkConnect>",
	  3, "DestinationPort=22", false, NULL },
	/* image: '/' and '\' are separators (our Linux choice) */
	{ "image basename", "4.90",
	  PC_OR("<Image condition=\"image\">ls</Image>"), 1,
	  "Image=/usr/bin/ls", true, NULL },
	{ "image basename miss", "4.90",
	  PC_OR("<Image condition=\"image\">ls</Image>"), 1,
	  "Image=/usr/bin/lsblk", false, NULL },
	{ "image windows", "4.90",
	  PC_OR("<Image condition=\"image\">cmd.exe</Image>"), 1,
	  "Image=C:\\Windows\\System32\\CMD.exe", true, NULL },
	{ "image no separator value", "4.90",
	  PC_OR("<Image condition=\"image\">ls</Image>"), 1, "Image=ls", true,
	  NULL },
	{ "image full path", "4.90",
	  PC_OR("<Image condition=\"image\">/usr/bin/ls</Image>"), 1,
	  "Image=/usr/bin/ls", true, NULL },
	{ "image full path miss", "4.90",
	  PC_OR("<Image condition=\"image\">/bin/ls</Image>"), 1,
	  "Image=/usr/bin/ls", false, NULL },
	/* values verbatim, conditions case-insensitive */
	{ "trailing space kept", "4.90",
	  PC_OR("<Image condition=\"end with\">ls </Image>"), 1,
	  "Image=/usr/bin/ls", false, NULL },
	{ "condition case", "4.90",
	  PC_OR("<Image condition=\"Contains\">BIN</Image>"), 1,
	  "Image=/usr/bin/ls", true, NULL },

	/* 7.1: exclude wins; one set vs two sets fallbacks */
	{ "exclude wins", "4.90",
	  PC_OR("<Image>/usr/bin/ls</Image>") "<ProcessCreate onmatch=\"exclude\"><CommandLine "
					      "condition=\"contains\">harmless</CommandLine></ProcessCreate>",
	  1, "Image=/usr/bin/ls|CommandLine=ls harmless", false, NULL },
	{ "include after exclude miss", "4.90",
	  PC_OR("<Image>/usr/bin/ls</Image>") "<ProcessCreate onmatch=\"exclude\"><CommandLine "
					      "condition=\"contains\">harmless</CommandLine></ProcessCreate>",
	  1, "Image=/usr/bin/ls|CommandLine=ls", true, NULL },
	{ "two sets: unmatched dropped", "4.90",
	  PC_OR("<Image>/usr/bin/ls</Image>") "<ProcessCreate onmatch=\"exclude\"><CommandLine "
					      "condition=\"contains\">harmless</CommandLine></ProcessCreate>",
	  1, "Image=/usr/bin/id|CommandLine=id", false, NULL },
	{ "two exclude sets: unmatched dropped", "4.90",
	  "<ProcessCreate onmatch=\"exclude\"><Image>/a</Image></ProcessCreate>"
	  "<ProcessCreate onmatch=\"exclude\"><Image>/b</Image></ProcessCreate>",
	  1, "Image=/c", false, NULL },
	{ "two exclude sets: match dropped", "4.90",
	  "<ProcessCreate onmatch=\"exclude\"><Image>/a</Image></ProcessCreate>"
	  "<ProcessCreate onmatch=\"exclude\"><Image>/b</Image></ProcessCreate>",
	  1, "Image=/b", false, NULL },
	{ "lone exclude logs unmatched", "4.90",
	  "<ProcessCreate onmatch=\"exclude\"><Image>/a</Image></ProcessCreate>",
	  1, "Image=/c", true, "-" },
	{ "lone exclude drops match", "4.90",
	  "<ProcessCreate onmatch=\"exclude\"><Image>/a</Image></ProcessCreate>",
	  1, "Image=/A", false, NULL },
	{ "lone include drops unmatched", "4.90",
	  "<ProcessCreate onmatch=\"include\"><Image>/a</Image></ProcessCreate>",
	  1, "Image=/c", false, NULL },
	{ "legacy default=include means exclude", "4.90",
	  "<ProcessCreate default=\"include\"><Image>/a</Image></ProcessCreate>",
	  1, "Image=/c", true, NULL },
	{ "legacy default=include drops match", "4.90",
	  "<ProcessCreate default=\"include\"><Image>/a</Image></ProcessCreate>",
	  1, "Image=/a", false, NULL },
	{ "onmatch case-insensitive", "4.90",
	  "<ProcessCreate onmatch=\"EXCLUDE\"><Image>/a</Image></ProcessCreate>",
	  1, "Image=/a", false, NULL },

	/* 7.2: empty sets are switches; no element = manifest default */
	{ "empty exclude logs all", "4.90",
	  "<NetworkConnect onmatch=\"exclude\"/>", 3, "Image=/x", true, "-" },
	{ "empty include logs none", "4.90",
	  "<ProcessCreate onmatch=\"include\"/>", 1, "Image=/x", false, NULL },
	{ "no element: 1 logged", "4.90", "", 1, "Image=/x", true, "-" },
	{ "no element: 5 logged", "4.90", "", 5, "Image=/x", true, NULL },
	{ "no element: 3 dropped", "4.90", "", 3, "Image=/x", false, NULL },
	{ "no element: 11 dropped", "4.90",
	  "<ProcessCreate onmatch=\"exclude\"/>", 11, "Image=/x", false, NULL },
	{ "event 4 always", "4.90", "<ProcessCreate onmatch=\"include\"/>", 4,
	  "State=Started", true, NULL },

	/* 7.3: AND/OR by schema version and placement */
	{ "4.10 outside group: OR", "4.10",
	  "<ProcessCreate onmatch=\"include\"><Image>/a</Image>"
	  "<User>root</User></ProcessCreate>",
	  1, "Image=/a|User=bob", true, NULL },
	{ "4.10 outside group: OR miss", "4.10",
	  "<ProcessCreate onmatch=\"include\"><Image>/a</Image>"
	  "<User>root</User></ProcessCreate>",
	  1, "Image=/b|User=bob", false, NULL },
	{ "4.20 outside group: AND miss", "4.20",
	  "<ProcessCreate onmatch=\"include\"><Image>/a</Image>"
	  "<User>root</User></ProcessCreate>",
	  1, "Image=/a|User=bob", false, NULL },
	{ "4.20 outside group: AND", "4.20",
	  "<ProcessCreate onmatch=\"include\"><Image>/a</Image>"
	  "<User>root</User></ProcessCreate>",
	  1, "Image=/a|User=root", true, NULL },
	{ "AND set: same field OR", "4.90",
	  "<RuleGroup groupRelation=\"and\"><ProcessCreate onmatch=\"include\">"
	  "<Image>/a</Image><User>root</User><Image>/b</Image>"
	  "</ProcessCreate></RuleGroup>",
	  1, "Image=/b|User=root", true, NULL },
	{ "AND set: same field OR miss", "4.90",
	  "<RuleGroup groupRelation=\"and\"><ProcessCreate onmatch=\"include\">"
	  "<Image>/a</Image><User>root</User><Image>/b</Image>"
	  "</ProcessCreate></RuleGroup>",
	  1, "Image=/b|User=bob", false, NULL },
	{ "Rule and: no same-field OR", "4.90",
	  PC_OR("<Rule groupRelation=\"and\"><Image condition=\"end with\">"
		"ncat</Image><Image condition=\"end with\">nc</Image></Rule>"),
	  1, "Image=/usr/bin/nc", false, NULL },
	{ "Rule and: all match", "4.90",
	  PC_OR("<Rule groupRelation=\"and\"><Image condition=\"end with\">"
		"nc</Image><CommandLine condition=\"contains\">-e</CommandLine>"
		"</Rule>"),
	  1, "Image=/usr/bin/nc|CommandLine=nc -e sh", true, NULL },
	{ "Rule default is OR", "4.90",
	  PC_OR("<Rule><Image>/a</Image><User>root</User></Rule>"), 1,
	  "Image=/z|User=root", true, NULL },
	{ "Rule default is OR miss", "4.90",
	  PC_OR("<Rule><Image>/a</Image><User>root</User></Rule>"), 1,
	  "Image=/z|User=bob", false, NULL },
	{ "AND set with compound", "4.90",
	  "<RuleGroup groupRelation=\"and\"><ProcessCreate onmatch=\"include\">"
	  "<User>root</User><Rule groupRelation=\"or\"><Image>/a</Image>"
	  "<Image>/b</Image></Rule></ProcessCreate></RuleGroup>",
	  1, "Image=/b|User=root", true, NULL },
	{ "AND set with compound miss", "4.90",
	  "<RuleGroup groupRelation=\"and\"><ProcessCreate onmatch=\"include\">"
	  "<User>root</User><Rule groupRelation=\"or\"><Image>/a</Image>"
	  "<Image>/b</Image></Rule></ProcessCreate></RuleGroup>",
	  1, "Image=/c|User=root", false, NULL },

	/* 7.9: RuleName precedence and order */
	{ "name: filter > Rule > group", "4.90",
	  "<RuleGroup name=\"G\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><Rule name=\"R\" groupRelation=\"or\">"
	  "<Image name=\"F\">/a</Image><User>root</User></Rule>"
	  "</ProcessCreate></RuleGroup>",
	  1, "Image=/a|User=root", true, "F" },
	{ "name: Rule and, last named (inherited) wins", "4.90",
	  "<RuleGroup name=\"G\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><Rule name=\"R\" groupRelation=\"and\">"
	  "<User>root</User><Image name=\"F\">/a</Image></Rule>"
	  "</ProcessCreate></RuleGroup>",
	  1, "Image=/a|User=root", true, "F" },
	{ "name: Rule > group", "4.90",
	  "<RuleGroup name=\"G\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><Rule name=\"R\" groupRelation=\"and\">"
	  "<Image>/a</Image><User>root</User></Rule>"
	  "</ProcessCreate></RuleGroup>",
	  1, "Image=/a|User=root", true, "R" },
	{ "name: group fallback", "4.90",
	  "<RuleGroup name=\"G\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><Image>/a</Image></ProcessCreate></RuleGroup>",
	  1, "Image=/a", true, "G" },
	{ "name: OR first match", "4.90",
	  PC_OR("<Image name=\"one\" condition=\"begin with\">/a</Image>"
		"<Image name=\"two\">/a/b</Image>"),
	  1, "Image=/a/b", true, "one" },
	{ "name: AND last named match", "4.90",
	  "<RuleGroup groupRelation=\"and\"><ProcessCreate onmatch=\"include\">"
	  "<Image name=\"one\">/a</Image><User name=\"two\">root</User>"
	  "<CommandLine>x</CommandLine></ProcessCreate></RuleGroup>",
	  1, "Image=/a|User=root|CommandLine=x", true, "two" },
	{ "name: later include group wins", "4.90",
	  "<RuleGroup name=\"first\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><Image>/a</Image></ProcessCreate></RuleGroup>"
	  "<RuleGroup name=\"second\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><User>root</User></ProcessCreate></RuleGroup>",
	  1, "Image=/a|User=root", true, "second" },
	{ "name: earlier group when later misses", "4.90",
	  "<RuleGroup name=\"first\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><Image>/a</Image></ProcessCreate></RuleGroup>"
	  "<RuleGroup name=\"second\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><User>root</User></ProcessCreate></RuleGroup>",
	  1, "Image=/a|User=bob", true, "first" },
	{ "name: empty name is none", "4.90",
	  "<RuleGroup name=\"\" groupRelation=\"or\"><ProcessCreate "
	  "onmatch=\"include\"><Image>/a</Image></ProcessCreate></RuleGroup>",
	  1, "Image=/a", true, "-" },

	/* 7.10: shared tags */
	{ "registry: Details never excludes id 12", "4.90",
	  "<RegistryEvent onmatch=\"exclude\"><Details condition=\"contains\">"
	  "x</Details></RegistryEvent>",
	  12, "TargetObject=HKLM\\x", true, NULL },
	{ "registry: Details excludes id 13", "4.90",
	  "<RegistryEvent onmatch=\"exclude\"><Details condition=\"contains\">"
	  "x</Details></RegistryEvent>",
	  13, "Details=xx", false, NULL },
	{ "registry: OR via TargetObject for id 12", "4.90",
	  "<RuleGroup groupRelation=\"or\"><RegistryEvent onmatch=\"include\">"
	  "<Details>d</Details><TargetObject condition=\"begin with\">HKLM"
	  "</TargetObject></RegistryEvent></RuleGroup>",
	  12, "TargetObject=HKLM\\x", true, NULL },
	{ "registry: OR via TargetObject miss", "4.90",
	  "<RuleGroup groupRelation=\"or\"><RegistryEvent onmatch=\"include\">"
	  "<Details>d</Details><TargetObject condition=\"begin with\">HKLM"
	  "</TargetObject></RegistryEvent></RuleGroup>",
	  12, "TargetObject=HKCU\\x", false, NULL },
	{ "pipe: one set for 17 and 18", "4.90",
	  "<PipeEvent onmatch=\"include\"><PipeName>\\p</PipeName></PipeEvent>",
	  18, "PipeName=\\P", true, NULL },

	/* 7.11: file order of different event types does not matter */
	{ "other families do not interfere", "4.90",
	  "<NetworkConnect onmatch=\"include\"><Image>/a</Image>"
	  "</NetworkConnect><ProcessCreate onmatch=\"exclude\"><Image>/b"
	  "</Image></ProcessCreate><NetworkConnect onmatch=\"exclude\"/>",
	  1, "Image=/a", true, NULL },
	/* Case-sensitive field names: GUID vs Guid per event */
	{ "ProcessAccess SourceProcessGUID", "4.90",
	  "<ProcessAccess onmatch=\"include\"><SourceProcessGUID "
	  "condition=\"begin with\">{1</SourceProcessGUID></ProcessAccess>",
	  10, "SourceProcessGUID={1234}", true, NULL },
};

static void run_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *k = &cases[i];
		struct config *c = load_rules(k->schema, k->rules);
		struct event ev;
		bool got;

		if (!c) {
			fprintf(stderr, "FAIL case '%s': config did not load\n",
				k->what);
			tap_failed++;
			continue;
		}
		if (make_event(&ev, k->id, k->fields)) {
			fprintf(stderr, "FAIL case '%s': bad event\n", k->what);
			tap_failed++;
			event_release(&ev);
			config_free(c);
			continue;
		}
		/* A stale RuleName must be replaced or cleared. */
		event_set_named(&ev, "RuleName", "stale");
		got = config_decide(c, &ev);
		if (got != k->want_log) {
			fprintf(stderr, "FAIL case '%s': got %s\n", k->what,
				got ? "log" : "drop");
			tap_failed++;
		} else {
			tap_passed++;
		}
		if (k->want_rulename && got) {
			const char *rn = event_named(&ev, "RuleName");

			if (!rn || strcmp(rn, k->want_rulename) != 0) {
				fprintf(stderr,
					"FAIL case '%s': RuleName '%s', want "
					"'%s'\n",
					k->what, rn ? rn : "(null)",
					k->want_rulename);
				tap_failed++;
			} else {
				tap_passed++;
			}
		}
		event_release(&ev);
		config_free(c);
	}
}

/* ---- loader: rejections with file:line:col ---------------------------- */

struct bad {
	const char *what;
	const char *xml;
	int line;
	const char *msg_part;
};

static const struct bad bads[] = {
	{ "not XML",
	  "<Sysmon schemaversion=\"4.90\">\n<EventFiltering>\n"
	  "</Sysmon>",
	  3, "" },
	{ "root name", "<sysmon schemaversion=\"4.90\"/>", 1, "root" },
	{ "no schema", "<Sysmon/>", 1, "schemaversion" },
	{ "schema 3.50", "<Sysmon schemaversion=\"3.50\"/>", 1, "unsupported" },
	{ "schema 5.0", "<Sysmon schemaversion=\"5.0\"/>", 1, "unsupported" },
	{ "schema text", "<Sysmon schemaversion=\"four\"/>", 1, "Invalid" },
	{ "schema zero", "<Sysmon schemaversion=\"0\"/>", 1, "Invalid" },
	{ "unknown option",
	  "<Sysmon schemaversion=\"4.90\">\n  <Bogus/>\n"
	  "</Sysmon>",
	  2, "unknown element" },
	{ "unknown event tag",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<processcreate onmatch=\"include\"/></EventFiltering></Sysmon>",
	  2, "unknown element" },
	{ "unknown field",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate onmatch=\"include\">\n"
	  "  <image>x</image></ProcessCreate>"
	  "</EventFiltering></Sysmon>",
	  3, "unknown field" },
	{ "field of another event",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<NetworkConnect onmatch=\"include\">\n"
	  "  <CommandLine>x</CommandLine></NetworkConnect>"
	  "</EventFiltering></Sysmon>",
	  3, "unknown field" },
	{ "bad onmatch",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate onmatch=\"maybe\"/>"
	  "</EventFiltering></Sysmon>",
	  2, "onmatch" },
	{ "no onmatch",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate/></EventFiltering></Sysmon>",
	  2, "onmatch" },
	{ "onmatch and default",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate onmatch=\"include\" default=\"include\"/>"
	  "</EventFiltering></Sysmon>",
	  2, "both" },
	{ "group without relation",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<RuleGroup name=\"x\"><ProcessCreate onmatch=\"include\"/>"
	  "</RuleGroup></EventFiltering></Sysmon>",
	  2, "groupRelation" },
	{ "bad group relation",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<RuleGroup groupRelation=\"xor\"><ProcessCreate onmatch=\"include\"/>"
	  "</RuleGroup></EventFiltering></Sysmon>",
	  2, "groupRelation" },
	{ "unknown condition",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate onmatch=\"include\">\n\n"
	  "<Image condition=\"matches\">x</Image></ProcessCreate>"
	  "</EventFiltering></Sysmon>",
	  4, "Unknown condition" },
	{ "unknown attribute",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate onmatch=\"include\" foo=\"1\"/>"
	  "</EventFiltering></Sysmon>",
	  2, "unknown attribute" },
	{ "name too long",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate onmatch=\"include\"><Image name=\""
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "\">x</Image></ProcessCreate></EventFiltering></Sysmon>",
	  2, "longer" },
	{ "doubled ; in list",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\n"
	  "<ProcessCreate onmatch=\"include\"><Image condition=\"contains any\">"
	  "a;;b</Image></ProcessCreate></EventFiltering></Sysmon>",
	  2, "empty item" },
	{ "bad hash",
	  "<Sysmon schemaversion=\"4.90\">\n"
	  "<HashAlgorithms>sha1,crc32</HashAlgorithms></Sysmon>",
	  2, "crc32" },
	{ "bad field size",
	  "<Sysmon schemaversion=\"4.90\">\n"
	  "<FieldSizes>Image:0</FieldSizes></Sysmon>",
	  2, "FieldSizes" },
	{ "unknown field size",
	  "<Sysmon schemaversion=\"4.90\">\n"
	  "<FieldSizes>Nope:10</FieldSizes></Sysmon>",
	  2, "unknown field" },
	{ "field size spaces",
	  "<Sysmon schemaversion=\"4.90\">\n"
	  "<FieldSizes>Image: 10</FieldSizes></Sysmon>",
	  2, "FieldSizes" },
	{ "text in EventFiltering",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering>\nhello"
	  "</EventFiltering></Sysmon>",
	  1, "text" },
	{ "nested Rule",
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering><ProcessCreate "
	  "onmatch=\"include\">\n<Rule><Rule><Image>x</Image></Rule></Rule>"
	  "</ProcessCreate></EventFiltering></Sysmon>",
	  2, "nested" },
	/* XXE: never read, the DOCTYPE alone is refused */
	{ "XXE",
	  "<?xml version=\"1.0\"?>\n"
	  "<!DOCTYPE Sysmon [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
	  "<Sysmon schemaversion=\"4.90\"><EventFiltering><ProcessCreate "
	  "onmatch=\"include\"><Image>&x;</Image></ProcessCreate>"
	  "</EventFiltering></Sysmon>",
	  2, "DOCTYPE" },
	/* billion laughs */
	{ "billion laughs",
	  "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	  "<!ENTITY lol \"lol\">\n"
	  "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	  "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	  "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	  "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	  "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	  "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	  "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	  "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	  "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	  "]>\n<Sysmon schemaversion=\"4.90\"><EventFiltering><ProcessCreate "
	  "onmatch=\"include\"><Image>&lol9;</Image></ProcessCreate>"
	  "</EventFiltering></Sysmon>",
	  14, "entity" },
};

static void run_bads(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		struct diag d;
		struct config *c;

		memset(&d, 0, sizeof(d));
		c = config_load_mem(b->xml, strlen(b->xml), "bad.xml", &d);
		if (c) {
			fprintf(stderr, "FAIL bad '%s': loaded\n", b->what);
			tap_failed++;
			config_free(c);
			continue;
		}
		if (strcmp(d.file, "bad.xml") != 0 || d.line != b->line ||
		    d.col < 1 || !strstr(d.msg, b->msg_part)) {
			fprintf(stderr, "FAIL bad '%s': %s:%d:%d: %s\n",
				b->what, d.file, d.line, d.col, d.msg);
			tap_failed++;
		} else {
			tap_passed++;
		}
	}
}

/* The XXE target must never show up anywhere, even in an error text. */
static void check_xxe_not_read(void)
{
	const char *xml = bads[sizeof(bads) / sizeof(bads[0]) - 2].xml;
	struct diag d;

	CHECK(config_load_mem(xml, strlen(xml), "x", &d) == NULL);
	CHECK(strstr(d.msg, "root:") == NULL);
	CHECK(strstr(d.msg, "DOCTYPE") != NULL ||
	      strstr(d.msg, "ntity") != NULL);
}

/* ---- options, versions, encodings ------------------------------------- */

struct wlog {
	unsigned n;
	char last[512];
};

static void wcollect(void *arg, const char *msg)
{
	struct wlog *w = arg;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static void check_options(void)
{
	const char *win = "<Sysmon schemaversion=\"4.90\">\n"
			  "<CheckRevocation/>\n"
			  "<ArchiveDirectory>Sysmon</ArchiveDirectory>\n"
			  "<CheckRevocation>False</CheckRevocation>\n"
			  "<DriverName>x</DriverName><CaptureClipboard/>"
			  "<DriverQueueSize>10</DriverQueueSize>"
			  "</Sysmon>";
	struct wlog w = { 0 };
	struct config_opts o = { .warn = wcollect, .warn_arg = &w };
	struct config_opts strict = { .is_strict = true,
				      .warn = wcollect,
				      .warn_arg = &w };
	struct config *c;
	struct diag d;

	c = config_load_mem_opts(win, strlen(win), "w.xml", &o, &d);
	CHECK(c != NULL);
	/* One warning per option, not per occurrence; ArchiveDirectory is
	 * FileDelete's on Linux too. */
	CHECK(w.n == 4);
	CHECK(strstr(w.last, "w.xml:") == w.last);
	CHECK(c && config_warning_count(c) == 4);
	CHECK(c && config_archive_directory(c) &&
	      strcmp(config_archive_directory(c), "Sysmon") == 0);
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.90\"/>", NULL);
	CHECK(c && config_archive_directory(c) == NULL);
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.90\"><ArchiveDirectory>/var/"
		 "archive</ArchiveDirectory></Sysmon>",
		 NULL);
	CHECK(c && strcmp(config_archive_directory(c), "/var/archive") == 0);
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.90\"><ArchiveDirectory>a/b"
		 "</ArchiveDirectory></Sysmon>",
		 &d);
	CHECK(c == NULL && strstr(d.msg, "ArchiveDirectory"));
	c = config_load_mem_opts(win, strlen(win), "w.xml", &strict, &d);
	CHECK(c == NULL);
	CHECK(d.line == 2 && strstr(d.msg, "CheckRevocation"));

	/* HashAlgorithms: default SHA1, aliases, '*'. */
	c = load("<Sysmon schemaversion=\"4.90\"/>", NULL);
	CHECK(c && config_hash_algorithms(c) == CONFIG_HASH_SHA1);
	CHECK_STR(
		config_file_hash(c),
		"1ee44842bff138c8dc4eb242cf33d6948679526082057d767391fc5a52119173");
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.90\"><HashAlgorithms>MD-5,,"
		 "sha-256</HashAlgorithms></Sysmon>",
		 NULL);
	CHECK(c && config_hash_algorithms(c) ==
			   (CONFIG_HASH_MD5 | CONFIG_HASH_SHA256));
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.90\"><HashAlgorithms>*"
		 "</HashAlgorithms></Sysmon>",
		 NULL);
	CHECK(c && config_hash_algorithms(c) ==
			   (CONFIG_HASH_SHA1 | CONFIG_HASH_MD5 |
			    CONFIG_HASH_SHA256 | CONFIG_HASH_IMPHASH));
	config_free(c);

	/* Versions: 4.9 = 4.90, 4.1 = 4.10, newer 4.x accepted. */
	c = load("<Sysmon schemaversion=\"4.9\"/>", NULL);
	CHECK(c && strcmp(config_schema_version(c), "4.90") == 0);
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.1\"/>", NULL);
	CHECK(c && strcmp(config_schema_version(c), "4.10") == 0);
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.95\"/>", NULL);
	CHECK(c && strcmp(config_schema_version(c), "4.95") == 0);
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.0\"/>", NULL);
	CHECK(c && strcmp(config_schema_version(c), "4.00") == 0);
	config_free(c);

	/* Default config: events 1 and 5, three hashes. */
	c = config_default();
	CHECK(c != NULL);
	CHECK(c && config_wants(c, 1) && config_wants(c, 5));
	CHECK(c && !config_wants(c, 3) && !config_wants(c, 11));
	CHECK(c && config_wants(c, 4) && config_wants(c, 16) &&
	      config_wants(c, 255));
	CHECK(c &&
	      config_hash_algorithms(c) == (CONFIG_HASH_SHA1 | CONFIG_HASH_MD5 |
					    CONFIG_HASH_SHA256));
	/* The built-in config's hash is that of its text, like a file's. */
	CHECK(c && strlen(config_file_hash(c)) == 64);
	CHECK(strstr(config_default_xml(), "<Sysmon") != NULL);
	{
		const char *x = config_default_xml();
		struct config *f = config_load_mem(x, strlen(x), "d.xml", &d);

		CHECK(c && f &&
		      strcmp(config_file_hash(c), config_file_hash(f)) == 0);
		CHECK(c && strcmp(config_schema_version(c), "4.91") == 0);
		config_free(f);
	}
	config_free(c);
}

static void check_wants(void)
{
	struct config *c = load_rules(
		"4.90", "<ProcessCreate onmatch=\"include\"/>"
			"<NetworkConnect onmatch=\"exclude\"/>"
			"<FileCreate onmatch=\"include\"><TargetFilename>x"
			"</TargetFilename></FileCreate>"
			"<RawAccessRead onmatch=\"include\"/>"
			"<RegistryEvent onmatch=\"exclude\"/>");

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(!config_wants(c, 1)); /* empty include: drops all */
	CHECK(config_wants(c, 3)); /* empty exclude: logs all */
	CHECK(config_wants(c, 5)); /* no set: default include */
	CHECK(config_wants(c, 11)); /* include with filters */
	CHECK(!config_wants(c, 9)); /* empty include */
	CHECK(!config_wants(c, 12)); /* no Linux meaning */
	CHECK(!config_wants(c, 23)); /* no set: default exclude */
	CHECK(config_wants(c, 16));
	CHECK(!config_wants(c, 999));
	config_free(c);
}

static void check_field_sizes(void)
{
	struct config *c = load("<Sysmon schemaversion=\"4.90\"><FieldSizes>"
				"CommandLine:10,Image:2,User:100</FieldSizes>"
				"</Sysmon>",
				NULL);
	struct event ev;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(make_event(
		      &ev, 1,
		      "CommandLine=0123456789abc|Image=/usr/bin/ls|User=me") ==
	      0);
	/* Filtering sees the full values ... */
	CHECK(config_decide(c, &ev));
	config_apply_field_sizes(c, &ev);
	/* ... output is cut: N-3 bytes and "...", or "-" when N < 3. */
	CHECK_STR(event_named(&ev, "CommandLine"), "0123456...");
	CHECK_STR(event_named(&ev, "Image"), "-");
	CHECK_STR(event_named(&ev, "User"), "me");
	event_release(&ev);
	/* The same field name applies in every event that has it. */
	CHECK(make_event(&ev, 5, "Image=/usr/bin/ls") == 0);
	config_apply_field_sizes(c, &ev);
	CHECK_STR(event_named(&ev, "Image"), "-");
	event_release(&ev);
	/* A multi-byte character is never split. */
	config_free(c);
	c = load("<Sysmon schemaversion=\"4.90\"><FieldSizes>CommandLine:6"
		 "</FieldSizes></Sysmon>",
		 NULL);
	CHECK(c && make_event(&ev, 1, "CommandLine=ab\xc3\xa9xyz") == 0);
	if (c) {
		config_apply_field_sizes(c, &ev);
		CHECK_STR(event_named(&ev, "CommandLine"), "ab...");
	}
	event_release(&ev);
	config_free(c);
}

static void check_encodings(void)
{
	static const char body[] =
		"<!-- leading comment -->\n<Sysmon schemaversion=\"4.90\">"
		"<EventFiltering><ProcessCreate onmatch=\"include\"><Image>/a"
		"</Image></ProcessCreate></EventFiltering></Sysmon>";
	char buf[1024], u16[2048];
	struct config *c;
	struct event ev;
	size_t n = 0;

	/* UTF-8 with BOM, leading blank lines and comments. */
	snprintf(buf, sizeof(buf), "\xef\xbb\xbf\n\n%s", body);
	c = load(buf, NULL);
	CHECK(c != NULL);
	config_free(c);
	/* UTF-16LE with BOM and with an XML declaration. */
	snprintf(buf, sizeof(buf),
		 "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n%s", body);
	u16[n++] = (char)0xff;
	u16[n++] = (char)0xfe;
	for (size_t i = 0; buf[i] && n + 2 < sizeof(u16); i++) {
		u16[n++] = buf[i];
		u16[n++] = 0;
	}
	c = config_load_mem(u16, n, "u16.xml", NULL);
	CHECK(c != NULL);
	if (c) {
		CHECK(make_event(&ev, 1, "Image=/a") == 0);
		CHECK(config_decide(c, &ev));
		event_release(&ev);
		CHECK(make_event(&ev, 1, "Image=/b") == 0);
		CHECK(!config_decide(c, &ev));
		event_release(&ev);
	}
	config_free(c);
	/* UTF-16LE without BOM. */
	c = config_load_mem(u16 + 2, n - 2, "u16.xml", NULL);
	CHECK(c != NULL);
	config_free(c);
	/* Over the size cap. */
	{
		size_t big = 9u * 1024 * 1024;
		char *p = malloc(big);
		struct diag d;

		CHECK(p != NULL);
		if (p) {
			memset(p, ' ', big);
			memcpy(p, "<Sysmon schemaversion=\"4.90\">", 29);
			CHECK(config_load_mem(p, big, "big.xml", &d) == NULL &&
			      errno == EFBIG);
			free(p);
		}
	}
}

static void check_dump_quirk(void)
{
	struct config *c = load_rules(
		"4.90",
		"<ProcessCreate onmatch=\"include\"><Image>/a</Image>"
		"</ProcessCreate><ProcessCreate onmatch=\"include\"><Image>/b"
		"</Image></ProcessCreate><ProcessCreate onmatch=\"exclude\">"
		"<Rule><Image>/c</Image></Rule></ProcessCreate>");
	struct buf b;
	struct event ev;

	CHECK(c != NULL);
	if (!c)
		return;
	buf_init(&b, 0);
	CHECK(config_dump(c, &b) == 0);
	/* The second include set is hidden in the dump ... */
	CHECK(strstr(b.data, "'/a'") != NULL);
	CHECK(strstr(b.data, "'/b'") == NULL);
	CHECK(strstr(b.data, "Compound Rule 0001   combine using Or") != NULL);
	/* ... but still applies. */
	CHECK(make_event(&ev, 1, "Image=/b") == 0);
	CHECK(config_decide(c, &ev));
	event_release(&ev);
	buf_release(&b);
	config_free(c);
}

static void check_all_or_nothing(void)
{
	/* Valid options and sets before an error must not leak a config. */
	const char *xml =
		"<Sysmon schemaversion=\"4.90\"><HashAlgorithms>md5"
		"</HashAlgorithms><EventFiltering><ProcessCreate "
		"onmatch=\"include\"><Image>/a</Image></ProcessCreate>"
		"<FileCreate onmatch=\"include\"><Nope>x</Nope>"
		"</FileCreate></EventFiltering></Sysmon>";
	struct diag d;

	errno = 0;
	CHECK(config_load_mem(xml, strlen(xml), "a.xml", &d) == NULL);
	CHECK(errno == EINVAL);
	CHECK(config_load_file("/nonexistent/vigil.xml", &d) == NULL);
	CHECK(errno == ENOENT);
}

static void check_schema_help(void)
{
	struct buf b;

	buf_init(&b, 0);
	CHECK(config_schema_print(NULL, &b) == 0);
	CHECK(strstr(b.data, "<manifest schemaversion=\"4.91\"") == b.data);
	CHECK(strstr(b.data, "rulename=\"eBPFEvent\"") != NULL);
	CHECK(strstr(b.data,
		     "begin with,not begin with,end with,not end with,less than") !=
	      NULL);
	buf_reset(&b);
	CHECK(config_schema_print("4.9", &b) == 0);
	CHECK(config_schema_print("3.4", &b) == -ENOENT);
	buf_reset(&b);
	CHECK(config_help(&b) == 0);
	CHECK(strstr(b.data, "excludes any    value contains none") != NULL);
	buf_release(&b);
}

int main(void)
{
	run_cases();
	run_bads();
	check_xxe_not_read();
	check_options();
	check_wants();
	check_field_sizes();
	check_encodings();
	check_dump_quirk();
	check_all_or_nothing();
	check_schema_help();
	return tap_done("config_test");
}
