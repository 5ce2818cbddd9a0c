/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the Sysmon switch parser (service/args.c): a table of
 * command lines, good and hostile, with what each must parse to or the
 * error it must give.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "service/service.h"
#include "tap.h"
#include "util/buf.h"

#define MAXV 16

struct good_case {
	const char *argv[MAXV]; /* argv[0] is "vigil", NULL-terminated */
	enum svc_cmd cmd;
	const char *config_path;
	const char *hash_algs;
	const char *network_procs;
	const char *image_procs;
	const char *schema_version;
	unsigned flags;
};

/* Boolean fields, as bits so the table stays one line per case. */
#define F_RESET	  0x001
#define F_FORCE	  0x002
#define F_PURGE	  0x004
#define F_VERBOSE 0x008
#define F_CFGHELP 0x010
#define F_EULA	  0x020
#define F_NET	  0x040
#define F_IMG	  0x080
#define F_REVOC	  0x100

static const struct good_case good[] = {
	{ { "vigil", "-i" }, SVC_INSTALL, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-i", "cfg.xml" },
	  SVC_INSTALL,
	  "cfg.xml",
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  0 },
	/* Case-insensitive names, values kept as given. */
	{ { "vigil", "-I", "Cfg.XML", "-AcceptEula" },
	  SVC_INSTALL,
	  "Cfg.XML",
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_EULA },
	/* The historic install line. */
	{ { "vigil", "-i", "-h", "sha1", "-n", "-l" },
	  SVC_INSTALL,
	  NULL,
	  "sha1",
	  NULL,
	  NULL,
	  NULL,
	  F_NET | F_IMG },
	{ { "vigil", "-accepteula", "-i", "c.xml", "-h", "md5,SHA256", "-n",
	    "curl,wget", "-l", "nginx", "-r" },
	  SVC_INSTALL,
	  "c.xml",
	  "md5,SHA256",
	  "curl,wget",
	  "nginx",
	  NULL,
	  F_EULA | F_NET | F_IMG | F_REVOC },
	/* Repeated commas collapse; every spelling Sysmon knows. */
	{ { "vigil", "-i", "-h", "SHA-1,,MD-5,imp-hash,*,ALL" },
	  SVC_INSTALL,
	  NULL,
	  "SHA-1,,MD-5,imp-hash,*,ALL",
	  NULL,
	  NULL,
	  NULL,
	  0 },
	{ { "vigil", "-c" }, SVC_CONFIGURE, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-c", "new.xml" },
	  SVC_CONFIGURE,
	  "new.xml",
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  0 },
	{ { "vigil", "-c", "--" },
	  SVC_CONFIGURE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_RESET },
	{ { "vigil", "-c", "-n" },
	  SVC_CONFIGURE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_NET },
	/* A file name may hold anything but a leading '-'. */
	{ { "vigil", "-c", "./-odd name.xml" },
	  SVC_CONFIGURE,
	  "./-odd name.xml",
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  0 },
	{ { "vigil", "-u" }, SVC_UNINSTALL, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-u", "force" },
	  SVC_UNINSTALL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_FORCE },
	{ { "vigil", "-U", "FORCE", "-purge" },
	  SVC_UNINSTALL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_FORCE | F_PURGE },
	{ { "vigil", "-purge", "-u" },
	  SVC_UNINSTALL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_PURGE },
	{ { "vigil", "-m" }, SVC_MANIFEST, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-s" }, SVC_SCHEMA, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-s", "all" },
	  SVC_SCHEMA,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "all",
	  0 },
	{ { "vigil", "-s", "4.90" },
	  SVC_SCHEMA,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  "4.90",
	  0 },
	{ { "vigil", "-t" }, SVC_DEBUG, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-t", "Verbose" },
	  SVC_DEBUG,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_VERBOSE },
	{ { "vigil", "-nologo", "-t" },
	  SVC_DEBUG,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  0 },
	{ { "vigil", "-?" }, SVC_HELP, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-?", "config" },
	  SVC_HELP,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_CFGHELP },
	{ { "vigil", "-?", "Configuration" },
	  SVC_HELP,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_CFGHELP },
	{ { "vigil", "-h" }, SVC_HELP, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "-help" }, SVC_HELP, NULL, NULL, NULL, NULL, NULL, 0 },
	{ { "vigil", "--help" }, SVC_HELP, NULL, NULL, NULL, NULL, NULL, 0 },
	/* Help wins over the rest of the line. */
	{ { "vigil", "-i", "x.xml", "-?" },
	  SVC_HELP,
	  "x.xml",
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  0 },
	/* -accepteula alone is a valid (no-op) command line. */
	{ { "vigil", "-accepteula" },
	  SVC_NONE,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  NULL,
	  F_EULA },
};

