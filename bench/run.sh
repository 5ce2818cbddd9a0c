#!/usr/bin/env bash
# bench/run.sh - vigil's benchmarks, side by side with no monitoring and
# with Debian's auditd: workload overhead, the tax on syscalls nobody
# watches, daemon CPU per event, peak event rate without loss, memory.
# Prints a table and writes it, with the machine and the commands, to
# BENCHMARKS.md.  Needs root.  Method and figures: bench/README.md.
#
# Usage: VIGIL=/abs/path/to/vigil bench/run.sh          (make bench)
# Environment (all optional):
#   BENCH_REPS          alternating rounds per column (default 5)
#   BENCH_REPORT        the report file (default BENCHMARKS.md at the top)
#   BENCH_BIN           folder of the workload programs (<vigil dir>/bench)
#   BENCH_AUDITD=0      leave out the auditd column
#   BENCH_RAMP_MODES    event_rate modes, one rate ramp each (default
#                       "udp file": new UDP flows, file creates)
#   BENCH_RAMP_SECONDS  seconds per ramp step (default 4)
#   BENCH_RAMP_REPS     ramps per mode, each under a fresh daemon (default 2)
#   BENCH_KEEP_WORK=1   keep the raw figures (printed folder)
#   BENCH_LEAVE_NEVER_TASK=1  end with the rule "auditctl -a never,task"
#                       (see audit_quiet) instead of no audit rule
#   BENCH_ROUNDS_BUDGET_S  after 3 rounds, start no round that would end
#                       past this many seconds (default 330)
#   BENCH_IMAGELOAD_REPS   rounds of the ImageLoad rows (default 3, 0: none)
#   BENCH_ONLY=imageload   run only the ImageLoad rows
#   BENCH_ONLY=ramp        run only the rate ramps (figures printed)
#   BENCH_FORWARD=0        leave out the forwarding figures
#
# A benchmark reports; it never fails on a timing.  The exit status is
# non-zero only when the harness itself cannot run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
: "${VIGIL:?VIGIL must name the vigil binary (make bench sets it)}"
bin=${BENCH_BIN:-$(dirname "$VIGIL")/bench}
reps=${BENCH_REPS:-5}
report=${BENCH_REPORT:-$top/BENCHMARKS.md}
want_auditd=${BENCH_AUDITD:-1}
read -ra ramp_modes <<<"${BENCH_RAMP_MODES:-udp file}"
ramp_seconds=${BENCH_RAMP_SECONDS:-4}
ramp_reps=${BENCH_RAMP_REPS:-2}
# File creates of the ramp on a tmpfs: the file system's own cost (ext4's
# journal here) would bound the generator long before vigil.
ramp_dir=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && ramp_dir=/dev/shm
rounds_budget_s=${BENCH_ROUNDS_BUDGET_S:-330}
config=$here/collect-all.xml
# file_inc: the file churn again, vigil reconfigured (SIGHUP) to this
config_inc=$here/files-include.xml
collect_all=$config
imageload_reps=${BENCH_IMAGELOAD_REPS:-3}

exec_n=5000 connect_n=20000 udp_n=200000 file_n=20000
tax_n=200000 tax_rounds=7
# Target operations per second of the ramp; 0 is "as fast as it goes".
# Fine steps where the goal is (100,000 events/s: 50,000 UDP datagrams,
# each a new flow out and in; file creates make two events each too).
ramp_rates=(10000 20000 30000 40000 45000 50000 55000 60000 70000 80000 0)
audit_key=vigil-bench
clk_tck=$(getconf CLK_TCK)

work=""
vigil_pid="" auditd_pid="" kauditd_pid="" vigil_dir="" vigil_run=""
rounds_done=0 load0=""
audit_state=""	# "" untouched; else the settings to restore
declare -A ST	# vigil's status file, key -> value
declare -A FACT	# single figures for the report
declare -A TT	# daemon CPU ticks by thread name (thread_ticks)

say() { printf 'bench: [%3ds] %s\n' "$SECONDS" "$*" >&2; }
fact() { FACT[$1]=$2; }

# Sleep without forking a process that the monitors would log.
pause() { read -rt "$1" -u "$sleep_fd" _ || true; }

cleanup() {
	set +e
	[ -n "$vigil_pid" ] && vigil_stop
	[ -n "$auditd_pid" ] && auditd_stop
	audit_restore
	[ -n "${sleep_fd:-}" ] && exec {sleep_fd}>&-
	if [ -n "$work" ] && [ "${BENCH_KEEP_WORK:-0}" = 1 ]; then
		say "raw figures kept in $work"
	elif [ -n "$work" ]; then
		rm -rf "$work"
	fi
}

# --- vigil -------------------------------------------------------------

status_read() {	# fill ST from <run_dir>/status; no process is forked
	local k v
	ST=()
	[ -r "$vigil_run/status" ] || return 0
	while IFS='=' read -r k v; do
		if [ -n "$k" ]; then ST[$k]=$v; fi
	done <"$vigil_run/status"
}

