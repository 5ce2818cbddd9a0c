/* SPDX-License-Identifier: MIT */
/*
 * render/render.h - turn a canonical event into bytes: Sysmon for Linux's
 * syslog XML (byte-exact), one-line JSON, or readable text; and read
 * vigil's own JSON back into an event.
 *
 * Pure: no I/O, no globals.  Output is always well-formed XML / valid
 * JSON whatever bytes the values hold (invalid UTF-8, control bytes, CR/LF
 * are encoded, never passed through), and never contains a raw newline,
 * so one event is always one line.
 *
 * Byte policy, the same in all three formats: valid UTF-8 passes; each
 * byte of an invalid sequence (overlong, surrogate, truncated, stray, over
 * U+10FFFF) and of U+FFFE/U+FFFF becomes the visible text "\xNN" (lower
 * case), so no captured byte is lost.  C0 controls: XML &#9; &#10; &#13;
 * for TAB/LF/CR and "\xNN" for the rest; JSON \t \n \r \u00XX; text
 * \t \n \r \xNN.  XML escapes & < > (" in attributes); JSON " and \.
 */
#ifndef VIGIL_RENDER_H
#define VIGIL_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct event;

enum render_format { RENDER_XML, RENDER_JSON, RENDER_TEXT };

/* The <System> part that does not come from the event itself. */
struct render_host {
	/* gethostname(); NULL or "" renders as "-" */
	const char *computer;
	/* NULL: "Linux-Sysmon" */
	const char *provider_name;
	/* NULL: "{ff032593-a8d3-4f13-b0d6-01fc615a0f97}" */
	const char *provider_guid;
	/* NULL: "Linux-Sysmon/Operational" */
	const char *channel;
	/* the daemon's pid and thread id (Execution ProcessID, ThreadID) */
	unsigned pid;
	unsigned tid;
	/* Security UserId */
	unsigned euid;
	/* also vigil's own fields after Sysmon's (catalog_event.nextra) */
	bool extra_fields;
};

/* Fill the provider/channel defaults; computer, pid, tid, euid are 0/NULL. */
void render_host_defaults(struct render_host *h);

/* "xml", "json", "text" -> 0 and *f; anything else -EINVAL. */
int render_format_parse(const char *s, enum render_format *f);

/*
 * Append ev rendered as fmt to out (no trailing newline for xml/json; text
 * is several lines ending in a newline).  created_ns is TimeCreated (UTC
 * ns).  h NULL means render_host_defaults().  Returns 0, -ENOMEM,
 * -EINVAL for an unknown fmt, or -ENOBUFS when out reached its max_bytes
 * and the record was cut (do not ship it: it is no longer well-formed).
 */
int render_event(struct buf *out, const struct render_host *h,
		 const struct event *ev, enum render_format fmt,
		 uint64_t created_ns);

/*
 * Parse one line of vigil's JSON rendering back: ev is initialised with
 * the event id found (caller releases it), EventRecordID and UtcTime are
 * restored (time_ns from UtcTime when it parses), and *created_ns gets
 * TimeCreated, 0 when absent (created_ns may be NULL).  Unknown or
 * repeated keys are an error; so is anything render_json() cannot write
 * (non-integer numbers, \u0000, U+FFFE/U+FFFF, lone surrogates, invalid
 * UTF-8).  A trailing newline is fine.  Returns 0 or -EINVAL (malformed,
 * unknown id or field, longer than 2 MiB), -ENOMEM; on error ev is left
 * released (event_release() on it is harmless).
 */
int render_parse_json(const char *line, size_t len, struct event *ev,
		      uint64_t *created_ns);

#endif /* VIGIL_RENDER_H */
