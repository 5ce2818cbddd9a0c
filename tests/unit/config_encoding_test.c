/* SPDX-License-Identifier: MIT */
/*
 * config_encoding_test - config_text_decode(), the bytes of a config file
 * as the UTF-8 text libxml2 parses: BOMs, UTF-16LE with and without a
 * BOM, surrogates, UTF-16BE refused, blanks before the first '<' skipped
 * and counted as lines.  (config_test loads such files end to end.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "tap.h"

/* The text of t as a NUL-terminated copy for CHECK_STR, or NULL. */
static char *text_copy(const struct config_text *t)
{
	char *s = malloc(t->len + 1);

	if (s) {
		memcpy(s, t->text, t->len);
		s[t->len] = '\0';
	}
	return s;
}

static void check_utf8(void)
{
	static const char plain[] = "<Sysmon/>";
	static const char bom[] = "\xef\xbb\xbf\n \r\n\t<Sysmon/>\n";
	struct config_text t;
	char *s;

	CHECK(config_text_decode(plain, strlen(plain), &t) == 0);
	CHECK(t.text == plain && t.len == strlen(plain));
	CHECK(t.conv == NULL && t.enc == NULL && t.line_shift == 0);

	CHECK(config_text_decode(bom, strlen(bom), &t) == 0);
	CHECK(t.conv == NULL && t.enc == NULL);
	CHECK(t.line_shift == 2);
	s = text_copy(&t);
	CHECK_STR(s, "<Sysmon/>\n");
	free(s);

	/* only blanks: empty text, which the loader refuses */
	CHECK(config_text_decode(" \n\n", 3, &t) == 0);
	CHECK(t.len == 0 && t.line_shift == 2);
}

static void check_utf16le(void)
{
	/* BOM, "\n<a>", U+00E9, U+20AC, U+1F600 (a pair), a lone low
	 * surrogate, a high one followed by a non-surrogate, "/" */
	static const unsigned char in[] = {
		0xff, 0xfe, '\n', 0,	'<',  0,    'a',  0,	'>',
		0,    0xe9, 0,	  0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde,
		0x00, 0xdc, 0x00, 0xd8, 'x',  0,    '/',  0,
	};
	static const char want[] = "<a>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
				   "\xef\xbf\xbd\xef\xbf\xbdx/";
	unsigned char odd[sizeof(in) + 1];
	struct config_text t;
	char *s;

	CHECK(config_text_decode((const char *)in, sizeof(in), &t) == 0);
	CHECK(t.conv != NULL);
	CHECK(t.enc != NULL && strcmp(t.enc, "UTF-8") == 0);
	CHECK(t.line_shift == 1);
	s = text_copy(&t);
	CHECK_STR(s, want);
	free(s);
	free(t.conv);

	/* without a BOM: a character then NUL, twice */
	CHECK(config_text_decode((const char *)in + 2, sizeof(in) - 2, &t) ==
	      0);
	CHECK(t.conv != NULL && t.line_shift == 1);
	s = text_copy(&t);
	CHECK_STR(s, want);
	free(s);
	free(t.conv);

	/* an odd last byte is dropped */
	memcpy(odd, in, sizeof(in));
	odd[sizeof(in)] = 'Z';
	CHECK(config_text_decode((const char *)odd, sizeof(odd), &t) == 0);
	s = text_copy(&t);
	CHECK_STR(s, want);
	free(s);
	free(t.conv);
}

static void check_utf16be(void)
{
	static const char in[] = "\xfe\xff\0<\0S";
	struct config_text t;

	CHECK(config_text_decode(in, sizeof(in) - 1, &t) == -EPROTONOSUPPORT);
	CHECK(t.conv == NULL);
}

int main(void)
{
	check_utf8();
	check_utf16le();
	check_utf16be();
	return tap_done("config_encoding_test");
}
