/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/render_test.c - golden bytes of the XML/JSON/text renderings,
 * hostile values checked with real parsers (xmllint, Python's json), and
 * render_parse_json() round trips and rejections.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "render/escape.h"
#include "render/render.h"
#include "tap.h"
#include "util/buf.h"

/* 2021-10-24T17:05:47.088523000Z */
#define CREATED 1635095147088523000ull

static struct render_host test_host(void)
{
	struct render_host h;

	render_host_defaults(&h);
	h.computer = "host1";
	h.pid = 3099;
	h.tid = 3100;
	h.euid = 0;
	return h;
}

/* Render ev as fmt into a fresh NUL-terminated string (caller frees). */
static char *render(const struct event *ev, enum render_format fmt)
{
	struct render_host h = test_host();
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = render_event(&b, &h, ev, fmt, CREATED);
	CHECK(r == 0);
	if (r || !b.data) {
		buf_release(&b);
		return strdup("");
	}
	return b.data; /* ownership moves to the caller */
}

static void set(struct event *ev, const char *field, const char *v)
{
	CHECK(event_set_named(ev, field, v) == 0);
}

static void make_event1(struct event *ev)
{
	CHECK(event_init(ev, 1) == 0);
	ev->record_id = 20;
	set(ev, "UtcTime", "2021-10-24 17:05:46.792");
	set(ev, "ProcessGuid", "{d65774de-8d17-6175-92f0-043290550000}");
	set(ev, "ProcessId", "419");
	set(ev, "Image", "/usr/bin/curl");
	set(ev, "CommandLine", "curl -s \"https://x/?a=1&b=<2>\"");
	set(ev, "CurrentDirectory", "/root");
	set(ev, "User", "root");
	set(ev, "LogonGuid", "{d65774de-0000-0000-0000-000000000000}");
	set(ev, "LogonId", "0");
	set(ev, "TerminalSessionId", "3");
	set(ev, "IntegrityLevel", "no level");
	set(ev, "Hashes", "SHA256=0123abcd");
	set(ev, "ParentProcessGuid", "{d65774de-8d17-6175-0000-000000000001}");
	set(ev, "ParentProcessId", "1");
	set(ev, "ParentImage", "/bin/bash");
	set(ev, "ParentCommandLine", "bash");
	set(ev, "ParentUser", "root");
}

#define SYS_XML(id, ver, lvl, rec)                                            \
	"<Event><System><Provider Name=\"Linux-Sysmon\" "                     \
	"Guid=\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"/><EventID>" id       \
	"</EventID><Version>" ver "</Version><Level>" lvl "</Level><Task>" id \
	"</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>"    \
	"<TimeCreated SystemTime=\"2021-10-24T17:05:47.088523000Z\"/>"        \
	"<EventRecordID>" rec "</EventRecordID><Correlation/>"                \
	"<Execution ProcessID=\"3099\" ThreadID=\"3100\"/>"                   \
	"<Channel>Linux-Sysmon/Operational</Channel><Computer>host1"          \
	"</Computer><Security UserId=\"0\"/></System>"

#define SYS_JSON(id, ver, lvl, rec)                                            \
	"{\"Event\":{\"System\":{\"Provider\":{\"Name\":\"Linux-Sysmon\","     \
	"\"Guid\":\"{ff032593-a8d3-4f13-b0d6-01fc615a0f97}\"},\"EventID\":" id \
	",\"Version\":" ver ",\"Level\":" lvl ",\"Task\":" id                  \
	",\"Opcode\":0,\"Keywords\":\"0x8000000000000000\","                   \
	"\"TimeCreated\":{\"SystemTime\":"                                     \
	"\"2021-10-24T17:05:47.088523000Z\"},\"EventRecordID\":" rec           \
	",\"Execution\":{\"ProcessID\":3099,\"ThreadID\":3100},"               \
	"\"Channel\":\"Linux-Sysmon/Operational\",\"Computer\":\"host1\","     \
	"\"Security\":{\"UserId\":\"0\"}},"

static void test_golden_event1(void)
{
	struct event ev;
	char *s;

	make_event1(&ev);
	s = render(&ev, RENDER_XML);
	CHECK_STR(
		s,
		SYS_XML("1", "5", "4",
			"20") "<EventData>"
			      "<Data Name=\"RuleName\">-</Data>"
			      "<Data Name=\"UtcTime\">2021-10-24 17:05:46.792</Data>"
			      "<Data Name=\"ProcessGuid\">"
			      "{d65774de-8d17-6175-92f0-043290550000}</Data>"
			      "<Data Name=\"ProcessId\">419</Data>"
			      "<Data Name=\"Image\">/usr/bin/curl</Data>"
			      "<Data Name=\"FileVersion\">-</Data>"
			      "<Data Name=\"Description\">-</Data>"
			      "<Data Name=\"Product\">-</Data>"
			      "<Data Name=\"Company\">-</Data>"
			      "<Data Name=\"OriginalFileName\">-</Data>"
			      "<Data Name=\"CommandLine\">curl -s \"https://x/?a=1&amp;b="
			      "&lt;2&gt;\"</Data>"
			      "<Data Name=\"CurrentDirectory\">/root</Data>"
			      "<Data Name=\"User\">root</Data>"
			      "<Data Name=\"LogonGuid\">"
			      "{d65774de-0000-0000-0000-000000000000}</Data>"
			      "<Data Name=\"LogonId\">0</Data>"
			      "<Data Name=\"TerminalSessionId\">3</Data>"
			      "<Data Name=\"IntegrityLevel\">no level</Data>"
			      "<Data Name=\"Hashes\">SHA256=0123abcd</Data>"
			      "<Data Name=\"ParentProcessGuid\">"
			      "{d65774de-8d17-6175-0000-000000000001}</Data>"
			      "<Data Name=\"ParentProcessId\">1</Data>"
			      "<Data Name=\"ParentImage\">/bin/bash</Data>"
			      "<Data Name=\"ParentCommandLine\">bash</Data>"
			      "<Data Name=\"ParentUser\">root</Data>"
			      "</EventData></Event>");
	free(s);

	s = render(&ev, RENDER_JSON);
	CHECK_STR(
		s,
		SYS_JSON(
			"1", "5", "4",
			"20") "\"EventData\":{"
			      "\"RuleName\":\"-\","
			      "\"UtcTime\":\"2021-10-24 17:05:46.792\","
			      "\"ProcessGuid\":\"{d65774de-8d17-6175-92f0-043290550000}\","
			      "\"ProcessId\":\"419\",\"Image\":\"/usr/bin/curl\","
			      "\"FileVersion\":\"-\",\"Description\":\"-\","
			      "\"Product\":\"-\",\"Company\":\"-\","
			      "\"OriginalFileName\":\"-\","
			      "\"CommandLine\":\"curl -s \\\"https://x/?a=1&b=<2>\\\"\","
			      "\"CurrentDirectory\":\"/root\",\"User\":\"root\","
			      "\"LogonGuid\":\"{d65774de-0000-0000-0000-000000000000}\","
			      "\"LogonId\":\"0\",\"TerminalSessionId\":\"3\","
			      "\"IntegrityLevel\":\"no level\","
			      "\"Hashes\":\"SHA256=0123abcd\","
			      "\"ParentProcessGuid\":"
			      "\"{d65774de-8d17-6175-0000-000000000001}\","
			      "\"ParentProcessId\":\"1\",\"ParentImage\":\"/bin/bash\","
			      "\"ParentCommandLine\":\"bash\",\"ParentUser\":\"root\"}}}");
	free(s);
	event_release(&ev);
}

static void test_golden_small(void)
{
	struct event ev;
	char *s;

	/* Event 5: Version 3. */
	CHECK(event_init(&ev, 5) == 0);
	ev.record_id = 7;
	set(&ev, "UtcTime", "2021-10-24 17:05:46.800");
	set(&ev, "ProcessGuid", "{d65774de-8d17-6175-92f0-043290550000}");
	set(&ev, "ProcessId", "419");
	set(&ev, "Image", "/usr/bin/curl");
	set(&ev, "User", "root");
	s = render(&ev, RENDER_XML);
	CHECK_STR(
		s,
		SYS_XML("5", "3", "4",
			"7") "<EventData>"
			     "<Data Name=\"RuleName\">-</Data>"
			     "<Data Name=\"UtcTime\">2021-10-24 17:05:46.800</Data>"
			     "<Data Name=\"ProcessGuid\">"
			     "{d65774de-8d17-6175-92f0-043290550000}</Data>"
			     "<Data Name=\"ProcessId\">419</Data>"
			     "<Data Name=\"Image\">/usr/bin/curl</Data>"
			     "<Data Name=\"User\">root</Data></EventData></Event>");
	free(s);
	s = render(&ev, RENDER_JSON);
	CHECK_STR(
		s,
		SYS_JSON(
			"5", "3", "4",
			"7") "\"EventData\":{"
			     "\"RuleName\":\"-\","
			     "\"UtcTime\":\"2021-10-24 17:05:46.800\","
			     "\"ProcessGuid\":\"{d65774de-8d17-6175-92f0-043290550000}\","
			     "\"ProcessId\":\"419\",\"Image\":\"/usr/bin/curl\","
			     "\"User\":\"root\"}}}");
	free(s);
	s = render(&ev, RENDER_TEXT);
	CHECK_STR(s, "Event SYSMONEVENT_PROCESS_TERMINATE\n"
		     "\tRuleName: -\n"
		     "\tUtcTime: 2021-10-24 17:05:46.800\n"
		     "\tProcessGuid: {d65774de-8d17-6175-92f0-043290550000}\n"
		     "\tProcessId: 419\n"
		     "\tImage: /usr/bin/curl\n"
		     "\tUser: root\n");
	free(s);
	event_release(&ev);

	/* Event 4: Version 3, no RuleName; EventData holds a "Version". */
	CHECK(event_init(&ev, 4) == 0);
	ev.record_id = 1;
	set(&ev, "UtcTime", "2021-10-24 17:05:40.000");
	set(&ev, "State", "Started");
	set(&ev, "Version", "1.0.0");
	set(&ev, "SchemaVersion", "4.81");
	s = render(&ev, RENDER_XML);
	CHECK_STR(
		s,
		SYS_XML("4", "3", "4",
			"1") "<EventData>"
			     "<Data Name=\"UtcTime\">2021-10-24 17:05:40.000</Data>"
			     "<Data Name=\"State\">Started</Data>"
			     "<Data Name=\"Version\">1.0.0</Data>"
			     "<Data Name=\"SchemaVersion\">4.81</Data>"
			     "</EventData></Event>");
	free(s);
	s = render(&ev, RENDER_JSON);
	CHECK_STR(s,
		  SYS_JSON("4", "3", "4",
			   "1") "\"EventData\":{"
				"\"UtcTime\":\"2021-10-24 17:05:40.000\","
				"\"State\":\"Started\",\"Version\":\"1.0.0\","
				"\"SchemaVersion\":\"4.81\"}}}");
	free(s);
	event_release(&ev);

	/* Event 255: Level 2. */
	CHECK(event_init(&ev, 255) == 0);
	ev.record_id = 18446744073709551615ull;
	set(&ev, "UtcTime", "2021-10-24 17:05:41.000");
	set(&ev, "ID", "ProcessCreate");
	set(&ev, "Description",
	    "Failed to open /proc/1/exe: Permission "
	    "denied\n(errno 13)\t<x>");
	s = render(&ev, RENDER_XML);
	CHECK_STR(
		s,
		SYS_XML("255", "3", "2",
			"18446744073709551615") "<EventData>"
						"<Data Name=\"UtcTime\">2021-10-24 17:05:41.000</Data>"
						"<Data Name=\"ID\">ProcessCreate</Data>"
						"<Data Name=\"Description\">Failed to open /proc/1/exe: "
						"Permission denied&#10;(errno 13)&#9;&lt;x&gt;</Data>"
						"</EventData></Event>");
	free(s);
	s = render(&ev, RENDER_JSON);
	CHECK_STR(
		s,
		SYS_JSON(
			"255", "3", "2",
			"18446744073709551615") "\"EventData\":{"
						"\"UtcTime\":\"2021-10-24 17:05:41.000\","
						"\"ID\":\"ProcessCreate\",\"Description\":\"Failed to open "
						"/proc/1/exe: Permission denied\\n(errno 13)\\t<x>\"}}}");
	free(s);
	event_release(&ev);
}

/* The Description of an event 255 rendered in fmt, cut out of the record. */
static char *render_value(const char *v, size_t n, enum render_format fmt)
{
	static const char *const open[] = {
		[RENDER_XML] = "<Data Name=\"Description\">",
		[RENDER_JSON] = "\"Description\":\"",
		[RENDER_TEXT] = "\tDescription: ",
	};
	static const char *const close[] = {
		[RENDER_XML] = "</Data></EventData></Event>",
		[RENDER_JSON] = "\"}}}",
		[RENDER_TEXT] = "\n",
	};
	struct event ev;
	char *s, *p, *out;
	size_t cl = strlen(close[fmt]);

	CHECK(event_init(&ev, 255) == 0);
	CHECK(event_set(&ev, 2, v, n) == 0);
	s = render(&ev, fmt);
	event_release(&ev);
	p = strstr(s, open[fmt]);
	if (!p || strlen(p) < strlen(open[fmt]) + cl) {
		free(s);
		return strdup("(not found)");
	}
	p += strlen(open[fmt]);
	out = strndup(p, strlen(p) - cl);
	free(s);
	return out;
}

struct esc_case {
	const char *in;
	const char *xml, *json, *text;
};

static void test_escaping(void)
{
	static const struct esc_case cases[] = {
		{ "a<b>&c\"d'e/f\\g", "a&lt;b&gt;&amp;c\"d'e/f\\g",
		  "a<b>&c\\\"d'e/f\\\\g", "a<b>&c\"d'e/f\\g" },
		{ "1\r\n2\t3", "1&#13;&#10;2&#9;3", "1\\r\\n2\\t3",
		  "1\\x0d\\x0a2\\x093" },
		/* A literal backslash-x is not a byte escape: "\x5c". */
		{ "\\xff\\xfe", "\\x5cxff\\x5cxfe", "\\\\x5cxff\\\\x5cxfe",
		  "\\x5cxff\\x5cxfe" },
		{ "\xff\xfe", "\\xff\\xfe", "\\\\xff\\\\xfe", "\\xff\\xfe" },
		{ "a\\\\x\\", "a\\\\x5cx\\", "a\\\\\\\\x5cx\\\\",
		  "a\\\\x5cx\\" },
		/* Hidden code points: C1 controls (NEL, CSI, OSC), bidi
		 * controls, separators; neighbours pass. */
		{ "\xc2\x85\xc2\x9b\xc2\x9d\xc2\xa0",
		  "&#133;&#155;&#157;\xc2\xa0", "\\u0085\\u009b\\u009d\xc2\xa0",
		  "\\xc2\\x85\\xc2\\x9b\\xc2\\x9d\xc2\xa0" },
		{ "a\xe2\x80\xae"
		  "b\xe2\x81\xa6"
		  "c\xd8\x9c\xe2\x80\x8f\xe2\x80\xa8",
		  "a&#8238;b&#8294;c&#1564;&#8207;&#8232;",
		  "a\\u202eb\\u2066c\\u061c\\u200f\\u2028",
		  "a\\xe2\\x80\\xaeb\\xe2\\x81\\xa6c\\xd8\\x9c\\xe2\\x80\\x8f"
		  "\\xe2\\x80\\xa8" },
		{ "\xe2\x80\xaf\xe2\x81\xa5\xe2\x80\x8d",
		  "\xe2\x80\xaf\xe2\x81\xa5\xe2\x80\x8d",
		  "\xe2\x80\xaf\xe2\x81\xa5\xe2\x80\x8d",
		  "\xe2\x80\xaf\xe2\x81\xa5\xe2\x80\x8d" },
		{ "\x01\x1b[0m\x1f\x7f", "\\x01\\x1b[0m\\x1f\x7f",
		  "\\u0001\\u001b[0m\\u001f\x7f", "\\x01\\x1b[0m\\x1f\\x7f" },
		{ "\b\f", "\\x08\\x0c", "\\u0008\\u000c", "\\x08\\x0c" },
		/* Valid UTF-8 passes: 2, 3, 4 bytes, U+FFFD, U+10FFFF. */
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd"
		  "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80",
		  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd"
		  "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80",
		  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd"
		  "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80",
		  "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd"
		  "\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80" },
		/* Stray continuation, bytes never valid. */
		{ "a\x80z\xfe\xff", "a\\x80z\\xfe\\xff",
		  "a\\\\x80z\\\\xfe\\\\xff", "a\\x80z\\xfe\\xff" },
		/* Overlongs: 2, 3, 4 bytes. */
		{ "\xc0\xaf\xc1\xbf", "\\xc0\\xaf\\xc1\\xbf",
		  "\\\\xc0\\\\xaf\\\\xc1\\\\xbf", "\\xc0\\xaf\\xc1\\xbf" },
		{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf", "\\\\xe0\\\\x80\\\\xaf",
		  "\\xe0\\x80\\xaf" },
		{ "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf",
		  "\\\\xf0\\\\x80\\\\x80\\\\xaf", "\\xf0\\x80\\x80\\xaf" },
		/* Surrogates D800, DFFF encoded as UTF-8. */
		{ "\xed\xa0\x80\xed\xbf\xbf", "\\xed\\xa0\\x80\\xed\\xbf\\xbf",
		  "\\\\xed\\\\xa0\\\\x80\\\\xed\\\\xbf\\\\xbf",
		  "\\xed\\xa0\\x80\\xed\\xbf\\xbf" },
		/* Over U+10FFFF, F5.., and the XML non-characters. */
		{ "\xf4\x90\x80\x80\xf5", "\\xf4\\x90\\x80\\x80\\xf5",
		  "\\\\xf4\\\\x90\\\\x80\\\\x80\\\\xf5",
		  "\\xf4\\x90\\x80\\x80\\xf5" },
		{ "\xef\xbf\xbe\xef\xbf\xbf", "\\xef\\xbf\\xbe\\xef\\xbf\\xbf",
		  "\\\\xef\\\\xbf\\\\xbe\\\\xef\\\\xbf\\\\xbf",
		  "\\xef\\xbf\\xbe\\xef\\xbf\\xbf" },
		/* Truncated sequences, at the end and before ASCII. */
		{ "\xe2\x82", "\\xe2\\x82", "\\\\xe2\\\\x82", "\\xe2\\x82" },
		{ "\xf0\x9f\x98<", "\\xf0\\x9f\\x98&lt;",
		  "\\\\xf0\\\\x9f\\\\x98<", "\\xf0\\x9f\\x98<" },
		{ "\xc3", "\\xc3", "\\\\xc3", "\\xc3" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct esc_case *c = &cases[i];
		char *s;

		s = render_value(c->in, strlen(c->in), RENDER_XML);
		CHECK_STR(s, c->xml);
		free(s);
		s = render_value(c->in, strlen(c->in), RENDER_JSON);
		CHECK_STR(s, c->json);
		free(s);
		s = render_value(c->in, strlen(c->in), RENDER_TEXT);
		CHECK_STR(s, c->text);
		free(s);
	}
}

/*
 * Value text decodes to the exact bytes: text output is value text with
 * no other escaping, so decode(render_text(v)) == v for any v, and the
 * JSON parser gives v back.  Values are drawn from the bytes that matter
 * (backslash, 'x', hex digits, invalid and hidden sequences).
 */
static void test_value_text_decodes(void)
{
	static const unsigned char alphabet[] = {
		'\\', 'x',  'f',  '5',	'c',  'a',  '\n', '\t',
		0x01, 0x7f, 0xff, 0xfe, 0xc2, 0x85, 0x9b, 0xe2,
		0x80, 0xae, 0x81, 0xa6, 0xc3, 0xa9,
	};
	char v[24], *out, *back;
	size_t n, len, bad = 0;
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		n = 1 + (seed = seed * 1103515245u + 12345u) % sizeof(v);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			v[i] = (char)alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		out = render_value(v, n, RENDER_TEXT);
		back = malloc(strlen(out) + 1);
		if (render_value_decode(back, out, strlen(out), &len, true) ||
		    len != n || memcmp(back, v, n))
			bad++;
		free(back);
		free(out);
	}
	CHECK(bad == 0);
	/* In place, strict and lenient. */
	{
		char s[] = "a\\x5cxff\\xff\\x", d[sizeof(s)];

		CHECK(render_value_decode(d, s, strlen(s), &len, true) ==
		      -EINVAL);
		CHECK(render_value_decode(s, s, strlen(s), &len, false) == 0);
		CHECK(len == 8 && memcmp(s, "a\\xff\xff\\x", 8) == 0);
	}
	{
		char s[] = "\\x00 \\xFF", d[sizeof(s)];

		CHECK(render_value_decode(d, s, 4, &len, true) == -EINVAL);
		CHECK(render_value_decode(s, s, strlen(s), &len, false) == 0);
		CHECK(len == 6 && memcmp(s, "\\x00 \xff", 6) == 0);
	}
}

