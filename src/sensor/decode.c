/* SPDX-License-Identifier: MIT */
/*
 * sensor/decode.c - wire records -> canonical events.  The only reader of
 * include/wire.h on the user side; everything after it sees struct event.
 *
 * Every record is checked against its own declared lengths before any
 * byte of it is used: the ring buffer is written by our programs, but a
 * decoder that trusts lengths is one bug away from reading past a sample.
 * Adding an event family is one more case in decode_record().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "wire.h"

#include "event/event.h"
#include "proc/proc.h"
#include "sensor.h"
#include "users/users.h"
#include "util/buf.h"

#define TRUNC_MARK "..."

/* Components leaf first, NUL-terminated -> "/a/b/c" ("+" first when the
 * walk stopped early, as Sysmon for Linux marks truncated paths). */
static char *join_path(const char *p, size_t len, unsigned depth, bool is_trunc)
{
	const char *parts[WIRE_PATH_DEPTH];
	unsigned n = 0;
	size_t off = 0;
	struct buf b;

	while (off < len && n < depth && n < WIRE_PATH_DEPTH) {
		const char *nul = memchr(p + off, '\0', len - off);

		if (!nul)
			break;
		parts[n++] = p + off;
		off = (size_t)(nul - p) + 1;
	}
	buf_init(&b, 0);
	if (is_trunc)
		buf_addc(&b, '+');
	for (unsigned i = n; i-- > 0;) {
		buf_addc(&b, '/');
		buf_adds(&b, parts[i]);
	}
	if (n == 0)
		buf_addc(&b, '/');
	return b.data;
}

