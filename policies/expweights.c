/*
 * expweights.c — exponential weights over θ as prefix products in a
 * segment tree, in scaled double-double arithmetic.
 *
 * Every update multiplies the weights on one side of p = b_m: the offload
 * side (θ in leaves j ≥ m) by exp(−η ℓ_off) and the accept side by
 * exp(−η ℓ_acc).  Up to the common factor exp(−η ℓ_acc), which cancels
 * in q and is kept apart as a log (offset), that is one multiplication of
 * the suffix j ≥ m by g = exp(−η (ℓ_off − ℓ_acc)).  So with F[m] the
 * product of the g of every update at m, leaf j weighs
 *     c_j = |I_j| · Π_{i ≤ j} F[i],
 * and an update is a point update F[m] *= g: no range update, no lazy
 * tags.  Node x over leaves [l, r) keeps
 *     P[x] = Π_{l ≤ i < r} F[i],   S[x] = Σ_{l ≤ j < r} |I_j| Π_{l ≤ i ≤ j} F[i],
 * which combine as P = P_L·P_R, S = S_L + P_L·S_R (the tree is a perfect
 * binary tree over S ≥ K leaves, node 1 the root, leaf j at S + j;
 * padding leaves have |I_j| = 0).  An update mends the path from leaf m
 * up (two multiplies and an add per level); q(b_m) = Σ_{j ≥ m} c_j / S[1]
 * is one walk down to leaf m that multiplies the P of the left siblings
 * (the prefix before m) and folds in the right siblings (the suffix).
 *
 * Numbers.  P and S are "xdd": a double-double mantissa hi + lo in
 * [2^-256, 2^256) and a 64-bit exponent e, the value (hi + lo)·2^(512 e).
 * The exponent gives the range — weights fall to exp(−10^8) and far below
 * at η = 10 over 10^7 rounds, and must come back exactly when the losses
 * turn — and the double-double gives the precision: every add and
 * multiply is exact to ~2^-104 relative, so 10^7 of them drift by ~1e-24,
 * far below the 1e-12 to which q must match the oracle.  Only multiplies
 * and adds are needed per round: g is computed once to double-double
 * precision (dd_exp below) and cached, since the costs take a handful of
 * distinct values.  The earlier version kept log masses with lazy range
 * adds and spent an exp and a log1p on every node it touched
 * (docs/performance.md has what the change bought).
 */
#include "policies/expweights.h"

/*
 * The error-free product below needs a fused multiply-add, which on a
 * generic x86-64 build is a library call.  GCC compiles the two hot
 * functions twice (target_clones): with FMA instructions, picked at load
 * time where the CPU has them, and without.  Both give the same bits —
 * an exact product is exact either way — and contraction of other
 * multiply-adds into FMAs is off in this file, so no rounding differs
 * between the two (determinism across machines).
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#pragma GCC optimize("fp-contract=off")
#define HOT __attribute__((target_clones("fma", "default")))
#else
#define HOT
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- double-double arithmetic (Dekker, Knuth; Hida, Li, Bailey's QD) ---- */

struct dd {
    double hi, lo;
};

/* s + e = a + b exactly (Knuth's TwoSum). */
static inline struct dd
two_sum(double a, double b)
{
    struct dd r;
    double bb;
    r.hi = a + b;
    bb = r.hi - a;
    r.lo = (a - (r.hi - bb)) + (b - bb);
    return r;
}

/* |a| ≥ |b|: the same in three flops (Dekker's Fast2Sum). */
static inline struct dd
fast_two_sum(double a, double b)
{
    struct dd r;
    r.hi = a + b;
    r.lo = b - (r.hi - a);
    return r;
}

static inline struct dd
dd_add(struct dd a, struct dd b)
{
    struct dd s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = fast_two_sum(s.hi, s.lo);
    s.lo += t.lo;
    return fast_two_sum(s.hi, s.lo);
}

/* a + b for a, b ≥ 0: with no cancellation the low parts can be added
 * plainly ("sloppy" addition), still exact to ~2^-104 relative. */
static inline struct dd
dd_add_pos(struct dd a, struct dd b)
{
    struct dd s = two_sum(a.hi, b.hi);
    s.lo += a.lo + b.lo;
    return fast_two_sum(s.hi, s.lo);
}

