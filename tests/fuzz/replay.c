/* SPDX-License-Identifier: MIT */
/*
 * replay - a main() for any libFuzzer harness: feeds every file named on
 * the command line (or found in the folders named) to
 * LLVMFuzzerTestOneInput once, so committed corpora run in every test
 * build, sanitizers included, without libFuzzer.  Prints
 * "<harness>: N passed, N failed"; a crash aborts, which the caller counts.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	/* A private copy of exactly n bytes, so overreads are caught. */
	data = malloc(n ? (size_t)n : 1);
	if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)n);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = getenv("HARNESS");
	int passed = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot stat %s\n", argv[i]);
			failed++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) == 0)
				passed++;
			else
				failed++;
			continue;
		}
		d = opendir(argv[i]);
		while (d && (e = readdir(d))) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 e->d_name);
			if (run_file(path) == 0)
				passed++;
			else
				failed++;
		}
		if (d)
			closedir(d);
	}
	printf("%s: %d passed, %d failed\n", name ? name : "replay", passed,
	       failed);
	return failed ? 1 : 0;
}
