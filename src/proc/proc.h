/* SPDX-License-Identifier: MIT */
/*
 * proc/proc.h - the process table and ProcessGuids: what vigil knows about
 * every live process (image, command line, user, GUID), seeded from /proc
 * at start and kept current by fork, exec and exit records.
 *
 * A process is (tgid, start time), never a bare pid: a lookup whose start
 * time differs finds nothing, so a reused pid or a missed exit never lends
 * one process's image to another.  ProcessGuid is a pure function of what
 * the kernel can tell again at any time (boot, tgid, start time, the
 * image's end-of-code address), so a process has the same GUID whether it
 * was seen at exec, found in /proc at start-up, or by a later run.
 *
 * Bounded: at most max_entries processes; an exit evicts.  When full, new
 * processes are counted in `overflows`; their events still get the right
 * GUID, and their image from /proc through enrichment.  Single-threaded
 * (the pipeline thread owns it), except proc_read_info(), which touches no
 * table state and may run on any thread.
 */
#ifndef VIGIL_PROC_H
#define VIGIL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define PROC_GUID_LEN 38 /* {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} */

struct event;

struct proc {
	uint32_t tgid;
	uint32_t ppid;
	uint32_t uid;
	uint32_t loginuid;
	uint32_t sessionid;
	uint64_t start_ticks; /* clock ticks since boot, as /proc shows it */
	uint64_t end_code;
	char guid[PROC_GUID_LEN + 1];
	char *image; /* owned; NULL: unknown, "" for kernel threads */
	char *cmdline; /* owned; argv joined with spaces; NULL: unknown */
	bool is_used; /* slot holds a process */
};

struct proc_table;

/*
 * An empty table for at most max_entries processes.  machine_id is the
 * host's /etc/machine-id text (its first 8 hex digits prefix every GUID);
 * proc_root is normally "/proc" (its sys/kernel/random/boot_id keeps GUIDs
 * of different boots apart).  NULL + errno on error.
 */
struct proc_table *proc_table_new(size_t max_entries, const char *machine_id,
				  const char *proc_root);
void proc_table_free(struct proc_table *t);

/* Add every process now in proc_root.  Returns how many were added. */
int proc_table_seed(struct proc_table *t);

/*
 * The process (tgid, start_ns) as the table knows it, or NULL.  start_ns
 * is CLOCK_BOOTTIME in ns, compared at clock-tick precision.  An entry for
 * tgid that started earlier is a process that is gone: it is dropped.
 * No I/O.  The pointer is valid until the next call that changes the
 * table.
 */
struct proc *proc_get(struct proc_table *t, uint32_t tgid, uint64_t start_ns);

/* The table's entry for tgid whatever its start time, or NULL (tests and
 * diagnostics; events use proc_get()). */
struct proc *proc_peek(struct proc_table *t, uint32_t tgid);

/* A new process from fork: same image and command line as its parent,
 * its own GUID.  Returns it, or NULL when the table is full. */
struct proc *proc_on_fork(struct proc_table *t, const struct wire_task *parent,
			  uint32_t child_tgid, uint64_t child_start_ns);

/* A process ran exec: new image, command line, user and GUID (task is the
 * process after exec).  Takes ownership of image and cmdline (malloc'd).
 * NULL when the table is full (the strings are freed). */
struct proc *proc_on_exec(struct proc_table *t, const struct wire_task *task,
			  char *image, char *cmdline);

/* Forget a process that exited (only if it is the one the table holds). */
void proc_on_exit(struct proc_table *t, const struct wire_task *task);

/* The ProcessGuid of the process image (tgid, start_ns, end_code). */
void proc_guid(const struct proc_table *t, uint32_t tgid, uint64_t start_ns,
	       uint64_t end_code, char out[PROC_GUID_LEN + 1]);

/* Format a Sysmon-style GUID: machine prefix, time (s), 64-bit key. */
void proc_format_guid(char out[PROC_GUID_LEN + 1], uint32_t machine,
		      uint32_t time_s, uint64_t key);

/* Where an event keeps one process's fields; -1: the event has none. */
struct proc_fields {
	int guid;
	int pid;
	int image;
	int cmdline;
};

/*
 * The subject resolver: set task's fields f of ev.  ProcessGuid and
 * ProcessId are always set (the GUID needs no table); Image and the
 * command line when the table knows the process.  Returns the entry, or
 * NULL when the caller should ask enrichment (proc_read_info()) for the
 * rest.
 */
const struct proc *proc_subject(struct proc_table *t,
				const struct wire_task *task, struct event *ev,
				const struct proc_fields *f);

/*
 * What /proc says of process tgid: a proc with owned image and cmdline
 * (release with proc_info_release()).  When start_ns is not 0 and the
 * process there started at another time, -ESRCH (the pid was reused).
 * Reads only proc_root: safe on any thread.  0 or a negative errno.
 */
int proc_read_info(const struct proc_table *t, uint32_t tgid, uint64_t start_ns,
		   struct proc *out);
void proc_info_release(struct proc *p);

/*
 * maps.c: the path of the file mapped at addr, from the text of a
 * /proc/PID/maps (len bytes), into out (size bytes).  0; -ENOENT when no
 * mapping holds addr or the one that does maps no file (anonymous memory,
 * [stack] ...); -ENAMETOOLONG.  Pure.
 */
int proc_maps_find(const char *text, size_t len, uint64_t addr, char *out,
		   size_t size);

/*
 * procfs.c: the text of /proc files, parsed.  Each takes len bytes that
 * need not be NUL-terminated (a NUL ends the text) and is pure.
 */

/* What vigil reads from /proc/PID/stat. */
struct proc_stat {
	char state; /* field 3: R, S, D, Z, X ... */
	uint32_t ppid; /* field 4 */
	uint64_t start_ticks; /* field 22: clock ticks since boot */
	uint64_t end_code; /* field 27; 0 when absent or hidden */
};

/*
 * The fields of a /proc/PID/stat line.  comm (field 2) may hold any
 * bytes, spaces and ')' included: the fields are counted from the last
 * ')'.  0, or -EINVAL (no ')', fewer than 22 fields, a state of more
 * than one byte, a ppid or start time that is not a decimal number or
 * does not fit).
 */
int proc_parse_stat(const char *text, size_t len, struct proc_stat *st);

/* The real uid (the first number of the "Uid:" line) of the text of a
 * /proc/PID/status; UINT32_MAX when there is none or it does not fit. */
uint32_t proc_parse_status_uid(const char *text, size_t len);

/* A file holding one decimal number (/proc/PID/loginuid, sessionid;
 * 4294967295 there means unset): it, or UINT32_MAX when the text is
 * empty, not a number (a newline may end it) or over 32 bits. */
uint32_t proc_parse_u32(const char *text, size_t len);

/* The text of /proc/PID/cmdline (len bytes at buf, which has room for
 * len + 1) as one line in place: trailing NULs dropped, the others
 * become spaces, NUL-terminated.  Returns the new length. */
size_t proc_cmdline_join(char *buf, size_t len);

/* Live entries and overflow count, for status. */
size_t proc_table_count(const struct proc_table *t);
uint64_t proc_table_overflows(const struct proc_table *t);

/* The machine prefix parsed from the machine id text (0 if unparsable). */
uint32_t proc_table_machine(const struct proc_table *t);

#endif /* VIGIL_PROC_H */