/* a·b = p + e exactly (the error of a product is exactly one fma). */
static inline struct dd
two_prod(double a, double b)
{
    struct dd r;
    r.hi = a * b;
    r.lo = __builtin_fma(a, b, -r.hi);
    return r;
}

static inline struct dd
dd_mul(struct dd a, struct dd b)
{
    struct dd p = two_prod(a.hi, b.hi);
    p.lo += a.hi * b.lo + a.lo * b.hi;
    return fast_two_sum(p.hi, p.lo);
}

/* a / n for a small integer n, to double-double precision. */
static inline struct dd
dd_div_int(struct dd a, double n)
{
    double q1 = a.hi / n;
    struct dd qn = two_prod(q1, n);
    double r = ((a.hi - qn.hi) - qn.lo) + a.lo;   /* the remainder, exactly up to a.lo */
    return fast_two_sum(q1, r / n);
}

/* ---- scaled double-doubles ---- */

/* (hi + lo)·2^(512·e) with 2^-256 ≤ hi < 2^256, or zero (hi = 0).  The
 * exponent moves in steps of 2^512 and only when hi leaves its range, so
 * most adds and multiplies are plain double-double operations. */
struct xdd {
    double hi, lo;
    int64_t e;
};

static const struct xdd XDD_ONE = {1.0, 0.0, 0};

#define XDD_LOW 8.636168555094445e-78     /* 2^-256 */
#define XDD_HIGH 1.157920892373162e+77    /* 2^256 */
#define XDD_STEP 1.3407807929942597e+154  /* 2^512 */
#define XDD_ISTEP 7.458340731200207e-155  /* 2^-512 */

/* Brings hi back into [2^-256, 2^256) (positive or zero input). */
static inline struct xdd
xdd_fix(double hi, double lo, int64_t e)
{
    struct xdd r;
    while (hi >= XDD_HIGH) {
        hi *= XDD_ISTEP;
        lo *= XDD_ISTEP;
        e++;
    }
    while (hi < XDD_LOW && hi != 0.0) {
        hi *= XDD_STEP;
        lo *= XDD_STEP;
        e--;
    }
    r.hi = hi;
    r.lo = lo;
    r.e = hi != 0.0 ? e : 0;
    return r;
}

/* From a positive double-double of any normal size. */
static inline struct xdd
xdd_norm(double hi, double lo, int64_t e)
{
    return xdd_fix(hi, lo, e);
}

/* a + b (both ≥ 0).  With exponents two apart or more, the smaller is
 * below 2^-512 of the larger and is skipped. */
static inline struct xdd
xdd_add(struct xdd a, struct xdd b)
{
    struct dd x, y, s;
    if (b.hi == 0.0)
        return a;
    if (a.hi == 0.0)
        return b;
    if (a.e != b.e) {
        if (a.e < b.e) {
            struct xdd t = a;
            a = b;
            b = t;
        }
        if (a.e - b.e > 1)
            return a;
        b.hi *= XDD_ISTEP;     /* ≥ 2^-768: exact, no underflow */
        b.lo *= XDD_ISTEP;
    }
    x.hi = a.hi;
    x.lo = a.lo;
    y.hi = b.hi;
    y.lo = b.lo;
    s = dd_add_pos(x, y);
    if (s.hi >= XDD_HIGH)
        return xdd_fix(s.hi, s.lo, a.e);
    {
        struct xdd r = {s.hi, s.lo, a.e};
        return r;
    }
}

static inline struct xdd
xdd_mul(struct xdd a, struct xdd b)
{
    struct dd x = {a.hi, a.lo}, y = {b.hi, b.lo}, p;
    p = dd_mul(x, y);          /* in [2^-512, 2^512): no overflow, no underflow */
    if (p.hi >= XDD_HIGH || p.hi < XDD_LOW)
        return xdd_fix(p.hi, p.lo, a.e + b.e);   /* also maps 0 to zero */
    {
        struct xdd r = {p.hi, p.lo, a.e + b.e};
        return r;
    }
}

