/* SPDX-License-Identifier: MIT */
/*
 * dns/dns.c - the DNS message parser and Sysmon's renderings.
 *
 * Every length and offset comes from the packet, so every read is checked
 * against the message's end before it happens.  Each compression pointer
 * must land before where the previous one landed: a chain of them can
 * only walk backwards, so it ends.  Names are written with the bytes that could mislead a reader
 * of the text (separators, control bytes, non-ASCII) escaped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "net/net.h"

#define HEADER_LEN	 12
#define POINTER_HOPS_MAX 128 /* the backward rule bounds them anyway */

struct reader {
	const uint8_t *msg;
	size_t len;
};

static bool get16(const struct reader *r, size_t off, uint16_t *v)
{
	if (off + 2 > r->len)
		return false;
	*v = (uint16_t)(r->msg[off] << 8 | r->msg[off + 1]);
	return true;
}

/* Append one label byte to out[*n], escaped; false when out is full. */
static bool put_label_byte(char *out, size_t size, size_t *n, uint8_t c)
{
	if (c > 0x20 && c < 0x7f && c != '.' && c != ';' && c != '\\') {
		if (*n + 1 >= size)
			return false;
		out[(*n)++] = (char)c;
		return true;
	}
	if (*n + 4 >= size)
		return false;
	snprintf(out + *n, size - *n, "\\%03u", c);
	*n += 4;
	return true;
}

/*
 * Read the name at *off into out (text, no trailing dot; "." for the
 * root) and move *off past it in the message.  false when the bytes end,
 * a label type is unknown, or a pointer does not point backwards.  A
 * name too long for out is cut and ends in "...".
 */
