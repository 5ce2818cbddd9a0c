/* SPDX-License-Identifier: MIT */
/*
 * sink/jsonl.c - events as JSON lines appended to a file, for shippers
 * that tail files (Filebeat, Vector, Fluent Bit, a SIEM agent).
 *
 * One write(2) per event, of the whole line: O_APPEND makes each line land
 * at the end atomically with respect to other appenders, and a write that
 * comes up short (disk full) is cut back so the file never holds half a
 * line that the next event would be glued to.
 *
 * The file can go away under the daemon: moved by log rotation (without
 * copytruncate), deleted, its directory removed.  Lines written to it
 * then would reach nobody, so before each batch (the first write after a
 * flush) the sink checks that the path still names the file it writes,
 * and opens the path again when not (creating the file).  While that fails (no directory), events are
 * refused and counted; they are written again as soon as it works.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

struct jsonl_sink {
	struct sink sink;
	struct render_host host;
	struct buf line;
	char *path;
	int fd; /* -1: the path could not be opened again */
	dev_t dev; /* the file fd is, to notice it moved or deleted */
	ino_t ino;
	bool is_batch_start; /* look at the path before the next write */
	uint64_t refused; /* since the path went, for the log */
};

/*
 * Open for appending.  A file we create gets 0640 and group adm (like the
 * store: the events are as sensitive); an existing file or device is
 * left as its owner set it.
 */
static int jsonl_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	struct group gr, *res = NULL;
	char tmp[4096];

	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	fd = open(path,
		  O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
		  0640);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0640) < 0)
		log_warn("jsonl: %s: cannot set mode: %s", path,
			 strerror(errno));
	if (geteuid() == 0 &&
	    getgrnam_r("adm", &gr, tmp, sizeof(tmp), &res) == 0 && res &&
	    fchown(fd, -1, res->gr_gid) < 0)
		log_warn("jsonl: %s: cannot set group: %s", path,
			 strerror(errno));
	return fd;
}

static void remember(struct jsonl_sink *o)
{
	struct stat st;

	if (fstat(o->fd, &st) == 0) {
		o->dev = st.st_dev;
		o->ino = st.st_ino;
	}
}

/* Open the path again if it no longer names our file; 0 or -errno. */
static int look(struct jsonl_sink *o)
{
	struct stat st;
	int fd;

	if (!o->is_batch_start)
		return o->fd >= 0 ? 0 : -ENOENT;
	o->is_batch_start = false;
	if (o->fd >= 0 && stat(o->path, &st) == 0 && st.st_dev == o->dev &&
	    st.st_ino == o->ino)
		return 0;
	fd = jsonl_open(o->path);
	if (fd < 0) {
		if (o->fd >= 0) {
			log_warn("jsonl: %s is gone and cannot be created "
				 "again: %s; events are not written to it "
				 "until it can",
				 o->path, strerror(-fd));
			close(o->fd);
			o->fd = -1;
		}
		return fd;
	}
	if (o->fd >= 0) {
		log_info("jsonl: %s was moved or deleted; writing to a new "
			 "file",
			 o->path);
		close(o->fd);
	} else {
		log_info("jsonl: %s: writing again (%llu events were not "
			 "written)",
			 o->path, (unsigned long long)o->refused);
	}
	o->fd = fd;
	o->refused = 0;
	remember(o);
	return 0;
}

static int jsonl_write(struct sink *s, const struct event *ev)
{
	struct jsonl_sink *o = s->priv;
	size_t off = 0;
	off_t start = -1;
	int err;

	err = look(o);
	if (err < 0) {
		o->refused++;
		return err;
	}
	buf_reset(&o->line);
	err = render_event(&o->line, &o->host, ev, RENDER_JSON, clock_utc_ns());
	if (err < 0)
		return err;
	err = buf_addc(&o->line, '\n');
	if (err < 0)
		return err;
	while (off < o->line.len) {
		ssize_t n = write(o->fd, o->line.data + off, o->line.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		if (off == 0 && (size_t)n < o->line.len)
			start = lseek(o->fd, 0, SEEK_END) - n;
		off += (size_t)n;
	}
	if (err < 0 && off > 0 && start >= 0 && ftruncate(o->fd, start) < 0)
		log_warn("jsonl: %s: a partial line remains: %s", o->path,
			 strerror(errno));
	return err;
}

static int jsonl_flush(struct sink *s)
{
	struct jsonl_sink *o = s->priv;

	o->is_batch_start = true;
	return 0; /* every line is written when it comes */
}

static uint64_t jsonl_last_record_id(struct sink *s)
{
	(void)s;
	return 0;
}

int sink_jsonl_reopen(struct sink *s)
{
	struct jsonl_sink *o = s->priv;
	int fd = jsonl_open(o->path);

	if (fd < 0) {
		log_warn("jsonl: %s: cannot reopen: %s", o->path,
			 strerror(-fd));
		return fd;
	}
	if (o->fd >= 0)
		close(o->fd);
	o->fd = fd;
	remember(o);
	return 0;
}

static void jsonl_free(struct sink *s)
{
	struct jsonl_sink *o;

	if (!s)
		return;
	o = s->priv;
	if (o->fd >= 0)
		close(o->fd);
	buf_release(&o->line);
	free(o->path);
	free(o);
}

struct sink *sink_jsonl_new(const char *path, const struct render_host *h)
{
	struct jsonl_sink *o;
	int fd;

	if (!path || !*path || !h) {
		errno = EINVAL;
		return NULL;
	}
	fd = jsonl_open(path);
	if (fd < 0) {
		log_error("jsonl: %s: %s", path, strerror(-fd));
		errno = -fd;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (!o || !(o->path = strdup(path))) {
		free(o);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	o->fd = fd;
	remember(o);
	o->is_batch_start = true;
	o->host = *h;
	buf_init(&o->line, 0);
	o->sink.name = "jsonl";
	o->sink.write = jsonl_write;
	o->sink.flush = jsonl_flush;
	o->sink.last_record_id = jsonl_last_record_id;
	o->sink.free = jsonl_free;
	o->sink.priv = o;
	return &o->sink;
}
