/* SPDX-License-Identifier: MIT */
/*
 * main.c - vigil's entry point: picks the subcommand or Sysmon switch and
 * hands over.  Only this file (and the command functions it calls, which
 * return an exit status) decides the process exit code.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "forward/forward.h"
#include "service/service.h"
#include "view/view.h"
#include "web/web.h"

static const struct cli_command commands[] = {
	{ "run", cmd_run, "run the monitor in the foreground" },
	{ "status", cmd_status, "state of the installed daemon" },
	{ "view", view_main, "show events from the event store" },
	{ "web", web_main, "serve the event viewer to a browser" },
	{ "filter", cmd_filter, "apply a config to JSON events on stdin" },
	{ "forward", forward_main, "ship the store to syslog / ClickHouse" },
	{ NULL, NULL, NULL },
};

static int usage(FILE *f)
{
	svc_usage(f);
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)
		return usage(stdout);
	for (const struct cli_command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cmd_switches(argc, argv);
	fprintf(stderr, "vigil: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
