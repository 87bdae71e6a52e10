/*
 * forecaster.h — the exponentially weighted forecaster over thresholds
 * that hil-f and batch-hi share (002 §II–III).
 *
 * State: the weights (expweights.h) over the confidences the policy is
 * shown, the policy's RNG stream, η and λ_min.  q_t = expw_q_offload is
 * the probability that a threshold θ drawn from w_t/W_t exceeds p_t.
 *
 * Decisions.  Per sample (hil-f; batch-hi with policy.batch_threshold:
 * per-sample): one uniform u per decision, offload iff u < q_t.  Shared
 * (batch-hi's default, 002 Algorithm 1): one threshold θ_k ~ w_k/W_k per
 * batch for all its M samples.  Drawing θ_k = F⁻¹(1 − v) from the
 * weights' distribution F with one uniform v per batch gives
 * θ_k > p ⟺ v < q_k(p), so the shared threshold is the shared uniform v
 * compared with each sample's q; the first batch uses θ = 0.5, as
 * Algorithm 1 initialises it (its uniform is drawn and unused, so that
 * the stream stays aligned with hil-f's from the second batch on).
 *
 * Feedback applies each outcome's offload and accept costs in order (the
 * full-feedback costs: these learners need `feedback: full`).
 */
#ifndef HISIM_FORECASTER_H
#define HISIM_FORECASTER_H

#include "policies/expweights.h"
#include "policies/policy.h"

struct forecaster {
    struct expw *w;
    gsl_rng *rng;          /* borrowed from the engine */
    double eta;
    double lambda_min;
    size_t batch;          /* M */
    int shared;            /* one threshold per batch */
    double v;              /* the batch's uniform (shared) */
};

/* Sets up weights over env->conf, λ_min, M = batch and η: env->eta when
 * given, else √(8 ln(1/λ_min)/(n·M)), the minimiser of 002 eq. (4)
 * (M = 1 for hil-f).  shared: one threshold per batch. */
int forecaster_init(struct forecaster *f, const struct hi_policy_env *env, size_t batch,
                    int shared, struct hi_error *err);

/* The policy methods; st is a struct forecaster. */
struct hi_action forecaster_decide(void *st, const struct hi_view *v, double *q_off);
void forecaster_feedback(void *st, const struct hi_outcome *o, size_t n);
void forecaster_fini(void *st);

#endif
