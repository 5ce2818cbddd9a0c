/* SPDX-License-Identifier: MIT */
/*
 * service/args.c - Sysmon's switch parsing, pure: argv in, struct
 * svc_args or a one-line error out.
 *
 * Sysmon matches switches by prefix in table order and lets single
 * letters be bundled, which lets "-d" shadow "-dns" (sysmon-semantics.md
 * 4.1).  vigil matches whole names only, so every accepted spelling is one
 * that Sysmon accepts with the same meaning, and a typo is an error rather
 * than another switch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "service.h"

enum arg_kind { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };

enum switch_id {
	SW_INSTALL,
	SW_CONFIG,
	SW_UNINSTALL,
	SW_MANIFEST,
	SW_SCHEMA,
	SW_DEBUG,
	SW_HELP,
	SW_EULA,
	SW_HASH,
	SW_NETWORK,
	SW_IMAGE,
	SW_REVOCATION,
	SW_RESET,
	SW_PURGE,
	SW_NOLOGO,
	SW_BTF,
	SW_COUNT,
};

struct switch_def {
	const char *name; /* without the leading '-' */
	enum arg_kind kind;
	enum switch_id id;
	enum svc_cmd cmd; /* SVC_NONE: a modifier, not a command */
};

static const struct switch_def switch_table[] = {
	{ "i", ARG_OPTIONAL, SW_INSTALL, SVC_INSTALL },
	{ "c", ARG_OPTIONAL, SW_CONFIG, SVC_CONFIGURE },
	{ "u", ARG_OPTIONAL, SW_UNINSTALL, SVC_UNINSTALL },
	{ "m", ARG_NONE, SW_MANIFEST, SVC_MANIFEST },
	{ "s", ARG_OPTIONAL, SW_SCHEMA, SVC_SCHEMA },
	{ "t", ARG_OPTIONAL, SW_DEBUG, SVC_DEBUG },
	{ "?", ARG_OPTIONAL, SW_HELP, SVC_NONE },
	{ "help", ARG_OPTIONAL, SW_HELP, SVC_NONE },
	{ "-help", ARG_OPTIONAL, SW_HELP, SVC_NONE },
	{ "accepteula", ARG_NONE, SW_EULA, SVC_NONE },
	{ "h", ARG_REQUIRED, SW_HASH, SVC_NONE },
	{ "n", ARG_OPTIONAL, SW_NETWORK, SVC_NONE },
	{ "l", ARG_OPTIONAL, SW_IMAGE, SVC_NONE },
	{ "r", ARG_NONE, SW_REVOCATION, SVC_NONE },
	{ "-", ARG_NONE, SW_RESET, SVC_NONE },
	{ "purge", ARG_NONE, SW_PURGE, SVC_NONE },
	{ "nologo", ARG_NONE, SW_NOLOGO, SVC_NONE },
	{ "btf", ARG_REQUIRED, SW_BTF, SVC_NONE },
};

#define NSWITCHES (sizeof(switch_table) / sizeof(switch_table[0]))

/* Hash algorithm names HashAlgorithms accepts (3.3), any case. */
static const char *const hash_names[] = {
	"sha1",	   "sha-1",   "md5",	  "md-5", "sha256",
	"sha-256", "imphash", "imp-hash", "*",	  "all",
};

struct parse {
	char *err;
	size_t err_len;
};