static bool read_name(const struct reader *r, size_t *off, char *out,
		      size_t size)
{
	size_t pos = *off, n = 0, end = 0, label_start, limit = *off;
	unsigned hops = 0;
	bool jumped = false, is_full = false;

	for (;;) {
		uint8_t l;

		if (pos >= r->len)
			return false;
		l = r->msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 2 > r->len || ++hops > POINTER_HOPS_MAX)
				return false;
			target = (size_t)(l & 0x3f) << 8 | r->msg[pos + 1];
			/* Each jump must land before where the last one
			 * did (or the name began): the walk then always
			 * ends, whatever the bytes. */
			if (target >= limit)
				return false;
			limit = target;
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return false; /* 0x40 / 0x80: obsolete label types */
		if (l == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		label_start = pos + 1;
		if (label_start + l > r->len)
			return false;
		if (n && !is_full) {
			if (n + 1 < size)
				out[n++] = '.';
			else
				is_full = true;
		}
		for (size_t i = 0; i < l && !is_full; i++)
			if (!put_label_byte(out, size, &n,
					    r->msg[label_start + i]))
				is_full = true;
		pos = label_start + l;
	}
	if (is_full && size > 4) {
		n = n > size - 4 ? size - 4 : n;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	if (n == 0 && size > 1)
		out[n++] = '.';
	out[n < size ? n : size - 1] = '\0';
	*off = end;
	return true;
}

/* TXT: the character-strings joined by spaces, escaped like names. */
static void read_txt(const uint8_t *p, size_t len, char *out, size_t size)
{
	size_t n = 0, i = 0;

	while (i < len) {
		uint8_t l = p[i++];

		if (l > len - i)
			l = (uint8_t)(len - i);
		if (n && n + 1 < size)
			out[n++] = ' ';
		for (size_t k = 0; k < l; k++)
			if (!put_label_byte(out, size, &n, p[i + k]))
				break;
		i += l;
	}
	out[n < size ? n : size - 1] = '\0';
}

/* One resource record of the answer section at *off. */
static bool read_answer(const struct reader *r, size_t *off,
			struct dns_answer *a, bool *is_kept)
{
	char owner[DNS_NAME_MAX];
	uint16_t type, class, rdlen;
	size_t rd, rd_off;

	if (!read_name(r, off, owner, sizeof(owner)))
		return false;
	if (!get16(r, *off, &type) || !get16(r, *off + 2, &class) ||
	    !get16(r, *off + 8, &rdlen))
		return false;
	rd = *off + 10;
	if (rd + rdlen > r->len)
		return false;
	*off = rd + rdlen;
	memset(a->addr, 0, sizeof(a->addr));
	a->text[0] = '\0';
	a->type = type;
	*is_kept = class == 1; /* IN */
	rd_off = rd;
	switch (type) {
	case DNS_TYPE_A:
		if (rdlen != 4)
			return false;
		a->addr[10] = a->addr[11] = 0xff;
		memcpy(a->addr + 12, r->msg + rd, 4);
		return true;
	case DNS_TYPE_AAAA:
		if (rdlen != 16)
			return false;
		memcpy(a->addr, r->msg + rd, 16);
		return true;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
	case DNS_TYPE_DNAME:
	case DNS_TYPE_SOA: /* the primary server comes first */
		return read_name(r, &rd_off, a->text, sizeof(a->text)) &&
		       rd_off <= rd + rdlen;
	case DNS_TYPE_MX:
		rd_off = rd + 2;
		return rdlen >= 3 &&
		       read_name(r, &rd_off, a->text, sizeof(a->text)) &&
		       rd_off <= rd + rdlen;
	case DNS_TYPE_SRV:
		rd_off = rd + 6;
		return rdlen >= 7 &&
		       read_name(r, &rd_off, a->text, sizeof(a->text)) &&
		       rd_off <= rd + rdlen;
	case DNS_TYPE_TXT:
		read_txt(r->msg + rd, rdlen, a->text, sizeof(a->text));
		return true;
	default:
		return true; /* kept with no data */
	}
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	struct reader r = { msg, len };
	uint16_t flags = 0, qd = 0, an = 0;
	size_t off = HEADER_LEN;

	memset(out, 0, offsetof(struct dns_msg, answers));
	if (len < HEADER_LEN)
		return -EINVAL;
	get16(&r, 0, &out->id);
	get16(&r, 2, &flags);
	get16(&r, 4, &qd);
	get16(&r, 6, &an);
	out->is_response = flags & 0x8000;
	out->opcode = (flags >> 11) & 0xf;
	out->is_truncated = flags & 0x0200;
	out->rcode = flags & 0xf;
	if (qd < 1 || !read_name(&r, &off, out->qname, sizeof(out->qname)) ||
	    !get16(&r, off, &out->qtype) || !get16(&r, off + 2, &out->qclass))
		return -EINVAL;
	off += 4;
	/* Further questions (never seen in practice) are skipped. */
	for (unsigned i = 1; i < qd; i++) {
		char skip[DNS_NAME_MAX];

		if (!read_name(&r, &off, skip, sizeof(skip)) || off + 4 > len) {
			out->is_partial = true;
			return 0;
		}
		off += 4;
	}
	for (unsigned i = 0; i < an; i++) {
		struct dns_answer tmp, *a;
		bool is_kept;

		a = out->nanswers < DNS_ANSWERS_MAX
			    ? &out->answers[out->nanswers]
			    : &tmp;
		if (!read_answer(&r, &off, a, &is_kept)) {
			out->is_partial = true;
			break;
		}
		if (!is_kept)
			continue;
		if (a == &tmp)
			out->nanswers_more++;
		else
			out->nanswers++;
	}
	return 0;
}

/* Append s to out at *n when all of it fits with the NUL. */
static bool append(char *out, size_t size, size_t *n, const char *s)
{
	size_t l = strlen(s);

	if (*n + l + 1 > size)
		return false;
	memcpy(out + *n, s, l + 1);
	*n += l;
	return true;
}

void dns_format_results(const struct dns_msg *m, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	out[0] = '\0';
	for (unsigned i = 0; i < m->nanswers; i++) {
		const struct dns_answer *a = &m->answers[i];
		char item[DNS_NAME_MAX + 32], ip[NET_IP_MAX];

		if (a->type == DNS_TYPE_A) {
			/* Sysmon writes IPv4 answers v4-mapped. */
			net_format_ip_short(a->addr, ip);
			snprintf(item, sizeof(item), "::ffff:%s;", ip);
		} else if (a->type == DNS_TYPE_AAAA) {
			net_format_ip_short(a->addr, ip);
			snprintf(item, sizeof(item), "%s;", ip);
		} else {
			/* The type right-aligned in three columns, as
			 * Sysmon: "type:  5 alias.example". */
			snprintf(item, sizeof(item), "type:%3u %s;", a->type,
				 a->text);
		}
		if (!append(out, size, &n, item))
			break;
	}
	if (n == 0)
		snprintf(out, size, "-");
}

unsigned dns_status(const struct dns_msg *m)
{
	if (m->rcode)
		return DNS_STATUS_RCODE_BASE + m->rcode;
	return m->nanswers || m->nanswers_more ? DNS_STATUS_SUCCESS
					       : DNS_STATUS_NO_RECORDS;
}
