/* SPDX-License-Identifier: MIT */
/*
 * render/escape.c - the staging writer, the shared UTF-8 repair and
 * XML/JSON/text escaping (policy in escape.h), and TimeCreated text.
 *
 * The escaper is on the hot path of every event: it scans runs of bytes
 * that need nothing with one table lookup per byte, copies each run with
 * one memcpy, and only stops for the rare byte that needs work.
 */
#include <errno.h>
#include <stdbool.h>

#include "escape.h"
#include "render.h"

void render_out_init(struct render_out *w, struct buf *b)
{
	w->buf = b;
	w->err = 0;
	w->n = 0;
}

void render_out_flush(struct render_out *w)
{
	if (w->n && !w->err)
		w->err = buf_add(w->buf, w->tmp, w->n);
	w->n = 0;
}

int render_out_finish(struct render_out *w)
{
	render_out_flush(w);
	if (w->err)
		return w->err;
	/* A cut record is broken XML/JSON: tell the caller not to ship it. */
	return w->buf->is_full ? -ENOBUFS : 0;
}

void render_put_u64(struct render_out *w, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	render_put(w, tmp + i, sizeof(tmp) - i);
}

/*
 * Per byte, the contexts (enum render_esc bits) in which it needs work;
 * 0x10 marks bytes >= 0x80, which need UTF-8 validation everywhere.
 */
#define C 0x0f /* C0 control: every context */
#define Q 0x06 /* '"': XML attributes and JSON */
#define M 0x03 /* & < >: XML */
#define B 0x0f /* '\\': every context (before 'x' it is escaped) */
#define D 0x08 /* DEL: text (terminals) */
#define H 0x10 /* high bit: validate UTF-8 */
static const unsigned char esc_class[256] = {
	C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0x00 */
	C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0x10 */
	0, 0, Q, 0, 0, 0, M, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, M, 0, M, 0, /* 0x30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, B, 0, 0, 0, /* 0x50 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, D, /* 0x70 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0x80 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0x90 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0xa0 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0xb0 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0xc0 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0xd0 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0xe0 */
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, /* 0xf0 */
};
#undef C
#undef Q
#undef M
#undef B
#undef D
#undef H

static inline int is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t render_utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t avail = (size_t)(end - p);
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;

	if (c < 0xc2) /* ASCII, stray continuation, overlong C0/C1 */
		return 0;
	if (c < 0xe0)
		return avail >= 2 && is_cont(p[1]) ? 2 : 0;
	if (c < 0xf0) {
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
		if (avail < 3 || p[1] < lo || p[1] > hi || !is_cont(p[2]))
			return 0;
		/* U+FFFE, U+FFFF: valid UTF-8 but not XML 1.0 Char. */
		if (c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
			return 0;
		return 3;
	}
	if (c < 0xf5) {
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* over U+10FFFF */
		if (avail < 4 || p[1] < lo || p[1] > hi || !is_cont(p[2]) ||
		    !is_cont(p[3]))
			return 0;
		return 4;
	}
	return 0;
}

static const char hexdig[] = "0123456789abcdef";