/* Host values come from configuration: escaped too, "-" when empty. */
static void test_host_values(void)
{
	struct render_host h = test_host();
	struct event ev;
	struct buf b;

	h.provider_name = "a\"b<";
	h.computer = "";
	h.channel = "c&d";
	CHECK(event_init(&ev, 5) == 0);
	buf_init(&b, 0);
	CHECK(render_event(&b, &h, &ev, RENDER_XML, 0) == 0);
	CHECK(b.data && strstr(b.data, "<Provider Name=\"a&quot;b&lt;\""));
	CHECK(b.data && strstr(b.data, "<Channel>c&amp;d</Channel>"));
	CHECK(b.data && strstr(b.data, "<Computer>-</Computer>"));
	CHECK(b.data && strstr(b.data, "SystemTime=\"1970-01-01T00:00:00."
				       "000000000Z\""));
	buf_reset(&b);
	CHECK(render_event(&b, NULL, &ev, RENDER_JSON, 0) == 0);
	CHECK(b.data && strstr(b.data, "\"Name\":\"Linux-Sysmon\""));
	CHECK(b.data && strstr(b.data, "\"Computer\":\"-\""));
	buf_reset(&b);
	CHECK(render_event(&b, &h, &ev, (enum render_format)7, 0) == -EINVAL);

	/* A record cut at max_bytes is reported, not passed on. */
	buf_release(&b);
	buf_init(&b, 100);
	CHECK(render_event(&b, &h, &ev, RENDER_XML, 0) == -ENOBUFS);
	buf_release(&b);
	event_release(&ev);
}

