/* SPDX-License-Identifier: MIT */
/*
 * cli/filter.c - `vigil filter CONFIG [--format xml|json|text]`:
 * events as vigil JSON lines on standard input, the ones CONFIG would log
 * (RuleName filled, FieldSizes applied) on standard output.  A thin shell
 * over config_decide() for testing configs against recorded events.
 * Each event keeps its own System values (Computer, ProcessID, ...): the
 * output describes the machine that recorded it, not this one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "event/event.h"
#include "render/render.h"
#include "util/buf.h"

#define FILTER_MAX_LINE (4u * 1024 * 1024)

static int filter_usage(void)
{
	fprintf(stderr,
		"usage: vigil filter CONFIG [--format xml|json|text]\n"
		"  reads events as vigil JSON lines on standard input and "
		"writes those\n  CONFIG would log, with RuleName filled "
		"(default format: json)\n");
	return 2;
}

int cmd_filter(int argc, char **argv)
{
	enum render_format fmt = RENDER_JSON;
	const char *path = NULL;
	struct render_system *sys;
	unsigned long lineno = 0, bad = 0, logged = 0, seen = 0;
	struct config *c;
	struct diag d;
	struct buf out;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			if (render_format_parse(argv[++i], &fmt) < 0)
				return filter_usage();
		} else if (strncmp(argv[i], "--format=", 9) == 0) {
			if (render_format_parse(argv[i] + 9, &fmt) < 0)
				return filter_usage();
		} else if (argv[i][0] == '-' || path) {
			return filter_usage();
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return filter_usage();
	c = config_load_file(path, &d);
	if (!c) {
		fprintf(stderr, "vigil filter: %s:%d:%d: %s\n", d.file, d.line,
			d.col, d.msg);
		return 2;
	}
	sys = malloc(sizeof(*sys));
	if (!sys) {
		config_free(c);
		fprintf(stderr, "vigil filter: out of memory\n");
		return 1;
	}
	buf_init(&out, 2 * EVENT_MAX_BYTES);
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		struct event ev;
		size_t len = (size_t)n;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (!len)
			continue;
		seen++;
		if (len > FILTER_MAX_LINE ||
		    render_parse_json_system(line, len, &ev, sys) < 0) {
			/* One line per bad input is fine here: this is a
			 * command, not the daemon. */
			fprintf(stderr,
				"vigil filter: stdin:%lu: not a vigil "
				"JSON event\n",
				lineno);
			bad++;
			continue;
		}
		if (config_decide(c, &ev)) {
			config_apply_field_sizes(c, &ev);
			buf_reset(&out);
			if (render_event(&out, &sys->host, &ev, fmt,
					 sys->created_ns) == 0) {
				if (fmt != RENDER_TEXT)
					buf_addc(&out, '\n');
				fwrite(out.data, 1, out.len, stdout);
				logged++;
			}
		}
		event_release(&ev);
	}
	free(line);
	free(sys);
	buf_release(&out);
	config_free(c);
	if (fflush(stdout) != 0)
		return 1;
	fprintf(stderr,
		"vigil filter: %lu event%s, %lu logged, %lu dropped, "
		"%lu unreadable\n",
		seen, seen == 1 ? "" : "s", logged, seen - logged - bad, bad);
	return bad ? 1 : 0;
}