status_lost() {	# echo-free: sets lost_total from ST (every lost_<reason>)
	local k
	lost_total=0
	for k in "${!ST[@]}"; do
		if [[ $k == lost_* ]]; then
			lost_total=$((lost_total + ${ST[$k]:-0}))
		fi
	done
}

cpu_ticks() {	# cpu_ticks PID: sets ticks to utime+stime of PID, or 0
	local line rest
	local -a f
	ticks=0
	[ -r "/proc/$1/stat" ] || return 0
	read -r line <"/proc/$1/stat" || return 0
	rest=${line##*) }
	read -ra f <<<"$rest"
	ticks=$((f[11] + f[12]))
}

vigil_cmd() {	# the command line that starts vigil for the benchmark
	vigil_argv=("$VIGIL" run --store "$vigil_dir/events.db"
		--state-dir "$vigil_dir/state" --run-dir "$vigil_run"
		--quiet "$vigil_dir/config.xml")
}

vigil_start() {
	local i
	rm -rf "$vigil_dir"
	mkdir -p "$vigil_dir/state" "$vigil_run"
	cp "$config" "$vigil_dir/config.xml"
	vigil_cmd
	"${vigil_argv[@]}" >>"$work/vigil.log" 2>&1 &
	vigil_pid=$!
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$vigil_pid" 2>/dev/null; then
			wait "$vigil_pid" || true
			vigil_pid=""
			return 1
		fi
		status_read
		[ "${ST[pid]:-}" = "$vigil_pid" ] && return 0
		pause 0.2
	done
	vigil_stop
	return 1
}

vigil_stop() {
	local i
	kill -INT "$vigil_pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$vigil_pid" 2>/dev/null || break
		pause 0.2
	done
	kill -KILL "$vigil_pid" 2>/dev/null || true
	wait "$vigil_pid" 2>/dev/null || true
	vigil_pid=""
}

# vigil_config FILE: make the running vigil use FILE (SIGHUP), and wait
# until the status file shows its hash.
vigil_config() {
	local want i
	cp "$1" "$vigil_dir/config.xml"
	want=$(sha256sum "$1" | cut -d' ' -f1)
	kill -HUP "$vigil_pid" 2>/dev/null || return 1
	for ((i = 0; i < 50; i++)); do
		status_read
		[ "${ST[config_hash]:-}" = "$want" ] && return 0
		pause 0.2
	done
	return 1
}

# Wait until vigil has drained what the last workload caused: its CPU use
# over one status period fell to a few ticks (a daemon with a backlog is
# busy), or its logged counter hardly moved.  Other processes on the host
# keep both moving a little, so neither is asked to stand still.
vigil_settle() {
	local last t_last inc i
	status_read
	last=${ST[logged]:-0}
	cpu_ticks "$vigil_pid"
	t_last=$ticks
	for ((i = 0; i < 6; i++)); do
		pause 1.1
		status_read
		cpu_ticks "$vigil_pid"
		inc=$((${ST[logged]:-0} - last))
		if [ "$inc" -le 50 ] || [ $((ticks - t_last)) -le 3 ]; then
			return 0
		fi
		last=${ST[logged]:-0} t_last=$ticks
	done
	return 0
}

vigil_snap() {	# sets snap_logged, snap_lost, snap_ticks
	vigil_settle
	status_lost
	snap_logged=${ST[logged]:-0} snap_lost=$lost_total
	cpu_ticks "$vigil_pid"
	snap_ticks=$ticks
}

# --- auditd --------------------------------------------------------------

audit_get() {	# audit_get KEY: sets aval to KEY's value in auditctl -s
	local k v
	aval=""
	while read -r k v; do
		if [ "$k" = "$1" ]; then aval=$v; fi
	done < <(auditctl -s 2>/dev/null)
}

audit_probe() {	# sets audit_ok=1 or audit_why to the reason
	audit_ok=0
	if [ "$want_auditd" = 0 ]; then
		audit_why="left out (BENCH_AUDITD=0)"
		return
	fi
	if ! command -v auditctl >/dev/null || ! command -v auditd >/dev/null
	then
		say "installing Debian's auditd"
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			auditd >"$work/apt.log" 2>&1; then
			audit_why="auditd could not be installed (apt-get failed)"
			return
		fi
	fi
	if ! auditctl -s >/dev/null 2>&1; then
		audit_why="this kernel has no audit support (auditctl -s fails)"
		return
	fi
	audit_get enabled
	if [ "$aval" = 2 ]; then
		audit_why="audit configuration is locked (enabled 2)"
		return
	fi
	audit_get pid
	if [ -n "$aval" ] && [ "$aval" != 0 ]; then
		audit_why="an audit daemon already runs here (pid $aval)"
		return
	fi
	audit_ok=1
	local p c
	for p in /proc/[0-9]*; do
		read -r c 2>/dev/null <"$p/comm" || continue
		if [ "$c" = kauditd ]; then kauditd_pid=${p#/proc/}; fi
	done
	local e b w f
	audit_get enabled; e=$aval
	audit_get backlog_limit; b=$aval
	audit_get backlog_wait_time; w=$aval
	audit_get failure; f=$aval
	audit_state="$e $b $w $f"
}

# Once audit has been enabled, every process created afterwards pays the
# audit syscall path, even with audit disabled again, unless a
# "never,task" rule keeps audit contexts off new tasks.  The columns
# without auditd run under that rule, as on a host that never enabled
# audit.
audit_quiet() {
	[ -n "$audit_state" ] || return 0
	auditctl -D >/dev/null
	auditctl -a never,task >/dev/null
}

audit_restore() {
	[ -n "$audit_state" ] || return 0
	local e b w f
	read -r e b w f <<<"$audit_state"
	auditctl -D >/dev/null 2>&1
	auditctl -e "$e" -b "$b" --backlog_wait_time "$w" -f "$f" \
		>/dev/null 2>&1
	# Audit, once enabled, taxes every later process until reboot;
	# "never,task" lifts that, but it is a rule, so it stays only on
	# request.
	if [ "${BENCH_LEAVE_NEVER_TASK:-0}" = 1 ]; then
		auditctl -a never,task >/dev/null 2>&1
	fi
	audit_state=""
}

auditd_rules=(
	"-a always,exit -F arch=b64 -S execve,execveat -k $audit_key"
	"-a always,exit -F arch=b64 -S exit_group -k $audit_key"
	"-a always,exit -F arch=b64 -S connect,accept,accept4 -k $audit_key"
	"-a always,exit -F arch=b64 -S openat -F a2&0100 -k $audit_key"
	"-a always,exit -F arch=b64 -S open -F a1&0100 -k $audit_key"
	"-a always,exit -F arch=b64 -S creat -k $audit_key"
	"-a always,exit -F arch=b64 -S unlink,unlinkat -k $audit_key"
)

auditd_start() {
	local adir=$work/audit r i
	mkdir -p "$adir"
	: >"$adir/audit.log"
	# Debian's auditd.conf as shipped, logging into the work folder.
	sed -e "s|^log_file = .*|log_file = $adir/audit.log|" \
		-e 's|^max_log_file_action = .*|max_log_file_action = IGNORE|' \
		/etc/audit/auditd.conf >"$adir/auditd.conf"
	chmod 0640 "$adir/auditd.conf"
	auditctl -D >/dev/null
	auditd -n -c "$adir" >>"$work/auditd.out" 2>&1 &
	auditd_pid=$!
	for ((i = 0; i < 50; i++)); do
		audit_get pid
		[ "$aval" = "$auditd_pid" ] && break
		pause 0.1
	done
	if [ "$aval" != "$auditd_pid" ]; then
		say "auditd did not register with the kernel"
		auditd_stop
		return 1
	fi
	# Debian's rules.d/audit.rules preamble, then the workload rules.
	auditctl -b 8192 --backlog_wait_time 60000 -f 1 >/dev/null
	for r in "${auditd_rules[@]}"; do
		# shellcheck disable=SC2086 # a rule is several words
		auditctl $r >/dev/null
	done
}

auditd_stop() {
	local i
	auditctl -D >/dev/null 2>&1 || true
	kill -TERM "$auditd_pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$auditd_pid" 2>/dev/null || break
		pause 0.1
	done
	kill -KILL "$auditd_pid" 2>/dev/null || true
	wait "$auditd_pid" 2>/dev/null || true
	auditd_pid=""
	rm -f "$work/audit/audit.log"
}

auditd_snap() {	# sets snap_logged (syscall records), snap_lost, snap_ticks
	pause 1
	snap_logged=$(grep -c "^type=SYSCALL.*key=\"$audit_key\"" \
		"$work/audit/audit.log" || true)
	audit_get lost
	snap_lost=${aval:-0}
	cpu_ticks "$auditd_pid"
	snap_ticks=$ticks
	if [ -n "$kauditd_pid" ]; then
		cpu_ticks "$kauditd_pid"
		snap_ticks=$((snap_ticks + ticks))
	fi
}

# --- workloads -----------------------------------------------------------

record() {	# record MODE REP WORKLOAD LINE: key=value pairs to results
	local mode=$1 rep=$2 wl=$3 kv
	for kv in $4; do
		printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "$rep" "$wl" \
			"${kv%%=*}" "${kv#*=}" >>"$work/results.tsv"
	done
}

workload() {	# workload NAME: sets line to the program's report
	case $1 in
	exec) line=$("$bin/exec_loop" "$exec_n" /bin/true) ;;
	connect) line=$("$bin/connect_loop" "$connect_n") ;;
	udp) line=$("$bin/udp_loop" "$udp_n") ;;
	file | file_inc) line=$("$bin/file_churn" "$file_n" "$work/churn") ;;
	syscall) line=$("$bin/syscall_tax" "$tax_n" "$tax_rounds") ;;
	esac
}

