/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the sensor's family table, without root: every program
 * in the built BPF object belongs to exactly one family row or to the
 * always-on list, a name the object lacks is refused with a message that
 * names it, and "collected" follows from the table.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "catalog/catalog.h"
#include "sensor/sensor.h"
#include "tap.h"

#define MAX_PROGS 64

/* The programs of the object built beside this test binary. */
static size_t object_programs(const char *argv0, const char **names,
			      struct bpf_object **obj)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	struct bpf_program *prog;
	size_t n = 0;

	snprintf(self, sizeof(self), "%s", argv0);
	snprintf(path, sizeof(path), "%s/../sensor.bpf.o", dirname(self));
	*obj = bpf_object__open_file(path, NULL);
	if (!*obj) {
		fprintf(stderr, "cannot open %s\n", path);
		return 0;
	}
	bpf_object__for_each_program(prog, *obj)
	{
		if (n < MAX_PROGS)
			names[n++] = bpf_program__name(prog);
	}
	return n;
}

static void test_table_matches_object(const char *argv0)
{
	const char *names[MAX_PROGS + 1];
	struct bpf_object *obj;
	size_t n = object_programs(argv0, names, &obj);
	char err[256] = "";

	CHECK(n >= 3);
	CHECK(sensor_check_programs(names, n, err, sizeof(err)) == 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);

	/* A row naming a program the object lacks (a misspelling, say). */
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], "on_sched_process_exit") == 0)
			names[i] = names[--n];
	}
	CHECK(sensor_check_programs(names, n, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "on_sched_process_exit") != NULL);

	/* A program no row owns would stay attached forever. */
	names[n++] = "on_no_such_hook";
	CHECK(sensor_check_programs(names, n, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "on_no_such_hook") != NULL);
	bpf_object__close(obj);
}

static void test_collected(void)
{
	CHECK(sensor_collects(1) && sensor_collects(5));
	CHECK(sensor_collects(4) && sensor_collects(16) &&
	      sensor_collects(255));
	CHECK(!sensor_collects(12)); /* registry: no Linux meaning */
	CHECK(!sensor_collects(9999));
	for (size_t i = 0; i < catalog_count(); i++) {
		const struct catalog_event *e = catalog_at(i);

		CHECK(!sensor_collects(e->id) || e->has_linux_meaning);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	libbpf_set_print(NULL);
	test_table_matches_object(argv[0]);
	test_collected();
	return tap_done("sensor_test");
}
