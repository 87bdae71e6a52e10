/* regret.c — hindsight-optimal fixed threshold by a min segment tree. */
#include "sim/regret.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline double
min2(double a, double b)
{
    return a < b ? a : b;
}

/* Index of p in v[0..k) (exists by construction). */
static size_t
locate(const double *v, size_t k, double p)
{
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int
regret_init(struct regret *r, const struct hi_trace *t, const struct hi_cost *c)
{
    size_t i, k = 0, leaves;
    memset(r, 0, sizeof *r);
    r->trace = t;
    r->cost = *c;
    r->v = malloc((t->n ? t->n : 1) * sizeof *r->v);
    r->leaf_of = malloc((t->n ? t->n : 1) * sizeof *r->leaf_of);
    if (!r->v || !r->leaf_of)
        goto fail;
    memcpy(r->v, t->sml_conf, t->n * sizeof *r->v);
    qsort(r->v, t->n, sizeof *r->v, cmp_double);
    for (i = 0; i < t->n; i++)
        if (k == 0 || r->v[i] != r->v[k - 1])
            r->v[k++] = r->v[i];
    r->k = k;
    for (i = 0; i < t->n; i++)
        r->leaf_of[i] = locate(r->v, k, t->sml_conf[i]) + 1;
    leaves = k + 1;
    for (r->size = 1; r->size < leaves; r->size *= 2)
        ;
    r->min = calloc(2 * r->size, sizeof *r->min);
    r->add = calloc(2 * r->size, sizeof *r->add);
    if (!r->min || !r->add)
        goto fail;
    /* leaves past k are not thresholds: keep them out of every minimum;
     * so are the thresholds of zero measure, which no learner's expert
     * covers: θ = 0 when some p = 0 (the point [0, 0]) and 1⁺ when some
     * p = 1 (outside [0, 1]).  +inf stays +inf under every addition. */
    for (i = leaves; i < r->size; i++)
        r->min[r->size + i] = INFINITY;
    if (r->v[0] == 0.0)
        r->min[r->size + 0] = INFINITY;
    if (r->v[k - 1] == 1.0)
        r->min[r->size + k] = INFINITY;
    for (i = r->size - 1; i >= 1; i--)
        r->min[i] = min2(r->min[2 * i], r->min[2 * i + 1]);
    return HI_OK;
fail:
    regret_fini(r);
    return HI_EINTERNAL;
}

void
regret_fini(struct regret *r)
{
    free(r->v);
    free(r->leaf_of);
    free(r->min);
    free(r->add);
    memset(r, 0, sizeof *r);
}

/* Adds x to node i: its minimum, and the pending addition of its subtree. */
static inline void
apply(struct regret *r, size_t i, double x)
{
    r->min[i] += x;
    if (i < r->size)
        r->add[i] += x;
}

/* Recomputes the minima on the path from node i to the root. */
static inline void
pull(struct regret *r, size_t i)
{
    for (i >>= 1; i >= 1; i >>= 1)
        r->min[i] = min2(r->min[2 * i], r->min[2 * i + 1]) + r->add[i];
}

/* Adds x to leaves [lo, size): bottom-up, O(log size).  Leaves past k
 * hold +inf and stay there. */
static void
suffix_add(struct regret *r, size_t lo, double x)
{
    size_t l = lo + r->size, h = 2 * r->size, l0 = l;
    while (l < h) {
        if (l & 1)
            apply(r, l++, x);
        if (h & 1)
            apply(r, --h, x);
        l >>= 1;
        h >>= 1;
    }
    pull(r, l0);
}

/* A sample with p = v_m costs accept on leaves j < m and offload on j >= m:
 * accept everywhere (the offset `base`) plus (offload − accept) on the
 * suffix. */
void
regret_add(struct regret *r, size_t row)
{
    size_t m = r->leaf_of[row];
    double off = cost_offload(&r->cost, r->trace, row);
    double acc = cost_accept(&r->cost, r->trace, row);
    r->base += acc;
    if (off != acc)
        suffix_add(r, m, off - acc);
}

double
regret_best(const struct regret *r, double *theta)
{
    if (theta) {
        /* descend to the leftmost leaf attaining the minimum: siblings
         * share their ancestors' additions, so comparing their own minima
         * is exact */
        size_t node = 1, j;
        while (node < r->size)
            node = r->min[2 * node] <= r->min[2 * node + 1] ? 2 * node : 2 * node + 1;
        j = node - r->size;
        if (j == 0)
            *theta = 0.0;
        else if (j < r->k)
            *theta = r->v[j];
        else
            *theta = r->v[r->k - 1] < 1.0 ? 1.0 : cost_theta_all();
    }
    return r->min[1] + r->base;
}
