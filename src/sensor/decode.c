/* SPDX-License-Identifier: MIT */
/*
 * sensor/decode.c - the dispatcher and what every family's decoder
 * shares: the header check, the bounds-checked reader of wire_str parts,
 * path joining, the subject fields and enrichment requests.
 *
 * Every record is checked against its own declared lengths before any
 * byte of it is used: the ring buffer is written by our programs, but a
 * decoder that trusts lengths is one bug away from reading past a sample.
 * Decoding is pure: no I/O; what needs I/O is asked of enrichment.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "family.h"
#include "util/buf.h"

#define TRUNC_MARK   "..."
#define DELETED_MARK " (deleted)"
/* Components of one path the reader joins: WIRE_PATH_MAX bytes hold at
 * most this many (a byte and a NUL each). */
#define PATH_PARTS_MAX (WIRE_PATH_MAX / 2)

int wire_read(const char *data, size_t data_len, const struct wire_str *s,
	      const char **out, size_t *n)
{
	if ((size_t)s->off + s->len > data_len)
		return -EINVAL;
	*out = data + s->off;
	*n = s->len;
	return 0;
}

/* Components leaf first, NUL-terminated -> "/a/b/c" into b ("+" first
 * when the walk stopped early, as Sysmon for Linux marks truncated
 * paths; " (deleted)" last for an unlinked file, as /proc shows it). */
static int join_path(struct buf *b, const char *p, size_t len, unsigned flags)
{
	uint32_t ends[PATH_PARTS_MAX]; /* offset one past each component */
	unsigned n = 0;
	size_t off = 0;
	int r = 0;

	while (off < len) {
		const char *nul = memchr(p + off, '\0', len - off);

		if (!nul || n == PATH_PARTS_MAX)
			return -EINVAL;
		off = (size_t)(nul - p) + 1;
		ends[n++] = (uint32_t)off;
	}
	if (flags & WIRE_STR_TRUNC)
		r |= buf_addc(b, '+');
	for (unsigned i = n; i-- > 0;) {
		size_t start = i ? ends[i - 1] : 0;

		r |= buf_addc(b, '/');
		r |= buf_add(b, p + start, ends[i] - 1 - start);
	}
	if (n == 0)
		r |= buf_addc(b, '/');
	if (flags & WIRE_STR_DELETED)
		r |= buf_adds(b, DELETED_MARK);
	return r ? -ENOMEM : 0;
}

/* argv-style bytes (NUL between items) -> one line joined by spaces. */
static int join_args(struct buf *b, const char *p, size_t len, bool is_trunc)
{
	size_t start = b->len;
	int r;

	while (len > 0 && p[len - 1] == '\0')
		len--;
	r = buf_add(b, p, len);
	for (size_t i = start; i < b->len; i++)
		if (b->data[i] == '\0')
			b->data[i] = ' ';
	if (is_trunc)
		r |= buf_adds(b, TRUNC_MARK);
	return r ? -ENOMEM : 0;
}

static int read_into(struct buf *b, const char *data, size_t data_len,
		     const struct wire_str *s)
{
	const char *p;
	size_t n;
	int r = wire_read(data, data_len, s, &p, &n);

	if (r < 0)
		return r;
	if (s->flags & WIRE_STR_PATH)
		return join_path(b, p, n, s->flags);
	return join_args(b, p, n, s->flags & WIRE_STR_TRUNC);
}

int wire_strdup(const char *data, size_t data_len, const struct wire_str *s,
		char **out)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = read_into(&b, data, data_len, s);
	if (r == 0 && !b.data && !(b.data = strdup("")))
		r = -ENOMEM;
	if (r < 0) {
		buf_release(&b);
		return r;
	}
	*out = b.data;
	return 0;
}

int wire_set_field(struct event *ev, unsigned idx, const char *data,
		   size_t data_len, const struct wire_str *s)
{
	char *v;
	int r = wire_strdup(data, data_len, s, &v);

	if (r < 0)
		return r;
	r = event_set_str(ev, idx, v);
	free(v);
	return r;
}

/* Append name's components to b, each after a '/', dropping empty ones
 * and "." (".." is kept: only the kernel knows where it leads). */
