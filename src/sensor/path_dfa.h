/* SPDX-License-Identifier: MIT */
/*
 * sensor/path_dfa.h - private to the sensor: the kernel-side path
 * prefilter as tables: one DFA over ASCII-folded path bytes per record
 * slot, built from a config's atoms (config_prefilter()).  Pure; the
 * loader copies the tables into the BPF maps, and prefilter_match() is
 * the reference the kernel walk follows.
 */
#ifndef VIGIL_SENSOR_PATH_DFA_H
#define VIGIL_SENSOR_PATH_DFA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "wire.h"

struct prefilter_tables {
	uint8_t classes[256]; /* byte -> class (case folded) */
	uint16_t start[WIRE_PF_SLOTS]; /* WIRE_PF_OFF: slot not filtered */
	uint32_t nstates;
	struct wire_pf_state states[WIRE_PF_STATES];
};

/*
 * Build tables for slot i from pfs[i] (NULL or is_all: not filtered).
 * A slot whose automaton does not fit is left unfiltered, as is every
 * slot when the atoms use more than WIRE_PF_CLASSES - 1 distinct bytes.
 * Returns 0 or -ENOMEM.
 */
int prefilter_build(const struct config_prefilter *const pfs[WIRE_PF_SLOTS],
		    struct prefilter_tables *t);

/* Whether slot lets a path through, as the kernel decides it. */
bool prefilter_match(const struct prefilter_tables *t, unsigned slot,
		     const char *path, size_t len);

/* The same, straight from the atoms (the specification). */
bool prefilter_atoms_match(const struct config_prefilter *pf, const char *path,
			   size_t len);

#endif /* VIGIL_SENSOR_PATH_DFA_H */
