/* SPDX-License-Identifier: MIT */
/*
 * daemon/daemon.c - the monitor's main loop.
 *
 * One pipeline thread (this one) drains the ring buffer, decodes, keeps
 * the process table, applies the rules and queues what is logged; the
 * writer thread does all output.  Between polls it refreshes the clock
 * offset, reports losses as event 255, rewrites the status file and
 * handles reconfiguration (SIGHUP).  The config is only ever used on this
 * thread, so a reload is a pointer swap.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "catalog/fields.h"
#include "config/config.h"
#include "content/content.h"
#include "daemon.h"
#include "forward/forward.h"
#include "store/store.h"
#include "dns/dns.h"
#include "enrich/enrich.h"
#include "event/event.h"
#include "net/net.h"
#include "proc/proc.h"
#include "wire.h"
#include "render/render.h"
#include "sensor/sensor.h"
#include "sink/sink.h"
#include "status/status.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/version.h"
#include "counters.h"
#include "file_enrich.h"
#include "lastgood.h"
#include "outputs.h"
#include "privs.h"
#include "writer.h"

#define PROC_TABLE_MAX 65536
#define HASH_CACHE_MAX 4096
/* Enrichment: events waiting in order, slow-path jobs in flight, and how
 * long the oldest event waits for a slow path (hashing the biggest image
 * allowed takes a second or two) before it leaves without that field. */
#define ENRICH_EVENTS_MAX 8192
/* ... of which this many may wait behind a slow path; then the oldest
 * leaves without the field it waits for (at 100,000 events/s a slow
 * hash filled 16,384 places in 0.16 s, and every event after was lost).
 * Enough for 4 s of a busy host's 1,000 events/s; in a flood, 40 ms. */
#define ENRICH_HELD_MAX	   4096
#define ENRICH_JOBS_MAX	   64
#define ENRICH_WAIT_MAX_MS 5000
#define POLL_MS		   100
/* Held files for ArchiveDirectory (content/content.h): how many, how
 * long, and the largest file archived. */
#define HELD_MAX	  4096
#define HELD_NS		  (600ull * 1000000000ull)
#define ARCHIVE_MAX_BYTES (64ull << 20)
#define DNS_NAMES_MAX	  8192 /* host names learnt from DNS answers */
/* A DNS query unanswered this long is logged with status 1460 (timeout):
 * glibc gives up after 2 tries of 5 s by default. */
#define DNS_TIMEOUT_NS (10ull * 1000000000ull)
/* Reverse lookups (DnsLookup): addresses cached, and a name server's time
 * per lookup. */
#define RESOLVER_MAX 4096
#define RESOLVER_MS  1000

_Static_assert(SETTINGS_COMMAND_LINE_MAX == WIRE_ARGS_MAX,
	       "command_line_max bound and the exec record disagree");

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

struct daemon {
	const struct daemon_opts *opts;
	struct config *cfg;
	struct sensor *sensor;
	struct writer *writer;
	struct sink *store; /* owned by the writer; NULL: no store */
	pid_t forwarder; /* 0: none */
	int fwd_lifeline;
	struct proc_table *procs;
	struct enrich *enrich;
	struct content *content;
	struct decoder dec;
	struct render_host host;
	char computer[256];
	struct daemon_counters counters;
	uint64_t reported_lost; /* losses already told in an event 255 */
	uint64_t reported_unfilled; /* enrichment misses already logged */
	/* The ImageLoad rules read only what the file decides (path, the
	 * constant version and signature fields): a load they drop is
	 * dropped for every process, so the kernel may skip the file. */
	bool is_image_rule_by_file;
	uint64_t unfilled_logged_s; /* CLOCK_MONOTONIC */
	time_t started;
	unsigned store_incidents; /* sink_store_incident() seen */
	/* Why config_path did not load when last read ("": it did), and
	 * the last good copy the rules run from after a start with one that
	 * did not ("": config_path).  status.h: config_error/_running. */
	char config_error[600];
	char config_running[PATH_MAX];
};

static int64_t boot_to_utc(void)
{
	return (int64_t)(clock_utc_ns() - clock_ns(CLOCK_BOOTTIME));
}

/* Steps of the system clock smaller than this are NTP's business. */
#define CLOCK_STEP_NS 2000000000ll

