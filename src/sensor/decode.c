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
#include <sys/sysmacros.h>

#include "event/event.h"
#include "family.h"
#include "util/buf.h"

#define TRUNC_MARK   "...[truncated]"
#define DELETED_MARK " (deleted)"

int wire_read(const char *data, size_t data_len, const struct wire_str *s,
	      const char **out, size_t *n)
{
	if ((size_t)s->off + s->len > data_len)
		return -EINVAL;
	*out = data + s->off;
	*n = s->len;
	return 0;
}

/*
 * Items leaf first, each NUL-terminated -> "/a/b/c" into b: "+" first
 * when the walk stopped early, as Sysmon for Linux marks truncated paths;
 * " (deleted)" last for an unlinked file, as /proc shows it.  With
 * WIRE_STR_REL the first item is a relative path as a process gave it,
 * appended after the directory the others name.  Read from the end, so
 * no bound on the number of items is needed.
 */
static int join_path(struct buf *b, const char *p, size_t len, unsigned flags)
{
	bool is_rel = flags & WIRE_STR_REL;
	size_t end = len, rel_len = 0;
	unsigned printed = 0;
	int r = 0;

	if (len == 0) /* the root, or nothing known when cut short */
		return flags & WIRE_STR_TRUNC ? 0 : buf_addc(b, '/');
	if (p[len - 1] != '\0')
		return -EINVAL;
	if (is_rel)
		rel_len = strlen(p); /* stops at the first item's NUL */
	if (flags & WIRE_STR_TRUNC)
		r |= buf_addc(b, '+');
	/* end: one past the NUL of the item to print next */
	while (end > (is_rel ? rel_len + 1 : 0)) {
		size_t item_end = end - 1, start = item_end;

		while (start > 0 && p[start - 1] != '\0')
			start--;
		r |= buf_addc(b, '/');
		r |= buf_add(b, p + start, item_end - start);
		printed++;
		end = start;
	}
	if (rel_len > 0) {
		r |= buf_addc(b, '/');
		r |= buf_add(b, p, rel_len);
		printed++;
	}
	if (printed == 0)
		r |= buf_addc(b, '/'); /* the root itself */
	if (flags & WIRE_STR_DELETED)
		r |= buf_adds(b, DELETED_MARK);
	return r ? -ENOMEM : 0;
}

/*
 * argv-style bytes (NUL after each item) -> one line joined by spaces;
 * cut short, the line ends in TRUNC_MARK, with the whole size when the
 * kernel said it: "...[truncated: 300000 bytes]".
 */
static int join_args(struct buf *b, const char *p, size_t len,
		     const struct wire_str *s)
{
	size_t start = b->len;
	int r;

	while (len > 0 && p[len - 1] == '\0')
		len--;
	r = buf_add(b, p, len);
	for (size_t i = start; i < b->len; i++)
		if (b->data[i] == '\0')
			b->data[i] = ' ';
	if ((s->flags & WIRE_STR_TRUNC) && s->full_len)
		r |= buf_addf(b, "...[truncated: %u bytes]", s->full_len);
	else if (s->flags & WIRE_STR_TRUNC)
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
	return join_args(b, p, n, s);
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

uint64_t decode_utc(const struct decoder *d, uint64_t boot_ns)
{
	/* Unsigned: a hostile timestamp wraps instead of overflowing. */
	return boot_ns + (uint64_t)d->boot_to_utc_ns;
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

void decode_want_file(struct decoder *d, enum decode_want_kind kind, int field,
		      int path_field, const struct wire_inode *f)
{
	struct decode_want *w;

	if (kind == WANT_HASH && !d->hash_algs)
		return;
	w = decode_want(d, kind, field);
	if (!w)
		return;
	w->file.path_field = path_field;
	w->file.algs = d->hash_algs;
	w->file.id = (struct hash_id){
		.dev = makedev(f->dev >> 20, f->dev & 0xfffff),
		.ino = f->ino,
		.size = f->size,
		.mtime_sec = f->mtime_sec,
		.mtime_nsec = f->mtime_nsec,
		.ctime_sec = f->ctime_sec,
		.ctime_nsec = f->ctime_nsec,
		.version = f->version,
	};
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
	int r;

	d->nwants = 0;
	d->has_image_key = false;
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
	r = t->decode(d, data, len, ev);
	if (r == 1 && ev->err)
		r = ev->err; /* a value did not take: the event is short */
	/* Requests go with an event only, whatever a decoder asked for
	 * before it failed (found by fuzz_decode: an exec whose cgroup part
	 * is out of bounds, after its EffectiveUser request). */
	if (r != 1)
		d->nwants = 0;
	return r;
}

int decode_more(struct decoder *d, uint64_t now_boot_ns, bool is_final,
		struct event *ev)
{
	const struct sensor_family *const *fams;
	size_t n;

	d->nwants = 0;
	fams = sensor_families(&n);
	for (size_t i = 0; i < n; i++) {
		int r;

		if (!fams[i]->more)
			continue;
		r = fams[i]->more(d, now_boot_ns, is_final, ev);
		if (r != 0)
			return r;
	}
	return 0;
}

void decode_release(struct decoder *d)
{
	free(d->rename_from);
	d->rename_from = NULL;
}
