/* SPDX-License-Identifier: MIT */
/*
 * proc/proc.c - the process table: a fixed array of slots, chained hash
 * buckets by tgid, the GUID function, the subject resolver, and readers
 * for /proc that seed the table and fill gaps.
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

#include "event/event.h"
#include "util/file.h"
#include "util/fmt.h"
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
	uint64_t boot_key; /* from boot_id: GUIDs of two boots differ */
	uint64_t ns_per_tick; /* /proc's clock tick (USER_HZ) in ns */
	uint64_t overflows;
	char proc_root[128];
};

static uint64_t ns_per_tick(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
}

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* 64 bits of the boot id (a UUID), 0 when there is none. */
static uint64_t read_boot_key(const char *proc_root)
{
	char path[FILE_MAX], buf[64];
	uint64_t key = 0;

	snprintf(path, sizeof(path), "%s/sys/kernel/random/boot_id", proc_root);
	if (file_read_head(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (const char *c = buf; *c; c++)
		if (isxdigit((unsigned char)*c))
			key = mix64(key ^ (uint64_t)(unsigned char)*c);
	return key;
}

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
	t->ns_per_tick = ns_per_tick();
	t->boot_key = read_boot_key(t->proc_root);
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

static void evict(struct proc_table *t, uint32_t tgid)
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

static uint64_t to_ticks(const struct proc_table *t, uint64_t ns)
{
	return ns / t->ns_per_tick;
}

struct proc *proc_peek(struct proc_table *t, uint32_t tgid)
{
	return lookup(t, tgid);
}

struct proc *proc_get(struct proc_table *t, uint32_t tgid, uint64_t start_ns)
{
	struct proc *p = lookup(t, tgid);
	uint64_t ticks = to_ticks(t, start_ns);

	if (!p || p->start_ticks == ticks)
		return p;
	/* An older process had this pid and its exit was missed: it is
	 * gone.  (A newer entry stays: the record is of a dead process.) */
	if (p->start_ticks < ticks)
		evict(t, tgid);
	return NULL;
}

void proc_on_exit(struct proc_table *t, const struct wire_task *task)
{
	if (proc_get(t, task->tgid, task->start_ns))
		evict(t, task->tgid);
}

/* --- ProcessGuid --- */

void proc_format_guid(char out[PROC_GUID_LEN + 1], uint32_t machine,
		      uint32_t time_s, uint64_t key)
{
	/* {%08x-%04x-%04x-%04x-%012llx}, once or twice per event */
	char *p = out;

	*p++ = '{';
	p += fmt_hex_pad(p, machine, 8);
	*p++ = '-';
	p += fmt_hex_pad(p, time_s & 0xffffu, 4);
	*p++ = '-';
	p += fmt_hex_pad(p, time_s >> 16, 4);
	*p++ = '-';
	p += fmt_hex_pad(p, key >> 48, 4);
	*p++ = '-';
	p += fmt_hex_pad(p, key, 12);
	*p++ = '}';
	*p = '\0';
}

static void guid_of(const struct proc_table *t, uint32_t tgid,
		    uint64_t start_ticks, uint64_t end_code,
		    char out[PROC_GUID_LEN + 1])
{
	uint64_t key = mix64(t->boot_key ^ tgid);

	key = mix64(key ^ start_ticks);
	key = mix64(key ^ end_code);
	proc_format_guid(
		out, t->machine,
		(uint32_t)(start_ticks * t->ns_per_tick / 1000000000ull), key);
}

void proc_guid(const struct proc_table *t, uint32_t tgid, uint64_t start_ns,
	       uint64_t end_code, char out[PROC_GUID_LEN + 1])
{
	guid_of(t, tgid, to_ticks(t, start_ns), end_code, out);
}

static void set_identity(struct proc_table *t, struct proc *p,
			 uint64_t start_ticks, uint64_t end_code)
{
	p->start_ticks = start_ticks;
	p->end_code = end_code;
	guid_of(t, p->tgid, start_ticks, end_code, p->guid);
}

struct proc *proc_on_fork(struct proc_table *t, const struct wire_task *parent,
			  uint32_t child_tgid, uint64_t child_start_ns)
{
	struct proc *pp = proc_get(t, parent->tgid, parent->start_ns);
	char *image = pp && pp->image ? strdup(pp->image) : NULL;
	char *cmd = pp && pp->cmdline ? strdup(pp->cmdline) : NULL;
	struct proc *p;

	if ((pp && pp->image && !image) || (pp && pp->cmdline && !cmd))
		goto fail;
	p = insert(t, child_tgid);
	if (!p)
		goto fail;
	p->ppid = parent->tgid;
	p->uid = parent->uid;
	p->loginuid = parent->loginuid;
	p->sessionid = parent->sessionid;
	p->image = image;
	p->cmdline = cmd;
	/* The child runs its parent's image: the same end of code. */
	set_identity(t, p, to_ticks(t, child_start_ns), parent->end_code);
	return p;
fail:
	free(image);
	free(cmd);
	return NULL;
}

struct proc *proc_on_exec(struct proc_table *t, const struct wire_task *task,
			  char *image, char *cmdline)
{
	struct proc *p = insert(t, task->tgid);

	if (!p) {
		free(image);
		free(cmdline);
		return NULL;
	}
	p->ppid = task->ppid;
	p->uid = task->uid;
	p->loginuid = task->loginuid;
	p->sessionid = task->sessionid;
	p->image = image;
	p->cmdline = cmdline;
	set_identity(t, p, to_ticks(t, task->start_ns), task->end_code);
	return p;
}

/* --- the subject resolver --- */

static void set_field(struct event *ev, int idx, const char *v)
{
	if (idx >= 0 && v)
		event_set_str(ev, (unsigned)idx, v);
}

const struct proc *proc_subject(struct proc_table *t,
				const struct wire_task *task, struct event *ev,
				const struct proc_fields *f)
{
	struct proc *p = proc_get(t, task->tgid, task->start_ns);
	char guid[PROC_GUID_LEN + 1];

	if (f->pid >= 0)
		event_set_u64(ev, (unsigned)f->pid, task->tgid);
	if (f->guid >= 0) {
		/* Exit records come without an mm: the table's image then. */
		if (p && (!task->end_code || task->end_code == p->end_code))
			set_field(ev, f->guid, p->guid);
		else {
			proc_guid(t, task->tgid, task->start_ns, task->end_code,
				  guid);
			set_field(ev, f->guid, guid);
		}
	}
	if (!p || !p->image)
		return NULL;
	set_field(ev, f->image, p->image);
	set_field(ev, f->cmdline, p->cmdline);
	return p;
}

/* --- /proc readers (procfs.c parses what they read) --- */

/* A command line of at most CMDLINE_MAX bytes, in a block of its own
 * size (the table keeps one per process). */
static char *read_cmdline(const char *dir)
{
	char path[FILE_MAX], *buf = malloc(CMDLINE_MAX), *fit;
	ssize_t n;
	size_t len;

	if (!buf)
		return NULL;
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	n = file_read_head(path, buf, CMDLINE_MAX);
	len = proc_cmdline_join(buf, n > 0 ? (size_t)n : 0);
	fit = realloc(buf, len + 1);
	return fit ? fit : buf;
}

static uint32_t read_u32_file(const char *dir, const char *name)
{
	char path[FILE_MAX], buf[32];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = file_read_head(path, buf, sizeof(buf));
	return n > 0 ? proc_parse_u32(buf, (size_t)n) : UINT32_MAX;
}

/* ppid, start time and end of code from /proc/PID/stat. */
static int read_stat(const char *dir, struct proc *p)
{
	char path[FILE_MAX], buf[1024];
	struct proc_stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/stat", dir);
	n = file_read_head(path, buf, sizeof(buf));
	if (n <= 0)
		return -ENOENT;
	if (proc_parse_stat(buf, (size_t)n, &st) < 0)
		return -EINVAL;
	p->ppid = st.ppid;
	p->start_ticks = st.start_ticks;
	p->end_code = st.end_code;
	return 0;
}

/* The real uid, UINT32_MAX when unknown. */
static uint32_t read_uid(const char *dir)
{
	char path[FILE_MAX], buf[2048];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/status", dir);
	n = file_read_head(path, buf, sizeof(buf));
	return n > 0 ? proc_parse_status_uid(buf, (size_t)n) : UINT32_MAX;
}

void proc_info_release(struct proc *p)
{
	if (p)
		clear_proc(p);
}

int proc_read_info(const struct proc_table *t, uint32_t tgid, uint64_t start_ns,
		   struct proc *out)
{
	char dir[DIR_MAX], path[FILE_MAX], exe[PATH_MAX];
	ssize_t n;
	int r;

	memset(out, 0, sizeof(*out));
	out->tgid = tgid;
	snprintf(dir, sizeof(dir), "%s/%u", t->proc_root, tgid);
	if ((r = read_stat(dir, out)) < 0)
		return r;
	if (start_ns && out->start_ticks != to_ticks(t, start_ns))
		return -ESRCH;
	out->uid = read_uid(dir);
	out->loginuid = read_u32_file(dir, "loginuid");
	out->sessionid = read_u32_file(dir, "sessionid");
	snprintf(path, sizeof(path), "%s/exe", dir);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	out->image = strdup(exe);
	out->cmdline = read_cmdline(dir);
	if (!out->image || !out->cmdline) {
		clear_proc(out);
		return -ENOMEM;
	}
	guid_of(t, tgid, out->start_ticks, out->end_code, out->guid);
	out->is_used = true;
	return 0;
}

int proc_table_seed(struct proc_table *t)
{
	DIR *d = opendir(t->proc_root);
	struct dirent *de;
	int added = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);
		struct proc info, *p;

		if (*end || pid == 0 || pid > UINT32_MAX)
			continue;
		if (proc_read_info(t, (uint32_t)pid, 0, &info) < 0)
			continue;
		p = insert(t, (uint32_t)pid);
		if (!p) {
			clear_proc(&info);
			continue;
		}
		*p = info;
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
