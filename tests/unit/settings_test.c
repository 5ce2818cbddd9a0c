/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for settings/: the documented defaults, every key, the value
 * syntaxes (sizes, durations, booleans), and that every malformed file is
 * refused with file:line:col and leaves the settings untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "render/render.h"
#include "settings/settings.h"
#include "tap.h"

static char dir[] = "/tmp/vigil-settings-XXXXXX";
static char path[256];

static void write_file(const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		perror(path);
		exit(1);
	}
	fwrite(text, 1, len, f);
	fclose(f);
}

/* Load text over the defaults; returns settings_load's result. */
static int load(const char *text, struct settings *s, struct diag *d)
{
	write_file(text, strlen(text));
	settings_defaults(s);
	memset(d, 0, sizeof(*d));
	return settings_load(s, path, d);
}

static void test_defaults(void)
{
	struct settings s;

	settings_defaults(&s);
	CHECK_STR(s.state_dir, "/var/lib/vigil");
	CHECK_STR(s.run_dir, "/run/vigil");
	CHECK_STR(s.store_path, "/var/lib/vigil/events.db");
	CHECK(s.store_max_bytes == 1024ull * 1024 * 1024);
	CHECK(s.store_max_age_s == 30ull * 86400);
	CHECK(!s.stdout_on);
	CHECK(s.stdout_format == RENDER_XML);
	CHECK(!s.syslog_on);
	CHECK_STR(s.jsonl_path, "");
	CHECK_STR(s.provider_name, "Linux-Sysmon");
	CHECK_STR(s.provider_guid, "{ff032593-a8d3-4f13-b0d6-01fc615a0f97}");
	CHECK_STR(s.channel, "Linux-Sysmon/Operational");
	CHECK(s.queue_events == 16384);
	CHECK(s.ring_kib == 4096);
	CHECK(s.hash_max_bytes == 256ull * 1024 * 1024);
}

static void test_every_key(void)
{
	struct settings s;
	struct diag d;
	int err;

	err = load("# vigil settings\n"
		   "\n"
		   "state_dir = /srv/vigil/state\n"
		   "run_dir=/srv/vigil/run\n"
		   "  store_path\t=\t/srv/vigil/ev.db   # trailing comment\n"
		   "store_max_bytes = 512M\n"
		   "store_max_age = 7d\n"
		   "stdout = yes\n"
		   "stdout_format = json\n"
		   "syslog = On\n"
		   "jsonl_path = /var/log/vigil/events.jsonl\n"
		   "provider_name = Vigil\n"
		   "provider_guid = {00000000-0000-0000-0000-000000000001}\n"
		   "channel = Vigil/Operational\n"
		   "queue_events = 4K\n"
		   "ring_kib = 2048\n"
		   "hash_max_bytes = 1G\n",
		   &s, &d);
	CHECK(err == 0);
	CHECK_STR(s.state_dir, "/srv/vigil/state");
	CHECK_STR(s.run_dir, "/srv/vigil/run");
	CHECK_STR(s.store_path, "/srv/vigil/ev.db");
	CHECK(s.store_max_bytes == 512ull * 1024 * 1024);
	CHECK(s.store_max_age_s == 7ull * 86400);
	CHECK(s.stdout_on);
	CHECK(s.stdout_format == RENDER_JSON);
	CHECK(s.syslog_on);
	CHECK_STR(s.jsonl_path, "/var/log/vigil/events.jsonl");
	CHECK_STR(s.provider_name, "Vigil");
	CHECK_STR(s.provider_guid, "{00000000-0000-0000-0000-000000000001}");
	CHECK_STR(s.channel, "Vigil/Operational");
	CHECK(s.queue_events == 4096);
	CHECK(s.ring_kib == 2048);
	CHECK(s.hash_max_bytes == 1024ull * 1024 * 1024);
}

