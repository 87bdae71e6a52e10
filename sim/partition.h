/*
 * partition.h — the two partitioning problems of distributed DNN inference
 * (HiDP, 004 §III), as exact optimisations over abstract resources.
 *
 * Model partitioning (partition_chain): layers (first, last] of a DNN are
 * cut into contiguous blocks; block t runs on resource r_t, every resource
 * at most once, in any order.  The input sits on the `origin` resource and
 * the output must return there.  A plan's time is
 *
 *     SUM:  move(origin, r_1, first) + sum_t run(r_t, block t)
 *           + sum_t move(r_t, r_t+1, cut_t) + move(r_m, origin, last)
 *     MAX:  the largest stage, where stage t costs its incoming move plus
 *           run(r_t, block t), and the final move back is a stage of its own
 *
 * SUM is one request's latency; MAX is the bottleneck of a pipeline (its
 * reciprocal the throughput).  The optimum is found by dynamic programming
 * over (layers done, set of resources used, last resource): exact over all
 * cuts and all orders of distinct resources, O(N^2 2^R R^2) time and
 * O(N 2^R R) memory for N layers and R resources (R <= PARTITION_MAX_RES).
 * Ties go to the plan found first in (cut, resource) order, so results are
 * deterministic.  partition_chain_max_then_sum minimises MAX, then SUM among
 * the plans whose every stage is within the optimal MAX.
 *
 * Data partitioning (partition_shares): the input is split into shares
 * s_j >= 0, sum 1; resource j given a share s_j > 0 finishes after
 * fixed_j + s_j slope_j (fixed: latencies; slope: transfer and compute per
 * unit of work); an unused resource costs nothing.  The min-max optimum
 * levels the finish times of the resources it uses ("water filling"):
 * with the usable resources sorted by fixed_j, the first m are used, where
 * m is the first count whose level T_m = (1 + sum fixed/slope) / sum 1/slope
 * does not exceed the next fixed_j.  O(R log R).  With fixed = 0 the shares
 * are proportional to 1/slope_j and T = 1 / sum_j (1/slope_j).
 */
#ifndef HISIM_PARTITION_H
#define HISIM_PARTITION_H

#include <stddef.h>
#include "traces/error.h"

#define PARTITION_MAX_RES 12

enum partition_objective { PARTITION_SUM, PARTITION_MAX };

struct partition_chain {
    size_t first, last;           /* the layers (first, last], first < last */
    size_t n_res;                 /* resources 0 .. n_res - 1 */
    size_t origin;                /* holds the input, receives the output */
    unsigned usable;              /* bit r: resource r may run a block */
    /* time of layers (a, b] on resource r (>= 0, finite or +inf) */
    double (*run)(void *ctx, size_t r, size_t a, size_t b);
    /* time to move the tensor leaving layer k (k = first: the input) from
     * resource `from` to `to`; 0 when from == to */
    double (*move)(void *ctx, size_t from, size_t to, size_t k);
    void *ctx;
};

struct partition_stage {
    size_t res, a, b;             /* layers (a, b] on res */
    double move_in, run;          /* the move into res, then its run */
};

struct partition_plan {
    double time;                  /* the objective's value */
    double sum, max;              /* both objectives of this plan */
    size_t n;                     /* stages */
    struct partition_stage st[PARTITION_MAX_RES];
    double move_out;              /* back to the origin after the last stage */
};

/* The optimal plan under `obj`.  HI_EINPUT when no resource is usable or
 * n_res > PARTITION_MAX_RES; HI_EINTERNAL when memory runs out.  When every
 * plan has infinite time, out->time is +inf and out->n is 0. */
int partition_chain_solve(const struct partition_chain *p, enum partition_objective obj,
                          struct partition_plan *out, struct hi_error *err);

/* MAX first, then SUM among the plans whose stages all stay within the
 * optimal MAX (a pipelined plan of the least latency among the fastest). */
int partition_chain_max_then_sum(const struct partition_chain *p, struct partition_plan *out,
                                 struct hi_error *err);

/* The optimal shares (share[j] = 0 for unusable j); returns the level T.
 * slope_j > 0 for usable j; +inf when nothing is usable. */
double partition_shares(size_t n, const double *fixed, const double *slope, const unsigned char *usable,
                        double *share);

/* The finish time max_j {fixed_j + s_j slope_j : s_j > 0} of given shares. */
double partition_shares_time(size_t n, const double *fixed, const double *slope, const double *share);

#endif
