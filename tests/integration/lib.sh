#!/usr/bin/env bash
# tests/integration/lib.sh - shared by the integration tests: assertions,
# temp dirs, and starting/stopping the real daemon by PID.
#
# Each test sources this, calls t_begin NAME, checks with ok/is/..., and
# ends with t_end, which prints "NAME: N passed, N failed" and sets the
# exit status.  Needs root (BPF); VIGIL and HELPERS come from `make test`.

set -u
T_NAME=${T_NAME:-test} T_PASS=0 T_FAIL=0 T_DIR= VIGIL_PID= VIGIL_STATUS=
T_PIDS=()
: "${VIGIL:?set VIGIL to the vigil binary (make test does)}"
: "${HELPERS:=$(dirname "$VIGIL")/tests/helpers}"

t_begin() {
	T_NAME=$1
	T_DIR=$(mktemp -d "/tmp/vigil-test.XXXXXX")
	trap t_cleanup EXIT
	# A test stopped by a signal still cleans up: its servers must not
	# outlive it (they would also keep any lock the run holds).
	trap 'exit 130' INT TERM
	if [ "$(id -u)" -ne 0 ]; then
		echo "$T_NAME: needs root (loads BPF programs)"
		T_FAIL=1
		t_end
	fi
}

# t_track PID...: background processes the test started, stopped at exit.
t_track() {
	T_PIDS+=("$@")
}

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	vigil_stop
	[ -n "$T_DIR" ] && rm -rf "$T_DIR"
}

ok() {	# ok DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then
		T_PASS=$((T_PASS + 1)); echo "ok - $what"
	else
		T_FAIL=$((T_FAIL + 1)); echo "not ok - $what"
	fi
}

is() {	# is DESCRIPTION GOT WANT
	if [ "$2" == "$3" ]; then
		T_PASS=$((T_PASS + 1)); echo "ok - $1"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok - $1"
		echo "#   got:  '$2'"
		echo "#   want: '$3'"
	fi
}

t_end() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	trap - EXIT
	t_cleanup
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

# vigil_start OUTFILE [run options...]: start `vigil run` with private
# state/run dirs, standard output to OUTFILE, and wait until it monitors.
vigil_start() {
	local out=$1; shift
	mkdir -p "$T_DIR/state" "$T_DIR/run"
	"$VIGIL" run --state-dir "$T_DIR/state" --run-dir "$T_DIR/run" "$@" \
		> "$out" 2> "$T_DIR/vigil.log" &
	VIGIL_PID=$!
	for _ in $(seq 1 200); do
		[ -s "$T_DIR/run/status" ] && return 0
		kill -0 "$VIGIL_PID" 2>/dev/null || break
		sleep 0.05
	done
	# A daemon that never started must fail the test, not leave it with
	# nothing asserted.
	T_FAIL=$((T_FAIL + 1)); echo "not ok - vigil starts"
	sed 's/^/#   /' "$T_DIR/vigil.log"
	return 1
}

# vigil_stop: SIGINT and wait (bounded), then make sure it is gone.
# VIGIL_STATUS gets its exit status (under ASan, non-zero on a leak).
vigil_stop() {
	[ -n "$VIGIL_PID" ] || return 0
	kill -INT "$VIGIL_PID" 2>/dev/null
	for _ in $(seq 1 200); do
		kill -0 "$VIGIL_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$VIGIL_PID" 2>/dev/null
	wait "$VIGIL_PID" 2>/dev/null
	VIGIL_STATUS=$?
	VIGIL_PID=
}

# status_get KEY: a value from the running daemon's status file.
status_get() {
	sed -n "s/^$1=//p" "$T_DIR/run/status"
}

# settle: wait until the daemon has written everything it queued, i.e.
# the status file's logged count stops moving (bounded).
settle() {
	local last=-1 now
	for _ in $(seq 1 100); do
		sleep 0.3
		now=$(status_get logged)
		[ "$now" == "$last" ] && return 0
		last=$now
	done
}
