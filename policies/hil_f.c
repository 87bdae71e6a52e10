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
#include <stdio.h>

#include "policies/forecaster.h"

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    if (env->batch > 1)
        return error_set(err, HI_EINPUT, "policy.batch: hil-f decides one sample at a time; "
                         "batch-hi learns over batches of M = %zu", env->batch);
    return forecaster_init(st, env, 1, 0, err);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct forecaster *f = st;
    snprintf(buf, len, "eta=%.17g lambda_min=%.17g", f->eta, f->lambda_min);
}

const struct hi_policy_type hi_policy_hil_f = {
    .name = "hil-f",
    .summary = "HIL-F: exponential weights over theta with full feedback (policy.eta)",
    .size = sizeof(struct forecaster),
    .flags = POLICY_WAITS_FEEDBACK,
    .init = init,
    .decide = forecaster_decide,
    .feedback = forecaster_feedback,
    .describe = describe,
    .fini = forecaster_fini,
};
