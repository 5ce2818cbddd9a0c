/* SPDX-License-Identifier: MIT */
/*
 * sensor/loader.c - the BPF skeleton's life: open, size the maps, load,
 * attach, poll, detach.  The only file that includes sensor.skel.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor.skel.h"

#include "catalog/catalog.h"
#include "family.h"
#include "path_dfa.h"
#include "tracefs.h"
#include "util/log.h"

#define SENSOR_MAX_PROGS 64
#define TRACEPOINT_SEC	 "tracepoint/"

struct sensor {
	struct sensor_bpf *skel;
	struct bpf_link *links[SENSOR_MAX_PROGS]; /* by program index */
	bool has_run[SENSOR_MAX_PROGS]; /* iterators: run since armed */
	/* Classic tracepoints, by program index: the id perf_event_open()
	 * needs; 0 for other programs, < 0 when the kernel lacks it. */
	int tp_ids[SENSOR_MAX_PROGS];
	struct ring_buffer *ring;
	sensor_record_fn *on_record;
	void *ctx;
	int ncpus;
	int cgroup_fd; /* root of cgroup v2, for cgroup programs; -1: none */
};

static int on_sample(void *ctx, void *data, size_t len)
{
	struct sensor *s = ctx;

	return s->on_record(s->ctx, data, len);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap) __attribute__((format(printf, 2, 0)));
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int size_maps(struct sensor *s, const struct sensor_opts *o)
{
	uint32_t ring = o->ring_kib ? o->ring_kib : 16384;
	int r;

	r = bpf_map__set_max_entries(s->skel->maps.events, ring * 1024);
	if (r)
		return r;
	return bpf_map__set_max_entries(s->skel->maps.scratches,
					(uint32_t)s->ncpus);
}

/* The family table and the BPF object must agree, or a program would be
 * attached forever (or never). */
static int check_table(struct sensor *s)
{
	const char *names[SENSOR_MAX_PROGS];
	struct bpf_program *prog;
	size_t n = 0;
	char err[256];

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		if (n == SENSOR_MAX_PROGS)
			return -E2BIG;
		names[n++] = bpf_program__name(prog);
	}
	if (sensor_check_programs(names, n, err, sizeof(err)) < 0) {
		log_error("sensor: %s", err);
		return -EINVAL;
	}
	return 0;
}

/*
 * The root of the cgroup v2 hierarchy, for the cgroup socket programs: its
 * programs run for every socket of the host, whether or not a v2
 * hierarchy is mounted anywhere (processes sit in the v2 root unless a v2
 * manager moved them).  The hierarchy is mounted detached (fsopen(2) and
 * fsmount(2)): it never appears in any mount table, needs no directory,
 * and goes away with the descriptor; the host is left as found.
 */
static int open_cgroup_root(void)
{
	int fs, mnt, dir = -1;

	fs = (int)syscall(SYS_fsopen, "cgroup2", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		goto out;
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		goto out;
	dir = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		dir = -errno;
	close(mnt);
out:
	if (dir == -1)
		dir = -errno;
	close(fs);
	return dir;
}

static bool is_cgroup_program(const struct bpf_program *prog)
{
	switch (bpf_program__type(prog)) {
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		return true;
	default:
		return false;
	}
}

/* A classic tracepoint by id, through perf_event_open() as libbpf would,
 * but with an id read at start-up (see tracefs.c). */
static struct bpf_link *attach_tracepoint(struct bpf_program *prog, int id)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = (__u64)id,
	};
	struct bpf_link *link;
	int pfd, e;

	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1,
			   PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return NULL;
	link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		e = errno;
		close(pfd);
		errno = e;
	}
	return link;
}

static struct bpf_link *attach(struct sensor *s, struct bpf_program *prog,
			       size_t i)
{
	if (s->tp_ids[i] > 0)
		return attach_tracepoint(prog, s->tp_ids[i]);
	if (!is_cgroup_program(prog))
		return bpf_program__attach(prog);
	if (s->cgroup_fd < 0) {
		errno = -s->cgroup_fd;
		return NULL;
	}
	return bpf_program__attach_cgroup(prog, s->cgroup_fd);
}

/*
 * The ids of the classic tracepoints the programs attach to, read now
 * (tracefs may need mounting, which needs privileges the daemon drops).
 */
