/* forecaster.c — the exponentially weighted forecaster of hil-f and batch-hi. */
#include "policies/forecaster.h"

#include <math.h>

int
forecaster_init(struct forecaster *f, const struct hi_policy_env *env, size_t batch,
                struct hi_error *err)
{
    size_t n = env->n ? env->n : 1;
    f->batch = batch;
    f->lambda_min = cost_lambda_min(env->trace);
    if (isnan(f->lambda_min))
        return error_set(err, HI_EINTERNAL, "out of memory");
    /* 002 eq. (4): R ≤ ln(1/λ_min)/η + η·n·M/8, least at this η, which
     * gives eq. (5): R ≤ √(n·M·ln(1/λ_min)/2) */
    f->eta = isnan(env->eta) ? sqrt(8.0 * log(1.0 / f->lambda_min) / ((double)n * (double)batch)) : env->eta;
    f->rng = env->rng;
    f->w = expw_new(env->trace->sml_conf, env->trace->n);
    if (!f->w)
        return error_set(err, HI_EINTERNAL, "out of memory (%zu confidences)", env->trace->n);
    return HI_OK;
}

enum hi_choice
forecaster_decide(void *st, const struct hi_sample *smp, double *q_off)
{
    struct forecaster *f = st;
    double q = expw_q_offload_at(f->w, expw_index_of_row(f->w, smp->row));
    *q_off = q;
    /* one uniform per decision, always: hil-f and batch-hi with M = 1
     * draw the same numbers */
    return gsl_rng_uniform(f->rng) < q ? HI_OFFLOAD : HI_ACCEPT;
}

void
forecaster_feedback(void *st, const struct hi_outcome *o, size_t n)
{
    struct forecaster *f = st;
    size_t i;
    for (i = 0; i < n; i++)
        expw_update_at(f->w, expw_index_of_row(f->w, o[i].row), o[i].cost_offload, o[i].cost_accept, f->eta);
}

void
forecaster_fini(void *st)
{
    struct forecaster *f = st;
    expw_free(f->w);
}
