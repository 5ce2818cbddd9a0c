/* SPDX-License-Identifier: MIT */
/*
 * render/escape.h - private to the render module: a staging writer in
 * front of struct buf, and the one byte-string sanitiser every format
 * shares.
 *
 * Byte policy (the same in every format, so an event reads the same in
 * XML, JSON and text; the contract is "value text" in render.h):
 *
 *  - valid UTF-8 is copied as is, except U+FFFE and U+FFFF, which XML 1.0
 *    forbids; they are treated like invalid bytes below, and the hidden
 *    code points (C1 controls, bidirectional controls, U+2028/U+2029),
 *    which XML writes as &#N;, JSON as \uXXXX, text as "\xNN" bytes;
 *  - every byte that is not part of a valid UTF-8 sequence (stray
 *    continuation bytes, truncated sequences, overlong forms such as
 *    C0 80 or E0 80 80, encoded surrogates ED A0..BF xx, code points over
 *    U+10FFFF, F5..FF) becomes the four visible characters "\xNN" (lower
 *    case hex), one per byte, so nothing captured is lost;
 *  - a backslash followed by 'x' becomes "\x5c", so a literal "\xff" in a
 *    value never reads like the byte FF: decoding is exact;
 *  - control bytes: XML writes TAB, LF, CR as &#9; &#10; &#13; and any
 *    other C0 byte as "\xNN" (XML 1.0 cannot hold it at all); JSON writes
 *    \t \n \r and \u00XX (lossless); text writes every C0 byte and DEL
 *    as "\xNN";
 *  - markup: XML escapes & < > (and " inside attributes) like libxml2's
 *    writer; JSON escapes " and \ and never '/'.
 *
 * So no output ever holds a raw newline, and XML output is always XML 1.0
 * Char data, JSON output always valid UTF-8.
 */
#ifndef VIGIL_RENDER_ESCAPE_H
#define VIGIL_RENDER_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

struct event;
struct render_host;

/* Escaping contexts; the values are bits of the class table in escape.c. */
enum render_esc {
	RENDER_ESC_XML_TEXT = 0x1,
	RENDER_ESC_XML_ATTR = 0x2,
	RENDER_ESC_JSON = 0x4,
	RENDER_ESC_TEXT = 0x8,
};

/*
 * Small appends go to a stack chunk and reach the buf in few, larger
 * buf_add() calls; big runs of clean bytes skip the chunk.
 */
#define RENDER_OUT_CHUNK 2048

struct render_out {
	struct buf *buf;
	int err; /* first error of buf_add(), sticky */
	size_t n;
	char tmp[RENDER_OUT_CHUNK];
};

void render_out_init(struct render_out *w, struct buf *b);
void render_out_flush(struct render_out *w);
/* Flush; 0, -ENOMEM, or -ENOBUFS when the buf hit its max_bytes. */
int render_out_finish(struct render_out *w);

static inline void render_put(struct render_out *w, const void *p, size_t n)
{
	if (n > sizeof(w->tmp) - w->n) {
		render_out_flush(w);
		if (n > sizeof(w->tmp) / 2) {
			if (!w->err)
				w->err = buf_add(w->buf, p, n);
			return;
		}
	}
	memcpy(w->tmp + w->n, p, n);
	w->n += n;
}

static inline void render_puts(struct render_out *w, const char *s)
{
	render_put(w, s, strlen(s));
}

void render_put_u64(struct render_out *w, uint64_t v);

/* Append n bytes of s sanitised and escaped for context esc. */
void render_escape(struct render_out *w, const char *s, size_t n,
		   enum render_esc esc);

/*
 * Length (2..4) of the valid UTF-8 sequence at p that XML 1.0 may hold,
 * or 0 when the byte at p starts none (p[0] >= 0x80).
 */
size_t render_utf8_len(const unsigned char *p, const unsigned char *end);

/* TimeCreated text "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (30 chars + NUL). */
#define RENDER_TIME_LEN 30
void render_format_created(uint64_t utc_ns, char out[RENDER_TIME_LEN + 1]);
/* The inverse, strict; 0 or -EINVAL. */
int render_parse_created(const char *s, size_t n, uint64_t *utc_ns);

/* The host part with NULL members replaced by defaults. */
void render_host_fill(struct render_host *dst, const struct render_host *h);

void render_xml(struct render_out *w, const struct render_host *h,
		const struct event *ev, uint64_t created_ns);
void render_json(struct render_out *w, const struct render_host *h,
		 const struct event *ev, uint64_t created_ns);
void render_text(struct render_out *w, const struct render_host *h,
		 const struct event *ev);

/* How many of ev's fields h shows: Sysmon's, and vigil's own if asked. */
unsigned render_nfields(const struct render_host *h, const struct event *ev);

#endif /* VIGIL_RENDER_ESCAPE_H */
