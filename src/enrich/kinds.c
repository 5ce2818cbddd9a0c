/* SPDX-License-Identifier: MIT */
/*
 * enrich/kinds.c - the table of request kinds: per kind, the fast path
 * (inline, never blocks), the slow path (on the worker), and how a result
 * fills an event.  A new kind (port names, host names) is a row here and
 * a value in enum decode_want_kind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event/event.h"
#include "util/file.h"
#include "internal.h"

static void set_if(struct event *ev, int idx, const char *v)
{
	if (idx >= 0 && v)
		event_set_str(ev, (unsigned)idx, v);
}

/* --- WANT_USER: uid -> name --------------------------------------------- */

static bool user_fast(struct enrich *e, struct event *ev,
		      const struct decode_want *w)
{
	const char *name = users_cached(e->users, w->uid);

	if (!name)
		return false;
	set_if(ev, w->field, name);
	return true;
}

static void user_slow(const struct enrich_tools *t, struct enrich_job *j)
{
	t->lookup_user(j->want.uid, j->res.text, sizeof(j->res.text));
}

static void user_learn(struct enrich *e, const struct enrich_job *j)
{
	users_store(e->users, j->want.uid, j->res.text);
}

static void user_apply(struct enrich *e, struct event *ev,
		       const struct decode_want *w, const struct enrich_job *j)
{
	(void)e;
	if (j)
		set_if(ev, w->field, j->res.text);
	else /* as an unknown user reads: its number */
		event_setf(ev, (unsigned)w->field, "%u", w->uid);
}

static bool user_same(const struct decode_want *a, const struct decode_want *b)
{
	return a->uid == b->uid;
}

/* --- WANT_PROC: what /proc says of a process the table lacks ------------ */

/* No fast path: the decoder asks only when the table has nothing. */
static bool proc_fast(struct enrich *e, struct event *ev,
		      const struct decode_want *w)
{
	(void)e;
	(void)ev;
	(void)w;
	return false;
}

static void proc_slow(const struct enrich_tools *t, struct enrich_job *j)
{
	j->res.error = proc_read_info(t->procs, j->want.proc.tgid,
				      j->want.proc.start_ns, &j->res.info);
	if (j->res.error == 0)
		t->lookup_user(j->res.info.uid, j->res.user,
			       sizeof(j->res.user));
}

static void proc_apply(struct enrich *e, struct event *ev,
		       const struct decode_want *w, const struct enrich_job *j)
{
	const struct proc *info;

	(void)e;
	if (!j || j->res.error)
		return; /* gone: the fields stay unset */
	info = &j->res.info;
	set_if(ev, w->proc.fields.guid, info->guid);
	set_if(ev, w->proc.fields.image, info->image);
	set_if(ev, w->proc.fields.cmdline, info->cmdline);
	set_if(ev, w->proc.user_field, j->res.user);
}

static bool proc_same(const struct decode_want *a, const struct decode_want *b)
{
	return a->proc.tgid == b->proc.tgid &&
	       a->proc.start_ns == b->proc.start_ns;
}

/* --- WANT_HASH: the hashes of the bytes executed ------------------------ */

static bool hash_fast(struct enrich *e, struct event *ev,
		      const struct decode_want *w)
{
	const char *path = event_value(ev, (unsigned)w->file.path_field, NULL);
	char text[HASH_TEXT_MAX];

	/* Nothing to hash: off, or no file to open ("-": unset). */
	if (!w->file.algs || (!w->file.exe_tgid && path[0] != '/'))
		return true;
	/* Over the limit by the kernel's size: not hashed, as Sysmon. */
	if (e->o.hash_max_bytes && w->file.id.size > e->o.hash_max_bytes)
		return true;
	if (!hash_cache_get(e->hashes, &w->file.id, w->file.algs, text))
		return false;
	set_if(ev, w->field, text);
	return true;
}

/* The file to open: the path in the event, or the process's own exe
 * when the path is no name the daemon can open. */
