/* SPDX-License-Identifier: MIT */
/*
 * web/server.c - the HTTP shell of `vigil web` on libmicrohttpd: checks
 * each request (method, size, parameters, token), serves the built-in
 * pages, and hands /api/ requests to web_api().
 *
 * One internal thread serves every connection in turn, so the store
 * connection has one user and needs no lock; each API request is bounded
 * (pages of at most WEB_PAGE_MAX events, scans of WEB_SCAN_WINDOW ids).
 *
 * Access: every route but the login page and its assets needs the token,
 * as "Authorization: Bearer TOKEN" (scripts, curl) or as the HttpOnly,
 * SameSite=Strict cookie that POST /api/login sets (the browser).  The
 * API is read-only (GET); the only other methods are POSTs to log in and
 * out.  Every response carries a Content-Security-Policy without inline
 * script or any remote origin.
 */
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/token.h"
#include "web.h"

#define COOKIE_NAME	     "vigil_token"
#define LOGIN_BODY_MAX	     128 /* "token=" and 64 hex digits */
#define URL_MAX		     256
#define BODY_MAX_BYTES	     (8u << 20) /* one API reply */
#define BUSY_TIMEOUT_MS	     2000
#define CONNECTIONS_MAX	     64
#define CONNECTIONS_PER_IP   16
#define CONNECTION_TIMEOUT_S 30
#define PARENT_POLL_MS	     200
#define CONNECTION_MEM	     (64u << 10) /* request line + headers */

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; "
	"img-src 'self'; connect-src 'self'; form-action 'self'; "
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

static const char unauthorized[] = "{\"error\":\"token required\"}";

struct server {
	const char *token;
	const char *store_path;
	sqlite3 *db;
	struct web_source local, fleet;
	struct web_source *srcs[2]; /* the default first */
	unsigned nsrcs;
	struct buf body;
};

/* Per request: the body of a POST (bounded). */
struct request {
	char body[LOGIN_BODY_MAX];
	size_t len;
	bool is_too_big;
};

static void add_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy",
				"same-origin");
	MHD_add_response_header(r, "Cache-Control", "no-store");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, unsigned status,
				  const char *type, const void *data,
				  size_t len, bool is_static, const char *hname,
				  const char *hvalue)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)data,
					    is_static ? MHD_RESPMEM_PERSISTENT
						      : MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	add_headers(r);
	if (type)
		MHD_add_response_header(r, "Content-Type", type);
	if (hname)
		MHD_add_response_header(r, hname, hvalue);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status,
				 const char *json)
{
	return send_reply(c, status, "application/json", json, strlen(json),
			  false, NULL, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status,
				  const char *msg)
{
	char body[200];

	/* msg is one of ours: no quotes or backslashes to escape */
	snprintf(body, sizeof(body), "{\"error\":\"%s\"}", msg);
	return send_json(c, status, body);
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to,
				const char *cookie)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(0, (void *)"",
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_headers(r);
	MHD_add_response_header(r, "Location", to);
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	ret = MHD_queue_response(c, 303, r);
	MHD_destroy_response(r);
	return ret;
}

static bool is_authorized(struct server *s, struct MHD_Connection *c)
{
	const char *v;

	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (v && strncmp(v, "Bearer ", 7) == 0)
		return token_equal(s->token, v + 7, strlen(v + 7));
	v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
	return v && token_equal(s->token, v, strlen(v));
}

/* POST /api/login with "token=HEX" (a form): the cookie, then the page. */
static enum MHD_Result login(struct server *s, struct MHD_Connection *c,
			     const struct request *rq)
{
	char cookie[160];
	const char *type;

	type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	if (!type ||
	    strncmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
	    rq->is_too_big || rq->len < 6 || memcmp(rq->body, "token=", 6) != 0)
		return send_error(c, 400, "expected a form with token=");
	if (!token_equal(s->token, rq->body + 6, rq->len - 6))
		return redirect(c, "/login?failed=1", NULL);
	snprintf(cookie, sizeof(cookie),
		 COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict",
		 s->token);
	return redirect(c, "/", cookie);
}

struct params {
	struct web_param p[WEB_MAX_PARAMS];
	unsigned n;
	bool is_bad;
};

static enum MHD_Result add_param(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	struct params *ps = cls;

	(void)kind;
	if (ps->n >= WEB_MAX_PARAMS || !key || !value) {
		ps->is_bad = true;
		return MHD_NO;
	}
	ps->p[ps->n++] = (struct web_param){ .name = key, .value = value };
	return MHD_YES;
}

/* Whether the request reads the local store (source=, or the default). */
static bool wants_store(struct server *s, const struct params *ps)
{
	const char *name = s->srcs[0]->name;

	for (unsigned i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].name, "source") == 0)
			name = ps->p[i].value;
	return strcmp(name, "local") == 0;
}

