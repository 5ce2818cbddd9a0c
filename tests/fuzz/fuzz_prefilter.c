/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_prefilter.c - the kernel-side path prefilter of the
 * file events, from a hostile config: config_prefilter() derives what a
 * logged event's path must meet, prefilter_build() turns that into the
 * DFA the kernel walks.  Two contracts, checked on the input's paths:
 * sound (an event the config logs is never dropped by the prefilter),
 * and the DFA says what the atoms say (or, for a slot whose automaton did
 * not fit, lets everything through).
 *
 * Input: a config, a NUL byte, then lines "PATH" or "PATH<TAB>VALUE":
 * each path is tried in every file event's path field, with VALUE (when
 * given) in every other field.  Lines holding a NUL byte are skipped:
 * the kernel's paths are C strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "config/config.h"
#include "event/event.h"
#include "sensor/path_dfa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The file events, their path field and slot (as the daemon makes them). */
static const struct {
	unsigned id;
	const char *field;
	unsigned slot;
} ids[] = {
	{ 11, "TargetFilename", WIRE_PF_CREATE },
	{ 23, "TargetFilename", WIRE_PF_DELETE },
	{ 26, "TargetFilename", WIRE_PF_DELETE },
	{ 2, "TargetFilename", WIRE_PF_TIME },
	{ 29, "TargetFilename", WIRE_PF_WRITTEN },
	{ 17, "PipeName", WIRE_PF_PIPE },
	{ 18, "PipeName", WIRE_PF_PIPE },
	{ 9, "Device", WIRE_PF_RAW },
};
#define NIDS (sizeof(ids) / sizeof(ids[0]))

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void try_line(const struct config *c, const struct config_prefilter *pf,
		     const struct config_prefilter *slot,
		     const struct prefilter_tables *tab, const char *line,
		     size_t len)
{
	const char *tab_at = memchr(line, '\t', len);
	size_t plen = tab_at ? (size_t)(tab_at - line) : len;

	for (unsigned i = 0; i < NIDS; i++) {
		const struct catalog_event *def = catalog_lookup(ids[i].id);
		int fidx = catalog_field_index(def, ids[i].field);
		const char *path;
		size_t n;
		struct event ev;
		bool logged, dfa;

		if (fidx < 0 || event_init(&ev, ids[i].id))
			abort();
		for (unsigned f = 0; tab_at && f < def->nfields; f++)
			event_set(&ev, f, tab_at + 1, len - plen - 1);
		event_set(&ev, (unsigned)fidx, line, plen);
		logged = config_decide(c, &ev);
		/* after the decision: setting RuleName may move the values */
		path = event_value(&ev, (unsigned)fidx, &n);
		if (logged && !prefilter_atoms_match(&pf[i], path, n))
			abort(); /* the prefilter would drop a logged event */
		/* a slot whose automaton did not fit is left unfiltered */
		dfa = prefilter_match(tab, ids[i].slot, path, n);
		if (tab->start[ids[i].slot] == WIRE_PF_OFF
			    ? !dfa
			    : dfa != prefilter_atoms_match(&slot[ids[i].slot],
							   path, n))
			abort(); /* the DFA disagrees with its atoms */
		event_release(&ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	struct config_opts o = { .warn = quiet };
	struct config_prefilter pf[NIDS], slot[WIRE_PF_SLOTS];
	const struct config_prefilter *slots[WIRE_PF_SLOTS];
	struct prefilter_tables *tab;
	const char *p, *end;
	struct config *c;
	struct diag d;

	if (!nul || size > 65536)
		return 0;
	c = config_load_mem_opts((const char *)data, (size_t)(nul - data),
				 "fuzz", &o, &d);
	if (!c)
		return 0;
	tab = malloc(sizeof(*tab));
	if (!tab)
		abort();
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++) {
		memset(&slot[k], 0, sizeof(slot[k]));
		slot[k].is_all = true;
		slots[k] = &slot[k];
	}
	for (unsigned i = 0; i < NIDS; i++)
		if (config_prefilter(c, ids[i].id, ids[i].field, &pf[i]))
			abort();
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++) {
		bool first = true;

		for (unsigned i = 0; i < NIDS; i++) {
			if (ids[i].slot != k)
				continue;
			if (first)
				slot[k].is_all = pf[i].is_all;
			first = false;
			if (config_prefilter_merge(&slot[k], &pf[i]))
				abort();
		}
	}
	if (prefilter_build(slots, tab))
		abort();
	p = (const char *)nul + 1;
	end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* a path from the kernel is a C string: never a NUL in it */
		if (!memchr(p, '\0', len))
			try_line(c, pf, slot, tab, p, len);
		p += len + 1;
	}
	for (unsigned i = 0; i < NIDS; i++)
		config_prefilter_release(&pf[i]);
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++)
		config_prefilter_release(&slot[k]);
	free(tab);
	config_free(c);
	return 0;
}
