/* SPDX-License-Identifier: MIT */
/*
 * service/unit.c - the systemd unit `vigil -i` writes.  Pure: paths in,
 * text out.
 *
 * Hardening is as tight as an eBPF monitor allows, and no tighter: the
 * daemon must see the host as it is, so the options that would give it a
 * private view of the files it reports on are left out on purpose:
 *   PrivateTmp      images in /tmp and /var/tmp are hashed by path;
 *                   a private /tmp would hash the wrong (or no) file.
 *   PrivateDevices  tty names of processes are resolved under /dev.
 *   ProtectKernelModules  hides /usr/lib/modules, which DriverLoad
 *                   (event 6) hashes.
 *   ProtectKernelTunables hides /proc/kallsyms, which libbpf reads to
 *                   resolve kernel symbols.
 *   ProtectProc / ProcSubset  the daemon reads every process's /proc.
 * ProtectHome=read-only (not yes): programs in home folders get hashed.
 * RestrictNamespaces=mnt (not yes): where tracefs is not mounted, a
 *                 short-lived child mounts it in a mount namespace of its
 *                 own to read tracepoint ids (sensor/tracefs.c).
 * The capability bounding set is what loading and attaching need, and no
 * more (tests/integration/41-unit-sandbox.sh runs the daemon inside it):
 *   CAP_BPF CAP_PERFMON  load programs, create maps, attach tracepoints
 *                   (CAP_SYS_ADMIN stands for both before Linux 5.8);
 *   CAP_SYS_ADMIN   mount tracefs and cgroup2 (fsopen) for the ids and
 *                   the cgroup socket programs;
 *   CAP_DAC_READ_SEARCH CAP_SYS_PTRACE  hash any image, read any /proc;
 *   CAP_SETUID CAP_SETGID  the web viewer and the forwarder become
 *                   web_user and forward_user;
 *   CAP_CHOWN       the store and the forwarder's folders get group adm
 *                   and forward_user as owner.
 * Not CAP_SYS_RESOURCE: LimitMEMLOCK=infinity already lifts the limit
 * BPF maps were charged to before 5.11.  privs_drop() narrows the set to
 * four once the programs are attached.
 * SystemCallFilter is @system-service plus what the sensor uses: bpf,
 * perf_event_open and @mount (the two mounts above); the same test
 * traces every system call of every vigil process against it.  A call
 * outside it fails with EPERM rather than killing the monitor.
 * RestrictAddressFamilies: AF_INET/AF_INET6 (forwarding, the web viewer,
 * DNS), AF_UNIX (syslog, name services), AF_NETLINK (getaddrinfo's
 * AI_ADDRCONFIG check).
 */
#include <errno.h>

#include "service.h"
#include "util/buf.h"

int svc_unit_text(const struct svc_paths *p, struct buf *out)
{
	int err = 0;

	err |= buf_adds(out,
			"# vigil.service - written by `vigil -i`, removed by "
			"`vigil -u`.\n"
			"# Changes: `systemctl edit vigil` (a drop-in "
			"survives reinstalls).\n"
			"[Unit]\n"
			"Description=vigil system activity monitor "
			"(Sysmon-compatible)\n"
			"Documentation=man:vigil(8) man:vigil.conf(5)\n"
			"After=local-fs.target\n"
			"\n"
			"[Service]\n"
			"Type=simple\n");
	err |= buf_addf(out, "ExecStart=%s run --settings %s %s\n", p->bin,
			p->settings, p->config);
	err |= buf_adds(out,
			"ExecReload=/bin/kill -HUP $MAINPID\n"
			"Restart=on-failure\n"
			"RestartSec=5s\n"
			"TimeoutStopSec=15s\n"
			"# BPF maps are charged to memlock on kernels before "
			"5.11.\n"
			"LimitMEMLOCK=infinity\n"
			"UMask=0027\n");
	/* The run folder is tmpfs on a real system: systemd creates it. */
	if (!p->root[0])
		err |= buf_adds(out, "RuntimeDirectory=vigil\n"
				     "RuntimeDirectoryMode=0755\n");
	/* why each capability and option: the comment at the top */
	err |= buf_adds(out, "\n"
			     "CapabilityBoundingSet=CAP_BPF CAP_PERFMON "
			     "CAP_SYS_ADMIN CAP_DAC_READ_SEARCH CAP_SYS_PTRACE "
			     "CAP_SETUID CAP_SETGID CAP_CHOWN\n"
			     "AmbientCapabilities=\n"
			     "NoNewPrivileges=yes\n"
			     "ProtectSystem=strict\n");
	err |= buf_addf(out, "ReadWritePaths=%s %s\n", p->state_dir,
			p->run_dir);
	err |= buf_adds(out, "ProtectHome=read-only\n"
			     "ProtectControlGroups=yes\n"
			     "ProtectKernelLogs=yes\n"
			     "ProtectClock=yes\n"
			     "ProtectHostname=yes\n"
			     "RestrictNamespaces=mnt\n"
			     "PrivateIPC=yes\n"
			     "DevicePolicy=closed\n"
			     "RestrictRealtime=yes\n"
			     "RestrictSUIDSGID=yes\n"
			     "LockPersonality=yes\n"
			     "MemoryDenyWriteExecute=yes\n"
			     "SystemCallArchitectures=native\n"
			     "SystemCallFilter=@system-service @mount bpf "
			     "perf_event_open\n"
			     "SystemCallErrorNumber=EPERM\n"
			     "RestrictAddressFamilies=AF_UNIX AF_INET "
			     "AF_INET6 AF_NETLINK\n"
			     "\n"
			     "[Install]\n"
			     "WantedBy=multi-user.target\n");
	return err ? -ENOMEM : 0;
}
