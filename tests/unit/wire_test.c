/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the user-space reader of wire_str parts (sensor/decode.c)
 * and for what the exec record's additions become: path joining (leaf
 * first, "+" when cut, " (deleted)", relative items, paths of thousands of
 * components), argv joining with the truncation mark, hostile parts, the
 * container id found in a cgroup path, vigil's extra fields hidden from
 * the renderers unless asked for, and stored events from before the
 * extra fields.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/fields.h"
#include "event/event.h"
#include "render/render.h"
#include "sensor/family.h"
#include "store/store.h"
#include "util/buf.h"
#include "tap.h"

/* wire_strdup() of the len bytes at p read with flags; NULL on error
 * (*err gets it).  The caller frees. */
static char *read_part(const char *p, size_t len, unsigned flags,
		       uint32_t full_len, int *err)
{
	struct wire_str s = { .off = 0,
			      .len = (uint32_t)len,
			      .full_len = full_len,
			      .flags = (uint16_t)flags };
	char *out = NULL;

	*err = wire_strdup(p, len, &s, &out);
	return *err ? NULL : out;
}

/* The same, expecting want. */
static void check_part(const char *p, size_t len, unsigned flags,
		       uint32_t full_len, const char *want)
{
	int err;
	char *got = read_part(p, len, flags, full_len, &err);

	CHECK(err == 0);
	CHECK_STR(got, want);
	free(got);
}

#define PART(lit) lit, sizeof(lit) - 1

static void test_paths(void)
{
	const unsigned P = WIRE_STR_PATH;
	int err;

	check_part(PART("c\0b\0a\0"), P, 0, "/a/b/c");
	check_part(PART(""), P, 0, "/"); /* the root itself */
	check_part(PART(""), P | WIRE_STR_TRUNC, 0, ""); /* nothing known */
	check_part(PART("c\0b\0"), P | WIRE_STR_TRUNC, 0, "+/b/c");
	check_part(PART("x\0tmp\0"), P | WIRE_STR_DELETED, 0,
		   "/tmp/x (deleted)");
	/* a memfd: one pseudo component, as /proc/PID/exe shows it */
	check_part(PART("memfd:payload\0"), P | WIRE_STR_DELETED, 0,
		   "/memfd:payload (deleted)");
	check_part(PART("with space\0\xff\xfe\0"), P, 0,
		   "/\xff\xfe/with space");

	/* openat-style: the relative item first, then the directory */
	check_part(PART("d/../e\0b\0a\0"), P | WIRE_STR_REL, 0, "/a/b/d/../e");
	check_part(PART("\0b\0a\0"), P | WIRE_STR_REL, 0, "/a/b");
	check_part(PART("x/y\0"), P | WIRE_STR_REL, 0, "/x/y");
	check_part(PART("\0"), P | WIRE_STR_REL, 0, "/");
	check_part(PART("f\0b\0"), P | WIRE_STR_REL | WIRE_STR_TRUNC, 0,
		   "+/b/f");

	/* malformed: no final NUL, outside the record */
	CHECK(read_part(PART("a\0b"), P, 0, &err) == NULL && err == -EINVAL);
	{
		struct wire_str s = { .off = 4, .len = 8, .flags = P };
		char *out = NULL;

		CHECK(wire_strdup("abc\0def\0", 10, &s, &out) == -EINVAL);
		s.off = UINT32_MAX;
		s.len = 2;
		CHECK(wire_strdup("abc\0def\0", 10, &s, &out) == -EINVAL);
		CHECK(out == NULL);
	}
}

/* A path of 2047 one-byte components, as deep as WIRE_PATH_MAX allows. */
static void test_deep_path(void)
{
	enum { N = WIRE_PATH_MAX / 2 - 1 };
	char *p = malloc(2 * N), *want = malloc(2 * N + 1);
	int err;
	char *got;

	CHECK(p && want);
	if (!p || !want)
		return;
	for (int i = 0; i < N; i++) {
		p[2 * i] = (char)('a' + i % 26); /* leaf first */
		p[2 * i + 1] = '\0';
		want[2 * (N - 1 - i)] = '/';
		want[2 * (N - 1 - i) + 1] = (char)('a' + i % 26);
	}
	want[2 * N] = '\0';
	got = read_part(p, 2 * N, WIRE_STR_PATH, 0, &err);
	CHECK(err == 0);
	CHECK(got && strlen(got) == 2 * N && strcmp(got, want) == 0);
	free(got);
	free(p);
	free(want);
}

static void test_args(void)
{
	check_part(PART("ls\0-l\0a b\0"), 0, 0, "ls -l a b");
	check_part(PART("ls\0-l\0"), 0, 9, "ls -l"); /* whole: no mark */
	check_part(PART("sh\0-c\0pad"), WIRE_STR_TRUNC, 300000,
		   "sh -c pad...[truncated: 300000 bytes]");
	check_part(PART("sh\0-c"), WIRE_STR_TRUNC, 0, "sh -c...[truncated]");
	check_part(PART(""), 0, 0, "");
}