run_set() {	# run_set MODE REP: every workload under one monitor
	local mode=$1 rep=$2 wl l0 t0 x0
	mkdir -p "$work/churn"
	for wl in exec connect udp file file_inc syscall; do
		# The include-list run is vigil's own figure (auditd's rules
		# do not change).
		[ "$wl" = file_inc ] && [ "$mode" = auditd ] && continue
		if [ "$wl" = file_inc ] && [ "$mode" = vigil ] &&
			! vigil_config "$config_inc"; then
			say "vigil did not take $config_inc"
			continue
		fi
		# Start every workload of every column from the same disk
		# state: without this, the store's write-back of the previous
		# workload's events lands on the next one (the file churn).
		sync
		case $mode in
		vigil) vigil_snap ;;
		auditd) auditd_snap ;;
		esac
		l0=${snap_logged:-0} x0=${snap_lost:-0} t0=${snap_ticks:-0}
		f0=${ST[file_filtered]:-0}
		workload "$wl"
		record "$mode" "$rep" "$wl" "$line"
		[ "$mode" = none ] && continue
		if [ "$mode" = vigil ]; then vigil_snap; else auditd_snap; fi
		record "$mode" "$rep" "$wl" \
			"logged=$((snap_logged - l0)) lost=$((snap_lost - x0)) daemon_ticks=$((snap_ticks - t0)) filtered=${ST[file_filtered]:-0}"
		if [ "$wl" = file_inc ] && [ "$mode" = vigil ]; then
			record vigil "$rep" file_inc \
				"filtered_delta=$((${ST[file_filtered]:-0} - f0))"
			vigil_config "$config" || say "vigil did not go back"
		fi
	done
}