static void test_format_parse(void)
{
	enum render_format f = RENDER_TEXT;
	struct render_host h;

	CHECK(render_format_parse("xml", &f) == 0 && f == RENDER_XML);
	CHECK(render_format_parse("json", &f) == 0 && f == RENDER_JSON);
	CHECK(render_format_parse("text", &f) == 0 && f == RENDER_TEXT);
	CHECK(render_format_parse("XML", &f) == -EINVAL);
	CHECK(render_format_parse("", &f) == -EINVAL);
	CHECK(render_format_parse(NULL, &f) == -EINVAL);
	render_host_defaults(&h);
	CHECK_STR(h.provider_name, "Linux-Sysmon");
	CHECK_STR(h.provider_guid, "{ff032593-a8d3-4f13-b0d6-01fc615a0f97}");
	CHECK_STR(h.channel, "Linux-Sysmon/Operational");
	CHECK(h.computer == NULL && h.pid == 0 && h.tid == 0 && h.euid == 0);
}

/* TimeCreated text against libc's gmtime, and its parser as inverse. */
static void test_time(void)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, back;
	int bad_fmt = 0, bad_parse = 0;
	char mine[RENDER_TIME_LEN + 1], libc[64];

	for (int i = 0; i < 20000; i++) {
		uint64_t ns;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		/* Up to about year 2500, and the edges. */
		ns = i == 0 ? 0 : i == 1 ? 951782400000000000ull : seed >> 4;
		render_format_created(ns, mine);
		event_format_time(ns, true, libc, sizeof(libc));
		bad_fmt += strcmp(mine, libc) != 0;
		bad_parse += render_parse_created(mine, strlen(mine), &back) ||
			     back != ns;
	}
	CHECK(bad_fmt == 0);
	CHECK(bad_parse == 0);
	CHECK(render_parse_created("2021-02-29T00:00:00.000000000Z", 30,
				   &back) == -EINVAL);
	CHECK(render_parse_created("2020-02-29T00:00:00.000000000Z", 30,
				   &back) == 0);
	CHECK(render_parse_created("2100-02-29T00:00:00.000000000Z", 30,
				   &back) == -EINVAL);
	CHECK(render_parse_created("2021-13-01T00:00:00.000000000Z", 30,
				   &back) == -EINVAL);
	CHECK(render_parse_created("2021-01-01T24:00:00.000000000Z", 30,
				   &back) == -EINVAL);
	CHECK(render_parse_created("1969-12-31T23:59:59.000000000Z", 30,
				   &back) == -EINVAL);
	CHECK(render_parse_created("9999-01-01T00:00:00.000000000Z", 30,
				   &back) == -EINVAL);
	CHECK(render_parse_created("2021-01-01T00:00:00.00000000Z", 29,
				   &back) == -EINVAL);
	CHECK(render_parse_created("2021-01-01 00:00:00.000000000Z", 30,
				   &back) == -EINVAL);
	CHECK(render_parse_created("2021-01-01T00:00:00.0000000+0Z", 30,
				   &back) == -EINVAL);
}

