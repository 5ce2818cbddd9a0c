/* SPDX-License-Identifier: MIT */
/*
 * config/dump.c - the active rules in Sysmon's `-c` format, byte for byte
 * what Sysmon for Linux prints (its parser regression baselines are the
 * golden files), display quirks included.
 */
#include "internal.h"
#include "util/buf.h"

static int dump_filter(struct buf *out, const struct filter *f,
		       const char *indent)
{
	return buf_addf(out, "\t%s%-30s filter: %-12s value: '%s'\n", indent,
			f->field, config_cond_names[f->cond], f->value);
}

static int dump_set(struct buf *out, const struct family *fam,
		    const struct rule_set *s)
{
	int r = buf_addf(out,
			 " - %-34s onmatch: %-9s combine rules using '%s'\n",
			 fam->tag, s->is_exclude ? "exclude" : "include",
			 s->is_and ? "And" : "Or");

	for (uint32_t i = 0; i < s->nfilters && !r; i++) {
		const struct filter *f = &s->filters[i];

		if (!f->compound) {
			r = dump_filter(out, f, "");
			continue;
		}
		const struct compound *cp = &s->compounds[f->compound - 1];

		if (i == cp->first) {
			/* Names show at most 32 characters; anonymous
			 * compound rules show their global number. */
			if (cp->name)
				r = buf_addf(out, "\tCompound Rule %.32s",
					     cp->name);
			else
				r = buf_addf(out, "\tCompound Rule %04u",
					     cp->number);
			if (!r)
				r = buf_addf(out, "   combine using %s\n",
					     cp->is_and ? "And" : "Or");
		}
		if (!r)
			r = dump_filter(out, f, "    ");
	}
	return r;
}

int config_dump(const struct config *c, struct buf *out)
{
	int r = buf_addf(out, "Rule configuration (version %s):\n", c->schema);

	for (unsigned fi = 0; fi < c->nfamilies && !r; fi++) {
		const struct family *fam = &c->families[fi];

		for (unsigned i = 0; i < fam->nsets && !r; i++) {
			/* Sysmon's quirk: a set right after one with the same
			 * tag and onmatch is not printed (it still applies). */
			if (i && fam->doc[i - 1]->is_exclude ==
					 fam->doc[i]->is_exclude)
				continue;
			r = dump_set(out, fam, fam->doc[i]);
		}
	}
	return r;
}
