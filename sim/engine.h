/*
 * engine.h — builds the HI system model of a scenario and runs it on the
 * kernel (docs/system-model.md).
 *
 * Entities (sim/model.h): N devices, each with its arrival process, its
 * own policy instance and RNG streams; an uplink (shared FIFO or one per
 * device) with the channel model of sim/channel.h; an edge server with K
 * workers, optional GPU batching and per-sample or per-transmission
 * replies; the downlink delay on answers and feedback.  A device decides
 * batches of M samples; the offloads of a batch leave in one transmission
 * at the end of the batch; the policy gets the batch's outcomes once all
 * of them are known, and a policy that waits for feedback starts the next
 * batch only then.
 *
 * engine_run is reentrant: all state lives in the call, the trace is only
 * read.  It returns the run's figures; storing them is the caller's
 * business.
 */
#ifndef HISIM_ENGINE_H
#define HISIM_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/config.h"
#include "traces/sample.h"
#include "traces/trace.h"

/* One completed sample, in decision order (the samples log). */
struct engine_record {
    size_t idx;
    size_t row;
    long id;
    double p;
    double q_off;
    int offload;
    int y_sml, y_lml;
    double cost;          /* realised cost of the decision */
    double response_s;    /* arrival at the device to its answer there */
    size_t device;
    struct hi_action action;
    int failed;           /* every transmission lost */
    int correct;          /* the answer was right */
    double cloud_cost;    /* $ of its cloud invocation (003; 0 when none) */
};

/* Called once per sample in idx order; a nonzero return stops the run
 * with HI_EINTERNAL (e.g. a write error). */
typedef int (*engine_record_fn)(void *ctx, const struct engine_record *r);

#define ENGINE_MAX_POINTS 256

/* Curves at about 200 log-spaced checkpoints t (samples retired). */
struct engine_curves {
    size_t n;
    double t[ENGINE_MAX_POINTS];
    double regret[ENGINE_MAX_POINTS];      /* expected cost − best fixed cost */
    double expected[ENGINE_MAX_POINTS];    /* cumulative expected cost */
    double cost[ENGINE_MAX_POINTS];        /* cumulative realised cost */
    double best[ENGINE_MAX_POINTS];        /* best fixed threshold in hindsight */
};

/* One device's figures. */
struct engine_device {
    size_t n;
    double accuracy;
    double mean_cost;
    double offload_fraction;
    double mean_response_s;
    double p95_response_s;
    double energy_mj;
    double util;               /* its processor */
    size_t failed;
};

struct engine_result {
    size_t n;                  /* samples decided */
    size_t offloaded;
    size_t correct;
    size_t transmissions;
    size_t batch;              /* M used */
    double accuracy;
    double offload_fraction;
    double total_cost;         /* realised */
    double mean_cost;
    double expected_cost;      /* Σ q_t·offload + (1 − q_t)·accept */
    double best_cost;          /* best fixed threshold in hindsight, same samples */
    double best_theta;
    double regret;             /* expected_cost − best_cost */
    double makespan_s;
    double system_time_s;      /* makespan / samples: 002's average system time t_s */
    double mean_response_s;    /* 002's response time t_r, as simulated */
    double p95_response_s;
    int p95_exact;             /* 1: p95 from every response; 0: within 0.1% (sim/quantile.h) */
    double energy_mj;          /* device energy */
    double lambda_min;         /* of the trace */
    double relevant_recall;    /* offloaded relevant / relevant; NaN without a relevant column */
    int priced;                /* a policy deploys exits (003): the cloud figures below are set */
    size_t cloud_invocations;  /* samples whose cloud part ran */
    double cloud_cost;         /* $, pay per use (traces/cloud.h) */
    double cloud_cost_per_1000;
    double cloud_cost_rel;     /* relative to cloud-only inference of the same samples */
    /* The decision module as a classifier (001 §3.4.2, eq. (2)): over the
     * samples whose local model answered, positive = the local answer was
     * used (LR output 1), against whether it was right.  TP used & right,
     * FP used & wrong, FN offloaded & right, TN offloaded & wrong. */
    size_t dm_tp, dm_fp, dm_fn, dm_tn;
    double dm_precision, dm_recall, dm_f1;   /* NaN when undefined */
    double dm_f1_offload;      /* the same with offload as the positive class */
    double throughput;         /* samples per second of makespan */
    double util_device;        /* mean over devices of their processors' busy fraction */
    double util_uplink;        /* busy fraction of the uplink(s) */
    double util_server;        /* busy fraction of the server's workers */
    double load_device, load_uplink, load_server;   /* offered loads (resource_offered_load) */
    int saturated;             /* some queue's offered load exceeds 1 */
    char saturated_what[32];   /* "device", "uplink" or "server" */
    double saturated_load;
    size_t losses, retransmissions, failed;
    size_t n_devices;
    double jain;               /* Jain's index over devices' mean response times */
    struct engine_device *devices;   /* n_devices of them: &device0 for one device, else
                                      * malloc'd (free with engine_result_free) */
    struct engine_device device0;
    int oracle;                /* the policy used the labels (declared) */
    int interrupted;           /* stopped by hooks->interrupt: figures so far */
    struct engine_curves curves;
    uint64_t events;
    char policy[64];
    char policy_desc[160];     /* the policy's parameters in effect */
};

struct hi_policy_type;

/* What a caller may plug into a run; every field may be NULL. */
struct engine_hooks {
    engine_record_fn on_record;            /* the samples log */
    void *ctx;
    const struct hi_policy_type *policy;   /* instead of policy.name: a
                                            * policy of the caller's own */
    /* Called every 65536 retired samples and at the end. */
    void (*on_progress)(void *ctx, size_t done, size_t total);
    /* When set and *interrupt becomes nonzero, the run stops (polled
     * every 65536 events) and returns HI_EINTR with the figures of the
     * samples retired so far and res->interrupted = 1. */
    volatile sig_atomic_t *interrupt;
};

/* Runs the scenario cfg on trace; hooks may be NULL.  HI_EINPUT for a
 * configuration the model rejects, HI_EINTERNAL otherwise. */
int engine_run(const struct hi_config *cfg, const struct hi_trace *trace,
               const struct engine_hooks *hooks,
               struct engine_result *res, struct hi_error *err);

/* 1 when `key` may be set per device (an entry of devices.list). */
int engine_device_key(const char *key);

/* Frees what engine_run allocated in res (the per-device figures). */
void engine_result_free(struct engine_result *res);

#endif