/* Exit status of cmd fed data on stdin. */
static int run_with_stdin(const char *cmd, const char *data, size_t n,
			  int quiet)
{
	char full[512];
	FILE *f;
	int st;

	snprintf(full, sizeof(full), "%s%s", cmd, quiet ? " 2>/dev/null" : "");
	f = popen(full, "w");
	if (!f)
		return -1;
	fwrite(data, 1, n, f);
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* quiet: the oracle is expected to fail, keep its complaint off stderr. */
static int xmllint_ok_q(const char *xml, size_t n, int quiet)
{
	char path[] = "/tmp/vigil-render-XXXXXX";
	char cmd[128];
	int fd = mkstemp(path), st;

	if (fd < 0)
		return 0;
	if (write(fd, xml, n) != (ssize_t)n) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s%s", path,
		 quiet ? " 2>/dev/null" : "");
	st = system(cmd);
	unlink(path);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int xmllint_ok(const char *xml, size_t n)
{
	return xmllint_ok_q(xml, n, 0);
}

static int json_ok_q(const char *json, size_t n, int quiet)
{
	/* Strict: the bytes must be UTF-8 and hold exactly one value. */
	return run_with_stdin("python3 -c 'import json,sys; "
			      "json.loads(sys.stdin.buffer.read()"
			      ".decode(\"utf-8\", \"strict\"))'",
			      json, n, quiet) == 0;
}

static int json_ok(const char *json, size_t n)
{
	return json_ok_q(json, n, 0);
}

static void fill_random(char *p, size_t n, uint64_t *seed)
{
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
		p[i] = (char)(*seed >> 56);
		if (!p[i])
			p[i] = 'N';
	}
}

