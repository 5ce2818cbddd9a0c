#!/usr/bin/env bash
# Golden replay, no root: decode every recording tests/golden/NAME.wire
# and compare the text with NAME.expected.  Ends with "golden: N passed,
# N failed".  Environment: OUT (default .build; .build-san with SAN=1),
# SAN=1 (the decoder under ASan/UBSan).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
san=${SAN:-0}
if [ "$san" = 1 ]; then out=${OUT:-.build-san}; else out=${OUT:-.build}; fi
bin=$out/tests/golden_decode
pass=0 fail=0
if ! make -s OUT="$out" SAN="$san" "$bin" >/dev/null; then
	echo "golden: cannot build $bin"
	echo "golden: 0 passed, 1 failed"
	exit 1
fi
mkdir -p "$out/tests/golden"
for w in "$here"/*.wire; do
	[ -e "$w" ] || continue
	name=$(basename "$w" .wire)
	got=$out/tests/golden/$name.out
	: > "$got.diff"
	if "$bin" "$w" > "$got" 2> "$got.err" &&
		diff -u "$here/$name.expected" "$got" > "$got.diff"; then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		fail=$((fail + 1))
		echo "not ok - $name (expected output: make golden-expected;" \
			"new recording: make golden-record)"
		sed 's/^/#   /' "$got.err" "$got.diff" | head -n 40
	fi
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
