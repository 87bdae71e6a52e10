/*
 * fixed_threshold.c — offload iff p < θ (000 §3).
 *
 * policy.theta is a number in [0, 1] or `optimal`: θ* of the run's trace
 * and cost, found by the exact breakpoint search of cost_best_threshold.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>

struct state {
    double theta;
    int optimal;
};

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    if (isnan(env->theta)) {
        struct cost_optimum o;
        if (cost_best_threshold(&env->cost, env->trace, NULL, env->trace->n, &o))
            return error_set(err, HI_EINTERNAL, "out of memory");
        s->theta = o.theta;
        s->optimal = 1;
    } else {
        s->theta = env->theta;
    }
    return HI_OK;
}

static enum hi_choice
decide(void *st, const struct hi_sample *smp, double *q_off)
{
    const struct state *s = st;
    int off = smp->p < s->theta;
    *q_off = off;
    return off ? HI_OFFLOAD : HI_ACCEPT;
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    snprintf(buf, len, "theta=%.9g%s", s->theta, s->optimal ? " (optimal)" : "");
}

const struct hi_policy_type hi_policy_fixed_threshold = {
    .name = "fixed-threshold",
    .summary = "offload iff p < theta (a number, or 'optimal' for the trace's theta*)",
    .size = sizeof(struct state),
    .init = init,
    .decide = decide,
    .describe = describe,
};
