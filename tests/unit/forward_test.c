/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/forward_test.c - the forwarder's pure parts: RFC 5424
 * messages (golden header bytes, framing), cutting a record to fit
 * message_max (never split, still well-formed XML/JSON, UTF-8 kept
 * whole), the cursor file, and the ClickHouse table's DDL, rows and
 * quoting (the DDL also against docs/clickhouse-table.sql).
 */
#include <errno.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clickhouse/clickhouse.h"
#include "event/event.h"
#include "forward/forward.h"
#include "forward/internal.h"
#include "render/render.h"
#include "settings/settings.h"
#include "tap.h"
#include "util/buf.h"
#include "util/file.h"

/* 2021-10-24T17:05:47.088523000Z */
#define CREATED 1635095147088523000ull

static struct render_host host(void)
{
	struct render_host h;

	render_host_defaults(&h);
	h.computer = "host1";
	h.pid = 3099;
	h.tid = 3099;
	return h;
}

static void make_event1(struct event *ev, const char *cmdline)
{
	CHECK(event_init(ev, 1) == 0);
	ev->record_id = 20;
	CHECK(event_set_named(ev, "UtcTime", "2021-10-24 17:05:46.792") == 0);
	CHECK(event_set_named(ev, "ProcessId", "419") == 0);
	CHECK(event_set_named(ev, "Image", "/usr/bin/curl") == 0);
	CHECK(event_set_named(ev, "CommandLine", cmdline) == 0);
}

static struct settings_dest dest(enum settings_dest_kind kind)
{
	struct settings s;
	struct settings_dest d;

	settings_defaults(&s);
	memset(&d, 0, sizeof(d));
	d.kind = kind;
	d.format = RENDER_XML;
	d.framing = FRAMING_OCTET_COUNTED;
	d.message_max = 8192;
	d.facility = 1;
	snprintf(d.app_name, sizeof(d.app_name), "sysmon");
	d.has_origin_sd = true;
	return d;
}

static bool is_xml(const char *p, size_t n)
{
	xmlDocPtr doc = xmlReadMemory(p, (int)n, "msg.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR |
					      XML_PARSE_NOWARNING);

	xmlFreeDoc(doc);
	return doc != NULL;
}

static void test_header(void)
{
	struct settings_dest d = dest(DEST_SYSLOG_TCP);
	struct render_host h = host();
	struct buf out, scratch, xml;
	struct event ev;
	bool is_cut;
	const char *want = "<14>1 2021-10-24T17:05:47.088523Z host1 sysmon "
			   "3099 1 [origin software=\"vigil\" swVersion=\"";
	char *sp;
	size_t len;

	buf_init(&out, 0);
	buf_init(&scratch, 0);
	buf_init(&xml, 0);
	make_event1(&ev, "curl -s \"https://x/?a=1&b=<2>\"");
	CHECK(render_event(&xml, &h, &ev, RENDER_XML, CREATED) == 0);
	CHECK(fwd_message_append(&out, &d, &h, &ev, CREATED, &scratch,
				 &is_cut) == 0);
	CHECK(!is_cut);
	/* octet counting: "LEN SP MSG", LEN the bytes of MSG */
	len = strtoul(out.data, &sp, 10);
	CHECK(*sp == ' ' && len == out.len - (size_t)(sp + 1 - out.data));
	CHECK(strncmp(sp + 1, want, strlen(want)) == 0);
	CHECK(strstr(sp + 1, "\"] <Event><System>") != NULL);
	/* MSG is exactly the XML record, no BOM, no newline */
	CHECK(out.len > xml.len &&
	      memcmp(out.data + out.len - xml.len, xml.data, xml.len) == 0);
	CHECK(!memchr(out.data, '\n', out.len));

	/* LF framing, no structured data, JSON, another facility */
	buf_reset(&out);
	d.framing = FRAMING_LF;
	d.has_origin_sd = false;
	d.format = RENDER_JSON;
	d.facility = 16; /* local0 */
	CHECK(fwd_message_append(&out, &d, &h, &ev, CREATED, &scratch,
				 &is_cut) == 0);
	CHECK(strncmp(out.data,
		      "<134>1 2021-10-24T17:05:47.088523Z host1 sysmon 3099 1 "
		      "- {\"Event\":{\"System\":",
		      76) == 0);
	CHECK(out.data[out.len - 1] == '\n' &&
	      memchr(out.data, '\n', out.len) == out.data + out.len - 1);

	/* UDP: the bare message; event 255 is an error (severity 3) */
	event_release(&ev);
	CHECK(event_init(&ev, 255) == 0);
	CHECK(event_set_named(&ev, "Description", "x") == 0);
	d = dest(DEST_SYSLOG_UDP);
	h.computer = "bad host\x01name";
	buf_reset(&out);
	CHECK(fwd_message_append(&out, &d, &h, &ev, CREATED, &scratch,
				 &is_cut) == 0);
	CHECK(strncmp(out.data,
		      "<11>1 2021-10-24T17:05:47.088523Z bad_host_name sysmon "
		      "3099 255 [origin",
		      70) == 0);
	event_release(&ev);
	buf_release(&out);
	buf_release(&scratch);
	buf_release(&xml);
}

