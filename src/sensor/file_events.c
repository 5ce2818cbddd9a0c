/* SPDX-License-Identifier: MIT */
/*
 * sensor/file_events.c - the file family (bpf/file.bpf.c): struct
 * wire_file records become events 2, 9, 11, 17, 18, 23 (26 is decided
 * later, by the rules: see daemon.c), 29, and 255 for io_uring
 * operations vigil cannot log.
 *
 * (Not files.c: src/service/files.c has that name, and basenames are
 * unique across src/.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "family.h"

#define NSEC_PER_SEC 1000000000ll

/* Field indexes of the subject, per event: guid, pid, image, user. */
struct subject_fields {
	struct proc_fields proc;
	int user;
};

static const struct proc_fields no_cmdline = { -1, -1, -1, -1 };

static void set_subject(struct decoder *d, const struct wire_file *f,
			struct event *ev, int guid, int pid, int image,
			int user)
{
	struct proc_fields pf = no_cmdline;

	pf.guid = guid;
	pf.pid = pid;
	pf.image = image;
	event_set_time(ev, decode_utc(d, f->hdr.ts_ns));
	decode_subject(d, &f->task, ev, &pf, user);
}

/* A wall-clock time (which may predate 1970) in Sysmon's format. */
static void set_utc(struct event *ev, unsigned idx, int64_t ns)
{
	int64_t sec = ns / NSEC_PER_SEC, frac = ns % NSEC_PER_SEC;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += NSEC_PER_SEC;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm)) {
		event_set_str(ev, idx, "-");
		return;
	}
	event_setf(ev, idx, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
		   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		   tm.tm_min, tm.tm_sec, (int)(frac / 1000000));
}

/* The record's (first) file as an absolute path. */
static int file_path(const struct wire_file *f, size_t len, char **out)
{
	if (f->path.len == 0 && !(f->path.flags & WIRE_STR_PATH))
		return -EINVAL; /* nothing named */
	return wire_strdup(f->data, len - sizeof(*f), &f->path, out);
}

static int old_path(const struct wire_file *f, size_t len, char **out)
{
	return wire_strdup(f->data, len - sizeof(*f), &f->path2, out);
}

static uint64_t user_dev(uint32_t kdev)
{
	return kdev ? makedev(kdev >> 20, kdev & 0xfffff) : 0;
}

static struct decode_want *want_file(struct decoder *d,
				     enum decode_want_kind kind, int field,
				     int path_field, const struct wire_file *f)
{
	struct decode_want *w = decode_want(d, kind, field);

	if (w) {
		w->file.path_field = path_field;
		w->file.aux_field = -1;
		w->file.dev = user_dev(f->dev);
		w->file.ino = f->ino;
	}
	return w;
}

/* Begin ev as event id with the path of f; 0 or a negative errno. */
static int begin(struct event *ev, unsigned id, const struct wire_file *f,
		 size_t len, unsigned path_idx)
{
	char *path = NULL;
	int r = file_path(f, len, &path);

	if (r < 0)
		return r;
	r = event_init(ev, id);
	if (r == 0)
		r = event_set_str(ev, path_idx, path);
	free(path);
	return r;
}

/* Event 11: a new name, or a file overwritten by an open with O_TRUNC. */
static int decode_create(struct decoder *d, const void *rec, size_t len,
			 struct event *ev)
{
	const struct wire_file *f = rec;
	uint64_t now = decode_utc(d, f->hdr.ts_ns);
	int r = begin(ev, 11, f, len, EV11_TARGET_FILENAME);

	if (r < 0)
		return r;
	set_subject(d, f, ev, EV11_PROCESS_GUID, EV11_PROCESS_ID, EV11_IMAGE,
		    EV11_USER);
	/*
	 * The birth time the filesystem keeps for a file that existed; a
	 * name this call brought into existence was born now (for rename
	 * and link: the name, the inode may be older).
	 */
	if (f->flags & WIRE_FILE_HAS_BIRTH)
		set_utc(ev, EV11_CREATION_UTC_TIME, f->birth_ns);
	else
		set_utc(ev, EV11_CREATION_UTC_TIME, (int64_t)now);
	if (f->how == WIRE_HOW_RENAME) {
		free(d->rename_from);
		d->rename_from = NULL;
		if (old_path(f, len, &d->rename_from) < 0) {
			event_release(ev);
			return -EINVAL;
		}
		want_file(d, WANT_RENAME, EV11_TARGET_FILENAME,
			  EV11_TARGET_FILENAME, f);
	} else if (f->how == WIRE_HOW_OPEN || f->how == WIRE_HOW_URING_OPEN ||
		   f->how == WIRE_HOW_LINK) {
		struct decode_want *w =
			want_file(d, WANT_HOLD, EV11_TARGET_FILENAME,
				  EV11_TARGET_FILENAME, f);

		if (w)
			w->file.mode = f->mode;
	}
	return 1;
}

