# bench/report.awk - turn bench/run.sh's raw figures into the Markdown
# tables of BENCHMARKS.md.  Tab-separated input files, told apart by name:
#   facts.tsv    KEY VALUE                      single figures and reasons
#   results.tsv  MODE ROUND WORKLOAD KEY VALUE  one row per reported number
#   ramp.tsv     MODE RAMP TARGET OPS/S LOGGED/S LOST US/EVENT PRIVATE_BYTES
#                one row per step
# Ratios pair each round of a monitor with the no-monitoring run of the
# same round; a cell gives their median and (min-max).

FILENAME ~ /facts\.tsv$/ { F[$1] = $2; next }
FILENAME ~ /results\.tsv$/ { V[$1, $2, $3, $4] = $5; next }
FILENAME ~ /ramp\.tsv$/ { nramp++; R[nramp] = $0; next }

function sort_n(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
}

# What a ramp mode makes, for the row names.
function ramp_what(m) {
	if (m == "udp")
		return "UDP datagrams, each a new flow out and in (event 3)"
	if (m == "file")
		return "file create+write+delete (events 11, 23/26)"
	if (m == "fork")
		return "fork+exit (event 5)"
	return m
}

# "vigil=1.2 vigil-writer=2.3 " -> "pipeline 1.2 us, writer 2.3 us"
function threads_text(s,    n, a, i, kv, name, out) {
	n = split(s, a, " ")
	out = ""
	for (i = 1; i <= n; i++) {
		split(a[i], kv, "=")
		if (kv[2] + 0 < 0.005)
			continue
		name = kv[1]
		sub(/^vigil-/, "", name)
		if (name == "vigil")
			name = "pipeline"
		out = out (out == "" ? "" : ", ") name " " kv[2] " us"
	}
	return out == "" ? "not measured" : out
}

function max_uss_all(    i, m, v) {
	v = 0
	for (i = 1; i <= nmodes; i++) {
		m = modes[i]
		if (F["peak_" m "_uss_all"] > v)
			v = F["peak_" m "_uss_all"]
	}
	return v
}