static int resolve_tracepoints(struct sensor *s)
{
	const char *names[SENSOR_MAX_PROGS];
	int ids[SENSOR_MAX_PROGS], at[SENSOR_MAX_PROGS];
	struct bpf_program *prog;
	size_t n = 0, i = 0;
	int r;

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		const char *sec = bpf_program__section_name(prog);

		if (i >= SENSOR_MAX_PROGS)
			return -E2BIG;
		if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACEPOINT &&
		    strncmp(sec, TRACEPOINT_SEC, strlen(TRACEPOINT_SEC)) == 0) {
			names[n] = sec + strlen(TRACEPOINT_SEC);
			at[n++] = (int)i;
		}
		i++;
	}
	if (n == 0)
		return 0;
	if ((r = tracefs_ids(names, n, ids)) < 0) {
		log_error("sensor: cannot read tracepoint ids from tracefs: %s",
			  strerror(-r));
		return r;
	}
	for (i = 0; i < n; i++)
		s->tp_ids[at[i]] = ids[i] > 0 ? ids[i] : -ENOENT;
	return 0;
}

struct sensor *sensor_open(const struct sensor_opts *o)
{
	struct sensor *s = calloc(1, sizeof(*s));
	int r = -ENOMEM;

	if (!s)
		goto fail;
	libbpf_set_print(libbpf_print);
	s->cgroup_fd = open_cgroup_root();
	if (s->cgroup_fd < 0)
		log_warn("sensor: no cgroup v2 root (%s): UDP and DNS will not "
			 "be seen",
			 strerror(-s->cgroup_fd));
	s->on_record = o->on_record;
	s->ctx = o->ctx;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		r = s->ncpus ? s->ncpus : -EINVAL;
		goto fail;
	}
	s->skel = sensor_bpf__open();
	if (!s->skel) {
		r = -errno;
		log_error("sensor: open BPF object: %s", strerror(errno));
		goto fail;
	}
	if ((r = check_table(s)) < 0 || (r = resolve_tracepoints(s)) < 0)
		goto fail;
	s->skel->rodata->cfg_self_tgid = o->self_tgid;
	s->skel->rodata->cfg_args_max =
		o->args_max && o->args_max < WIRE_ARGS_MAX ? o->args_max
							   : WIRE_ARGS_MAX;
	if (!o->args_max)
		s->skel->rodata->cfg_args_max = WIRE_ARGS_DEFAULT;
	if ((r = size_maps(s, o)) < 0)
		goto fail;
	if ((r = sensor_bpf__load(s->skel)) < 0) {
		log_error("sensor: load BPF programs: %s (needs root and a "
			  "kernel with BTF)",
			  strerror(-r));
		goto fail;
	}
	if ((r = sensor_arm(s, o->wants, o->ctx)) < 0)
		goto fail;
	s->ring = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_sample,
				   s, NULL);
	if (!s->ring) {
		r = -errno;
		log_error("sensor: ring buffer: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	sensor_close(s);
	errno = -r;
	return NULL;
}

/* Whether prog must be attached: always-on, or its family has an event
 * the config can log.  The table was checked against the object at open,
 * so every program is in exactly one row. */
static bool is_wanted(const struct bpf_program *prog,
		      bool (*wants)(void *ctx, unsigned id), void *ctx)
{
	const char *name = bpf_program__name(prog);
	const struct sensor_family *const *fams;
	size_t n;

	for (const char *const *p = sensor_always_on; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	fams = sensor_families(&n);
	for (size_t i = 0; i < n; i++) {
		bool is_mine = false;

		for (const char *const *p = fams[i]->programs; *p; p++)
			is_mine |= strcmp(*p, name) == 0;
		if (!is_mine)
			continue;
		for (const unsigned *id = fams[i]->event_ids; *id; id++)
			if (!wants || wants(ctx, *id))
				return true;
		return false;
	}
	return false;
}

/* Tell the programs which events the config can log: a program that
 * feeds several events sends only the records of wanted ones. */
static void set_wanted(struct sensor *s, bool (*wants)(void *ctx, unsigned id),
		       void *ctx)
{
	for (unsigned id = 0; id < 256; id++) {
		uint64_t bit = 1ull << (id % 64);

		if (!wants || wants(ctx, id))
			s->skel->bss->cfg_wanted[id / 64] |= bit;
		else
			s->skel->bss->cfg_wanted[id / 64] &= ~bit;
	}
}

/*
 * Attaching a cgroup socket-buffer program takes CAP_NET_ADMIN, which the
 * daemon gives up after start-up: once attached, such a program stays
 * attached for the daemon's life and goes idle (it returns at once) when
 * the config stops wanting its events, so a later reload can use it
 * again.
 */
static bool is_kept_attached(const struct bpf_program *prog)
{
	return bpf_program__type(prog) == BPF_PROG_TYPE_CGROUP_SKB;
}

static bool is_iterator(const struct bpf_program *prog)
{
	return bpf_program__type(prog) == BPF_PROG_TYPE_TRACING &&
	       bpf_program__expected_attach_type(prog) == BPF_TRACE_ITER;
}

/* An iterator program runs to its end once: read it dry. */
static int run_iterator(struct bpf_program *prog)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	char buf[512];
	ssize_t n;
	int fd, r = 0;

	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		r = -errno;
	} else {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0)
			r = -errno;
		close(fd);
	}
	bpf_link__destroy(link);
	return r;
}

