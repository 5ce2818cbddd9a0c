/* SPDX-License-Identifier: MIT */
/*
 * enrich/internal.h - private to the enrichment stage: jobs, the table of
 * request kinds (kinds.c), the worker thread (worker.c) and the stage
 * itself (enrich.c).
 */
#ifndef VIGIL_ENRICH_INTERNAL_H
#define VIGIL_ENRICH_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "hash/hash.h"
#include "modsig/modsig.h"
#include "net/net.h"
#include "proc/proc.h"
#include "users/users.h"

#include "enrich.h"

#define JOB_NONE UINT32_MAX

/* What a slow path found. */
struct enrich_result {
	int error; /* 0 or a negative errno: nothing found */
	char text[HASH_TEXT_MAX]; /* WANT_USER: the name; WANT_HASH */
	struct proc info; /* WANT_PROC: owned strings */
	char user[USERS_NAME_MAX]; /* WANT_PROC: info.uid's name */
	union {
		struct modsig_fields modsig; /* WANT_MODSIG */
		char module[PATH_MAX]; /* WANT_MODULE_AT */
	};
};

/*
 * One slow-path request, shared by every waiting event that asked the
 * same.  The pipeline thread fills the request and owns refs and the
 * flags; the worker writes res; the worker's queues hand the job over.
 */
struct enrich_job {
	struct decode_want want; /* as the first event asked it */
	char *path; /* WANT_HASH, WANT_MODSIG: the file's path, copied */
	struct enrich_result res;
	uint32_t refs; /* waiting events that point here */
	bool is_used;
	bool is_done; /* res is there (collected from the worker) */
};

/* What the slow paths use: the worker thread's own. */
struct enrich_tools {
	struct proc_table *procs;
	struct hash_cache *hashes; /* digests and the read buffer, no cache */
	void (*lookup_user)(uint32_t uid, char *out, size_t size);
};

/* The stage (enrich.c); the kinds' fast paths use its caches. */
struct enrich {
	struct enrich_opts o;
	struct users *users; /* names the worker found */
	struct hash_cache *hashes; /* results the worker found, by version */
	struct enrich_tools tools;
	struct net_services *services; /* port names; NULL: none */
	struct net_resolver *resolver; /* reverse lookups; NULL: none */
	struct worker *worker;
	struct enrich_job *jobs; /* o.max_jobs */
	size_t in_flight; /* jobs submitted and not yet collected */
	struct slot *ring; /* o.max_events, the events waiting in order */
	size_t head, count;
	bool is_flushing;
	struct enrich_stats stats;
};

/*
 * One kind of request: one row of the table in kinds.c.  fast, apply and
 * same are required; the others may be NULL (nothing to do).
 */
struct enrich_kind {
	const char *name;
	/* Pipeline thread, must not block: fill ev's fields from what is
	 * known (caches).  true when w is answered or has nothing to do;
	 * false when the slow path must run. */
	bool (*fast)(struct enrich *e, struct event *ev,
		     const struct decode_want *w);
	/* Pipeline thread: copy from ev what the slow path needs into j.
	 * 0, or a negative errno (w then goes unfilled). */
	int (*prepare)(struct enrich_job *j, const struct event *ev);
	/* Worker thread, may block: answer j->want into j->res. */
	void (*slow)(const struct enrich_tools *t, struct enrich_job *j);
	/* Pipeline thread, once per finished job: remember its result. */
	void (*learn)(struct enrich *e, const struct enrich_job *j);
	/* Pipeline thread: fill w's fields of ev from j's result; j NULL:
	 * w went unfilled, use the fallback. */
	void (*apply)(struct enrich *e, struct event *ev,
		      const struct decode_want *w, const struct enrich_job *j);
	/* Whether a job asked for a answers b too. */
	bool (*same)(const struct decode_want *a, const struct decode_want *b);
};

/* kinds.c: the row for kind, or NULL. */
const struct enrich_kind *enrich_kind_of(unsigned kind);

/* kinds.c: free what a job owns and clear it. */
void enrich_job_clear(struct enrich_job *j);

/* modfile.c: WANT_MODSIG's slow path: the signature fields of the
 * module file at path, if it is still the inode id names. */
void enrich_module_signature(const char *path, const struct hash_id *id,
			     struct modsig_fields *out);

/* worker.c: one thread running the slow paths of jobs[] in order. */
struct worker;

/* stuck_ns: how long one job may run before worker_submit() refuses. */
struct worker *worker_new(struct enrich_job *jobs, size_t max_jobs,
			  const struct enrich_tools *t, uint64_t stuck_ns);
/* Stop after the job in hand and join.  false when that job still runs
 * after timeout_ms: the thread is left to finish it, so w, the jobs and
 * the tools must stay allocated (the process is about to exit). */
bool worker_free(struct worker *w, uint32_t timeout_ms);
/* Queue job i (filled in).  -EBUSY when the worker has been on one job
 * for longer than stuck_ns: the caller must not wait behind it. */
int worker_submit(struct worker *w, uint32_t i);
/* A finished job's index into *i without waiting: true if one was. */
bool worker_collect(struct worker *w, uint32_t *i);

#endif /* VIGIL_ENRICH_INTERNAL_H */