/* Hostile values of every kind in one event, checked by real parsers. */
static void test_hostile(void)
{
	static const char *const nasty[] = {
		"<script>&amp;\"'</script>]]><!-- -->",
		"line1\nline2\r\nline3\ttab",
		"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x1f\x7f",
		"\x80\xbf\xc0\x80\xc1\xbf\xe0\x80\x80\xe0\x9f\xbf",
		"\xed\xa0\x80\xed\xaf\xbf\xed\xb0\x80\xed\xbf\xbf",
		"\xf0\x80\x80\x80\xf0\x8f\xbf\xbf\xf4\x90\x80\x80\xf8\x88\x80",
		"\xef\xbf\xbe\xef\xbf\xbf\xfe\xff\xe2\x82",
		"\\\"\\u0000\\ud800",
		"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"&#0;&#xD800;&unknown;",
	};
	size_t nn = sizeof(nasty) / sizeof(nasty[0]);
	uint64_t seed = 42;
	struct event ev;
	char *big, *s;

	CHECK(event_init(&ev, 1) == 0);
	for (unsigned i = 0; i < ev.def->nfields; i++)
		CHECK(event_set_str(&ev, i, nasty[i % nn]) == 0);
	for (int f = RENDER_XML; f <= RENDER_TEXT; f++) {
		s = render(&ev, (enum render_format)f);
		if (f == RENDER_XML)
			CHECK(xmllint_ok(s, strlen(s)));
		else if (f == RENDER_JSON)
			CHECK(json_ok(s, strlen(s)));
		if (f != RENDER_TEXT)
			CHECK(strchr(s, '\n') == NULL &&
			      strchr(s, '\r') == NULL);
		else /* a header line plus one line per field */
			for (unsigned n = 0, i = 0;; i++) {
				if (!s[i]) {
					CHECK(n ==
					      catalog_sysmon_fields(ev.def) +
						      1);
					break;
				}
				n += s[i] == '\n';
			}
		free(s);
	}

	/* 100 KB values of random bytes (any byte but NUL). */
	big = malloc(100 * 1024);
	CHECK(big != NULL);
	if (!big) {
		event_release(&ev);
		return;
	}
	for (int round = 0; round < 3; round++) {
		event_reset(&ev);
		for (unsigned i = 4; i < 7; i++) {
			fill_random(big, 100 * 1024, &seed);
			CHECK(event_set(&ev, i, big, 100 * 1024) == 0);
		}
		s = render(&ev, RENDER_XML);
		CHECK(strlen(s) > 100 * 1024);
		CHECK(xmllint_ok(s, strlen(s)));
		CHECK(strchr(s, '\n') == NULL && strchr(s, '\r') == NULL);
		free(s);
		s = render(&ev, RENDER_JSON);
		CHECK(json_ok(s, strlen(s)));
		CHECK(strchr(s, '\n') == NULL && strchr(s, '\r') == NULL);
		free(s);
	}
	free(big);
	event_release(&ev);
}