static enum MHD_Result api(struct server *s, struct MHD_Connection *c,
			   const char *url)
{
	struct params ps = { .n = 0 };
	bool is_store;
	int status, err;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_param, &ps);
	if (ps.is_bad)
		return send_error(c, 400,
				  "too many parameters, or one without a "
				  "value");
	is_store = wants_store(s, &ps) && strcmp(url, "/api/catalog") != 0;
	/* The daemon moved a damaged store aside, or it was deleted, and a
	 * new one is at the path: read that (ids continue, so a live page
	 * asking for ids after its last goes on without a gap or a repeat). */
	if (s->db && is_store && store_is_replaced(s->db, s->store_path)) {
		sqlite3 *fresh = NULL;

		if (store_open_ro(s->store_path, BUSY_TIMEOUT_MS, &fresh) ==
		    0) {
			log_info("%s: a new store file: reading it",
				 s->store_path);
			sqlite3_close(s->db);
			s->db = fresh;
			web_store_source(&s->local, s->db);
		}
	}
	if (!s->db && is_store) {
		err = store_open_ro(s->store_path, BUSY_TIMEOUT_MS, &s->db);
		if (err) {
			s->db = NULL;
			return send_error(c, 503,
					  err == -ENOENT || err == -ENODATA
						  ? "the store holds no events "
						    "yet"
						  : "cannot open the store");
		}
		web_store_source(&s->local, s->db);
	}
	status = web_api(s->srcs, s->nsrcs, url, ps.p, ps.n, clock_utc_ns(),
			 &s->body);
	if (status == 500 && is_store) {
		/* a damaged or replaced file: open it again next time */
		sqlite3_close(s->db);
		s->db = NULL;
		web_store_source(&s->local, NULL);
	}
	return send_reply(c, (unsigned)status, "application/json",
			  s->body.data ? s->body.data : "{}",
			  s->body.data ? s->body.len : 2, false, NULL, NULL);
}

