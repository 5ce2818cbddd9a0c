/* SPDX-License-Identifier: MIT */
/*
 * sensor/sensor.h - the kernel side seen from user space: load and attach
 * the BPF programs, drain the ring buffer, read the drop counters; and
 * decode wire records into canonical events.
 *
 * loader.c is the only file that includes the generated skeleton; the
 * family table (families.c) says which programs feed which events and
 * which decoder reads which record kind: one file per family (process.c
 * ...) on top of decode.c's dispatcher and bounds-checked readers.
 */
#ifndef VIGIL_SENSOR_H
#define VIGIL_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash/hash.h"
#include "proc/proc.h"

struct config_prefilter;
struct dns_track;
struct event;
struct net_names;
struct proc_table;
struct sensor_record_type;

/* Kernel-side loss reasons (mirrors wire.h's enum wire_drop). */
enum sensor_drop {
	SENSOR_DROP_RING_FULL,
	SENSOR_DROP_NO_SCRATCH,
	SENSOR_DROP_MAX,
};

/* Called for each ring-buffer record; data is borrowed for the call. */
typedef int sensor_record_fn(void *ctx, const void *data, size_t len);

struct sensor_opts {
	uint32_t self_tgid; /* the daemon: its activity is not recorded */
	uint32_t ring_kib; /* ring buffer size, power of two >= 4096 KiB */
	uint32_t args_max; /* argv bytes per exec, <= WIRE_ARGS_MAX; 0: 64K */
	sensor_record_fn *on_record;
	/* Which event ids the config can log (NULL: all); ctx is passed. */
	bool (*wants)(void *ctx, unsigned event_id);
	void *ctx;
};

struct sensor;

/* Load and attach everything; NULL + errno (and a log line) on failure. */
struct sensor *sensor_open(const struct sensor_opts *o);

/*
 * Attach the programs of every family with a wanted event and detach
 * the others; the always-on programs (process tracking) stay attached.  Called again on reconfiguration: nothing is reloaded and
 * programs that stay wanted are never detached, so no event is missed.
 */
int sensor_arm(struct sensor *s, bool (*wants)(void *ctx, unsigned id),
	       void *ctx);

/* Wait up to timeout_ms and deliver what arrived.  Returns the number of
 * records handled or a negative errno (-EINTR is not an error).  An
 * on_record() that returns -EBUSY stops the delivery after its record:
 * the rest stays in the ring buffer for the next call (-EBUSY). */
int sensor_poll(struct sensor *s, int timeout_ms);

/*
 * The kernel-side path prefilter: per slot (enum wire_pf_slot), what the
 * config can log (config_prefilter(); NULL or is_all: nothing filtered).
 * Records whose path meets none of it never leave the kernel; they are
 * counted (sensor_filtered()).  While the tables are rewritten nothing is
 * filtered.  0 or a negative errno (then nothing is filtered).
 */
int sensor_set_prefilter(struct sensor *s,
			 const struct config_prefilter *const pfs[6]);

/* Records of the kinds in mask (bit n: enum wire_kind n) wake the
 * daemon as soon as they are sent, instead of in batches. */
void sensor_set_urgent(struct sensor *s, uint64_t mask);

/* Records the prefilter kept in the kernel since open. */
uint64_t sensor_filtered(struct sensor *s);

/*
 * Whether this kernel lacks every hook that feeds event_id (module loads
 * on a kernel without loadable-module support): the event cannot be
 * collected.  *why (when not NULL) names what is missing.  False for
 * s NULL and for events no family feeds.
 */
bool sensor_lacks(struct sensor *s, unsigned event_id, const char **why);

/* Total drops per reason since open, summed over CPUs. */
int sensor_drops(struct sensor *s, uint64_t out[SENSOR_DROP_MAX]);

/*
 * The kernel prefilter of event 3 (config_port_prefilter()): only
 * connections with a local or remote port whose bit is set in ports[1024]
 * are sent; NULL sends all.  Switched off while the bitmap changes, so a
 * reload never drops what either config would log.
 */
