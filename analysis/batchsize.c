/* batchsize.c — closed forms of Batch HI, 002 eqs. (6)–(9). */
#include "analysis/batchsize.h"

#include <math.h>

#include "traces/cost.h"

/* ρ(1−ρ/2)τed + ρ²(τes+τtx): the growth of t_r per unit of M */
static double
slope(const struct batchsize_in *in)
{
    return in->rho * (1.0 - in->rho / 2.0) * in->tau_ed + in->rho * in->rho * (in->tau_es + in->tau_tx);
}

double
batchsize_ts(const struct batchsize_in *in, double M)
{
    return in->tau_ed + in->rho * (in->tau_es + in->tau_tx) + (isinf(M) ? 0.0 : in->tau_nw / M);
}

double
batchsize_tr(const struct batchsize_in *in, double M)
{
    return M * slope(in) + in->rho * in->tau_nw + (1.0 - in->rho / 2.0) * in->tau_ed;
}

double
batchsize_f(const struct batchsize_in *in, double M)
{
    /* (1−α)·t_r is written out so that α = 1 with M = ∞ stays finite */
    double tr = in->alpha < 1.0 ? (1.0 - in->alpha) * batchsize_tr(in, M) : 0.0;
    return in->alpha * batchsize_ts(in, M) + tr;
}

void
batchsize_optimal(const struct batchsize_in *in, struct batchsize_out *out)
{
    double den = (1.0 - in->alpha) * slope(in);
    double num = in->alpha * in->tau_nw;

    if (in->rho <= 0.0) {
        /* nothing is offloaded, so no batch has a transmission: t_s = t_r
         * = τed for every M (eq. (6)'s τnw/M counts transmissions that do
         * not happen).  M† is undefined; the smallest batch is as good as
         * any. */
        out->m_dagger = NAN;
        out->m_star = 1.0;
        out->t_s = out->t_r = out->f = in->tau_ed;
        out->no_offload = 1;
        return;
    }
    out->no_offload = 0;
    if (den <= 0.0 && num > 0.0) {
        out->m_dagger = out->m_star = INFINITY;
    } else if (num <= 0.0) {
        out->m_dagger = 0.0;  /* f does not decrease with M: the smallest batch */
        out->m_star = 1.0;
    } else {
        double lo, hi;
        out->m_dagger = sqrt(num / den);
        lo = floor(out->m_dagger);
        hi = ceil(out->m_dagger);
        if (lo < 1.0)
            lo = 1.0;
        if (hi < 1.0)
            hi = 1.0;
        out->m_star = batchsize_f(in, hi) < batchsize_f(in, lo) ? hi : lo;
    }
    out->t_s = batchsize_ts(in, out->m_star);
    out->t_r = isinf(out->m_star) ? INFINITY : batchsize_tr(in, out->m_star);
    out->f = batchsize_f(in, out->m_star);
}

int
batchsize_from_config(const struct hi_config *cfg, const struct hi_trace *t,
                      struct batchsize_in *in, struct hi_error *err)
{
    double bytes = cfg->network.bytes;
    size_t i;
    if (t && t->bytes) {
        bytes = 0.0;
        for (i = 0; i < t->n; i++)
            bytes += t->bytes[i];
        bytes /= (double)t->n;
    }
    in->tau_ed = cfg->device.tau_ed_ms;
    in->tau_es = cfg->server.tau_es_ms;
    in->tau_nw = cfg->network.delay_ms;
    in->tau_tx = bytes * 8.0 / (cfg->network.rate_mbps * 1e6) * 1e3;
    in->alpha = cfg->batch.alpha;
    in->rho = cfg->batch.rho;
    if (isnan(in->rho)) {
        struct hi_cost c = {cfg->cost.beta, cfg->cost.lml_error, cfg->cost.model};
        struct cost_optimum o;
        struct hi_trace v;
        int rc;
        if (!t)
            return error_set(err, HI_EINPUT, "batch.rho is 'auto' but there is no trace to estimate it from");
        if (c.model == COST_FILTER && !t->relevant)
            return error_set(err, HI_EINPUT, "cost.model: 'filter' needs a trace with a 'relevant' column");
        /* θ* on the confidence column the policies see */
        if ((rc = trace_view_confidence(t, cfg->trace.confidence[0] ? cfg->trace.confidence : "sml_conf", &v, err)))
            return rc;
        rc = cost_best_threshold(&c, &v, NULL, v.n, &o);
        trace_view_free(&v);
        if (rc)
            return error_set(err, HI_EINTERNAL, "out of memory");
        in->rho = (double)o.offloaded / (double)t->n;
    }
    return HI_OK;
}

int
batchsize_resolve(struct hi_config *cfg, const struct hi_trace *t, double *m_star,
                  struct hi_error *err)
{
    struct batchsize_in in;
    struct batchsize_out out;
    size_t n = cfg->trace.samples ? cfg->trace.samples : t->n;
    *m_star = NAN;
    if (cfg->policy.batch != 0)
        return HI_OK;
    if (batchsize_from_config(cfg, t, &in, err))
        return err ? err->status : HI_EINPUT;
    batchsize_optimal(&in, &out);
    *m_star = out.m_star;
    cfg->policy.batch = out.m_star >= (double)n ? n : (size_t)out.m_star;
    return HI_OK;
}
