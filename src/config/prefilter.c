/* SPDX-License-Identifier: MIT */
/*
 * config/prefilter.c - what the kernel may drop before copying: the ports
 * an event 3 must have for the rules to possibly log it.
 *
 * Derived from the compiled rule sets with the same decision as eval.c
 * (sysmon-semantics section 5): an event is logged only when an include
 * set matches it, or when the family's only set is an exclude set that
 * does not.  So when every include set needs SourcePort or DestinationPort
 * to be one of a few values, the union of those values is a necessary
 * condition for logging, and the kernel may drop a connection whose two
 * ports are both outside it.  Anything the analysis does not understand
 * (another condition, a set without a port condition, a lone exclude set)
 * means "no prefilter": it can only err towards sending more.
 */
#include <string.h>

#include "internal.h"

/* Ports one filter can match, into *ports; false when not a finite set
 * of ports (another field, another condition). */
static bool add_port(const char *s, uint32_t len, uint64_t *ports)
{
	unsigned v = 0;

	/* The event's value is "%u": only canonical decimal can match. */
	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return true; /* matches no port: adds nothing */
	for (uint32_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return true;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v <= 65535)
		ports[v / 64] |= 1ull << (v % 64);
	return true;
}

static bool is_port_field(const struct filter *f)
{
	return strcmp(f->field, "SourcePort") == 0 ||
	       strcmp(f->field, "DestinationPort") == 0;
}

static bool filter_ports(const struct filter *f, uint64_t *ports)
{
	if (!is_port_field(f))
		return false;
	switch (f->cond) {
	case COND_IS:
		return add_port(f->lower, f->lower_len, ports);
	case COND_IS_ANY:
		for (uint32_t i = 0; i < f->nitems; i++)
			add_port(f->items[i].s, f->items[i].len, ports);
		return true;
	default:
		return false;
	}
}

/* A compound rule: under and, any one port filter of it is necessary;
 * under or, all of its filters must be port filters. */
static bool compound_ports(const struct rule_set *s, const struct compound *cp,
			   uint64_t *ports)
{
	uint64_t tmp[1024];

	for (uint32_t i = cp->first; i < cp->first + cp->count; i++) {
		memset(tmp, 0, sizeof(tmp));
		if (filter_ports(&s->filters[i], tmp)) {
			if (cp->is_and) {
				for (int w = 0; w < 1024; w++)
					ports[w] |= tmp[w];
				return true;
			}
			for (int w = 0; w < 1024; w++)
				ports[w] |= tmp[w];
		} else if (!cp->is_and) {
			return false;
		}
	}
	return !cp->is_and && cp->count > 0;
}

/* An and-set: one field group (its plain filters on one field, OR-ed)
 * made of port filters only, or one compound with a port condition. */
static bool and_set_ports(const struct rule_set *s, uint64_t *ports)
{
	uint64_t tmp[1024];

	for (uint32_t i = 0; i < s->nfilters; i++) {
		const struct filter *f = &s->filters[i];
		bool is_group_ok = true;

		if (f->compound || !is_port_field(f))
			continue;
		memset(tmp, 0, sizeof(tmp));
		for (uint32_t j = 0; j < s->nfilters && is_group_ok; j++) {
			const struct filter *g = &s->filters[j];

			if (!g->compound && strcmp(g->field, f->field) == 0)
				is_group_ok = filter_ports(g, tmp);
		}
		if (is_group_ok) {
			for (int w = 0; w < 1024; w++)
				ports[w] |= tmp[w];
			return true;
		}
	}
	for (uint32_t c = 0; c < s->ncompounds; c++) {
		memset(tmp, 0, sizeof(tmp));
		if (compound_ports(s, &s->compounds[c], tmp)) {
			for (int w = 0; w < 1024; w++)
				ports[w] |= tmp[w];
			return true;
		}
	}
	return false;
}

/* An or-set: every item (plain filter or compound) has a port set. */
static bool or_set_ports(const struct rule_set *s, uint64_t *ports)
{
	for (uint32_t i = 0; i < s->nfilters;) {
		const struct filter *f = &s->filters[i];

		if (f->compound) {
			const struct compound *cp =
				&s->compounds[f->compound - 1];

			if (!compound_ports(s, cp, ports))
				return false;
			i = cp->first + cp->count;
			continue;
		}
		if (!filter_ports(f, ports))
			return false;
		i++;
	}
	return true;
}

int config_port_prefilter(const struct config *c, unsigned event_id,
			  uint64_t ports[1024])
{
	const struct family *fam;

	memset(ports, 0, 1024 * sizeof(*ports));
	if (event_id > 255 || !c->id_family[event_id])
		return 0;
	fam = &c->families[c->id_family[event_id] - 1];
	/* Only the network family's ports mean local and remote ports. */
	if (fam->nmembers != 1 || fam->members[0]->id != 3)
		return 0;
	if (!fam->nsets || (fam->nsets == 1 && fam->eval[0]->is_exclude))
		return 0;
	for (unsigned i = 0; i < fam->nsets; i++) {
		const struct rule_set *s = fam->eval[i];

		if (s->is_exclude || !s->nfilters)
			continue; /* never logs by matching */
		if (!(s->is_and ? and_set_ports(s, ports)
				: or_set_ports(s, ports))) {
			memset(ports, 0, 1024 * sizeof(*ports));
			return 0;
		}
	}
	return 1;
}
