/*
 * cost.h — the HI cost model and the best fixed threshold (design.md,
 * "Model definitions"; 000 §3, 002 §II).
 *
 * For sample i with S-ML confidence p_i the threshold rule offloads iff
 * p_i < θ.  Accepting costs ys_i (1 when the S-ML is wrong); offloading
 * costs β + c_L·yl_i, where c_L = lml_error (0 in the HIL papers, 1 in
 * 000 Table 1).
 */
#ifndef HISIM_COST_H
#define HISIM_COST_H

#include <stddef.h>
#include "traces/trace.h"

enum cost_model {
    COST_CLASSIFY = 0,  /* accept: ys; offload: β + c_L·yl */
    COST_FILTER = 1     /* accept (drop): 0; offload: β if relevant, else 1 */
};

struct hi_cost {
    double beta;       /* offloading cost β, in [0, 1] */
    double lml_error;  /* c_L: cost of a wrong L-ML answer, >= 0 */
    int model;         /* enum cost_model; COST_FILTER needs t->relevant */
};

static inline double
cost_accept(const struct hi_cost *c, const struct hi_trace *t, size_t i)
{
    return c->model == COST_FILTER ? 0.0 : (double)t->y_sml[i];
}

static inline double
cost_offload(const struct hi_cost *c, const struct hi_trace *t, size_t i)
{
    if (c->model == COST_FILTER)
        return t->relevant[i] ? c->beta : 1.0;
    return c->beta + c->lml_error * (double)t->y_lml[i];
}

/* Whether the answer to sample i is right: an offloaded sample gets the
 * L-ML's answer; an accepted one the S-ML's, or under COST_FILTER is
 * dropped, which is right only for an irrelevant sample. */
static inline int
cost_correct(const struct hi_cost *c, const struct hi_trace *t, size_t i, int offloaded)
{
    if (offloaded)
        return !t->y_lml[i];
    return c->model == COST_FILTER ? !t->relevant[i] : !t->y_sml[i];
}

/* The best fixed threshold over a multiset of rows. */
struct cost_optimum {
    double theta;        /* smallest minimiser; > 1 (1⁺) when offloading every
                          * sample, including p = 1, is strictly best */
    double cost;         /* total cost at theta */
    size_t offloaded;    /* samples with p < theta */
};

/* Exact search over the breakpoints {0, distinct p_i, 1⁺}: O(n log n).
 * rows lists the rows to use (repeats allowed); NULL means 0..t->n-1
 * (then n must be t->n).  0, or HI_EINTERNAL when memory runs out. */
int cost_best_threshold(const struct hi_cost *c, const struct hi_trace *t,
                        const size_t *rows, size_t n, struct cost_optimum *out);

/* Total cost of threshold theta over all rows: O(n). */
double cost_of_threshold(const struct hi_cost *c, const struct hi_trace *t, double theta);

/* λ_min: the smallest positive gap between distinct values of
 * {0, p_1 .. p_n, 1}.  O(n log n). */
double cost_lambda_min(const struct hi_trace *t);
/* The same over confidences p[0..n). */
double cost_lambda_min_of(const double *p, size_t n);

/* The θ that offloads every sample, p = 1 included: the double after 1. */
double cost_theta_all(void);

#endif
