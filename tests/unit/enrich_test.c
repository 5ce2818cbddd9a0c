/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/enrich_test.c - the enrichment stage: fast path inline, slow
 * path on the worker for misses (a user lookup that blocks until the test
 * lets it go), events in order behind a waiting one, several requests per
 * event, shared jobs, bounds (events, jobs, time), and hashes of the
 * version asked for or the marker.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/fields.h"
#include "enrich/enrich.h"
#include "event/event.h"
#include "util/clock.h"
#include "tap.h"

/* A user database that answers "user-UID", and blocks while the gate is
 * closed: a slow NSS server the test controls. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool is_gate_closed;
static int lookups;

static void fake_lookup(uint32_t uid, char *out, size_t size)
{
	pthread_mutex_lock(&gate_lock);
	lookups++;
	while (is_gate_closed)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	snprintf(out, size, "user-%u", uid);
}

static void gate(bool is_closed)
{
	pthread_mutex_lock(&gate_lock);
	is_gate_closed = is_closed;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static int lookups_now(void)
{
	int n;

	pthread_mutex_lock(&gate_lock);
	n = lookups;
	pthread_mutex_unlock(&gate_lock);
	return n;
}

static struct enrich *stage(size_t max_events, size_t max_jobs,
			    uint32_t max_wait_ms, struct proc_table *procs)
{
	struct enrich_opts o = {
		.procs = procs,
		.max_events = max_events,
		.max_jobs = max_jobs,
		.max_wait_ms = max_wait_ms,
		.hash_cache_entries = 16,
		.hash_max_bytes = 1 << 20,
		.lookup_user = fake_lookup,
	};
	struct enrich *e = enrich_new(&o);

	CHECK(e != NULL);
	return e;
}

/* An event 1 whose CommandLine is tag. */
static struct event make(unsigned id, const char *tag)
{
	struct event ev;

	CHECK(event_init(&ev, id) == 0);
	event_set_str(&ev, id == 1 ? EV1_COMMAND_LINE : EV5_IMAGE, tag);
	return ev;
}

static struct decode_want user(int field, uint32_t uid)
{
	return (struct decode_want){ .kind = WANT_USER,
				     .field = field,
				     .uid = uid };
}

/* enrich_pop() until it gives an event or ms pass: 1 or 0. */
static int pop_within(struct enrich *e, struct event *out, int ms)
{
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000;

	do {
		if (enrich_pop(e, out))
			return 1;
		usleep(1000);
	} while (clock_ns(CLOCK_MONOTONIC) < end);
	return 0;
}

static void test_fast_and_slow(void)
{
	struct enrich *e = stage(8, 4, 5000, NULL);
	struct decode_want w = user(EV1_USER, 1000);
	struct enrich_stats st;
	struct event ev;
	int before = lookups_now();

	if (!e)
		return;
	/* A miss goes to the worker; the event comes back complete. */
	ev = make(1, "first");
	CHECK(enrich_add(e, &ev, &w, 1) == 0);
	CHECK(ev.buf == NULL); /* taken */
	CHECK(pop_within(e, &ev, 2000) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "user-1000");
	CHECK_STR(event_value(&ev, EV1_COMMAND_LINE, NULL), "first");
	event_release(&ev);
	CHECK(lookups_now() == before + 1);

	/* Now cached: answered inline, the caller keeps the event. */
	ev = make(1, "second");
	CHECK(enrich_add(e, &ev, &w, 1) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "user-1000");
	event_release(&ev);
	CHECK(lookups_now() == before + 1);
	CHECK(enrich_pop(e, &ev) == 0);
	enrich_get_stats(e, &st);
	CHECK(st.fast == 1 && st.slow == 1 && st.lost == 0);
	enrich_free(e);
}

/*
 * A slow lookup holds up the events behind it, never the caller: adding
 * returns at once, and they all leave in order once it is answered.  A
 * second request for the same uid joins the job in flight.
 */