static int hash_prepare(struct enrich_job *j, const struct event *ev)
{
	char exe[32];

	if (j->want.file.exe_tgid) {
		snprintf(exe, sizeof(exe), "/proc/%u/exe",
			 j->want.file.exe_tgid);
		j->path = strdup(exe);
	} else {
		j->path = strdup(event_value(
			ev, (unsigned)j->want.file.path_field, NULL));
	}
	return j->path ? 0 : -ENOMEM;
}

static void hash_slow(const struct enrich_tools *t, struct enrich_job *j)
{
	j->res.error = hash_file(t->hashes, j->path, &j->want.file.id,
				 j->want.file.algs, j->res.text);
}

static void hash_learn(struct enrich *e, const struct enrich_job *j)
{
	if (j->res.error == 0)
		hash_cache_put(e->hashes, &j->want.file.id, j->want.file.algs,
			       j->res.text);
	else if (j->res.error == -ESTALE)
		e->stats.changed++;
}

static void hash_apply(struct enrich *e, struct event *ev,
		       const struct decode_want *w, const struct enrich_job *j)
{
	(void)e;
	if (!j)
		return;
	if (j->res.error == 0)
		set_if(ev, w->field, j->res.text);
	else if (j->res.error == -ESTALE)
		set_if(ev, w->field, ENRICH_HASH_CHANGED);
}

static bool hash_same(const struct decode_want *a, const struct decode_want *b)
{
	return a->file.algs == b->file.algs &&
	       hash_id_equal(&a->file.id, &b->file.id);
}

/* --- WANT_MODSIG: a kernel module's signature (event 6) ----------------- */

/* Always the worker: the module file is read. */
static bool modsig_fast(struct enrich *e, struct event *ev,
			const struct decode_want *w)
{
	(void)e;
	(void)w;
	/* No file to read ("-": unset): nothing to say. */
	return event_value(ev, (unsigned)w->file.path_field, NULL)[0] != '/';
}

static int modsig_prepare(struct enrich_job *j, const struct event *ev)
{
	j->path = strdup(
		event_value(ev, (unsigned)j->want.file.path_field, NULL));
	return j->path ? 0 : -ENOMEM;
}

static void modsig_slow(const struct enrich_tools *t, struct enrich_job *j)
{
	(void)t;
	enrich_module_signature(j->path, &j->want.file.id, &j->res.modsig);
}

/* Signed, Signature and SignatureStatus: field and the two after it. */
static void modsig_apply(struct enrich *e, struct event *ev,
			 const struct decode_want *w,
			 const struct enrich_job *j)
{
	(void)e;
	if (!j)
		return;
	set_if(ev, w->field, j->res.modsig.is_signed);
	set_if(ev, w->field + 1, j->res.modsig.signature);
	set_if(ev, w->field + 2, j->res.modsig.status);
}

static bool modsig_same(const struct decode_want *a,
			const struct decode_want *b)
{
	return hash_id_equal(&a->file.id, &b->file.id);
}

/* --- WANT_MODULE_AT: the file mapped at an address (event 8) ------------ */

/* /proc/PID/maps of a big process runs to megabytes; a module past this
 * much of it is not named. */
#define MAPS_MAX (4u << 20)

static bool module_fast(struct enrich *e, struct event *ev,
			const struct decode_want *w)
{
	(void)e;
	(void)ev;
	(void)w;
	return false; /* always a file to read */
}

static void module_slow(const struct enrich_tools *t, struct enrich_job *j)
{
	char path[64];
	char *text;
	ssize_t n;
	struct proc info;

	j->res.error = -ENOENT;
	/* The same process, not one that took its pid since. */
	if (proc_read_info(t->procs, j->want.at.tgid, j->want.at.start_ns,
			   &info) < 0)
		return;
	proc_info_release(&info);
	text = malloc(MAPS_MAX);
	if (!text)
		return;
	snprintf(path, sizeof(path), "/proc/%u/maps", j->want.at.tgid);
	n = file_read_head(path, text, MAPS_MAX);
	if (n > 0)
		j->res.error =
			proc_maps_find(text, (size_t)n, j->want.at.addr,
				       j->res.module, sizeof(j->res.module));
	free(text);
}