__attribute__((format(printf, 2, 3))) static int bad(struct parse *ps,
						     const char *fmt, ...)
{
	va_list ap;

	if (ps->err && ps->err_len) {
		va_start(ap, fmt);
		vsnprintf(ps->err, ps->err_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const struct switch_def *lookup(const char *arg)
{
	for (size_t i = 0; i < NSWITCHES; i++)
		if (strcasecmp(arg + 1, switch_table[i].name) == 0)
			return &switch_table[i];
	return NULL;
}

static bool has_control_bytes(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/*
 * A comma list (-h, -n, -l): bounded, printable, at least one non-empty
 * item; repeated commas collapse as in Sysmon.  For -h each item must be
 * an algorithm name.
 */
static int check_list(struct parse *ps, const char *sw, const char *v,
		      bool is_hash)
{
	char item[SVC_MAX_LIST];
	size_t n_items = 0;
	const char *p = v;

	if (strlen(v) >= SVC_MAX_LIST)
		return bad(ps, "%s: list longer than %d bytes", sw,
			   SVC_MAX_LIST - 1);
	if (has_control_bytes(v))
		return bad(ps, "%s: control character in list", sw);
	while (*p) {
		size_t len = strcspn(p, ",");

		if (len) {
			memcpy(item, p, len);
			item[len] = '\0';
			n_items++;
			if (is_hash) {
				size_t k;

				for (k = 0; k < sizeof(hash_names) /
							sizeof(hash_names[0]);
				     k++)
					if (strcasecmp(item, hash_names[k]) ==
					    0)
						break;
				if (k ==
				    sizeof(hash_names) / sizeof(hash_names[0]))
					return bad(ps,
						   "%s: unknown hash algorithm "
						   "'%s' (SHA1, MD5, SHA256, "
						   "IMPHASH, *)",
						   sw, item);
			}
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (!n_items)
		return bad(ps, "%s: empty list", sw);
	return 0;
}

/* The value of a switch at argv[*i], consuming the next argument. */
static int take_value(struct parse *ps, int argc, char *const *argv, int *i,
		      const struct switch_def *sw, const char **value)
{
	const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;

	*value = NULL;
	if (sw->kind == ARG_NONE)
		return 0;
	if (next && next[0] != '-') {
		*value = next;
		(*i)++;
		return 0;
	}
	if (sw->kind == ARG_REQUIRED)
		return bad(ps, "%s needs a value", argv[*i]);
	return 0;
}

static int set_switch(struct parse *ps, struct svc_args *a,
		      const struct switch_def *sw, const char *arg,
		      const char *v)
{
	switch (sw->id) {
	case SW_INSTALL:
	case SW_CONFIG:
		if (v && !*v)
			return bad(ps, "%s: empty file name", arg);
		if (v && strlen(v) >= PATH_MAX)
			return bad(ps, "%s: file name too long", arg);
		a->config_path = v;
		return 0;
	case SW_UNINSTALL:
		if (v && strcasecmp(v, "force") != 0)
			return bad(ps, "%s takes only 'force', not '%s'", arg,
				   v);
		a->is_force = v != NULL;
		return 0;
	case SW_SCHEMA:
		if (v && (!*v || strlen(v) > 32 || has_control_bytes(v)))
			return bad(ps, "%s: bad schema version", arg);
		a->schema_version = v;
		return 0;
	case SW_DEBUG:
		if (v && strcasecmp(v, "verbose") != 0)
			return bad(ps, "%s takes only 'verbose', not '%s'", arg,
				   v);
		a->is_verbose = v != NULL;
		return 0;
	case SW_HELP:
		if (v && strcasecmp(v, "config") != 0 &&
		    strcasecmp(v, "configuration") != 0)
			return bad(ps, "%s takes only 'config', not '%s'", arg,
				   v);
		a->is_config_help = v != NULL;
		return 0;
	case SW_HASH:
		a->hash_algs = v;
		return check_list(ps, arg, v, true);
	case SW_NETWORK:
		a->has_network = true;
		a->network_procs = v;
		return v ? check_list(ps, arg, v, false) : 0;
	case SW_IMAGE:
		a->has_image_load = true;
		a->image_procs = v;
		return v ? check_list(ps, arg, v, false) : 0;
	case SW_REVOCATION:
		a->has_revocation = true;
		return 0;
	case SW_EULA:
		a->has_accepteula = true;
		return 0;
	case SW_RESET:
		a->is_reset = true;
		return 0;
	case SW_PURGE:
		a->is_purge = true;
		return 0;
	case SW_BTF:
		return bad(ps,
			   "%s: vigil uses the kernel's own BTF "
			   "(/sys/kernel/btf/vmlinux); BTF files are not "
			   "supported",
			   arg);
	case SW_MANIFEST:
	case SW_NOLOGO:
		return 0;
	case SW_COUNT:
		break;
	}
	return bad(ps, "%s: internal error", arg);
}

bool svc_args_has_legacy(const struct svc_args *a)
{
	return a->hash_algs || a->has_network || a->has_image_load ||
	       a->has_revocation;
}

/* Rules that span switches, checked once all are read. */
static int check_combination(struct parse *ps, const struct svc_args *a)
{
	bool has_legacy = svc_args_has_legacy(a);

	if (a->is_reset && a->cmd != SVC_CONFIGURE)
		return bad(ps, "-- is only valid with -c");
	if (a->is_reset && (a->config_path || has_legacy))
		return bad(ps, "-c -- cannot be combined with a file or "
			       "other settings");
	if (has_legacy && a->cmd != SVC_INSTALL && a->cmd != SVC_CONFIGURE)
		return bad(ps, "-h, -n, -l and -r only apply with -i or -c");
	if (a->is_purge && a->cmd != SVC_UNINSTALL)
		return bad(ps, "-purge is only valid with -u");
	if (a->cmd == SVC_NONE && !a->has_accepteula)
		return bad(ps, "nothing to do: give one of -i, -c, -u, -s, "
			       "-t, -m or -?");
	return 0;
}

int svc_args_parse(int argc, char *const *argv, struct svc_args *a, char *err,
		   size_t err_len)
{
	struct parse ps = { .err = err, .err_len = err_len };
	bool seen[SW_COUNT] = { false };
	const char *cmd_arg = NULL;
	bool wants_help = false;
	int i, rc;

	memset(a, 0, sizeof(*a));
	if (err && err_len)
		err[0] = '\0';
	if (argc < 2)
		return bad(&ps, "no switch given");
	if (argc > SVC_MAX_ARGS)
		return bad(&ps, "more than %d arguments", SVC_MAX_ARGS);
	/* "-h" alone asks for help, as in Sysmon for Linux; with a value it
	 * is the legacy hash switch. */
	if (argc == 2 && strcasecmp(argv[1], "-h") == 0) {
		a->cmd = SVC_HELP;
		return 0;
	}
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;
		const struct switch_def *sw;

		if (arg[0] != '-')
			return bad(&ps,
				   "'%s' is not a switch (switches start "
				   "with '-')",
				   arg);
		if (strlen(arg) > 64)
			return bad(&ps, "unknown switch '%.64s...'", arg);
		sw = lookup(arg);
		if (!sw)
			return bad(&ps, "unknown switch '%s'", arg);
		if (seen[sw->id])
			return bad(&ps, "%s given twice", arg);
		seen[sw->id] = true;
		rc = take_value(&ps, argc, argv, &i, sw, &v);
		if (rc)
			return rc;
		if (sw->id == SW_HELP)
			wants_help = true;
		if (sw->cmd != SVC_NONE) {
			if (a->cmd != SVC_NONE)
				return bad(&ps, "%s and %s cannot be combined",
					   cmd_arg, arg);
			a->cmd = sw->cmd;
			cmd_arg = arg;
		}
		rc = set_switch(&ps, a, sw, arg, v);
		if (rc)
			return rc;
	}
	/* Help wins over everything else on the line, as in Sysmon. */
	if (wants_help) {
		a->cmd = SVC_HELP;
		return 0;
	}
	return check_combination(&ps, a);
}

void svc_usage(FILE *f)
{
	fputs("usage: vigil -i [CONFIG] [-accepteula] [-h ALG[,ALG]] "
	      "[-n [PROC,...]] [-l [PROC,...]] [-r]\n"
	      "       vigil -c [CONFIG | --] [-h ALG[,ALG]] [-n [PROC,...]] "
	      "[-l [PROC,...]] [-r]\n"
	      "       vigil -u [force] [-purge]\n"
	      "       vigil -s [VERSION | all]\n"
	      "       vigil -t [verbose]\n"
	      "       vigil -m\n"
	      "       vigil -? [config]\n"
	      "       vigil COMMAND [ARGS]\n"
	      "\n"
	      "Switches (Sysmon's; whole names, any case):\n"
	      "  -i [CONFIG]    install and start the service (root), with "
	      "CONFIG or the\n"
	      "                 default configuration\n"
	      "  -c CONFIG      check CONFIG, install it and reload the "
	      "running daemon\n"
	      "  -c             print the active rules\n"
	      "  -c --          return to the default configuration\n"
	      "  -u [force]     stop and uninstall; the event store is kept "
	      "(force: go on\n"
	      "                 when parts of the install are missing)\n"
	      "  -purge         with -u: delete the event store and state "
	      "too\n"
	      "  -s [VER|all]   print the configuration schema\n"
	      "  -t [verbose]   run in the foreground, printing each event as "
	      "text\n"
	      "  -m             no-op on Linux (there is no event manifest)\n"
	      "  -? [config]    this help, or the configuration help\n"
	      "  -accepteula    accepted for compatibility (there is no "
	      "EULA)\n"
	      "  -h ALG[,ALG]   with -i/-c: HashAlgorithms (SHA1, MD5, "
	      "SHA256, IMPHASH, *)\n"
	      "  -n [PROC,...]  with -i/-c: log network connections (of "
	      "these processes)\n"
	      "  -l [PROC,...]  with -i/-c: log image loads (of these "
	      "processes)\n"
	      "  -r             with -i/-c: CheckRevocation (no effect on "
	      "Linux)\n"
	      "\n"
	      "Commands:\n"
	      "  vigil run [--settings FILE] [CONFIG]   the monitor in the "
	      "foreground\n"
	      "  vigil status                           state of the "
	      "installed daemon\n"
	      "  vigil view [FILTERS]                   read the event store\n"
	      "  vigil web [--listen ADDR:PORT]         the event viewer in a "
	      "browser\n"
	      "  vigil filter CONFIG < events.json      test a config on "
	      "recorded events\n"
	      "\n"
	      "Environment: VIGIL_ROOT=DIR installs under DIR instead of /.\n"
	      "See vigil(8) and vigil.conf(5).\n",
	      f);
}