static void test_container_id(void)
{
	const char *id = "4c01db0b339c5e7fd2a0bf16b4cd0f2c"
			 "6ef2b70b1e7c1c4f15ee3cb0b9cbd8d2";
	char path[256];
	size_t off = 0;

	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", id);
	CHECK(sensor_container_id(path, &off) == 0 &&
	      strncmp(path + off, id, 64) == 0);
	snprintf(path, sizeof(path), "/docker/%s", id);
	CHECK(sensor_container_id(path, &off) == 0 && off == 8);
	snprintf(path, sizeof(path),
		 "/kubepods.slice/kubepods-burstable.slice/"
		 "cri-containerd-%s.scope",
		 id);
	CHECK(sensor_container_id(path, &off) == 0 &&
	      strncmp(path + off, id, 64) == 0);
	snprintf(path, sizeof(path), "/machine.slice/libpod-%s.scope/container",
		 id);
	CHECK(sensor_container_id(path, &off) == 0 &&
	      strncmp(path + off, id, 64) == 0);
	snprintf(path, sizeof(path), "%s", id);
	CHECK(sensor_container_id(path, &off) == 0 && off == 0);
	/* 63 or 65 digits, upper case, no separator: not an id */
	CHECK(sensor_container_id("/user.slice/user-1000.slice", &off) ==
	      -ENOENT);
	snprintf(path, sizeof(path), "/docker/%.63s", id);
	CHECK(sensor_container_id(path, &off) == -ENOENT);
	snprintf(path, sizeof(path), "/docker/%s0", id);
	CHECK(sensor_container_id(path, &off) == -ENOENT);
	snprintf(path, sizeof(path), "/docker/x%s", id);
	CHECK(sensor_container_id(path, &off) == -ENOENT);
	CHECK(sensor_container_id("/", &off) == -ENOENT);
}

/* Extra fields: after Sysmon's, rendered only when the host asks. */
static void test_extra_fields(void)
{
	const struct catalog_event *def = catalog_lookup(1);
	struct render_host h;
	struct event ev;
	struct buf b;

	CHECK(def->nextra == EV1_NFIELDS - EV1_EFFECTIVE_USER);
	CHECK(catalog_sysmon_fields(def) == EV1_PARENT_USER + 1);
	CHECK_STR(def->fields[EV1_EFFECTIVE_USER].name, "EffectiveUser");
	CHECK(event_init(&ev, 1) == 0);
	event_set_str(&ev, EV1_PARENT_USER, "alice");
	event_set_str(&ev, EV1_EFFECTIVE_USER, "root");
	event_set_str(&ev, EV1_CONTAINER_ID, "abc");
	render_host_defaults(&h);
	buf_init(&b, 0);
	for (int f = RENDER_XML; f <= RENDER_TEXT; f++) {
		buf_reset(&b);
		h.extra_fields = false;
		CHECK(render_event(&b, &h, &ev, (enum render_format)f, 0) == 0);
		CHECK(buf_addc(&b, '\0') == 0);
		CHECK(strstr(b.data, "alice") != NULL);
		CHECK(strstr(b.data, "EffectiveUser") == NULL);
		CHECK(strstr(b.data, "ContainerId") == NULL);
		buf_reset(&b);
		h.extra_fields = true;
		CHECK(render_event(&b, &h, &ev, (enum render_format)f, 0) == 0);
		CHECK(buf_addc(&b, '\0') == 0);
		CHECK(strstr(b.data, "EffectiveUser") != NULL);
		CHECK(strstr(b.data, "ParentUser") <
		      strstr(b.data, "EffectiveUser"));
	}
	CHECK(strstr(b.data, "ContainerId: abc") != NULL);

	/* Stored: all fields kept; a blob from before the extra fields
	 * (Sysmon's only) still decodes, the extra ones unset. */
	CHECK(store_record_encode(&b, &ev) == 0);
	event_release(&ev);
	CHECK(store_record_decode(&ev, 1, b.data, b.len) == 0);
	CHECK_STR(event_value(&ev, EV1_EFFECTIVE_USER, NULL), "root");
	event_release(&ev);
	{
		size_t len = 0;

		for (unsigned i = 0, n = 0; i < b.len; i++)
			if (b.data[i] == '\0' && ++n == EV1_PARENT_USER + 1) {
				len = i + 1;
				break;
			}
		CHECK(len > 0);
		CHECK(store_record_decode(&ev, 1, b.data, len) == 0);
		CHECK_STR(event_value(&ev, EV1_PARENT_USER, NULL), "alice");
		CHECK_STR(event_value(&ev, EV1_EFFECTIVE_USER, NULL), "-");
		event_release(&ev);
		/* but not one value short of Sysmon's */
		CHECK(store_record_decode(&ev, 1, b.data, len - 6) == -EINVAL);
	}
	buf_release(&b);
}

int main(void)
{
	test_paths();
	test_deep_path();
	test_args();
	test_container_id();
	test_extra_fields();
	return tap_done("wire_test");
}
