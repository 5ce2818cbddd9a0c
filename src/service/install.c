/* SPDX-License-Identifier: MIT */
/*
 * service/install.c - `vigil -i`: install the binary, config, settings,
 * man pages and systemd unit, then start the daemon (systemd where it is
 * PID 1, else detached by ourselves) and wait until it reports the
 * installed config.
 *
 * Everything that can fail on the user's input (the config, the
 * settings, the switches) is checked before anything is written.  A
 * second `-i` on an installed system changes nothing and exits 1 (as
 * Sysmon refuses to install twice): `-c` changes the config, `-u` removes.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "internal.h"
#include "settings/settings.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/token.h"

/* Man pages embedded at build time (manpages.c). */
extern const char svc_man_vigil_8[];
extern const char svc_man_vigil_conf_5[];

/*
 * The settings file for a fresh install: the paths explicitly (so an
 * install under VIGIL_ROOT runs entirely inside it), outputs explicitly
 * (`vigil run` prints events on stdout unless told otherwise), and every
 * other key commented out at its default.
 */
static int settings_text(const struct svc_paths *p, struct buf *out)
{
	struct settings s;
	int err = 0;

	settings_defaults(&s);
	err |= buf_adds(out,
			"# vigil settings - see vigil.conf(5).  The Sysmon "
			"rules are in config.xml.\n"
			"# Apply changes with a restart of the daemon.\n"
			"\n");
	err |= buf_addf(out, "state_dir = %s\n", p->state_dir);
	err |= buf_addf(out, "run_dir = %s\n", p->run_dir);
	err |= buf_addf(out, "store_path = %s\n", p->store);
	err |= buf_addf(out, "web_token_path = %s\n", p->web_token);
	err |= buf_adds(out, "stdout = no\n"
			     "syslog = no\n"
			     "\n"
			     "# Defaults:\n"
			     "# store_max_bytes = 1G\n"
			     "# store_max_age = 30d\n"
			     "# stdout_format = xml\n"
			     "# jsonl_path =\n"
			     "# web = no\n");
	err |= buf_addf(out, "# web_listen = %s\n", s.web_listen);
	err |= buf_addf(out, "# web_user = %s\n", s.web_user);
	err |= buf_addf(out, "# provider_name = %s\n", s.provider_name);
	err |= buf_addf(out, "# provider_guid = %s\n", s.provider_guid);
	err |= buf_addf(out, "# channel = %s\n", s.channel);
	err |= buf_addf(out, "# queue_events = %u\n", s.queue_events);
	err |= buf_addf(out, "# ring_kib = %u\n", s.ring_kib);
	err |= buf_adds(out, "# hash_max_bytes = 256M\n");
	err |= buf_addf(out, "# forward_user = %s\n", s.forward_user);
	err |= buf_adds(
		out,
		"\n"
		"# Forwarding (none by default), e.g. a SIEM's syslog "
		"collector over TLS\n"
		"# and a ClickHouse server for fleet searches:\n"
		"# forward.siem.url = tls://collector.example.org:6514\n"
		"# forward.siem.ca_file = /etc/vigil/siem-ca.pem\n"
		"# forward.fleet.url = http://clickhouse.example.org:8123\n");
	return err ? -ENOMEM : 0;
}

static int step(int err, const char *what, const char *path)
{
	if (err)
		fprintf(stderr, "vigil: %s %s: %s\n", what, path,
			strerror(-err));
	return err;
}

/* Install the binary that is running now, unless it is the target. */
static int install_binary(const struct svc_paths *p)
{
	char self[PATH_MAX];
	ssize_t n;
	int err;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return step(-errno, "cannot find", "/proc/self/exe");
	self[n] = '\0';
	if (strcmp(self, p->bin) == 0)
		return 0;
	err = file_mkdir_parent(p->bin, 0755);
	if (!err)
		err = file_copy_atomic("/proc/self/exe", p->bin, 0755);
	return step(err, "cannot install", p->bin);
}

static int install_text(const char *path, const char *text, mode_t mode)
{
	int err = file_mkdir_parent(path, 0755);

	if (!err)
		err = file_write_atomic(path, text, strlen(text), mode);
	return step(err, "cannot write", path);
}

static int install_unit(const struct svc_paths *p)
{
	struct buf b;
	int err;

	buf_init(&b, 65536);
	err = svc_unit_text(p, &b);
	if (!err)
		err = install_text(p->unit, b.data, 0644);
	buf_release(&b);
	return err;
}

/* The web viewer's token, readable by root and adm (who may read the
 * store anyway); one that exists is kept. */
static int install_token(const struct settings *s)
{
	const struct group *adm = getgrnam("adm");
	int err = file_mkdir_parent(s->web_token_path, 0755);

	if (!err)
		err = token_create(s->web_token_path,
				   adm ? adm->gr_gid : (gid_t)-1);
	return step(err < 0 ? err : 0, "cannot write", s->web_token_path);
}

/* An existing settings file (seeded by configuration management before
 * the install) is kept; it must be valid. */
static int prepare_settings(const struct svc_paths *p, struct settings *s,
			    bool *is_seeded)
{
	/* -ENOENT leaves the defaults under the root in s. */
	int err = svc_settings_load(p, s);

	*is_seeded = err == 0;
	return err == -ENOENT ? 0 : err;
}

/* A failed install takes back the files it wrote, so that `-i` can
 * simply be run again (folders stay: they may hold a store). */