static void test_value_syntax(void)
{
	struct settings s;
	struct diag d;

	CHECK(load("store_max_age = 90\n", &s, &d) == 0);
	CHECK(s.store_max_age_s == 90);
	CHECK(load("store_max_age = 90s\n", &s, &d) == 0);
	CHECK(s.store_max_age_s == 90);
	CHECK(load("store_max_age = 15m\n", &s, &d) == 0);
	CHECK(s.store_max_age_s == 900);
	CHECK(load("store_max_age = 12h\n", &s, &d) == 0);
	CHECK(s.store_max_age_s == 12 * 3600);
	CHECK(load("store_max_age = 0\n", &s, &d) == 0);
	CHECK(s.store_max_age_s == 0);
	CHECK(load("hash_max_bytes = 64k\n", &s, &d) == 0);
	CHECK(s.hash_max_bytes == 65536);
	CHECK(load("hash_max_bytes = 2T\n", &s, &d) == 0);
	CHECK(s.hash_max_bytes == 2ull << 40);
	CHECK(load("hash_max_bytes = 0\n", &s, &d) == 0);
	CHECK(s.hash_max_bytes == 0);
	CHECK(load("stdout = off\nsyslog = FALSE\n", &s, &d) == 0);
	CHECK(!s.stdout_on && !s.syslog_on);
	CHECK(load("stdout_format = text\n", &s, &d) == 0);
	CHECK(s.stdout_format == RENDER_TEXT);
	/* An empty store path or JSON-lines path turns that output off. */
	CHECK(load("store_path =\njsonl_path = # off\n", &s, &d) == 0);
	CHECK_STR(s.store_path, "");
	CHECK_STR(s.jsonl_path, "");
	/* '#' inside a value (no blank before it) is part of the value. */
	CHECK(load("store_path = /srv/a#b.db\n", &s, &d) == 0);
	CHECK_STR(s.store_path, "/srv/a#b.db");
	/* CRLF line ends and a last line without newline. */
	CHECK(load("ring_kib = 8\r\nqueue_events = 100", &s, &d) == 0);
	CHECK(s.ring_kib == 8 && s.queue_events == 100);
	CHECK(load("", &s, &d) == 0);
	CHECK(s.ring_kib == 4096);
	/* shed_first: file events by default, a list, or none */
	CHECK((s.shed_first[0] >> 11 & 1) && (s.shed_first[0] >> 3 & 1));
	CHECK(!(s.shed_first[0] >> 1 & 1) && !(s.shed_first[0] >> 5 & 1));
	CHECK(load("shed_first = 11, 23,255 3\n", &s, &d) == 0);
	CHECK(s.shed_first[0] == (1ull << 11 | 1ull << 23 | 1ull << 3));
	CHECK(s.shed_first[3] == 1ull << 63);
	CHECK(load("shed_first = none\n", &s, &d) == 0);
	CHECK(!s.shed_first[0] && !s.shed_first[1] && !s.shed_first[2] &&
	      !s.shed_first[3]);
}

struct bad_case {
	const char *text;
	int line, col;
	const char *msg_part;
};

