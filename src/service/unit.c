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
 * The capability bounding set is what loading and attaching need;
 * privs_drop() narrows it further once the programs are attached.
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
	/* CAP_SETUID and CAP_SETGID: the web viewer (web = yes) becomes
	 * web_user; the daemon drops both with the rest (privs_drop()). */
	err |= buf_adds(out,
			"\n"
			"CapabilityBoundingSet=CAP_BPF CAP_PERFMON "
			"CAP_SYS_ADMIN CAP_SYS_RESOURCE CAP_DAC_READ_SEARCH "
			"CAP_SYS_PTRACE CAP_SETUID CAP_SETGID\n"
			"NoNewPrivileges=yes\n"
			"ProtectSystem=strict\n");
	err |= buf_addf(out, "ReadWritePaths=%s %s\n", p->state_dir,
			p->run_dir);
	err |= buf_adds(out, "ProtectHome=read-only\n"
			     "ProtectControlGroups=yes\n"
			     "ProtectKernelLogs=yes\n"
			     "ProtectClock=yes\n"
			     "ProtectHostname=yes\n"
			     "RestrictNamespaces=yes\n"
			     "RestrictRealtime=yes\n"
			     "RestrictSUIDSGID=yes\n"
			     "LockPersonality=yes\n"
			     "MemoryDenyWriteExecute=yes\n"
			     "SystemCallArchitectures=native\n"
			     "RestrictAddressFamilies=AF_UNIX AF_INET "
			     "AF_INET6 AF_NETLINK\n"
			     "\n"
			     "[Install]\n"
			     "WantedBy=multi-user.target\n");
	return err ? -ENOMEM : 0;
}