static int add_components(struct buf *b, const char *p, size_t len)
{
	int r = 0;

	while (len > 0) {
		const char *slash = memchr(p, '/', len);
		size_t n = slash ? (size_t)(slash - p) : len;

		if (n > 0 && !(n == 1 && p[0] == '.')) {
			r |= buf_addc(b, '/');
			r |= buf_add(b, p, n);
		}
		if (!slash)
			break;
		len -= n + 1;
		p = slash + 1;
	}
	return r;
}

int wire_join_at(const char *data, size_t data_len, const struct wire_str *dir,
		 const struct wire_str *name, char **out)
{
	const char *p, *n;
	size_t plen, nlen;
	struct buf b;
	int r;

	if ((r = wire_read(data, data_len, dir, &p, &plen)) < 0 ||
	    (r = wire_read(data, data_len, name, &n, &nlen)) < 0)
		return r;
	if (memchr(n, '\0', nlen))
		return -EINVAL;
	buf_init(&b, 0);
	r = 0;
	if (dir->flags & WIRE_STR_PATH) {
		r = join_path(&b, p, plen, dir->flags & ~WIRE_STR_DELETED);
		/* The root alone joins as "", not "/". */
		if (r == 0 && b.len == 1 && b.data[0] == '/')
			b.len = 0;
	} else if (nlen == 0 || n[0] != '/') {
		/* The directory was gone by the time the kernel looked:
		 * the name as given is all there is. */
		r = buf_addc(&b, '.');
	}
	if (r == 0)
		r = add_components(&b, n, nlen) ? -ENOMEM : 0;
	if (r == 0 && b.len == 0)
		r = buf_addc(&b, '/') ? -ENOMEM : 0;
	if (r < 0) {
		buf_release(&b);
		return r;
	}
	*out = b.data;
	return 0;
}

uint64_t decode_utc(const struct decoder *d, uint64_t boot_ns)
{
	return (uint64_t)((int64_t)boot_ns + d->boot_to_utc_ns);
}

struct decode_want *decode_want(struct decoder *d, enum decode_want_kind kind,
				int field)
{
	struct decode_want *w;

	if (field < 0 || d->nwants == DECODE_MAX_WANTS)
		return NULL;
	w = &d->wants[d->nwants++];
	memset(w, 0, sizeof(*w));
	w->kind = kind;
	w->field = field;
	return w;
}

void decode_want_user(struct decoder *d, int field, uint32_t uid)
{
	struct decode_want *w = decode_want(d, WANT_USER, field);

	if (w)
		w->uid = uid;
}

const struct proc *decode_subject(struct decoder *d,
				  const struct wire_task *task,
				  struct event *ev, const struct proc_fields *f,
				  int user_field)
{
	const struct proc *p = proc_subject(d->procs, task, ev, f);

	decode_want_user(d, user_field, task->uid);
	if (!p && (f->image >= 0 || f->cmdline >= 0)) {
		struct decode_want *w = decode_want(d, WANT_PROC, f->image);

		if (w) {
			w->proc.tgid = task->tgid;
			w->proc.start_ns = task->start_ns;
			w->proc.fields = *f;
			w->proc.fields.guid = -1; /* known from the task */
			w->proc.fields.pid = -1;
			w->proc.user_field = -1;
		}
	}
	return p;
}

int decode_record(struct decoder *d, const void *data, size_t len,
		  struct event *ev)
{
	const struct wire_hdr *h = data;
	const struct sensor_record_type *t;

	d->nwants = 0;
	if (len < sizeof(*h) || h->len != len)
		return -EINVAL;
	t = h->kind < WIRE_KIND_MAX ? d->by_kind[h->kind] : NULL;
	if (!t && !d->is_indexed) {
		for (uint32_t k = 0; k < WIRE_KIND_MAX; k++)
			d->by_kind[k] = sensor_record_type(k);
		d->is_indexed = true;
		t = h->kind < WIRE_KIND_MAX ? d->by_kind[h->kind] : NULL;
	}
	if (!t || len < t->size || (!t->has_data && len != t->size))
		return -EINVAL;
	return t->decode(d, data, len, ev);
}

void decode_release(struct decoder *d)
{
	free(d->rename_from);
	d->rename_from = NULL;
}