/* The oracle must be able to fail. */
static void test_oracles(void)
{
	CHECK(!xmllint_ok_q("<a>\x01</a>", 8, 1));
	CHECK(!xmllint_ok_q("<a>\xff</a>", 8, 1));
	CHECK(!json_ok_q("{\"a\":\"\n\"}", 9, 1));
	CHECK(!json_ok_q("{\"a\":\"\xff\"}", 9, 1));
	CHECK(xmllint_ok("<a>x</a>", 8));
	CHECK(json_ok("{\"a\":\"x\"}", 9));
}

/* render json -> parse -> render json must give the same bytes. */
static void check_round_trip(const struct event *ev)
{
	struct render_host h = test_host();
	struct event back;
	struct buf a, b;
	uint64_t created = 0;
	int r;

	buf_init(&a, 0);
	buf_init(&b, 0);
	CHECK(render_event(&a, &h, ev, RENDER_JSON, CREATED) == 0);
	r = render_parse_json(a.data, a.len, &back, &created);
	CHECK(r == 0);
	if (r == 0) {
		CHECK(back.def == ev->def);
		CHECK(back.record_id == ev->record_id);
		CHECK(created == CREATED);
		CHECK(render_event(&b, &h, &back, RENDER_JSON, created) == 0);
		CHECK(a.len == b.len && b.data &&
		      memcmp(a.data, b.data, a.len) == 0);
		buf_reset(&b);
		CHECK(render_event(&b, &h, &back, RENDER_XML, created) == 0);
		buf_reset(&a);
		CHECK(render_event(&a, &h, ev, RENDER_XML, CREATED) == 0);
		CHECK(a.len == b.len && b.data &&
		      memcmp(a.data, b.data, a.len) == 0);
	}
	event_release(&back);
	buf_release(&a);
	buf_release(&b);
}

