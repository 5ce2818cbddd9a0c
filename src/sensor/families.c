/* SPDX-License-Identifier: MIT */
/*
 * sensor/families.c - the family table: one row per family file, and the
 * programs that are always attached.  Adding a family is one line here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "family.h"

static const struct sensor_family *const families[] = {
	&sensor_family_process,	     &sensor_family_network,
	&sensor_family_files_open,   &sensor_family_files_names,
	&sensor_family_files_rename, &sensor_family_files_delete,
	&sensor_family_files_times,  &sensor_family_files_exec,
	&sensor_family_files_uring,  &sensor_family_integrity,
	&sensor_family_bpf,	     &sensor_family_image_load,
	&sensor_family_module,
};

const char *const sensor_always_on[] = {
	"on_sched_process_exec",
	"on_sched_process_fork",
	"on_sched_process_exit",
	NULL,
};

const struct sensor_family *const *sensor_families(size_t *n)
{
	*n = sizeof(families) / sizeof(families[0]);
	return families;
}

const struct sensor_record_type *sensor_record_type(uint32_t kind)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		for (const struct sensor_record_type *r = families[i]->records;
		     r->kind; r++)
			if (r->kind == kind)
				return r;
	return NULL;
}

bool sensor_collects(unsigned event_id)
{
	const struct catalog_event *ev = catalog_lookup(event_id);

	if (ev && ev->rule_default == CATALOG_ALWAYS)
		return true; /* written by the daemon itself */
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		for (const unsigned *id = families[i]->event_ids; *id; id++)
			if (*id == event_id)
				return true;
	return false;
}

/* How many times name appears in the table (rows and always-on list). */
static unsigned owners(const char *name)
{
	unsigned n = 0;

	for (const char *const *p = sensor_always_on; *p; p++)
		n += strcmp(*p, name) == 0;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		for (const char *const *p = families[i]->programs; *p; p++)
			n += strcmp(*p, name) == 0;
	return n;
}

static bool is_in(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static int check_listed(const char *const *list, const char *const *names,
			size_t n, char *err, size_t err_size)
{
	for (const char *const *p = list; *p; p++) {
		if (!is_in(*p, names, n)) {
			snprintf(err, err_size,
				 "sensor table names program %s, which the "
				 "BPF object does not have",
				 *p);
			return -EINVAL;
		}
	}
	return 0;
}

int sensor_check_programs(const char *const *names, size_t n, char *err,
			  size_t err_size)
{
	for (size_t i = 0; i < n; i++) {
		unsigned k = owners(names[i]);

		if (k != 1) {
			snprintf(err, err_size,
				 "BPF program %s belongs to %u rows of the "
				 "sensor table (must be exactly one)",
				 names[i], k);
			return -EINVAL;
		}
	}
	if (check_listed(sensor_always_on, names, n, err, err_size) < 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (check_listed(families[i]->programs, names, n, err,
				 err_size) < 0)
			return -EINVAL;
	return 0;
}