static void push(struct daemon *d, struct event *ev, int must_keep)
{
	if (writer_push(d->writer, ev, must_keep) == 0)
		d->counters.queued++;
}

static void emit_state(struct daemon *d, const char *state)
{
	struct event ev;

	if (event_init(&ev, 4) < 0)
		return;
	event_set_time(&ev, clock_utc_ns());
	event_set_named(&ev, "State", state);
	event_set_named(&ev, "Version", VIGIL_VERSION);
	event_set_named(&ev, "SchemaVersion", VIGIL_SCHEMA_VERSION);
	push(d, &ev, 1);
}

static void emit_config(struct daemon *d)
{
	struct event ev;
	const char *path =
		d->config_running[0] ? d->config_running : d->opts->config_path;

	if (event_init(&ev, 16) < 0)
		return;
	event_set_time(&ev, clock_utc_ns());
	event_set_named(&ev, "Configuration", path ? path : "-");
	event_set_named(&ev, "ConfigurationFileHash", config_file_hash(d->cfg));
	push(d, &ev, 1);
}

static void emit_error(struct daemon *d, const char *id, const char *text)
{
	struct event ev;

	if (event_init(&ev, 255) < 0)
		return;
	event_set_time(&ev, clock_utc_ns());
	event_set_named(&ev, "ID", id);
	event_set_named(&ev, "Description", text);
	push(d, &ev, 1);
}

/* Rules, field sizes, queue: the end of the pipeline for one event. */
static void finish(struct daemon *d, struct event *ev)
{
	if (ev->err) { /* enrichment could not set a value */
		d->counters.lost_decode++;
		event_release(ev);
		return;
	}
	if (file_decide(d->cfg, ev)) {
		config_apply_field_sizes(d->cfg, ev);
		push(d, ev, 0);
	} else {
		event_release(ev);
	}
}

/* Let go, in order, the events the enrichment stage has completed. */
static void release_ready(struct daemon *d)
{
	struct event ev;

	while (enrich_pop(d->enrich, &ev))
		finish(d, &ev);
}

/* A decoded event: enrichment, then the rules (now, or once what it
 * waits for is there). */
static void handle(struct daemon *d, struct event *ev)
{
	int r;

	/* The file family's requests first, inline (they use the held
	 * files, which live on this thread); an event 29 for a file that is
	 * no executable ends here. */
	for (unsigned i = 0; i < d->dec.nwants; i++)
		if (d->dec.wants[i].kind > WANT_KIND_MAX &&
		    !file_enrich(d->content, d->cfg, &d->dec, ev,
				 &d->dec.wants[i])) {
			event_release(ev);
			return;
		}
	r = enrich_add(d->enrich, ev, d->dec.wants, d->dec.nwants);

	if (r == 1)
		finish(d, ev);
	else if (r == -ENOBUFS)
		d->counters.lost_shed++;
	else if (r < 0)
		d->counters.lost_pending++;
	else
		release_ready(d);
}

/* Events the decoder held back: more from the last record, or, with a
 * time, the ones due by then (DNS queries that got no answer); is_final
 * at shutdown, everything held. */
static void handle_more(struct daemon *d, uint64_t now_boot_ns, bool is_final)
{
	struct event ev;

	while (decode_more(&d->dec, now_boot_ns, is_final, &ev) == 1)
		handle(d, &ev);
}

static bool image_rule_by_file(const struct config *c)
{
	static const unsigned fields[] = {
		EV7_IMAGE_LOADED, EV7_FILE_VERSION, EV7_DESCRIPTION,
		EV7_PRODUCT,	  EV7_COMPANY,	    EV7_ORIGINAL_FILE_NAME,
		EV7_SIGNED,	  EV7_SIGNATURE,    EV7_SIGNATURE_STATUS,
	};

	return config_decides_on(c, 7, fields,
				 sizeof(fields) / sizeof(fields[0]));
}

/* An image load the rules drop for any process: drop it before it is
 * hashed, and let the kernel skip the file from now on. */
static bool is_dropped_file(struct daemon *d, struct event *ev)
{
	if (!d->dec.has_image_key || !d->is_image_rule_by_file ||
	    config_decide(d->cfg, ev))
		return false;
	if (sensor_skip_image(d->sensor, &d->dec.image_key) == 0)
		d->counters.counts[COUNT_IMAGE_SKIPS]++;
	return true;
}

