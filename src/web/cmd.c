/* SPDX-License-Identifier: MIT */
/*
 * web/cmd.c - `vigil web`: read the settings and the token, bind the
 * listening socket, drop to an unprivileged user, then serve
 * (server.c) until SIGINT or SIGTERM.
 *
 * Started as root (by the service, or by hand), it binds first (a port
 * below 1024 is possible), then becomes web_user (nobody) with the store
 * file's group as its only group (adm: the store is created 0640
 * root:adm), and sets no_new_privs.  It then reads the store as `vigil
 * view` does for a member of adm, and nothing else on the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clickhouse/clickhouse.h"
#include "config/config.h"
#include "internal.h"
#include "settings/settings.h"
#include "util/token.h"
#include "web.h"

#define EXIT_OK	   0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

/* What every fleet query may do: read, for at most this long. */
#define FLEET_SETTINGS	 "readonly=2&max_execution_time=10"
#define FLEET_TIMEOUT_MS 15000

struct web_cmd {
	char settings_path[PATH_MAX];
	struct settings s;
	char token[TOKEN_LEN + 1];
	int parent_fd; /* -1: none */
	const char *fleet; /* --fleet URL or destination name */
};

static const char usage_text[] =
	"usage: vigil web [OPTIONS]\n"
	"\n"
	"Serve the event viewer to a browser (read-only; see vigil(8)).\n"
	"\n"
	"  --listen ADDR:PORT    where to listen (default: web_listen of the\n"
	"                        settings, 127.0.0.1:8470; port 0: any)\n"
	"  --store PATH          the store (default: store_path)\n"
	"  --token-file PATH     the access token (default: web_token_path,\n"
	"                        /etc/vigil/web.token, made by vigil -i)\n"
	"  --user NAME           user to run as when started as root\n"
	"                        (default: web_user, nobody)\n"
	"  --fleet URL|NAME      serve the ClickHouse fleet table first: a\n"
	"                        URL, or the name of a ClickHouse destination\n"
	"                        of the settings (without it, the first such\n"
	"                        destination is offered after the store)\n"
	"  --settings FILE       settings file (default: "
	"/etc/vigil/vigil.conf)\n"
	"  --parent-fd N         also stop when descriptor N closes (how "
	"vigil run\n"
	"                        starts it with web = yes)\n"
	"  -h, --help            this text\n";

enum {
	OPT_LISTEN = 256,
	OPT_STORE,
	OPT_TOKEN_FILE,
	OPT_USER,
	OPT_SETTINGS,
	OPT_PARENT_FD,
	OPT_FLEET,
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE },
	{ "user", required_argument, NULL, OPT_USER },
	{ "settings", required_argument, NULL, OPT_SETTINGS },
	{ "parent-fd", required_argument, NULL, OPT_PARENT_FD },
	{ "fleet", required_argument, NULL, OPT_FLEET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *msg)
{
	fprintf(stderr, "vigil web: %s\nTry 'vigil web --help'.\n", msg);
	return EXIT_USAGE;
}

static int copy_arg(char *dst, size_t cap, const char *v, const char *what)
{
	if (!*v || strlen(v) >= cap)
		return usage_error(what);
	snprintf(dst, cap, "%s", v);
	return 0;
}

