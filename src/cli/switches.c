/* SPDX-License-Identifier: MIT */
/*
 * cli/switches.c - `vigil -SWITCH ...`: Sysmon's command line.  Parses
 * with svc_args_parse() and hands each command to the service module or
 * the config module; this file only decides what is printed and the exit
 * status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "internal.h"
#include "service/service.h"
#include "util/buf.h"

/* Schema text and help are a few hundred KB at most. */
#define SWITCHES_MAX_TEXT (8u << 20)

static int print_buf_or_fail(int err, struct buf *b, const char *what)
{
	int rc = SVC_EXIT_OK;

	if (err) {
		fprintf(stderr, "vigil: %s: %s\n", what, strerror(-err));
		rc = SVC_EXIT_FAIL;
	} else if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) {
		rc = SVC_EXIT_FAIL;
	}
	buf_release(b);
	return rc;
}

static int do_schema(const struct svc_args *a)
{
	struct buf b;
	int err;

	buf_init(&b, SWITCHES_MAX_TEXT);
	err = config_schema_print(a->schema_version, &b);
	if (err == -ENOENT) {
		buf_release(&b);
		fprintf(stderr, "There is no schema that matches that "
				"version.\n");
		return SVC_EXIT_FAIL;
	}
	return print_buf_or_fail(err, &b, "schema");
}

static int do_help(const struct svc_args *a)
{
	struct buf b;

	if (!a->is_config_help) {
		svc_usage(stdout);
		return SVC_EXIT_OK;
	}
	buf_init(&b, SWITCHES_MAX_TEXT);
	return print_buf_or_fail(config_help(&b), &b, "configuration help");
}

static int do_manifest(void)
{
	printf("vigil: nothing to do: Linux has no event manifest to "
	       "install.\n");
	return SVC_EXIT_OK;
}

static bool is_root_needed(const struct svc_args *a)
{
	return a->cmd == SVC_INSTALL || a->cmd == SVC_CONFIGURE ||
	       a->cmd == SVC_UNINSTALL || a->cmd == SVC_DEBUG;
}

int cmd_switches(int argc, char **argv)
{
	struct svc_paths paths;
	struct svc_args a;
	char err[512];
	int rc;

	if (svc_args_parse(argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "vigil: %s\n\n", err);
		svc_usage(stderr);
		return SVC_EXIT_USAGE;
	}
	if (a.has_accepteula && a.cmd == SVC_NONE) {
		printf("vigil has no EULA to accept (MIT licence); "
		       "-accepteula is accepted for compatibility.\n");
		return SVC_EXIT_OK;
	}
	switch (a.cmd) {
	case SVC_HELP:
		return do_help(&a);
	case SVC_MANIFEST:
		return do_manifest();
	case SVC_SCHEMA:
		return do_schema(&a);
	default:
		break;
	}
	if (is_root_needed(&a) && geteuid() != 0) {
		fprintf(stderr, "vigil: this must be run as root.\n");
		return SVC_EXIT_FAIL;
	}
	rc = svc_paths_init(&paths, getenv("VIGIL_ROOT"));
	if (rc) {
		fprintf(stderr, "vigil: VIGIL_ROOT: %s\n", strerror(-rc));
		return SVC_EXIT_FAIL;
	}
	switch (a.cmd) {
	case SVC_INSTALL:
		return svc_install(&a, &paths);
	case SVC_CONFIGURE:
		return svc_configure(&a, &paths);
	case SVC_UNINSTALL:
		return svc_uninstall(&a, &paths);
	case SVC_DEBUG:
		return cli_debug(&a, &paths);
	default:
		break;
	}
	fprintf(stderr, "vigil: internal error: unhandled switch\n");
	return SVC_EXIT_FAIL;
}