function median(a, n) {
	sort_n(a, n)
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# Values of KEY for MODE and WORKLOAD over the rounds; sets med, mn, mx.
function stats(mode, wl, key,    rep, n, a) {
	n = 0
	for (rep = 1; rep <= F["reps"]; rep++)
		if ((mode, rep, wl, key) in V)
			a[++n] = V[mode, rep, wl, key] + 0
	if (n == 0)
		return 0
	med = median(a, n); mn = a[1]; mx = a[n]
	return n
}

# Per-round ratios MODE / none; sets med, mn, mx.
function ratios(mode, wl, key,    rep, n, a, b) {
	n = 0
	for (rep = 1; rep <= F["reps"]; rep++) {
		if (!((mode, rep, wl, key) in V) || !(("none", rep, wl, key) in V))
			continue
		b = V["none", rep, wl, key] + 0
		if (b > 0)
			a[++n] = V[mode, rep, wl, key] / b
	}
	if (n == 0)
		return 0
	med = median(a, n); mn = a[1]; mx = a[n]
	return n
}

# Sum of KEY for MODE over the rounds and the given workloads.
function total(mode, wls, key,    w, nw, rep, s, i) {
	nw = split(wls, w, " ")
	s = 0
	for (rep = 1; rep <= F["reps"]; rep++)
		for (i = 1; i <= nw; i++)
			if ((mode, rep, w[i], key) in V)
				s += V[mode, rep, w[i], key]
	return s
}

function ratio_cell(mode, wl, key) {
	if (!ratios(mode, wl, key))
		return absent(mode)
	return sprintf("x%.2f (%.2f-%.2f)", med, mn, mx)
}

function absent(mode) {
	return mode == "vigil" ? "not measured [1]" : "not measured [2]"
}

# "yes"/"no" for a ratio figure against a limit (limit 0: within noise).
function verdict(wl, key, limit) {
	if (!ratios("vigil", wl, key) || limit < 0)
		return "-"
	# Within noise: the rounds straddle x1.00, or the median is at most
	# 2% above it (faster than no monitoring is noise too).
	if (limit == 0)
		return mn <= 1 || med <= 1.02 ? "yes" : "no"
	return med <= limit ? "yes" : "no"
}

# Whether vigil logged at least one event per operation of WORKLOAD: an
# armed family whose sensor is not built yet logs nothing.
function covered(wl,    n) {
	if (!stats("vigil", wl, "n"))
		return 0
	n = med
	return stats("vigil", wl, "logged") && med >= n
}

function grouped(n,    s, neg) {
	n = sprintf("%.0f", n)
	neg = n ~ /^-/
	if (neg)
		n = substr(n, 2)
	s = ""
	while (length(n) > 3) {
		s = "," substr(n, length(n) - 2) s
		n = substr(n, 1, length(n) - 3)
	}
	return (neg ? "-" : "") n s
}

function mib(b) {
	return sprintf("%.1f MiB", b / 1048576)
}

# Daemon CPU microseconds per logged event over the workload rounds (of
# the given workloads; all of them when wls is empty).
function cpu_per_event(mode, wls,    t, n) {
	if (wls == "")
		wls = "exec connect udp file syscall"
	t = total(mode, wls, "daemon_ticks")
	n = total(mode, wls, "logged")
	if (n <= 0)
		return ""
	return sprintf("%.1f us", t / F["clk_tck"] * 1e6 / n)
}

function row(label, base, v, a, target, ok) {
	printf "| %s | %s | %s | %s | %s | %s |\n", label, base, v, a, target, ok
}

function workload_row(label, wl, key, unit, fmt, target, limit,    b, v) {
	b = stats("none", wl, key) ? sprintf(fmt " %s", med, unit) : "-"
	v = ratio_cell("vigil", wl, key)
	if (wl == "connect" && ratios("vigil", wl, key) && !covered("connect"))
		v = v " [3]"
	if (wl == "file" && ratios("vigil", wl, key) && !covered("file"))
		v = v " [4]"
	row(label, b, v, ratio_cell("auditd", wl, key), target,
	    verdict(wl, key, limit))
}

function vigil_cell(s) {
	return vigil_ran ? s : absent("vigil")
}

END {
	vigil_ran = ratios("vigil", "exec", "wall_s") > 0
	auditd_ran = ratios("auditd", "exec", "wall_s") > 0
	if (F["clk_tck"] == "")
		F["clk_tck"] = 100

	print "## Results"
	print ""
	row("Figure", "no monitoring", "vigil", "auditd", "target", "vigil meets it")
	print "|---|---:|---:|---:|---|---|"
	workload_row("exec loop: 5,000 x /bin/true, wall time", "exec",
		"wall_s", "s", "%.2f", "<= x1.03", 1.03)
	workload_row("exec loop, workload CPU time", "exec",
		"cpu_s", "s", "%.2f", "<= x1.03", 1.03)
	workload_row("connect loop: 20,000 loopback TCP connects, wall time",
		"connect", "wall_s", "s", "%.2f", "<= x1.15", 1.15)
	workload_row("connect loop, workload CPU time",
		"connect", "cpu_s", "s", "%.2f", "<= x1.15", 1.15)
	workload_row("UDP loop: 200,000 loopback datagrams sent and received, wall time",
		"udp", "wall_s", "s", "%.2f", "-", -1)
	workload_row("UDP loop, workload CPU time",
		"udp", "cpu_s", "s", "%.2f", "-", -1)
	workload_row("file churn: 20,000 create+write+delete, wall time",
		"file", "wall_s", "s", "%.2f", "<= x1.15", 1.15)
	workload_row("file churn, workload CPU time",
		"file", "cpu_s", "s", "%.2f", "<= x1.15", 1.15)
	workload_row("file churn, typical include-list config (kernel prefilter), wall time",
		"file_inc", "wall_s", "s", "%.2f", "<= x1.15", 1.15)
	workload_row("file churn, include-list config, workload CPU time",
		"file_inc", "cpu_s", "s", "%.2f", "<= x1.15", 1.15)
	workload_row("un-needed syscall: getppid()", "syscall", "getppid_ns",
		"ns", "%.0f", "within noise of x1.00", 0)
	workload_row("un-needed syscall: read() 1 byte of /dev/zero",
		"syscall", "read_ns", "ns", "%.0f", "within noise of x1.00", 0)

	v = cpu_per_event("vigil", "")
	a = cpu_per_event("auditd", "")
	ok = "-"
	if (v != "")
		ok = (v + 0) <= 10 ? "yes" : "no"
	row("daemon CPU per logged event", "-",
	    vigil_ran ? (v != "" ? v : "no events logged") : absent("vigil"),
	    auditd_ran ? (a != "" ? a " per syscall record [5]" : "-") : \
	    absent("auditd"), "<= 10 us", ok)

	# The network events alone: the connect loop logs one event per
	# connect and one per accept.
	v = cpu_per_event("vigil", "connect")
	ok = "-"
	if (v != "" && covered("connect"))
		ok = (v + 0) <= 10 ? "yes" : "no"
	row("daemon CPU per network event (connect loop)", "-",
	    vigil_ran ? (v != "" ? v : "no events logged") : absent("vigil"),
	    "-", "<= 10 us", ok)
	v = cpu_per_event("vigil", "file")
	row("daemon CPU per file event (file churn, all logged)", "-",
	    vigil_ran ? (v != "" ? v : "no events logged") : absent("vigil"),
	    "-", "<= 10 us", v == "" ? "-" : ((v + 0) <= 10 ? "yes" : "no"))
	if (stats("vigil", "file_inc", "filtered_delta"))
		row("records kept back in the kernel per include-list " \
		    "churn (the host's other file activity included)",
		    "-", grouped(med) " for " grouped(2 * F["file_n"]) \
		    " churn records", "-",
		    "-", "-")

	nmodes = split(F["ramp_modes"], modes, " ")
	peak_mem = -1
	for (i = 1; i <= nmodes; i++) {
		m = modes[i]
		ok = "-"
		v = absent("vigil")
		if (("peak_" m "_events_per_s") in F) {
			v = grouped(F["peak_" m "_events_per_s"]) " events/s"
			if (F["peak_" m "_ramps"] > 1)
				v = v " (" grouped(F["peak_" m "_min"]) "-" \
				    grouped(F["peak_" m "_max"]) ")"
			v = v " [6]"
			if (F["peak_" m "_limit"] ~ /^generator/)
				v = v " (generator-limited)"
			ok = F["peak_" m "_events_per_s"] >= 100000 ? "yes" : "no"
			if (F["peak_" m "_uss_ok"] > peak_mem)
				peak_mem = F["peak_" m "_uss_ok"]
		}
		row("peak sustained logged events/s, zero loss, store on: " \
		    ramp_what(m), "-", v, "-", ">= 100,000/s", ok)
		v = F["peak_" m "_cpu_us"]
		row("daemon CPU per event at that rate (" m ")", "-",
		    v != "" ? v " us [6]" : "-", "-", "<= 10 us",
		    v != "" ? (v <= 10 ? "yes" : "no") : "-")
	}

	ok = "-"
	v = absent("vigil")
	if (peak_mem >= 0) {
		fp = peak_mem + F["maps_bytes"]
		v = sprintf("%s (private memory %s at its peak + BPF maps %s) " \
			    "[12]", mib(fp), mib(peak_mem), mib(F["maps_bytes"]))
		ok = fp <= 32 * 1048576 ? "yes" : "no"
	}
	row("memory footprint, peak over the ramps' steps without loss",
	    "-", v, "-", "<= 32 MiB", ok)

	v = F["imageload_off_ratio"] != "" ? \
		sprintf("x%.2f off, x%.2f on [10]", F["imageload_off_ratio"],
			F["imageload_on_ratio"]) : "not measured [10]"
	row("exec loop with ImageLoad (event 7) off and on, wall time", "-",
	    v, "-", "-", "-")
	v = F["imageload_cpu_us"] != "" ? \
		sprintf("%.1f us [10]", F["imageload_cpu_us"]) : \
		"not measured [10]"
	row("daemon CPU per ImageLoad event", "-", v, "-", "<= 10 us",
	    F["imageload_cpu_us"] != "" ? \
	    (F["imageload_cpu_us"] <= 10 ? "yes" : "no") : "-")

	v = "rules_eval_ns_per_event" in F ? \
		grouped(F["rules_eval_ns_per_event"]) " ns" : \
		"not measured [7]"
	row("rule evaluation per event, sysmon-modular config", "-", v, "-",
	    "-", "-")
	ok = "-"
	v = "not measured [7]"
	base = "-"
	if ("store_insert_events_per_s" in F) {
		v = grouped(F["store_insert_events_per_s"]) " rows/s"
		if (F["store_rounds"] > 1)
			v = v " (" grouped(F["store_insert_min"]) "-" \
			    grouped(F["store_insert_max"]) ")"
		v = v " [11]"
		base = grouped(F["baseline_append_events_per_s"]) \
		       " records/s appended to a file"
		ok = F["store_insert_events_per_s"] >= 100000 ? "yes" : "no"
	}
	row("store insert rate, with the viewer's indexes", base, v, "-",
	    ">= 100,000/s", ok)
	ok = "-"
	v = "not measured [7]"
	if ("store_insert_vs_append" in F) {
		v = sprintf("x%.2f (%.2f-%.2f) [11]",
			    F["store_insert_vs_append"],
			    F["store_ratio_min"], F["store_ratio_max"])
		ok = F["store_insert_vs_append"] >= 0.5 ? "yes" : "no"
	}
	row("store insert rate / file append rate, same run", "x1", v, "-",
	    ">= x0.50", ok)
	v = "store_query_ms" in F ? F["store_query_ms"] " ms" : \
		"not measured [7]"
	row("store query", "-", v, "-", "-", "-")
	if ("web_page_ms" in F) {
		v = F["web_page_ms"] " ms (deepest " F["web_page_max_ms"] \
		    " ms) [8]"
		base = F["web_page_offset_ms"] " ms (deepest " \
		       F["web_page_offset_max_ms"] " ms)"
		ok = F["web_page_max_ms"] < 1000 ? "yes" : "no"
	} else {
		v = "not measured [8]"
		base = "-"
		ok = "-"
	}
	row("web viewer: one page of 100 of " \
	    grouped(F["web_events"] + 0) " stored events", base, v, "-",
	    "well under 1 s", ok)

	# forwarding (bench/forward_bench.sh): the baseline column is the
	# store read and rendered alone, in the same format
	fw = "forward_tls_events_per_s" in F
	n = fw ? grouped(F["forward_store_events"]) : ""
	base = fw ? grouped(F["forward_render_xml_events_per_s"]) \
		" events/s (read + render XML)" : "-"
	v = fw ? grouped(F["forward_tls_events_per_s"]) " events/s" : \
		"not measured [9]"
	row("forwarding " n " events to rsyslog over TLS", base, v, "-",
	    "-", "-")
	v = fw ? grouped(F["forward_tcp_events_per_s"]) " events/s" : \
		"not measured [9]"
	row("forwarding to rsyslog over plain TCP", base, v, "-", "-", "-")
	base = fw ? grouped(F["forward_render_json_events_per_s"]) \
		" events/s (read + render JSON)" : "-"
	v = fw ? grouped(F["forward_clickhouse_events_per_s"]) " events/s" : \
		"not measured [9]"
	row("forwarding to ClickHouse (HTTP, batches of 5,000)", base, v, "-",
	    "-", "-")
	# the web viewer over that table (`vigil web --fleet`, over HTTP);
	# the baseline is the same page from the local store, same server
	if ("forward_web_fleet_page_ms" in F) {
		v = F["forward_web_fleet_page_ms"] " ms (from the middle " \
		    F["forward_web_fleet_mid_page_ms"] " ms, one host " \
		    F["forward_web_fleet_host_page_ms"] " ms, histogram " \
		    F["forward_web_fleet_histogram_ms"] " ms)"
		base = F["forward_web_local_page_ms"] " ms (local store)"
		ok = F["forward_web_fleet_mid_page_ms"] < 1000 ? "yes" : "no"
	} else {
		v = "not measured [9]"
		base = "-"
		ok = "-"
	}
	row("web viewer, fleet mode: one page of 100 of those events " \
	    "in ClickHouse", base, v, "-", "well under 1 s", ok)
	ok = "-"
	v = "not measured [9]"
	if ("forward_exec_wall_ratio" in F) {
		v = sprintf("x%.3f wall, x%.3f CPU (%s events shipped " \
			    "meanwhile, %s lost by the sensor)",
			    F["forward_exec_wall_ratio"],
			    F["forward_exec_cpu_ratio"],
			    grouped(F["forward_exec_backlog_shipped"]),
			    F["forward_exec_sensor_lost"])
		ok = F["forward_exec_sensor_lost"] == 0 ? "yes" : "no"
	}
	row("exec loop while the forwarder catches up on the backlog",
	    "the same, forwarder idle", v, "-", "no loss", ok)

	print ""
	if (!vigil_ran)
		print "[1] vigil: " (F["vigil_why"] != "" ? F["vigil_why"] : \
			"did not run") "."
	if (!auditd_ran)
		print "[2] auditd: " (F["auditd_why"] != "" ? F["auditd_why"] : \
			"did not run") "."
	if (vigil_ran && !covered("connect"))
		print "[3] vigil logged fewer events than connects and " \
			"accepts (a family not armed, or losses): this is " \
			"the cost of what it did log."
	if (vigil_ran && !covered("file"))
		print "[4] vigil (process events only; file sensors not " \
			"yet built): fewer events logged than files churned, " \
			"so this is the cost of the families that exist."
	if (auditd_ran)
		print "[5] auditd: CPU of auditd and the kauditd kernel " \
			"thread per SYSCALL record carrying the benchmark key " \
			"(a record is one syscall, written as several lines)."
	if (nmodes) {
		printf "[6] vigil alone with the store on, `event_rate MODE` " \
		       "in steps of %s s (two workers), %s ramps per mode, " \
		       "each under a fresh daemon; the figure is the median " \
		       "ramp's highest step without loss (range over the " \
		       "ramps).", F["ramp_seconds"], F["peak_" modes[1] "_ramps"]
		for (i = 1; i <= nmodes; i++) {
			m = modes[i]
			if (!(("peak_" m "_events_per_s") in F))
				continue
			printf "  %s: stopped by %s; daemon CPU per event at " \
			       "that step by thread: %s.", m,
			       F["peak_" m "_limit"],
			       threads_text(F["peak_" m "_threads"])
		}
		print ""
	}
	if (peak_mem >= 0)
		printf "[12] Private memory (smaps_rollup Private_*) of the " \
		       "daemon sampled every 0.25 s through every ramp step " \
		       "(the ring buffer's pages are shared, counted in the " \
		       "BPF maps); over all steps, overloaded ones included, " \
		       "its peak was %s.  At rest after the first ramp: VmRSS " \
		       "%s, private memory %s.\n", mib(max_uss_all()),
		       mib(F["rss_bytes"]), mib(F["uss_bytes"])
	if ("store_insert_events_per_s" in F)
		printf "[11] bench/store_bench: %s realistic events (60%% " \
		       "ProcessCreate, 20%% NetworkConnect, 15%% " \
		       "ProcessTerminate, 5%% FileCreate) per round, %s rounds " \
		       "alternating which goes first: inserted through the " \
		       "store sink (encode, indexes ProcessGuid, " \
		       "ParentProcessGuid, Image; commit per %s), against " \
		       "the same events rendered as JSON lines and appended " \
		       "to a file with one write per batch.  Median of the " \
		       "rounds (min-max).  Where the insert time goes: " \
		       "%.2f us of CPU per row (rows staged and inserted %s s, " \
		       "commits and checkpoints %s s, last round).\n",
		       grouped(F["store_events"]), F["store_rounds"],
		       F["store_batch"], F["insert_cpu_us_per_event"],
		       F["insert_write_s"], F["insert_flush_s"]
	if (!("rules_eval_ns_per_event" in F) || \
	    !("store_insert_events_per_s" in F))
		print "[7] bench/rules_bench or bench/store_bench was not " \
			"built, or printed no figure."
	if (!fw)
		print "[9] bench/forward_bench.sh did not run " \
			"(needs rsyslog-openssl and clickhouse-server; " \
			F["forward_why"] ")."
	if ("web_page_ms" in F)
		print "[8] bench/web_bench: /api/events?limit=100&before=ID " \
			"through web_api() at 20 depths (median; the deepest " \
			"is the last page), rendering included; the no " \
			"monitoring column is the same page by LIMIT/OFFSET in " \
			"plain SQL without rendering.  Walking 200 pages: " \
			F["web_walk_ms_per_page"] " ms per page; Image= page " \
			F["web_image_page_ms"] " ms; DestinationPort= page " \
			F["web_field_page_ms"] " ms; free text (100,000 ids " \
			"per request) " F["web_text_window_ms"] " ms; " \
			"histogram " F["web_histogram_ms"] " ms; process page " \
			F["web_process_ms"] " ms; its timeline " \
			F["web_timeline_ms"] " ms."
	else
		print "[8] bench/web_bench was not built, or printed no figure."
	if (F["imageload_off_ratio"] != "")
		print "[10] Median of " F["imageload_reps"] " rounds of the " \
			"exec loop alone: no monitoring, vigil with the " \
			"collect-all config less ImageLoad (off), and with " \
			"collect-all (on: " grouped(F["imageload_events"]) \
			" more events per run, every library each exec maps).  " \
			"CPU per event: the daemon CPU the on run spent beyond " \
			"the off run of its round, per extra event."
	else
		print "[10] " (F["imageload_why"] != "" ? F["imageload_why"] : \
			"the ImageLoad rows did not run") "."
	if (vigil_ran)
		print "\nvigil armed event ids: " F["vigil_armed"] "."

	print ""
	print "## Details"
	print ""
	print "Medians over the rounds.  CPU is the workload's own " \
		"(getrusage of itself and its children); the daemon's CPU " \
		"is counted apart."
	print ""
	print "| column | workload | wall | workload CPU | CPU ratio | " \
		"events logged per run | lost | daemon CPU per run |"
	print "|---|---|---:|---:|---:|---:|---:|---:|"
	split("none vigil auditd", modes, " ")
	split("exec connect udp file file_inc", wls, " ")
	for (m = 1; m <= 3; m++) {
		for (w = 1; w <= 5; w++) {
			mode = modes[m]; wl = wls[w]
			if (!stats(mode, wl, "wall_s"))
				continue
			wall = sprintf("%.3f s", med)
			stats(mode, wl, "cpu_s")
			cpu = sprintf("%.3f s", med)
			cr = mode == "none" ? "-" : \
				(ratios(mode, wl, "cpu_s") ? \
				 sprintf("x%.2f (%.2f-%.2f)", med, mn, mx) : "-")
			lg = stats(mode, wl, "logged") ? grouped(med) : "-"
			lost = mode == "none" ? "-" : \
				grouped(total(mode, wl, "lost"))
			dc = stats(mode, wl, "daemon_ticks") ? \
				sprintf("%.2f s", med / F["clk_tck"]) : "-"
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
			       mode, wl, wall, cpu, cr, lg, lost, dc
		}
	}
	for (m = 1; m <= 3; m++) {
		mode = modes[m]
		if (!stats(mode, "syscall", "getppid_ns"))
			continue
		g = med
		stats(mode, "syscall", "read_ns")
		printf "| %s | syscalls | getppid %.0f ns | read %.0f ns | " \
		       "| | | |\n", mode, g, med
	}

	if (nramp) {
		print ""
		print "Rate ramps, vigil alone (`event_rate MODE`, two workers):"
		print ""
		print "| mode | ramp | target ops/s | achieved ops/s | " \
			"logged events/s | lost | daemon CPU per event | " \
			"private memory, peak |"
		print "|---|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= nramp; i++) {
			split(R[i], r, "\t")
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
			       r[1], r[2], r[3] == 0 ? "unpaced" : grouped(r[3]),
			       grouped(r[4]), grouped(r[5]), grouped(r[6]),
			       r[7] == "" ? "-" : r[7] " us", mib(r[8])
		}
	}
	if ("rss_bytes" in F) {
		print ""
		printf "Memory after the first ramp: VmRSS %s, VmHWM (peak) %s; " \
		       "BPF maps %s, of which ring buffers %s; BPF programs " \
		       "%s (not in the footprint).\n", mib(F["rss_bytes"]),
		       mib(F["hwm_bytes"]), mib(F["maps_bytes"]),
		       mib(F["ringbuf_bytes"]), mib(F["progs_bytes"])
	}
}
