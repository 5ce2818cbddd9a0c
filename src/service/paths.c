/* SPDX-License-Identifier: MIT */
/*
 * service/paths.c - where an install puts things, under an install root.
 *
 * The root (VIGIL_ROOT) lets the tests install, run and uninstall into a
 * temporary folder with the same code path as a real install.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "service.h"

static int join(char *dst, const char *root, const char *path)
{
	int n = snprintf(dst, PATH_MAX, "%s%s", root, path);

	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int svc_paths_init(struct svc_paths *p, const char *root)
{
	static const struct {
		size_t offset;
		const char *path;
	} table[] = {
		{ offsetof(struct svc_paths, bin), "/usr/local/sbin/vigil" },
		{ offsetof(struct svc_paths, etc_dir), "/etc/vigil" },
		{ offsetof(struct svc_paths, config), "/etc/vigil/config.xml" },
		{ offsetof(struct svc_paths, settings),
		  "/etc/vigil/vigil.conf" },
		{ offsetof(struct svc_paths, state_dir), "/var/lib/vigil" },
		{ offsetof(struct svc_paths, store),
		  "/var/lib/vigil/events.db" },
		{ offsetof(struct svc_paths, run_dir), "/run/vigil" },
		{ offsetof(struct svc_paths, log_dir), "/var/log/vigil" },
		{ offsetof(struct svc_paths, log_file),
		  "/var/log/vigil/vigil.log" },
		{ offsetof(struct svc_paths, unit),
		  "/etc/systemd/system/vigil.service" },
		{ offsetof(struct svc_paths, man8),
		  "/usr/local/share/man/man8/vigil.8" },
		{ offsetof(struct svc_paths, man5),
		  "/usr/local/share/man/man5/vigil.conf.5" },
		{ offsetof(struct svc_paths, web_token),
		  "/etc/vigil/web.token" },
	};
	char base[PATH_MAX];
	size_t len;
	int err;

	memset(p, 0, sizeof(*p));
	if (!root)
		root = "";
	if (*root && root[0] != '/')
		return -EINVAL;
	len = strlen(root);
	if (len >= PATH_MAX - 64)
		return -ENAMETOOLONG;
	/* "/" and "/x/" name the same roots as "" and "/x". */
	while (len && root[len - 1] == '/')
		len--;
	memcpy(base, root, len);
	base[len] = '\0';
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		err = join((char *)p + table[i].offset, base, table[i].path);
		if (err)
			return err;
	}
	memcpy(p->root, base, len + 1);
	return 0;
}
