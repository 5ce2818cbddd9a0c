/* SPDX-License-Identifier: MIT */
/*
 * forward/forward.h - the forwarder: ships the event store to the
 * destinations of vigil.conf (forward.NAME.*): syslog receivers (RFC 5424
 * over TCP, TLS or UDP) and ClickHouse.
 *
 * It is its own process, `vigil forward`, not a thread of the daemon:
 * the daemon keeps BPF capabilities, and the forwarder talks TLS and HTTP
 * to the network, so it runs as forward_user (default nobody) with the
 * store's group, no capabilities and no_new_privs, and a crash in it can
 * neither stop the sensor nor touch the store (it opens it read-only).
 * It runs at nice 10: a backlog is caught up with spare CPU.
 * The daemon starts it (forward_spawn()) when destinations are
 * configured; it can also run on its own (`vigil forward`).
 *
 * State: a cursor per destination, <state_dir>/forward/<name>.cursor
 * (the highest EventRecordID the destination has, in decimal), and the
 * status file <run_dir>/forward/status (status/status.h).
 */
#ifndef VIGIL_FORWARD_H
#define VIGIL_FORWARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct settings;

/* vigil forward [options]: argv[0] is "forward"; returns the exit status. */
int forward_main(int argc, char **argv);

/* <state_dir>/forward/<name>.cursor into out; 0 or -ENAMETOOLONG. */
int forward_cursor_path(char *out, size_t size, const char *state_dir,
			const char *name);

/* The record id in a cursor file: 0, -ENOENT, -EINVAL (not a cursor). */
int forward_cursor_read(const char *path, uint64_t *rid);

/*
 * For the daemon, before it drops its privileges: start `vigil forward`
 * (this executable) for the settings s, read from settings_path (NULL:
 * none) and with s's store, state and run paths passed on.  The child
 * holds the read end of a pipe; closing *lifeline (forward_stop()) tells
 * it to finish, and so does the daemon's death.  Returns the child's pid
 * or a negative errno.
 */
pid_t forward_spawn(const char *settings_path, const struct settings *s,
		    int *lifeline);

/*
 * Tell the forwarder started by forward_spawn() to stop (it closes its
 * connections cleanly and saves its cursors) and wait for it, at most
 * timeout_ms.  Returns 0, or -ETIMEDOUT (it then stops on its own).
 */
int forward_stop(pid_t pid, int lifeline, int timeout_ms);

#endif /* VIGIL_FORWARD_H */
