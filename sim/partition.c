/* partition.c — exact model and data partitioning (partition.h). */
#include "sim/partition.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The DP's tables.  Resources are renumbered 0 .. m-1 over the usable
 * ones (res[]), so sets are m-bit masks. */
struct dp {
    size_t n, m, first;           /* n = last - first layers */
    size_t res[PARTITION_MAX_RES];
    size_t o;                     /* the origin's real index */
    double *run;                  /* run[(q * (n+1) + a) * (n+1) + b], a < b (relative layers) */
    double *mv_in;                /* mv_in[q * (n+1) + a]: from the origin to q, tensor after a */
    double *mv;                   /* mv[(r * m + q) * (n+1) + a] */
    double *mv_out;               /* mv_out[r]: from r back to the origin after the last layer */
    double *C;                    /* C[(i * 2^m + U) * m + r] */
    uint16_t *par_i;
    uint8_t *par_r;
};

#define RUN(d, q, a, b) ((d)->run[((q) * ((d)->n + 1) + (a)) * ((d)->n + 1) + (b)])
#define MV(d, r, q, a) ((d)->mv[((r) * (d)->m + (q)) * ((d)->n + 1) + (a)])
#define CI(d, i, U, r) (((size_t)(i) * ((size_t)1 << (d)->m) + (U)) * (d)->m + (r))

static void
dp_free(struct dp *d)
{
    free(d->run);
    free(d->mv_in);
    free(d->mv);
    free(d->mv_out);
    free(d->C);
    free(d->par_i);
    free(d->par_r);
}

