/* SPDX-License-Identifier: MIT */
/*
 * rules_bench - cost of config_decide() per ProcessCreate event with
 * sysmon-modular's sysmonconfig.xml (about 2,000 filters), against the
 * linear reference walk (config_decide_linear) over the same config and a
 * trivial one-filter config, all measured in the same run.
 *
 * usage: rules_bench [CONFIG.xml]   (default: the shared corpus copy,
 * found beside the repository as ../shared).  Prints figures, among them
 * one line "rules_eval_ns_per_event=<n>".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "config/internal.h"
#include "event/event.h"

#define NEVENTS 12
#define ROUNDS	40000

/* A realistic Linux mix: shells, package tools, admin and network tools. */
static const char *const mix[NEVENTS][4] = {
	{ "/usr/bin/ls", "ls -la /var/log", "/bin/bash", "-bash" },
	{ "/usr/bin/bash", "bash -c 'for f in *.log; do gzip \"$f\"; done'",
	  "/usr/sbin/cron", "/usr/sbin/CRON -f" },
	{ "/usr/bin/python3.11",
	  "/usr/bin/python3 /usr/lib/command-not-found -- ifconfg",
	  "/usr/bin/bash", "bash" },
	{ "/usr/bin/curl",
	  "curl -fsSL https://example.com/install.sh -o /tmp/i.sh",
	  "/usr/bin/bash", "bash ./setup.sh" },
	{ "/usr/bin/systemctl", "systemctl status nginx.service --no-pager",
	  "/usr/bin/sudo", "sudo systemctl status nginx" },
	{ "/usr/bin/apt-get",
	  "apt-get install -y --no-install-recommends libxml2-dev",
	  "/usr/bin/sudo", "sudo apt-get install -y libxml2-dev" },
	{ "/usr/lib/git-core/git", "git rev-parse --abbrev-ref HEAD",
	  "/usr/bin/zsh", "/usr/bin/zsh -i" },
	{ "/usr/bin/grep", "grep -rn TODO src/ --include=*.c", "/usr/bin/bash",
	  "bash" },
	{ "/usr/sbin/sshd", "sshd: alice [priv]", "/usr/sbin/sshd",
	  "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups" },
	{ "/usr/bin/nc", "nc -lvnp 4444 -e /bin/sh", "/usr/bin/bash",
	  "bash -i" },
	{ "/usr/bin/docker",
	  "docker run --rm -it -v /var/run/docker.sock:/var/run/docker.sock alpine",
	  "/usr/bin/bash", "bash" },
	{ "/tmp/.x/kworker", "/tmp/.x/kworker -o pool.example:3333 -u wallet",
	  "/usr/bin/nohup", "nohup /tmp/.x/kworker" },
};

static int make(struct event *ev, unsigned i)
{
	if (event_init(ev, 1))
		return -1;
	event_set_named(ev, "UtcTime", "2026-07-13 10:00:00.000");
	event_set_named(ev, "ProcessGuid",
			"{6ee7ab34-1b2c-6891-d0c1-8c5b3e550000}");
	event_set_named(ev, "ProcessId", "4242");
	event_set_named(ev, "Image", mix[i][0]);
	event_set_named(ev, "CommandLine", mix[i][1]);
	event_set_named(ev, "CurrentDirectory", "/home/alice");
	event_set_named(ev, "User", i % 3 ? "alice" : "root");
	event_set_named(ev, "LogonId", "1000");
	event_set_named(ev, "TerminalSessionId", "3");
	event_set_named(ev, "IntegrityLevel", "no level");
	event_set_named(ev, "Hashes",
			"SHA1=0c8e4d1d2bbd5d4ae8a1b4c76c5d7a3b8e8f1a2b");
	event_set_named(ev, "ParentImage", mix[i][2]);
	event_set_named(ev, "ParentCommandLine", mix[i][3]);
	event_set_named(ev, "ParentUser", "alice");
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

typedef bool decide_fn(const struct config *c, struct event *ev);

/* ns per decision, best of 3 runs; *logged counts one round's logs. */
static double measure(decide_fn *decide, const struct config *c,
		      struct event *evs, unsigned rounds, unsigned *logged)
{
	double best = 1e30;

	*logged = 0;
	for (unsigned i = 0; i < NEVENTS; i++)
		*logged += decide(c, &evs[i]);
	for (int run = 0; run < 3; run++) {
		double t0 = now_ns(), dt;
		unsigned sink = 0;

		for (unsigned r = 0; r < rounds; r++)
			for (unsigned i = 0; i < NEVENTS; i++)
				sink += decide(c, &evs[i]);
		dt = (now_ns() - t0) / ((double)rounds * NEVENTS);
		if (sink == 0xffffffffu)
			printf("\n");
		if (dt < best)
			best = dt;
	}
	return best;
}

static const char trivial[] =
	"<Sysmon schemaversion=\"4.90\"><EventFiltering><ProcessCreate "
	"onmatch=\"exclude\"><Image condition=\"is\">/usr/bin/true</Image>"
	"</ProcessCreate></EventFiltering></Sysmon>";

int main(int argc, char **argv)
{
	char path[PATH_MAX + 128], self[PATH_MAX];
	struct event evs[NEVENTS];
	struct config *big, *small;
	struct diag d;
	unsigned logged_big, logged_lin, logged_small;
	double ns_big, ns_lin, ns_small;

	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
	} else {
		/* bench binary is in REPO/<out>/bench/: shared is REPO/../shared */
		char *p;

		if (!realpath(argv[0], self))
			return 1;
		for (int up = 0; up < 4 && (p = strrchr(self, '/')); up++)
			*p = '\0';
		snprintf(path, sizeof(path),
			 "%s/shared/corpus/sysmon-configs/"
			 "olafhartong__sysmon-modular/sysmonconfig.xml",
			 self);
	}
	big = config_load_file(path, &d);
	if (!big) {
		fprintf(stderr, "rules_bench: %s:%d:%d: %s\n", d.file, d.line,
			d.col, d.msg);
		return 1;
	}
	small = config_load_mem(trivial, strlen(trivial), "trivial", &d);
	if (!small)
		return 1;
	for (unsigned i = 0; i < NEVENTS; i++)
		if (make(&evs[i], i))
			return 1;
	/* The linear walk is ~10x slower: fewer rounds keep the run short. */
	ns_lin = measure(config_decide_linear, big, evs, ROUNDS / 10,
			 &logged_lin);
	ns_big = measure(config_decide, big, evs, ROUNDS, &logged_big);
	ns_small = measure(config_decide, small, evs, ROUNDS, &logged_small);
	printf("config: %s\n", path);
	printf("events: %u ProcessCreate x %u rounds (best of 3)\n", NEVENTS,
	       ROUNDS);
	printf("sysmon-modular, indexed: %.0f ns/event (%u of %u logged)\n",
	       ns_big, logged_big, NEVENTS);
	printf("sysmon-modular, linear:  %.0f ns/event (%u of %u logged)\n",
	       ns_lin, logged_lin, NEVENTS);
	printf("trivial config: %.0f ns/event (%u of %u logged)\n", ns_small,
	       logged_small, NEVENTS);
	printf("speedup: %.1fx the linear walk\n", ns_lin / ns_big);
	printf("ratio: %.1fx the trivial config\n", ns_big / ns_small);
	if (logged_lin != logged_big)
		printf("warning: linear and indexed decisions differ\n");
	printf("rules_eval_ns_per_event=%.0f\n", ns_big);
	for (unsigned i = 0; i < NEVENTS; i++)
		event_release(&evs[i]);
	config_free(big);
	config_free(small);
	return 0;
}