void sensor_set_port_filter(struct sensor *s, const uint64_t *ports);

/* What the network programs did not send, and why: none of it is lost. */
struct sensor_net_stats {
	uint64_t filtered; /* ruled out by the port prefilter */
	uint64_t udp_flows; /* UDP flows entered in the flow table */
	uint64_t udp_repeats; /* datagrams of a flow logged already */
	uint64_t udp_evicted; /* flows the full table forgot early */
};
int sensor_net_stats(struct sensor *s, struct sensor_net_stats *out);

/*
 * Stop image loads (event 7) of the file k from leaving the kernel: the
 * config drops them whatever process maps the file (config_decides_on()).
 * The key holds the inode's change time, so a written, renamed or newly
 * linked file is reported again.  Bounded (least recently used go).
 * 0 or a negative errno.
 */
int sensor_skip_image(struct sensor *s, const struct wire_file_key *k);

/* Report every file's image loads again (the config changed). */
void sensor_forget_skips(struct sensor *s);

/* Kernel memory in bytes held by the sensor's maps (status, benchmarks). */
uint64_t sensor_map_bytes(struct sensor *s);

/* Detach and free.  NULL is fine. */
void sensor_close(struct sensor *s);

/* --- families.c: which families this build collects --- */

/*
 * Whether vigil produces event id: a sensor family feeds it, or the daemon
 * writes it itself (4, 16, 255).  The others load in configs and never
 * fire.
 */
bool sensor_collects(unsigned event_id);

/*
 * Check the family table against the programs the BPF object holds: every
 * program must belong to exactly one family or the always-on list, and
 * every name in the table must be a program.  names are the object's
 * programs.  0, or -EINVAL with a message naming the culprit in err.
 */
int sensor_check_programs(const char *const *names, size_t n, char *err,
			  size_t err_size);

/* --- decode.c: wire record -> canonical event --- */

/*
 * What a decoded event still needs that decoding must not do itself (it
 * does no I/O): the enrichment stage (src/enrich/) fills these fields
 * afterwards, off the ring-draining path where the work can block.  A new
 * kind is one value here and one row in the stage's table.
 */
enum decode_want_kind {
	WANT_USER, /* field := the name of uid */
	WANT_HASH, /* field := Hashes of version id of the file at path_field */
	WANT_PROC, /* proc fields := what /proc says of (tgid, start_ns) */
	WANT_PORT_NAME, /* field := services(5) name of port/protocol */
	WANT_HOSTNAME, /* field := reverse lookup of ip (when DnsLookup) */
	/* field (Signed) and the two after it := the kernel-module
	 * signature of the file named by path_field (event 6) */
	WANT_MODSIG,
	/* field := the file mapped at addr in process tgid (event 8's
	 * StartModule), from /proc/TGID/maps */
	WANT_MODULE_AT,
	WANT_KIND_MAX,
	/*
	 * The file family's requests (daemon/file_enrich.c, not the stage's
	 * table: they use the held files, which live on the pipeline thread).
	 *
	 * Event 29: keep the event only if the file named by path_field
	 * (dev/ino when known) holds an executable (an ELF image, or a "#!"
	 * script with an exec bit); field := its Hashes.  is_chmod: the exec
	 * bit was just given, so only a file created without one counts.
	 */
	WANT_EXECUTABLE,
	/* A file came into existence at path_field: keep its content
	 * reachable in case it is deleted (ArchiveDirectory), and remember
	 * it for event 29 when mode has no exec bit. */
	WANT_HOLD,
	/* path_field was renamed from d->rename_from: held content follows
	 * the name. */
	WANT_RENAME,
	/*
	 * Events 23/26: path_field was deleted: field := Hashes and
	 * aux_field := IsExecutable of what is known of its content.
	 */
	WANT_DELETED,
};