/* Options win over the settings file, which is read first. */
static int parse_args(struct web_cmd *c, int argc, char **argv)
{
	const char *listen = NULL, *store = NULL, *token = NULL, *user = NULL;
	struct diag d = { 0 };
	int opt, err;

	snprintf(c->settings_path, sizeof(c->settings_path), "%s",
		 SETTINGS_DEFAULT_PATH);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_LISTEN:
			listen = optarg;
			break;
		case OPT_STORE:
			store = optarg;
			break;
		case OPT_TOKEN_FILE:
			token = optarg;
			break;
		case OPT_USER:
			user = optarg;
			break;
		case OPT_PARENT_FD: {
			char *end;
			long fd = strtol(optarg, &end, 10);

			if (*end || fd < 3 || fd > 65535 ||
			    fcntl((int)fd, F_GETFD) < 0)
				return usage_error("bad --parent-fd");
			c->parent_fd = (int)fd;
			break;
		}
		case OPT_FLEET:
			if (!*optarg)
				return usage_error("bad --fleet");
			c->fleet = optarg;
			break;
		case OPT_SETTINGS:
			if (copy_arg(c->settings_path, sizeof(c->settings_path),
				     optarg, "bad --settings"))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return usage_error("an option needs a value");
		default:
			return usage_error("unknown option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument");
	settings_defaults(&c->s);
	err = settings_load(&c->s, c->settings_path, &d);
	if (err == -EINVAL) {
		fprintf(stderr, "vigil web: %s:%d:%d: %s\n", d.file, d.line,
			d.col, d.msg);
		return EXIT_FAIL;
	}
	if ((listen && copy_arg(c->s.web_listen, sizeof(c->s.web_listen),
				listen, "bad --listen")) ||
	    (store && copy_arg(c->s.store_path, sizeof(c->s.store_path), store,
			       "bad --store")) ||
	    (token && copy_arg(c->s.web_token_path, sizeof(c->s.web_token_path),
			       token, "bad --token-file")) ||
	    (user && copy_arg(c->s.web_user, sizeof(c->s.web_user), user,
			      "bad --user")))
		return EXIT_USAGE;
	if (!c->s.store_path[0])
		return usage_error("the store is turned off in the settings "
				   "(store_path is empty); use --store");
	return 0;
}

/* "ADDR:PORT" or "[ADDR]:PORT", numeric only: a bound, listening socket
 * or a negative errno. */
static int bind_listen(const char *spec, char *shown, size_t shown_len)
{
	char host[64];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV |
					      AI_PASSIVE };
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, one = 1, err = 0;
	size_t n;

	if (!colon || colon == spec)
		return -EINVAL;
	n = (size_t)(colon - spec);
	if (spec[0] == '[' && n >= 2 && spec[n - 1] == ']') {
		spec++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, n);
	host[n] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai)
		return -EINVAL;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err = -errno;
	if (!err) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
		    listen(fd, 64) < 0 ||
		    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
			err = -errno;
	}
	if (!err) {
		unsigned port =
			ss.ss_family == AF_INET6
				? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
				: ntohs(((struct sockaddr_in *)&ss)->sin_port);

		snprintf(shown, shown_len, "%s%s%s:%u",
			 ai->ai_family == AF_INET6 ? "[" : "", host,
			 ai->ai_family == AF_INET6 ? "]" : "", port);
	}
	freeaddrinfo(ai);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