static void module_apply(struct enrich *e, struct event *ev,
			 const struct decode_want *w,
			 const struct enrich_job *j)
{
	(void)e;
	if (j && j->res.error == 0)
		set_if(ev, w->field, j->res.module);
}

static bool module_same(const struct decode_want *a,
			const struct decode_want *b)
{
	return a->at.tgid == b->at.tgid && a->at.start_ns == b->at.start_ns &&
	       a->at.addr == b->at.addr;
}

/* --- WANT_PORT_NAME: services(5), a table read at start-up -------------- */

static bool port_fast(struct enrich *e, struct event *ev,
		      const struct decode_want *w)
{
	set_if(ev, w->field,
	       net_services_name(e->services, w->port.port, w->port.protocol));
	return true; /* a table lookup: never anything slower */
}

/* --- WANT_HOSTNAME: reverse lookups, as Sysmon does them ---------------- */

/*
 * Never waits, not even on the worker: the resolver's own thread looks the
 * address up and this answers from its cache, "-" until the name is there
 * (Sysmon's way: resolved asynchronously, cached).  So a slow or dead name
 * server costs names, never an event's time in the queue.
 */
static bool host_fast(struct enrich *e, struct event *ev,
		      const struct decode_want *w)
{
	char name[NET_NAME_MAX];

	if (e->resolver && net_resolver_name(e->resolver, w->host.ip, name))
		set_if(ev, w->field, name);
	return true;
}

/* Neither ever goes to the worker: nothing to apply, nothing to share. */
static void never_apply(struct enrich *e, struct event *ev,
			const struct decode_want *w, const struct enrich_job *j)
{
	(void)e;
	(void)ev;
	(void)w;
	(void)j;
}

static bool never_same(const struct decode_want *a, const struct decode_want *b)
{
	(void)a;
	(void)b;
	return false;
}

/* --- the table ------------------------------------------------------------ */

static const struct enrich_kind kinds[WANT_KIND_MAX] = {
	[WANT_USER] = { .name = "user",
			.fast = user_fast,
			.slow = user_slow,
			.learn = user_learn,
			.apply = user_apply,
			.same = user_same },
	[WANT_PROC] = { .name = "proc",
			.fast = proc_fast,
			.slow = proc_slow,
			.apply = proc_apply,
			.same = proc_same },
	[WANT_HASH] = { .name = "hash",
			.fast = hash_fast,
			.prepare = hash_prepare,
			.slow = hash_slow,
			.learn = hash_learn,
			.apply = hash_apply,
			.same = hash_same },
	[WANT_PORT_NAME] = { .name = "port name",
			     .fast = port_fast,
			     .apply = never_apply,
			     .same = never_same },
	[WANT_MODSIG] = { .name = "module signature",
			  .fast = modsig_fast,
			  .prepare = modsig_prepare,
			  .slow = modsig_slow,
			  .apply = modsig_apply,
			  .same = modsig_same },
	[WANT_MODULE_AT] = { .name = "module at address",
			     .fast = module_fast,
			     .slow = module_slow,
			     .apply = module_apply,
			     .same = module_same },
	[WANT_HOSTNAME] = { .name = "host name",
			    .fast = host_fast,
			    .apply = never_apply,
			    .same = never_same },
};

const struct enrich_kind *enrich_kind_of(unsigned kind)
{
	return kind < WANT_KIND_MAX && kinds[kind].fast ? &kinds[kind] : NULL;
}

void enrich_job_clear(struct enrich_job *j)
{
	free(j->path);
	proc_info_release(&j->res.info); /* zeroed when it holds nothing */
	memset(j, 0, sizeof(*j));
}
