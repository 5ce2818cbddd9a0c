/* SPDX-License-Identifier: MIT */
/*
 * config_corpus_test - every real config of the shared corpus loads, and
 * the 23 `-c` dumps of Sysmon for Linux's parser regression suite match.
 *
 * The corpus lives in shared/ beside the checkout (repo/../shared); the
 * test fails loudly when it is missing rather than passing vacuously.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "shared_dir.h"
#include "tap.h"
#include "util/buf.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)n + 1);
	if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
	}
	if (data)
		data[n] = '\0';
	*len = (size_t)n;
	fclose(f);
	return data;
}

struct warnings {
	unsigned n;
};

static void count_warn(void *arg, const char *msg)
{
	struct warnings *w = arg;

	w->n++;
	printf("# warning: %s\n", msg);
}

static int nconfigs;

static void load_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 300];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			load_tree(path);
			continue;
		}
		if (len < 4 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		struct warnings w = { 0 };
		struct config_opts o = { .warn = count_warn, .warn_arg = &w };
		struct diag dg = { 0 };
		struct config *c = config_load_file_opts(path, &o, &dg);

		nconfigs++;
		CHECK(c != NULL);
		if (!c)
			fprintf(stderr, "  %s:%d:%d: %s\n", dg.file, dg.line,
				dg.col, dg.msg);
		else
			CHECK(config_warning_count(c) == w.n);
		config_free(c);
	}
	closedir(d);
}

/* Compare as the regression suite does: bytes, trailing newlines aside. */
static void check_dump(const char *name)
{
	char xml[sizeof(shared) + 512], rules[sizeof(shared) + 512];
	struct diag dg;
	struct config *c;
	struct buf out;
	size_t wlen;
	char *want;

	snprintf(xml, sizeof(xml),
		 "%s/corpus/sysmon-configs/microsoft__SysmonForLinux/test/"
		 "rulestest/configs/%s.xml",
		 shared, name);
	snprintf(rules, sizeof(rules),
		 "%s/corpus/sysmon-configs/microsoft__SysmonForLinux/test/"
		 "rulestest/baseline/%s.rules",
		 shared, name);
	want = slurp(rules, &wlen);
	CHECK(want != NULL);
	c = config_load_file(xml, &dg);
	CHECK(c != NULL);
	if (!c || !want) {
		free(want);
		config_free(c);
		return;
	}
	buf_init(&out, 0);
	CHECK(config_dump(c, &out) == 0);
	while (out.len && out.data[out.len - 1] == '\n')
		out.data[--out.len] = '\0';
	while (wlen && want[wlen - 1] == '\n')
		want[--wlen] = '\0';
	if (out.len != wlen || memcmp(out.data, want, wlen) != 0) {
		size_t i = 0, line = 1;

		while (i < wlen && i < out.len && out.data[i] == want[i])
			line += want[i++] == '\n';
		fprintf(stderr, "FAIL dump %s differs at line %zu\n", name,
			line);
		tap_failed++;
	} else {
		tap_passed++;
	}
	buf_release(&out);
	free(want);
	config_free(c);
}

int main(int argc, char **argv)
{
	char dir[sizeof(shared) + 256];
	DIR *d;
	struct dirent *e;
	int ndumps = 0;

	(void)argc;
	if (find_shared(argv[0]) != 0) {
		fprintf(stderr,
			"config_corpus_test: shared/ corpus not found beside "
			"the repository (set VIGIL_SHARED)\n");
		tap_failed++;
		return tap_done("config_corpus_test");
	}
	snprintf(dir, sizeof(dir), "%s/corpus/sysmon-configs", shared);
	load_tree(dir);
	CHECK(nconfigs == 66);
	snprintf(dir, sizeof(dir),
		 "%s/corpus/sysmon-configs/microsoft__SysmonForLinux/test/"
		 "rulestest/baseline",
		 shared);
	d = opendir(dir);
	CHECK(d != NULL);
	while (d && (e = readdir(d))) {
		char name[256];
		size_t len = strlen(e->d_name);

		if (len < 7 || strcmp(e->d_name + len - 6, ".rules") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 6), e->d_name);
		check_dump(name);
		ndumps++;
	}
	if (d)
		closedir(d);
	CHECK(ndumps == 23);
	return tap_done("config_corpus_test");
}