static void test_parse_round_trip(void)
{
	struct event ev, back;
	uint64_t created = 1;
	const char *line;

	make_event1(&ev);
	check_round_trip(&ev);
	/* Quotes, backslashes, control bytes (lossless in JSON), UTF-8. */
	set(&ev, "CommandLine",
	    "sh -c \"echo \\\"x\\\" | tr a b\"\t\x01\x1f\n"
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\x7f");
	set(&ev, "Image", "");
	check_round_trip(&ev);
	/* Invalid UTF-8 and a literal "\xff" come back as they were. */
	set(&ev, "Image", "/tmp/\xff\xfe");
	set(&ev, "CurrentDirectory", "/tmp/\\xff\\xfe\\");
	set(&ev, "User", "\xc2\x9b\xe2\x80\xae");
	check_round_trip(&ev);
	{
		struct buf a;

		buf_init(&a, 0);
		CHECK(render_event(&a, NULL, &ev, RENDER_JSON, 1) == 0);
		CHECK(render_parse_json(a.data, a.len, &back, NULL) == 0);
		if (back.def) {
			CHECK_STR(event_named(&back, "Image"), "/tmp/\xff\xfe");
			CHECK_STR(event_named(&back, "CurrentDirectory"),
				  "/tmp/\\xff\\xfe\\");
			CHECK_STR(event_named(&back, "User"),
				  "\xc2\x9b\xe2\x80\xae");
		}
		event_release(&back);
		buf_release(&a);
	}
	ev.record_id = 0;
	check_round_trip(&ev);
	event_release(&ev);

	for (size_t i = 0; i < catalog_count(); i++) {
		const struct catalog_event *def = catalog_at(i);

		CHECK(event_init(&ev, def->id) == 0);
		ev.record_id = i * 1000003;
		for (unsigned f = 0; f < def->nfields; f++)
			CHECK(event_setf(&ev, f, "%s-%zu-%u",
					 def->fields[f].name, i, f) == 0);
		check_round_trip(&ev);
		event_release(&ev);
	}

	/* UtcTime restores the event time; escapes of every kind decode. */
	line = "{\"Event\":{\"EventData\":{\"UtcTime\":\"2021-10-24 "
	       "17:05:46.792\",\"Image\":\"\\u00e9\\u20AC\\ud83d\\ude00\\/"
	       "\\b\\f\\n\\r\\t\\\"\\\\\"},\"System\":{\"EventID\":5,"
	       "\"EventRecordID\":99}}}\n";
	CHECK(render_parse_json(line, strlen(line), &back, &created) == 0);
	CHECK(back.def && back.def->id == 5);
	CHECK(back.record_id == 99);
	CHECK(created == 0);
	CHECK(back.time_ns == 1635095146792000000ull);
	if (back.def) {
		CHECK_STR(
			event_named(&back, "Image"),
			"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\b\f\n\r\t\"\\");
		CHECK_STR(event_named(&back, "User"), "-");
	}
	event_release(&back);

	/* Whitespace between tokens is allowed. */
	line = " { \"Event\" : { \"System\" : { \"EventID\" : 4 } ,\n"
	       "\t\"EventData\" : { } } } ";
	CHECK(render_parse_json(line, strlen(line), &back, NULL) == 0);
	CHECK(back.def && back.def->id == 4);
	event_release(&back);
}

/* The System values of the record come back (vigil filter keeps them). */
static void test_parse_system(void)
{
	struct render_host h = test_host();
	struct render_system sys;
	struct event ev, back;
	struct buf a, b;

	h.computer = "other-host";
	h.pid = 4242;
	h.tid = 4243;
	h.euid = 7;
	h.channel = "Chan\xff";
	make_event1(&ev);
	buf_init(&a, 0);
	buf_init(&b, 0);
	CHECK(render_event(&a, &h, &ev, RENDER_JSON, CREATED) == 0);
	CHECK(render_parse_json_system(a.data, a.len, &back, &sys) == 0);
	CHECK_STR(sys.host.computer, "other-host");
	CHECK(sys.host.pid == 4242 && sys.host.tid == 4243);
	CHECK(sys.host.euid == 7);
	CHECK_STR(sys.host.channel, "Chan\xff");
	CHECK(sys.created_ns == CREATED);
	CHECK(render_event(&b, &sys.host, &back, RENDER_JSON, sys.created_ns) ==
	      0);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	event_release(&back);
	buf_release(&a);
	buf_release(&b);
	event_release(&ev);
}

static void test_parse_reject(void)
{
	static const char *const bad[] = {
		"",
		"{}",
		"[]",
		"null",
		"{\"Event\":{}}",
		"{\"Event\":{\"System\":{\"EventID\":1}}}",
		"{\"Event\":{\"EventData\":{}}}",
		"{\"Event\":{\"System\":{},\"EventData\":{}}}",
		/* unknown id, unknown keys everywhere */
		"{\"Event\":{\"System\":{\"EventID\":77},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":"
		"{\"Nope\":\"x\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"CommandLine\":\"x\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":1,\"X\":1},"
		"\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{},"
		"\"X\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{}},"
		"\"X\":1}",
		"{\"Evt\":{\"System\":{\"EventID\":1},\"EventData\":{}}}",
		/* duplicates */
		"{\"Event\":{\"System\":{\"EventID\":1,\"EventID\":1},"
		"\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"a\",\"User\":\"b\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"System\":"
		"{\"EventID\":5},\"EventData\":{}}}",
		/* types */
		"{\"Event\":{\"System\":{\"EventID\":\"1\"},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":-1},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":1.0},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":1e0},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":01},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":4294967297},"
		"\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":5,\"EventRecordID\":"
		"18446744073709551616},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":1}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":{}}}}",
		"{\"Event\":{\"System\":{\"EventID\":5,\"Provider\":\"x\"},"
		"\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":5,\"TimeCreated\":"
		"{\"SystemTime\":\"yesterday\"}},\"EventData\":{}}}",
		/* syntax */
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":{}}}x",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":{}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":{},}}",
		"{\"Event\":{\"System\":{\"EventID\":5,},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":5}\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\" 5},\"EventData\":{}}}",
		"{'Event':{}}",
		/* strings */
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"a\nb\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\xff\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\xc0\x80\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\xed\xa0\x80\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\u0000\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\ud800\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\udc00\\ud800\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\ud800\\u0041\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\uffff\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\u12\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\x41\"}}}",
		/* value text: a "\x" the renderer never writes */
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\\\xZZ\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"\\\\x00\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"a\\\\x\"}}}",
		"{\"Event\":{\"System\":{\"EventID\":5,\"Security\":"
		"{\"UserId\":\"x\"}},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":5,\"Execution\":"
		"{\"ProcessID\":4294967296}},\"EventData\":{}}}",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"abc",
		"{\"Event\":{\"System\":{\"EventID\":5},\"EventData\":"
		"{\"User\":\"abc\\",
	};
	struct event ev;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = render_parse_json(bad[i], strlen(bad[i]), &ev, NULL);

		CHECK(r == -EINVAL);
		if (r != -EINVAL)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
		/* The event is left released whatever happened. */
		CHECK(ev.buf == NULL && ev.def == NULL);
		event_release(&ev);
	}

	/* Every prefix of a good line is rejected, without overreads. */
	{
		struct event full;
		struct buf b;
		size_t bad_prefix = 0;

		make_event1(&full);
		buf_init(&b, 0);
		CHECK(render_event(&b, NULL, &full, RENDER_JSON, 1) == 0);
		for (size_t n = 0; n < b.len; n++) {
			char *copy = malloc(n ? n : 1);

			memcpy(copy, b.data, n);
			if (render_parse_json(copy, n, &ev, NULL) != -EINVAL)
				bad_prefix++;
			event_release(&ev);
			free(copy);
		}
		CHECK(bad_prefix == 0);
		CHECK(render_parse_json(b.data, b.len, &ev, NULL) == 0);
		event_release(&ev);
		buf_release(&b);
		event_release(&full);
	}
}