/* Iterators of the families just armed, once the hooks are in place so
 * that nothing falls between the two. */
static int run_iterators(struct sensor *s,
			 bool (*wants)(void *ctx, unsigned id), void *ctx)
{
	struct bpf_program *prog;
	size_t i = 0;
	int err = 0;

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		if (i >= SENSOR_MAX_PROGS)
			break;
		if (is_iterator(prog)) {
			bool want = is_wanted(prog, wants, ctx);

			if (want && !s->has_run[i]) {
				int r = run_iterator(prog);

				if (r < 0) {
					log_error("sensor: run %s: %s",
						  bpf_program__name(prog),
						  strerror(-r));
					err = err ? err : r;
				}
			}
			s->has_run[i] = want;
		}
		i++;
	}
	return err;
}

/* Each family whose events are wanted and whose hooks this kernel lacks
 * altogether, said once per arming (start-up, reconfiguration). */
static void warn_missing(struct sensor *s,
			 bool (*wants)(void *ctx, unsigned id), void *ctx)
{
	const struct sensor_family *const *fams;
	size_t n;

	fams = sensor_families(&n);
	for (size_t i = 0; i < n; i++) {
		const struct sensor_family *f = fams[i];
		bool is_wanted_row = false;

		for (const unsigned *id = f->event_ids; *id; id++)
			is_wanted_row |= !wants || wants(ctx, *id);
		if (!is_wanted_row || !sensor_lacks(s, f->event_ids[0], NULL))
			continue;
		for (const unsigned *id = f->event_ids; *id; id++) {
			const struct catalog_event *ev = catalog_lookup(*id);

			if (wants && !wants(ctx, *id))
				continue;
			log_warn("sensor: event %u (%s) cannot be collected on "
				 "this kernel: it lacks %s",
				 *id, ev ? ev->task : "?",
				 f->needs ? f->needs : "the hooks");
		}
	}
}

/* The program index of name, or -1. */
static int prog_index(struct sensor *s, const char *name)
{
	struct bpf_program *prog;
	int i = 0;

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		if (strcmp(bpf_program__name(prog), name) == 0)
			return i;
		i++;
	}
	return -1;
}

bool sensor_lacks(struct sensor *s, unsigned event_id, const char **why)
{
	const struct sensor_family *const *fams;
	size_t n;

	if (!s)
		return false;
	fams = sensor_families(&n);
	for (size_t i = 0; i < n; i++) {
		const struct sensor_family *f = fams[i];
		bool is_mine = false, is_any = false;

		for (const unsigned *id = f->event_ids; *id; id++)
			is_mine |= *id == event_id;
		if (!is_mine || !f->programs[0])
			continue;
		for (const char *const *p = f->programs; *p; p++) {
			int k = prog_index(s, *p);

			is_any |= k >= 0 && s->tp_ids[k] >= 0;
		}
		if (is_any)
			return false;
		if (why)
			*why = f->needs ? f->needs : "the hooks";
		return true;
	}
	return false;
}

