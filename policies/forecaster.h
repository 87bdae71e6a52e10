/*
 * forecaster.h — the exponentially weighted forecaster over thresholds
 * that hil-f and batch-hi share (002 §II–III).
 *
 * State: the weights (expweights.h), the policy's RNG stream, η and
 * λ_min.  A decision draws one uniform and offloads iff it is below
 * q_t = expw_q_offload; feedback applies each outcome's offload and
 * accept costs in order.  hil-f is this forecaster with M = 1; batch-hi
 * decides M samples per batch on the same weights (the engine hands the
 * batch's outcomes to feedback at once).  The two policies differ only
 * in their checks on M and their default η.
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
};

/* Sets up weights over the trace's confidences, λ_min, M = batch and η:
 * env->eta when given, else √(8 ln(1/λ_min)/(n·M)), the minimiser of
 * 002 eq. (4) (M = 1 for hil-f). */
int forecaster_init(struct forecaster *f, const struct hi_policy_env *env, size_t batch,
                    struct hi_error *err);

/* The policy methods; st is a struct forecaster. */
enum hi_choice forecaster_decide(void *st, const struct hi_sample *s, double *q_off);
void forecaster_feedback(void *st, const struct hi_outcome *o, size_t n);
void forecaster_fini(void *st);

#endif