/* Figures only, never an assertion on time: printed for the reader. */
static void report_speed(void)
{
	struct event ev;
	struct buf b;
	struct timespec t0, t1;
	const int n = 200000;
	double xml_ns, json_ns;

	make_event1(&ev);
	set(&ev, "CommandLine",
	    "/usr/bin/python3 -m http.server --bind 127.0.0.1 8080 "
	    "--directory /srv/www/some/long/path/that/makes/this/event/"
	    "about/one/kilobyte/in/total/with/all/the/other/fields/added "
	    "&& echo done > /tmp/log 2>&1 ; printf '%s\\n' \"$HOME\" "
	    "'caf\xc3\xa9' and more text to reach the size we want to "
	    "measure here: lorem ipsum dolor sit amet consectetur");
	buf_init(&b, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		buf_reset(&b);
		render_event(&b, NULL, &ev, RENDER_XML, CREATED);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	xml_ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		  (double)(t1.tv_nsec - t0.tv_nsec)) /
		 n;
	printf("# xml: %zu bytes, %.0f ns/event\n", b.len, xml_ns);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		buf_reset(&b);
		render_event(&b, NULL, &ev, RENDER_JSON, CREATED);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	json_ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		   (double)(t1.tv_nsec - t0.tv_nsec)) /
		  n;
	printf("# json: %zu bytes, %.0f ns/event\n", b.len, json_ns);
	buf_release(&b);
	event_release(&ev);
}

int main(void)
{
	test_golden_event1();
	test_golden_small();
	test_escaping();
	test_value_text_decodes();
	test_parse_system();
	test_host_values();
	test_format_parse();
	test_time();
	test_oracles();
	test_hostile();
	test_parse_round_trip();
	test_parse_reject();
	report_speed();
	return tap_done("render");
}
