/*
 * amr2.h — AMR², accuracy maximisation under a makespan budget by LP
 * relaxation and rounding (Fresa & Champati; 000 §5 (2) OMA follows it).
 *
 * n inference jobs are at the edge device at t = 0.  Each runs either on
 * one of m device models j (time p_j, accuracy a_j) or on the edge server
 * (time c_i of its offload, accuracy a_es).  The device and the offload
 * path work in parallel (or, `sequential`, one after the other).  The
 * integer program
 *
 *   max  Σ_i Σ_j a_j x_ij + a_es Σ_i x_i,es
 *   s.t. Σ_i Σ_j p_j x_ij ≤ T             (device)
 *        Σ_i c_i x_i,es ≤ T               (offload path)
 *        [sequential: the two sums together ≤ T]
 *        Σ_j x_ij + x_i,es = 1,  x ∈ {0, 1}
 *
 * is relaxed to x ∈ [0, 1] and solved with GLPK's simplex.  Jobs with the
 * same c_i form a group whose variables count jobs, so 000's n = 10⁴
 * identical samples are one group of m + 1 columns.  A basic optimum has at
 * most two jobs split between options (n + 2 rows: each job needs one basic
 * column, two are left; one job when sequential, n + 1 rows).  Rounding:
 * the integral parts stay; a split job
 * goes to the most accurate option that keeps every load within T; when
 * none does, a job split among device models only goes to the fastest of
 * them (no load grows), the first job with a server share to the server
 * and the second to the fastest device model it uses.  Each resource then
 * gains at most one job, so with every p_j, c_i ≤ T the makespan is at
 * most T + max(p, c) ≤ 2T (sequential: one split job, the same bound),
 * and the total accuracy is at least the LP
 * bound (≥ the integer optimum A*) less two jobs' accuracy: ≥ A* − 2·max a.
 * docs/baselines.md has the argument.
 *
 * Built without GLPK (./configure found no libglpk), amr2_solve returns
 * HI_EINPUT saying so and amr2_available() is 0.
 */
#ifndef HISIM_AMR2_H
#define HISIM_AMR2_H

#include <stddef.h>
#include "traces/error.h"

struct amr2_model {
    double time_s;         /* p_j per job */
    double accuracy;       /* a_j */
};

struct amr2_problem {
    size_t n_groups;
    const size_t *count;       /* jobs per group */
    const double *es_time_s;   /* c of a job of the group */
    size_t m;                  /* device models (≥ 0) */
    const struct amr2_model *models;
    double es_accuracy;
    double T;                  /* makespan budget, s */
    int sequential;
};

struct amr2_plan {
    /* jobs of group g on option j: assign[g·(m+1) + j]; j = m is the server */
    size_t *assign;
    double *lp;                /* the LP's (fractional) counts, same layout */
    double lp_accuracy;        /* LP bound on the total accuracy */
    double accuracy;           /* total accuracy of the rounded plan */
    double device_s, es_s;     /* loads of the rounded plan */
    double makespan_s;         /* max of the loads (sum when sequential) */
    size_t rounded;            /* jobs placed by rounding */
};

/* 1 when hisim was built with GLPK. */
int amr2_available(void);

/* Solves p into out (free with amr2_plan_free).  HI_EINPUT when the LP has
 * no solution (T too small even fractionally) or GLPK is not built in;
 * HI_EINTERNAL on a solver failure or no memory. */
int amr2_solve(const struct amr2_problem *p, struct amr2_plan *out, struct hi_error *err);
void amr2_plan_free(struct amr2_plan *plan);

#endif