static int on_record(void *ctx, const void *data, size_t len)
{
	struct daemon *d = ctx;
	struct event ev;
	int r = decode_record(&d->dec, data, len, &ev);

	if (r < 0) {
		d->counters.lost_decode++;
		return 0;
	}
	if (r == 1 && is_dropped_file(d, &ev))
		event_release(&ev);
	else if (r == 1)
		handle(d, &ev);
	handle_more(d, 0, false);
	/* A writer falling behind: leave the rest in the kernel's ring
	 * buffer (ring_kib, already paid for) until it catches up. */
	return writer_is_backlogged(d->writer) ? -EBUSY : 0;
}

static bool wants(void *ctx, unsigned id)
{
	struct daemon *d = ctx;

	return config_wants(d->cfg, id);
}

/* The network family's counts: what it chose not to send or resolve. */
static void gather_net(struct daemon *d)
{
	uint64_t *n = d->counters.counts;
	struct sensor_net_stats ns;
	struct dns_track_stats ds;
	struct enrich_stats es;

	if (sensor_net_stats(d->sensor, &ns) == 0) {
		n[COUNT_NET_FILTERED] = ns.filtered;
		n[COUNT_UDP_FLOWS] = ns.udp_flows;
		n[COUNT_UDP_REPEATS] = ns.udp_repeats;
		n[COUNT_UDP_EVICTED] = ns.udp_evicted;
	}
	dns_track_stats(d->dec.dns, &ds);
	n[COUNT_DNS_UNANSWERED] = ds.timeouts + ds.evicted;
	n[COUNT_DNS_MALFORMED] = ds.malformed;
	enrich_get_stats(d->enrich, &es);
	n[COUNT_REVERSE_LOOKUPS] = es.reverse_lookups;
	n[COUNT_REVERSE_SLOW] = es.reverse_slow;
}

static void gather(struct daemon *d)
{
	uint64_t drops[SENSOR_DROP_MAX] = { 0 };
	struct daemon_counters *c = &d->counters;
	struct writer_stats ws;

	gather_net(d);
	c->counts[COUNT_FILE_FILTERED] = sensor_filtered(d->sensor);
	sensor_drops(d->sensor, drops);
	writer_get_stats(d->writer, &ws);
	c->logged = ws.written;
	c->lost[LOSS_RING] = drops[SENSOR_DROP_RING_FULL];
	c->lost[LOSS_SCRATCH] = drops[SENSOR_DROP_NO_SCRATCH];
	c->lost[LOSS_QUEUE] = ws.lost_queue;
	c->lost[LOSS_SINK] = ws.lost_sink;
	c->lost[LOSS_DECODE] = c->lost_decode;
	c->lost[LOSS_PENDING] = c->lost_pending;
	c->lost[LOSS_SHED] =
		drops[SENSOR_DROP_SHED] + ws.lost_shed + c->lost_shed;
	c->lost[LOSS_RETENTION] = 0;
	for (size_t i = 0; d->store && i < d->opts->settings.ndests; i++)
		c->lost[LOSS_RETENTION] += sink_store_cursor_lost(d->store, i);
	c->lost[LOSS_STDOUT] = c->lost[LOSS_SYSLOG] = c->lost[LOSS_JSONL] = 0;
	c->lost[LOSS_STDOUT_SHED] = c->lost[LOSS_SYSLOG_SHED] = 0;
	c->lost[LOSS_JSONL_SHED] = 0;
	for (size_t k = 0; k < ws.nsinks; k++) {
		const char *name = ws.sinks[k].name;
		uint64_t n = ws.sinks[k].lost.backlog + ws.sinks[k].lost.failed;
		enum loss_reason r = LOSS_SINK, shed = LOSS_SINK;

		if (!strcmp(name, "stdout")) {
			r = LOSS_STDOUT;
			shed = LOSS_STDOUT_SHED;
		} else if (!strcmp(name, "syslog")) {
			r = LOSS_SYSLOG;
			shed = LOSS_SYSLOG_SHED;
		} else if (!strcmp(name, "jsonl")) {
			r = LOSS_JSONL;
			shed = LOSS_JSONL_SHED;
		}
		c->lost[r] += n;
		c->lost[shed] += ws.sinks[k].lost.shed;
	}
}

