/*
 * regret.h — the best fixed threshold in hindsight, kept up to date
 * sample by sample.
 *
 * The thresholds that matter are the intervals between the trace's
 * sorted distinct confidences v_1 < … < v_k: leaf 0 is θ ∈ [0, v_1]
 * (accept everything), leaf j is θ ∈ (v_j, v_{j+1}] (offload p ≤ v_j),
 * leaf k offloads every sample.  A sample with p = v_m adds its offload
 * cost to leaves j ≥ m and its accept cost to leaves j < m: one offset
 * and one suffix addition on a segment tree that keeps the minimum, so the hindsight
 * optimum after every sample costs O(log k), and a regret curve over a
 * run of n samples costs O(n log k) in all.
 *
 * The comparator class is that of the online learners: thresholds θ in
 * [0, 1] whose interval of equal cost has positive length.  It leaves out
 * θ = 0 when some p = 0 (an isolated point) and "offload p = 1 too" (1⁺,
 * outside [0, 1]), which cost_best_threshold does consider; on traces
 * without p = 0 or p = 1 the two agree.
 */
#ifndef HISIM_REGRET_H
#define HISIM_REGRET_H

#include <stddef.h>
#include "traces/cost.h"
#include "traces/trace.h"

struct regret {
    const struct hi_trace *trace;
    struct hi_cost cost;
    double *v;          /* sorted distinct confidences, k of them */
    size_t k;
    size_t *leaf_of;    /* trace row -> m (index of its p among v, 1-based) */
    size_t size;        /* leaves in the tree: k + 1, rounded up to a power of 2 */
    double *min;        /* subtree minimum, without pending adds of ancestors */
    double *add;        /* pending addition for the whole subtree */
    double base;        /* added to every leaf: the sum of accept costs */
};

/* 0, or HI_EINTERNAL when memory runs out. */
int regret_init(struct regret *r, const struct hi_trace *t, const struct hi_cost *c);
void regret_fini(struct regret *r);

/* Adds the costs of trace row `row` to every threshold.  O(log k). */
void regret_add(struct regret *r, size_t row);

/* The total cost of the best fixed threshold over the rows added so far,
 * and (if theta is not NULL) the smallest θ attaining it, as
 * cost_best_threshold reports it.  O(log k). */
double regret_best(const struct regret *r, double *theta);

#endif