static void test_order(void)
{
	struct enrich *e = stage(8, 4, 5000, NULL);
	struct decode_want w = user(EV1_USER, 2001);
	static const char *const tags[] = { "create", "exit", "again" };
	struct enrich_stats st;
	struct event ev;
	uint64_t t0;
	int before = lookups_now();

	if (!e)
		return;
	gate(true);
	t0 = clock_ns(CLOCK_MONOTONIC);
	ev = make(1, tags[0]);
	CHECK(enrich_add(e, &ev, &w, 1) == 0);
	ev = make(5, tags[1]);
	CHECK(enrich_add(e, &ev, NULL, 0) == 0); /* waits for order only */
	ev = make(1, tags[2]);
	CHECK(enrich_add(e, &ev, &w, 1) == 0);
	CHECK(clock_ns(CLOCK_MONOTONIC) - t0 < 1000 * 1000000ull);
	CHECK(enrich_waiting(e) == 3);
	CHECK(pop_within(e, &ev, 50) == 0);

	gate(false);
	for (int i = 0; i < 3; i++) {
		unsigned id = i == 1 ? 5 : 1;

		CHECK(pop_within(e, &ev, 2000) == 1);
		if (!ev.def)
			continue;
		CHECK(ev.def->id == id);
		CHECK_STR(event_value(&ev,
				      id == 1 ? EV1_COMMAND_LINE : EV5_IMAGE,
				      NULL),
			  tags[i]);
		if (id == 1)
			CHECK_STR(event_value(&ev, EV1_USER, NULL),
				  "user-2001");
		event_release(&ev);
	}
	CHECK(enrich_waiting(e) == 0);
	CHECK(lookups_now() == before + 1);
	enrich_get_stats(e, &st);
	CHECK(st.slow == 1 && st.shared == 1);
	enrich_free(e);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
	close(fd);
}

/* The version of path now, as the kernel gives it at exec. */
static struct hash_id id_of(const char *path)
{
	struct hash_id id = { 0 };
	struct stat st;

	CHECK(stat(path, &st) == 0);
	id.dev = (uint64_t)st.st_dev;
	id.ino = (uint64_t)st.st_ino;
	id.size = (uint64_t)st.st_size;
	id.mtime_sec = st.st_mtim.tv_sec;
	id.mtime_nsec = (uint32_t)st.st_mtim.tv_nsec;
	id.ctime_sec = st.st_ctim.tv_sec;
	id.ctime_nsec = (uint32_t)st.st_ctim.tv_nsec;
	return id;
}

static struct decode_want hash_want(const struct hash_id *id)
{
	struct decode_want w = { .kind = WANT_HASH, .field = EV1_HASHES };

	w.file.path_field = EV1_IMAGE;
	w.file.algs = HASH_SHA256;
	w.file.id = *id;
	return w;
}

#define SHA256_ABC                                                          \
	"SHA256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2" \
	"0015ad"

/* One event, four requests of three kinds, each into its own field. */
static void test_several_wants(const char *dir)
{
	struct proc_table *procs = proc_table_new(4, NULL, "/proc");
	struct enrich *e = stage(8, 4, 5000, procs);
	char path[300], exe[PATH_MAX];
	struct decode_want w[4];
	struct hash_id id;
	struct event ev;
	ssize_t n;

	if (!e || !procs)
		return;
	snprintf(path, sizeof(path), "%s/abc", dir);
	write_file(path, "abc");
	id = id_of(path);
	w[0] = user(EV1_USER, 0);
	w[1] = user(EV1_PARENT_USER, 3001);
	w[2] = hash_want(&id);
	w[3] = (struct decode_want){ .kind = WANT_PROC,
				     .field = EV1_PARENT_IMAGE };
	w[3].proc.tgid = (uint32_t)getpid();
	w[3].proc.fields = (struct proc_fields){
		.guid = EV1_PARENT_PROCESS_GUID,
		.pid = -1,
		.image = EV1_PARENT_IMAGE,
		.cmdline = EV1_PARENT_COMMAND_LINE,
	};
	w[3].proc.user_field = -1;
	ev = make(1, "several");
	event_set_str(&ev, EV1_IMAGE, path);
	CHECK(enrich_add(e, &ev, w, 4) == 0);
	CHECK(pop_within(e, &ev, 2000) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "user-0");
	CHECK_STR(event_value(&ev, EV1_PARENT_USER, NULL), "user-3001");
	CHECK_STR(event_value(&ev, EV1_HASHES, NULL), SHA256_ABC);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	CHECK_STR(event_value(&ev, EV1_PARENT_IMAGE, NULL), exe);
	CHECK(strlen(event_value(&ev, EV1_PARENT_PROCESS_GUID, NULL)) == 38);
	CHECK(strstr(event_value(&ev, EV1_PARENT_COMMAND_LINE, NULL),
		     "enrich_test") != NULL);
	event_release(&ev);

	/* The same version again: from the cache, by identity, no I/O (the
	 * file is gone); the users are cached too. */
	CHECK(unlink(path) == 0);
	ev = make(1, "cached");
	event_set_str(&ev, EV1_IMAGE, path);
	CHECK(enrich_add(e, &ev, w, 3) == 1);
	CHECK_STR(event_value(&ev, EV1_HASHES, NULL), SHA256_ABC);
	CHECK_STR(event_value(&ev, EV1_PARENT_USER, NULL), "user-3001");
	event_release(&ev);
	enrich_free(e);
	proc_table_free(procs);
}