int sensor_arm(struct sensor *s, bool (*wants)(void *ctx, unsigned id),
	       void *ctx)
{
	struct bpf_program *prog;
	size_t i = 0;
	int err = 0, ierr;

	set_wanted(s, wants, ctx);
	warn_missing(s, wants, ctx);
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		bool want = is_wanted(prog, wants, ctx);

		if (i >= SENSOR_MAX_PROGS)
			return -E2BIG;
		if (is_iterator(prog)) {
			i++;
			continue;
		}
		if (want && !s->links[i] && s->tp_ids[i] < 0) {
			i++; /* the kernel lacks it: said by warn_missing() */
			continue;
		}
		if (want && !s->links[i]) {
			s->links[i] = attach(s, prog, i);
			if (!s->links[i]) {
				int r = -errno;

				log_error("sensor: attach %s: %s%s",
					  bpf_program__name(prog), strerror(-r),
					  r == -EPERM && is_kept_attached(prog)
						  ? " (it needs CAP_NET_ADMIN, "
						    "which vigil drops after "
						    "start-up: restart vigil)"
						  : "");
				if (!err)
					err = r;
			}
		} else if (!want && s->links[i] && !is_kept_attached(prog)) {
			bpf_link__destroy(s->links[i]);
			s->links[i] = NULL;
		}
		i++;
	}
	ierr = run_iterators(s, wants, ctx);
	return err ? err : ierr;
}

int sensor_poll(struct sensor *s, int timeout_ms)
{
	int r = ring_buffer__poll(s->ring, timeout_ms);

	if (r < 0 && r != -EINTR)
		return r; /* -EBUSY: the consumer asked for a pause */
	/* The programs wake us only when a batch is waiting (see
	 * common.bpf.h); whatever is there after the timeout, take too. */
	return ring_buffer__consume(s->ring);
}

int sensor_set_prefilter(struct sensor *s,
			 const struct config_prefilter *const pfs[6])
{
	struct prefilter_tables *t = malloc(sizeof(*t));
	int heads = bpf_map__fd(s->skel->maps.pf_heads);
	int states = bpf_map__fd(s->skel->maps.pf_states);
	struct wire_pf_head head = { 0 };
	uint32_t zero = 0;
	int r;

	_Static_assert(WIRE_PF_SLOTS == 6, "sensor.h says 6 slots");
	if (!t)
		return -ENOMEM;
	/* Off first: programs running meanwhile let everything through. */
	if (bpf_map_update_elem(heads, &zero, &head, BPF_ANY) < 0) {
		free(t);
		return -errno;
	}
	r = prefilter_build(pfs, t);
	for (uint32_t i = 0; r == 0 && i < t->nstates; i++)
		if (bpf_map_update_elem(states, &i, &t->states[i], BPF_ANY) < 0)
			r = -errno;
	if (r == 0) {
		memcpy(head.classes, t->classes, sizeof(head.classes));
		memcpy(head.start, t->start, sizeof(head.start));
		head.is_set = 1;
		if (bpf_map_update_elem(heads, &zero, &head, BPF_ANY) < 0)
			r = -errno;
	}
	free(t);
	return r;
}

void sensor_set_urgent(struct sensor *s, uint64_t mask)
{
	s->skel->bss->cfg_urgent_kinds = mask;
}

uint64_t sensor_filtered(struct sensor *s)
{
	uint64_t *per_cpu = calloc((size_t)s->ncpus, sizeof(*per_cpu));
	int fd = bpf_map__fd(s->skel->maps.filtered);
	uint64_t total = 0;

	if (!per_cpu)
		return 0;
	for (uint32_t k = 0; k < WIRE_PF_SLOTS; k++) {
		if (bpf_map_lookup_elem(fd, &k, per_cpu))
			continue;
		for (int c = 0; c < s->ncpus; c++)
			total += per_cpu[c];
	}
	free(per_cpu);
	return total;
}

int sensor_drops(struct sensor *s, uint64_t out[SENSOR_DROP_MAX])
{
	uint64_t *per_cpu = calloc((size_t)s->ncpus, sizeof(*per_cpu));
	int fd = bpf_map__fd(s->skel->maps.drops);

	if (!per_cpu)
		return -ENOMEM;
	for (uint32_t k = 0; k < SENSOR_DROP_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, per_cpu))
			continue;
		for (int c = 0; c < s->ncpus; c++)
			out[k] += per_cpu[c];
	}
	free(per_cpu);
	return 0;
}

