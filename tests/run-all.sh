#!/usr/bin/env bash
# Run every test tier and close with one "N passed, N failed" line.
# Usage: tests/run-all.sh UNIT_BIN...   (VIGIL and HELPERS in the environment)
set -u
here=$(cd "$(dirname "$0")" && pwd)
total_pass=0 total_fail=0 log=$(mktemp)

tally() {	# tally NAME COMMAND...: run, echo, add its closing counts
	local name=$1; shift
	"$@" 2>&1 | tee -a "$log"
	local line
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	: > "$log"
	if [ -z "$line" ]; then
		echo "$name: no result line (crashed?)"
		total_fail=$((total_fail + 1))
		return
	fi
	local p f
	p=$(grep -oE '[0-9]+ passed' <<<"$line" | cut -d' ' -f1)
	f=$(grep -oE '[0-9]+ failed' <<<"$line" | cut -d' ' -f1)
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
}

for t in "$@"; do
	tally "$(basename "$t")" "$t"
done
for t in ${SAN_UNIT_BINS:-}; do
	tally "asan:$(basename "$t")" "$t"
done
for f in "$here"/fuzz/replay.sh; do
	[ -x "$f" ] && tally fuzz-replay "$f"
done
for f in "$here"/golden/run.sh; do
	[ -x "$f" ] && tally golden "$f"
done
# The corpora and recordings again under ASan/UBSan when the sanitizer
# tree is built (make test): what the fuzzer runs with, UB included.
if [ -n "${SAN_UNIT_BINS:-}" ]; then
	SAN=1 tally asan:fuzz-replay "$here/fuzz/replay.sh"
	SAN=1 tally asan:golden "$here/golden/run.sh"
fi
for t in "$here"/integration/[0-9]*.sh; do
	[ -n "${SKIP_INTEGRATION:-}" ] && break
	tally "$(basename "$t")" bash "$t"
done
# The daemon itself under ASan/UBSan: a clean exit means no leak and no
# undefined behaviour on the way.
if [ -z "${SKIP_INTEGRATION:-}" ] && [ -x "${VIGIL_SAN:-}" ]; then
	VIGIL=$VIGIL_SAN tally "asan:10-process-events" \
		bash "$here/integration/10-process-events.sh"
	# The network decoders and the DNS tracker, on real traffic.
	VIGIL=$VIGIL_SAN tally "asan:31-dns" \
		bash "$here/integration/31-dns.sh"
fi
rm -f "$log"
echo "total: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
