/* SPDX-License-Identifier: MIT */
/*
 * catalog/catalog.h - the one canonical table of Sysmon events.
 *
 * Every event vigil knows (Sysmon's manifest, schema 4.91, plus Linux-only
 * event 100) with its id, names, rule tag, manifest default, template
 * version and fields in schema order.  Renderers, the rule engine, the
 * schema print and the store all read this table; adding an event is one
 * entry in catalog.c.  Pure and constant: no state, no allocation.
 */
#ifndef VIGIL_CATALOG_H
#define VIGIL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

/* Manifest inType/outType of a field; rules always compare strings. */
enum catalog_type {
	CATALOG_STRING,
	CATALOG_GUID,
	CATALOG_UINT16,
	CATALOG_UINT32,
	CATALOG_PID,
	CATALOG_BOOL,
	CATALOG_HEX32,
	CATALOG_HEX64,
};

/* What happens to an event when the config has no rule set for its tag. */
enum catalog_default {
	CATALOG_EXCLUDE,
	CATALOG_INCLUDE,
	CATALOG_ALWAYS, /* 4, 16, 255: no filter tag, never filtered */
};

struct catalog_field {
	const char *name; /* case-sensitive, as in the manifest */
	enum catalog_type type;
};

struct catalog_event {
	unsigned id;
	const char *symbol; /* SYSMONEVENT_... */
	const char *task; /* template text, e.g. "Process Create" */
	const char *rule_tag; /* config element, NULL for 4, 16, 255 */
	enum catalog_default rule_default;
	unsigned version; /* template version, <Version> in the XML */
	unsigned level; /* 4 informational, 2 error */
	bool has_linux_meaning;
	unsigned nfields;
	const struct catalog_field *fields; /* nfields entries + { NULL } */
	/*
	 * The last nextra fields are vigil's own, after all of Sysmon's:
	 * rules can test them and the store keeps them, but renderers show
	 * them only when asked (extra_fields in vigil.conf), so parsers that
	 * match Sysmon's fields by position keep working.
	 */
	unsigned nextra;
};

/* Largest nfields of any event (ProcessCreate with its extra fields). */
#define CATALOG_MAX_FIELDS 30

/* How many of ev's fields are Sysmon's: all but the extra ones. */
static inline unsigned catalog_sysmon_fields(const struct catalog_event *ev)
{
	return ev->nfields - ev->nextra;
}

/* The event with this id, or NULL. */
const struct catalog_event *catalog_lookup(unsigned id);

/* Entry i in schema order (0 <= i < catalog_count()), or NULL. */
const struct catalog_event *catalog_at(size_t i);
size_t catalog_count(void);

/*
 * Index of the field called name (case-sensitive) in ev, or -1.  Shared
 * tags (RegistryEvent ...) are separate entries; callers resolve those.
 */
int catalog_field_index(const struct catalog_event *ev, const char *name);

/* The first event whose rule tag is tag (case-sensitive), or NULL. */
const struct catalog_event *catalog_lookup_tag(const char *tag);

#endif /* VIGIL_CATALOG_H */
