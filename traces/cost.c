/* cost.c — exact best-threshold search and λ_min. */
#include "traces/cost.h"

#include <math.h>
#include <stdlib.h>

#include "traces/ksum.h"

double
cost_theta_all(void)
{
    return nextafter(1.0, 2.0);
}

double
cost_of_threshold(const struct hi_cost *c, const struct hi_trace *t, double theta)
{
    struct ksum sum = KSUM_ZERO;
    size_t i;
    for (i = 0; i < t->n; i++)
        ksum_add(&sum, t->sml_conf[i] < theta ? cost_offload(c, t, i) : cost_accept(c, t, i));
    return ksum_value(&sum);
}

struct keyed {
    double p;
    double off, acc;   /* offload and accept cost of the row */
};

static int
cmp_keyed(const void *a, const void *b)
{
    double x = ((const struct keyed *)a)->p, y = ((const struct keyed *)b)->p;
    return (x > y) - (x < y);
}

/*
 * Cost(θ) = Σ_{p_i < θ} offload_i + Σ_{p_i ≥ θ} accept_i.  Sorting by p
 * and sweeping θ upward through the distinct values moves one group of
 * equal p at a time from the accepted to the offloaded side; θ = v (a
 * distinct value) offloads exactly the rows with p < v, and 1⁺ offloads
 * all.  Both sides are compensated sums (ksum.h) of the costs themselves,
 * never of differences, so each candidate's cost is the correctly rounded
 * total, equal costs compare equal and ties keep the smallest θ.
 */
int
cost_best_threshold(const struct hi_cost *c, const struct hi_trace *t,
                    const size_t *rows, size_t n, struct cost_optimum *out)
{
    struct keyed *k = malloc((n ? n : 1) * sizeof *k);
    struct ksum *suffix = malloc((n + 1) * sizeof *suffix);  /* Σ_{i' ≥ i} acc */
    struct ksum pre = KSUM_ZERO;                             /* Σ_{i' < i} off */
    size_t i;

    if (!k || !suffix) {
        free(k);
        free(suffix);
        return HI_EINTERNAL;
    }
    for (i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        k[i].p = t->sml_conf[r];
        k[i].off = cost_offload(c, t, r);
        k[i].acc = cost_accept(c, t, r);
    }
    qsort(k, n, sizeof *k, cmp_keyed);
    ksum_init(&suffix[n]);
    for (i = n; i-- > 0;) {
        suffix[i] = suffix[i + 1];
        ksum_add(&suffix[i], k[i].acc);
    }

    out->theta = 0.0;
    out->cost = ksum_value(&suffix[0]);
    out->offloaded = 0;
    for (i = 0; i < n;) {
        double v = k[i].p;
        /* candidate θ = v: rows before i are offloaded (all have p < v) */
        if (v > 0.0) {
            struct ksum at = pre;
            double cost;
            ksum_merge(&at, &suffix[i]);
            cost = ksum_value(&at);
            if (cost < out->cost) {
                out->cost = cost;
                out->theta = v;
                out->offloaded = i;
            }
        }
        while (i < n && k[i].p == v)
            ksum_add(&pre, k[i++].off);
    }
    if (n > 0 && ksum_value(&pre) < out->cost) {
        double pmax = k[n - 1].p;
        out->cost = ksum_value(&pre);
        out->theta = pmax < 1.0 ? 1.0 : cost_theta_all();
        out->offloaded = n;
    }
    free(suffix);
    free(k);
    return HI_OK;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The same as cost_lambda_min_of over the distinct values v[0..k) in
 * increasing order, all in [0, 1]: the gaps between neighbours of
 * {0, v_1, …, v_k, 1}, the very subtractions of the full sort.  O(k). */
static double
lambda_min_sorted(const double *v, size_t k)
{
    double best = 1.0, prev = 0.0, gap;
    size_t i;
    for (i = 0; i < k; i++) {
        gap = v[i] - prev;
        if (gap > 0.0 && gap < best)
            best = gap;
        prev = v[i];
    }
    gap = 1.0 - prev;
    return gap > 0.0 && gap < best ? gap : best;
}

double
cost_lambda_min(const struct hi_trace *t)
{
    const struct confsort *s = t->sorted;
    if (confsort_of(s, t->sml_conf, t->n) && s->k && s->v[0] >= 0.0 && s->v[s->k - 1] <= 1.0)
        return lambda_min_sorted(s->v, s->k);
    return cost_lambda_min_of(t->sml_conf, t->n);
}

double
cost_lambda_min_of(const double *p, size_t n)
{
    double *v = malloc((n + 2) * sizeof *v);
    double best = 1.0;
    size_t i;

    if (!v)
        return NAN;
    for (i = 0; i < n; i++)
        v[i] = p[i];
    v[n] = 0.0;
    v[n + 1] = 1.0;
    qsort(v, n + 2, sizeof *v, cmp_double);
    for (i = 1; i < n + 2; i++) {
        double gap = v[i] - v[i - 1];
        if (gap > 0.0 && gap < best)
            best = gap;
    }
    free(v);
    return best;
}

/* Whether p is the double nearest to a decimal with d places: r/10^d
 * with r and 10^d exact doubles is correctly rounded, as strtod is. */
static int
has_decimals(double p, int d, const double *pow10)
{
    double r = nearbyint(p * pow10[d]);
    return r / pow10[d] == p;
}

int
cost_conf_decimals(const struct hi_trace *t)
{
    double pow10[18];
    int d = 0, k;
    size_t i;
    for (k = 0, pow10[0] = 1.0; k < 17; k++)
        pow10[k + 1] = pow10[k] * 10.0;
    for (i = 0; i < t->n; i++)
        while (!has_decimals(t->sml_conf[i], d, pow10))
            if (++d > 17)
                return -1;
    return d;
}
