/* cost.c — exact best-threshold search and λ_min. */
#include "traces/cost.h"

#include <math.h>
#include <stdlib.h>

double
cost_theta_all(void)
{
    return nextafter(1.0, 2.0);
}

double
cost_of_threshold(const struct hi_cost *c, const struct hi_trace *t, double theta)
{
    double sum = 0.0;
    size_t i;
    for (i = 0; i < t->n; i++)
        sum += t->sml_conf[i] < theta ? cost_offload(c, t, i) : cost_accept(c, t, i);
    return sum;
}

struct keyed {
    double p;
    double delta;    /* offload cost − accept cost of the row */
};

static int
cmp_keyed(const void *a, const void *b)
{
    double x = ((const struct keyed *)a)->p, y = ((const struct keyed *)b)->p;
    return (x > y) - (x < y);
}

/*
 * Cost(θ) = Σ_i accept_i + Σ_{p_i < θ} (offload_i − accept_i).  Sorting by
 * p and sweeping θ upward through the distinct values adds one group of
 * equal p at a time; θ = v (a distinct value) offloads exactly the rows
 * with p < v, and 1⁺ offloads all.  Ties keep the smallest θ.
 */
int
cost_best_threshold(const struct hi_cost *c, const struct hi_trace *t,
                    const size_t *rows, size_t n, struct cost_optimum *out)
{
    struct keyed *k = malloc((n ? n : 1) * sizeof *k);
    double base = 0.0, delta = 0.0;
    size_t i;

    if (!k)
        return HI_EINTERNAL;
    for (i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        double a = cost_accept(c, t, r);
        k[i].p = t->sml_conf[r];
        k[i].delta = cost_offload(c, t, r) - a;
        base += a;
    }
    qsort(k, n, sizeof *k, cmp_keyed);

    out->theta = 0.0;
    out->cost = base;
    out->offloaded = 0;
    for (i = 0; i < n;) {
        double v = k[i].p;
        /* candidate θ = v: rows before i are offloaded (all have p < v) */
        if (v > 0.0 && base + delta < out->cost) {
            out->cost = base + delta;
            out->theta = v;
            out->offloaded = i;
        }
        while (i < n && k[i].p == v)
            delta += k[i++].delta;
    }
    if (n > 0 && base + delta < out->cost) {
        double pmax = k[n - 1].p;
        out->cost = base + delta;
        out->theta = pmax < 1.0 ? 1.0 : cost_theta_all();
        out->offloaded = n;
    }
    /* recompute at the chosen θ in row order, so callers comparing with a
     * direct evaluation see the same floating-point sum */
    if (!rows) {
        out->cost = cost_of_threshold(c, t, out->theta);
    }
    free(k);
    return HI_OK;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double
cost_lambda_min(const struct hi_trace *t)
{
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
