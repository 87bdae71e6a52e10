/*
 * batch_hi.c — Batch HI (002 §III, Algorithm 1): the exponentially
 * weighted forecaster of HIL-F, with the weights updated once per batch.
 *
 * The engine decides M = policy.batch consecutive samples, sends the
 * offloaded ones in one transmission and hands the batch's outcomes to
 * feedback once they are all known.  Every decision of a batch uses the
 * same weights w_k (002: w_{(k−1)M+i} = w_{kM}); feedback multiplies in
 * exp(−η Σ_batch ℓ_t(θ)), the batch's summed losses, as M suffix adds.
 * Each decision draws one uniform, so with M = 1 this is HIL-F, decision
 * for decision.  O(log n) per sample.
 *
 * Default η: 002 eq. (4) bounds the regret by
 *     R_n ≤ ln(1/λ_min)/η + η n M/8
 * (Hoeffding's lemma on a batch loss in [0, M], n/M batches, 002 eq. (3));
 * its minimiser η = √(8 ln(1/λ_min)/(n M)) gives 002 eq. (5),
 *     R_n ≤ √(n M ln(1/λ_min)/2).
 * M is capped at n (one batch holds at most n samples).  policy.eta
 * overrides η.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>

#include "policies/expweights.h"

struct state {
    struct expw *w;
    gsl_rng *rng;          /* borrowed from the engine */
    double eta;
    double lambda_min;
    size_t batch;
};

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    size_t n = env->n ? env->n : 1;

    /* M = 0 ('auto') is resolved by the engine before init; 1 if not */
    s->batch = env->batch ? env->batch : 1;
    if (s->batch > n)
        s->batch = n;
    s->lambda_min = cost_lambda_min(env->trace);
    if (isnan(s->lambda_min))
        return error_set(err, HI_EINTERNAL, "out of memory");
    s->eta = isnan(env->eta)
        ? sqrt(8.0 * log(1.0 / s->lambda_min) / ((double)n * (double)s->batch))
        : env->eta;
    s->rng = env->rng;
    s->w = expw_new(env->trace->sml_conf, env->trace->n);
    if (!s->w)
        return error_set(err, HI_EINTERNAL, "out of memory (%zu confidences)", env->trace->n);
    return HI_OK;
}

static enum hi_action
decide(void *st, const struct hi_sample *smp, double *q_off)
{
    struct state *s = st;
    double q = expw_q_offload_at(s->w, expw_index_of_row(s->w, smp->row));
    *q_off = q;
    return gsl_rng_uniform(s->rng) < q ? HI_OFFLOAD : HI_ACCEPT;
}

/* The whole batch at once: the weights only change here, after every
 * decision of the batch was taken. */
static void
feedback(void *st, const struct hi_outcome *o, size_t n)
{
    struct state *s = st;
    size_t i;
    for (i = 0; i < n; i++)
        expw_update_at(s->w, expw_index_of_row(s->w, o[i].row), o[i].cost_offload, o[i].cost_accept, s->eta);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    snprintf(buf, len, "eta=%.17g lambda_min=%.17g M=%zu", s->eta, s->lambda_min, s->batch);
}

static void
fini(void *st)
{
    struct state *s = st;
    expw_free(s->w);
}

const struct hi_policy_type hi_policy_batch_hi = {
    .name = "batch-hi",
    .summary = "Batch HI: HIL-F weights updated once per batch of policy.batch samples",
    .size = sizeof(struct state),
    .flags = POLICY_WAITS_FEEDBACK,
    .init = init,
    .decide = decide,
    .feedback = feedback,
    .describe = describe,
    .fini = fini,
};
