/* SPDX-License-Identifier: MIT */
/*
 * sensor/loader.c - the BPF skeleton's life: open, size the maps, load,
 * attach, poll, detach.  The only file that includes sensor.skel.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor.skel.h"

#include "family.h"
#include "path_dfa.h"
#include "util/log.h"

#define SENSOR_MAX_PROGS 64

#define TP_PREFIX	 "tracepoint/"

struct sensor {
	struct sensor_bpf *skel;
	struct bpf_link *links[SENSOR_MAX_PROGS]; /* by program index */
	/* classic tracepoints: id, -1 when this kernel lacks it; else 0 */
	int tp_ids[SENSOR_MAX_PROGS];
	struct ring_buffer *ring;
	sensor_record_fn *on_record;
	void *ctx;
	int ncpus;
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

static bool is_classic_tp(const struct bpf_program *prog)
{
	return strncmp(bpf_program__section_name(prog), TP_PREFIX,
		       strlen(TP_PREFIX)) == 0;
}

/* The ids of the classic tracepoints, read while tracefs can still be
 * mounted (see tracepoint.c). */
static int read_tp_ids(struct sensor *s)
{
	struct bpf_program *prog;
	int events = -1, i = 0, r = 0;

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		if (i >= SENSOR_MAX_PROGS)
			break;
		if (is_classic_tp(prog)) {
			const char *name = bpf_program__section_name(prog) +
					   strlen(TP_PREFIX);

			if (events < 0 && (events = tp_events_open()) < 0) {
				log_error("sensor: no tracefs to read "
					  "tracepoint ids from: %s",
					  strerror(-events));
				return events;
			}
			r = tp_event_id(events, name);
			if (r == -ENOENT) {
				/* An older kernel without this syscall: its
				 * program is never attached. */
				log_warn("sensor: no tracepoint %s in this "
					 "kernel: not hooked",
					 name);
				s->tp_ids[i] = -1;
			} else if (r < 0) {
				log_error("sensor: tracepoint %s: %s", name,
					  strerror(-r));
				break;
			} else {
				s->tp_ids[i] = r;
			}
			r = 0;
		}
		i++;
	}
	if (events >= 0)
		close(events);
	return r;
}

static struct bpf_link *attach(struct sensor *s, struct bpf_program *prog,
			       size_t i)
{
	struct bpf_link *link;
	int pfd;

	if (!s->tp_ids[i])
		return bpf_program__attach(prog);
	if (s->tp_ids[i] < 0) {
		errno = ENOENT;
		return NULL;
	}
	pfd = tp_perf_open(s->tp_ids[i]);
	if (pfd < 0) {
		errno = -pfd;
		return NULL;
	}
	/* The link owns pfd from here: destroying it closes it. */
	link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		int e = errno;

		close(pfd);
		errno = e;
	}
	return link;
}

struct sensor *sensor_open(const struct sensor_opts *o)
{
	struct sensor *s = calloc(1, sizeof(*s));
	int r = -ENOMEM;

	if (!s)
		goto fail;
	libbpf_set_print(libbpf_print);
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
	if ((r = check_table(s)) < 0)
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
	if ((r = read_tp_ids(s)) < 0)
		goto fail;
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

int sensor_arm(struct sensor *s, bool (*wants)(void *ctx, unsigned id),
	       void *ctx)
{
	struct bpf_program *prog;
	uint64_t mask = 0;
	size_t i = 0;

	/* Which events programs should do work for, before any attaches. */
	for (unsigned id = 1; id < 64; id++)
		if (!wants || wants(ctx, id))
			mask |= 1ull << id;
	s->skel->bss->cfg_wanted_events = mask;
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		bool want = is_wanted(prog, wants, ctx);

		if (i >= SENSOR_MAX_PROGS)
			return -E2BIG;
		if (want && !s->links[i] && s->tp_ids[i] >= 0) {
			s->links[i] = attach(s, prog, i);
			if (!s->links[i]) {
				int r = -errno;

				log_error("sensor: attach %s: %s",
					  bpf_program__name(prog),
					  strerror(-r));
				return r;
			}
		} else if (!want && s->links[i]) {
			bpf_link__destroy(s->links[i]);
			s->links[i] = NULL;
		}
		i++;
	}
	return 0;
}

int sensor_poll(struct sensor *s, int timeout_ms)
{
	int r = ring_buffer__poll(s->ring, timeout_ms);

	if (r < 0 && r != -EINTR)
		return r;
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
	free(s);
}
