/* forecaster.c — the exponentially weighted forecaster of hil-f and batch-hi. */
#include "policies/forecaster.h"

#include <assert.h>
#include <math.h>

int
forecaster_init(struct forecaster *f, const struct hi_policy_env *env, size_t batch,
                int shared, struct hi_error *err)
{
    size_t n = env->n ? env->n : 1;
    if (env->feedback != FEEDBACK_FULL)
        return error_set(err, HI_EINPUT, "feedback: this policy learns from the correctness of accepted "
                         "samples too and needs 'feedback: full' (hil-n learns from offloaded samples only)");
    f->batch = batch;
    f->shared = shared;
    f->lambda_min = cost_lambda_min_of(env->conf, env->rows);
    if (isnan(f->lambda_min))
        return error_set(err, HI_EINTERNAL, "out of memory");
    /* 002 eq. (4): R ≤ ln(1/λ_min)/η + η·n·M/8, least at this η, which
     * gives eq. (5): R ≤ √(n·M·ln(1/λ_min)/2) */
    f->eta = isnan(env->eta) ? sqrt(8.0 * log(1.0 / f->lambda_min) / ((double)n * (double)batch)) : env->eta;
    f->rng = env->rng;
    f->w = expw_new(env->conf, env->rows);
    if (!f->w)
        return error_set(err, HI_EINTERNAL, "out of memory (%zu confidences)", env->rows);
    return HI_OK;
}

struct hi_action
forecaster_decide(void *st, const struct hi_view *v, double *q_off)
{
    struct forecaster *f = st;
    double q, u;
    assert(v->stage == HI_STAGE_SML);
    q = expw_q_offload_at(f->w, expw_index_of_row(f->w, v->row));
    if (!f->shared) {
        /* one uniform per decision, always: hil-f and batch-hi with M = 1
         * draw the same numbers */
        *q_off = q;
        return hi_act(gsl_rng_uniform(f->rng) < q ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
    }
    if (v->t % f->batch == 0)
        f->v = gsl_rng_uniform(f->rng);
    if (v->t < f->batch) {
        /* 002 Algorithm 1: the first batch uses the initial θ = 0.5 */
        int off = v->p < 0.5;
        *q_off = off;
        return hi_act(off ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
    }
    u = f->v;
    *q_off = q;
    return hi_act(u < q ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
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
