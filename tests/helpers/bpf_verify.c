/* SPDX-License-Identifier: MIT */
/*
 * bpf_verify OBJECT: load every program of a BPF object on this kernel
 * (nothing attached) and print one line per program with what the
 * verifier reports, "NAME insns=N states=N time_us=N", so a test can
 * watch how close each program is to the verifier's limits.  Exit status
 * 1 when the object does not load (the verifier log goes to stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#define LOG_SIZE  (64u << 10) /* level 4 logs only the statistics */
#define MAX_PROGS 64

static char logs[MAX_PROGS][LOG_SIZE];

/* The stats line of the program's log: "processed N insns (limit ...)
 * ... total_states N ...", then "verification time N usec". */
static void print_stats(const char *name, const char *log)
{
	const char *p = strstr(log, "processed ");
	const char *st = strstr(log, "total_states ");
	const char *t = strstr(log, "verification time ");

	printf("%s insns=%ld states=%ld time_us=%ld\n", name,
	       p ? strtol(p + 10, NULL, 10) : -1,
	       st ? strtol(st + 13, NULL, 10) : -1,
	       t ? strtol(t + 18, NULL, 10) : -1);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: bpf_verify OBJECT\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "bpf_verify: cannot open %s\n", argv[1]);
		return 1;
	}
	/* Small maps: only the programs matter here. */
	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
			bpf_map__set_max_entries(map, 4096 * 16);
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (n == MAX_PROGS)
			break;
		bpf_program__set_log_buf(prog, logs[n++], LOG_SIZE);
		bpf_program__set_log_level(prog, 4);
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "bpf_verify: %s does not load\n", argv[1]);
		for (int i = 0; i < n; i++)
			if (logs[i][0])
				fprintf(stderr, "%s\n", logs[i]);
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
	{
		size_t size;
		const char *log = bpf_program__log_buf(prog, &size);

		print_stats(bpf_program__name(prog), log ? log : "");
	}
	bpf_object__close(obj);
	return 0;
}