static const struct bad_case bad_cases[] = {
	{ "bogus = 1\n", 1, 1, "unknown key 'bogus'" },
	{ "# ok\n  State_Dir = /x\n", 2, 3, "expected a key" },
	{ "state_dir /x\n", 1, 11, "expected '='" },
	{ "= 5\n", 1, 1, "expected a key" },
	{ "state_dir = relative/path\n", 1, 13, "absolute path" },
	{ "state_dir =\n", 1, 12, "path is required" },
	{ "run_dir = \n", 1, 11, "path is required" },
	{ "store_max_bytes = 1X\n", 1, 19, "expected a size" },
	{ "store_max_bytes = 1GB\n", 1, 19, "expected a size" },
	{ "store_max_bytes = -1\n", 1, 19, "expected a number" },
	{ "store_max_bytes = 100K\n", 1, 19, "at least 1M" },
	{ "store_max_bytes = 99999999999999999999\n", 1, 19, "too large" },
	{ "hash_max_bytes = 17179869184G\n", 1, 18, "too large" },
	{ "store_max_age = 3w\n", 1, 17, "expected a duration" },
	{ "store_max_age = 10 d\n", 1, 17, "expected a duration" },
	{ "stdout = maybe\n", 1, 10, "expected yes or no" },
	{ "stdout_format = XML\n", 1, 17, "expected xml, json or text" },
	{ "ring_kib = 3000\n", 1, 12, "power of two" },
	{ "ring_kib = 2\n", 1, 12, "power of two" },
	{ "queue_events = 1\n", 1, 16, "between 64" },
	{ "shed_first = 0\n", 1, 14, "1 to 255" },
	{ "shed_first = 11, files\n", 1, 14, "expected event ids" },
	{ "provider_name = <evil>\n", 1, 17, "printable ASCII" },
	{ "channel = \n", 1, 11, "value is required" },
	{ "provider_name = "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  1, 17, "too long" },
	{ "ring_kib = 8\nring_kib = 16\n", 2, 1, "set twice" },
	{ "forward.a.bogus = 1\n", 1, 11, "unknown destination key 'bogus'" },
	{ "forward.A.url = tcp://x\n", 1, 9, "expected '='" },
	{ "forward.url = tcp://h\n", 1, 1, "expected forward.NAME.KEY" },
	{ "forward.a.url = ftp://x\n", 1, 17, "expected a url" },
	{ "forward.a.url = tcp://h:99999\n", 1, 17, "expected a port" },
	{ "forward.a.url = tcp://h/path\n", 1, 17, "unexpected text" },
	{ "forward.a.url = tcp://[::1\n", 1, 17, "expected ']'" },
	{ "forward.a.format = xml\n", 1, 1, "destination 'a': no url" },
	{ "forward.a.url = tcp://h\nforward.a.ca_file = /ca\n", 2, 1,
	  "a TLS key without tls://" },
	{ "forward.a.url = http://h\nforward.a.format = json\n", 2, 1,
	  "a syslog key on a ClickHouse url" },
	{ "forward.a.table = t\nforward.a.url = tcp://h\n", 1, 1,
	  "a ClickHouse key on a syslog url" },
	{ "forward.a.url = tls://h\nforward.a.cert_file = /c\n", 2, 1,
	  "cert_file and key_file go together" },
	{ "forward.a.url = udp://h\nforward.a.framing = lf\n", 2, 1,
	  "framing is for tcp" },
	{ "forward.a.url = tcp://h\nforward.a.url = tcp://g\n", 2, 1,
	  "set twice" },
	{ "forward.a.message_max = 1K\n", 1, 25, "between 2K and 16M" },
	{ "forward.a.url = http://h\nforward.a.table = 1x\n", 2, 19,
	  "starts with a letter" },
	{ "forward.a.url = http://h\nforward.a.table = a.b.c\n", 2, 19,
	  "table name" },
	{ "forward.a.url = tcp://h\nforward.a.facility = nope\n", 2, 22,
	  "facility" },
	{ "forward.a.url = tcp://h\nforward.a.app_name = a b\n", 2, 22,
	  "without blanks" },
	{ "forward_user = -x\n", 1, 16, "expected a user name" },
	{ "forward.a.url=tcp://h\nforward.b.url=tcp://h\n"
	  "forward.c.url=tcp://h\nforward.d.url=tcp://h\n"
	  "forward.e.url=tcp://h\nforward.f.url=tcp://h\n"
	  "forward.g.url=tcp://h\nforward.h.url=tcp://h\n"
	  "forward.i.url=tcp://h\n",
	  9, 1, "at most 8 destinations" },
	{ "state_dir = /a\n\n\nbad line\n", 4, 5, "expected '='" },
};

static void test_bad_files(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct settings s, before;
		struct diag d;
		int err;

		err = load(b->text, &s, &d);
		settings_defaults(&before);
		CHECK(err == -EINVAL);
		CHECK(d.line == b->line);
		CHECK(d.col == b->col);
		CHECK(strstr(d.msg, b->msg_part) != NULL);
		CHECK_STR(d.file, path);
		/* Nothing of a bad file is applied, not even its good lines. */
		CHECK(memcmp(&s, &before, sizeof(s)) == 0);
		if (d.line != b->line || d.col != b->col ||
		    !strstr(d.msg, b->msg_part))
			fprintf(stderr, "  case %zu: %s:%d:%d: %s\n", i, d.file,
				d.line, d.col, d.msg);
	}
}