static int
dp_init(struct dp *d, const struct partition_chain *p, struct hi_error *err)
{
    size_t r, q, a, b, states;
    memset(d, 0, sizeof *d);
    assert(p->first < p->last);
    assert(p->origin < p->n_res);
    if (p->n_res > PARTITION_MAX_RES)
        return error_set(err, HI_EINPUT, "model partitioning over %zu resources: at most %d", p->n_res,
                         PARTITION_MAX_RES);
    if (p->last - p->first >= UINT16_MAX)
        return error_set(err, HI_EINPUT, "model partitioning over %zu layers: at most %d", p->last - p->first,
                         UINT16_MAX - 1);
    d->n = p->last - p->first;
    d->first = p->first;
    d->o = p->origin;
    for (r = 0; r < p->n_res; r++)
        if (p->usable & (1u << r))
            d->res[d->m++] = r;
    if (d->m == 0)
        return error_set(err, HI_EINPUT, "model partitioning: no usable resource");
    states = (d->n + 1) * ((size_t)1 << d->m) * d->m;
    d->run = malloc(d->m * (d->n + 1) * (d->n + 1) * sizeof *d->run);
    d->mv_in = malloc(d->m * (d->n + 1) * sizeof *d->mv_in);
    d->mv = malloc(d->m * d->m * (d->n + 1) * sizeof *d->mv);
    d->mv_out = malloc(d->m * sizeof *d->mv_out);
    d->C = malloc(states * sizeof *d->C);
    d->par_i = malloc(states * sizeof *d->par_i);
    d->par_r = malloc(states * sizeof *d->par_r);
    if (!d->run || !d->mv_in || !d->mv || !d->mv_out || !d->C || !d->par_i || !d->par_r) {
        dp_free(d);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    /* the callbacks are called once per entry, here; the DP reads tables */
    for (q = 0; q < d->m; q++) {
        for (a = 0; a <= d->n; a++) {
            for (b = a + 1; b <= d->n; b++) {
                double t = p->run(p->ctx, d->res[q], p->first + a, p->first + b);
                assert(t >= 0);
                RUN(d, q, a, b) = t;
            }
            d->mv_in[q * (d->n + 1) + a] = p->move(p->ctx, d->o, d->res[q], p->first + a);
            for (r = 0; r < d->m; r++)
                MV(d, r, q, a) = r == q ? 0.0 : p->move(p->ctx, d->res[r], d->res[q], p->first + a);
        }
        d->mv_out[q] = p->move(p->ctx, d->res[q], d->o, p->last);
    }
    return HI_OK;
}

/* One DP pass.  obj SUM with cap < inf: only stages (move + run) <= cap. */
static void
dp_run(struct dp *d, enum partition_objective obj, double cap, struct partition_plan *out)
{
    size_t n = d->n, m = d->m, full = (size_t)1 << m;
    size_t i0, i, U, r, q, states = (n + 1) * full * m;
    size_t best_U = 0, best_r = 0;
    double best = INFINITY;

    for (i = 0; i < states; i++)
        d->C[i] = INFINITY;
    /* first stage: from the origin to q */
    for (q = 0; q < m; q++)
        for (i = 1; i <= n; i++) {
            double stage = d->mv_in[q * (n + 1)] + RUN(d, q, 0, i);
            size_t k = CI(d, i, (size_t)1 << q, q);
            if (stage > cap)
                continue;
            if (stage < d->C[k]) {
                d->C[k] = stage;
                d->par_i[k] = 0;
                d->par_r[k] = UINT8_MAX;
            }
        }
    /* later stages: from (i0, U, r) to (i, U + q, q) */
    for (i0 = 1; i0 < n; i0++)
        for (U = 1; U < full; U++)
            for (r = 0; r < m; r++) {
                double c;
                if (!(U & ((size_t)1 << r)))
                    continue;
                c = d->C[CI(d, i0, U, r)];
                if (isinf(c))
                    continue;
                for (q = 0; q < m; q++) {
                    double mv;
                    size_t U2;
                    if (U & ((size_t)1 << q))
                        continue;
                    mv = MV(d, r, q, i0);
                    U2 = U | ((size_t)1 << q);
                    for (i = i0 + 1; i <= n; i++) {
                        double stage = mv + RUN(d, q, i0, i), cand;
                        size_t k;
                        if (stage > cap)
                            continue;
                        cand = obj == PARTITION_SUM ? c + stage : (stage > c ? stage : c);
                        k = CI(d, i, U2, q);
                        if (cand < d->C[k]) {
                            d->C[k] = cand;
                            d->par_i[k] = (uint16_t)i0;
                            d->par_r[k] = (uint8_t)r;
                        }
                    }
                }
            }
    /* the move back to the origin closes every plan */
    for (U = 1; U < full; U++)
        for (r = 0; r < m; r++) {
            double c, tot;
            if (!(U & ((size_t)1 << r)))
                continue;
            c = d->C[CI(d, n, U, r)];
            if (isinf(c) || d->mv_out[r] > cap)
                continue;
            tot = obj == PARTITION_SUM ? c + d->mv_out[r] : (d->mv_out[r] > c ? d->mv_out[r] : c);
            if (tot < best) {
                best = tot;
                best_U = U;
                best_r = r;
            }
        }

    memset(out, 0, sizeof *out);
    out->time = best;
    out->sum = out->max = INFINITY;
    if (isinf(best))
        return;
    /* walk the parents back, then reverse */
    {
        struct partition_stage rev[PARTITION_MAX_RES];
        size_t ns = 0, s, U1 = best_U, r1 = best_r, b = n;
        for (;;) {
            size_t k = CI(d, b, U1, r1), a = d->par_i[k], pr = d->par_r[k];
            assert(ns < m);
            rev[ns].res = d->res[r1];
            rev[ns].a = d->first + a;
            rev[ns].b = d->first + b;
            rev[ns].run = RUN(d, r1, a, b);
            rev[ns].move_in = pr == UINT8_MAX ? d->mv_in[r1 * (n + 1)] : MV(d, pr, r1, a);
            ns++;
            if (pr == UINT8_MAX)
                break;
            U1 &= ~((size_t)1 << r1);
            r1 = pr;
            b = a;
        }
        out->n = ns;
        out->sum = 0;
        out->max = 0;
        for (s = 0; s < ns; s++) {
            double stage;
            out->st[s] = rev[ns - 1 - s];
            stage = out->st[s].move_in + out->st[s].run;
            out->sum += stage;
            if (stage > out->max)
                out->max = stage;
        }
        out->move_out = d->mv_out[best_r];
        out->sum += out->move_out;
        if (out->move_out > out->max)
            out->max = out->move_out;
    }
}

int
partition_chain_solve(const struct partition_chain *p, enum partition_objective obj,
                      struct partition_plan *out, struct hi_error *err)
{
    struct dp d;
    int rc = dp_init(&d, p, err);
    if (rc)
        return rc;
    dp_run(&d, obj, INFINITY, out);
    dp_free(&d);
    return HI_OK;
}

int
partition_chain_max_then_sum(const struct partition_chain *p, struct partition_plan *out,
                             struct hi_error *err)
{
    struct dp d;
    struct partition_plan fastest;
    int rc = dp_init(&d, p, err);
    if (rc)
        return rc;
    dp_run(&d, PARTITION_MAX, INFINITY, &fastest);
    if (isinf(fastest.time)) {
        *out = fastest;
        dp_free(&d);
        return HI_OK;
    }
    /* the cap admits rounding: the MAX plan's own stages are within it */
    dp_run(&d, PARTITION_SUM, fastest.time * (1 + 1e-12), out);
    assert(!isinf(out->time));
    out->time = out->max;
    dp_free(&d);
    return HI_OK;
}

/* ---- data partitioning ---- */

double
partition_shares(size_t n, const double *fixed, const double *slope, const unsigned char *usable,
                 double *share)
{
    size_t idx[64], m = 0, i, j;
    double sum_inv = 0, sum_ratio = 0, T = INFINITY;
    assert(n <= 64);
    for (i = 0; i < n; i++) {
        share[i] = 0;
        if (usable && !usable[i])
            continue;
        assert(fixed[i] >= 0 && slope[i] >= 0);
        if (isinf(slope[i]) || isinf(fixed[i]))
            continue;
        if (slope[i] == 0) {          /* an infinitely fast resource takes everything */
            if (fixed[i] < T) {
                T = fixed[i];
                for (j = 0; j < n; j++)
                    share[j] = 0;
                share[i] = 1;
            }
            continue;
        }
        idx[m++] = i;
    }
    if (!isinf(T))
        return T;
    if (m == 0)
        return INFINITY;
    /* insertion sort by fixed, stable (index order on ties) */
    for (i = 1; i < m; i++) {
        size_t x = idx[i];
        for (j = i; j > 0 && fixed[idx[j - 1]] > fixed[x]; j--)
            idx[j] = idx[j - 1];
        idx[j] = x;
    }
    for (i = 0; i < m; i++) {
        sum_inv += 1.0 / slope[idx[i]];
        sum_ratio += fixed[idx[i]] / slope[idx[i]];
        T = (1.0 + sum_ratio) / sum_inv;
        if (i + 1 == m || T <= fixed[idx[i + 1]])
            break;
    }
    m = i + 1;
    {
        double total = 0;
        for (i = 0; i < m; i++) {
            double s = (T - fixed[idx[i]]) / slope[idx[i]];
            share[idx[i]] = s > 0 ? s : 0;
            total += share[idx[i]];
        }
        /* the shares sum to 1 up to rounding; make it exact */
        assert(total > 0);
        for (i = 0; i < m; i++)
            share[idx[i]] /= total;
    }
    return T;
}

double
partition_shares_time(size_t n, const double *fixed, const double *slope, const double *share)
{
    double T = 0;
    size_t i;
    for (i = 0; i < n; i++)
        if (share[i] > 0) {
            double t = fixed[i] + share[i] * slope[i];
            if (t > T)
                T = t;
        }
    return T;
}
