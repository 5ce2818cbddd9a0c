/* SPDX-License-Identifier: MIT */
/*
 * cli/cli.h - the commands main() dispatches to.  Each takes its own argv
 * (argv[0] is the command name) and returns the process exit status.
 * (`vigil view` is view_main(), view/view.h: the viewer is its own
 * module.)
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

typedef int cli_command_fn(int argc, char **argv);

struct cli_command {
	const char *name;
	cli_command_fn *fn;
	const char *summary;
};

/* vigil run [options] [CONFIG]: the monitor in the foreground. */
int cmd_run(int argc, char **argv);

/* vigil status [--settings FILE]: the installed daemon's status file. */
int cmd_status(int argc, char **argv);

/* Sysmon-style switches (-i, -c, -u, -s, -?, ...); argv is main()'s. */
int cmd_switches(int argc, char **argv);

/* vigil filter CONFIG [--format F]: apply a config to JSON events on stdin. */
int cmd_filter(int argc, char **argv);

#endif /* VIGIL_CLI_H */
