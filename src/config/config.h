/* SPDX-License-Identifier: MIT */
/*
 * config/config.h - a Sysmon XML configuration, loaded and compiled.
 *
 * A struct config is immutable once loaded: the daemon swaps a whole new
 * one in on reconfiguration, so evaluation needs no locks.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash/hash.h"

struct buf;
struct event;

/* Where a parse went wrong: "file:line:col: msg". */
struct diag {
	char file[256];
	int line;
	int col;
	char msg[256];
};

/* Hash algorithms (HashAlgorithms option): hash/hash.h owns the bits. */
#define CONFIG_HASH_SHA1    HASH_SHA1
#define CONFIG_HASH_MD5	    HASH_MD5
#define CONFIG_HASH_SHA256  HASH_SHA256
#define CONFIG_HASH_IMPHASH HASH_IMPHASH

struct config;

/*
 * Load and compile the config at path.  Returns NULL with errno set and d
 * filled on any error; nothing is half-loaded.  Warnings (Windows-only
 * options ...) go to log_warn(); see config_load_file_opts() for more.
 */
struct config *config_load_file(const char *path, struct diag *d);
struct config *config_load_mem(const char *data, size_t len, const char *name,
			       struct diag *d);

/* How a load treats options that have no meaning on Linux. */
struct config_opts {
	/* Refuse Windows-only options instead of warning about them. */
	bool is_strict;
	/*
	 * Called once per warning (e.g. a Windows-only option); NULL sends
	 * them to log_warn().  msg is "file:line:col: text".
	 */
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
};

/* The same with options; o NULL means the defaults (lenient, log_warn). */
struct config *config_load_file_opts(const char *path,
				     const struct config_opts *o,
				     struct diag *d);
struct config *config_load_mem_opts(const char *data, size_t len,
				    const char *name,
				    const struct config_opts *o,
				    struct diag *d);

/* The embedded default configuration (what `vigil run` uses without one). */
struct config *config_default(void);

/* Its XML text, e.g. for `vigil -c --` to write out. */
const char *config_default_xml(void);

/* SHA256 of the file the config came from, lower-case hex ("-" if none). */
const char *config_file_hash(const struct config *c);

/* "4.90" ...: the schemaversion the file declared, normalised. */
const char *config_schema_version(const struct config *c);

void config_free(struct config *c);

/* Whether events of this id can be logged at all (arms kernel hooks). */
bool config_wants(const struct config *c, unsigned event_id);

/*
 * Apply the rules to ev: returns true to log (RuleName set on ev when a
 * named rule matched), false to drop.  Events 4, 16, 255 always log.
 */
bool config_decide(const struct config *c, struct event *ev);

/*
 * Whether the rules for event_id read no field but fields[0..n) (indexes
 * of that event): then config_decide() on two events that agree on those
 * fields decides the same.  The daemon uses it to let the kernel drop
 * image loads of a file the rules drop for every process.
 */
bool config_decides_on(const struct config *c, unsigned event_id,
		       const unsigned *fields, size_t n);

/* FieldSizes: cut over-long values of ev for output, after decide(). */
void config_apply_field_sizes(const struct config *c, struct event *ev);

/*
 * ArchiveDirectory as written: a single folder name or an absolute path;
 * NULL when the config has none (FileDelete then archives nothing).
 */
const char *config_archive_directory(const struct config *c);

/*
 * Conditions on one path field that the kernel can test, ASCII case
 * folded: the field is, begins with, ends with or contains s (lower-case,
 * len bytes, not terminated; borrowed from the config).
 */
enum config_atom_kind {
	CONFIG_ATOM_IS,
	CONFIG_ATOM_BEGIN,
	CONFIG_ATOM_END,
	CONFIG_ATOM_CONTAINS,
};

struct config_atom {
	uint8_t kind; /* enum config_atom_kind */
	uint32_t len;
	const char *s;
};

struct config_prefilter {
	bool is_all; /* no condition: anything may be logged */
	size_t n; /* else: what is logged meets one of atoms[0..n) */
	struct config_atom *atoms; /* owned; n 0: nothing is logged */
};

/*
 * What every event of type id that c can log has in field (a path field:
 * TargetFilename, PipeName, Device ...), derived conservatively from the
 * rules (path_prefilter.c): when it says atoms, an event whose field meets
 * none of them is dropped by config_decide() whatever its other fields
 * (no atoms: no event of that id is logged).
 * 0 or -ENOMEM; release *pf with config_prefilter_release() (valid while
 * c lives).
 */
int config_prefilter(const struct config *c, unsigned id, const char *field,
		     struct config_prefilter *pf);
void config_prefilter_release(struct config_prefilter *pf);

/* into := into OR from (either one all: all).  0 or -ENOMEM. */
int config_prefilter_merge(struct config_prefilter *into,
			   const struct config_prefilter *from);

/* CONFIG_HASH_* bits to compute for event 1 (SHA1 when not configured). */
unsigned config_hash_algorithms(const struct config *c);

/*
 * Append the active rules in Sysmon's `-c` format ("Rule configuration
 * (version 4.90):" and one line per rule set and filter, each ending in a
 * newline).  Returns 0 or -ENOMEM.
 */
int config_dump(const struct config *c, struct buf *out);

/*
 * Append the schema manifest for `-s [version|all]` (version NULL or ""
 * means the current one).  Only the current schema is embedded; any other
 * version gives -ENOENT.  Returns 0, -ENOENT, -ENOMEM.
 */
int config_schema_print(const char *version, struct buf *out);

/* Append the `-? config` text: options and the condition table. */
int config_help(struct buf *out);

/*
 * DnsLookup: whether event 3's host names may come from reverse lookups
 * (names from captured DNS answers are used either way).  Sysmon's
 * default, on, when the option is absent.
 */
bool config_dns_lookup(const struct config *c);

/*
 * The kernel prefilter for event_id (only event 3 has one): the ports a
 * connection must have at one of its ends for the rules to possibly log
 * it.  Returns 1 with ports[] a bitmap (bit p of word p / 64), or 0 when
 * the rules may log any port (ports[] cleared).  Conservative: an event
 * config_decide() would log always has a port in the bitmap.
 */
int config_port_prefilter(const struct config *c, unsigned event_id,
			  uint64_t ports[1024]);

/* Warnings the load produced (Windows-only options ...). */
unsigned config_warning_count(const struct config *c);

#endif /* VIGIL_CONFIG_H */