rep_modes() {	# rep_modes REP: sets order, the columns rotated by round
	local -a all=(none)
	local i n
	[ "$vigil_ok" = 1 ] && all+=(vigil)
	[ "$audit_ok" = 1 ] && all+=(auditd)
	n=${#all[@]}
	order=()
	for ((i = 0; i < n; i++)); do
		order+=("${all[$(((i + $1) % n))]}")
	done
}

run_rounds() {
	local rep mode t0=$SECONDS
	for ((rep = 1; rep <= reps; rep++)); do
		rep_modes "$rep"
		for mode in "${order[@]}"; do
			say "round $rep/$reps: $mode"
			case $mode in
			none)
				audit_quiet
				run_set none "$rep"
				;;
			vigil)
				audit_quiet
				if ! vigil_start; then
					say "vigil stopped starting; see its log"
					vigil_ok=0
					fact vigil_why "vigil run stopped starting in round $rep"
					continue
				fi
				pause 1
				run_set vigil "$rep"
				status_read
				fact vigil_armed "${ST[armed]:-}"
				fact vigil_version "${ST[version]:-}"
				vigil_stop
				;;
			auditd)
				if ! auditd_start; then
					audit_ok=0
					fact auditd_why "auditd did not start in round $rep"
					continue
				fi
				run_set auditd "$rep"
				auditd_stop
				audit_quiet
				;;
			esac
		done
		rounds_done=$rep
		# Keep the whole run to a few minutes on a busy machine: after
		# three rounds, stop when another would pass the budget.
		local spent=$((SECONDS - t0))
		if [ "$rep" -ge 3 ] && [ "$rep" -lt "$reps" ] &&
			[ $((spent + spent / rep)) -gt "$rounds_budget_s" ]; then
			say "stopping after $rep rounds: time budget"
			break
		fi
	done
	fact reps "$rounds_done"
}

# --- vigil alone: rate ramp and memory --------------------------------------

