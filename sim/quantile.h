/*
 * quantile.h — a quantile of a stream of non-negative values (response
 * times) in bounded memory.
 *
 * Up to `exact_max` values are kept, and the quantile is exact: the
 * q-quantile with linear interpolation between order statistics, what
 * gsl_stats_quantile_from_sorted_data gives on the sorted values.  The
 * value that would exceed exact_max moves every value into a log-bucket
 * histogram (DDSketch, Masson et al., VLDB 2019): bucket i holds the
 * values in (γ^(i−1), γ^i] with γ = (1 + α)/(1 − α), and stands for
 * 2γ^i/(γ + 1), within a relative α = QUANTILE_REL_ERROR = 0.1% of
 * every value it holds.  Each order statistic is then known to within
 * 0.1% relative, and so is their interpolation (a convex combination of
 * positive values), so the reported quantile is within 0.1% of the exact
 * one.  Zeros are counted apart; the smallest and largest value are kept
 * exactly and clamp the result.
 *
 * Memory: 8·exact_max bytes while exact, then 8 bytes per bucket between
 * the smallest and the largest positive value seen: ln(max/min)/ln γ ≈
 * 500·ln(max/min) buckets, 110 KB for twelve decades and never more than
 * 6 MB (the whole range of doubles).  add is O(1) amortised; get is O(n)
 * while exact (selection, which reorders the kept values) and O(buckets)
 * after.
 */
#ifndef HISIM_QUANTILE_H
#define HISIM_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

#define QUANTILE_REL_ERROR 1e-3
/* The default exact_max: 2^20 values, 8 MB. */
#define QUANTILE_EXACT_MAX ((size_t)1 << 20)

struct quantile {
    size_t exact_max;
    uint64_t n;            /* values added */
    double *v;             /* the values, while n <= exact_max */
    size_t cap;
    double min, max;       /* exact extremes */
    /* the histogram, once hist is set */
    int hist;
    double log_gamma;
    int64_t lo;            /* bucket index of counts[0] */
    uint64_t *counts;
    size_t nb;
    uint64_t zeros;
    double last_x;         /* the last value counted, and its bucket */
    int64_t last_i;
};

/* exact_max >= 1.  0, or -1 when memory runs out. */
int quantile_init(struct quantile *q, size_t exact_max);
void quantile_fini(struct quantile *q);

/* Adds x >= 0 (finite; a programming error otherwise).  0, or -1 when
 * memory runs out (q is unchanged then). */
int quantile_add(struct quantile *q, double x);

/* The p-quantile, p in [0, 1]; NaN when no value was added. */
double quantile_get(struct quantile *q, double p);

/* 1 while the values are kept exactly, 0 once the histogram is used. */
int quantile_is_exact(const struct quantile *q);

#endif
