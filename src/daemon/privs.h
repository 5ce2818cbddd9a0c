/* SPDX-License-Identifier: MIT */
/*
 * daemon/privs.h - the daemon drops its own privileges.
 */
#ifndef VIGIL_DAEMON_PRIVS_H
#define VIGIL_DAEMON_PRIVS_H

/*
 * Drop every capability the running daemon does not need once its BPF
 * programs are loaded and attached: keeps CAP_BPF and CAP_PERFMON (maps,
 * programs armed on reconfiguration), CAP_DAC_READ_SEARCH (hash any image,
 * read any /proc file) and CAP_SYS_PTRACE (/proc/PID/exe, environ and
 * fds of other users' processes); on kernels without CAP_BPF it keeps
 * CAP_SYS_ADMIN instead of the first two.  Clears the bounding and ambient
 * sets of everything else and sets no_new_privs, so the daemon can never
 * regain them.  All of that in every thread of the process (they are per
 * thread): the others are signalled (SIGRTMIN + 4) and drop their own,
 * and each thread's sets are then read back from /proc/self/task.  Capabilities the process does not hold stay absent.
 * Returns 0 or a negative errno (-EPERM: some thread does not hold exactly
 * the kept sets; nothing is dropped only if capget fails).
 */
int privs_drop(void);

/*
 * Add group name (when it exists) to the process's supplementary groups,
 * before privs_drop(): a file the daemon creates later (a new store after
 * the old one was damaged or deleted, store/recover.c) can then be given
 * that group without CAP_CHOWN, so the readers in it (vigil web, the
 * forwarder, admins) read the new store as they read the old.  Returns 0,
 * -ENOENT (no such group) or a negative errno.
 */
int privs_join_group(const char *name);

#endif /* VIGIL_DAEMON_PRIVS_H */
