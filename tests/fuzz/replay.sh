#!/usr/bin/env bash
# Replay every committed fuzz corpus through its harness, without libFuzzer.
# Each tests/fuzz/fuzz_NAME.c is linked with replay.c against the project
# archive and fed tests/fuzz/corpus/fuzz_NAME/*.  Ends with
# "fuzz-replay: N passed, N failed" (one count per corpus file).
# Environment: OUT (build folder, default .build; .build-san with SAN=1),
# SAN=1 (ASan/UBSan), CC.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
san=${SAN:-0}
if [ "$san" = 1 ]; then
	out=${OUT:-.build-san}
	sanflags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
else
	out=${OUT:-.build}
	sanflags=""
fi
cc=${CC:-cc}
pass=0 fail=0
if ! make -s OUT="$out" SAN="$san" "$out/libvigil.a" >/dev/null; then
	echo "fuzz-replay: cannot build $out/libvigil.a"
	echo "fuzz-replay: 0 passed, 1 failed"
	exit 1
fi
libs=$(pkg-config --libs libbpf libxml-2.0 sqlite3 libcrypto libmicrohttpd libssl libcurl)
mkdir -p "$out/tests/fuzz"
for h in "$here"/fuzz_*.c; do
	[ -e "$h" ] || continue
	name=$(basename "$h" .c)
	bin=$out/tests/fuzz/$name-replay
	if ! $cc -std=c11 -D_GNU_SOURCE -O1 -g $sanflags -Isrc -Iinclude \
		"$h" "$here/replay.c" "$out/libvigil.a" $libs -lelf -lz \
		-lpthread -o "$bin"; then
		echo "$name: build failed"
		fail=$((fail + 1))
		continue
	fi
	corpus=$here/corpus/$name
	n=0
	for f in "$corpus"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if HARNESS=$name "$bin" "$f" >/dev/null 2>"$out/tests/fuzz/$name.err"; then
			pass=$((pass + 1))
		else
			echo "$name: FAIL on $f"
			sed 's/^/  /' "$out/tests/fuzz/$name.err" | head -n 20
			fail=$((fail + 1))
		fi
	done
	echo "$name: $n corpus files"
done
echo "fuzz-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