void sensor_set_port_filter(struct sensor *s, const uint64_t *ports)
{
	volatile __u32 *on = &s->skel->bss->cfg_net_port_filter;

	*on = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!ports)
		return;
	memcpy(s->skel->bss->cfg_net_ports, ports,
	       sizeof(s->skel->bss->cfg_net_ports));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*on = 1;
}

static uint64_t sum_percpu(struct sensor *s, int fd, uint32_t key)
{
	uint64_t *per_cpu = calloc((size_t)s->ncpus, sizeof(*per_cpu)), n = 0;

	if (per_cpu && bpf_map_lookup_elem(fd, &key, per_cpu) == 0)
		for (int c = 0; c < s->ncpus; c++)
			n += per_cpu[c];
	free(per_cpu);
	return n;
}

/* Entries of the UDP flow table, by batches. */
static uint64_t count_flows(struct sensor *s)
{
	int fd = bpf_map__fd(s->skel->maps.udp_flows);
	size_t ksz = bpf_map__key_size(s->skel->maps.udp_flows);
	uint32_t batch = 1024, n;
	void *keys = malloc(batch * ksz);
	uint64_t *vals = malloc(batch * sizeof(*vals)), total = 0;
	char in[64], out[64];
	void *pin = NULL;
	int r;

	if (!keys || !vals || ksz > sizeof(out)) {
		free(keys);
		free(vals);
		return 0;
	}
	do {
		n = batch;
		r = bpf_map_lookup_batch(fd, pin, out, keys, vals, &n, NULL);
		if (r < 0 && errno != ENOENT)
			break;
		total += n;
		memcpy(in, out, ksz);
		pin = in;
	} while (r == 0);
	free(keys);
	free(vals);
	return total;
}

int sensor_net_stats(struct sensor *s, struct sensor_net_stats *out)
{
	int fd = bpf_map__fd(s->skel->maps.net_counts);

	out->filtered = sum_percpu(s, fd, WIRE_NET_FILTERED);
	out->udp_flows = sum_percpu(s, fd, WIRE_NET_UDP_NEW);
	out->udp_repeats = sum_percpu(s, fd, WIRE_NET_UDP_REPEAT);
	out->udp_evicted = 0;
	/* The LRU table forgets silently; what it lost is what went in
	 * minus what is there.  Below half full no eviction can happen
	 * (the per-CPU free lists hold far less), so the count is skipped. */
	if (out->udp_flows >= WIRE_UDP_FLOWS_MAX / 2) {
		uint64_t live = count_flows(s);

		out->udp_evicted =
			out->udp_flows > live ? out->udp_flows - live : 0;
	}
	return 0;
}

int sensor_skip_image(struct sensor *s, const struct wire_file_key *k)
{
	uint8_t one = 1;

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.image_skips), k, &one,
				BPF_ANY) < 0)
		return -errno;
	return 0;
}

void sensor_forget_skips(struct sensor *s)
{
	int fd = bpf_map__fd(s->skel->maps.image_skips);
	struct wire_file_key k, next;

	/* Deleting the key in hand makes the walk restart at the first. */
	while (bpf_map_get_next_key(fd, NULL, &next) == 0) {
		k = next;
		if (bpf_map_delete_elem(fd, &k) < 0)
			break;
	}
}

uint64_t sensor_map_bytes(struct sensor *s)
{
	struct bpf_map *m;
	uint64_t total = 0;

	bpf_object__for_each_map(m, s->skel->obj)
	{
		uint64_t n = bpf_map__max_entries(m);

		if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF)
			total += n;
		else
			total += n * (bpf_map__key_size(m) +
				      bpf_map__value_size(m));
	}
	return total;
}

void sensor_close(struct sensor *s)
{
	if (!s)
		return;
	ring_buffer__free(s->ring);
	for (size_t i = 0; i < SENSOR_MAX_PROGS; i++)
		bpf_link__destroy(s->links[i]);
	sensor_bpf__destroy(s->skel);
	if (s->cgroup_fd >= 0)
		close(s->cgroup_fd);
	free(s);
}