static void test_destinations(void)
{
	const struct settings_dest *d;
	struct settings s;
	struct diag dg;
	int err;

	err = load("forward_user = vigil-fwd\n"
		   "forward.siem.url = tls://siem.example.org\n"
		   "forward.siem.format = json\n"
		   "forward.siem.framing = lf\n"
		   "forward.siem.message_max = 64K\n"
		   "forward.siem.facility = local3\n"
		   "forward.siem.app_name = vigil\n"
		   "forward.siem.structured_data = no\n"
		   "forward.siem.ca_file = /etc/vigil/ca.pem\n"
		   "forward.siem.cert_file = /etc/vigil/me.pem\n"
		   "forward.siem.key_file = /etc/vigil/me.key\n"
		   "forward.siem.server_name = collector.example.org\n"
		   "forward.siem.batch_events = 200\n"
		   "forward.plain.url = tcp://[::1]:1514\n"
		   "forward.lossy.url = udp://10.0.0.1\n"
		   "forward.fleet.url = http://ch.example.org:18123/\n"
		   "forward.fleet.table = logs.events\n"
		   "forward.fleet.user = writer\n"
		   "forward.fleet.password_file = /etc/vigil/ch.pw\n"
		   "forward.fleet.create_table = no\n"
		   "forward.tlsfleet.url = https://ch\n",
		   &s, &dg);
	CHECK(err == 0);
	if (err)
		fprintf(stderr, "  %s:%d:%d: %s\n", dg.file, dg.line, dg.col,
			dg.msg);
	CHECK_STR(s.forward_user, "vigil-fwd");
	CHECK(s.ndests == 5);
	d = settings_dest_find(&s, "siem");
	CHECK(d && d->kind == DEST_SYSLOG_TLS && d->port == 6514);
	if (d) {
		CHECK_STR(d->host, "siem.example.org");
		CHECK_STR(d->url, "tls://siem.example.org");
		CHECK(d->format == RENDER_JSON && d->framing == FRAMING_LF);
		CHECK(d->message_max == 65536 && d->facility == 19);
		CHECK_STR(d->app_name, "vigil");
		CHECK(!d->has_origin_sd);
		CHECK_STR(d->ca_file, "/etc/vigil/ca.pem");
		CHECK_STR(d->cert_file, "/etc/vigil/me.pem");
		CHECK_STR(d->key_file, "/etc/vigil/me.key");
		CHECK_STR(d->server_name, "collector.example.org");
		CHECK(d->batch_events == 200);
	}
	d = settings_dest_find(&s, "plain");
	CHECK(d && d->kind == DEST_SYSLOG_TCP && d->port == 1514);
	if (d) {
		CHECK_STR(d->host, "::1");
		/* the documented defaults */
		CHECK(d->format == RENDER_XML);
		CHECK(d->framing == FRAMING_OCTET_COUNTED);
		CHECK(d->message_max == 8192 && d->facility == 1);
		CHECK_STR(d->app_name, "sysmon");
		CHECK(d->has_origin_sd && d->batch_events == 1000);
	}
	d = settings_dest_find(&s, "lossy");
	CHECK(d && d->kind == DEST_SYSLOG_UDP && d->port == 514);
	d = settings_dest_find(&s, "fleet");
	CHECK(d && d->kind == DEST_CLICKHOUSE && d->port == 18123 &&
	      !d->is_https);
	if (d) {
		CHECK_STR(d->table, "logs.events");
		CHECK_STR(d->user, "writer");
		CHECK_STR(d->password_file, "/etc/vigil/ch.pw");
		CHECK(!d->is_create_table && d->batch_events == 5000);
	}
	d = settings_dest_find(&s, "tlsfleet");
	CHECK(d && d->kind == DEST_CLICKHOUSE && d->port == 8443 &&
	      d->is_https);
	if (d) {
		CHECK_STR(d->table, "vigil_events");
		CHECK_STR(d->user, "default");
		CHECK(d->is_create_table);
	}
	CHECK(settings_dest_find(&s, "nope") == NULL);

	/* none by default */
	settings_defaults(&s);
	CHECK(s.ndests == 0);
	CHECK_STR(s.forward_user, "nobody");
}

static void test_hostile_bytes(void)
{
	struct settings s, before;
	struct diag d;
	char big[70 * 1024];

	/* A NUL byte in the middle. */
	write_file("ring_kib = 8\0\nx", 15);
	settings_defaults(&s);
	CHECK(settings_load(&s, path, &d) == -EINVAL);
	CHECK(strstr(d.msg, "NUL") != NULL);

	/* Control characters inside a path. */
	CHECK(load("state_dir = /a\x01b\n", &s, &d) == -EINVAL);
	CHECK(strstr(d.msg, "control character") != NULL);

	/* Oversized file. */
	memset(big, '#', sizeof(big));
	write_file(big, sizeof(big));
	settings_defaults(&s);
	CHECK(settings_load(&s, path, &d) == -EINVAL);
	CHECK(strstr(d.msg, "larger than") != NULL);

	/* A directory is not a settings file. */
	settings_defaults(&s);
	CHECK(settings_load(&s, dir, &d) == -EINVAL);

	/* A missing file is -ENOENT and changes nothing. */
	settings_defaults(&s);
	settings_defaults(&before);
	unlink(path);
	CHECK(settings_load(&s, path, &d) == -ENOENT);
	CHECK(memcmp(&s, &before, sizeof(s)) == 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/vigil.conf", dir);
	test_defaults();
	test_every_key();
	test_value_syntax();
	test_bad_files();
	test_destinations();
	test_hostile_bytes();
	unlink(path);
	rmdir(dir);
	return tap_done("settings");
}