/* Root: become user, with the store's group (else adm) as the only one. */
static int drop_privileges(const struct settings *s)
{
	const struct passwd *pw;
	const struct group *adm;
	struct stat st;
	gid_t g;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(s->web_user);
	if (!pw) {
		fprintf(stderr, "vigil web: no user '%s' (web_user)\n",
			s->web_user);
		return -ENOENT;
	}
	if (stat(s->store_path, &st) == 0)
		g = st.st_gid;
	else if ((adm = getgrnam("adm")))
		g = adm->gr_gid;
	else
		g = pw->pw_gid;
	if (setgroups(1, &g) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		return -errno;
	if (pw->pw_uid != 0 && setuid(0) == 0)
		return -EPERM; /* the drop did not hold */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/*
 * The fleet source's client, made now (its password and PEM files are
 * read before privileges drop): --fleet's URL or destination, else the
 * first ClickHouse destination of the settings, else none (0, and
 * o->fleet NULL; also, with a warning, when that destination's files
 * cannot be read: the store is served all the same).  Returns 0 or
 * EXIT_* with a message.
 */
static int open_fleet(struct web_cmd *c, struct web_serve_opts *o, char *shown,
		      size_t shown_len)
{
	const struct settings_dest *d = NULL;
	struct ch_client_opts co = { .timeout_ms = FLEET_TIMEOUT_MS,
				     .settings = FLEET_SETTINGS };
	char err[512] = "out of memory";

	if (c->fleet && strstr(c->fleet, "://")) {
		if (strncmp(c->fleet, "http://", 7) &&
		    strncmp(c->fleet, "https://", 8))
			return usage_error("--fleet URL is http:// or "
					   "https://");
		co.url = c->fleet;
		o->fleet_table = CH_DEFAULT_TABLE;
		snprintf(shown, shown_len, "%s", c->fleet);
	} else {
		for (unsigned i = 0; i < c->s.ndests && !d; i++)
			if (c->s.dests[i].kind == DEST_CLICKHOUSE &&
			    (!c->fleet ||
			     strcmp(c->s.dests[i].name, c->fleet) == 0))
				d = &c->s.dests[i];
		if (!d && c->fleet) {
			fprintf(stderr,
				"vigil web: no ClickHouse destination '%s' in "
				"%s\n",
				c->fleet, c->settings_path);
			return EXIT_USAGE;
		}
		if (!d)
			return 0;
		o->fleet_table = d->table;
		snprintf(shown, shown_len, "%s", d->url);
	}
	if (ch_global_init() == 0)
		o->fleet = d ? ch_client_for(d, FLEET_TIMEOUT_MS,
					     FLEET_SETTINGS, err, sizeof(err))
			     : ch_client_new(&co);
	if (!o->fleet && !c->fleet) {
		/* offered, not asked for: the store is still served */
		fprintf(stderr, "vigil web: warning: no fleet source: %s\n",
			err);
		shown[0] = '\0';
		return 0;
	}
	if (!o->fleet) {
		fprintf(stderr, "vigil web: fleet: %s\n", err);
		return EXIT_FAIL;
	}
	o->is_fleet_first = c->fleet != NULL;
	return 0;
}

static int run(struct web_cmd *c)
{
	struct web_serve_opts o = { .token = c->token,
				    .store_path = c->s.store_path,
				    .parent_fd = c->parent_fd };
	char shown[96], fleet[SETTINGS_DEST_STR_MAX] = "";
	sigset_t stop;
	int fd, err;

	err = token_read(c->s.web_token_path, c->token);
	if (err) {
		fprintf(stderr,
			"vigil web: %s: %s (vigil -i creates the token; "
			"see --token-file)\n",
			c->s.web_token_path,
			err == -EINVAL ? "not a token" : strerror(-err));
		return EXIT_FAIL;
	}
	err = open_fleet(c, &o, fleet, sizeof(fleet));
	if (err)
		return err;
	fd = bind_listen(c->s.web_listen, shown, sizeof(shown));
	if (fd < 0) {
		ch_client_free(o.fleet);
		fprintf(stderr, "vigil web: cannot listen on %s: %s\n",
			c->s.web_listen, strerror(-fd));
		return EXIT_FAIL;
	}
	err = drop_privileges(&c->s);
	if (err) {
		fprintf(stderr, "vigil web: cannot drop privileges to %s: %s\n",
			c->s.web_user, strerror(-err));
		ch_client_free(o.fleet);
		close(fd);
		return EXIT_FAIL;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	o.listen_fd = fd;
	printf("vigil web: serving http://%s/ (store %s%s%s)\n", shown,
	       c->s.store_path, fleet[0] ? ", fleet " : "", fleet);
	fflush(stdout);
	err = web_serve(&o, &stop);
	ch_client_free(o.fleet);
	close(fd);
	explicit_bzero(c->token, sizeof(c->token));
	if (err) {
		fprintf(stderr, "vigil web: the HTTP server did not start\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int web_main(int argc, char **argv)
{
	struct web_cmd *c = calloc(1, sizeof(*c));
	int status;

	if (!c) {
		fprintf(stderr, "vigil web: out of memory\n");
		return EXIT_FAIL;
	}
	c->parent_fd = -1;
	status = parse_args(c, argc, argv);
	if (status < 0)
		status = EXIT_OK; /* --help */
	else if (status == 0)
		status = run(c);
	free(c);
	return status;
}