/* Tell every new loss as one event 255 with exact counts per reason. */
static void report_losses(struct daemon *d)
{
	uint64_t total = status_lost_total(d->counters.lost);
	struct buf text;

	if (total == d->reported_lost)
		return;
	buf_init(&text, 0);
	if (status_format_losses(&text, total - d->reported_lost,
				 d->counters.lost) == 0)
		emit_error(d, "EventsLost", text.data);
	buf_release(&text);
	d->reported_lost = total;
}

/*
 * Event times are the kernel's boot-time stamps plus the offset of the
 * system clock, read again every second.  When the clock is set (by an
 * administrator, NTP stepping it, or someone covering tracks), times
 * before and after are not comparable: say so in the log, where it
 * happened.
 */
static void check_clock(struct daemon *d)
{
	int64_t now = boot_to_utc(), step = now - d->dec.boot_to_utc_ns;
	char text[200];

	d->dec.boot_to_utc_ns = now;
	if (step > -CLOCK_STEP_NS && step < CLOCK_STEP_NS)
		return;
	snprintf(text, sizeof(text),
		 "the system clock was set %s by %lld.%03lld s; event times "
		 "follow it (record ids keep their order)",
		 step < 0 ? "back" : "forward",
		 (long long)(step < 0 ? -step : step) / 1000000000ll,
		 (long long)(step < 0 ? -step : step) % 1000000000ll /
			 1000000ll);
	log_warn("%s", text);
	emit_error(d, "ClockChanged", text);
}

/* The store file damaged, deleted or replaced under us: say so. */
static void report_store(struct daemon *d)
{
	char text[800];

	if (d->store && sink_store_incident(d->store, &d->store_incidents, text,
					    sizeof(text)))
		emit_error(d, "StoreError", text);
}

/* Fields enrichment had to leave unfilled (a lookup that hangs, too many
 * at once): one log line a minute at most, with the count. */
static void report_unfilled(struct daemon *d)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC) / 1000000000ull;
	struct enrich_stats st;

	enrich_get_stats(d->enrich, &st);
	if (st.unfilled == d->reported_unfilled ||
	    (d->unfilled_logged_s && now - d->unfilled_logged_s < 60))
		return;
	log_warn("enrichment left %llu fields unfilled (user names as uids, "
		 "no hashes): lookups or hashing too slow or too many",
		 (unsigned long long)(st.unfilled - d->reported_unfilled));
	d->reported_unfilled = st.unfilled;
	d->unfilled_logged_s = now;
}

/* One line naming the events the config asks for that no sensor of this
 * build produces yet, so nobody waits for them in vain. */
static void warn_uncollected(const struct config *c)
{
	char ids[256] = "";
	size_t len = 0;

	for (size_t i = 0; i < catalog_count(); i++) {
		const struct catalog_event *e = catalog_at(i);

		if (sensor_collects(e->id) || !config_wants(c, e->id) ||
		    len + 8 >= sizeof(ids))
			continue;
		len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%u",
					len ? ", " : "", e->id);
	}
	if (len)
		log_warn("the configuration asks for events this version does "
			 "not collect yet: %s",
			 ids);
}

/*
 * ArchiveDirectory: an absolute path as given; Sysmon's form, a single
 * folder name (meant for the root of the volume), goes under the state
 * directory instead of the host's root.  Archiving needs FileDelete.
 */
static void set_archive(struct daemon *d)
{
	const char *dir = config_archive_directory(d->cfg);
	char path[PATH_MAX + 256];
	int r;

	if (dir && !config_wants(d->cfg, 23))
		dir = NULL;
	if (dir && dir[0] != '/') {
		snprintf(path, sizeof(path), "%s/%s",
			 d->opts->settings.state_dir, dir);
		dir = path;
	}
	r = content_set_archive(d->content, dir);
	if (r < 0)
		log_error("ArchiveDirectory %s: %s: deleted files are not "
			  "archived",
			  dir, strerror(-r));
}

