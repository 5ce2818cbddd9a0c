/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for modsig: module files made by tests/data/modsig/make.sh
 * (a signed one, an unsigned one, and trailers broken each way), parsed
 * whole and from their last bytes only, and the event fields they give.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "modsig/modsig.h"
#include "tap.h"

static char dir[PATH_MAX];
static unsigned char buf[65536];

/* Read tests/data/modsig/name into buf; its length, or 0. */
static size_t load(const char *name)
{
	char path[PATH_MAX + 64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 0;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n;
}

static void test_signed(void)
{
	size_t n = load("signed.ko");
	struct modsig m;
	struct modsig_fields f;
	const char *why = NULL;
	size_t need;

	CHECK(n > 0);
	CHECK(modsig_parse(buf, n, &m, &why) == 0);
	CHECK_STR(m.signer, "vigil test module signing key");
	CHECK_STR(m.key_id, "1a2b3c4d");
	CHECK_STR(m.hash, "SHA256");
	modsig_fields(0, &m, NULL, MODSIG_TRUSTED, &f);
	CHECK_STR(f.is_signed, "true");
	CHECK_STR(f.signature, "vigil test module signing key");
	CHECK_STR(f.status, "Valid");
	modsig_fields(0, &m, NULL, MODSIG_UNKNOWN, &f);
	CHECK_STR(f.status, "Unverified");
	modsig_fields(0, &m, NULL, MODSIG_REJECTED, &f);
	CHECK_STR(f.status, "Invalid");

	/* The signature alone is enough: the last sig_len + 40 bytes. */
	need = (size_t)buf[n - 29] | (size_t)buf[n - 30] << 8;
	need += MODSIG_INFO_LEN + MODSIG_MAGIC_LEN;
	CHECK(modsig_parse(buf + n - need, need, &m, &why) == 0);
	CHECK_STR(m.signer, "vigil test module signing key");
	why = NULL;
	CHECK(modsig_parse(buf + n - need + 1, need - 1, &m, &why) == -EINVAL);
	CHECK_STR(why, "signature length out of range");
}

static void test_unsigned(void)
{
	size_t n = load("unsigned.ko");
	struct modsig m;
	struct modsig_fields f;

	CHECK(n > 0);
	CHECK(modsig_parse(buf, n, &m, NULL) == -ENOENT);
	modsig_fields(-ENOENT, &m, NULL, MODSIG_UNKNOWN, &f);
	CHECK_STR(f.is_signed, "false");
	CHECK_STR(f.signature, "-");
	CHECK_STR(f.status, "Unavailable");
	CHECK(modsig_parse(buf, 0, &m, NULL) == -ENOENT);
}

static void test_broken(const char *name, const char *want_why)
{
	size_t n = load(name);
	struct modsig m;
	struct modsig_fields f;
	const char *why = NULL;
	char want[128];

	CHECK(n > 0);
	CHECK(modsig_parse(buf, n, &m, &why) == -EINVAL);
	CHECK_STR(why, want_why);
	modsig_fields(-EINVAL, &m, why, MODSIG_TRUSTED, &f);
	snprintf(want, sizeof(want), "failed: %s", want_why);
	CHECK_STR(f.is_signed, want);
	CHECK_STR(f.signature, "-");
	CHECK_STR(f.status, "-");
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];

	(void)argc;
	/* .build/tests/modsig_test -> tests/data/modsig */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dir, sizeof(dir), "%s/../../tests/data/modsig", dirname(self));
	test_signed();
	test_unsigned();
	test_broken("bad-id-type.ko", "signature is not PKCS#7");
	test_broken("bad-length.ko", "signature length out of range");
	test_broken("bad-pkcs7.ko", "signature is not PKCS#7");
	test_broken("short.ko", "signature trailer cut short");
	return tap_done("modsig");
}
