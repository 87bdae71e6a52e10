/* quantile.c — exact selection, then a log-bucket histogram. */
#include "sim/quantile.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int
quantile_init(struct quantile *q, size_t exact_max)
{
    assert(exact_max >= 1);
    memset(q, 0, sizeof *q);
    q->exact_max = exact_max;
    q->min = INFINITY;
    q->max = -INFINITY;
    q->last_x = NAN;
    q->log_gamma = log((1.0 + QUANTILE_REL_ERROR) / (1.0 - QUANTILE_REL_ERROR));
    return 0;
}

void
quantile_fini(struct quantile *q)
{
    free(q->v);
    free(q->counts);
    memset(q, 0, sizeof *q);
}

int
quantile_is_exact(const struct quantile *q)
{
    return !q->hist;
}

/* The bucket of x > 0: the i with γ^(i−1) < x ≤ γ^i. */
static int64_t
bucket_of(const struct quantile *q, double x)
{
    return (int64_t)ceil(log(x) / q->log_gamma);
}

/* The value bucket i stands for: 2γ^i/(γ + 1), within α of (γ^(i−1), γ^i]. */
static double
bucket_value(const struct quantile *q, int64_t i)
{
    double g = exp(q->log_gamma);
    return 2.0 * exp((double)i * q->log_gamma) / (g + 1.0);
}

/* Counts x in the histogram, growing it to cover x's bucket. */
static int
hist_add(struct quantile *q, double x)
{
    int64_t i;
    if (x == 0.0) {
        q->zeros++;
        return 0;
    }
    if (x == q->last_x) {           /* repeated values are common: skip the log */
        q->counts[q->last_i - q->lo]++;
        return 0;
    }
    i = bucket_of(q, x);
    if (!q->counts) {
        q->counts = calloc(64, sizeof *q->counts);
        if (!q->counts)
            return -1;
        q->nb = 64;
        q->lo = i - 32;
    }
    if (i < q->lo || i >= q->lo + (int64_t)q->nb) {
        /* grow to cover [min(lo, i), max(hi, i + 1)) with slack */
        int64_t lo = i < q->lo ? i - (int64_t)q->nb / 2 : q->lo;
        int64_t hi = i >= q->lo + (int64_t)q->nb ? i + 1 + (int64_t)q->nb / 2 : q->lo + (int64_t)q->nb;
        size_t nb = (size_t)(hi - lo);
        uint64_t *c = calloc(nb, sizeof *c);
        if (!c)
            return -1;
        memcpy(c + (q->lo - lo), q->counts, q->nb * sizeof *c);
        free(q->counts);
        q->counts = c;
        q->nb = nb;
        q->lo = lo;
    }
    q->counts[i - q->lo]++;
    q->last_x = x;
    q->last_i = i;
    return 0;
}

int
quantile_add(struct quantile *q, double x)
{
    assert(x >= 0.0 && isfinite(x));
    if (!q->hist && q->n == q->exact_max) {
        /* switch: every kept value moves into the histogram */
        size_t k;
        q->hist = 1;
        for (k = 0; k < q->n; k++)
            if (hist_add(q, q->v[k])) {
                free(q->counts);
                q->counts = NULL;
                q->nb = 0;
                q->zeros = 0;
                q->hist = 0;
                q->last_x = NAN;
                return -1;
            }
        free(q->v);
        q->v = NULL;
        q->cap = 0;
    }
    if (q->hist) {
        if (hist_add(q, x))
            return -1;
    } else {
        if (q->n == q->cap) {
            size_t cap = q->cap ? 2 * q->cap : 1024;
            double *v;
            if (cap > q->exact_max)
                cap = q->exact_max;
            v = realloc(q->v, cap * sizeof *v);
            if (!v)
                return -1;
            q->v = v;
            q->cap = cap;
        }
        q->v[q->n] = x;
    }
    q->n++;
    if (x < q->min)
        q->min = x;
    if (x > q->max)
        q->max = x;
    return 0;
}

/* Rearranges a[0..n) so that a[k] is the k-th smallest, smaller ones
 * before it and larger after (Hoare's selection, median-of-three
 * pivots): O(n) on average, where a full sort is O(n log n). */
static double
select_kth(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
        double x = a[lo], y = a[mid], z = a[hi], pivot;
        pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        while (i <= j) {
            double t;
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* The r-th smallest value (0-based) from the histogram. */
static double
hist_rank(const struct quantile *q, uint64_t r)
{
    uint64_t seen = q->zeros;
    size_t b;
    double v;
    if (r < seen)
        return 0.0;
    for (b = 0; b < q->nb; b++) {
        seen += q->counts[b];
        if (r < seen)
            break;
    }
    assert(b < q->nb);
    v = bucket_value(q, q->lo + (int64_t)b);
    return v < q->min ? q->min : v > q->max ? q->max : v;
}

double
quantile_get(struct quantile *q, double p)
{
    double pos, lo_v, hi_v;
    uint64_t lo;
    assert(p >= 0.0 && p <= 1.0);
    if (q->n == 0)
        return NAN;
    pos = p * (double)(q->n - 1);
    lo = (uint64_t)floor(pos);
    if (q->hist) {
        lo_v = hist_rank(q, lo);
        hi_v = lo + 1 < q->n ? hist_rank(q, lo + 1) : lo_v;
    } else {
        size_t n = (size_t)q->n, i;
        lo_v = select_kth(q->v, n, (size_t)lo);
        if (lo + 1 >= n)
            return lo_v;
        hi_v = q->v[lo + 1];
        for (i = (size_t)lo + 2; i < n; i++)   /* the next order statistic: the
                                                 * smallest of the upper part */
            if (q->v[i] < hi_v)
                hi_v = q->v[i];
    }
    return lo_v + (pos - (double)lo) * (hi_v - lo_v);
}