/* The kernel prefilter from the rules; on failure nothing is filtered. */
static void set_prefilter(struct daemon *d)
{
	struct config_prefilter pfs[WIRE_PF_SLOTS];
	const struct config_prefilter *p[WIRE_PF_SLOTS];
	int r = file_prefilters(d->cfg, content_is_archiving(d->content), pfs);

	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++)
		p[k] = &pfs[k];
	/* Held files must be opened before they are deleted: creations
	 * wake the daemon at once while archiving. */
	sensor_set_urgent(d->sensor, content_is_archiving(d->content)
					     ? 1ull << WIRE_FILE_CREATE
					     : 0);
	if (r == 0)
		r = sensor_set_prefilter(d->sensor, p);
	if (r < 0)
		log_warn("no kernel prefilter: %s", strerror(-r));
	for (unsigned k = 0; k < WIRE_PF_SLOTS; k++)
		config_prefilter_release(&pfs[k]);
}

/* What the network decoder takes from the config, and the kernel
 * prefilter: the connections no rule can log are dropped there. */
static void set_network(struct daemon *d)
{
	static uint64_t ports[1024];

	d->dec.dns_lookup = config_dns_lookup(d->cfg);
	if (config_port_prefilter(d->cfg, 3, ports))
		sensor_set_port_filter(d->sensor, ports);
	else
		sensor_set_port_filter(d->sensor, NULL);
}

/* A load's error as one line of printable ASCII, for the status file. */
static void note_config_error(struct daemon *d, const struct diag *diag)
{
	snprintf(d->config_error, sizeof(d->config_error), "%s:%d:%d: %s",
		 diag->file, diag->line, diag->col, diag->msg);
	for (char *p = d->config_error; *p; p++)
		if (*p < ' ' || *p > '~')
			*p = '?';
}

/*
 * config_path did not load at start: run the last configuration that did
 * (the state directory's copy, lastgood.h) rather than nothing, and say
 * so (the log now, event 255 once the outputs run, the status file).
 * NULL when there is no such copy or it does not load either.
 */
static struct config *fall_back(struct daemon *d, const struct diag *diag)
{
	struct diag kd = { 0 };
	char keep[PATH_MAX];
	struct config *c;

	if (lastgood_path(keep, sizeof(keep), d->opts->settings.state_dir) <
		    0 ||
	    access(keep, F_OK) < 0) {
		log_error(
			"no configuration that loaded before is kept (%s/%s): "
			"not starting",
			d->opts->settings.state_dir, LASTGOOD_NAME);
		return NULL;
	}
	c = config_load_file(keep, &kd);
	if (!c) {
		log_error("the last good configuration does not load either: "
			  "%s:%d:%d: %s",
			  kd.file, kd.line, kd.col, kd.msg);
		return NULL;
	}
	note_config_error(d, diag);
	snprintf(d->config_running, sizeof(d->config_running), "%s", keep);
	log_error("running the last configuration that loaded, kept in %s "
		  "(SHA256=%s), until %s loads (fix it, then SIGHUP or "
		  "vigil -c)",
		  keep, config_file_hash(c), d->opts->config_path);
	return c;
}

static void reload(struct daemon *d)
{
	struct diag diag = { 0 };
	struct config *c;
	char text[600];
	int r;

	if (!d->opts->config_path) {
		log_info(
			"SIGHUP: running the built-in config, nothing to reload");
		return;
	}
	c = lastgood_load(d->opts->config_path, d->opts->settings.state_dir,
			  &diag);
	if (!c) {
		snprintf(text, sizeof(text),
			 "configuration not changed: %s:%d:%d: %s", diag.file,
			 diag.line, diag.col, diag.msg);
		log_error("%s", text);
		emit_error(d, "ConfigurationError", text);
		note_config_error(d, &diag);
		return;
	}
	config_free(d->cfg);
	d->cfg = c;
	d->config_error[0] = d->config_running[0] = '\0';
	d->dec.hash_algs = config_hash_algorithms(c);
	set_archive(d);
	set_prefilter(d);
	d->is_image_rule_by_file = image_rule_by_file(c);
	sensor_forget_skips(d->sensor);
	set_network(d);
	r = sensor_arm(d->sensor, wants, d);
	if (r == -EPERM)
		emit_error(d, "SensorError",
			   "the new configuration needs hooks that only a "
			   "restart of vigil can attach (UDP and DNS: "
			   "CAP_NET_ADMIN); TCP is collected meanwhile");
	else if (r < 0)
		emit_error(d, "SensorError",
			   "could not arm the sensors the new configuration "
			   "needs; see the daemon log");
	log_info("configuration reloaded from %s", d->opts->config_path);
	warn_uncollected(c);
	emit_config(d);
}

