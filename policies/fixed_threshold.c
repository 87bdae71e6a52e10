/*
 * fixed_threshold.c — offload iff p < θ (000 §3).
 *
 * policy.theta is a number in [0, 1] or `optimal`: θ* of the run's trace
 * and cost in hindsight.  θ* needs the labels, so the engine finds it (by
 * the exact breakpoint search of cost_best_threshold) and hands it over as
 * env->theta with env->theta_oracle set; the policy itself never sees a
 * label, and the run's summary declares the oracle.
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
    if (isnan(env->theta))
        return error_set(err, HI_EINTERNAL, "fixed-threshold: policy.theta 'optimal' was not resolved");
    s->theta = env->theta;
    s->optimal = env->theta_oracle;
    return HI_OK;
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    const struct state *s = st;
    int off = v->p < s->theta;
    *q_off = off;
    return hi_act(off ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    snprintf(buf, len, "theta=%.9g%s", s->theta, s->optimal ? " (optimal)" : "");
}

const struct hi_policy_type hi_policy_fixed_threshold = {
    .name = "fixed-threshold",
    .summary = "offload iff p < theta (a number, or 'optimal' for the trace's theta*: uses labels)",
    .size = sizeof(struct state),
    .flags = POLICY_THETA_STAR,
    .init = init,
    .decide = decide,
    .describe = describe,
};
