/* SPDX-License-Identifier: MIT */
/*
 * sensor/process.c - the process family (bpf/proc.bpf.c): exec becomes
 * event 1 ProcessCreate, thread-group exit event 5 ProcessTerminate, and
 * fork only updates the process table.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "family.h"

/* Copy what event 1 needs of the parent before the table changes. */
static void set_parent(struct decoder *d, struct event *ev,
		       const struct wire_task *t)
{
	static const struct proc_fields f = {
		.guid = EV1_PARENT_PROCESS_GUID,
		.pid = EV1_PARENT_PROCESS_ID,
		.image = EV1_PARENT_IMAGE,
		.cmdline = EV1_PARENT_COMMAND_LINE,
	};
	const struct proc *pp = proc_get(d->procs, t->ppid, t->parent_start_ns);
	struct decode_want *w;

	event_set_u64(ev, EV1_PARENT_PROCESS_ID, t->ppid);
	if (pp && pp->image) {
		event_set_str(ev, EV1_PARENT_PROCESS_GUID, pp->guid);
		event_set_str(ev, EV1_PARENT_IMAGE, pp->image);
		event_set_str(ev, EV1_PARENT_COMMAND_LINE, pp->cmdline);
		decode_want_user(d, EV1_PARENT_USER, pp->uid);
		return;
	}
	/* A parent the table lacks: its GUID needs its image's end of
	 * code, which only /proc can tell now. */
	w = decode_want(d, WANT_PROC, EV1_PARENT_IMAGE);
	if (w) {
		w->proc.tgid = t->ppid;
		w->proc.start_ns = t->parent_start_ns;
		w->proc.fields = f;
		w->proc.fields.pid = -1;
		w->proc.user_field = EV1_PARENT_USER;
	}
}

static void set_logon(struct decoder *d, struct event *ev,
		      const struct wire_task *t)
{
	char guid[PROC_GUID_LEN + 1];

	/* Sysmon for Linux: LogonId is the login uid's low 16 bits in
	 * decimal; LogonGuid joins machine, session and login uid. */
	proc_format_guid(guid, proc_table_machine(d->procs), t->sessionid,
			 t->loginuid);
	event_set_str(ev, EV1_LOGON_GUID, guid);
	event_setf(ev, EV1_LOGON_ID, "%u", t->loginuid & 0xffffu);
	event_setf(ev, EV1_TERMINAL_SESSION_ID, "%u", t->sessionid);
}

/* Whether the process sees the daemon's mount namespace (its paths are
 * the daemon's paths); true when the daemon's is unknown. */
static bool is_host_ns(const struct decoder *d, const struct wire_exec *e)
{
	return !d->host_mnt_ns || e->ctx.mnt_ns == d->host_mnt_ns;
}

static void want_hashes(struct decoder *d, const struct wire_exec *e)
{
	struct decode_want *w;

	if (!d->hash_algs)
		return;
	w = decode_want(d, WANT_HASH, EV1_HASHES);
	if (!w)
		return;
	w->file.path_field = EV1_IMAGE;
	w->file.algs = d->hash_algs;
	w->file.id = (struct hash_id){
		.dev = makedev(e->exe.dev >> 20, e->exe.dev & 0xfffff),
		.ino = e->exe.ino,
		.size = e->exe.size,
		.mtime_sec = e->exe.mtime_sec,
		.mtime_nsec = e->exe.mtime_nsec,
		.ctime_sec = e->exe.ctime_sec,
		.ctime_nsec = e->exe.ctime_nsec,
		.version = e->exe.version,
	};
	/* Image names no file the daemon can open: the file is reached
	 * through the process itself, the inode check still applies. */
	if (!is_host_ns(d, e) || (e->image.flags & WIRE_STR_DELETED))
		w->file.exe_tgid = e->task.tgid;
}

/* "docker-<id>.scope", "/docker/<id>", "cri-containerd-<id>.scope",
 * "crio-<id>.scope", "libpod-<id>.scope/container" ... */
int sensor_container_id(const char *cgroup, size_t *off)
{
	int found = -ENOENT;
	size_t run = 0, i;

	for (i = 0;; i++) {
		char c = cgroup[i];
		bool is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');

		if (is_hex) {
			run++;
			continue;
		}
		if (run == 64 && (i == 64 || strchr("/-.:", cgroup[i - 65])) &&
		    (c == '\0' || strchr("/-.:", c))) {
			*off = i - 64;
			found = 0;
		}
		run = 0;
		if (c == '\0')
			break;
	}
	return found;
}