/* A plain double mantissa with the same exponent: (m)·2^(512·e). */
struct xd {
    double m;
    int64_t e;
};

static const struct xd XD_ZERO = {0.0, 0};
static const struct xd XD_ONE = {1.0, 0};

static inline struct xd
xd_fix(double m, int64_t e)
{
    struct xd r;
    while (m >= XDD_HIGH) {
        m *= XDD_ISTEP;
        e++;
    }
    while (m < XDD_LOW && m != 0.0) {
        m *= XDD_STEP;
        e--;
    }
    r.m = m;
    r.e = m != 0.0 ? e : 0;
    return r;
}

/* a + b, both ≥ 0 (as xdd_add, to double precision). */
static inline struct xd
xd_add(struct xd a, struct xd b)
{
    if (b.m == 0.0)
        return a;
    if (a.m == 0.0)
        return b;
    if (a.e != b.e) {
        if (a.e < b.e) {
            struct xd t = a;
            a = b;
            b = t;
        }
        if (a.e - b.e > 1)
            return a;
        b.m *= XDD_ISTEP;
    }
    a.m += b.m;
    return a.m >= XDD_HIGH ? xd_fix(a.m, a.e) : a;
}

/* a·b, to double precision. */
static inline struct xd
xd_mul(struct xd a, struct xd b)
{
    double m = a.m * b.m;      /* in [2^-512, 2^512), or 0 */
    struct xd r;
    if (m >= XDD_HIGH || m < XDD_LOW)
        return xd_fix(m, a.e + b.e);
    r.m = m;
    r.e = a.e + b.e;
    return r;
}

/* ln 2 as a double-double */
static const struct dd LN2 = {6.931471805599452862e-01, 2.319046813846299558e-17};

/*
 * exp(x) for a double-double x (any size, either sign), as an xdd, to ~2^-104
 * relative: x = k·ln 2 + r with |r| ≤ ln 2 / 2; exp(r) = (1 + t)^(2^10)
 * with t = expm1(r/2^10) from its Taylor series (|r/2^10| < 3.4e-4, nine
 * terms), squared back as t ← t·(t + 2) ten times.  About 40
 * double-double operations: computed once per distinct factor.
 */
static struct xdd
dd_exp(struct dd x)
{
    double k = nearbyint(x.hi / LN2.hi);
    struct dd kl, r, t, one = {1.0, 0.0}, two = {2.0, 0.0};
    int j;

    if (x.hi == 0.0)
        return XDD_ONE;
    /* k·ln 2 exactly enough: k is an integer below 2^53 */
    kl = two_prod(k, LN2.hi);
    kl.lo += k * LN2.lo;
    kl = fast_two_sum(kl.hi, kl.lo);
    kl.hi = -kl.hi;
    kl.lo = -kl.lo;
    r = dd_add(x, kl);
    r.hi = ldexp(r.hi, -10);
    r.lo = ldexp(r.lo, -10);
    /* expm1(r) = r(1 + r/2(1 + r/3(1 + ... (1 + r/9)))) */
    t = one;
    for (j = 9; j >= 2; j--)
        t = dd_add(one, dd_div_int(dd_mul(r, t), (double)j));
    t = dd_mul(r, t);
    for (j = 0; j < 10; j++)
        t = dd_mul(t, dd_add(t, two));
    t = dd_add(one, t);
    /* times 2^k = 2^(512·(k div 512)) · 2^(k mod 512) */
    {
        int64_t kk = (int64_t)k, q = kk >= 0 ? kk / 512 : -((-kk + 511) / 512);
        int rem = (int)(kk - 512 * q);        /* 0 ≤ rem < 512 */
        return xdd_fix(ldexp(t.hi, rem), ldexp(t.lo, rem), q);
    }
}

/* ---- the tree ---- */

#define FACTOR_CACHE 8

/* Only a leaf's F must be exact: it is the product of every factor of
 * its updates (10^7 of them), kept as an xdd in f[].  Every node's P and
 * S are recomputed from its children (a leaf's from its exact F) on every
 * update that passes it, so their rounding never accumulates: a double
 * mantissa, about 30 roundings deep at K = 10^4, keeps q within ~1e-14
 * relative of the exact value. */
