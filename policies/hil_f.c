/*
 * hil_f.c — HIL-F: exponentially weighted forecaster over the thresholds
 * θ ∈ [0, 1] with full feedback (the correctness of every S-ML answer is
 * known after the round; 002 §II-A, design "HIL-F").
 *
 * Round t: q_t = ∫_{θ>p_t} w_t / ∫_0^1 w_t, offload with probability q_t;
 * then w_{t+1}(θ) = w_t(θ)·exp(−η ℓ_t(θ)) with ℓ_t(θ) = the offload cost
 * for θ > p_t and the accept cost for θ ≤ p_t.  O(log n) per round
 * (expweights.h).  hil-f takes one sample per round (policy.batch = 1);
 * batch-hi is the same learner over batches of M, with its own η.
 *
 * Default η = √(8 ln(1/λ_min)/n): the minimiser of 002 eq. (4) with M = 1,
 * R_n ≤ ln(1/λ_min)/η + η n/8, which gives R_n ≤ √(n ln(1/λ_min)/2)
 * (002 eq. (5), M = 1) for losses in [0, 1].  policy.eta overrides it.
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
};

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    double n = env->n ? (double)env->n : 1.0;

    if (env->batch > 1)
        return error_set(err, HI_EINPUT, "policy.batch: hil-f decides one sample at a time; "
                         "batch-hi learns over batches of M = %zu", env->batch);
    s->lambda_min = cost_lambda_min(env->trace);
    if (isnan(s->lambda_min))
        return error_set(err, HI_EINTERNAL, "out of memory");
    s->eta = isnan(env->eta) ? sqrt(8.0 * log(1.0 / s->lambda_min) / n) : env->eta;
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
    /* one uniform per decision, always: batch-hi with M = 1 draws the same */
    return gsl_rng_uniform(s->rng) < q ? HI_OFFLOAD : HI_ACCEPT;
}

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
    snprintf(buf, len, "eta=%.17g lambda_min=%.17g", s->eta, s->lambda_min);
}

static void
fini(void *st)
{
    struct state *s = st;
    expw_free(s->w);
}

const struct hi_policy_type hi_policy_hil_f = {
    .name = "hil-f",
    .summary = "HIL-F: exponential weights over theta with full feedback (policy.eta)",
    .size = sizeof(struct state),
    .flags = POLICY_WAITS_FEEDBACK,
    .init = init,
    .decide = decide,
    .feedback = feedback,
    .describe = describe,
    .fini = fini,
};
