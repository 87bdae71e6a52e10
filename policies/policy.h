/*
 * policy.h — decision policies: a const type plus an instance.
 *
 * A policy type is a stateless descriptor (name, state size, methods), in
 * the manner of gsl_rng_type.  The generic layer allocates `size` bytes of
 * state and calls the methods; every policy file ends with its one
 * exported symbol, `const struct hi_policy_type hi_policy_<name>`.
 *
 * A policy sees samples before deciding and outcomes after feedback, and
 * nothing else of the simulation: no kernel, no store, no command line.
 * The environment handed to init carries the whole trace, so planners
 * that need the whole run (θ* in hindsight, load balancers) can look at it.
 *
 * Call order: init, then for every batch of M samples: decide × M, then
 * feedback once with the M outcomes (M = policy.batch, 1 by default),
 * then fini.  Policies with POLICY_WAITS_FEEDBACK get the next batch only
 * after the feedback of the previous one arrived.
 */
#ifndef HISIM_POLICY_H
#define HISIM_POLICY_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "traces/cost.h"
#include "traces/error.h"
#include "traces/sample.h"

enum hi_choice {
    HI_ACCEPT = 0,
    HI_OFFLOAD = 1,
    HI_EXIT = 2          /* HI_EXIT + k: answer with early exit k (roadmap) */
};

enum policy_flags {
    POLICY_WAITS_FEEDBACK = 1u << 0  /* online learners: decide after feedback */
};

/* Everything a policy may know before the run. */
struct hi_policy_env {
    const struct hi_trace *trace;  /* read-only, the whole trace */
    struct hi_cost cost;
    size_t n;                      /* rounds in the run */
    double theta;                  /* policy.theta; NaN means "optimal" */
    double eta;                    /* policy.eta; NaN means "auto" */
    size_t batch;                  /* M */
    gsl_rng *rng;                  /* the policy's own stream */
};

struct hi_policy_type {
    const char *name;
    const char *summary;           /* one line for `hisim help policies` */
    size_t size;                   /* bytes of state */
    unsigned flags;
    int (*init)(void *st, const struct hi_policy_env *env, struct hi_error *err);
    /* Returns the action; *q_off is the probability with which the
     * sample is offloaded (0 or 1 for a deterministic policy). */
    enum hi_choice (*decide)(void *st, const struct hi_sample *s, double *q_off);
    void (*feedback)(void *st, const struct hi_outcome *o, size_t n);  /* may be NULL */
    /* Writes a short description of the chosen parameters (e.g. θ) for the
     * run summary; may be NULL. */
    void (*describe)(const void *st, char *buf, size_t len);
    void (*fini)(void *st);        /* may be NULL */
};

struct hi_policy {
    const struct hi_policy_type *type;
    void *state;
};

/* NULL-terminated registry of every policy type. */
extern const struct hi_policy_type *const policy_types[];

/* The type named `name`, or NULL. */
const struct hi_policy_type *policy_lookup(const char *name);

/* Allocates and initialises an instance; NULL with err filled. */
struct hi_policy *policy_new(const struct hi_policy_type *type,
                             const struct hi_policy_env *env, struct hi_error *err);
void policy_free(struct hi_policy *p);

static inline enum hi_choice
policy_decide(struct hi_policy *p, const struct hi_sample *s, double *q_off)
{
    return p->type->decide(p->state, s, q_off);
}

static inline void
policy_feedback(struct hi_policy *p, const struct hi_outcome *o, size_t n)
{
    if (p->type->feedback)
        p->type->feedback(p->state, o, n);
}

#endif
