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
# make test-asan: VIGIL is the ASan/UBSan build and every sanitizer report
# of any vigil process a test starts (the daemon, viewers, the web
# server, the forwarder, detached services) goes to a file of its own in
# SAN_REPORTS; a test that leaves one fails, whatever it asserted.
san_check() {	# san_check NAME: fail NAME for each new report
	local f n=0
	for f in "$SAN_REPORTS"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		echo "$1: sanitizer report $(basename "$f"):"
		sed 's/^/#   /' "$f" | head -n 40
		mv "$f" "$SAN_REPORTS/seen/$1.$(basename "$f")"
	done
	echo "asan-reports:$1: $((n == 0 ? 1 : 0)) passed, $n failed"
}
if [ -n "${SAN_REPORTS:-}" ]; then
	mkdir -p "$SAN_REPORTS/seen"
	chmod 1777 "$SAN_REPORTS" # processes that dropped to nobody too
	export ASAN_OPTIONS="log_path=$SAN_REPORTS/asan:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1"
	export UBSAN_OPTIONS="log_path=$SAN_REPORTS/ubsan:print_stacktrace=1:halt_on_error=1"
	export LSAN_OPTIONS="log_path=$SAN_REPORTS/lsan"
fi
for t in "$here"/integration/[0-9]*.sh; do
	[ -n "${SKIP_INTEGRATION:-}" ] && break
	tally "$(basename "$t")" bash "$t"
	[ -n "${SAN_REPORTS:-}" ] && tally "asan:$(basename "$t")" \
		san_check "$(basename "$t" .sh)"
done
# The daemon itself under ASan/UBSan: a clean exit means no leak and no
# undefined behaviour on the way.
if [ -z "${SKIP_INTEGRATION:-}" ] && [ -x "${VIGIL_SAN:-}" ] &&
	[ -z "${SAN_REPORTS:-}" ]; then
	VIGIL=$VIGIL_SAN tally "asan:10-process-events" \
		bash "$here/integration/10-process-events.sh"
	# The network decoders and the DNS tracker, on real traffic.
	VIGIL=$VIGIL_SAN tally "asan:31-dns" \
		bash "$here/integration/31-dns.sh"
fi
rm -f "$log"
[ -n "${SAN_REPORTS:-}" ] && echo "sanitizer reports (if any): $SAN_REPORTS/seen"
echo "total: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
