/* SPDX-License-Identifier: MIT */
/*
 * proc/proc.h - the process table: what vigil knows about every live
 * process (image, command line, user, ProcessGuid), seeded from /proc at
 * start and kept current by fork, exec and exit records.
 *
 * Bounded: at most max_entries processes; an exit evicts.  When full, new
 * processes are counted in `overflows` and looked up lazily from /proc.
 * Single-threaded (the pipeline thread owns it).
 */
#ifndef VIGIL_PROC_H
#define VIGIL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROC_GUID_LEN 38 /* {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} */

struct proc {
	uint32_t tgid;
	uint32_t ppid;
	uint32_t uid;
	uint32_t loginuid;
	uint32_t sessionid;
	char guid[PROC_GUID_LEN + 1];
	char *image; /* owned; "" when unknown (kernel threads) */
	char *cmdline; /* owned; argv joined with spaces */
	bool is_used; /* slot holds a process */
};

struct proc_table;

/*
 * An empty table for at most max_entries processes.  machine_id is the
 * host's /etc/machine-id text (its first 8 hex digits prefix every GUID);
 * proc_root is normally "/proc".  NULL + errno on error.
 */
struct proc_table *proc_table_new(size_t max_entries, const char *machine_id,
				  const char *proc_root);
void proc_table_free(struct proc_table *t);

/* Add every process now in proc_root.  Returns how many were added. */
int proc_table_seed(struct proc_table *t, int64_t boot_to_utc_ns);

/* The live process tgid, read from proc_root if not in the table (and
 * then added); NULL when it is gone.  The pointer is valid until the next
 * call that changes the table. */
struct proc *proc_find(struct proc_table *t, uint32_t tgid);

/* A new process from fork: same image and command line as its parent,
 * its own GUID.  Returns it, or NULL when the table is full. */
struct proc *proc_on_fork(struct proc_table *t, uint32_t parent, uint32_t child,
			  uint64_t utc_ns);

/* A process ran exec: new image, command line, user and GUID.  Takes
 * ownership of image and cmdline (malloc'd).  NULL when the table is
 * full (the strings are freed). */
struct proc *proc_on_exec(struct proc_table *t, const struct proc *info,
			  uint64_t utc_ns, char *image, char *cmdline);

/* Forget a process that exited. */
void proc_on_exit(struct proc_table *t, uint32_t tgid);

/* Format a Sysmon-style GUID: machine prefix, time (s), 64-bit key. */
void proc_format_guid(char out[PROC_GUID_LEN + 1], uint32_t machine,
		      uint32_t time_s, uint64_t key);

/* Live entries and overflow count, for status. */
size_t proc_table_count(const struct proc_table *t);
uint64_t proc_table_overflows(const struct proc_table *t);

/* The machine prefix parsed from the machine id text (0 if unparsable). */
uint32_t proc_table_machine(const struct proc_table *t);

#endif /* VIGIL_PROC_H */
