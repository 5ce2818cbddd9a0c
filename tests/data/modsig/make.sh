#!/usr/bin/env bash
# Regenerate the module files modsig_test reads (committed; run by hand).
# A tiny ELF object stands for the module: the parser reads only what
# sign-file(1) appends after the image, which is built here the same way:
# a detached PKCS#7 (CMS) signature without certificates or attributes,
# struct module_signature (id_type 2 = PKCS#7, big-endian length) and the
# magic string.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/m.c" <<'C'
__attribute__((section(".modinfo"))) const char name[] = "name=vigil_test";
int init_module(void) { return 0; }
C
cc -c -O2 -o "$tmp/m.o" "$tmp/m.c"
strip --strip-debug "$tmp/m.o"
cp "$tmp/m.o" unsigned.ko
openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
	-subj "/O=vigil tests/CN=vigil test module signing key" \
	-set_serial 0x1a2b3c4d -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	2>/dev/null
openssl cms -sign -binary -noattr -nocerts -nosmimecap -md sha256 \
	-outform DER -signer "$tmp/cert.pem" -inkey "$tmp/key.pem" \
	-in "$tmp/m.o" -out "$tmp/sig.der"
trailer() {	# trailer ID_TYPE SIG_LEN: struct module_signature
	printf "\\x00\\x00\\x$(printf %02x "$1")\\x00\\x00\\x00\\x00\\x00"
	printf '%08x' "$2" | xxd -r -p
}
magic='~Module signature appended~\n'
siglen=$(stat -c %s "$tmp/sig.der")
{ cat "$tmp/m.o" "$tmp/sig.der"; trailer 2 "$siglen"; printf "$magic"; } \
	> signed.ko
{ cat "$tmp/m.o" "$tmp/sig.der"; trailer 1 "$siglen"; printf "$magic"; } \
	> bad-id-type.ko
{ cat "$tmp/m.o" "$tmp/sig.der"; trailer 2 999999; printf "$magic"; } \
	> bad-length.ko
{ cat "$tmp/m.o"; head -c "$siglen" /dev/zero; trailer 2 "$siglen";
  printf "$magic"; } > bad-pkcs7.ko
{ printf 'xx'; printf "$magic"; } > short.ko
