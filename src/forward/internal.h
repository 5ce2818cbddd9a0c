/* SPDX-License-Identifier: MIT */
/*
 * forward/internal.h - what the files of the forwarder share; not for
 * other modules (forward.h is the interface).
 *
 *   forward.c  `vigil forward`: settings, privileges, the supervisor, the
 *              status file, one shipper thread per destination;
 *   ship.c     a shipper: store -> batch -> target, the cursor, back-off;
 *   reader.c   reading the store in record order (read-only);
 *   message.c  RFC 5424 messages, framing and cutting (pure);
 *   conn.c     TCP, UDP and TLS connections with delivery tracking;
 *   syslog_target.c  the syslog target on top of conn.c;
 *   ch_target.c      the ClickHouse target (clickhouse/ does the HTTP).
 */
#ifndef VIGIL_FORWARD_INTERNAL_H
#define VIGIL_FORWARD_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/render.h"
#include "settings/settings.h"
#include "status/status.h"
#include "util/buf.h"

struct event;
struct sqlite3;
struct ssl_ctx_st;

/* --- message.c (pure) --------------------------------------------- */

/*
 * Append ev as one syslog message for d to out, framed for d's transport
 * (octet-counted "LEN SP MSG", LF-terminated, or bare for UDP).  When the
 * message would be longer than d->message_max, the longest values of ev
 * are cut (FieldSizes-like: the end replaced by "...") until it fits, so
 * the MSG stays well-formed XML/JSON; *is_cut says so.  ev's values may
 * change.  scratch is working space.  Returns 0, -ENOMEM, or -E2BIG when
 * even cut to nothing it does not fit (not with message_max >= 2K).
 */
int fwd_message_append(struct buf *out, const struct settings_dest *d,
		       const struct render_host *h, struct event *ev,
		       uint64_t created_ns, struct buf *scratch, bool *is_cut);

/* RFC 5424 TIMESTAMP of utc_ns: "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (27 chars). */
void fwd_timestamp(uint64_t utc_ns, char out[32]);

/* --- reader.c ----------------------------------------------------- */

/* One stored event, borrowed for the callback. */
struct fwd_row {
	uint64_t rid;
	uint64_t time_ns; /* UtcTime */
	uint64_t created_ns; /* TimeCreated */
	struct event *ev; /* decoded; the callback may change its values */
	struct render_host host;
};

/* Called per row; non-zero stops the read (1: batch full, row not used). */
typedef int fwd_row_fn(void *arg, struct fwd_row *row);

struct fwd_reader;

/* Open the store read-only; NULL with errno (ENOENT: not yet there). */
struct fwd_reader *fwd_reader_open(const char *path);
void fwd_reader_close(struct fwd_reader *r);
/* Whether path no longer names the file r opened (the daemon moved a
 * damaged store aside, or it was deleted, and started a new one). */
bool fwd_reader_is_stale(const struct fwd_reader *r, const char *path);

/*
 * Rows with EventRecordID > after in record order, at most limit, to fn.
 * Rows that do not decode are skipped and counted in *damaged.  *last_rid
 * gets the highest id used or skipped (unchanged if none).  Returns the
 * number passed to fn and used, or a negative errno (-EBUSY, -EIO).  The
 * read transaction ends before it returns.
 */
int64_t fwd_reader_read(struct fwd_reader *r, uint64_t after, unsigned limit,
			fwd_row_fn *fn, void *arg, uint64_t *damaged,
			uint64_t *last_rid);

/* Events with EventRecordID > after, and the UtcTime of the first. */
int fwd_reader_backlog(struct fwd_reader *r, uint64_t after, uint64_t *count,
		       uint64_t *oldest_ns);

/* --- conn.c ------------------------------------------------------- */

/*
 * A connection to a syslog receiver.  Writes are tracked in bytes on the
 * wire, so the sender can tell which ones the peer's TCP acknowledged
 * (wire_written minus what the kernel still holds, SIOCOUTQ).
 */
struct fwd_conn {
	int fd;
	void *ssl; /* SSL *, or NULL for plain TCP and UDP */
	bool is_udp;
	uint64_t wire_written; /* bytes handed to the kernel */
};

/*
 * TLS context of d (tls://), built before privileges are dropped: CA
 * file (or the system's CAs), client certificate, TLS 1.2 at least.  NULL
 * with a message in err.
 */
struct ssl_ctx_st *fwd_tls_ctx_new(const struct settings_dest *d, char *err,
				   size_t errlen);
