/*
 * policy.h — decision policies: a const type plus an instance.
 *
 * A policy type is a stateless descriptor (name, state size, methods), in
 * the manner of gsl_rng_type.  The generic layer allocates `size` bytes of
 * state and calls the methods; every policy file ends with its one
 * exported symbol, `const struct hi_policy_type hi_policy_<name>`.
 *
 * A policy sees what a device sees: views of samples without labels
 * (traces/sample.h) and the outcomes the device observes.  It never sees
 * the kernel, the store or the command line.  At init it gets the
 * confidence column it will be shown (so that learners can lay out their
 * weights over the possible confidences) and the timing the device knows.
 * Only a type that declares POLICY_ORACLE gets the labelled trace, and
 * the run's summary says so ("oracle: uses labels").
 *
 * Call order: init; then, for each sample in the device's order, decide
 * once per stage until the action is final (at arrival with
 * POLICY_DECIDES_AT_ARRIVAL; after the S-ML; or at every early exit with
 * POLICY_EXITS, at the deployed ones only when the type declares a
 * deployment); feedback once per batch of M = policy.batch samples with
 * their outcomes, in order; fini.  A policy with POLICY_WAITS_FEEDBACK
 * gets the next batch only after the feedback of the previous one.
 */
#ifndef HISIM_POLICY_H
#define HISIM_POLICY_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "traces/cost.h"
#include "traces/error.h"
#include "traces/sample.h"

enum policy_flags {
    POLICY_WAITS_FEEDBACK = 1u << 0,     /* online learners: decide after feedback */
    POLICY_ORACLE = 1u << 1,             /* reads the labelled trace (planners) */
    POLICY_DECIDES_AT_ARRIVAL = 1u << 2, /* decide() at HI_STAGE_ARRIVAL too */
    POLICY_EXITS = 1u << 3,              /* the device runs an early-exit model;
                                          * decide() at every exit, not after an S-ML */
    POLICY_OBSERVED_FEEDBACK = 1u << 4,  /* learns only from what is observed without
                                          * ground truth (hil-n): runs under either
                                          * feedback setting */
    POLICY_THETA_STAR = 1u << 5          /* policy.theta: optimal means θ* of the trace,
                                          * which the engine finds with the labels
                                          * (declared as an oracle) */
};

enum policy_feedback { FEEDBACK_FULL = 0, FEEDBACK_OFFLOADED = 1 };
enum policy_batch_threshold { BATCH_THRESHOLD_SHARED = 0, BATCH_THRESHOLD_PER_SAMPLE = 1 };

/* What one sample costs under one action, as the engine's execution
 * model and uplink charge it when the sample is alone on the system
 * (hi_policy_env.action_cost): for planners such as Neurosurgeon. */
struct hi_action_cost {
    double device_s;               /* device compute */
    double bytes;                  /* sent uplink (0: nothing) */
    double tx_s;                   /* on the uplink: bytes at the channel's rate at t = 0 */
    double delay_s;                /* the network's mean delay, when something is sent */
    double server_s;               /* server compute (preprocessing included) */
    double device_mj;              /* device compute energy */
    double tx_mj;                  /* radio energy: device.tx_power_w × tx_s */
};

struct hi_layers;

/* Everything a policy may know before the run. */
struct hi_policy_env {
    const struct hi_trace *trace;  /* the labelled trace: POLICY_ORACLE types only, else NULL */
    const double *conf;            /* the confidence column views show as p, rows entries */
    size_t rows;
    struct hi_cost cost;
    size_t n;                      /* rounds of this device */
    double theta;                  /* policy.theta; NaN means "optimal" unresolved */
    int theta_oracle;              /* 1: theta is θ* chosen with the labels by the engine */
    double eta;                    /* policy.eta; NaN means "auto" */
    size_t batch;                  /* M */
    int batch_threshold;           /* enum policy_batch_threshold */
    int feedback;                  /* enum policy_feedback */
    unsigned n_exits;              /* exits of the device's model (0: none) */
    unsigned n_layers;             /* layers of the split network (0: none) */
    double tau_ed_s;               /* S-ML time on the device */
    double tau_off_s;              /* end-to-end time of one offload (send, L-ML, reply), alone on the system */
    gsl_rng *rng;                  /* the policy's own stream */
    /* A scenario key's value as scenario text ("ect", "hi-makespan"), or
     * NULL when the key does not exist; for policies' own keys. */
    const char *(*param)(const void *ctx, const char *key);
    const void *param_ctx;
    /* The split network's layer profile (traces/layers.h), or NULL; its
     * times are divided by device.speed and server.speed. */
    const struct hi_layers *layers;
    /* The cost of final action a (OFFLOAD_RAW, SPLIT k, ACCEPT, EXIT k) on
     * trace row `row`; ctx is param_ctx. */
    void (*action_cost)(const void *ctx, size_t row, const struct hi_action *a, struct hi_action_cost *c);
};

struct hi_policy_type {
    const char *name;
    const char *summary;           /* one line for `hisim help policies` */
    size_t size;                   /* bytes of state */
    unsigned flags;
    int (*init)(void *st, const struct hi_policy_env *env, struct hi_error *err);
    /* The action at this stage; *q_off is the probability with which the
     * sample ends up offloaded (0 or 1 for a deterministic policy). */
    struct hi_action (*decide)(void *st, const struct hi_view *v, double *q_off);
    void (*feedback)(void *st, const struct hi_outcome *o, size_t n);  /* may be NULL */
    /* Writes a short description of the chosen parameters (e.g. θ) for the
     * run summary; may be NULL. */
    void (*describe)(const void *st, char *buf, size_t len);
    /* Releases what the state owns; may be NULL.  Called by policy_free
     * and also when init fails, on the state init left behind: the state
     * starts zeroed, and init keeps every pointer in it NULL or valid, so
     * init's failure paths need not free what they already got. */
    void (*fini)(void *st);
    /* The early-exit network the instance deploys (traces/sample.h),
     * asked once after init; may be NULL: every exit of device.profile
     * runs on the device and nothing is split after them. */
    void (*deployment)(const void *st, struct hi_deployment *d);
};

struct hi_policy {
    const struct hi_policy_type *type;
    void *state;
};

/* NULL-terminated registry of every policy type. */
extern const struct hi_policy_type *const policy_types[];

/* The type named `name`, or NULL. */
const struct hi_policy_type *policy_lookup(const char *name);

/* Allocates and initialises an instance; NULL with err filled (and the
 * type's fini called) when init fails. */
struct hi_policy *policy_new(const struct hi_policy_type *type,
                             const struct hi_policy_env *env, struct hi_error *err);
void policy_free(struct hi_policy *p);

static inline struct hi_action
policy_decide(struct hi_policy *p, const struct hi_view *v, double *q_off)
{
    return p->type->decide(p->state, v, q_off);
}

static inline void
policy_feedback(struct hi_policy *p, const struct hi_outcome *o, size_t n)
{
    if (p->type->feedback)
        p->type->feedback(p->state, o, n);
}

/* Actions, for brevity in policies. */
static inline struct hi_action
hi_act(enum hi_action_kind kind, unsigned k)
{
    struct hi_action a;
    a.kind = kind;
    a.k = k;
    return a;
}

#endif