static void write_status(struct daemon *d)
{
	const char *config_path = d->opts->config_path;
	const char *store_path = d->opts->settings.store_path;
	struct status_info st = {
		.pid = (long)getpid(),
		.started = (long long)d->started,
		.logged = d->counters.logged,
		.store_bytes = status_store_bytes(store_path),
		.bpf_map_bytes = sensor_map_bytes(d->sensor),
		.processes = proc_table_count(d->procs),
	};

	snprintf(st.version, sizeof(st.version), "%s", VIGIL_VERSION);
	snprintf(st.config_path, sizeof(st.config_path), "%s",
		 config_path ? config_path : "(built-in)");
	snprintf(st.config_hash, sizeof(st.config_hash), "%s",
		 config_file_hash(d->cfg));
	snprintf(st.config_error, sizeof(st.config_error), "%s",
		 d->config_error);
	snprintf(st.config_running, sizeof(st.config_running), "%s",
		 d->config_running);
	snprintf(st.schema_version, sizeof(st.schema_version), "%s",
		 VIGIL_SCHEMA_VERSION);
	snprintf(st.config_schema, sizeof(st.config_schema), "%s",
		 config_schema_version(d->cfg));
	snprintf(st.store_path, sizeof(st.store_path), "%s",
		 store_path[0] ? store_path : "-");
	memcpy(st.lost, d->counters.lost, sizeof(st.lost));
	for (size_t i = 0; i < d->opts->settings.ndests; i++) {
		const struct settings_dest *sd = &d->opts->settings.dests[i];
		struct status_dest *sd_st = status_dest_get(&st, sd->name);

		if (!sd_st)
			break;
		snprintf(sd_st->url, sizeof(sd_st->url), "%s", sd->url);
		sd_st->lost_retention =
			d->store ? sink_store_cursor_lost(d->store, i) : 0;
	}
	memcpy(st.counts, d->counters.counts, sizeof(st.counts));
	for (size_t i = 0; i < catalog_count(); i++) {
		unsigned id = catalog_at(i)->id;

		if (!sensor_collects(id) || !config_wants(d->cfg, id))
			continue;
		if (sensor_lacks(d->sensor, id, NULL)) {
			if (st.nunavailable < STATUS_MAX_ARMED)
				st.unavailable[st.nunavailable++] = id;
		} else if (st.narmed < STATUS_MAX_ARMED) {
			st.armed[st.narmed++] = id;
		}
	}
	status_write(d->opts->settings.run_dir, &st);
}

static void read_machine_id(char *out, size_t size)
{
	static const char *const paths[] = { "/etc/machine-id",
					     "/var/lib/dbus/machine-id" };

	out[0] = '\0';
	for (size_t i = 0; i < 2 && !out[0]; i++) {
		FILE *f = fopen(paths[i], "r");

		if (!f)
			continue;
		if (!fgets(out, (int)size, f))
			out[0] = '\0';
		fclose(f);
	}
}

/* The forwarder runs as its own, unprivileged process (forward.h). */
static void start_forwarder(struct daemon *d)
{
	const struct settings *s = &d->opts->settings;
	pid_t pid;

	if (!s->ndests)
		return;
	if (!s->store_path[0]) {
		log_warn("forwarding needs the event store (store_path is "
			 "empty): not forwarding");
		return;
	}
	pid = forward_spawn(d->opts->settings_path, s, &d->fwd_lifeline);
	if (pid < 0) {
		log_error("cannot start the forwarder: %s", strerror(-pid));
		return;
	}
	d->forwarder = pid;
}

/* A forwarder that ended on its own (bad settings, say) is reported. */
static void reap_forwarder(struct daemon *d)
{
	int wst;

	if (!d->forwarder ||
	    waitpid(d->forwarder, &wst, WNOHANG) != d->forwarder)
		return;
	if (WIFEXITED(wst))
		log_error("the forwarder exited with status %d",
			  WEXITSTATUS(wst));
	else
		log_error("the forwarder was killed by signal %d",
			  WTERMSIG(wst));
	close(d->fwd_lifeline);
	d->forwarder = 0;
}