/* A file rewritten after exec (same inode, same size) is never hashed as
 * the version that ran: the event says it changed. */
static void test_hash_changed(const char *dir)
{
	struct enrich *e = stage(8, 4, 5000, NULL);
	struct enrich_stats st;
	struct decode_want w;
	struct hash_id id;
	struct event ev;
	char path[300];
	int fd;

	if (!e)
		return;
	snprintf(path, sizeof(path), "%s/spoof", dir);
	write_file(path, "abc");
	id = id_of(path);
	w = hash_want(&id);
	usleep(2000);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0 && write(fd, "xyz", 3) == 3);
	close(fd);
	ev = make(1, "changed");
	event_set_str(&ev, EV1_IMAGE, path);
	CHECK(enrich_add(e, &ev, &w, 1) == 0);
	CHECK(pop_within(e, &ev, 2000) == 1);
	CHECK_STR(event_value(&ev, EV1_HASHES, NULL), ENRICH_HASH_CHANGED);
	event_release(&ev);
	enrich_get_stats(e, &st);
	CHECK(st.changed == 1);

	/* Unset path, or too big by the kernel's size: no hash, no job. */
	ev = make(1, "no path");
	CHECK(enrich_add(e, &ev, &w, 1) == 1);
	CHECK_STR(event_value(&ev, EV1_HASHES, NULL), "-");
	event_release(&ev);
	w.file.id.size = 2 << 20;
	ev = make(1, "big");
	event_set_str(&ev, EV1_IMAGE, path);
	CHECK(enrich_add(e, &ev, &w, 1) == 1);
	CHECK_STR(event_value(&ev, EV1_HASHES, NULL), "-");
	event_release(&ev);
	enrich_free(e);
}

/* Bounded: events waiting (then lost, counted), jobs in flight (then
 * unfilled: the user reads as its uid). */
static void test_bounds(void)
{
	struct enrich *e = stage(4, 2, 5000, NULL);
	struct decode_want w[3] = { user(EV1_USER, 4001),
				    user(EV1_PARENT_USER, 4002),
				    user(EV1_USER, 4003) };
	struct enrich_stats st;
	struct event ev;

	if (!e)
		return;
	gate(true);
	ev = make(1, "two jobs");
	CHECK(enrich_add(e, &ev, w, 2) == 0);
	ev = make(1, "no job left");
	CHECK(enrich_add(e, &ev, &w[2], 1) == 0);
	ev = make(5, "three");
	CHECK(enrich_add(e, &ev, NULL, 0) == 0);
	ev = make(5, "four");
	CHECK(enrich_add(e, &ev, NULL, 0) == 0);
	ev = make(5, "five");
	CHECK(enrich_add(e, &ev, NULL, 0) == -ENOSPC);
	CHECK(ev.buf == NULL); /* released */
	enrich_get_stats(e, &st);
	CHECK(st.lost == 1 && st.unfilled == 1 && st.slow == 2);
	gate(false);
	CHECK(pop_within(e, &ev, 2000) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "user-4001");
	CHECK_STR(event_value(&ev, EV1_PARENT_USER, NULL), "user-4002");
	event_release(&ev);
	CHECK(pop_within(e, &ev, 2000) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "4003");
	event_release(&ev);
	for (int i = 0; i < 2; i++) {
		CHECK(pop_within(e, &ev, 2000) == 1);
		event_release(&ev);
	}
	CHECK(enrich_waiting(e) == 0);
	enrich_free(e);
}

/*
 * Bounded in time: a lookup that hangs lets its event go after
 * max_wait_ms with the fallback, and while the worker hangs new requests
 * are not queued behind it.  Its late answer is still learnt.
 */
/* max_held: past it the oldest event leaves at once, its field unfilled,
 * and the events behind it follow; none is lost. */
static void test_held(void)
{
	struct enrich_opts o = {
		.max_events = 8,
		.max_jobs = 4,
		.max_wait_ms = 5000,
		.max_held = 3,
		.hash_cache_entries = 16,
		.lookup_user = fake_lookup,
	};
	struct enrich *e = enrich_new(&o);
	struct decode_want w = user(EV1_USER, 6001);
	struct enrich_stats st;
	struct event ev;
	int popped = 0;

	CHECK(e != NULL);
	if (!e)
		return;
	gate(true);
	ev = make(1, "slow");
	CHECK(enrich_add(e, &ev, &w, 1) == 0);
	for (int i = 0; i < 2; i++) {
		ev = make(5, "behind");
		CHECK(enrich_add(e, &ev, NULL, 0) == 0);
	}
	CHECK(enrich_pop(e, &ev) == 0); /* 3 held: all wait */
	ev = make(5, "one too many");
	CHECK(enrich_add(e, &ev, NULL, 0) == 0);
	while (enrich_pop(e, &ev) == 1) {
		if (popped++ == 0)
			CHECK_STR(event_value(&ev, EV1_USER, NULL), "6001");
		event_release(&ev);
	}
	CHECK(popped == 4);
	enrich_get_stats(e, &st);
	CHECK(st.lost == 0 && st.unfilled == 1);
	gate(false);
	enrich_free(e);
}

