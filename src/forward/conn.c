/* SPDX-License-Identifier: MIT */
/*
 * forward/conn.c - connections to syslog receivers: TCP, UDP, and TLS
 * (RFC 5425) with OpenSSL.
 *
 * Sockets are non-blocking and every wait is a poll() with a deadline,
 * so a receiver that stops reading can hold up its own shipper only for
 * the write timeout, and shutdown is never stuck in a send().
 *
 * Delivery tracking: TCP tells the sender nothing about what the
 * receiving program did, but the kernel knows how many of the bytes
 * written are not yet acknowledged by the peer (SIOCOUTQ).  wire_written
 * counts the bytes handed to the kernel (for TLS, the socket BIO's count
 * of encrypted bytes), so wire_written - SIOCOUTQ is how far the peer's
 * TCP has acknowledged.  The shipper builds its delivery cursor on that.
 *
 * TLS: TLS 1.2 at least; the server certificate is verified against the
 * CA file (or the system's CAs) and its name against the host (or
 * server_name), DNS name or IP address; a failed handshake says why in
 * words (the X.509 verify result).  The context is built before the
 * forwarder drops privileges, so a root-only client key works.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "util/clock.h"

/* Bytes per SSL_write: bounds how far a TLS write's wire count lags. */
#define TLS_CHUNK (64 * 1024)

static int64_t ms_left(uint64_t deadline_ns)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	return now >= deadline_ns ? 0
				  : (int64_t)((deadline_ns - now) / 1000000);
}

static uint64_t deadline_in(int timeout_ms)
{
	return clock_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000ull;
}

/* The first queued OpenSSL error as text ("" when none). */
static void ssl_err_text(char *out, size_t size)
{
	unsigned long e = ERR_get_error();

	out[0] = '\0';
	if (e)
		ERR_error_string_n(e, out, size);
	ERR_clear_error();
}

