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
 *
 * The reference computation keeps OFF and ACC as compensated sums
 * (traces/ksum.h) and scans the leaves: one suffix and one prefix pass,
 * O(k) per query.  No cost difference is ever rounded, so the best cost is
 * the correctly rounded total of the best threshold's costs: a fixed
 * threshold at θ* summed with a ksum in any order gives exactly the same
 * double (regret exactly 0).
 *
 * The fast computation gives the same doubles in O(1) per sample added
 * and O(log k) per query and leaf changed since the last one: the costs
 * are integers in units of 2^-E (E chosen so that every cost seen is
 * one), so ACC_total + Σ_{m ≤ j} (OFF[m] − ACC[m]) is exact in 128-bit
 * integers, and a segment tree over blocks of REGRET_BLOCK leaves keeps
 * the least prefix sum.  While every sum stays small enough (2·adds +
 * 2k + 3 times the total of all costs below 2^105 units), the
 * reference's Neumaier sums are provably exact too — each error term and
 * each addition to the compensation is a multiple of 2^-E below 2^53
 * units — so the reference's leaf costs are the correctly rounded exact
 * ones; the fast query rounds the exact minimum the same way and returns
 * the first leaf whose rounded cost equals it, as the reference scan
 * does.  Beyond those bounds (5·10^7 samples at β = 0.3, 2·10^6 at
 * β = 10^-4 on the Fashion-MNIST trace: the finer β's binary fraction,
 * the sooner), for a cost that is no such integer (negative, not finite,
 * or 2^104 units apart from the others), or without a 128-bit integer
 * type, the reference runs.  The per-leaf compensated sums are kept
 * throughout, so the switch is seamless.
 *
 * The sort of the confidences comes from the trace (hi_trace.sorted,
 * built once when it is read and shared by all runs); a trace without one
 * is sorted here.  A regret curve of C checkpoints over n samples costs
 * O(n log k + C) on the fast path (O(n + C·k) when n ≫ C·k: each query
 * then rebuilds the tree), O(n + C·k) on the reference.
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
#include "traces/confsort.h"
#include "traces/cost.h"
#include "traces/ksum.h"
#include "traces/trace.h"

#if defined(__SIZEOF_INT128__)
#define REGRET_EXACT 1
typedef __int128 regret_int;
#else
#define REGRET_EXACT 0
typedef long long regret_int;    /* unused: the reference always runs */
#endif

struct regret {
    const struct hi_trace *trace;
    struct hi_cost cost;
    const struct confsort *sort;  /* the trace's, or own */
    struct confsort *own;
    const double *v;              /* sort->v: sorted distinct confidences, k of them */
    size_t k;
    const size_t *leaf_of;        /* sort->rank: trace row -> m (1-based) */
    struct regret_leaf {
        struct ksum off;     /* summed offload cost of the samples at v_m */
        struct ksum acc;     /* summed accept cost */
    } *leaf;                 /* leaf[m], m = 1..k: the one cache line a sample touches */
    struct ksum *suffix;     /* scratch of the reference scan: Σ_{m' > m} acc[m'] */
    /* While the fast path holds, a sample only counts its row; the
     * leaves' compensated sums get those rows' costs when the reference
     * needs them (regret_sync_leaves): their adds are exact then, so
     * adding later, grouped by row, gives the same sums, and a sample
     * touches no leaf. */
    uint32_t *count;         /* per trace row, samples not yet in `leaf` */
    size_t counted;          /* Σ count */
    size_t adds;

    /* the fast path; exact = 0 once it no longer applies */
    int exact;
    int scale;            /* E: values are integers × 2^-E */
    struct regret_fixed {
        double d;
        regret_int f;     /* d × 2^E */
    } tab[4];             /* costs seen, as integers */
    size_t n_tab;
    regret_int *d;        /* d[m] = OFF[m] − ACC[m], m = 1..last */
    regret_int base;      /* Σ_m ACC[m] */
    regret_int mass;      /* Σ over the samples of |off| + |acc| */
    size_t first, last;   /* the leaves compared: j ∈ [first, last] */
    size_t blocks;        /* blocks of REGRET_BLOCK leaves covering 1..last */
    size_t size;          /* leaves of the tree: a power of two ≥ blocks */
    struct regret_node {
        regret_int sum;   /* Σ d[m] over the node's leaves */
        regret_int min;   /* the least prefix sum within the node (nonempty) */
    } *node;              /* node[1] is the root, block b is node[size + b] */
    struct regret_change {
        size_t m;
        regret_int delta;
    } *pending;           /* changes of d since the last query, not yet in d */
    size_t n_pending, cap_pending;
    size_t *dirty;        /* scratch of the query: the nodes to recompute */
    unsigned *mark;       /* per node: the query that last recomputed it */
    unsigned stamp;
    int rebuild;          /* too many changes: d is updated at once, and the
                           * next query rebuilds every block and the tree */

    /* Deferred adds.  A row's two costs depend only on its class (y_sml,
     * y_lml, relevant: 8 classes); once a class's costs are integers of
     * the table, a sample of it only counts its row (and is listed while
     * few are), and the integers take the deferred samples at the next
     * query, or before a sample that is not deferred (fold).  Exact sums
     * do not depend on the grouping, and at most `defer_left` samples wait
     * — fewer than would take `mass` to its limit — so the result is that
     * of adding each sample at once. */
    unsigned char *cls;       /* per row: its class; NULL when some row's costs are not its class's */
    struct regret_class {
        double off, acc;      /* the class's costs */
        int ready;            /* both are integers of tab: */
        unsigned t_off, t_acc;    /* their entries */
    } klass[8];
    uint32_t *folded;         /* per row: its samples in the integers */
    uint32_t *defer_rows;     /* the deferred samples' rows, while at most cap_defer */
    size_t n_defer, cap_defer, defer_left;
};


/* Leaves per block of the tree (its leaves are blocks, scanned whole). */
#define REGRET_BLOCK 8

/* A hint: the next sample to add is of this row. */
static inline void
regret_prefetch(const struct regret *r, size_t row)
{
    __builtin_prefetch(&r->leaf_of[row]);
    if (r->cls)
        __builtin_prefetch(&r->cls[row]);
    if (r->count)
        __builtin_prefetch(&r->count[row], 1);
}

/* 0, or HI_EINTERNAL when memory runs out. */
int regret_init(struct regret *r, const struct hi_trace *t, const struct hi_cost *c);
void regret_fini(struct regret *r);

/* Adds the costs of trace row `row` to every threshold.  O(1). */
void regret_add(struct regret *r, size_t row);

/* The total cost of the best fixed threshold over the rows added so far,
 * and (if theta is not NULL) the smallest θ attaining it, as
 * cost_best_threshold reports it. */
double regret_best(struct regret *r, double *theta);

/* The reference scan alone, O(k), whatever the state of the fast path
 * (for tests: the two agree to the last bit while r->exact is 1). */
double regret_best_reference(struct regret *r, double *theta);

#endif