/* shed_first: its events may fill three quarters of the waiting room;
 * the last quarter stays for the others, which only a full room drops. */
static void test_shed(void)
{
	struct enrich_opts o = {
		.max_events = 8,
		.max_jobs = 4,
		.max_wait_ms = 5000,
		.shed = { 1ull << 5 }, /* ProcessTerminate, for the test */
		.hash_cache_entries = 16,
		.lookup_user = fake_lookup,
	};
	struct enrich *e = enrich_new(&o);
	struct decode_want w = user(EV1_USER, 7001);
	struct enrich_stats st;
	struct event ev;
	int popped = 0;

	CHECK(e != NULL);
	if (!e)
		return;
	gate(true);
	ev = make(1, "slow");
	CHECK(enrich_add(e, &ev, &w, 1) == 0);
	for (int i = 0; i < 5; i++) {
		ev = make(5, "shed first");
		CHECK(enrich_add(e, &ev, NULL, 0) == 0);
	}
	ev = make(5, "at three quarters");
	CHECK(enrich_add(e, &ev, NULL, 0) == -ENOBUFS);
	CHECK(ev.buf == NULL); /* released */
	for (int i = 0; i < 2; i++) {
		ev = make(1, "kept");
		CHECK(enrich_add(e, &ev, NULL, 0) == 0);
	}
	ev = make(1, "full");
	CHECK(enrich_add(e, &ev, NULL, 0) == -ENOSPC);
	enrich_get_stats(e, &st);
	CHECK(st.shed == 1 && st.lost == 1);
	gate(false);
	while (pop_within(e, &ev, 2000) == 1) {
		if (popped++ == 0)
			CHECK_STR(event_value(&ev, EV1_USER, NULL),
				  "user-7001");
		event_release(&ev);
		if (!enrich_waiting(e))
			break;
	}
	CHECK(popped == 8);
	enrich_free(e);
}

static void test_deadline(void)
{
	struct enrich *e = stage(8, 4, 100, NULL);
	struct decode_want w1 = user(EV1_USER, 5001), w2 = user(EV1_USER, 5002);
	struct enrich_stats st;
	struct event ev;

	if (!e)
		return;
	gate(true);
	ev = make(1, "hangs");
	CHECK(enrich_add(e, &ev, &w1, 1) == 0);
	CHECK(pop_within(e, &ev, 30) == 0);
	CHECK(pop_within(e, &ev, 1000) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "5001");
	event_release(&ev);
	usleep(20000); /* the worker took the job a moment after it came */
	ev = make(1, "worker stuck");
	CHECK(enrich_add(e, &ev, &w2, 1) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "5002");
	event_release(&ev);
	enrich_get_stats(e, &st);
	CHECK(st.unfilled == 2);

	gate(false);
	usleep(20000);
	CHECK(enrich_pop(e, &ev) == 0); /* collects the late answer */
	ev = make(1, "learnt");
	CHECK(enrich_add(e, &ev, &w1, 1) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "user-5001");
	event_release(&ev);

	/* Shutdown: flush lets waiting events go as they are. */
	gate(true);
	ev = make(1, "flushed");
	w2.uid = 5003;
	CHECK(enrich_add(e, &ev, &w2, 1) == 0);
	enrich_flush(e);
	CHECK(enrich_pop(e, &ev) == 1);
	CHECK_STR(event_value(&ev, EV1_USER, NULL), "5003");
	event_release(&ev);
	/* Freed with an event waiting for the job in hand. */
	ev = make(1, "left");
	CHECK(enrich_add(e, &ev, &w2, 1) == 0);
	gate(false);
	enrich_free(e);
	enrich_free(NULL);
}

int main(void)
{
	char dir[] = "/tmp/vigil-enrich-XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_fast_and_slow();
	test_order();
	test_several_wants(dir);
	test_hash_changed(dir);
	test_bounds();
	test_held();
	test_shed();
	test_deadline();
	rmdir(dir);
	return tap_done("enrich");
}
