/*
 * batch_hi.c — Batch HI (002 §III, Algorithm 1): the exponentially
 * weighted forecaster of HIL-F, with the weights updated once per batch.
 *
 * The engine decides M = policy.batch consecutive samples, sends the
 * offloaded ones in one transmission and hands the batch's outcomes to
 * feedback once they are all known.  Every decision of a batch uses the
 * same weights w_k (002: w_{(k−1)M+i} = w_{kM}); feedback multiplies in
 * exp(−η Σ_batch ℓ_t(θ)), the batch's summed losses, as M suffix adds.
 * Decisions share one threshold per batch, drawn from w_k/W_k, with
 * θ = 0.5 for the first batch (002 Algorithm 1; forecaster.h shows why a
 * shared uniform per batch is that draw); policy.batch_threshold:
 * per-sample draws one uniform per decision instead, and then M = 1 is
 * HIL-F, decision for decision.  O(log n) per sample.
 *
 * Default η: 002 eq. (4) bounds the regret by
 *     R_n ≤ ln(1/λ_min)/η + η n M/8
 * (Hoeffding's lemma on a batch loss in [0, M], n/M batches, 002 eq. (3));
 * its minimiser η = √(8 ln(1/λ_min)/(n M)) gives 002 eq. (5),
 *     R_n ≤ √(n M ln(1/λ_min)/2).
 * M is capped at n (one batch holds at most n samples).  policy.eta
 * overrides η.
 */
#include <stdio.h>

#include "policies/forecaster.h"

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    size_t n = env->n ? env->n : 1;
    /* M = 0 ('auto') is resolved to M* before the run; 1 if not */
    size_t M = env->batch ? env->batch : 1;
    return forecaster_init(st, env, M < n ? M : n, env->batch_threshold == BATCH_THRESHOLD_SHARED, err);
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct forecaster *f = st;
    snprintf(buf, len, "eta=%.17g lambda_min=%.17g M=%zu threshold=%s", f->eta, f->lambda_min, f->batch,
             f->shared ? "shared" : "per-sample");
}

/* The weights change only in feedback, after every decision of the batch
 * was taken (002 Algorithm 1). */
const struct hi_policy_type hi_policy_batch_hi = {
    .name = "batch-hi",
    .summary = "Batch HI: HIL-F weights updated once per batch of policy.batch samples",
    .size = sizeof(struct forecaster),
    .flags = POLICY_WAITS_FEEDBACK,
    .init = init,
    .decide = forecaster_decide,
    .feedback = forecaster_feedback,
    .describe = describe,
    .fini = forecaster_fini,
};