struct bad_case {
	const char *argv[MAXV];
	const char *msg_part;
};

static const struct bad_case bad[] = {
	{ { "vigil" }, "no switch" },
	/* Exclusive group. */
	{ { "vigil", "-i", "-c" }, "-i and -c cannot be combined" },
	{ { "vigil", "-c", "a.xml", "-u" }, "cannot be combined" },
	{ { "vigil", "-s", "-m" }, "cannot be combined" },
	{ { "vigil", "-t", "-i" }, "cannot be combined" },
	{ { "vigil", "-u", "-s", "all" }, "cannot be combined" },
	/* Whole names only: no prefixes, no bundling, no abbreviations. */
	{ { "vigil", "-inst" }, "unknown switch '-inst'" },
	{ { "vigil", "-ln" }, "unknown switch '-ln'" },
	{ { "vigil", "-accept" }, "unknown switch" },
	{ { "vigil", "-dns" }, "unknown switch" },
	{ { "vigil", "-c=a.xml" }, "unknown switch" },
	{ { "vigil", "-" }, "unknown switch '-'" },
	{ { "vigil", "---" }, "unknown switch" },
	{ { "vigil", "/i" }, "not a switch" },
	{ { "vigil", "" }, "not a switch" },
	{ { "vigil", "-i", "a.xml", "b.xml" }, "'b.xml' is not a switch" },
	{ { "vigil", "-i", "" }, "empty file name" },
	/* Repeats. */
	{ { "vigil", "-i", "-I" }, "given twice" },
	{ { "vigil", "-i", "-n", "-n", "x" }, "given twice" },
	/* Values. */
	{ { "vigil", "-u", "now" }, "only 'force'" },
	{ { "vigil", "-t", "loud" }, "only 'verbose'" },
	{ { "vigil", "-?", "me" }, "only 'config'" },
	{ { "vigil", "-i", "-h" }, "-h needs a value" },
	{ { "vigil", "-i", "-h", "-n" }, "-h needs a value" },
	{ { "vigil", "-i", "-h", "crc32" }, "unknown hash algorithm 'crc32'" },
	{ { "vigil", "-i", "-h", ",,," }, "empty list" },
	{ { "vigil", "-i", "-n", "a\nb" }, "control character" },
	{ { "vigil", "-i", "-l", "x\x1b[2J" }, "control character" },
	{ { "vigil", "-s", "4.90\r" }, "bad schema version" },
	{ { "vigil", "-btf", "/tmp/x.btf" }, "not supported" },
	/* Modifiers out of place. */
	{ { "vigil", "-c", "--", "-n" }, "cannot be combined with a file" },
	{ { "vigil", "--" }, "only valid with -c" },
	{ { "vigil", "-i", "--" }, "only valid with -c" },
	{ { "vigil", "-u", "-n" }, "only apply with -i or -c" },
	{ { "vigil", "-s", "-r" }, "only apply with -i or -c" },
	{ { "vigil", "-i", "-purge" }, "only valid with -u" },
	{ { "vigil", "-n" }, "only apply with -i or -c" },
	{ { "vigil", "-nologo" }, "nothing to do" },
	{ { "vigil", "-h", "sha1" }, "only apply with -i or -c" },
	{ { "vigil", "-accepteula", "-nologo", "-r" }, "only apply" },
};