struct node {
    struct xd p;       /* P[x] */
    struct xd s;       /* S[x] */
};

struct expw {
    size_t k;          /* leaves in use */
    size_t size;       /* S: leaves of the perfect tree */
    double *b;         /* b[0..k]: the cut points, b[0] = 0, b[k] = 1 */
    double *len;       /* len[j] = |I_j| = b[j+1] − b[j] */
    struct xdd *f;     /* f[j] = F[j], exactly */
    struct node *t;    /* t[1..2S) */
    double offset;     /* Σ −η·ℓ_acc (or the whole loss at p = 0, 1): the common factors, as a log */
    size_t *index;     /* index[row]: m with b_m = p[row] */
    size_t n;          /* rows */
    struct {           /* exp(d) of the last distinct d, round robin */
        struct dd d;
        struct xdd f;
    } cache[FACTOR_CACHE];
    size_t n_cache, next_cache;
};

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Node x from its children: P = P_L·P_R, S = S_L + P_L·S_R. */
static inline void
mend(struct expw *w, size_t x)
{
    const struct node *l = &w->t[2 * x], *r = &w->t[2 * x + 1];
    w->t[x].p = xd_mul(l->p, r->p);
    w->t[x].s = xd_add(l->s, xd_mul(l->p, r->s));
}

struct expw *
expw_new(const double *p, size_t n)
{
    struct expw *w = calloc(1, sizeof *w);
    size_t i, k;

    if (!w)
        return NULL;
    w->b = malloc((n + 2) * sizeof *w->b);
    if (!w->b)
        goto fail;
    for (i = 0; i < n; i++) {
        assert(p[i] >= 0.0 && p[i] <= 1.0);
        w->b[i] = p[i];
    }
    w->b[n] = 0.0;
    w->b[n + 1] = 1.0;
    qsort(w->b, n + 2, sizeof *w->b, cmp_double);
    for (i = 1, k = 0; i < n + 2; i++)
        if (w->b[i] != w->b[k])
            w->b[++k] = w->b[i];
    w->k = k;                      /* b[0] = 0 < … < b[k] = 1, so k ≥ 1 */
    {
        double *shrunk = realloc(w->b, (k + 1) * sizeof *w->b);
        if (shrunk)                /* keeping the longer block is harmless */
            w->b = shrunk;
    }

    for (w->size = 1; w->size < k; w->size *= 2)
        ;
    w->t = malloc(2 * w->size * sizeof *w->t);
    w->len = malloc(k * sizeof *w->len);
    w->f = malloc(k * sizeof *w->f);
    if (!w->t || !w->len || !w->f)
        goto fail;
    for (i = 0; i < w->size; i++) {
        struct node *leaf = &w->t[w->size + i];
        leaf->p = XD_ONE;
        leaf->s = XD_ZERO;
        if (i < k) {
            w->f[i] = XDD_ONE;
            w->len[i] = w->b[i + 1] - w->b[i];
            leaf->s = xd_fix(w->len[i], 0);
        }
    }
    for (i = w->size - 1; i >= 1; i--)
        mend(w, i);
    w->n = n;
    w->index = malloc((n ? n : 1) * sizeof *w->index);
    if (!w->index)
        goto fail;
    for (i = 0; i < n; i++)
        w->index[i] = expw_locate(w, p[i]);
    return w;
fail:
    expw_free(w);
    return NULL;
}

void
expw_free(struct expw *w)
{
    if (!w)
        return;
    free(w->b);
    free(w->len);
    free(w->f);
    free(w->t);
    free(w->index);
    free(w);
}

size_t
expw_intervals(const struct expw *w)
{
    return w->k;
}

