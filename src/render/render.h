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
 */
#ifndef VIGIL_RENDER_H
#define VIGIL_RENDER_H

#include <stdint.h>

struct buf;
struct event;

enum render_format { RENDER_XML, RENDER_JSON, RENDER_TEXT };

/* The <System> part that does not come from the event itself. */
struct render_host {
	const char *computer;      /* gethostname() */
	const char *provider_name; /* "Linux-Sysmon" */
	const char *provider_guid; /* "{ff032593-a8d3-4f13-b0d6-01fc615a0f97}" */
	const char *channel;       /* "Linux-Sysmon/Operational" */
	unsigned pid;              /* the daemon's pid (Execution ProcessID) */
	unsigned tid;              /* the daemon's thread id */
	unsigned euid;             /* Security UserId */
};

/* Fill the provider/channel defaults; computer, pid, tid, euid are 0/NULL. */
void render_host_defaults(struct render_host *h);

/* "xml", "json", "text" -> 0 and *f; anything else -EINVAL. */
int render_format_parse(const char *s, enum render_format *f);

/*
 * Append ev rendered as fmt to out (no trailing newline for xml/json; text
 * is several lines ending in a newline).  created_ns is TimeCreated (UTC
 * ns).  Returns 0 or -ENOMEM.
 */
int render_event(struct buf *out, const struct render_host *h,
		 const struct event *ev, enum render_format fmt,
		 uint64_t created_ns);

/*
 * Parse one line of vigil's JSON rendering back: ev is initialised with
 * the event id found (caller releases it), EventRecordID and UtcTime are
 * restored, and *created_ns gets TimeCreated (may be NULL).  Unknown
 * fields are an error.  Returns 0 or -EINVAL (malformed, unknown id or
 * field), -ENOMEM.
 */
int render_parse_json(const char *line, size_t len, struct event *ev,
		      uint64_t *created_ns);

#endif /* VIGIL_RENDER_H */