/* The daemon's mount namespace (the inode /proc/self/ns/mnt names), 0
 * when unknown: processes elsewhere see other paths. */
static uint32_t own_mnt_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/mnt", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* Held files take descriptors: raise the soft limit to make room, and
 * hold fewer when the hard limit is lower. */
static struct content *new_content(void)
{
	struct content_limits l = {
		.max_held = HELD_MAX,
		.hold_ns = HELD_NS,
		.max_bytes = ARCHIVE_MAX_BYTES,
	};
	const rlim_t spare = 512;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < HELD_MAX + spare) {
			rl.rlim_cur = rl.rlim_max < HELD_MAX + spare
					      ? rl.rlim_max
					      : HELD_MAX + spare;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur < HELD_MAX + spare)
			l.max_held = rl.rlim_cur > 2 * spare
					     ? rl.rlim_cur - spare
					     : 0;
	}
	return content_new(&l);
}

static int setup(struct daemon *d)
{
	const struct settings *s = &d->opts->settings;
	struct sensor_opts so = { 0 };
	char machine[64];
	int r;
	struct diag diag = { 0 };

	d->started = time(NULL);
	if (!d->opts->config_path) {
		d->cfg = config_default();
	} else {
		d->cfg = lastgood_load(d->opts->config_path, s->state_dir,
				       &diag);
		if (!d->cfg) {
			log_error("%s:%d:%d: %s", diag.file, diag.line,
				  diag.col, diag.msg);
			d->cfg = fall_back(d, &diag);
		}
	}
	if (!d->cfg)
		return -EINVAL;
	warn_uncollected(d->cfg);
	gethostname(d->computer, sizeof(d->computer) - 1);
	render_host_defaults(&d->host);
	d->host.computer = d->computer;
	d->host.provider_name = s->provider_name;
	d->host.provider_guid = s->provider_guid;
	d->host.channel = s->channel;
	d->host.pid = d->host.tid = (unsigned)getpid();
	d->host.euid = (unsigned)geteuid();
	d->host.extra_fields = s->extra_fields;

	read_machine_id(machine, sizeof(machine));
	d->procs = proc_table_new(PROC_TABLE_MAX, machine, "/proc");
	if (!d->procs)
		return -ENOMEM;
	d->enrich = enrich_new(&(struct enrich_opts){
		.procs = d->procs,
		.max_events = ENRICH_EVENTS_MAX,
		.max_jobs = ENRICH_JOBS_MAX,
		.max_wait_ms = ENRICH_WAIT_MAX_MS,
		.max_held = ENRICH_HELD_MAX,
		.shed = { s->shed_first[0], s->shed_first[1], s->shed_first[2],
			  s->shed_first[3] },
		.hash_cache_entries = HASH_CACHE_MAX,
		.hash_max_bytes = s->hash_max_bytes,
		.resolver_entries = RESOLVER_MAX,
		.resolver_timeout_ms = RESOLVER_MS,
	});
	d->content = new_content();
	if (!d->enrich || !d->content)
		return -ENOMEM;
	set_archive(d);
	d->dec.names = net_names_new(DNS_NAMES_MAX);
	d->dec.dns = dns_track_new(DNS_TIMEOUT_NS);
	if (!d->dec.names || !d->dec.dns)
		return -ENOMEM;
	d->dec.procs = d->procs;
	d->is_image_rule_by_file = image_rule_by_file(d->cfg);
	d->dec.hash_algs = config_hash_algorithms(d->cfg);
	d->dec.boot_to_utc_ns = boot_to_utc();
	d->dec.host_mnt_ns = own_mnt_ns();

	d->writer = outputs_open(s, &d->host, &d->store);
	if (!d->writer)
		return -errno;

	/* Attach first, then seed: a process that starts in between is seen
	 * by both, and the sensor's record simply refreshes its entry. */
	so.self_tgid = (uint32_t)getpid();
	so.ring_kib = s->ring_kib;
	so.args_max = s->command_line_max;
	memcpy(so.shed_first, s->shed_first, sizeof(so.shed_first));
	so.on_record = on_record;
	so.wants = wants;
	so.ctx = d;
	d->sensor = sensor_open(&so);
	if (!d->sensor)
		return -errno;
	set_prefilter(d);
	set_network(d);
	proc_table_seed(d->procs);
	start_forwarder(d);
	if ((r = privs_join_group("adm")) < 0 && r != -ENOENT)
		log_warn("cannot join group adm: %s: a store started again "
			 "later is root's only",
			 strerror(-r));
	/* Everything privileged is done: keep only what running needs. */
	if ((r = privs_drop()) < 0)
		log_warn("could not drop capabilities: %s", strerror(-r));
	return 0;
}

