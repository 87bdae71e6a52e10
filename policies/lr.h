/*
 * lr.h — the binary logistic-regression decision module of 001 (§2, §3.4.2,
 * after Behera et al.): it learns from the two largest softmax values
 * whether the local inference is right, and the device accepts the local
 * answer iff the module says so.
 *
 *   z = w0 + w1·p + w2·p2,   P(right | p, p2) = σ(z) = 1/(1 + e^−z)
 *   accept iff σ(z) ≥ cut  (⇔ z ≥ ln(cut/(1 − cut)); cut 0.5: z ≥ 0)
 *
 * The fit is maximum likelihood on labels c_i = 1 when the local model is
 * right, by damped Newton (IRLS): w ← w + α·H⁻¹g, α halved until the
 * penalised likelihood does not fall, with the score
 * g = Xᵀ(c − σ) − λ(0, w1, w2) and H = XᵀWX + λ·diag(0, 1, 1),
 * W = diag(σ(1 − σ)).  H is solved by GSL's SVD with singular values below
 * 1e-12 of the largest dropped, so collinear features (p2 ∝ p) give the
 * minimum-norm step and a unique z.  At the optimum the score equations
 * Σ(c − σ) = Σ(c − σ)p = Σ(c − σ)p2 = 0 hold (λ = 0).  Separable data
 * have no finite MLE: the fit stops once the log-likelihood is within
 * 1e-10 of 0 (or the weights pass 1e6, or 200 iterations) and says so.
 * O(n) per iteration, a few dozen iterations.
 */
#ifndef HISIM_LR_H
#define HISIM_LR_H

#include <stddef.h>
#include "traces/error.h"

struct hi_policy_env;

struct lr_fit {
    double w[3];          /* w0, w1, w2 */
    unsigned iterations;
    int separable;        /* stopped on diverging weights */
    double loglik;        /* log-likelihood at w (without the penalty) */
};

/* Fits on n samples: features p[i], p2[i] (p2 may be NULL: w2 = 0, the
 * one-feature model), labels right[i] ∈ {0, 1}; l2 = λ ≥ 0 on w1, w2.
 * HI_EINPUT when the labels are all equal (nothing to learn) or n = 0. */
int lr_fit(const double *p, const double *p2, const unsigned char *right, size_t n, double l2,
           struct lr_fit *out, struct hi_error *err);

/* σ(w0 + w1 p + w2 p2) ≥ cut, as z ≥ logit(cut) (no overflow). */
int lr_accepts(const double w[3], double cut, double p, double p2);

/* The log-likelihood Σ c ln σ + (1 − c) ln(1 − σ) at w. */
double lr_loglik(const double w[3], const double *p, const double *p2, const unsigned char *right, size_t n);

/* The module as policies use it: coefficients given (policy.lr_w) or
 * fitted on held-out samples (lr.c says which), on the columns of the
 * S-ML (exit 0) or of early exit `exit`. */
struct lr_module {
    double w[3];
    double cut;               /* policy.lr_cut */
    unsigned exit;
    int given, in_sample, one_feature;
    struct lr_fit fit;
    char source[160];         /* where the fit came from, for the summary */
};

int lr_module_init(struct lr_module *m, const struct hi_policy_env *env, const char *name, unsigned exit,
                   struct hi_error *err);
void lr_module_describe(const struct lr_module *m, char *buf, size_t len);

#endif