struct ssl_ctx_st *fwd_tls_ctx_new(const struct settings_dest *d, char *err,
				   size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char why[200];

	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (d->ca_file[0]
		    ? SSL_CTX_load_verify_locations(ctx, d->ca_file, NULL) != 1
		    : SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ssl_err_text(why, sizeof(why));
		snprintf(err, errlen, "cannot load the CA file %s: %s",
			 d->ca_file[0] ? d->ca_file : "(system default)", why);
		goto fail;
	}
	if (d->cert_file[0] &&
	    SSL_CTX_use_certificate_chain_file(ctx, d->cert_file) != 1) {
		ssl_err_text(why, sizeof(why));
		snprintf(err, errlen,
			 "cannot load the client certificate %s: %s",
			 d->cert_file, why);
		goto fail;
	}
	if (d->key_file[0] &&
	    (SSL_CTX_use_PrivateKey_file(ctx, d->key_file, SSL_FILETYPE_PEM) !=
		     1 ||
	     SSL_CTX_check_private_key(ctx) != 1)) {
		ssl_err_text(why, sizeof(why));
		snprintf(err, errlen, "cannot use the client key %s: %s",
			 d->key_file, why);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void fwd_tls_ctx_free(struct ssl_ctx_st *ctx)
{
	SSL_CTX_free(ctx);
}

static int wait_fd(int fd, short events, uint64_t deadline_ns)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left = ms_left(deadline_ns);
	int r;

	if (left <= 0)
		return -ETIMEDOUT;
	r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r;
}

/* Non-blocking connect to one address, waiting until deadline. */
static int connect_one(const struct addrinfo *ai, bool is_udp,
		       uint64_t deadline_ns)
{
	int fd = socket(ai->ai_family,
			(is_udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK |
				SOCK_CLOEXEC,
			0);
	int err = 0, one = 1;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -errno;
	if (!is_udp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	for (;;) {
		int r = wait_fd(fd, POLLOUT, deadline_ns);

		if (r < 0) {
			close(fd);
			return r;
		}
		if (r > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

static bool is_ip_literal(const char *host)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, tmp) == 1 ||
	       inet_pton(AF_INET6, host, tmp) == 1;
}

/* Why the handshake failed, in words. */
static void handshake_error(SSL *ssl, int ret, const char *peer, char *err,
			    size_t errlen)
{
	long vr = SSL_get_verify_result(ssl);
	char why[200];

	if (vr != X509_V_OK) {
		snprintf(err, errlen,
			 "TLS handshake with %s failed: server certificate "
			 "not accepted: %s",
			 peer, X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return;
	}
	ssl_err_text(why, sizeof(why));
	if (!why[0])
		snprintf(why, sizeof(why), "%s",
			 SSL_get_error(ssl, ret) == SSL_ERROR_SYSCALL
				 ? "connection closed by the server"
				 : "protocol error");
	snprintf(err, errlen, "TLS handshake with %s failed: %s", peer, why);
}

static int tls_start(struct fwd_conn *c, const struct settings_dest *d,
		     SSL_CTX *ctx, uint64_t deadline_ns, char *err,
		     size_t errlen)
{
	const char *name = d->server_name[0] ? d->server_name : d->host;
	char peer[300];
	SSL *ssl = SSL_new(ctx);
	X509_VERIFY_PARAM *vp;
	int ret;

	snprintf(peer, sizeof(peer), "%s:%u", d->host, d->port);
	if (!ssl) {
		snprintf(err, errlen, "cannot create a TLS session");
		return -ENOMEM;
	}
	vp = SSL_get0_param(ssl);
	X509_VERIFY_PARAM_set_hostflags(vp,
					X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (is_ip_literal(name)) {
		X509_VERIFY_PARAM_set1_ip_asc(vp, name);
	} else {
		X509_VERIFY_PARAM_set1_host(vp, name, 0);
		SSL_set_tlsext_host_name(ssl, name);
	}
	SSL_set_fd(ssl, c->fd);
	for (;;) {
		int r;

		ERR_clear_error();
		ret = SSL_connect(ssl);
		if (ret == 1)
			break;
		switch (SSL_get_error(ssl, ret)) {
		case SSL_ERROR_WANT_READ:
			r = wait_fd(c->fd, POLLIN, deadline_ns);
			break;
		case SSL_ERROR_WANT_WRITE:
			r = wait_fd(c->fd, POLLOUT, deadline_ns);
			break;
		default:
			handshake_error(ssl, ret, peer, err, errlen);
			SSL_free(ssl);
			return -EPROTO;
		}
		if (r < 0) {
			snprintf(err, errlen,
				 "TLS handshake with %s failed: %s", peer,
				 r == -ETIMEDOUT ? "timed out" : strerror(-r));
			SSL_free(ssl);
			return r;
		}
	}
	c->ssl = ssl;
	return 0;
}

int fwd_conn_open(struct fwd_conn *c, const struct settings_dest *d,
		  struct ssl_ctx_st *ctx, int timeout_ms, char *err,
		  size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	uint64_t deadline = deadline_in(timeout_ms);
	char port[8];
	int r, fd = -ECONNREFUSED;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->is_udp = d->kind == DEST_SYSLOG_UDP;
	hints.ai_socktype = c->is_udp ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%u", d->port);
	r = getaddrinfo(d->host, port, &hints, &res);
	if (r) {
		snprintf(err, errlen, "cannot resolve %s: %s", d->host,
			 gai_strerror(r));
		return r == EAI_AGAIN ? -EAGAIN : -ENOENT;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, c->is_udp, deadline);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot connect to %s:%u: %s", d->host,
			 d->port,
			 fd == -ETIMEDOUT ? "timed out" : strerror(-fd));
		return fd;
	}
	c->fd = fd;
	if (d->kind == DEST_SYSLOG_TLS) {
		r = tls_start(c, d, ctx, deadline, err, errlen);
		if (r < 0) {
			close(fd);
			c->fd = -1;
			return r;
		}
		/* the handshake's bytes are not ours to track */
		c->wire_written = BIO_number_written(SSL_get_wbio(c->ssl));
	}
	return 0;
}

/* One write attempt: bytes taken (>= 0), -EAGAIN to wait, or -errno. */
static ssize_t write_some(struct fwd_conn *c, const char *p, size_t n,
			  short *want)
{
	ssize_t w;
	int e;

	*want = POLLOUT;
	if (!c->ssl) {
		w = c->is_udp ? send(c->fd, p, n, MSG_NOSIGNAL)
			      : send(c->fd, p, n, MSG_NOSIGNAL);
		if (w >= 0) {
			c->wire_written += (uint64_t)w;
			return w;
		}
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	}
	ERR_clear_error();
	w = SSL_write(c->ssl, p, (int)(n > TLS_CHUNK ? TLS_CHUNK : n));
	c->wire_written = BIO_number_written(SSL_get_wbio(c->ssl));
	if (w > 0)
		return w;
	e = SSL_get_error(c->ssl, (int)w);
	if (e == SSL_ERROR_WANT_WRITE)
		return -EAGAIN;
	if (e == SSL_ERROR_WANT_READ) {
		*want = POLLIN;
		return -EAGAIN;
	}
	return e == SSL_ERROR_SYSCALL && errno ? -errno : -EPIPE;
}

int fwd_conn_write(struct fwd_conn *c, const void *p, size_t n, int timeout_ms,
		   const volatile int *stop, char *err, size_t errlen)
{
	uint64_t deadline = deadline_in(timeout_ms);
	const char *b = p;

	if (c->is_udp) {
		short want;
		ssize_t w = write_some(c, b, n, &want);

		/* UDP drops when the buffer is full or nobody listens (an
		 * ICMP error from an earlier datagram): that is UDP */
		if (w == (ssize_t)n || w == -EAGAIN || w == -ECONNREFUSED)
			return 0;
		snprintf(err, errlen, "send: %s",
			 strerror(w < 0 ? (int)-w : EMSGSIZE));
		return w < 0 ? (int)w : -EMSGSIZE;
	}
	while (n > 0) {
		short want;
		ssize_t w = write_some(c, b, n, &want);
		int r;

		if (w > 0) {
			b += w;
			n -= (size_t)w;
			continue;
		}
		if (w != -EAGAIN) {
			snprintf(err, errlen, "connection lost: %s",
				 strerror((int)-w));
			return (int)w;
		}
		if (stop && *stop)
			return -EINTR;
		r = wait_fd(c->fd, want, deadline);
		if (r == -ETIMEDOUT) {
			snprintf(err, errlen,
				 "the receiver has not read for %d s",
				 timeout_ms / 1000);
			return r;
		}
		if (r < 0) {
			snprintf(err, errlen, "poll: %s", strerror(-r));
			return r;
		}
	}
	return 0;
}

uint64_t fwd_conn_acked(const struct fwd_conn *c)
{
	int outq = 0;

	if (c->fd < 0)
		return 0;
	if (c->is_udp)
		return c->wire_written;
	if (ioctl(c->fd, SIOCOUTQ, &outq) < 0 || outq < 0)
		return 0;
	return c->wire_written >= (uint64_t)outq
		       ? c->wire_written - (uint64_t)outq
		       : 0;
}

bool fwd_conn_is_broken(struct fwd_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN | POLLRDHUP };
	char tmp[4096];

	if (c->fd < 0)
		return true;
	if (c->is_udp)
		return false;
	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL))
		return true;
	/* a syslog receiver says nothing: read whatever it is, or EOF */
	if (c->ssl) {
		int r, e;

		ERR_clear_error();
		r = SSL_read(c->ssl, tmp, sizeof(tmp));
		c->wire_written = BIO_number_written(SSL_get_wbio(c->ssl));
		if (r > 0)
			return false;
		e = SSL_get_error(c->ssl, r);
		ERR_clear_error();
		return e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
	}
	{
		ssize_t r = recv(c->fd, tmp, sizeof(tmp), MSG_DONTWAIT);

		return r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR);
	}
}