void fwd_tls_ctx_free(struct ssl_ctx_st *ctx);

/*
 * Connect to d (and for TLS, handshake and verify the server's
 * certificate and name) within timeout_ms.  Returns 0, or a negative
 * errno with a sentence in err: -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH,
 * -ENOENT (no such host), -EPROTO (TLS handshake or verification).
 */
int fwd_conn_open(struct fwd_conn *c, const struct settings_dest *d,
		  struct ssl_ctx_st *ctx, int timeout_ms, char *err,
		  size_t errlen);

/*
 * Write all n bytes (one datagram for UDP).  Waits while the peer does
 * not read, up to timeout_ms in all, and stops early when *stop is set
 * (-EINTR).  Returns 0 or a negative errno with err set.
 */
int fwd_conn_write(struct fwd_conn *c, const void *p, size_t n, int timeout_ms,
		   const volatile int *stop, char *err, size_t errlen);

/* Wire bytes the peer acknowledged so far. */
uint64_t fwd_conn_acked(const struct fwd_conn *c);

/* Whether the peer closed the connection or it failed (does not wait). */
bool fwd_conn_is_broken(struct fwd_conn *c);

/*
 * Close.  graceful: wait (up to timeout_ms) until the peer acknowledged
 * everything, send TLS close_notify, half-close and wait for the peer to
 * close in turn; returns true when it did, i.e. it read all we sent.
 */
bool fwd_conn_close(struct fwd_conn *c, bool graceful, int timeout_ms);

/* --- targets ------------------------------------------------------ */

struct fwd_target;

/*
 * What a destination does; the shipper (ship.c) drives it.  Every
 * function that can fail writes a one-line reason to t->err.
 */
struct fwd_target_ops {
	/* Connect; 0 or a negative errno. */
	int (*open)(struct fwd_target *t);
	/* How many more events may be sent now (flow control). */
	unsigned (*room)(struct fwd_target *t);
	/* Add a row to the batch being built: 0, 1 (batch ends before this
	 * row: send first), or a negative errno (the row is skipped). */
	int (*add)(struct fwd_target *t, struct fwd_row *row);
	/* Send the batch built so far (ids first..last); 0 or -errno. */
	int (*send)(struct fwd_target *t);
	/* Highest id the destination surely has; sets *is_broken when the
	 * connection is gone. */
	uint64_t (*settled)(struct fwd_target *t, bool *is_broken);
	/* Close; graceful at shutdown (may settle more). */
	void (*close)(struct fwd_target *t, bool graceful);
	void (*free)(struct fwd_target *t);
};

struct fwd_target {
	const struct settings_dest *d;
	const struct fwd_target_ops *ops;
	const volatile int *stop;
	void *priv;
	uint64_t batch_first, batch_last; /* ids in the batch being built */
	unsigned batch_n;
	uint64_t cut; /* events cut to fit message_max */
	uint64_t skipped; /* events that could not be sent at all */
	/* the cursor persists at most this often (0: after every batch) */
	unsigned persist_interval_ms;
	char err[256];
};

/* The syslog target; tls_ctx (for tls://) is borrowed.  NULL, errno. */
struct fwd_target *fwd_syslog_new(const struct settings_dest *d,
				  struct ssl_ctx_st *tls_ctx);

/*
 * The ClickHouse target; password and the TLS files' contents are read
 * now (before privileges are dropped).  NULL with err set.
 */
struct fwd_target *fwd_clickhouse_new(const struct settings_dest *d, char *err,
				      size_t errlen);

/* printf into t->err. */
void fwd_target_error(struct fwd_target *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- ship.c ------------------------------------------------------- */

/* A shipper's state for the status file (guarded by the lock). */
struct fwd_dest_state {
	pthread_mutex_t lock;
	struct status_dest st;
};

struct fwd_shipper;

/*
 * Start the thread that ships the store at store_path to t, resuming
 * after the cursor in state_dir.  Takes t.  NULL with errno.
 */
struct fwd_shipper *fwd_shipper_start(struct fwd_target *t,
				      const char *store_path,
				      const char *state_dir,
				      const volatile int *stop);

/* Copy the shipper's status. */
void fwd_shipper_status(struct fwd_shipper *s, struct status_dest *out);

/* Join the thread (after *stop was set), free everything. */
void fwd_shipper_free(struct fwd_shipper *s);

#endif /* VIGIL_FORWARD_INTERNAL_H */
