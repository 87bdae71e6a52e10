/*
 * regret.h — the best fixed threshold in hindsight, for regret curves.
 *
 * The thresholds that matter are the intervals between the trace's
 * sorted distinct confidences v_1 < … < v_k: leaf 0 is θ ∈ [0, v_1]
 * (accept everything), leaf j is θ ∈ (v_j, v_{j+1}] (offload p ≤ v_j),
 * leaf k offloads every sample.  A sample with p = v_m costs its accept
 * cost on leaves j < m and its offload cost on leaves j ≥ m, so the cost
 * of leaf j is  Σ_{m ≤ j} OFF[m] + Σ_{m > j} ACC[m],  with OFF[m] and
 * ACC[m] the summed offload and accept costs of the samples at v_m.
 * Adding a sample is O(1); the optimum is one suffix and one prefix scan,
 * O(k).  Every sum is compensated (traces/ksum.h) and no cost difference
 * is ever rounded, so the best cost is the correctly rounded total of the
 * best threshold's costs: a fixed threshold at θ* summed with a ksum in
 * any order gives exactly the same double (regret exactly 0).  A regret curve of C
 * checkpoints over n samples costs O(n + C·k): linear in the run.
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
#include "traces/ksum.h"
#include "traces/trace.h"

struct regret {
    const struct hi_trace *trace;
    struct hi_cost cost;
    double *v;          /* sorted distinct confidences, k of them */
    size_t k;
    size_t *leaf_of;    /* trace row -> m (index of its p among v, 1-based) */
    struct regret_leaf {
        struct ksum off;  /* summed offload cost of the samples at v_m */
        struct ksum acc;  /* summed accept cost */
    } *sums;            /* sums[m], m = 1..k: one cache line per sample added */
    struct ksum *suffix;  /* scratch of regret_best: Σ_{m > j} acc[m] */
};

/* 0, or HI_EINTERNAL when memory runs out. */
int regret_init(struct regret *r, const struct hi_trace *t, const struct hi_cost *c);
void regret_fini(struct regret *r);

/* Adds the costs of trace row `row` to every threshold.  O(1). */
void regret_add(struct regret *r, size_t row);

/* The total cost of the best fixed threshold over the rows added so far,
 * and (if theta is not NULL) the smallest θ attaining it, as
 * cost_best_threshold reports it.  O(k). */
double regret_best(const struct regret *r, double *theta);

#endif