static int count_argv(const char *const *v)
{
	int n = 0;

	while (n < MAXV && v[n])
		n++;
	return n;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void test_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good_case *g = &good[i];
		struct svc_args a;
		char err[256];
		int rc;

		rc = svc_args_parse(count_argv(g->argv), (char **)g->argv, &a,
				    err, sizeof(err));
		CHECK(rc == 0);
		CHECK(a.cmd == g->cmd);
		if (g->cmd == SVC_HELP && !(g->flags & F_CFGHELP)) {
			CHECK(!a.is_config_help);
			continue;
		}
		CHECK(same(a.config_path, g->config_path));
		CHECK(same(a.hash_algs, g->hash_algs));
		CHECK(same(a.network_procs, g->network_procs));
		CHECK(same(a.image_procs, g->image_procs));
		CHECK(same(a.schema_version, g->schema_version));
		CHECK(a.is_reset == !!(g->flags & F_RESET));
		CHECK(a.is_force == !!(g->flags & F_FORCE));
		CHECK(a.is_purge == !!(g->flags & F_PURGE));
		CHECK(a.is_verbose == !!(g->flags & F_VERBOSE));
		CHECK(a.is_config_help == !!(g->flags & F_CFGHELP));
		CHECK(a.has_accepteula == !!(g->flags & F_EULA));
		CHECK(a.has_network == !!(g->flags & F_NET));
		CHECK(a.has_image_load == !!(g->flags & F_IMG));
		CHECK(a.has_revocation == !!(g->flags & F_REVOC));
		if (rc != 0)
			fprintf(stderr, "  good case %zu: %s\n", i, err);
	}
}

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad_case *b = &bad[i];
		struct svc_args a;
		char err[256];
		int rc;

		rc = svc_args_parse(count_argv(b->argv), (char **)b->argv, &a,
				    err, sizeof(err));
		CHECK(rc == -EINVAL);
		CHECK(strstr(err, b->msg_part) != NULL);
		if (rc != -EINVAL || !strstr(err, b->msg_part))
			fprintf(stderr, "  bad case %zu: rc %d, '%s'\n", i, rc,
				err);
	}
}

static void test_bounds(void)
{
	char *argv[SVC_MAX_ARGS + 2];
	char long_list[SVC_MAX_LIST + 16];
	char long_switch[200];
	char long_path[PATH_MAX + 16];
	struct svc_args a;
	char err[256], tiny[8];

	/* Too many arguments. */
	argv[0] = "vigil";
	for (int i = 1; i <= SVC_MAX_ARGS; i++)
		argv[i] = "-nologo";
	CHECK(svc_args_parse(SVC_MAX_ARGS + 1, argv, &a, err, sizeof(err)) ==
	      -EINVAL);
	CHECK(strstr(err, "more than") != NULL);

	/* A list over the bound is refused, not cut. */
	memset(long_list, 'a', sizeof(long_list) - 1);
	long_list[sizeof(long_list) - 1] = '\0';
	argv[1] = "-i";
	argv[2] = "-n";
	argv[3] = long_list;
	CHECK(svc_args_parse(4, argv, &a, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "longer than") != NULL);

	/* A huge unknown switch is reported cut, without overflowing. */
	memset(long_switch, 'x', sizeof(long_switch) - 1);
	long_switch[0] = '-';
	long_switch[sizeof(long_switch) - 1] = '\0';
	argv[1] = long_switch;
	CHECK(svc_args_parse(2, argv, &a, err, sizeof(err)) == -EINVAL);
	CHECK(strlen(err) < sizeof(err));

	/* An over-long file name. */
	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[sizeof(long_path) - 1] = '\0';
	argv[1] = "-c";
	argv[2] = long_path;
	CHECK(svc_args_parse(3, argv, &a, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "too long") != NULL);

	/* A small error buffer is filled, terminated, never overrun. */
	memset(tiny, 'Z', sizeof(tiny));
	argv[1] = "-bogus";
	CHECK(svc_args_parse(2, argv, &a, tiny, sizeof(tiny) - 1) == -EINVAL);
	CHECK(tiny[sizeof(tiny) - 2] == '\0');
	CHECK(tiny[sizeof(tiny) - 1] == 'Z');

	/* A NULL error buffer is allowed. */
	CHECK(svc_args_parse(2, argv, &a, NULL, 0) == -EINVAL);
}

static void test_legacy_predicate(void)
{
	struct svc_args a;
	const char *v1[] = { "vigil", "-c", "x.xml", NULL };
	const char *v2[] = { "vigil", "-c", "-r", NULL };

	CHECK(svc_args_parse(3, (char **)v1, &a, NULL, 0) == 0);
	CHECK(!svc_args_has_legacy(&a));
	CHECK(svc_args_parse(3, (char **)v2, &a, NULL, 0) == 0);
	CHECK(svc_args_has_legacy(&a));
}

