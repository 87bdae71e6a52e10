/* hil_oracle.c — explicit per-interval weights, O(k) per call. */
#include "tests/hil_oracle.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

struct hil_oracle {
    size_t k;               /* distinct confidences v[1..k] */
    double *v;              /* v[0] unused */
    long double *len;       /* |I_j|, j = 0..k */
    long double *logw;      /* log w on I_j */
    long double *loss;      /* cumulative loss of I_j */
};

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct hil_oracle *
hil_oracle_new(const double *p, size_t n)
{
    struct hil_oracle *o = calloc(1, sizeof *o);
    double *s = malloc((n ? n : 1) * sizeof *s);
    size_t i, k = 0, j;
    assert(o && s);
    for (i = 0; i < n; i++)
        s[i] = p[i];
    qsort(s, n, sizeof *s, cmp);
    o->v = malloc((n + 1) * sizeof *o->v);
    for (i = 0; i < n; i++)
        if (k == 0 || s[i] != o->v[k])
            o->v[++k] = s[i];
    o->k = k;
    o->len = malloc((k + 1) * sizeof *o->len);
    o->logw = calloc(k + 1, sizeof *o->logw);
    o->loss = calloc(k + 1, sizeof *o->loss);
    assert(o->v && o->len && o->logw && o->loss);
    for (j = 0; j <= k; j++) {
        double lo = j == 0 ? 0.0 : o->v[j];
        double hi = j == k ? 1.0 : o->v[j + 1];
        o->len[j] = (long double)(hi - lo);   /* the double gap, as the tree */
    }
    free(s);
    return o;
}

void
hil_oracle_free(struct hil_oracle *o)
{
    if (!o)
        return;
    free(o->v);
    free(o->len);
    free(o->logw);
    free(o->loss);
    free(o);
}

/* m with v_m = p, 1-based */
static size_t
find(const struct hil_oracle *o, double p)
{
    size_t m;
    for (m = 1; m <= o->k; m++)
        if (o->v[m] == p)
            return m;
    assert(0 && "p is not a confidence");
    return 0;
}

static long double
max_logw(const struct hil_oracle *o)
{
    long double mx = -INFINITY;
    size_t j;
    for (j = 0; j <= o->k; j++)
        if (o->len[j] > 0 && o->logw[j] > mx)
            mx = o->logw[j];
    return mx;
}

double
hil_oracle_q(const struct hil_oracle *o, double p)
{
    size_t m = find(o, p), j;
    long double mx = max_logw(o), num = 0, den = 0;
    for (j = 0; j <= o->k; j++) {
        long double x;
        if (o->len[j] <= 0)
            continue;
        x = o->len[j] * expl(o->logw[j] - mx);
        den += x;
        if (j >= m)
            num += x;
    }
    return (double)(num / den);
}

double
hil_oracle_q_from_loss(const struct hil_oracle *o, double p, double eta)
{
    size_t m = find(o, p), j;
    long double mn = INFINITY, num = 0, den = 0;
    for (j = 0; j <= o->k; j++)
        if (o->len[j] > 0 && o->loss[j] < mn)
            mn = o->loss[j];
    for (j = 0; j <= o->k; j++) {
        long double x;
        if (o->len[j] <= 0)
            continue;
        x = o->len[j] * expl(-(long double)eta * (o->loss[j] - mn));
        den += x;
        if (j >= m)
            num += x;
    }
    return (double)(num / den);
}

void
hil_oracle_update(struct hil_oracle *o, double p, double loss_offload,
                  double loss_accept, double eta)
{
    size_t m = find(o, p), j;
    for (j = 0; j <= o->k; j++) {
        long double l = j >= m ? loss_offload : loss_accept;
        o->logw[j] -= (long double)eta * l;
        o->loss[j] += l;
    }
}

double
hil_oracle_log_total(const struct hil_oracle *o)
{
    long double mx = max_logw(o), den = 0;
    size_t j;
    for (j = 0; j <= o->k; j++)
        if (o->len[j] > 0)
            den += o->len[j] * expl(o->logw[j] - mx);
    return (double)(mx + logl(den));
}

double
hil_oracle_best_loss(const struct hil_oracle *o)
{
    long double best = INFINITY;
    size_t j;
    for (j = 0; j <= o->k; j++)
        if (o->len[j] > 0 && o->loss[j] < best)
            best = o->loss[j];
    return (double)best;
}