/* Wait until the peer closed its side (EOF) or the deadline passed. */
static bool wait_peer_close(struct fwd_conn *c, uint64_t deadline)
{
	char tmp[4096];

	for (;;) {
		int r = wait_fd(c->fd, POLLIN, deadline);
		ssize_t n;

		if (r < 0)
			return false;
		if (r == 0)
			continue;
		n = recv(c->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		if (n == 0)
			return true;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return false; /* reset: what it had not read is lost */
	}
}

bool fwd_conn_close(struct fwd_conn *c, bool graceful, int timeout_ms)
{
	uint64_t deadline = deadline_in(timeout_ms);
	bool is_clean = false;

	if (c->fd < 0)
		return false;
	if (graceful && !c->is_udp) {
		/* everything acknowledged by the peer's TCP first */
		while (fwd_conn_acked(c) < c->wire_written &&
		       ms_left(deadline) > 0)
			usleep(10 * 1000);
		if (c->ssl) {
			ERR_clear_error();
			SSL_shutdown(c->ssl); /* close_notify, as 5425 asks */
		}
		shutdown(c->fd, SHUT_WR);
		/* the receiver reads to our end, then closes: all read */
		is_clean = wait_peer_close(c, deadline);
	}
	if (c->ssl)
		SSL_free(c->ssl);
	c->ssl = NULL;
	close(c->fd);
	c->fd = -1;
	return is_clean;
}
