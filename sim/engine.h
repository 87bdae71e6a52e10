/*
 * engine.h — builds the HI model of a scenario and runs it on the kernel.
 *
 * Entities: one edge device (S-ML, τed per sample, closed-loop: the next
 * sample starts when the previous decision is taken), an uplink (FIFO;
 * a transmission of b bytes occupies it b·8/rate seconds and then takes
 * τnw to arrive), an edge server (FIFO, τes per sample) and the feedback
 * path (downlink delay).  The policy decides batches of M samples; the
 * offloaded samples of a batch leave in one transmission at the end of
 * the batch, and the policy gets the batch's outcomes once all of them
 * are known.  Policies that wait for feedback start the next batch only
 * then.
 *
 * engine_run is reentrant: all state lives in the call.  It returns the
 * run's figures; storing them is the caller's business.
 */
#ifndef HISIM_ENGINE_H
#define HISIM_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/config.h"
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
    double response_s;    /* S-ML start to answer at the device */
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
    double energy_mj;          /* device energy */
    double lambda_min;         /* of the trace */
    double relevant_recall;    /* offloaded relevant / relevant; NaN without a relevant column */
    struct engine_curves curves;
    uint64_t events;
    int interrupted;           /* 1: stopped by hooks->interrupt; the figures
                                * cover the n samples retired by then */
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
    /* Polled every 65536 events; once nonzero the run stops (a signal
     * handler sets it). */
    volatile sig_atomic_t *interrupt;
};

/* Runs the scenario cfg on trace; hooks may be NULL.  HI_EINPUT for a
 * configuration the model rejects, HI_EINTERNAL otherwise; HI_EINTR when
 * *hooks->interrupt was set, with res->interrupted = 1 and the figures of
 * the samples retired so far in res. */
int engine_run(const struct hi_config *cfg, const struct hi_trace *trace,
               const struct engine_hooks *hooks,
               struct engine_result *res, struct hi_error *err);

#endif