# Per-thread CPU ticks of the daemon, by thread name (vigil names its
# threads): sets TT[name]=ticks, summed over threads of one name.
thread_ticks() {
	local t c
	TT=()
	for t in /proc/"$vigil_pid"/task/*; do
		read -r c 2>/dev/null <"$t/comm" || continue
		cpu_ticks_file "$t/stat"
		TT[$c]=$((${TT[$c]:-0} + ticks))
	done
}

cpu_ticks_file() {	# like cpu_ticks, for a /proc/.../stat path
	local line rest
	local -a f
	ticks=0
	[ -r "$1" ] || return 0
	read -r line <"$1" || return 0
	rest=${line##*) }
	read -ra f <<<"$rest"
	ticks=$((f[11] + f[12]))
}

# The daemon's private memory now (smaps_rollup), in bytes: sets uss_now.
uss_sample() {
	local k v
	uss_now=0
	while read -r k v _; do
		case $k in
		Private_Clean: | Private_Dirty:) uss_now=$((uss_now + v * 1024)) ;;
		esac
	done 2>/dev/null <"/proc/$vigil_pid/smaps_rollup"
}

# One step: event_rate in the background while the daemon's private
# memory is sampled every quarter second.  Sets line and step_uss (the
# largest sample).
ramp_step() {	# ramp_step MODE RATE
	local gen
	"$bin/event_rate" "$1" "$2" "$ramp_seconds" 2 "$ramp_dir" \
		>"$work/step.out" &
	gen=$!
	step_uss=0
	while kill -0 "$gen" 2>/dev/null; do
		uss_sample
		[ "$uss_now" -gt "$step_uss" ] && step_uss=$uss_now
		pause 0.25
	done
	wait "$gen" || true
	line=$(<"$work/step.out")
}

# One ramp of MODE under the running daemon, appended to ramp.tsv; sets
# best (the highest logged events/s of a step without loss), best_cpu,
# best_threads (daemon CPU per event by thread at that step), why, and
# ramp_uss_ok / ramp_uss_all (peak private memory over the steps without
# loss / over every step).
ramp() {	# ramp MODE REP
	local mode=$1 rep=$2 rate l0 x0 t0 events ops wall cpu kv n name k
	local -A T0 L0
	local short=0
	best=0 best_cpu="" best_threads="" why="" ramp_uss_ok=0 ramp_uss_all=0
	vigil_snap
	for rate in "${ramp_rates[@]}"; do
		l0=$snap_logged x0=$snap_lost t0=$snap_ticks
		L0=()
		for k in "${!ST[@]}"; do
			[[ $k == lost_* ]] && L0[$k]=${ST[$k]}
		done
		thread_ticks
		T0=()
		for name in "${!TT[@]}"; do T0[$name]=${TT[$name]}; done
		ramp_step "$mode" "$rate"
		ops=0 wall=1
		for kv in $line; do
			case $kv in
			ops_per_s=*) ops=${kv#*=} ;;
			wall_s=*) wall=${kv#*=} ;;
			esac
		done
		vigil_snap
		thread_ticks
		n=$((snap_logged - l0))
		events=$(awk -v n=$n -v s="$wall" 'BEGIN { printf "%.0f", n / s }')
		cpu=$(awk -v t=$((snap_ticks - t0)) -v n=$n -v hz="$clk_tck" \
			'BEGIN { if (n > 0) printf "%.2f", t / hz * 1e6 / n }')
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$rep" \
			"$rate" "$ops" "$events" "$((snap_lost - x0))" "$cpu" \
			"$step_uss" >>"$work/ramp.tsv"
		say "ramp $mode #$rep target=$rate ops/s: $ops ops/s," \
			"$events logged/s, lost $((snap_lost - x0))," \
			"$cpu us/event, private memory $((step_uss >> 20)) MiB"
		[ "$step_uss" -gt "$ramp_uss_all" ] && ramp_uss_all=$step_uss
		if [ $((snap_lost - x0)) -gt 0 ]; then
			why="loss from $events events/s ("
			for k in "${!ST[@]}"; do
				[[ $k == lost_* ]] || continue
				n=$((ST[$k] - ${L0[$k]:-0}))
				[ "$n" -gt 0 ] && why+="${k#lost_} $n, "
			done
			why="${why%, })"
			break
		fi
		[ "$step_uss" -gt "$ramp_uss_ok" ] && ramp_uss_ok=$step_uss
		# The figure is the highest step passed, not the largest count:
		# a burst from elsewhere on the host can swell any one step.
		if [ "$events" -gt "$best" ]; then
			best=$events best_cpu=$cpu best_threads=""
			for name in "${!TT[@]}"; do
				[ -n "$n" ] && [ "$n" -gt 0 ] || continue
				best_threads+="$name=$(awk -v t=$((TT[$name] - ${T0[$name]:-0})) \
					-v n=$n -v hz="$clk_tck" \
					'BEGIN { printf "%.2f", t / hz * 1e6 / n }') "
			done
		fi
		# A step the generator fell short of may be a neighbour's
		# burst: give up after two in a row.
		if [ "$rate" != 0 ] && awk -v a="$ops" -v r="$rate" \
			'BEGIN { exit !(a < 0.9 * r) }'; then
			short=$((short + 1))
			if [ "$short" -ge 2 ]; then
				why="generator ceiling: no loss at the highest rate two workers could produce"
				break
			fi
		else
			short=0
		fi
	done
	[ -n "$why" ] || why="no loss at any tested rate"
}

# Every mode's ramp, BENCH_RAMP_REPS times, modes alternating, each ramp
# under a fresh daemon (an empty store).  Facts per mode: the median of
# the ramps' best rates and their range, the CPU per event at the median
# ramp's best step, the peak private memory.
ramps() {
	local rep mode i
	local -A runs
	for ((rep = 1; rep <= ramp_reps; rep++)); do
		for mode in "${ramp_modes[@]}"; do
			audit_quiet
			if ! vigil_start; then
				say "vigil did not start for the $mode ramp"
				continue
			fi
			say "vigil alone: $mode ramp $rep/$ramp_reps" \
				"(${ramp_seconds}s steps)"
			pause 1
			ramp "$mode" "$rep"
			runs[$mode]+="$best	$best_cpu	$why	$ramp_uss_ok	$ramp_uss_all	$best_threads
"
			# the memory breakdown once, after the first ramp
			if [ "$rep" = 1 ] && [ "$mode" = "${ramp_modes[0]}" ]; then
				memory
			fi
			vigil_stop
		done
	done
	for mode in "${ramp_modes[@]}"; do
		[ -n "${runs[$mode]:-}" ] || continue
		# shellcheck disable=SC2016 # awk's own $ fields
		printf '%s' "${runs[$mode]}" | sort -t'	' -k1,1n | awk -F'\t' \
			-v mode="$mode" '
			{ n++; b[n] = $1; c[n] = $2; w[n] = $3; th[n] = $6
			  if ($4 > uok) uok = $4; if ($5 > uall) uall = $5 }
			END {
				m = int((n + 1) / 2)
				print "peak_" mode "_events_per_s\t" b[m]
				print "peak_" mode "_min\t" b[1]
				print "peak_" mode "_max\t" b[n]
				print "peak_" mode "_cpu_us\t" c[m]
				print "peak_" mode "_limit\t" w[m]
				print "peak_" mode "_threads\t" th[m]
				print "peak_" mode "_ramps\t" n
				print "peak_" mode "_uss_ok\t" uok + 0
				print "peak_" mode "_uss_all\t" uall + 0
			}' >"$work/ramp-$mode.facts"
		while IFS='	' read -r i k; do fact "$i" "$k"; done \
			<"$work/ramp-$mode.facts"
	done
	fact ramp_modes "${ramp_modes[*]}"
}

# BPF memory the daemon holds: the memlock of every map and program it has
# a descriptor for, each counted once.  /proc/PID/fdinfo carries the same
# memlock figure as `bpftool map show`, whose pids field stays empty where
# bpftool was built without pid iterators (Debian's is).
bpf_memory() {	# sets maps_bytes, ringbuf_bytes, progs_bytes
	local f k v kind memlock id
	local -A seen=()
	maps_bytes=0 ringbuf_bytes=0 progs_bytes=0
	for f in /proc/"$vigil_pid"/fdinfo/*; do
		kind="" memlock=0 id=""
		while read -r k v; do
			case $k in
			map_type:) kind=map$v ;;
			prog_type:) kind=prog ;;
			memlock:) memlock=$v ;;
			map_id: | prog_id:) id=$k$v ;;
			esac
		done 2>/dev/null <"$f" || continue
		if [ -z "$id" ] || [ -n "${seen[$id]:-}" ]; then
			continue
		fi
		seen[$id]=1
		case $kind in
		prog) progs_bytes=$((progs_bytes + memlock)) ;;
		map*) maps_bytes=$((maps_bytes + memlock)) ;;
		esac
		# BPF_MAP_TYPE_RINGBUF is 27.
		if [ "$kind" = map27 ]; then
			ringbuf_bytes=$((ringbuf_bytes + memlock))
		fi
	done
}

memory() {
	local k v rss=0 hwm=0
	while read -r k v _; do
		case $k in
		VmRSS:) rss=$((v * 1024)) ;;
		VmHWM:) hwm=$((v * 1024)) ;;
		esac
	done <"/proc/$vigil_pid/status"
	# Unique set size: pages no other process shares (heap, stacks, the
	# libraries' private pages).  The ring buffer is mapped twice by the
	# daemon and would count double in VmRSS; it is in the BPF maps.
	fact uss_bytes "$(awk '/^Private_(Clean|Dirty):/ { kb += $2 }
		END { print kb * 1024 }' "/proc/$vigil_pid/smaps_rollup")"
	fact rss_bytes "$rss"
	fact hwm_bytes "$hwm"
	bpf_memory
	fact maps_bytes "$maps_bytes"
	fact ringbuf_bytes "$ringbuf_bytes"
	fact progs_bytes "$progs_bytes"
	status_read
	fact status_map_bytes "${ST[bpf_map_bytes]:-}"
}

vigil_alone() {
	ramps
}

# --- ImageLoad (event 7): the exec loop with it off and on ---------------------

# Each round runs the exec loop with no monitoring, under vigil with the
# collect-all config less ImageLoad, and under vigil with collect-all
# (every library every exec maps is an event 7), in rotating order.
# Facts: the exec loop's wall ratio to no monitoring with ImageLoad off
# and on (median of the rounds), and the daemon CPU per ImageLoad event:
# the daemon CPU the "on" run spent beyond the "off" run of its round,
# divided by the events it logged beyond it.
imageload_rows() {
	local rep mode i line kv wall ticks0 logged0
	local -a modes=(none off on)
	local -A W T L
	[ "$imageload_reps" -gt 0 ] || return 0
	grep -v '<ImageLoad ' "$collect_all" >"$work/no-imageload.xml"
	for ((rep = 1; rep <= imageload_reps; rep++)); do
		for ((i = 0; i < 3; i++)); do
			mode=${modes[$(((i + rep) % 3))]}
			say "ImageLoad round $rep/$imageload_reps: $mode"
			audit_quiet
			if [ "$mode" != none ]; then
				config=$work/no-imageload.xml
				[ "$mode" = on ] && config=$collect_all
				if ! vigil_start; then
					config=$collect_all
					fact imageload_why "vigil did not start"
					return 0
				fi
				pause 1
				vigil_snap
				logged0=$snap_logged ticks0=$snap_ticks
			fi
			sync
			line=$("$bin/exec_loop" "$exec_n" /bin/true)
			wall=""
			for kv in $line; do
				case $kv in wall_s=*) wall=${kv#*=} ;; esac
			done
			W[$mode,$rep]=$wall
			if [ "$mode" != none ]; then
				vigil_snap
				L[$mode,$rep]=$((snap_logged - logged0))
				T[$mode,$rep]=$((snap_ticks - ticks0))
				vigil_stop
			fi
		done
	done
	config=$collect_all
	for ((rep = 1; rep <= imageload_reps; rep++)); do
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${W[none,$rep]}" \
			"${W[off,$rep]}" "${W[on,$rep]}" "${L[off,$rep]}" \
			"${L[on,$rep]}" "${T[off,$rep]}" "${T[on,$rep]}"
	done >"$work/imageload.tsv"
	# shellcheck disable=SC2016 # awk's own $ fields
	read -r r_off r_on cpu_us n7 < <(awk -F'\t' -v hz="$clk_tck" '
		function med(a, n,    i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 > 0 { n++; off[n] = $2 / $1; on[n] = $3 / $1
			ev[n] = $5 - $4
			cpu[n] = ev[n] > 0 ? ($7 - $6) / hz * 1e6 / ev[n] : 0 }
		END { if (n) printf "%.3f %.3f %.1f %.0f\n", med(off, n),
			med(on, n), med(cpu, n), med(ev, n) }' "$work/imageload.tsv")
	fact imageload_off_ratio "${r_off:-}"
	fact imageload_on_ratio "${r_on:-}"
	fact imageload_cpu_us "${cpu_us:-}"
	fact imageload_events "${n7:-}"
	fact imageload_reps "$imageload_reps"
	say "ImageLoad: exec loop x$r_off off, x$r_on on; $cpu_us us of" \
		"daemon CPU per ImageLoad event ($n7 per run)"
}

# --- other modules' benchmarks -------------------------------------------------

module_benches() {
	local b out kv
	for b in rules_bench store_bench web_bench; do
		[ -x "$bin/$b" ] || continue
		say "running $b"
		if ! out=$(timeout 300 "$bin/$b" 2>>"$work/$b.err"); then
			fact "${b}_error" "exited with an error"
		fi
		for kv in $out; do
			case $kv in
			rules_eval_ns_per_event=* | store_*=* | \
				baseline_append_*=* | insert_*=* | web_*=*)
				fact "${kv%%=*}" "${kv#*=}"
				;;
			esac
		done
	done
}

# --- forwarding -----------------------------------------------------------------

forwarding() {
	local out kv
	if [ "${BENCH_FORWARD:-1}" = 0 ]; then
		fact forward_why "left out (BENCH_FORWARD=0)"
		return
	fi
	if ! command -v rsyslogd >/dev/null ||
		! command -v clickhouse-server >/dev/null; then
		fact forward_why "not installed"
		return
	fi
	say "running forward_bench.sh"
	if ! out=$(BENCH_BIN=$bin timeout 900 "$here/forward_bench.sh" \
		2>>"$work/forward_bench.err"); then
		fact forward_why "exited with an error"
	fi
	for kv in $out; do
		case $kv in
		forward_*=*) fact "${kv%%=*}" "${kv#*=}" ;;
		esac
	done
}

# --- report ------------------------------------------------------------------

write_report() {
	local k started=$1 finished=$2 cpu_model
	cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	: >"$work/facts.tsv"
	for k in "${!FACT[@]}"; do
		printf '%s\t%s\n' "$k" "${FACT[$k]}" >>"$work/facts.tsv"
	done
	vigil_cmd
	{
		echo "# vigil benchmarks"
		echo
		echo "Generated by \`make bench\` (bench/run.sh); method and the"
		echo "meaning of each figure: bench/README.md.  Ratios are to no"
		echo "monitoring, measured in the same run: median of ${FACT[reps]}"
		echo "alternating rounds, (min-max) of the per-round ratios."
		echo
		echo "- Date: $started to $finished (UTC)"
		echo "- Kernel: $(uname -srm)"
		echo "- CPUs: $(nproc) x ${cpu_model:-unknown}"
		echo "- Load average (1, 5, 15 min): $load0 at the start," \
			"$(cut -d" " -f1-3 /proc/loadavg) at the end"
		echo "- vigil: ${FACT[vigil_version]:-unknown version}," \
			"tree at commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
		echo
		awk -F'\t' -f "$here/report.awk" "$work/facts.tsv" \
			"$work/results.tsv" "$work/ramp.tsv"
		echo
		echo "## Commands"
		echo
		echo '```'
		echo "make bench    # as root: VIGIL=$VIGIL bench/run.sh"
		echo "# workloads, each round, in every column:"
		echo "$bin/exec_loop $exec_n /bin/true"
		echo "$bin/connect_loop $connect_n"
		echo "$bin/udp_loop $udp_n"
		echo "$bin/file_churn $file_n <work>/churn"
		echo "# file_inc: the same churn, vigil given bench/files-include.xml (SIGHUP)"
		echo "$bin/syscall_tax $tax_n $tax_rounds"
		echo "# vigil column:"
		k="${vigil_argv[*]}"
		echo "${k//$work/<work>}"
		echo "# ImageLoad rows: the exec loop under no monitoring, under"
		echo "# vigil with collect-all less <ImageLoad>, and with collect-all"
		echo "# vigil alone, rate ramps (target ops/s: ${ramp_rates[*]}):"
		for k in "${ramp_modes[@]}"; do
			echo "$bin/event_rate $k <ops/s> $ramp_seconds 2 $ramp_dir"
		done
		echo "# auditd column (Debian's auditd.conf, log file in <work>):"
		echo "auditd -n -c <work>/audit"
		echo "auditctl -b 8192 --backlog_wait_time 60000 -f 1"
		for k in "${auditd_rules[@]}"; do echo "auditctl $k"; done
		for k in rules_bench store_bench web_bench; do
			if [ -x "$bin/$k" ]; then echo "$bin/$k"; fi
		done
		echo "bench/forward_bench.sh   # forwarding, its own receivers"
		echo "# columns without auditd, once audit has been enabled:"
		echo "auditctl -D; auditctl -a never,task"
		echo '```'
	} >"$work/report.md"
	# Commands name the tree relative to its top: the report is committed.
	sed "s#$top/##g" "$work/report.md" >"$report"
	cat "$report"
}

main() {
	local started finished l1 l5 l15 k
	if [ "$(id -u)" != 0 ]; then
		say "needs root (BPF, auditd)"
		exit 1
	fi
	for p in exec_loop connect_loop udp_loop file_churn syscall_tax \
		event_rate; do
		if [ ! -x "$bin/$p" ]; then
			say "missing $bin/$p: run 'make bench'"
			exit 1
		fi
	done
	work=$(mktemp -d /tmp/vigil-bench.XXXXXX)
	vigil_dir=$work/vigil vigil_run=$work/vigil/run
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	mkfifo "$work/sleep"
	exec {sleep_fd}<>"$work/sleep"
	: >"$work/results.tsv"
	: >"$work/ramp.tsv"
	: >"$work/vigil.log"
	started=$(date -u '+%Y-%m-%d %H:%M:%S')
	read -r l1 l5 l15 _ </proc/loadavg
	load0="$l1 $l5 $l15"
	fact reps "$reps"
	fact ramp_seconds "$ramp_seconds"
	fact clk_tck "$clk_tck"
	fact file_n "$file_n"

	audit_probe
	[ "$audit_ok" = 1 ] || fact auditd_why "$audit_why"
	audit_quiet

	vigil_ok=0
	if [ ! -x "$VIGIL" ]; then
		fact vigil_why "no vigil binary at $VIGIL"
	elif vigil_start; then
		vigil_ok=1
		vigil_stop
	else
		local why
		why=$(grep -v '^$' "$work/vigil.log" | tail -n 1 | cut -c1-160)
		fact vigil_why "vigil run did not start (${why:-no message})"
	fi
	say "columns: none$([ "$vigil_ok" = 1 ] && echo ', vigil')$([ "$audit_ok" = 1 ] && echo ', auditd')"

	if [ "${BENCH_ONLY:-}" = ramp ]; then
		[ "$vigil_ok" = 1 ] && vigil_alone
		audit_restore
		for k in "${!FACT[@]}"; do echo "$k=${FACT[$k]}"; done
		cat "$work/ramp.tsv"
		return 0
	fi
	if [ "${BENCH_ONLY:-}" = imageload ]; then
		[ "$vigil_ok" = 1 ] && imageload_rows
		audit_restore
		for k in "${!FACT[@]}"; do echo "$k=${FACT[$k]}"; done
		return 0
	fi
	run_rounds
	[ "$vigil_ok" = 1 ] && vigil_alone
	[ "$vigil_ok" = 1 ] && imageload_rows
	module_benches
	forwarding
	audit_restore
	finished=$(date -u '+%Y-%m-%d %H:%M:%S')
	write_report "$started" "$finished"
}

main "$@"