size_t
expw_locate(const struct expw *w, double p)
{
    size_t lo = 0, hi = w->k;      /* the answer lies in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->b[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    assert(w->b[lo] == p && "p is not a confidence of the trace");
    return lo;
}

size_t
expw_index_of_row(const struct expw *w, size_t row)
{
    assert(row < w->n);
    return w->index[row];
}

double
expw_q_offload(struct expw *w, double p)
{
    return expw_q_offload_at(w, expw_locate(w, p));
}

HOT double
expw_q_offload_at(struct expw *w, size_t m)
{
    struct xd a = XD_ONE, t = XD_ZERO, s, tot;
    size_t x = 1, lo = 0, half = w->size;
    double q;
    int64_t e;
    if (m == 0)
        return 1.0;                /* p = 0: every θ > 0 offloads it */
    if (m >= w->k)
        return 0.0;                /* p = 1: no θ ∈ [0, 1] offloads it */
    /* down to leaf m: a = Π_{i<m} F[i] from the left siblings; the right
     * siblings, met right to left, fold into t = Σ_{j≥m} |I_j| Π_{m≤i≤j} F[i] */
    while (x < w->size) {
        half /= 2;
        if (m < lo + half) {
            const struct node *r = &w->t[2 * x + 1];
            t = xd_add(r->s, xd_mul(r->p, t));
            x = 2 * x;
        } else {
            a = xd_mul(a, w->t[2 * x].p);
            lo += half;
            x = 2 * x + 1;
        }
    }
    t = xd_add(w->t[x].s, xd_mul(w->t[x].p, t));
    s = xd_mul(a, t);
    tot = w->t[1].s;
    if (s.m == 0.0)
        return 0.0;
    /* s/tot, then 2^(512·(s.e − tot.e)) */
    q = s.m / tot.m;
    e = s.e - tot.e;
    if (e < -3)
        return 0.0;                /* below 2^-1024 · 2^-512: no double */
    if (e > 1)                     /* s ≤ tot: only rounding gets near */
        return 1.0;
    q = ldexp(q, (int)(512 * e));
    return q < 1.0 ? q : 1.0;      /* rounding can not push q past 1 */
}

/* exp(d), from the cache or computed and cached. */
static struct xdd
factor(struct expw *w, struct dd d)
{
    size_t i;
    for (i = 0; i < w->n_cache; i++)
        if (w->cache[i].d.hi == d.hi && w->cache[i].d.lo == d.lo)
            return w->cache[i].f;
    i = w->next_cache;
    w->next_cache = (w->next_cache + 1) % FACTOR_CACHE;
    if (w->n_cache < FACTOR_CACHE)
        w->n_cache++;
    w->cache[i].d = d;
    w->cache[i].f = dd_exp(d);
    return w->cache[i].f;
}

void
expw_update(struct expw *w, double p, double loss_offload, double loss_accept,
            double eta)
{
    expw_update_at(w, expw_locate(w, p), loss_offload, loss_accept, eta);
}

HOT void
expw_update_at(struct expw *w, size_t m, double loss_offload, double loss_accept,
               double eta)
{
    struct dd delta, d;
    struct xdd g;
    size_t x;

    assert(isfinite(loss_offload) && isfinite(loss_accept));
    assert(eta >= 0.0 && isfinite(eta));
    if (m == 0) {
        w->offset -= eta * loss_offload;  /* every θ > 0 offloads p = 0 */
        return;
    }
    if (m >= w->k) {
        w->offset -= eta * loss_accept;   /* every θ accepts p = 1 */
        return;
    }
    w->offset -= eta * loss_accept;       /* the common factor exp(−η ℓ_acc) */
    if (loss_offload == loss_accept || eta == 0.0)
        return;
    /* d = −η·(ℓ_off − ℓ_acc), exactly, as a double-double */
    delta = two_sum(loss_offload, -loss_accept);
    d = two_prod(-eta, delta.hi);
    d.lo += -eta * delta.lo;
    d = fast_two_sum(d.hi, d.lo);
    g = factor(w, d);
    w->f[m] = xdd_mul(w->f[m], g);        /* F[m] *= g, exactly */
    x = w->size + m;                      /* the leaf's P and S from it */
    w->t[x].p = xd_fix(w->f[m].hi, w->f[m].e);
    w->t[x].s = xd_fix(w->len[m] * w->f[m].hi, w->f[m].e);
    for (x /= 2; x >= 1; x /= 2)
        mend(w, x);
}

double
expw_log_total(const struct expw *w)
{
    const struct xd *t = &w->t[1].s;
    return w->offset + log(t->m) + (double)t->e * 512.0 * LN2.hi;
}
