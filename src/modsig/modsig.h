/* SPDX-License-Identifier: MIT */
/*
 * modsig/modsig.h - the signature a kernel module carries after its ELF
 * image, as sign-file(1) appends it and the kernel checks it:
 *
 *   [ELF image][PKCS#7 DER, sig_len bytes][struct module_signature, 12
 *   bytes][the 28 bytes "~Module signature appended~\n"]
 *
 * Parsing names the signer as modinfo(8) does: the common name of the
 * issuer in the PKCS#7 signer info (sign-file leaves the certificate
 * out), its serial number as the key id, and the digest algorithm.  It
 * does not verify the signature: only the kernel's keyring can say
 * whether the key is trusted, and the kernel tells that by loading or
 * refusing the module.  Pure: bytes in, struct out (OpenSSL's DER reader).
 */
#ifndef VIGIL_MODSIG_H
#define VIGIL_MODSIG_H

#include <stddef.h>

#define MODSIG_MAGIC	 "~Module signature appended~\n"
#define MODSIG_MAGIC_LEN 28
/* The fixed struct module_signature before the magic. */
#define MODSIG_INFO_LEN 12
/* Bytes of a module's end that hold any real signature (RSA-4096 with a
 * long issuer name is under 2 KiB). */
#define MODSIG_TAIL_MAX 8192

struct modsig {
	char signer[256]; /* issuer CN, else the issuer's one-line name */
	char key_id[130]; /* serial number, lower-case hex */
	char hash[32]; /* digest algorithm, "sha256" ... */
};

/*
 * Parse the signature at the end of tail, the last len bytes of a module
 * (or all of it).  Returns 0 with *out filled, -ENOENT when the module is
 * unsigned (no magic), or -EINVAL when the signature is malformed; then
 * *why (when not NULL) is a static phrase saying how.
 */
int modsig_parse(const unsigned char *tail, size_t len, struct modsig *out,
		 const char **why);

/* What the kernel said of a signed module, as far as vigil can tell. */
enum modsig_verdict {
	MODSIG_UNKNOWN = 0, /* no way to tell (init_module(), no sysfs) */
	MODSIG_TRUSTED, /* loaded under enforcement, or without the E taint */
	MODSIG_REJECTED, /* loaded unenforced with the E taint: bad key */
};

/* Event 6's (and 7's) signature fields. */
struct modsig_fields {
	char is_signed[96]; /* Signed: "true", "false", "failed: ..." */
	char signature[256]; /* Signature: the signer, or "-" */
	const char *status; /* SignatureStatus */
};

/*
 * The fields for a parse that returned r with *m (and *why when r is
 * -EINVAL), in Sysmon's words: unsigned is Signed false with
 * SignatureStatus Unavailable; a malformed signature is Signed
 * "failed: <why>" with Signature and SignatureStatus "-"; a signed module
 * is Valid, Invalid or Unverified as the verdict says.
 */
void modsig_fields(int r, const struct modsig *m, const char *why,
		   enum modsig_verdict verdict, struct modsig_fields *out);

#endif /* VIGIL_MODSIG_H */
