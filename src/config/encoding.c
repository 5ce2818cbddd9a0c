/* SPDX-License-Identifier: MIT */
/*
 * config/encoding.c - the bytes of a config file as the UTF-8 text handed
 * to libxml2.
 *
 * Sysmon's own tooling writes configs as UTF-16LE (with a BOM, or
 * without one), others as UTF-8 with or without a BOM.  UTF-16LE is
 * converted here rather than by libxml2, so that one code path skips
 * BOMs and leading blanks and can report columns on the text it parsed.
 * Pure: no I/O, no globals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * UTF-16LE to UTF-8 (lone surrogates become U+FFFD).  libxml2 could do
 * this itself, but converting first lets one code path skip BOMs and
 * leading blanks and report columns.
 */
static char *utf16le_to_utf8(const unsigned char *p, size_t len,
			     size_t *out_len)
{
	char *out = malloc(len / 2 * 3 + 1), *o = out;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i + 1 < len) {
		uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

		i += 2;
		if (u >= 0xd800 && u < 0xdc00 && i + 1 < len) {
			uint32_t l = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;

			if (l >= 0xdc00 && l < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (l - 0xdc00);
				i += 2;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xd800 && u < 0xe000) {
			u = 0xfffd;
		}
		/* 4 UTF-8 bytes only for pairs, which took 4 input bytes. */
		o += put_utf8(o, u);
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

int config_text_decode(const char *data, size_t len, struct config_text *t)
{
	const unsigned char *u = (const unsigned char *)data;
	const char *text = data;
	size_t text_len = len;

	*t = (struct config_text){ 0 };
	/* UTF-16LE with a BOM, or without one ('<' then NUL). */
	if ((len >= 2 && u[0] == 0xff && u[1] == 0xfe) ||
	    (len >= 4 && u[0] && !u[1] && u[2] && !u[3])) {
		size_t skip = (u[0] == 0xff) ? 2 : 0;

		t->conv = utf16le_to_utf8(u + skip, len - skip, &text_len);
		if (!t->conv)
			return -ENOMEM;
		text = t->conv;
		t->enc = "UTF-8";
	} else if (len >= 2 && u[0] == 0xfe && u[1] == 0xff) {
		return -EPROTONOSUPPORT;
	}
	if (text_len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		text_len -= 3;
	}
	/* Blanks before the first '<' are skipped, as Sysmon does; an XML
	 * declaration must otherwise come first. */
	while (text_len && (*text == ' ' || *text == '\t' || *text == '\r' ||
			    *text == '\n')) {
		if (*text == '\n')
			t->line_shift++;
		text++;
		text_len--;
	}
	t->text = text;
	t->len = text_len;
	return 0;
}
