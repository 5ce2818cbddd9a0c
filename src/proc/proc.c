/* SPDX-License-Identifier: MIT */
/*
 * proc/proc.c - the process table: a fixed array of slots, chained hash
 * buckets by tgid, and readers for /proc that seed it and fill gaps.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

#define NO_SLOT	    UINT32_MAX
#define CMDLINE_MAX 32768
#define DIR_MAX	    160 /* proc_root (< 128) + "/" + pid */
#define FILE_MAX    192

struct slot {
	struct proc p;
	uint32_t next; /* next slot in the bucket, or the free list */
};

struct proc_table {
	struct slot *slots;
	uint32_t *buckets;
	size_t nslots;
	size_t nbuckets; /* power of two */
	size_t count;
	size_t hwm; /* slots at or past this were never used */
	uint32_t free_head; /* slots freed by exits */
	uint32_t machine;
	uint64_t overflows;
	char proc_root[128];
	int64_t boot_to_utc_ns;
};

static uint32_t parse_machine(const char *id)
{
	char hex[9] = { 0 };

	if (!id)
		return 0;
	for (int i = 0; i < 8; i++) {
		if (!isxdigit((unsigned char)id[i]))
			return 0;
		hex[i] = id[i];
	}
	return (uint32_t)strtoul(hex, NULL, 16);
}

struct proc_table *proc_table_new(size_t max_entries, const char *machine_id,
				  const char *proc_root)
{
	struct proc_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nslots = max_entries ? max_entries : 1;
	t->nbuckets = 1;
	while (t->nbuckets < t->nslots)
		t->nbuckets <<= 1;
	/* mmap, not calloc: calloc may take the array from the heap and
	 * zero it, touching every page; fresh anonymous pages are zero and
	 * stay unbacked until a process lands in them. */
	t->slots = mmap(NULL, t->nslots * sizeof(*t->slots),
			PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			0);
	if (t->slots == MAP_FAILED)
		t->slots = NULL;
	t->buckets = malloc(t->nbuckets * sizeof(*t->buckets));
	if (!t->slots || !t->buckets) {
		proc_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < t->nbuckets; i++)
		t->buckets[i] = NO_SLOT;
	/* Slots are handed out from the high-water mark first, so pages of
	 * the array are only touched once a process needs them. */
	t->free_head = NO_SLOT;
	t->machine = parse_machine(machine_id);
	snprintf(t->proc_root, sizeof(t->proc_root), "%s",
		 proc_root ? proc_root : "/proc");
	return t;
}

static void clear_proc(struct proc *p)
{
	free(p->image);
	free(p->cmdline);
	memset(p, 0, sizeof(*p));
}

void proc_table_free(struct proc_table *t)
{
	if (!t)
		return;
	if (t->slots) {
		for (size_t i = 0; i < t->hwm; i++)
			clear_proc(&t->slots[i].p);
		munmap(t->slots, t->nslots * sizeof(*t->slots));
	}
	free(t->buckets);
	free(t);
}

static uint32_t *bucket_of(struct proc_table *t, uint32_t tgid)
{
	uint32_t h = tgid * 2654435761u;

	return &t->buckets[h & (t->nbuckets - 1)];
}

static struct proc *lookup(struct proc_table *t, uint32_t tgid)
{
	for (uint32_t i = *bucket_of(t, tgid); i != NO_SLOT;
	     i = t->slots[i].next)
		if (t->slots[i].p.tgid == tgid)
			return &t->slots[i].p;
	return NULL;
}

/* A cleared entry for tgid, replacing any old one; NULL when full. */
static struct proc *insert(struct proc_table *t, uint32_t tgid)
{
	struct proc *p = lookup(t, tgid);
	uint32_t *b, i;

	if (p) {
		clear_proc(p);
		p->tgid = tgid;
		p->is_used = true;
		return p;
	}
	if (t->free_head != NO_SLOT) {
		i = t->free_head;
		t->free_head = t->slots[i].next;
	} else if (t->hwm < t->nslots) {
		i = (uint32_t)t->hwm++;
	} else {
		t->overflows++;
		return NULL;
	}
	b = bucket_of(t, tgid);
	t->slots[i].next = *b;
	*b = i;
	t->count++;
	p = &t->slots[i].p;
	p->tgid = tgid;
	p->is_used = true;
	return p;
}

void proc_on_exit(struct proc_table *t, uint32_t tgid)
{
	uint32_t *link = bucket_of(t, tgid);

	while (*link != NO_SLOT) {
		struct slot *s = &t->slots[*link];

		if (s->p.tgid == tgid) {
			uint32_t i = *link;

			*link = s->next;
			clear_proc(&s->p);
			s->next = t->free_head;
			t->free_head = i;
			t->count--;
			return;
		}
		link = &s->next;
	}
}

void proc_format_guid(char out[PROC_GUID_LEN + 1], uint32_t machine,
		      uint32_t time_s, uint64_t key)
{
	snprintf(out, PROC_GUID_LEN + 1, "{%08x-%04x-%04x-%04x-%012llx}",
		 machine, time_s & 0xffffu, time_s >> 16, (unsigned)(key >> 48),
		 (unsigned long long)(key & 0xffffffffffffull));
}

