/*
 * sweeprun.h — runs the points of an expanded sweep and stores them.
 *
 * One coordinator (the calling thread, the only database writer) plans
 * every replication of every point of the shard:
 *   - a replication the sweep already holds (a resumed sweep) is kept;
 *   - else a finished run with the same point key, seed and hisim
 *     version is reused (sweepstore_find_run);
 *   - else it is a job for an executor: N threads (one simulation per
 *     thread, engine_run is reentrant, traces are shared read-only) or
 *     MPI ranks (analysis/sweepmpi.h).
 * Each finished job is committed in its own transaction as it arrives.
 * With a stopping rule, replications 0..min-1 are planned first and
 * replication k only after 0..k-1 are all in and the rule is not met, so
 * the count does not depend on the order in which jobs finish: any N gives
 * the same runs.
 */
#ifndef HISIM_SWEEPRUN_H
#define HISIM_SWEEPRUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/store.h"
#include "analysis/sweep.h"
#include "sim/engine.h"

/* One replication of one point, computed. */
struct sweeprun_result {
    size_t point, rep;
    uint64_t seed;
    int status;                    /* HI_OK, or the failure's status */
    char error[1024];
    char started[24], finished[24];
    struct engine_result run;      /* target simulate */
    double closed[20];             /* target batch-size: sweep_batchsize_metrics */
    unsigned char *extra;          /* target cluster: the run's metrics, series and policy line, packed in one
                                    * buffer of n_extra bytes (malloc'd; sweeprun.c) so that it travels as bytes */
    size_t n_extra;
    char *config;                  /* effective configuration, JSON (malloc'd) */
};

/* Computes replication `rep` of point p with `seed`; fills res (every
 * field; res->config, res->extra and res->run.devices malloc'd or NULL).
 * Safe to call from any thread.  Target cluster: one cluster_run of the
 * point's configuration and lists, as `hisim cluster` runs it. */
void sweeprun_job(const struct sweep *sw, size_t p, size_t rep, uint64_t seed, struct sweeprun_result *res);

/* Frees what a result owns and the result itself. */
void sweeprun_result_free(struct sweeprun_result *res);

/* The metrics of a result into m (SUMMARY_MAX_METRICS entries); count.
 * A cluster result with more (many DNNs and nodes) gives the first
 * SUMMARY_MAX_METRICS; the sweep stores them all. */
size_t sweeprun_metrics(const struct sweep *sw, const struct sweeprun_result *res, struct store_metric *m);

/* Where jobs run: the coordinator submits and collects through these. */
struct sweeprun_exec {
    void *ctx;
    /* queues a job; never blocks for long */
    int (*submit)(void *ctx, size_t point, size_t rep, uint64_t seed);
    /* the next finished job (malloc'd, the coordinator frees it), waiting
     * for one; NULL on a transport failure */
    struct sweeprun_result *(*wait)(void *ctx);
    /* drops the jobs not started yet; returns how many */
    size_t (*cancel)(void *ctx);
};

/* Thread executor: `n` worker threads. */
struct sweeprun_pool;
struct sweeprun_pool *sweeprun_pool_new(const struct sweep *sw, int n, struct sweeprun_exec *exec,
                                        struct hi_error *err);
void sweeprun_pool_free(struct sweeprun_pool *pool);   /* joins the workers */

struct sweeprun_opts {
    const char *version;           /* hisim's */
    int resume, force, fail_fast;
    size_t shard_i, shard_n;       /* this process runs points p with p mod N == I - 1; 0: all */
    int progress;                  /* 0 none, 1 a line every few seconds, 2 a bar (terminal) */
    FILE *log;                     /* progress and failures (stderr) */
};

struct sweeprun_stats {
    int64_t sweep_id;
    int resumed;
    size_t points;                 /* of this shard */
    size_t done, failed, reused, skipped;     /* points */
    size_t runs_new, runs_reused, runs_kept, runs_failed;
    size_t runs_saturated;         /* new runs whose model was saturated */
    size_t runs_dropped;           /* stopped in flight by the interrupt flag, not stored */
    int input_failures_only;       /* every failure was bad input */
    double wall_s;                 /* the whole sweep */
    double plan_s;                 /* opening and planning, wall */
    double store_s;                /* committing runs: the writer's CPU time */
};

/* A flag that a signal handler sets (NULL: none; one per process, as
 * signals are).  Once it is nonzero, jobs not started return HI_EINTR at
 * once and jobs in flight stop within 65 536 events (engine_hooks), and
 * sweeprun_run plans nothing more, drops the queued jobs, stores no
 * interrupted job, marks the sweep 'interrupted' and returns HI_EINTR
 * (--resume finishes it). */
void sweeprun_set_interrupt(volatile sig_atomic_t *flag);

/* Opens or resumes the sweep in st and runs what is missing through exec.
 * HI_EINPUT for a refused resume, HI_EINTR when interrupted; a failing
 * point is not an error (it is counted in stats and reported on o->log). */
int sweeprun_run(struct sweep *sw, struct store *st, const struct sweeprun_opts *o, struct sweeprun_exec *exec,
                 struct sweeprun_stats *stats, struct hi_error *err);

#endif
