/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_http.c - raw bytes from an HTTP client, as `vigil web`
 * gets them: the input is written to one end of a socketpair whose other
 * end is a connection of the real server (libmicrohttpd with no listening
 * socket, server.c's routing, login, token and cookie checks, the
 * assets, web_api() over a small real store), then the client's side is
 * shut for writing and the server runs until it closes the connection.
 * Everything it sent back must be HTTP responses with a known status;
 * every 200 carries the Content-Security-Policy; and unless the input
 * holds the token, nothing beyond the login page and its assets is
 * served and no cookie with the token is set.  With FUZZ_HTTP_SHOW set
 * in the environment, what the server sent goes to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event/event.h"
#include "render/render.h"
#include "sink/sink.h"
#include "store/store.h"
#include "util/buf.h"
#include "web/internal.h"
#include "web_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX  16384
#define OUTPUT_MAX (4u << 20) /* checked; the rest is read and dropped */
#define RUNS_MAX   100000 /* server turns without the connection closing */

/* The token the seeds use (tests/fuzz/corpus/fuzz_http). */
static const char token[] =
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static char store_dir[] = "/tmp/fuzz_http.XXXXXX";
static char store_path[64];

static void remove_store(void)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char path[80];

	for (unsigned i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", store_path, ext[i]);
		unlink(path);
	}
	rmdir(store_dir);
}

/* A store of 60 events (the server opens it read-only on first use). */
static void make_store(void)
{
	if (!mkdtemp(store_dir))
		abort();
	snprintf(store_path, sizeof(store_path), "%s/events.db", store_dir);
	fuzz_web_store(store_path);
	atexit(remove_store);
}

static struct web_server *server(void)
{
	static struct web_server *ws;
	struct web_serve_opts o = { .listen_fd = -1,
				    .parent_fd = -1,
				    .token = token,
				    .store_path = store_path };

	if (ws)
		return ws;
	signal(SIGPIPE, SIG_IGN);
	make_store();
	ws = web_server_start(&o);
	if (!ws)
		abort();
	return ws;
}

static const char *find(const char *s, size_t n, const char *what)
{
	return memmem(s, n, what, strlen(what));
}

/* The value of header name in the head [h, end) (lines "Name: value"),
 * or NULL; *len its length. */
static const char *header(const char *h, const char *end, const char *name,
			  size_t *len)
{
	size_t nl = strlen(name);

	for (const char *l = h; l < end;) {
		const char *eol = find(l, (size_t)(end - l), "\r\n");

		if (!eol)
			eol = end;
		if ((size_t)(eol - l) > nl + 1 &&
		    strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
			const char *v = l + nl + 1;

			while (v < eol && *v == ' ')
				v++;
			*len = (size_t)(eol - v);
			return v;
		}
		l = eol + 2;
	}
	return NULL;
}

static bool is_known_status(unsigned st)
{
	/* vigil's answers, then libmicrohttpd's own (bad request line or
	 * headers, too large, unsupported version or method) */
	static const unsigned known[] = { 100, 200, 303, 400, 401,
					  404, 405, 413, 414, 500,
					  503, 417, 431, 501, 505 };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i] == st)
			return true;
	return false;
}

/* Check every response in out[0, len): aborts on a broken contract. */
static void check_responses(const char *out, size_t len, bool has_token)
{
	const char *p = out, *end = out + len;

	while (p < end) {
		const char *head_end, *v;
		size_t vlen, body_len = 0;
		unsigned st;

		if (end - p < 13 || (memcmp(p, "HTTP/1.1 ", 9) != 0 &&
				     memcmp(p, "HTTP/1.0 ", 9) != 0))
			abort();
		if (sscanf(p + 9, "%3u", &st) != 1 || !is_known_status(st))
			abort();
		head_end = find(p, (size_t)(end - p), "\r\n\r\n");
		if (!head_end)
			abort();
		v = header(p, head_end, "Content-Length", &vlen);
		if (v)
			body_len = strtoul(v, NULL, 10);
		if (st == 200 &&
		    !header(p, head_end, "Content-Security-Policy", &vlen))
			abort();
		v = header(p, head_end, "Content-Type", &vlen);
		/* without the token: the login page, its assets, refusals */
		if (!has_token && st == 200 && v &&
		    strncmp(v, "application/json", 16) == 0)
			abort();
		v = header(p, head_end, "Set-Cookie", &vlen);
		if (!has_token && v && find(v, vlen, token))
			abort();
		p = head_end + 4;
		/* a HEAD's answer names the length of a body it does not
		 * send: then the next response starts here */
		if (body_len <= (size_t)(end - p) &&
		    (p + body_len == end ||
		     memcmp(p + body_len, "HTTP/1.", 7) == 0))
			p += body_len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_server *ws = server();
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_port = htons(40000),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char *out;
	size_t len = 0;
	bool is_cut = false;
	int sv[2];
	unsigned runs = 0;

	if (size > INPUT_MAX)
		return 0;
	out = malloc(OUTPUT_MAX);
	if (!out || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	/* the whole request fits the socket's buffer: no waiting */
	if (size && write(sv[0], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[0], SHUT_WR);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if (web_server_add(ws, sv[1], (struct sockaddr *)&peer, sizeof(peer)))
		abort();
	for (;;) {
		char chunk[65536];
		ssize_t n;

		web_server_run(ws);
		n = read(sv[0], chunk, sizeof(chunk));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				abort();
			/* the server neither answers nor closes: a hang */
			if (++runs > RUNS_MAX)
				abort();
			continue;
		}
		runs = 0;
		if (len + (size_t)n <= OUTPUT_MAX) {
			memcpy(out + len, chunk, (size_t)n);
			len += (size_t)n;
		} else {
			is_cut = true;
		}
	}
	close(sv[0]);
	if (getenv("FUZZ_HTTP_SHOW"))
		fwrite(out, 1, len, stderr);
	if (!is_cut)
		check_responses(out, len,
				find((const char *)data, size, token) != NULL);
	free(out);
	return 0;
}