/* Event 23 for now; the daemon makes it 26 when the FileDelete rules do
 * not log it and the FileDeleteDetected ones do. */
static int decode_delete(struct decoder *d, const void *rec, size_t len,
			 struct event *ev)
{
	const struct wire_file *f = rec;
	struct decode_want *w;
	int r = begin(ev, 23, f, len, EV23_TARGET_FILENAME);

	if (r < 0)
		return r;
	set_subject(d, f, ev, EV23_PROCESS_GUID, EV23_PROCESS_ID, EV23_IMAGE,
		    EV23_USER);
	event_set_str(ev, EV23_IS_EXECUTABLE, "false");
	event_set_str(ev, EV23_ARCHIVED, "false");
	if (f->how == WIRE_HOW_RMDIR)
		return 1;
	w = want_file(d, WANT_DELETED, EV23_HASHES, EV23_TARGET_FILENAME, f);
	if (w)
		w->file.aux_field = EV23_IS_EXECUTABLE;
	return 1;
}

/*
 * Event 2.  Linux cannot set a birth time, so timestomping is setting the
 * modification time: CreationUtcTime is the mtime the call set and
 * PreviousCreationUtcTime the mtime it replaced ("-" when the call named
 * the file by path, see bpf/file.bpf.c).
 */
static int decode_time(struct decoder *d, const void *rec, size_t len,
		       struct event *ev)
{
	const struct wire_file *f = rec;
	int r = begin(ev, 2, f, len, EV2_TARGET_FILENAME);

	if (r < 0)
		return r;
	set_subject(d, f, ev, EV2_PROCESS_GUID, EV2_PROCESS_ID, EV2_IMAGE,
		    EV2_USER);
	set_utc(ev, EV2_CREATION_UTC_TIME, f->birth_ns);
	if (f->flags & WIRE_FILE_HAS_PREV)
		set_utc(ev, EV2_PREVIOUS_CREATION_UTC_TIME, f->prev_ns);
	return 1;
}

/* Event 29, if enrichment finds an executable there. */
static int decode_written(struct decoder *d, const void *rec, size_t len,
			  struct event *ev)
{
	const struct wire_file *f = rec;
	struct decode_want *w;
	int r = begin(ev, 29, f, len, EV29_TARGET_FILENAME);

	if (r < 0)
		return r;
	set_subject(d, f, ev, EV29_PROCESS_GUID, EV29_PROCESS_ID, EV29_IMAGE,
		    EV29_USER);
	w = want_file(d, WANT_EXECUTABLE, EV29_HASHES, EV29_TARGET_FILENAME, f);
	if (!w) { /* no room to ask: an unchecked 29 would be a guess */
		event_release(ev);
		d->nwants = 0;
		return 0;
	}
	w->file.is_chmod = f->how == WIRE_HOW_CHMOD;
	return 1;
}

/* Events 17 and 18: PipeName the FIFO's path. */
static int decode_pipe(struct decoder *d, const void *rec, size_t len,
		       struct event *ev)
{
	const struct wire_file *f = rec;
	bool is_create = f->hdr.kind == WIRE_PIPE_CREATE;
	unsigned id = is_create ? 17 : 18;
	int r = begin(ev, id, f, len, EV17_PIPE_NAME);

	_Static_assert((int)EV17_PIPE_NAME == (int)EV18_PIPE_NAME &&
			       (int)EV17_EVENT_TYPE == (int)EV18_EVENT_TYPE &&
			       (int)EV17_IMAGE == (int)EV18_IMAGE,
		       "17 and 18 share a layout");
	if (r < 0)
		return r;
	event_set_str(ev, EV17_EVENT_TYPE,
		      is_create ? "CreatePipe" : "ConnectPipe");
	set_subject(d, f, ev, EV17_PROCESS_GUID, EV17_PROCESS_ID, EV17_IMAGE,
		    EV17_USER);
	return 1;
}

/* Event 9: Device the block device's path. */
static int decode_raw_read(struct decoder *d, const void *rec, size_t len,
			   struct event *ev)
{
	const struct wire_file *f = rec;
	int r = begin(ev, 9, f, len, EV9_DEVICE);

	if (r < 0)
		return r;
	set_subject(d, f, ev, EV9_PROCESS_GUID, EV9_PROCESS_ID, EV9_IMAGE,
		    EV9_USER);
	return 1;
}

static const char *uring_op_name(uint32_t op)
{
	switch (op) {
	case 18:
		return "IORING_OP_OPENAT";
	case 28:
		return "IORING_OP_OPENAT2";
	case 35:
		return "IORING_OP_RENAMEAT";
	case 36:
		return "IORING_OP_UNLINKAT";
	case 38:
		return "IORING_OP_SYMLINKAT";
	case 39:
		return "IORING_OP_LINKAT";
	}
	return "io_uring operation";
}

