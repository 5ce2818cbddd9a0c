/* SPDX-License-Identifier: MIT */
/*
 * content/content.h - what vigil learns from, and keeps of, the content
 * of files other processes create and delete: the held files and the
 * archive behind FileDelete's ArchiveDirectory (held.c, archive.c), and
 * whether a file written to disk is an executable (exec.c, event 29).
 *
 * Why files are "held": a deletion reaches the daemon after the kernel has
 * removed the name, and after the last name (and descriptor) is gone
 * there is nothing left to read.  So, while archiving is on, the daemon
 * opens every file it sees created (read-only) and keeps the descriptor
 * for a while; when that file is deleted, the descriptor still reads its
 * content.  What the daemon did not see created, or saw too late (the
 * file was gone before the daemon opened it), cannot be archived:
 * Archived then says false.  Held descriptors pin nothing but the inode
 * (its disk space once deleted, and its filesystem against unmounting),
 * so they are bounded in number and age.
 *
 * Single-threaded: the daemon's pipeline thread owns one struct content.
 */
#ifndef VIGIL_CONTENT_H
#define VIGIL_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash/hash.h"

struct content;

struct content_limits {
	size_t max_held; /* descriptors held at once */
	uint64_t hold_ns; /* a held file is let go after this long */
	uint64_t max_bytes; /* larger files are not hashed nor archived */
};

/* NULL + errno (ENOMEM).  Archiving starts off. */
struct content *content_new(const struct content_limits *l);
void content_free(struct content *c);

/*
 * Archive into dir (absolute; created 0700 if missing, must be a
 * directory owned by us and not reachable by others), or stop archiving
 * when dir is NULL (held files are let go).  0 or a negative errno (then
 * archiving is off).
 */
int content_set_archive(struct content *c, const char *dir);

/* Whether archiving is on. */
bool content_is_archiving(const struct content *c);

/* Files held now (status, tests). */
size_t content_held_count(const struct content *c);

/*
 * A file came into existence at path (dev, ino: that inode when not 0):
 * hold it if archiving is on.  Lets go of the oldest when full, and of
 * those held longer than the limit.  now_ns: any monotonic clock.
 */
void content_hold(struct content *c, const char *path, uint64_t dev,
		  uint64_t ino, uint64_t now_ns);

/* The name from was renamed to to: what was held under from is now held
 * under to; what was held under to was replaced and is let go. */
void content_rename(struct content *c, const char *from, const char *to);

/* What a deletion left of a file. */
struct content_file {
	int fd; /* the held descriptor (owned), -1 when none */
	bool is_executable; /* ELF image, or "#!" script with an exec bit */
	char hashes[HASH_TEXT_MAX]; /* "" when not hashed */
};

/*
 * path was deleted: take its held descriptor (if any) into *f with what
 * its content is.  algs: the HASH_* algorithms wanted (0: none).
 * Returns 0 with f->fd >= 0, -ENOENT when nothing was held under path
 * (f->fd -1), or another negative errno (f->fd -1).  Release f with
 * content_file_release() in every case.
 */
int content_take(struct content *c, const char *path, unsigned algs,
		 struct content_file *f);

/*
 * Copy f's content into the archive, named after its hashes (as Sysmon
 * names archived files; SHA256 when algs has none) plus the extension of
 * path when it has a short one, 0400.  The name goes to name.  Returns 0
 * (also when the same content is archived already), -ENOENT (archiving
 * off or nothing held), -EFBIG (over the size limit), or another errno.
 */
int content_archive(struct content *c, struct content_file *f, const char *path,
		    unsigned algs, char *name, size_t name_size);

void content_file_release(struct content_file *f);

/*
 * Event 29: whether the file at path (dev, ino when not 0) holds an
 * executable written while vigil watched: an ELF program or shared
 * object, or a "#!" script with an exec bit.  After a chmod (is_chmod),
 * only a file content_written() remembers counts.  On 1, hashes has its Hashes (algs; "" if none
 * or on error).  Returns 1, 0, or a negative errno (the file is gone ...).
 */
int content_executable(struct content *c, const char *path, uint64_t dev,
		       uint64_t ino, bool is_chmod, unsigned algs,
		       char *hashes);

/* A file (dev, ino) was created or truncated with mode: without an exec
 * bit, a chmod giving it one later may make it an executable (29). */
void content_written(struct content *c, uint64_t dev, uint64_t ino,
		     unsigned mode);

/* Forget (dev, ino) from what content_written() remembers; whether it
 * was remembered. */
bool content_forget_written(struct content *c, uint64_t dev, uint64_t ino);

/* Bytes of a file's start content_looks_executable() needs; the kernel
 * sends no close of a shorter file without an exec bit (wire.h). */
#define CONTENT_HEAD 18

/* Pure: whether the first bytes head[0..n) of a file with mode look
 * executable: an ELF program or shared object, or "#!" with an exec bit
 * in mode. */
bool content_looks_executable(const unsigned char *head, size_t n,
			      unsigned mode);

#endif /* VIGIL_CONTENT_H */
