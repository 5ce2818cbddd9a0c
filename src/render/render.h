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
 * Value text: every format writes a value's bytes as value text, then
 * applies its own escaping (XML entities, JSON string escapes) to that.
 * Value text is the bytes themselves except:
 *
 *   "\xNN"  (backslash, 'x', two lower-case hex digits) stands for the
 *           byte 0xNN.  It is written for each byte that is not part of
 *           valid UTF-8 (overlong, surrogate, truncated, stray, over
 *           U+10FFFF) and for U+FFFE/U+FFFF, for the control bytes a
 *           format cannot carry (XML: C0 but TAB/LF/CR; text: all of C0
 *           and DEL), and, in text only, for the bytes of the hidden code
 *           points below;
 *   "\x5c"  is written for a backslash that an 'x' follows, so "\x" in
 *           value text always starts an escape.  Every other backslash
 *           is itself (Sysmon's output is unchanged for them).
 *
 * Decoding (render_value_decode()) replaces each "\xNN" by its byte and
 * keeps everything else, and gives back the exact bytes captured: a file
 * named with the bytes FF FE renders "\xff\xfe", one named with the eight
 * characters \xff\xfe renders "\x5cxff\x5cxfe".  The store keeps the raw
 * bytes, and rules always see the raw bytes.
 *
 * Hidden code points (C1 controls U+0080..U+009F, the bidirectional
 * controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069, and
 * U+2028, U+2029) are never written raw: XML "&#N;", JSON "\uXXXX", text
 * their UTF-8 bytes as "\xNN".  Format escapes: XML &#9; &#10; &#13; for
 * TAB/LF/CR and & < > (" in attributes); JSON \t \n \r \u00XX, \" and \\.
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
 * Append the n bytes at s to out as one JSON string, quotes included,
 * escaped with the byte policy above (so any bytes make valid JSON).  For
 * other JSON documents that carry event values (the web viewer's API).
 * Returns 0, -ENOMEM, or -ENOBUFS when out reached its max_bytes.
 */
int render_json_string(struct buf *out, const char *s, size_t n);

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

/*
 * Append s (n bytes) to out as value text escaped for the text format
 * (what `--format text` writes for a value).  0, -ENOMEM, -ENOBUFS.
 */
int render_value_text(struct buf *out, const char *s, size_t n);

/* Longest System string render_parse_json_system() keeps, NUL included. */
#define RENDER_SYSTEM_TEXT_MAX 256

/* The System part of a parsed record, to render it again as it was. */
struct render_system {
	uint64_t created_ns; /* TimeCreated, 0 when absent */
	/* computer, pid, tid, euid as the record said; provider and channel
	 * too (defaults when absent).  Strings point into the arrays. */
	struct render_host host;
	char computer[RENDER_SYSTEM_TEXT_MAX];
	char provider_name[RENDER_SYSTEM_TEXT_MAX];
	char provider_guid[RENDER_SYSTEM_TEXT_MAX];
	char channel[RENDER_SYSTEM_TEXT_MAX];
};

/*
 * render_parse_json() that also keeps the System values in *sys (a
 * string longer than RENDER_SYSTEM_TEXT_MAX - 1 is -EINVAL).  Values are
 * decoded from value text: ev holds the exact bytes that were rendered.
 */
int render_parse_json_system(const char *line, size_t len, struct event *ev,
			     struct render_system *sys);

/*
 * Decode n bytes of value text at src into dst (room for n bytes; dst
 * may be src: decoding never grows), *out_len the decoded length.
 * is_strict: a "\x" not followed by two lower-case hex digits, or "\x00",
 * is -EINVAL (the renderer writes neither).  Not strict (text a person
 * typed): such a "\x" is kept as it is.  Returns 0 or -EINVAL.
 */
int render_value_decode(char *dst, const char *src, size_t n, size_t *out_len,
			bool is_strict);

#endif /* VIGIL_RENDER_H */