/* Per-exec key: the event time in ns, mixed with the pid so two execs in
 * the same nanosecond on two CPUs still differ. */
static void make_guid(struct proc_table *t, struct proc *p, uint64_t utc_ns)
{
	uint64_t key = utc_ns ^ ((uint64_t)p->tgid << 40);

	proc_format_guid(p->guid, t->machine,
			 (uint32_t)(utc_ns / 1000000000ull), key);
}

struct proc *proc_on_fork(struct proc_table *t, uint32_t parent, uint32_t child,
			  uint64_t utc_ns)
{
	struct proc *pp = proc_find(t, parent);
	char *image = pp && pp->image ? strdup(pp->image) : strdup("");
	char *cmd = pp && pp->cmdline ? strdup(pp->cmdline) : strdup("");
	struct proc *p;

	if (!image || !cmd)
		goto fail;
	pp = lookup(t,
		    parent); /* proc_find may have moved nothing, but be safe */
	p = insert(t, child);
	if (!p)
		goto fail;
	p->ppid = parent;
	if (pp) {
		p->uid = pp->uid;
		p->loginuid = pp->loginuid;
		p->sessionid = pp->sessionid;
	}
	p->image = image;
	p->cmdline = cmd;
	make_guid(t, p, utc_ns);
	return p;
fail:
	free(image);
	free(cmd);
	return NULL;
}

struct proc *proc_on_exec(struct proc_table *t, const struct proc *info,
			  uint64_t utc_ns, char *image, char *cmdline)
{
	struct proc *p = insert(t, info->tgid);

	if (!p) {
		free(image);
		free(cmdline);
		return NULL;
	}
	p->ppid = info->ppid;
	p->uid = info->uid;
	p->loginuid = info->loginuid;
	p->sessionid = info->sessionid;
	p->image = image;
	p->cmdline = cmdline;
	make_guid(t, p, utc_ns);
	return p;
}

/* --- /proc readers --- */

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1 &&
	       (n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

static char *read_cmdline(const char *dir)
{
	char path[FILE_MAX], *buf = malloc(CMDLINE_MAX);
	ssize_t n;

	if (!buf)
		return NULL;
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	n = read_file(path, buf, CMDLINE_MAX);
	if (n < 0)
		n = 0;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return buf;
}

static uint32_t read_u32_file(const char *dir, const char *name)
{
	char path[FILE_MAX], buf[32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return UINT32_MAX;
	return (uint32_t)strtoul(buf, NULL, 10);
}

/* ppid and start time (ns since boot) from /proc/PID/stat. */
static int read_stat(const char *dir, uint32_t *ppid, uint64_t *start_ns)
{
	char path[FILE_MAX], buf[1024], *s;
	unsigned long long start = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int pp = 0;

	snprintf(path, sizeof(path), "%s/stat", dir);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -ENOENT;
	s = strrchr(buf, ')'); /* comm may hold spaces and parens */
	if (!s || sscanf(s + 2,
			 "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &pp, &start) != 2)
		return -EINVAL;
	*ppid = (uint32_t)pp;
	*start_ns = start * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
	return 0;
}

static uint32_t read_uid(const char *dir)
{
	char path[FILE_MAX], buf[2048], *s;

	snprintf(path, sizeof(path), "%s/status", dir);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	s = strstr(buf, "\nUid:");
	return s ? (uint32_t)strtoul(s + 5, NULL, 10) : 0;
}

static struct proc *read_proc(struct proc_table *t, uint32_t tgid)
{
	char dir[DIR_MAX], path[FILE_MAX], exe[PATH_MAX];
	uint64_t start_ns;
	struct proc info = { .tgid = tgid };
	ssize_t n;
	char *image, *cmd;

	snprintf(dir, sizeof(dir), "%s/%u", t->proc_root, tgid);
	if (read_stat(dir, &info.ppid, &start_ns) < 0)
		return NULL;
	info.uid = read_uid(dir);
	info.loginuid = read_u32_file(dir, "loginuid");
	info.sessionid = read_u32_file(dir, "sessionid");
	snprintf(path, sizeof(path), "%s/exe", dir);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	image = strdup(exe);
	cmd = read_cmdline(dir);
	if (!image || !cmd) {
		free(image);
		free(cmd);
		return NULL;
	}
	return proc_on_exec(t, &info,
			    (uint64_t)((int64_t)start_ns + t->boot_to_utc_ns),
			    image, cmd);
}

struct proc *proc_find(struct proc_table *t, uint32_t tgid)
{
	struct proc *p = lookup(t, tgid);

	return p ? p : read_proc(t, tgid);
}

int proc_table_seed(struct proc_table *t, int64_t boot_to_utc_ns)
{
	DIR *d = opendir(t->proc_root);
	struct dirent *de;
	int added = 0;

	t->boot_to_utc_ns = boot_to_utc_ns;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		if (read_proc(t, (uint32_t)pid))
			added++;
	}
	closedir(d);
	return added;
}

size_t proc_table_count(const struct proc_table *t)
{
	return t->count;
}

uint64_t proc_table_overflows(const struct proc_table *t)
{
	return t->overflows;
}

uint32_t proc_table_machine(const struct proc_table *t)
{
	return t->machine;
}