/*
 * Privilege and where the process runs.  IntegrityLevel: High when the
 * image runs with effective uid 0, Medium otherwise (docs/guarantees.md);
 * the rest are vigil's extra fields.
 */
static int set_context(struct decoder *d, struct event *ev,
		       const struct wire_exec *e, size_t data_len)
{
	char *cgroup = NULL;
	size_t off;
	int r;

	/* The part that can be refused first: a refused record asks
	 * enrichment for nothing. */
	r = wire_strdup(e->data, data_len, &e->cgroup, &cgroup);
	if (r < 0)
		return r;
	event_set_str(ev, EV1_INTEGRITY_LEVEL,
		      e->task.euid == 0 ? "High" : "Medium");
	decode_want_user(d, EV1_EFFECTIVE_USER, e->task.euid);
	event_set_str(ev, EV1_HOST_NAMESPACE,
		      is_host_ns(d, e) ? "true" : "false");
	event_setf(ev, EV1_MOUNT_NAMESPACE, "%u", e->ctx.mnt_ns);
	event_setf(ev, EV1_PID_NAMESPACE, "%u", e->ctx.pid_ns);
	event_setf(ev, EV1_NAMESPACE_PROCESS_ID, "%u", e->ctx.ns_pid);
	event_set_str(ev, EV1_CGROUP, cgroup);
	if (sensor_container_id(cgroup, &off) == 0)
		event_set(ev, EV1_CONTAINER_ID, cgroup + off, 64);
	free(cgroup);
	return 0;
}

static int decode_exec(struct decoder *d, const void *rec, size_t len,
		       struct event *ev)
{
	const struct wire_exec *e = rec;
	size_t data_len = len - sizeof(*e);
	char *image = NULL, *cmd = NULL, guid[PROC_GUID_LEN + 1];
	int r;

	if ((r = wire_strdup(e->data, data_len, &e->image, &image)) < 0 ||
	    (r = wire_strdup(e->data, data_len, &e->args, &cmd)) < 0 ||
	    (r = event_init(ev, 1)) < 0)
		goto fail;
	r = wire_set_field(ev, EV1_CURRENT_DIRECTORY, e->data, data_len,
			   &e->cwd);
	if (r == 0)
		r = set_context(d, ev, e, data_len);
	if (r < 0) {
		event_release(ev);
		goto fail;
	}
	event_set_time(ev, decode_utc(d, e->hdr.ts_ns));
	proc_guid(d->procs, e->task.tgid, e->task.start_ns, e->task.end_code,
		  guid);
	event_set_str(ev, EV1_PROCESS_GUID, guid);
	event_set_u64(ev, EV1_PROCESS_ID, e->task.tgid);
	event_set_str(ev, EV1_IMAGE, image);
	event_set_str(ev, EV1_COMMAND_LINE, cmd);
	decode_want_user(d, EV1_USER, e->task.uid);
	set_logon(d, ev, &e->task);
	set_parent(d, ev, &e->task);
	want_hashes(d, e);
	/* The table takes the strings; a full table frees them. */
	proc_on_exec(d->procs, &e->task, image, cmd);
	return 1;
fail:
	free(image);
	free(cmd);
	return r;
}

static int decode_fork(struct decoder *d, const void *rec, size_t len,
		       struct event *ev)
{
	const struct wire_fork *f = rec;

	(void)len;
	(void)ev;
	proc_on_fork(d->procs, &f->task, f->child_tgid, f->child_start_ns);
	return 0;
}

static int decode_exit(struct decoder *d, const void *rec, size_t len,
		       struct event *ev)
{
	static const struct proc_fields f = {
		.guid = EV5_PROCESS_GUID,
		.pid = EV5_PROCESS_ID,
		.image = EV5_IMAGE,
		.cmdline = -1,
	};
	const struct wire_exit *x = rec;
	int r = event_init(ev, 5);

	(void)len;
	if (r < 0)
		return r;
	event_set_time(ev, decode_utc(d, x->hdr.ts_ns));
	/* No /proc request for a process that is gone: what the table
	 * knows is all there is. */
	proc_subject(d->procs, &x->task, ev, &f);
	decode_want_user(d, EV5_USER, x->task.uid);
	proc_on_exit(d->procs, &x->task);
	return 1;
}

const struct sensor_family sensor_family_process = {
	.name = "process",
	.event_ids = { 1, 5 },
	.programs = { NULL }, /* all three are in sensor_always_on */
	.records = {
		{ WIRE_EXEC, sizeof(struct wire_exec), true, decode_exec },
		{ WIRE_FORK, sizeof(struct wire_fork), false, decode_fork },
		{ WIRE_EXIT, sizeof(struct wire_exit), false, decode_exit },
	},
};