/* "\xNN" (JSON: "\\xNN", so the text survives decoding). */
static void put_byte_text(struct render_out *w, unsigned char c,
			  enum render_esc esc)
{
	char t[5] = { '\\', '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };

	if (esc == RENDER_ESC_JSON)
		render_put(w, t, 5);
	else
		render_put(w, t + 1, 4);
}

/*
 * A backslash: "\x5c" when an 'x' follows it, so that "\x" in value text
 * always starts a byte escape; otherwise itself (JSON: "\\").
 */
static void put_backslash(struct render_out *w, bool is_before_x,
			  enum render_esc esc)
{
	if (is_before_x)
		put_byte_text(w, '\\', esc);
	else if (esc == RENDER_ESC_JSON)
		render_put(w, "\\\\", 2);
	else
		render_put(w, "\\", 1);
}

/*
 * The code point of the valid UTF-8 sequence p[0..u) when it is one a
 * reader cannot see but a terminal or a bidirectional display acts on:
 * the C1 controls U+0080..U+009F (NEL, CSI, OSC...), the bidirectional
 * controls U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069, and
 * the line and paragraph separators U+2028, U+2029.  0 for any other.
 */
static unsigned hidden_cp(const unsigned char *p, size_t u)
{
	unsigned cp;

	if (u == 2)
		return p[0] == 0xc2 && p[1] < 0xa0    ? p[1]
		       : p[0] == 0xd8 && p[1] == 0x9c ? 0x61c
						      : 0;
	if (u != 3 || p[0] != 0xe2 || (p[1] != 0x80 && p[1] != 0x81))
		return 0;
	cp = 0x2000u | (unsigned)(p[1] & 0x3f) << 6 | (unsigned)(p[2] & 0x3f);
	if (cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return cp;
	return 0;
}

/* A hidden code point: XML "&#N;", JSON "\uXXXX", text its bytes. */
static void put_hidden(struct render_out *w, const unsigned char *p, size_t u,
		       unsigned cp, enum render_esc esc)
{
	char t[8];

	switch (esc) {
	case RENDER_ESC_JSON:
		memcpy(t, "\\u", 2);
		for (int i = 0; i < 4; i++)
			t[2 + i] = hexdig[cp >> (12 - 4 * i) & 15];
		render_put(w, t, 6);
		break;
	case RENDER_ESC_TEXT:
		for (size_t i = 0; i < u; i++)
			put_byte_text(w, p[i], esc);
		break;
	default:
		render_put(w, "&#", 2);
		render_put_u64(w, cp);
		render_put(w, ";", 1);
		break;
	}
}

static void put_special(struct render_out *w, unsigned char c,
			enum render_esc esc)
{
	if (esc == RENDER_ESC_JSON) {
		char u[6] = { '\\',	      'u',	     '0', '0',
			      hexdig[c >> 4], hexdig[c & 15] };

		switch (c) {
		case '"':
			render_put(w, "\\\"", 2);
			return;
		case '\n':
			render_put(w, "\\n", 2);
			return;
		case '\t':
			render_put(w, "\\t", 2);
			return;
		case '\r':
			render_put(w, "\\r", 2);
			return;
		default:
			render_put(w, u, 6);
			return;
		}
	}
	if (esc == RENDER_ESC_TEXT) {
		/* TAB, LF, CR too: "\n" would read like a literal one. */
		put_byte_text(w, c, esc);
		return;
	}
	switch (c) { /* XML text and attributes */
	case '&':
		render_put(w, "&amp;", 5);
		return;
	case '<':
		render_put(w, "&lt;", 4);
		return;
	case '>':
		render_put(w, "&gt;", 4);
		return;
	case '"':
		render_put(w, "&quot;", 6);
		return;
	case '\t':
		render_put(w, "&#9;", 4);
		return;
	case '\n':
		render_put(w, "&#10;", 5);
		return;
	case '\r':
		render_put(w, "&#13;", 5);
		return;
	default:
		put_byte_text(w, c, esc);
		return;
	}
}

/*
 * Word-at-a-time test for "some byte in v needs work": any byte >= 0x80,
 * < 0x20, or equal to one of the context's markup bytes.  Each test is
 * exact for the word as a whole (the classic has-zero-byte trick).
 */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t any_below(uint64_t v, unsigned char n)
{
	return (v - ONES * n) & ~v & HIGHS;
}

static inline uint64_t any_equal(uint64_t v, unsigned char c)
{
	return any_below(v ^ (ONES * c), 1);
}

/* Skip whole 8-byte words that need nothing in context esc. */
static const unsigned char *skip_clean(const unsigned char *p,
				       const unsigned char *end,
				       enum render_esc esc)
{
	uint64_t v;

	switch (esc) {
	case RENDER_ESC_XML_TEXT:
		for (; end - p >= 8; p += 8) {
			v = load64(p);
			if ((v & HIGHS) | any_below(v, 0x20) |
			    any_equal(v, '<') | any_equal(v, '>') |
			    any_equal(v, '&') | any_equal(v, '\\'))
				break;
		}
		break;
	case RENDER_ESC_XML_ATTR:
		for (; end - p >= 8; p += 8) {
			v = load64(p);
			if ((v & HIGHS) | any_below(v, 0x20) |
			    any_equal(v, '<') | any_equal(v, '>') |
			    any_equal(v, '&') | any_equal(v, '"') |
			    any_equal(v, '\\'))
				break;
		}
		break;
	case RENDER_ESC_JSON:
		for (; end - p >= 8; p += 8) {
			v = load64(p);
			if ((v & HIGHS) | any_below(v, 0x20) |
			    any_equal(v, '"') | any_equal(v, '\\'))
				break;
		}
		break;
	case RENDER_ESC_TEXT:
		for (; end - p >= 8; p += 8) {
			v = load64(p);
			if ((v & HIGHS) | any_below(v, 0x20) |
			    any_equal(v, 0x7f) | any_equal(v, '\\'))
				break;
		}
		break;
	}
	return p;
}

void render_escape(struct render_out *w, const char *s, size_t n,
		   enum render_esc esc)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char mask = (unsigned char)(esc | 0x10);

	while (p < end) {
		const unsigned char *run = p;
		unsigned cp = 0;
		size_t u = 0;

		/* Clean ASCII and visible valid UTF-8 extend the run. */
		for (;;) {
			p = skip_clean(p, end, esc);
			while (p < end && !(esc_class[*p] & mask))
				p++;
			if (p < end && *p >= 0x80 &&
			    (u = render_utf8_len(p, end)) != 0 &&
			    (cp = hidden_cp(p, u)) == 0) {
				p += u;
				continue;
			}
			break;
		}
		if (p > run)
			render_put(w, run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p >= 0x80 && u) {
			put_hidden(w, p, u, cp, esc);
			p += u;
			continue;
		}
		if (*p >= 0x80)
			put_byte_text(w, *p, esc);
		else if (*p == '\\')
			put_backslash(w, p + 1 < end && p[1] == 'x', esc);
		else
			put_special(w, *p, esc);
		p++;
	}
}

static int hex_value(unsigned char c, bool is_strict)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (!is_strict && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int render_value_decode(char *dst, const char *src, size_t n, size_t *out_len,
			bool is_strict)
{
	const unsigned char *p = (const unsigned char *)src, *end = p + n;
	size_t o = 0;

	while (p < end) {
		const unsigned char *bs = memchr(p, '\\', (size_t)(end - p));
		int hi, lo;

		if (!bs)
			bs = end;
		memmove(dst + o, p, (size_t)(bs - p));
		o += (size_t)(bs - p);
		p = bs;
		if (p == end)
			break;
		if (end - p >= 4 && p[1] == 'x' &&
		    (hi = hex_value(p[2], is_strict)) >= 0 &&
		    (lo = hex_value(p[3], is_strict)) >= 0 && (hi | lo)) {
			dst[o++] = (char)(hi << 4 | lo);
			p += 4;
			continue;
		}
		if (is_strict && end - p >= 2 && p[1] == 'x')
			return -EINVAL; /* the renderer writes no such "\x" */
		dst[o++] = (char)*p++;
	}
	*out_len = o;
	return 0;
}

/*
 * Civil date <-> days since 1970-01-01 in the proleptic Gregorian
 * calendar, with 400-year eras (no libc: gmtime_r takes a lock and
 * snprintf costs more than the rest of the record).
 */
static void civil_from_days(uint64_t days, unsigned *y, unsigned *m,
			    unsigned *d)
{
	uint64_t z = days + 719468;
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;

	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	uint64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void put_digits(char *out, uint64_t v, int width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

void render_format_created(uint64_t utc_ns, char out[RENDER_TIME_LEN + 1])
{
	uint64_t secs = utc_ns / 1000000000u, sod = secs % 86400;
	unsigned y, m, d;

	civil_from_days(secs / 86400, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00.000000000Z", RENDER_TIME_LEN + 1);
	put_digits(out, y, 4);
	put_digits(out + 5, m, 2);
	put_digits(out + 8, d, 2);
	put_digits(out + 11, sod / 3600, 2);
	put_digits(out + 14, sod / 60 % 60, 2);
	put_digits(out + 17, sod % 60, 2);
	put_digits(out + 20, utc_ns % 1000000000u, 9);
}

static int get_digits(const char *s, int width, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < width; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

int render_parse_created(const char *s, size_t n, uint64_t *utc_ns)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30,
					       31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, ns;
	uint64_t secs;

	if (n != RENDER_TIME_LEN || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
	    s[29] != 'Z')
		return -EINVAL;
	if (get_digits(s, 4, &y) || get_digits(s + 5, 2, &mo) ||
	    get_digits(s + 8, 2, &d) || get_digits(s + 11, 2, &h) ||
	    get_digits(s + 14, 2, &mi) || get_digits(s + 17, 2, &sec) ||
	    get_digits(s + 20, 9, &ns))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return -EINVAL;
	secs = days_from_civil(y, mo, d) * 86400 + (uint64_t)h * 3600 +
	       (uint64_t)mi * 60 + sec;
	/* Beyond 2554 the ns count no longer fits 64 bits. */
	if (secs > (UINT64_MAX - ns) / 1000000000u)
		return -EINVAL;
	*utc_ns = secs * 1000000000u + ns;
	return 0;
}
