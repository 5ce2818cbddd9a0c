/* SPDX-License-Identifier: MIT */
/*
 * enrich/modfile.c - WANT_MODSIG's slow path: a kernel module file's
 * appended signature (modsig parses it) and what the kernel made of it
 * (sysfs), for event 6.  Runs on the worker: it reads files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The last *len bytes of the file at path, if it is still the version
 * the kernel loaded (id: device and inode): 0 or a negative errno. */
static int read_tail(const char *path, const struct hash_id *id,
		     unsigned char *buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	off_t from;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (id->ino && (st.st_ino != id->ino || st.st_dev != id->dev))) {
		close(fd);
		return -ESTALE;
	}
	from = st.st_size > (off_t)*len ? st.st_size - (off_t)*len : 0;
	n = pread(fd, buf, *len, from);
	close(fd);
	if (n < 0)
		return -errno;
	*len = (size_t)n;
	return 0;
}

/* "/lib/modules/.../snd-hda.ko" -> "snd_hda", as sysfs names it. */
static void module_name(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t i = 0;

	base = base ? base + 1 : path;
	for (; base[i] && base[i] != '.' && i + 1 < size; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[i] = '\0';
}

static void read_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (!f)
		return;
	if (!fgets(out, (int)size, f))
		out[0] = '\0';
	fclose(f);
}

/* Enforced signatures mean the kernel trusted the key; otherwise the
 * module's E taint marks one it could not verify. */
static enum modsig_verdict verdict(const char *path)
{
	char name[64], file[128], text[16];
	struct stat st;

	read_line("/sys/module/module/parameters/sig_enforce", text,
		  sizeof(text));
	if (text[0] == 'Y')
		return MODSIG_TRUSTED;
	module_name(path, name, sizeof(name));
	snprintf(file, sizeof(file), "/sys/module/%s/taint", name);
	if (stat(file, &st) < 0)
		return MODSIG_UNKNOWN;
	read_line(file, text, sizeof(text));
	return strchr(text, 'E') ? MODSIG_REJECTED : MODSIG_TRUSTED;
}

void enrich_module_signature(const char *path, const struct hash_id *id,
			     struct modsig_fields *out)
{
	unsigned char buf[MODSIG_TAIL_MAX];
	const char *why = NULL, *dot = strrchr(path, '.');
	struct modsig sig;
	size_t len = sizeof(buf);
	int r;

	if (dot && strcmp(dot, ".ko") != 0) {
		/* .ko.xz, .ko.zst: the signature is inside the stream */
		r = -EINVAL;
		why = "compressed module, signature not read";
	} else if (read_tail(path, id, buf, &len) < 0) {
		r = -EINVAL;
		why = "module file unreadable or replaced";
	} else {
		r = modsig_parse(buf, len, &sig, &why);
	}
	modsig_fields(r, &sig, why, r == 0 ? verdict(path) : MODSIG_UNKNOWN,
		      out);
}