struct decode_want {
	enum decode_want_kind kind;
	int field;
	union {
		uint32_t uid;
		struct {
			int path_field;
			unsigned algs; /* HASH_* bits */
			struct hash_id id; /* the bytes the kernel saw */
			/* the file family's (WANT_EXECUTABLE ...): */
			int aux_field; /* WANT_DELETED: IsExecutable */
			uint64_t dev; /* user-space st_dev, 0: unknown */
			uint64_t ino;
			/* non-zero: open the file as /proc/TGID/exe, the
			 * path being no name the daemon can open (another
			 * mount namespace, a memfd, an unlinked file) */
			uint32_t exe_tgid;
			unsigned mode; /* WANT_HOLD: st_mode, 0 unknown */
			bool is_chmod; /* WANT_EXECUTABLE */
		} file;
		struct {
			uint32_t tgid;
			uint64_t start_ns;
			struct proc_fields fields;
			int user_field;
		} proc;
		struct {
			uint16_t port;
			uint8_t protocol; /* IPPROTO_TCP, IPPROTO_UDP */
		} port;
		struct {
			uint8_t ip[16]; /* IPv4 v4-mapped */
		} host;
		struct {
			uint32_t tgid;
			uint64_t start_ns; /* the process, not a later one */
			uint64_t addr;
		} at;
	};
};

#define DECODE_MAX_WANTS 8

struct decoder {
	struct proc_table *procs;
	unsigned hash_algs; /* CONFIG_HASH_* bits for event 1 */
	int64_t boot_to_utc_ns; /* add to CLOCK_BOOTTIME to get UTC */
	uint32_t host_mnt_ns; /* the daemon's mount namespace; 0: unknown */
	/* Host names from captured DNS answers (DestinationHostname); the
	 * network decoder fills and reads it.  NULL: none. */
	struct net_names *names;
	/* DNS queries waiting for their answers (event 22).  NULL: none. */
	struct dns_track *dns;
	/* DnsLookup: ask enrichment for reverse lookups of event 3's ends */
	bool dns_lookup;
	/* out: set by decode_record() */
	struct decode_want wants[DECODE_MAX_WANTS];
	unsigned nwants;
	/* WANT_RENAME's old path (malloc'd; replaced by the next rename,
	 * freed by decode_release()) */
	char *rename_from;
	/* file family: io_uring blind-spot reports, at most one per
	 * opcode per second (the others counted into the next one) */
	uint64_t blind_next_ns[64];
	uint32_t blind_suppressed[64];
	/* event 7: its file, for sensor_skip_image() if the rules drop it */
	struct wire_file_key image_key;
	bool has_image_key;
	/* the dispatcher's index of the family table, built on first use */
	const struct sensor_record_type *by_kind[WIRE_KIND_MAX];
	bool is_indexed;
};

/*
 * Turn one wire record into ev (initialised here; the caller releases it)
 * and keep the process table current; d->wants says what enrichment ev
 * needs.  Pure: no I/O.  Returns 1 when ev holds an event, 0 when the
 * record only updated state (fork), -EINVAL for a malformed record
 * (nothing changed), -ENOMEM.
 */
int decode_record(struct decoder *d, const void *data, size_t len,
		  struct event *ev);

/*
 * Events the families still hold: more than one from the last record, or
 * due by now_boot_ns (a DNS query that got no answer); with is_final,
 * everything still held (at shutdown).  now_boot_ns 0: only what the last
 * record left.  Call after each record and on a timer, until it returns
 * 0.  1: ev holds an event (the caller releases it), 0: none, -ENOMEM.
 */
int decode_more(struct decoder *d, uint64_t now_boot_ns, bool is_final,
		struct event *ev);

/*
 * The container id a cgroup path names: the last run of exactly 64
 * lower-case hex digits between separators (/ - . :), as docker,
 * containerd, CRI-O and podman name their cgroups.  0 and *off (the id
 * is the 64 bytes at cgroup + *off), or -ENOENT.
 */
int sensor_container_id(const char *cgroup, size_t *off);
/* Free what the decoder owns (the struct itself is the caller's). */
void decode_release(struct decoder *d);

#endif /* VIGIL_SENSOR_H */