static bool is_get(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* A declared body longer than any route takes. */
static bool body_too_big(struct MHD_Connection *c)
{
	const char *v;

	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	return v && (strlen(v) > 6 || strtoul(v, NULL, 10) > LOGIN_BODY_MAX);
}

static bool is_login_post(const char *url, const char *method)
{
	return strcmp(method, "POST") == 0 && (strcmp(url, "/api/login") == 0 ||
					       strcmp(url, "/api/logout") == 0);
}

static enum MHD_Result route(struct server *s, struct MHD_Connection *c,
			     const char *url, const char *method,
			     const struct request *rq)
{
	struct web_asset asset;
	const struct web_asset *a = NULL;
	bool is_post = strcmp(method, "POST") == 0;
	bool is_api = strncmp(url, "/api/", 5) == 0;

	/* an absolute URI or "*" (no route; the Host header is not
	 * checked against it) */
	if (url[0] != '/')
		return send_error(c, 400, "not a path");
	if (strlen(url) > URL_MAX)
		return send_error(c, 414, "URL too long");
	if (strcmp(url, "/api/login") == 0 || strcmp(url, "/api/logout") == 0) {
		if (!is_post)
			return send_reply(c, 405, "text/plain", "", 0, true,
					  "Allow", "POST");
		if (strcmp(url, "/api/login") == 0)
			return login(s, c, rq);
		return redirect(c, "/login",
				COOKIE_NAME "=; Path=/; HttpOnly; "
					    "SameSite=Strict; Max-Age=0");
	}
	if (!is_get(method))
		return send_reply(c, 405, "text/plain", "", 0, true, "Allow",
				  "GET, HEAD");
	if (rq->len || rq->is_too_big)
		return send_error(c, 400, "a GET has no body");
	if (web_asset_find(url, &asset))
		a = &asset;
	if (a && strncmp(a->path, "/login", 6) == 0)
		return send_reply(c, 200, a->type, a->data, a->len, true, NULL,
				  NULL);
	if (!is_authorized(s, c)) {
		if (is_api || !a)
			return send_reply(
				c, 401, "application/json", unauthorized,
				sizeof(unauthorized) - 1, true,
				"WWW-Authenticate", "Bearer realm=\"vigil\"");
		return redirect(c, "/login", NULL);
	}
	if (is_api)
		return api(s, c, url);
	if (!a)
		return send_error(c, 404, "not found");
	return send_reply(c, 200, a->type, a->data, a->len, true, NULL, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		/* headers only so far: a method no route takes is answered
		 * now, before any body is read */
		if (!is_get(method) && !is_login_post(url, method))
			return route(cls, c, url, method, rq);
		if (body_too_big(c)) {
			rq->is_too_big = true;
			return send_error(c, 413, "request body too large");
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->len + *upload_size > sizeof(rq->body)) {
			/* no route takes a body this big: answer, stop */
			*upload_size = 0;
			rq->is_too_big = true;
			return send_error(c, is_get(method) ? 400 : 413,
					  "request body not allowed or too "
					  "large");
		}
		memcpy(rq->body + rq->len, upload, *upload_size);
		rq->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->is_too_big)
		return MHD_YES; /* answered already */
	return route(cls, c, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

struct web_server {
	struct server s;
	struct web_fleet *fl;
	struct MHD_Daemon *d;
};

struct web_server *web_server_start(const struct web_serve_opts *o)
{
	struct web_server *ws = calloc(1, sizeof(*ws));
	struct MHD_OptionItem opts[2] = { { MHD_OPTION_END, 0, NULL },
					  { MHD_OPTION_END, 0, NULL } };
	struct server *s;
	unsigned flags;

	if (!ws)
		return NULL;
	s = &ws->s;
	s->token = o->token;
	s->store_path = o->store_path;
	/* the store opens on first use; until then its source is NULL's,
	 * which wants_store() keeps from being called */
	web_store_source(&s->local, NULL);
	s->srcs[s->nsrcs++] = &s->local;
	if (o->fleet) {
		ws->fl = web_fleet_new(o->fleet, o->fleet_table);
		if (!ws->fl) {
			free(ws);
			return NULL;
		}
		web_fleet_source(&s->fleet, ws->fl);
		s->srcs[s->nsrcs++] = &s->fleet;
		if (o->is_fleet_first) {
			s->srcs[0] = &s->fleet;
			s->srcs[1] = &s->local;
		}
	}
	buf_init(&s->body, BODY_MAX_BYTES);
	/* No listening socket: the caller adds connections and runs the
	 * daemon (web_server_add(), web_server_run()) on its own thread. */
	if (o->listen_fd < 0) {
		flags = MHD_USE_NO_LISTEN_SOCKET;
		opts[0].option = MHD_OPTION_END;
	} else {
		flags = MHD_USE_AUTO_INTERNAL_THREAD;
		opts[0] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET,
						   o->listen_fd, NULL };
	}
	ws->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTIONS_MAX,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)CONNECTIONS_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)CONNECTION_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEM,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_END);
	if (!ws->d) {
		web_server_stop(ws);
		errno = EIO;
		return NULL;
	}
	return ws;
}

int web_server_add(struct web_server *ws, int fd, const struct sockaddr *addr,
		   unsigned addrlen)
{
	return MHD_add_connection(ws->d, fd, addr, addrlen) == MHD_YES ? 0
								       : -EIO;
}

void web_server_run(struct web_server *ws)
{
	MHD_run(ws->d);
}

void web_server_stop(struct web_server *ws)
{
	if (!ws)
		return;
	if (ws->d)
		MHD_stop_daemon(ws->d);
	sqlite3_close(ws->s.db);
	buf_release(&ws->s.body);
	web_fleet_free(ws->fl);
	free(ws);
}

int web_serve(const struct web_serve_opts *o, const sigset_t *stop)
{
	struct web_server *ws = web_server_start(o);
	int sig;

	if (!ws)
		return -errno;
	for (;;) {
		struct timespec tick = { .tv_sec = 0,
					 .tv_nsec = PARENT_POLL_MS * 1000000L };
		struct pollfd p = { .fd = o->parent_fd, .events = POLLIN };

		sig = o->parent_fd < 0 ? sigwaitinfo(stop, NULL)
				       : sigtimedwait(stop, NULL, &tick);
		if (sig > 0)
			break;
		if (sig < 0 && errno != EINTR && errno != EAGAIN)
			break;
		/* the parent's end closed (or it wrote): time to go */
		if (o->parent_fd >= 0 && poll(&p, 1, 0) > 0)
			break;
	}
	web_server_stop(ws);
	return 0;
}
