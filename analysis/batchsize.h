/*
 * batchsize.h — the optimal batch size of Batch HI (002 §III-B).
 *
 * With offload ratio ρ, S-ML time τed, L-ML time τes, per-sample
 * transmission time τtx and network delay τnw per batch (any one time
 * unit):
 *   t_s(M) = τed + ρ(τes + τtx) + τnw/M                         002 eq. (6)
 *   t_r(M) = M[ρ(1−ρ/2)τed + ρ²(τes+τtx)] + ρτnw + (1−ρ/2)τed    002 eq. (7)
 *   f(M)   = α t_s(M) + (1−α) t_r(M)                            002 eq. (8)
 *   M†     = √(α τnw / ((1−α)[ρ(1−ρ/2)τed + ρ²(τes+τtx)]))      002 eq. (9)
 * and M* is the better of ⌊M†⌋ and ⌈M†⌉ (at least 1).  t_r is a worst
 * case: all offloaded samples at the start of the batch.
 */
#ifndef HISIM_BATCHSIZE_H
#define HISIM_BATCHSIZE_H

#include <stddef.h>

#include "sim/config.h"
#include "traces/error.h"
#include "traces/trace.h"

struct batchsize_in {
    double rho, tau_ed, tau_es, tau_tx, tau_nw, alpha;
};

struct batchsize_out {
    double m_dagger;     /* relaxed optimum; +inf when f decreases forever */
    double m_star;       /* integer optimum, >= 1; +inf as m_dagger */
    double f, t_s, t_r;  /* at m_star (limits when infinite) */
    int no_offload;      /* rho = 0: M† undefined, every M equal */
};

double batchsize_ts(const struct batchsize_in *in, double M);
double batchsize_tr(const struct batchsize_in *in, double M);
double batchsize_f(const struct batchsize_in *in, double M);

/* Fills out; ties between ⌊M†⌋ and ⌈M†⌉ keep the smaller. */
void batchsize_optimal(const struct batchsize_in *in, struct batchsize_out *out);

/* The inputs of a scenario, in milliseconds: τed, τes and τnw from the
 * device, server and network keys, τtx from the mean payload (trace
 * bytes column, else network.bytes) at network.rate_mbps, α from
 * batch.alpha, ρ from batch.rho or, when 'auto', the offload ratio of the
 * trace at θ* for the scenario's cost. */
int batchsize_from_config(const struct hi_config *cfg, const struct hi_trace *t,
                          struct batchsize_in *in, struct hi_error *err);

/* Replaces policy.batch = auto (0) in cfg by M* for the scenario, capped
 * at the run's length; leaves a number alone.  Returns the M* used in
 * *m_star (NAN when the batch was given). */
int batchsize_resolve(struct hi_config *cfg, const struct hi_trace *t, double *m_star,
                      struct hi_error *err);

#endif
