/* SPDX-License-Identifier: MIT */
/*
 * service/configfile.c - the installed Sysmon config and settings file:
 * compose the text to install (file, default or installed config, plus
 * the legacy switches), validate it, and put it in place atomically.
 *
 * Validation happens twice on purpose: the user's file first, so errors
 * point at the user's file:line:col, then the exact bytes that will be
 * installed, so the daemon is never handed a config that does not load.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "internal.h"
#include "settings/settings.h"
#include "util/buf.h"
#include "util/file.h"

static void print_diag(const struct diag *d)
{
	fprintf(stderr, "%s:%d:%d: %s\n", d->file, d->line, d->col, d->msg);
}

int svc_config_compose(const struct svc_args *a, const char *base_path,
		       struct buf *out)
{
	const char *name = "(default)";
	struct buf base;
	struct diag d = { 0 };
	struct config *c = NULL;
	int err = 0;

	buf_init(&base, SVC_MAX_CONFIG_BYTES);
	if (a->config_path || base_path) {
		name = a->config_path ? a->config_path : base_path;
		err = file_read_all(name, SVC_MAX_CONFIG_BYTES, &base);
		if (err) {
			fprintf(stderr, "vigil: %s: %s\n", name,
				strerror(-err));
			goto out;
		}
		c = config_load_file(name, &d);
	} else {
		err = buf_adds(&base, config_default_xml());
		if (!err)
			c = config_load_mem(base.data, base.len, name, &d);
	}
	if (err)
		goto out;
	if (!c) {
		print_diag(&d);
		err = -EINVAL;
		goto out;
	}
	config_free(c);
	if (svc_args_has_legacy(a))
		err = svc_legacy_apply(base.data, base.len, name, a,
				       !a->config_path, out);
	else
		err = buf_add(out, base.data, base.len);
	if (!err && out->is_full)
		err = -EFBIG;
	if (err && err != -EINVAL)
		fprintf(stderr, "vigil: %s: %s\n", name, strerror(-err));
out:
	buf_release(&base);
	return err;
}

static void ignore_warning(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int svc_config_install(const struct svc_paths *p, const char *text, size_t len,
		       char *hash, size_t hash_len)
{
	const struct config_opts quiet = { .warn = ignore_warning };
	char tmp[PATH_MAX + 16];
	struct diag d = { 0 };
	struct config *c;
	int err, n;

	/* Same folder as the target, so the rename is atomic; a name the
	 * daemon never reads. */
	n = snprintf(tmp, sizeof(tmp), "%s/.config.xml.new", p->etc_dir);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	err = file_write_atomic(tmp, text, len, 0600);
	if (err) {
		fprintf(stderr, "vigil: %s: %s\n", tmp, strerror(-err));
		return err;
	}
	/* The user has seen this config's warnings already. */
	c = config_load_file_opts(tmp, &quiet, &d);
	if (!c) {
		fprintf(stderr, "vigil: the configuration with the switches "
				"applied does not load:\n");
		print_diag(&d);
		unlink(tmp);
		return -EINVAL;
	}
	snprintf(hash, hash_len, "%s", config_file_hash(c));
	config_free(c);
	if (rename(tmp, p->config) < 0) {
		err = -errno;
		fprintf(stderr, "vigil: %s: %s\n", p->config, strerror(errno));
		unlink(tmp);
		return err;
	}
	return 0;
}

int svc_settings_load(const struct svc_paths *p, struct settings *s)
{
	struct diag d = { 0 };
	int err;

	settings_defaults(s);
	err = settings_load(s, p->settings, &d);
	if (err && p->root[0]) {
		/* Not installed or unreadable: the defaults, under the root
		 * (settings_load() left s at the defaults). */
		snprintf(s->state_dir, sizeof(s->state_dir), "%s",
			 p->state_dir);
		snprintf(s->run_dir, sizeof(s->run_dir), "%s", p->run_dir);
		snprintf(s->store_path, sizeof(s->store_path), "%s", p->store);
	}
	/* A token path left at its default lives under the root too. */
	if (p->root[0] &&
	    strcmp(s->web_token_path, "/etc/vigil/web.token") == 0)
		snprintf(s->web_token_path, sizeof(s->web_token_path), "%s",
			 p->web_token);
	if (err == -EINVAL)
		print_diag(&d);
	else if (err && err != -ENOENT)
		fprintf(stderr, "vigil: %s: %s\n", p->settings, strerror(-err));
	return err;
}
