/* SPDX-License-Identifier: MIT */
/*
 * modsig/modsig.c - parse a kernel module's appended signature (see
 * modsig.h).  Every length in the trailer is checked against the bytes
 * actually there before anything is read; OpenSSL's d2i reader, bounded
 * by sig_len, parses the DER.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "modsig.h"

/* struct module_signature's id_type: the kernel takes PKCS#7 only. */
#define PKEY_ID_PKCS7 2

static int bad(const char **why, const char *text)
{
	if (why)
		*why = text;
	return -EINVAL;
}

static void name_of(X509_NAME *issuer, char *out, size_t size)
{
	int i = X509_NAME_get_index_by_NID(issuer, NID_commonName, -1);
	ASN1_STRING *cn;
	unsigned char *utf8 = NULL;
	int n;

	out[0] = '\0';
	if (i >= 0) {
		cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(issuer, i));
		n = ASN1_STRING_to_UTF8(&utf8, cn);
		if (n >= 0) {
			snprintf(out, size, "%.*s", n, (const char *)utf8);
			OPENSSL_free(utf8);
			return;
		}
	}
	X509_NAME_oneline(issuer, out, (int)size);
}

static void hex_of(const ASN1_INTEGER *serial, char *out, size_t size)
{
	const unsigned char *p = ASN1_STRING_get0_data(serial);
	int n = ASN1_STRING_length(serial);
	size_t off = 0;

	out[0] = '\0';
	for (int i = 0; i < n && off + 3 <= size; i++)
		off += (size_t)snprintf(out + off, size - off, "%02x", p[i]);
}

/* The first signer of the PKCS#7 der (len bytes) into out. */
static int parse_pkcs7(const unsigned char *der, size_t len, struct modsig *out,
		       const char **why)
{
	const unsigned char *p = der;
	STACK_OF(PKCS7_SIGNER_INFO) * infos;
	PKCS7_SIGNER_INFO *si;
	PKCS7 *pk;
	int r = 0;

	if (len > INT32_MAX)
		return bad(why, "signature too long");
	pk = d2i_PKCS7(NULL, &p, (long)len);
	if (!pk)
		return bad(why, "signature is not PKCS#7");
	if (!PKCS7_type_is_signed(pk) || !(infos = PKCS7_get_signer_info(pk)) ||
	    !(si = sk_PKCS7_SIGNER_INFO_value(infos, 0)) ||
	    !si->issuer_and_serial || !si->issuer_and_serial->issuer) {
		r = bad(why, "PKCS#7 without a signer");
		goto out;
	}
	name_of(si->issuer_and_serial->issuer, out->signer,
		sizeof(out->signer));
	hex_of(si->issuer_and_serial->serial, out->key_id, sizeof(out->key_id));
	if (si->digest_alg && si->digest_alg->algorithm)
		snprintf(out->hash, sizeof(out->hash), "%s",
			 OBJ_nid2sn(OBJ_obj2nid(si->digest_alg->algorithm)));
out:
	PKCS7_free(pk);
	return r;
}

int modsig_parse(const unsigned char *tail, size_t len, struct modsig *out,
		 const char **why)
{
	const unsigned char *info;
	uint32_t sig_len;

	memset(out, 0, sizeof(*out));
	if (len < MODSIG_MAGIC_LEN ||
	    memcmp(tail + len - MODSIG_MAGIC_LEN, MODSIG_MAGIC,
		   MODSIG_MAGIC_LEN) != 0)
		return -ENOENT;
	len -= MODSIG_MAGIC_LEN;
	if (len < MODSIG_INFO_LEN)
		return bad(why, "signature trailer cut short");
	info = tail + len - MODSIG_INFO_LEN;
	len -= MODSIG_INFO_LEN;
	/* algo, hash, id_type, signer_len, key_id_len, pad[3], be32 len */
	if (info[2] != PKEY_ID_PKCS7)
		return bad(why, "signature is not PKCS#7");
	if (info[0] || info[1] || info[3] || info[4])
		return bad(why, "signature trailer has unexpected fields");
	sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 |
		  (uint32_t)info[10] << 8 | info[11];
	if (sig_len == 0 || sig_len > len)
		return bad(why, "signature length out of range");
	return parse_pkcs7(info - sig_len, sig_len, out, why);
}

void modsig_fields(int r, const struct modsig *m, const char *why,
		   enum modsig_verdict verdict, struct modsig_fields *out)
{
	snprintf(out->signature, sizeof(out->signature), "-");
	if (r == -ENOENT) {
		snprintf(out->is_signed, sizeof(out->is_signed), "false");
		out->status = "Unavailable";
		return;
	}
	if (r < 0) {
		snprintf(out->is_signed, sizeof(out->is_signed), "failed: %s",
			 why ? why : "unreadable signature");
		out->status = "-";
		return;
	}
	snprintf(out->is_signed, sizeof(out->is_signed), "true");
	if (m->signer[0])
		snprintf(out->signature, sizeof(out->signature), "%s",
			 m->signer);
	out->status = verdict == MODSIG_TRUSTED	   ? "Valid"
		      : verdict == MODSIG_REJECTED ? "Invalid"
						   : "Unverified";
}
