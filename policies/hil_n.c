/*
 * hil_n.c — HIL-N: exponential weights over θ without local feedback.
 *
 * The device has no ground truth.  For a sample it offloads, the L-ML's
 * answer comes back and serves as the label: the device learns whether
 * its S-ML agreed (sml_pred != lml_pred is the observed S-ML error) and
 * takes the L-ML as right.  An accepted sample teaches it nothing.  So
 * HIL-N runs under either `feedback` setting and reads only the observed
 * costs of the outcome (obs_cost_accept, obs_cost_offload), never the
 * true ones.  Round t:
 *
 *   q_t = ∫_{θ>p_t} w_t / ∫_0^1 w_t                    (as in HIL-F)
 *   P_t = ε + (1 − ε)·q_t                              offload probability:
 *         with probability ε explore (offload), else follow the weights;
 *         one uniform u_t decides, offload iff u_t < P_t
 *   ℓ̂_t(θ) = β + (c_off,t − β)·1{off}/P_t   for θ > p_t  (would offload)
 *   ℓ̂_t(θ) = c_acc,t·1{off}/P_t             for θ ≤ p_t  (would accept)
 *   w_{t+1}(θ) = w_t(θ)·exp(−η ℓ̂_t(θ))
 *
 * where c_acc,t = 1{S-ML ≠ L-ML} and c_off,t the offload cost with the
 * L-ML taken as right (β under cost.model classify).  β, the fixed part
 * of the offload cost, is always known.  P_t depends on the past and on
 * p_t only, so E[1{off}/P_t] = 1 and both estimates are unbiased for the
 * losses measured against the L-ML's answers (the device's only label).
 * A sample whose transmissions all fail brings no answer and is treated
 * like an accepted one.  *q_off = P_t, the probability the sample is
 * really offloaded with.
 *
 * Defaults (docs/online-learning.md derives them), with L = ln(1/λ_min)
 * and B = β + c_L the largest offload cost:
 *   ε = min(1, (L/(2 n B²))^{1/3})      (ε = 1 when B = 0)
 *   η = √(2 ε L/n)
 * for R_n ≤ 3·2^{−1/3}·(B L)^{1/3}·n^{2/3} + O(n^{1/3}).  policy.eta
 * overrides η; ε has no key.  O(log n) per round.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "policies/expweights.h"

struct state {
    struct expw *w;
    gsl_rng *rng;          /* borrowed from the engine */
    double eta;
    double epsilon;
    double lambda_min;
    double beta;
};

static int
init(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    struct state *s = st;
    double n = env->n ? (double)env->n : 1.0;
    double L, B;

    s->lambda_min = cost_lambda_min_of(env->conf, env->rows);
    if (isnan(s->lambda_min))
        return error_set(err, HI_EINTERNAL, "out of memory");
    L = log(1.0 / s->lambda_min);
    B = env->cost.beta + env->cost.lml_error;
    s->beta = env->cost.beta;
    s->epsilon = B > 0.0 ? fmin(1.0, cbrt(L / (2.0 * n * B * B))) : 1.0;
    s->eta = isnan(env->eta) ? sqrt(2.0 * s->epsilon * L / n) : env->eta;
    s->rng = env->rng;
    s->w = expw_new(env->conf, env->rows);
    if (!s->w)
        return error_set(err, HI_EINTERNAL, "out of memory (%zu confidences)", env->rows);
    return HI_OK;
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    struct state *s = st;
    double q = expw_q_offload_at(s->w, expw_index_of_row(s->w, v->row));
    double P = s->epsilon + (1.0 - s->epsilon) * q;
    *q_off = P;
    return hi_act(gsl_rng_uniform(s->rng) < P ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
}

static void
feedback(void *st, const struct hi_outcome *o, size_t n)
{
    struct state *s = st;
    size_t i;
    for (i = 0; i < n; i++) {
        double l_off = s->beta, l_acc = 0.0;
        if (o[i].offloaded && !o[i].failed) {
            /* offloaded implies u < P, so P > 0; the outcome carries P */
            double P = o[i].q_off;
            l_off += (o[i].obs_cost_offload - s->beta) / P;
            l_acc = o[i].obs_cost_accept / P;
        }
        expw_update_at(s->w, expw_index_of_row(s->w, o[i].row), l_off, l_acc, s->eta);
    }
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    snprintf(buf, len, "eta=%.17g epsilon=%.17g lambda_min=%.17g", s->eta, s->epsilon,
             s->lambda_min);
}

static void
fini(void *st)
{
    struct state *s = st;
    expw_free(s->w);
}

const struct hi_policy_type hi_policy_hil_n = {
    .name = "hil-n",
    .summary = "HIL-N: exponential weights over theta, learning only from the L-ML answers of offloaded samples",
    .size = sizeof(struct state),
    .flags = POLICY_WAITS_FEEDBACK | POLICY_OBSERVED_FEEDBACK,
    .init = init,
    .decide = decide,
    .feedback = feedback,
    .describe = describe,
    .fini = fini,
};
