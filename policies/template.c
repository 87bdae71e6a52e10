/*
 * template.c — a documented starting point for a new policy.
 *
 * To add a policy:
 *   1. copy this file to policies/<name>.c (the file name is the prefix:
 *      policies/hil_f.c defines hi_policy_hil_f);
 *   2. keep every function static; the file ends with its only exported
 *      symbol, a const struct hi_policy_type;
 *   3. add the symbol to policy_types[] in policies/policy.c and the file
 *      to Makefile.am;
 *   4. document its keys in docs/scenarios.md and add a test.
 *
 * This template is a complete, working policy: it offloads each sample
 * independently with probability q = policy.theta (a random-offloading
 * baseline), drawing from the policy's own RNG stream, and counts the
 * feedback it gets.  It is compiled and tested but not registered.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>

/* The instance state.  The generic layer allocates sizeof(struct state)
 * zeroed bytes and hands them to every method as `void *st`; cast it
 * inside the method, never cast the function pointers. */
struct state {
    double q;            /* offload probability */
    gsl_rng *rng;        /* borrowed from the environment, not owned */
    size_t feedbacks;    /* outcomes seen so far */
};

/* init: read the environment, validate, set up the state.  Bad parameters
 * are the user's: fill err and return HI_EINPUT. */
static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    if (isnan(env->theta))
        return error_set(err, HI_EINPUT, "policy template: policy.theta must be a number (the offload probability)");
    s->q = env->theta;
    s->rng = env->rng;
    return HI_OK;
}

/* decide: called once per sample and stage, in decision order.  Without
 * flags the only stage is HI_STAGE_SML (after the S-ML): return ACCEPT or
 * OFFLOAD, and the probability with which this sample was offloaded.
 * The view has no labels; a policy that needs them declares
 * POLICY_ORACLE and reads env->trace in init. */
static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    struct state *s = st;
    (void)v;
    *q_off = s->q;
    return hi_act(gsl_rng_uniform(s->rng) < s->q ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
}

/* feedback: the outcomes of the last batch (n = policy.batch samples, or
 * fewer at the end of the run): what the device observed (the L-ML's
 * answer to offloaded samples), and the true costs under feedback: full.
 * Learners update here. */
static void
feedback(void *st, const struct hi_outcome *o, size_t n)
{
    struct state *s = st;
    (void)o;
    s->feedbacks += n;
}

/* describe: one short line with the parameters in effect. */
static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    snprintf(buf, len, "q=%.17g", s->q);
}

const struct hi_policy_type hi_policy_template = {
    .name = "template",
    .summary = "offload each sample with probability policy.theta (example)",
    .size = sizeof(struct state),
    .flags = 0,
    .init = init,
    .decide = decide,
    .feedback = feedback,
    .describe = describe,
    .fini = NULL,        /* nothing owned: the rng belongs to the engine */
};