/* Apply the switches of argv to xml; returns the result (static) or NULL. */
static const char *legacy(const char *xml, bool switch_wins,
			  const char *const *argv)
{
	static struct buf out;
	struct svc_args a;
	char err[256];

	buf_release(&out);
	buf_init(&out, 1 << 20);
	if (svc_args_parse(count_argv(argv), (char **)argv, &a, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "  legacy: %s\n", err);
		return NULL;
	}
	if (svc_legacy_apply(xml, strlen(xml), "t.xml", &a, switch_wins, &out) <
	    0)
		return NULL;
	return out.data;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The result must still be a config that loads. */
static bool loads(const char *xml)
{
	struct diag d;
	struct config *c =
		xml ? config_load_mem(xml, strlen(xml), "t", &d) : NULL;

	if (!c && xml)
		fprintf(stderr, "  %s:%d:%d: %s\n", d.file, d.line, d.col,
			d.msg);
	config_free(c);
	return c != NULL;
}

#define HEAD "<Sysmon schemaversion=\"4.90\">\n"

static void test_legacy_switches(void)
{
	const char *plain = HEAD "<EventFiltering>\n"
				 "<ProcessCreate onmatch=\"exclude\"/>\n"
				 "</EventFiltering>\n</Sysmon>\n";
	const char *with_hash = HEAD "<HashAlgorithms>sha256</HashAlgorithms>\n"
				     "<EventFiltering/>\n</Sysmon>\n";
	const char *net_inc =
		HEAD "<EventFiltering><RuleGroup groupRelation=\"or\">"
		     "<NetworkConnect onmatch=\"include\">"
		     "<DestinationPort>443</DestinationPort>"
		     "</NetworkConnect></RuleGroup></EventFiltering></Sysmon>";
	const char *net_exc =
		HEAD "<EventFiltering><NetworkConnect onmatch=\"exclude\">"
		     "<Image condition=\"image\">chrome</Image>"
		     "</NetworkConnect></EventFiltering></Sysmon>";
	const char *r;

	/* -h into a config without HashAlgorithms. */
	r = legacy(plain, false,
		   (const char *[]){ "vigil", "-i", "-h", "md5", NULL });
	CHECK(r && count(r, "<HashAlgorithms>md5</HashAlgorithms>") == 1);
	CHECK(loads(r));
	/* The config's value wins over the switch when the file was given. */
	r = legacy(with_hash, false,
		   (const char *[]){ "vigil", "-i", "-h", "md5", NULL });
	CHECK(r && count(r, "<HashAlgorithms>sha256</HashAlgorithms>") == 1);
	CHECK(r && count(r, "md5") == 0);
	/* ...and the switch replaces it otherwise (default or -c -h). */
	r = legacy(with_hash, true,
		   (const char *[]){ "vigil", "-c", "-h", "md5", NULL });
	CHECK(r && count(r, "HashAlgorithms>") == 2);
	CHECK(r && count(r, "<HashAlgorithms>md5</HashAlgorithms>") == 1);
	CHECK(loads(r));

	/* -n procs: a new include set, names in order. */
	r = legacy(plain, false,
		   (const char *[]){ "vigil", "-i", "-n", "curl,,wget", NULL });
	CHECK(r && count(r, "<NetworkConnect onmatch=\"include\">") == 1);
	CHECK(r && count(r, "<Image condition=\"image\">") == 2);
	CHECK(r && strstr(r, ">curl<") && strstr(r, ">wget<") &&
	      strstr(r, ">curl<") < strstr(r, ">wget<"));
	CHECK(loads(r));
	/* -n procs: prepended to the existing include set. */
	r = legacy(net_inc, false,
		   (const char *[]){ "vigil", "-i", "-n", "nc", NULL });
	CHECK(r && count(r, "<NetworkConnect") == 1);
	CHECK(r && strstr(r, ">nc<") && strstr(r, "<DestinationPort>") &&
	      strstr(r, ">nc<") < strstr(r, "<DestinationPort>"));
	CHECK(loads(r));
	/* -n procs with an exclude set: the exclude set is dropped. */
	r = legacy(net_exc, false,
		   (const char *[]){ "vigil", "-i", "-n", "nc", NULL });
	CHECK(r && count(r, "chrome") == 0);
	CHECK(r && count(r, "onmatch=\"exclude\"") == 0);
	CHECK(r && count(r, "<NetworkConnect onmatch=\"include\">") == 1);
	CHECK(loads(r));
	/* -n alone: log everything (an empty exclude set)... */
	r = legacy(plain, false, (const char *[]){ "vigil", "-i", "-n", NULL });
	CHECK(r && count(r, "<NetworkConnect onmatch=\"exclude\"/>") == 1);
	CHECK(loads(r));
	/* ...unless the config has its own NetworkConnect rules. */
	r = legacy(net_inc, false,
		   (const char *[]){ "vigil", "-i", "-n", NULL });
	CHECK(r && count(r, "onmatch=\"exclude\"") == 0);
	CHECK(r && count(r, "<DestinationPort>443") == 1);
	/* -l with markup in a name: escaped, never markup. */
	r = legacy(plain, false,
		   (const char *[]){ "vigil", "-i", "-l", "a<b>&c", NULL });
	CHECK(r && strstr(r, "a&lt;b&gt;&amp;c") != NULL);
	CHECK(r && count(r, "<ImageLoad onmatch=\"include\">") == 1);
	CHECK(loads(r));
	/* -r: the option element. */
	r = legacy(plain, false, (const char *[]){ "vigil", "-i", "-r", NULL });
	CHECK(r && count(r, "<CheckRevocation/>") == 1);
	/* A config without EventFiltering gets one. */
	r = legacy(HEAD "</Sysmon>", false,
		   (const char *[]){ "vigil", "-i", "-n", "x", NULL });
	CHECK(r && count(r, "<EventFiltering>") == 1);
	CHECK(loads(r));
	/* Not a Sysmon document. */
	r = legacy("<NotSysmon/>", false,
		   (const char *[]){ "vigil", "-i", "-r", NULL });
	CHECK(r == NULL);
	r = legacy("<Sysmon", false,
		   (const char *[]){ "vigil", "-i", "-r", NULL });
	CHECK(r == NULL);
}

static void test_paths(void)
{
	struct svc_paths p;

	CHECK(svc_paths_init(&p, NULL) == 0);
	CHECK_STR(p.bin, "/usr/local/sbin/vigil");
	CHECK_STR(p.config, "/etc/vigil/config.xml");
	CHECK_STR(p.settings, "/etc/vigil/vigil.conf");
	CHECK_STR(p.store, "/var/lib/vigil/events.db");
	CHECK_STR(p.unit, "/etc/systemd/system/vigil.service");
	CHECK(svc_paths_init(&p, "/") == 0);
	CHECK_STR(p.root, "");
	CHECK_STR(p.run_dir, "/run/vigil");
	CHECK(svc_paths_init(&p, "/tmp/x//") == 0);
	CHECK_STR(p.root, "/tmp/x");
	CHECK_STR(p.log_file, "/tmp/x/var/log/vigil/vigil.log");
	CHECK(svc_paths_init(&p, "relative") == -EINVAL);
}

static void test_unit_text(void)
{
	struct svc_paths p;
	struct buf b;

	buf_init(&b, 65536);
	CHECK(svc_paths_init(&p, NULL) == 0);
	CHECK(svc_unit_text(&p, &b) == 0);
	CHECK(strstr(b.data, "ExecStart=/usr/local/sbin/vigil run --settings "
			     "/etc/vigil/vigil.conf /etc/vigil/config.xml\n"));
	CHECK(strstr(b.data, "\nRestart=on-failure\n") != NULL);
	CHECK(strstr(b.data, "\nProtectSystem=strict\n") != NULL);
	CHECK(strstr(b.data, "\nReadWritePaths=/var/lib/vigil /run/vigil\n"));
	CHECK(strstr(b.data, "CAP_BPF") && strstr(b.data, "CAP_PERFMON"));
	CHECK(strstr(b.data, "\nRuntimeDirectory=vigil\n") != NULL);
	/* Under a root: no RuntimeDirectory (it would be /run/vigil). */
	buf_reset(&b);
	CHECK(svc_paths_init(&p, "/tmp/r") == 0);
	CHECK(svc_unit_text(&p, &b) == 0);
	CHECK(strstr(b.data, "RuntimeDirectory") == NULL);
	CHECK(strstr(b.data, "ExecStart=/tmp/r/usr/local/sbin/vigil run"));
	buf_release(&b);
}

int main(void)
{
	test_good();
	test_bad();
	test_bounds();
	test_legacy_predicate();
	test_legacy_switches();
	test_paths();
	test_unit_text();
	return tap_done("switches");
}
