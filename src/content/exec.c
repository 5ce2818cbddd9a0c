/* SPDX-License-Identifier: MIT */
/*
 * content/exec.c - event 29's question: is this newly written file an
 * executable?  An ELF program or shared object (whatever its mode:
 * shared objects are not marked executable), or a "#!" script with an
 * exec bit.  Files created without an exec bit are remembered (about the
 * last SCRIPTS_MAX, internal.h), so that the chmod which later gives one
 * counts as the moment the file became an executable.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire.h"
#include "internal.h"

_Static_assert(CONTENT_HEAD == WIRE_EXEC_HEAD,
	       "the kernel filters closes by the same length");

bool content_looks_executable(const unsigned char *head, size_t n,
			      unsigned mode)
{
	unsigned type;

	/* An ELF program or shared object (e_type ET_EXEC or ET_DYN, in
	 * the byte order EI_DATA says); not an object file or a core. */
	if (n >= CONTENT_HEAD && memcmp(head,
					"\x7f"
					"ELF",
					4) == 0) {
		type = head[5] == 2 ? (unsigned)head[16] << 8 | head[17]
				    : (unsigned)head[17] << 8 | head[16];
		return type == 2 || type == 3;
	}
	return n >= 2 && head[0] == '#' && head[1] == '!' && (mode & 0111);
}

/* The set (dev, ino) is remembered in. */
static struct script *set_of(struct content *c, uint64_t dev, uint64_t ino)
{
	uint64_t h =
		(ino ^ dev * 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull;

	return &c->scripts[(h >> 32) % (SCRIPTS_MAX / SCRIPT_WAYS) *
			   SCRIPT_WAYS];
}

bool content_forget_written(struct content *c, uint64_t dev, uint64_t ino)
{
	struct script *set = set_of(c, dev, ino);

	for (size_t i = 0; i < SCRIPT_WAYS; i++) {
		struct script *s = &set[i];

		if (s->seq && s->dev == dev && s->ino == ino) {
			memset(s, 0, sizeof(*s));
			return true;
		}
	}
	return false;
}

void content_written(struct content *c, uint64_t dev, uint64_t ino,
		     unsigned mode)
{
	struct script *set, *s;

	if (!ino || (mode & 0111))
		return;
	set = set_of(c, dev, ino);
	s = &set[0];
	for (size_t i = 0; i < SCRIPT_WAYS; i++) {
		if (set[i].seq && set[i].dev == dev && set[i].ino == ino) {
			s = &set[i]; /* written again: remembered anew */
			break;
		}
		if (set[i].seq < s->seq)
			s = &set[i]; /* an empty one (0), or the oldest */
	}
	s->dev = dev;
	s->ino = ino;
	s->seq = ++c->nscripts;
}

int content_executable(struct content *c, const char *path, uint64_t dev,
		       uint64_t ino, bool is_chmod, unsigned algs, char *hashes)
{
	unsigned char head[CONTENT_HEAD];
	struct stat st;
	ssize_t n;
	bool yes;
	int fd, r;

	hashes[0] = '\0';
	fd = open(path,
		  O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	r = 0;
	if (!S_ISREG(st.st_mode) || (dev && (uint64_t)st.st_dev != dev) ||
	    (ino && (uint64_t)st.st_ino != ino))
		goto out;
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	yes = content_looks_executable(head, (size_t)n, st.st_mode);
	/* A chmod counts only for a file we saw written without an exec
	 * bit (and not reported since): a file written before we watched
	 * is no new executable.  Reported now, it is forgotten. */
	if (is_chmod)
		yes = yes && content_forget_written(c, (uint64_t)st.st_dev,
						    (uint64_t)st.st_ino);
	else if (yes)
		content_forget_written(c, (uint64_t)st.st_dev,
				       (uint64_t)st.st_ino);
	if (!yes)
		goto out;
	r = 1;
	if (algs && hash_fd_copy(c->hashes, fd, algs, -1, hashes) < 0)
		hashes[0] = '\0';
out:
	close(fd);
	return r;
}