/* A record longer than message_max: cut, one message, still valid. */
static void test_cut(void)
{
	struct settings_dest d = dest(DEST_SYSLOG_TCP);
	struct render_host h = host();
	size_t big = 100 * 1024;
	char *cmd = malloc(big + 1);
	struct buf out, scratch;
	struct event ev;
	bool is_cut;
	char *msg;
	size_t len;

	/* "é" (2 bytes) repeated, with markup that grows when escaped */
	for (size_t i = 0; i + 2 <= big; i += 2)
		memcpy(cmd + i, i % 100 ? "\xc3\xa9" : "<&", 2);
	cmd[big] = '\0';
	buf_init(&out, 0);
	buf_init(&scratch, 0);
	for (int f = 0; f < 2; f++) {
		d.format = f ? RENDER_JSON : RENDER_XML;
		make_event1(&ev, cmd);
		buf_reset(&out);
		CHECK(fwd_message_append(&out, &d, &h, &ev, CREATED, &scratch,
					 &is_cut) == 0);
		CHECK(is_cut);
		len = strtoul(out.data, &msg, 10);
		msg++;
		CHECK(len <= 8192 && len > 7000); /* cut, not emptied */
		/* the MSG part: XML parses; the values kept whole UTF-8 */
		msg = strstr(msg, f ? "{\"Event\"" : "<Event>");
		CHECK(msg != NULL);
		if (!f && msg)
			CHECK(is_xml(msg, out.len - (size_t)(msg - out.data)));
		CHECK(!strstr(out.data, "\\x"));
		CHECK(strstr(out.data, f ? "...\"" : "...</Data>") != NULL);
		/* the other values are untouched */
		CHECK(strstr(out.data, "/usr/bin/curl") != NULL);
		event_release(&ev);
	}
	/* a message that fits is not cut */
	make_event1(&ev, "short");
	d.message_max = 2048;
	CHECK(fwd_message_append(&out, &d, &h, &ev, CREATED, &scratch,
				 &is_cut) == 0);
	CHECK(!is_cut);
	event_release(&ev);
	buf_release(&out);
	buf_release(&scratch);
	free(cmd);
}

static void test_cursor(void)
{
	char dir[] = "/tmp/vigil-fwd-XXXXXX", path[256];
	uint64_t rid = 7;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(forward_cursor_path(path, sizeof(path), "/var/lib/vigil",
				  "siem") == 0);
	CHECK_STR(path, "/var/lib/vigil/forward/siem.cursor");
	CHECK(forward_cursor_path(path, 10, "/var/lib/vigil", "siem") ==
	      -ENAMETOOLONG);
	snprintf(path, sizeof(path), "%s/c", dir);
	CHECK(forward_cursor_read(path, &rid) == -ENOENT);
	CHECK(file_write_atomic(path, "12345\n", 6, 0640) == 0);
	CHECK(forward_cursor_read(path, &rid) == 0 && rid == 12345);
	CHECK(file_write_atomic(path, "12x\n", 4, 0640) == 0);
	CHECK(forward_cursor_read(path, &rid) == -EINVAL);
	CHECK(file_write_atomic(path, "", 0, 0640) == 0);
	CHECK(forward_cursor_read(path, &rid) == -EINVAL);
	unlink(path);
	rmdir(dir);
}

/* rel under the repository: walk up from the test binary. */
static int find_doc(char *out, size_t size, const char *rel)
{
	char dir[256];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	for (char *slash; (slash = strrchr(dir, '/')) != NULL;) {
		*slash = '\0';
		snprintf(out, size, "%s/%s", dir, rel);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

static void test_clickhouse(void)
{
	struct buf b, file;
	struct event ev;
	char path[512];

	buf_init(&b, 0);
	buf_init(&file, 0);
	path[0] = '\0';
	CHECK(ch_quote(&b, "a'b\\c\n\x01", 7) == 0);
	CHECK_STR(b.data, "'a\\'b\\\\c\\x0a\\x01'");

	buf_reset(&b);
	make_event1(&ev, "say \"hi\"\tnow \xff");
	ev.time_ns = 1635095146792000000ull;
	CHECK(ch_row_json(&b, "host1", &ev, CREATED, "{\"r\":1}", 7) == 0);
	CHECK(strncmp(b.data,
		      "{\"EventRecordID\":20,\"EventID\":1,"
		      "\"UtcTime\":1635095146,\"time_ns\":1635095146792000000,"
		      "\"created_ns\":1635095147088523000,\"Computer\":\"host1\"",
		      134) == 0);
	CHECK(strstr(b.data,
		     "\"CommandLine\":\"say \\\"hi\\\"\\tnow \\\\xff\"") !=
	      NULL);
	/* a field the event lacks is "", an unset one "-" */
	CHECK(strstr(b.data, "\"TargetFilename\":\"\"") != NULL);
	CHECK(strstr(b.data, "\"User\":\"-\"") != NULL);
	CHECK(strstr(b.data, ",\"record\":\"{\\\"r\\\":1}\"}\n") != NULL);
	CHECK(b.data[b.len - 1] == '\n' &&
	      memchr(b.data, '\n', b.len) == b.data + b.len - 1);
	event_release(&ev);
	CHECK(ch_is_column("Image") && !ch_is_column("record") &&
	      !ch_is_column("LogonId"));

	/* the documented DDL file is what vigil runs */
	buf_reset(&b);
	CHECK(ch_table_ddl(&b, "vigil_events") == 0);
	CHECK(find_doc(path, sizeof(path), "docs/clickhouse-table.sql") == 0);
	CHECK(file_read_all(path, 1 << 20, &file) == 0);
	{
		/* the file may have comment lines (--) before the statement */
		const char *p = file.data;

		while (p && strncmp(p, "--", 2) == 0) {
			p = strchr(p, '\n');
			p = p ? p + 1 : NULL;
		}
		CHECK(p && strlen(p) == b.len + 2 &&
		      strncmp(p, b.data, b.len) == 0 &&
		      strcmp(p + b.len - 1, "\n;\n") == 0);
	}
	buf_release(&b);
	buf_release(&file);
}

int main(void)
{
	test_header();
	test_cut();
	test_cursor();
	test_clickhouse();
	xmlCleanupParser();
	return tap_done("forward");
}