static void teardown(struct daemon *d)
{
	if (d->forwarder &&
	    forward_stop(d->forwarder, d->fwd_lifeline, 8000) < 0)
		log_warn("the forwarder is still stopping");
	d->forwarder = 0;
	sensor_close(d->sensor);
	enrich_free(d->enrich);
	content_free(d->content);
	decode_release(&d->dec);
	net_names_free(d->dec.names);
	dns_track_free(d->dec.dns);
	writer_free(d->writer);
	proc_table_free(d->procs);
	config_free(d->cfg);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void loop(struct daemon *d)
{
	time_t last_tick = 0;

	while (!got_stop) {
		time_t now;

		if (writer_is_backlogged(d->writer))
			writer_wait_room(d->writer, POLL_MS);
		else
			sensor_poll(d->sensor, POLL_MS);
		handle_more(d, clock_ns(CLOCK_BOOTTIME), false);
		release_ready(d);
		if (got_hup) {
			got_hup = 0;
			reload(d);
		}
		now = time(NULL);
		if (now == last_tick)
			continue;
		last_tick = now;
		check_clock(d);
		gather(d);
		report_losses(d);
		report_store(d);
		report_unfilled(d);
		/* Give back what a burst left free: the queues' events are
		 * freed out of order, and glibc keeps the holes otherwise. */
		malloc_trim(0);
		write_status(d);
		reap_forwarder(d);
	}
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon d = { .opts = o };
	long other = 0;
	int r, pid_fd;

	/* One daemon per run directory, checked before anything is touched
	 * (the store is locked too, for one that shares only the store). */
	pid_fd = status_lock_pid(o->settings.run_dir, &other);
	if (pid_fd == -EBUSY) {
		if (other)
			log_error("already running, pid %ld (%s/vigil.pid)",
				  other, o->settings.run_dir);
		else
			log_error("already running (%s/vigil.pid is locked)",
				  o->settings.run_dir);
		return 1;
	}
	if (pid_fd < 0) {
		log_error("cannot take %s/vigil.pid: %s", o->settings.run_dir,
			  strerror(-pid_fd));
		return 1;
	}
	install_signals();
	r = setup(&d);
	if (r < 0) {
		teardown(&d);
		status_remove(o->settings.run_dir, pid_fd);
		return 1;
	}
	emit_state(&d, "Started");
	emit_config(&d);
	if (d.config_running[0]) {
		char text[PATH_MAX + 800];

		snprintf(text, sizeof(text),
			 "configuration not loaded at start: %s; running the "
			 "last configuration that loaded (%s, SHA256=%s)",
			 d.config_error, d.config_running,
			 config_file_hash(d.cfg));
		emit_error(&d, "ConfigurationError", text);
	}
	log_info("monitoring (pid %d)", (int)getpid());
	loop(&d);

	/* Drain what the kernel still holds (as fast as the writer takes
	 * it, for 10 s at most), give slow enrichment (a big hash) a moment,
	 * then say goodbye. */
	for (int i = 0; i < 100 && sensor_poll(d.sensor, 0) == -EBUSY; i++)
		writer_wait_room(d.writer, POLL_MS);
	/* Queries still unanswered are logged as such, not dropped. */
	handle_more(&d, clock_ns(CLOCK_BOOTTIME), true);
	release_ready(&d);
	for (int i = 0; i < 50 && enrich_waiting(d.enrich); i++) {
		usleep(100 * 1000);
		release_ready(&d);
	}
	enrich_flush(d.enrich);
	release_ready(&d);
	gather(&d);
	report_losses(&d);
	emit_state(&d, "Stopped");
	teardown(&d);
	status_remove(o->settings.run_dir, pid_fd);
	log_info("stopped");
	return 0;
}
