/* regret.c — hindsight-optimal fixed threshold by per-interval sums. */
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
    size_t i, k = 0;
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
    r->sums = calloc(k + 2, sizeof *r->sums);    /* all-zero bytes: ksums of 0 */
    r->suffix = calloc(k + 2, sizeof *r->suffix);
    if (!r->sums || !r->suffix)
        goto fail;
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
    free(r->sums);
    free(r->suffix);
    memset(r, 0, sizeof *r);
}

void
regret_add(struct regret *r, size_t row)
{
    struct regret_leaf *l = &r->sums[r->leaf_of[row]];
    ksum_add(&l->off, cost_offload(&r->cost, r->trace, row));
    ksum_add(&l->acc, cost_accept(&r->cost, r->trace, row));
}

double
regret_best(const struct regret *r, double *theta)
{
    /* leaf j costs Σ_{m ≤ j} off[m] + Σ_{m > j} acc[m]; leaf 0 is θ = 0
     * and is left out when v_1 = 0, leaf k is 1⁺ and is left out when
     * v_k = 1 */
    size_t j, best_j = 0, first = r->v[0] == 0.0 ? 1 : 0;
    size_t last = r->v[r->k - 1] == 1.0 ? r->k - 1 : r->k;
    struct ksum pre = KSUM_ZERO;
    double best = INFINITY;

    /* suffix[j] = Σ_{m > j} acc[m], for j = k down to 0 */
    ksum_init(&r->suffix[r->k]);
    for (j = r->k; j-- > 0;) {
        r->suffix[j] = r->suffix[j + 1];
        ksum_merge(&r->suffix[j], &r->sums[j + 1].acc);
    }
    for (j = 0; j <= last; j++) {
        struct ksum leaf;
        double v;
        ksum_merge(&pre, &r->sums[j].off);   /* sums[0] is 0 */
        if (j < first)
            continue;
        leaf = pre;
        ksum_merge(&leaf, &r->suffix[j]);
        v = ksum_value(&leaf);
        if (v < best) {
            best = v;
            best_j = j;
        }
    }
    if (theta) {
        if (best_j == 0)
            *theta = 0.0;
        else if (best_j < r->k)
            *theta = r->v[best_j];
        else
            *theta = r->v[r->k - 1] < 1.0 ? 1.0 : cost_theta_all();
    }
    return best;
}