/* argv bytes (NUL between arguments) -> one line joined by spaces. */
static char *join_args(const char *p, size_t len, bool is_trunc)
{
	char *s = malloc(len + sizeof(TRUNC_MARK));

	if (!s)
		return NULL;
	while (len > 0 && p[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		s[i] = p[i] ? p[i] : ' ';
	s[len] = '\0';
	if (is_trunc)
		memcpy(s + len, TRUNC_MARK, sizeof(TRUNC_MARK));
	return s;
}

static uint64_t to_utc(const struct decoder *d, uint64_t boot_ns)
{
	return (uint64_t)((int64_t)boot_ns + d->boot_to_utc_ns);
}

/* Copy what event 1 needs of the parent before the table changes. */
static void set_parent(struct decoder *d, struct event *ev, uint32_t ppid)
{
	struct proc *pp = proc_find(d->procs, ppid);

	event_set_uint(ev, "ParentProcessId", ppid);
	if (!pp)
		return;
	event_set_named(ev, "ParentProcessGuid", pp->guid);
	event_set_named(ev, "ParentImage", pp->image);
	event_set_named(ev, "ParentCommandLine", pp->cmdline);
	event_set_named(ev, "ParentUser", users_name(d->users, pp->uid));
}

static void want_hashes(struct decoder *d, struct event *ev,
			const struct wire_exec *e)
{
	int idx = catalog_field_index(ev->def, "Hashes");

	if (!d->hash_algs || idx < 0)
		return;
	d->hash.is_wanted = true;
	d->hash.field = (unsigned)idx;
	d->hash.path = event_named(ev, "Image");
	d->hash.dev = makedev(e->exe_dev >> 20, e->exe_dev & 0xfffff);
	d->hash.ino = e->exe_ino;
}

static void set_logon(struct decoder *d, struct event *ev,
		      const struct wire_task *t)
{
	char guid[PROC_GUID_LEN + 1];

	/* Sysmon for Linux: LogonId is the login uid's low 16 bits in
	 * decimal; LogonGuid joins machine, session and login uid. */
	proc_format_guid(guid, proc_table_machine(d->procs), t->sessionid,
			 t->loginuid);
	event_set_named(ev, "LogonGuid", guid);
	event_set_uint(ev, "LogonId", t->loginuid & 0xffffu);
	event_set_uint(ev, "TerminalSessionId", t->sessionid);
}

static int decode_exec(struct decoder *d, const struct wire_exec *e, size_t len,
		       struct event *ev)
{
	size_t body = len - sizeof(*e);
	const char *img = e->data + e->args_len;
	const char *cwd_p = img + e->image_len;
	struct proc info = { 0 }, *p;
	char *image, *cmd, *cwd;
	int r;

	if ((size_t)e->args_len + e->image_len + e->cwd_len > body)
		return -EINVAL;
	image = join_path(img, e->image_len, e->image_depth,
			  e->flags & WIRE_F_IMAGE_TRUNC);
	cmd = join_args(e->data, e->args_len, e->flags & WIRE_F_ARGS_TRUNC);
	cwd = join_path(cwd_p, e->cwd_len, e->cwd_depth,
			e->flags & WIRE_F_CWD_TRUNC);
	if (!image || !cmd || !cwd || (r = event_init(ev, 1)) < 0) {
		free(image);
		free(cmd);
		free(cwd);
		return -ENOMEM;
	}
	event_set_time(ev, to_utc(d, e->hdr.ts_ns));
	event_set_uint(ev, "ProcessId", e->task.tgid);
	event_set_named(ev, "Image", image);
	event_set_named(ev, "CommandLine", cmd);
	event_set_named(ev, "CurrentDirectory", cwd);
	event_set_named(ev, "User", users_name(d->users, e->task.uid));
	event_set_named(ev, "IntegrityLevel", "no level");
	set_logon(d, ev, &e->task);
	set_parent(d, ev, e->task.ppid);
	free(cwd);

	info.tgid = e->task.tgid;
	info.ppid = e->task.ppid;
	info.uid = e->task.uid;
	info.loginuid = e->task.loginuid;
	info.sessionid = e->task.sessionid;
	p = proc_on_exec(d->procs, &info, ev->time_ns, image, cmd);
	if (p) {
		event_set_named(ev, "ProcessGuid", p->guid);
	} else {
		char guid[PROC_GUID_LEN + 1];

		proc_format_guid(guid, proc_table_machine(d->procs),
				 (uint32_t)(ev->time_ns / 1000000000ull),
				 ev->time_ns ^ ((uint64_t)info.tgid << 40));
		event_set_named(ev, "ProcessGuid", guid);
	}
	want_hashes(d, ev, e);
	return 1;
}

static int decode_exit(struct decoder *d, const struct wire_exit *x,
		       struct event *ev)
{
	struct proc *p = proc_find(d->procs, x->task.tgid);
	int r = event_init(ev, 5);

	if (r < 0)
		return r;
	event_set_time(ev, to_utc(d, x->hdr.ts_ns));
	event_set_uint(ev, "ProcessId", x->task.tgid);
	event_set_named(ev, "User", users_name(d->users, x->task.uid));
	if (p) {
		event_set_named(ev, "ProcessGuid", p->guid);
		event_set_named(ev, "Image", p->image);
		proc_on_exit(d->procs, x->task.tgid);
	}
	return 1;
}

int decode_record(struct decoder *d, const void *data, size_t len,
		  struct event *ev)
{
	const struct wire_hdr *h = data;

	d->hash.is_wanted = false;
	if (len < sizeof(*h) || h->len != len)
		return -EINVAL;
	switch (h->kind) {
	case WIRE_EXEC:
		if (len < sizeof(struct wire_exec))
			return -EINVAL;
		return decode_exec(d, data, len, ev);
	case WIRE_FORK: {
		const struct wire_fork *f = data;

		if (len != sizeof(*f))
			return -EINVAL;
		proc_on_fork(d->procs, f->task.tgid, f->child_tgid,
			     to_utc(d, f->hdr.ts_ns));
		return 0;
	}
	case WIRE_EXIT:
		if (len != sizeof(struct wire_exit))
			return -EINVAL;
		return decode_exit(d, data, ev);
	default:
		return -EINVAL;
	}
}