static void roll_back(const struct svc_paths *p, bool is_seeded)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	svc_remove(p->unit, false);
	svc_remove(p->man8, false);
	svc_remove(p->man5, false);
	svc_remove(p->config, false);
	svc_remove(p->web_token, false);
	if (!is_seeded)
		svc_remove(p->settings, false);
	if (n <= 0)
		return;
	self[n] = '\0';
	if (strcmp(self, p->bin) != 0)
		svc_remove(p->bin, false);
}

static int write_files(const struct svc_paths *p, const struct settings *s,
		       bool is_seeded, const struct buf *config, char *hash,
		       size_t hash_len)
{
	struct buf b;
	int err;

	err = step(file_mkdir_p(p->etc_dir, 0755), "cannot create", p->etc_dir);
	if (!err)
		err = step(file_mkdir_shared(s->state_dir, 0750, "adm"),
			   "cannot create", s->state_dir);
	if (!err)
		err = step(file_mkdir_p(s->run_dir, 0755), "cannot create",
			   s->run_dir);
	if (!err)
		err = step(file_mkdir_p(p->log_dir, 0750), "cannot create",
			   p->log_dir);
	if (!err)
		err = install_binary(p);
	if (!err && !is_seeded) {
		buf_init(&b, 65536);
		err = settings_text(p, &b);
		if (!err)
			err = install_text(p->settings, b.data, 0644);
		buf_release(&b);
	}
	if (!err)
		err = install_text(p->man8, svc_man_vigil_8, 0644);
	if (!err)
		err = install_text(p->man5, svc_man_vigil_conf_5, 0644);
	if (!err)
		err = install_unit(p);
	if (!err)
		err = install_token(s);
	/* The config last: its presence is what "installed" means. */
	if (!err)
		err = svc_config_install(p, config->data, config->len, hash,
					 hash_len);
	if (err)
		roll_back(p, is_seeded);
	return err;
}

static int start_systemd(void)
{
	char *reload[] = { "systemctl", "daemon-reload", NULL };
	char *enable[] = { "systemctl", "enable", "--now", "vigil.service",
			   NULL };

	if (svc_run_cmd(reload, SVC_CMD_TIMEOUT_MS) != 0 ||
	    svc_run_cmd(enable, SVC_CMD_TIMEOUT_MS) != 0) {
		fprintf(stderr, "vigil: systemctl enable --now vigil.service "
				"failed\n");
		return -EIO;
	}
	return 0;
}

static int start(const struct svc_paths *p, const struct settings *s,
		 const char *hash)
{
	bool is_systemd = svc_has_systemd(p);
	pid_t child = 0;
	int err;

	if (is_systemd) {
		printf("Starting vigil.service (systemd is PID 1)...\n");
		err = start_systemd();
	} else {
		printf("Starting vigil detached (systemd is not PID 1 here; "
		       "it will not be restarted if it dies), log %s ...\n",
		       p->log_file);
		child = svc_start_detached(p);
		err = child < 0 ? (int)child : 0;
	}
	if (err)
		return step(err, "cannot start", p->bin);
	err = svc_wait_status(s->run_dir, child, hash, child,
			      SVC_START_TIMEOUT_MS);
	if (err) {
		fprintf(stderr,
			"vigil: the daemon %s; see %s.  vigil stays installed "
			"(vigil -u removes it).\n",
			err == -ESRCH ? "exited during start-up"
				      : "did not report running in time",
			is_systemd ? "journalctl -u vigil" : p->log_file);
		return err;
	}
	printf("vigil started (pid %d).\n", (int)svc_daemon_pid(s->run_dir));
	return 0;
}

int svc_install(const struct svc_args *a, const struct svc_paths *p)
{
	char hash[80] = "";
	struct settings s;
	struct buf config;
	bool is_seeded;
	int err;

	if (svc_exists(p->config) || svc_exists(p->unit)) {
		fprintf(stderr,
			"vigil is already installed (%s).  Use vigil -c to "
			"change the configuration, vigil -u to uninstall%s.\n",
			svc_exists(p->config) ? p->config : p->unit,
			svc_exists(p->config) ? ""
					      : " (vigil -u force: the install "
						"is incomplete)");
		return SVC_EXIT_FAIL;
	}
	buf_init(&config, SVC_MAX_CONFIG_BYTES);
	err = svc_config_compose(a, NULL, &config);
	if (!err)
		err = prepare_settings(p, &s, &is_seeded);
	if (err) {
		buf_release(&config);
		return SVC_EXIT_FAIL;
	}
	printf("Configuration %s validated.\n",
	       a->config_path ? a->config_path : "(default)");
	err = write_files(p, &s, is_seeded, &config, hash, sizeof(hash));
	buf_release(&config);
	if (err)
		return SVC_EXIT_FAIL;
	printf("vigil installed:\n"
	       "  binary    %s\n  config    %s (SHA256=%s)\n"
	       "  settings  %s%s\n  unit      %s\n  store     %s\n"
	       "  web token %s (vigil status shows it)\n",
	       p->bin, p->config, hash, p->settings,
	       is_seeded ? " (kept the existing file)" : "", p->unit,
	       s.store_path[0] ? s.store_path : "(off)", s.web_token_path);
	return start(p, &s, hash) ? SVC_EXIT_FAIL : SVC_EXIT_OK;
}