static const char *uring_events(uint32_t op)
{
	return op == 36 ? "events 23/26" : "event 11";
}

/*
 * Event 255: an io_uring file operation whose result no hook shows.  At
 * most one per opcode and second; the others are counted in the next.
 */
static int decode_uring_blind(struct decoder *d, const void *rec, size_t len,
			      struct event *ev)
{
	const struct wire_file *f = rec;
	uint32_t op = f->op < 64 ? f->op : 0;
	const struct proc *p;
	char *path = NULL, text[1024];
	int r;

	if (f->hdr.ts_ns < d->blind_next_ns[op]) {
		d->blind_suppressed[op]++;
		return 0;
	}
	d->blind_next_ns[op] = f->hdr.ts_ns + NSEC_PER_SEC;
	if (file_path(f, len, &path) < 0)
		path = NULL;
	p = proc_get(d->procs, f->task.tgid, f->task.start_ns);
	snprintf(text, sizeof(text),
		 "%s submitted through io_uring by %s (pid %u) on %s: its "
		 "result is not visible to vigil, so it is not logged as %s "
		 "(%u more such operations in the last second)",
		 uring_op_name(f->op), p && p->image ? p->image : "a process",
		 f->task.tgid, path ? path : "an unknown path",
		 uring_events(f->op), d->blind_suppressed[op]);
	d->blind_suppressed[op] = 0;
	free(path);
	if ((r = event_init(ev, 255)) < 0)
		return r;
	event_set_time(ev, decode_utc(d, f->hdr.ts_ns));
	event_set_named(ev, "ID", "IoUringNotLogged");
	event_set_named(ev, "Description", text);
	return 1;
}

#define FILE_RECORD(kind, fn)                            \
	{                                                \
		kind, sizeof(struct wire_file), true, fn \
	}

const struct sensor_family sensor_family_files_open = {
	.name = "files-open",
	/* 23: what opens create is held for ArchiveDirectory. */
	.event_ids = { 9, 11, 18, 23, 29 },
	.programs = { "on_sys_exit_open", "on_sys_exit_openat",
		      "on_sys_exit_openat2", "on_sys_exit_creat", NULL },
	.records = {
		FILE_RECORD(WIRE_FILE_CREATE, decode_create),
		FILE_RECORD(WIRE_RAW_READ, decode_raw_read),
		FILE_RECORD(WIRE_PIPE_OPEN, decode_pipe),
	},
};

const struct sensor_family sensor_family_files_names = {
	.name = "files-names",
	.event_ids = { 11, 17 },
	.programs = { "on_sys_exit_mknod", "on_sys_exit_mknodat",
		      "on_sys_exit_link", "on_sys_exit_linkat",
		      "on_sys_exit_symlink", "on_sys_exit_symlinkat", NULL },
	.records = {
		FILE_RECORD(WIRE_PIPE_CREATE, decode_pipe),
	},
};

const struct sensor_family sensor_family_files_rename = {
	.name = "files-rename",
	/* 23: held content follows renames. */
	.event_ids = { 11, 23, 26 },
	.programs = { "on_sys_exit_rename", "on_sys_exit_renameat",
		      "on_sys_exit_renameat2", NULL },
};

const struct sensor_family sensor_family_files_delete = {
	.name = "files-delete",
	.event_ids = { 23, 26 },
	.programs = { "on_sys_exit_unlink", "on_sys_exit_unlinkat",
		      "on_sys_exit_rmdir", NULL },
	.records = {
		FILE_RECORD(WIRE_FILE_DELETE, decode_delete),
	},
};

const struct sensor_family sensor_family_files_times = {
	.name = "files-times",
	.event_ids = { 2 },
	.programs = { "on_sys_enter_utimensat", "on_sys_exit_utimensat",
		      "on_sys_exit_futimesat", "on_sys_exit_utimes",
		      "on_sys_exit_utime", NULL },
	.records = {
		FILE_RECORD(WIRE_FILE_TIME, decode_time),
	},
};

const struct sensor_family sensor_family_files_exec = {
	.name = "files-exec",
	.event_ids = { 29 },
	.programs = { "on_sys_enter_close", "on_sys_enter_dup2",
		      "on_sys_enter_dup3", "on_sched_process_exit_files",
		      "on_sys_exit_chmod", "on_sys_exit_fchmod",
		      "on_sys_exit_fchmodat", "on_sys_exit_fchmodat2", NULL },
	.records = {
		FILE_RECORD(WIRE_FILE_WRITTEN, decode_written),
	},
};

const struct sensor_family sensor_family_files_uring = {
	.name = "files-uring",
	.event_ids = { 9, 11, 18, 23, 26, 29 },
	.programs = { "on_io_uring_submit_req", "on_io_uring_complete",
		      NULL },
	.records = {
		FILE_RECORD(WIRE_URING_BLIND, decode_uring_blind),
	},
};
