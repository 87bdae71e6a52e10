/*
 * expweights.c — log-domain segment tree of exponential weights over θ.
 *
 * The tree is a perfect binary tree over S ≥ K leaves (S a power of two,
 * node 1 the root, node x with children 2x and 2x+1, leaf j at S + j);
 * leaves K..S-1 are padding with log-mass −inf.  val[x] is the log mass
 * log Σ w_j·|I_j| of x's range, counting every add applied at x or below
 * but not the adds still pending at x's ancestors; tag[x] (internal nodes
 * only) is an add already in val[x] and not yet passed to the children.
 * Every operation walks root to leaf and pushes the tags it passes, so a
 * tag only ever waits at a node off the current path.  Values are
 * double-doubles (below) and −inf marks an empty range.
 */
#include "policies/expweights.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

/* A double-double: the unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2.
 * Log masses are long running sums (10^7 adds of η·ℓ, growing to −10^8 at
 * η = 10).  Kept as plain doubles they drift by ~ulp(|value|) per add,
 * and q, a difference of two such sums, was off by 1e-8 relative after
 * 10^7 rounds with a regime switch (an expert far behind that recovers).
 * As double-doubles every add is exact to ~2^-106 relative, the
 * magnitude no longer matters (no renormalisation is needed), and q was
 * measured exact to 1e-13 relative down to q = 1e-300 after 10^7 rounds;
 * the cost is about 1.5× the time of plain doubles. */
struct dd {
    double hi, lo;
};

struct expw {
    size_t k;          /* leaves in use */
    size_t size;       /* S: leaves of the perfect tree */
    double *b;         /* b[0..k]: the cut points, b[0] = 0, b[k] = 1 */
    struct dd *val;    /* val[1..2S) */
    struct dd *tag;    /* tag[1..S) */
    double offset;     /* −η·Σ min(ℓ_off, ℓ_acc): the common factors */
    size_t *index;     /* index[row]: m with b_m = p[row] */
    size_t n;          /* rows */
};

/* Knuth's TwoSum: s + e = a + b exactly. */
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

/* a + b; −inf (an empty range) absorbs any finite add. */
static inline struct dd
dd_add(struct dd a, struct dd b)
{
    struct dd s;
    double hi;
    if (a.hi == -INFINITY)
        return a;
    s = two_sum(a.hi, b.hi);
    s.lo += a.lo + b.lo;
    hi = s.hi + s.lo;                      /* renormalise (Fast2Sum) */
    s.lo -= hi - s.hi;
    s.hi = hi;
    return s;
}

static inline int
dd_is_zero(struct dd a)
{
    return a.hi == 0.0 && a.lo == 0.0;
}

/* log(e^a + e^b) without overflow; −inf is the empty sum, never a NaN.
 * The correction log1p(e^x) ≤ ln 2 is computed in double, so the result
 * is exact to ~1e-16 absolute whatever the size of a.  A term below e^−40
 * of the other changes the sum by less than 4.3e-18 and is skipped: after
 * the weights concentrate most pairs are that far apart, and skipping
 * them halves the time per round. */
static inline struct dd
lse(struct dd a, struct dd b)
{
    double x;
    if (a.hi < b.hi) {
        struct dd t = a;
        a = b;
        b = t;
    }
    if (b.hi == -INFINITY)
        return a;
    x = (b.hi - a.hi) + (b.lo - a.lo);
    if (x < -40.0)
        return a;
    if (x < -20.0) {
        /* e = e^x < 2.1e-9: log1p(e) = e − e²/2 + O(e³), and e³/3 < 3e-27
         * is far below the rounding of the sum */
        double e = exp(x);
        b.hi = e - 0.5 * e * e;
    } else {
        b.hi = log1p(exp(x));
    }
    b.lo = 0.0;
    return dd_add(a, b);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
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
    w->val = calloc(2 * w->size, sizeof *w->val);
    w->tag = calloc(w->size, sizeof *w->tag);
    if (!w->val || !w->tag)
        goto fail;
    for (i = 0; i < w->size; i++)
        w->val[w->size + i].hi = i < k ? log(w->b[i + 1] - w->b[i]) : -INFINITY;
    for (i = w->size - 1; i >= 1; i--)
        w->val[i] = lse(w->val[2 * i], w->val[2 * i + 1]);
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
    free(w->val);
    free(w->tag);
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

/* Adds d to node c: its log mass, and its pending add if internal. */
static inline void
apply(struct expw *w, size_t c, struct dd d)
{
    w->val[c] = dd_add(w->val[c], d);
    if (c < w->size)
        w->tag[c] = dd_add(w->tag[c], d);
}

/* Passes x's pending add to its children. */
static inline void
push(struct expw *w, size_t x)
{
    struct dd d = w->tag[x];
    if (dd_is_zero(d))
        return;
    apply(w, 2 * x, d);
    apply(w, 2 * x + 1, d);
    w->tag[x].hi = w->tag[x].lo = 0.0;
}

/* log mass of the leaves [m, S).  The walk descends to leaf m; every
 * right sibling of the path lies wholly in the suffix. */
static struct dd
suffix_log_mass(struct expw *w, size_t m)
{
    struct dd acc = {-INFINITY, 0.0};
    size_t x = 1, lo = 0, half = w->size;
    while (x < w->size) {
        push(w, x);
        half /= 2;
        if (m < lo + half) {
            acc = lse(acc, w->val[2 * x + 1]);
            x = 2 * x;
        } else {
            lo += half;
            x = 2 * x + 1;
        }
    }
    return lse(acc, w->val[x]);
}

/* Adds d to the leaves [m, S) (suffix) or [0, m) (prefix), then mends the
 * path.  The path leads to leaf m for a suffix and to leaf m − 1 for a
 * prefix, so the other side is covered by siblings of the path; the
 * pushes leave no pending add on the path, so the mended values are
 * plain log-sums of the children. */
static void
range_add(struct expw *w, size_t m, int suffix, struct dd d)
{
    size_t leaf = suffix ? m : m - 1;
    size_t x = 1, lo = 0, half = w->size;
    while (x < w->size) {
        size_t sib;
        push(w, x);
        half /= 2;
        if (leaf < lo + half) {
            sib = 2 * x + 1;
            x = 2 * x;
        } else {
            sib = 2 * x;
            lo += half;
            x = 2 * x + 1;
        }
        if ((sib & 1) == (size_t)(suffix != 0))   /* sibling on the added side */
            apply(w, sib, d);
    }
    apply(w, x, d);
    for (x /= 2; x >= 1; x /= 2)
        w->val[x] = lse(w->val[2 * x], w->val[2 * x + 1]);
}

double
expw_q_offload(struct expw *w, double p)
{
    return expw_q_offload_at(w, expw_locate(w, p));
}

double
expw_q_offload_at(struct expw *w, size_t m)
{
    struct dd s;
    double q;
    if (m == 0)
        return 1.0;                /* p = 0: every θ > 0 offloads it */
    if (m >= w->k)
        return 0.0;                /* p = 1: no θ ∈ [0, 1] offloads it */
    s = suffix_log_mass(w, m);
    if (s.hi == -INFINITY)
        return 0.0;
    q = exp((s.hi - w->val[1].hi) + (s.lo - w->val[1].lo));
    return q < 1.0 ? q : 1.0;      /* rounding can not push q past 1 */
}

void
expw_update(struct expw *w, double p, double loss_offload, double loss_accept,
            double eta)
{
    expw_update_at(w, expw_locate(w, p), loss_offload, loss_accept, eta);
}

void
expw_update_at(struct expw *w, size_t m, double loss_offload, double loss_accept,
               double eta)
{
    struct dd delta, d;
    int suffix;

    assert(isfinite(loss_offload) && isfinite(loss_accept));
    assert(eta >= 0.0 && isfinite(eta));
    /* The factor exp(−η·min(ℓ_off, ℓ_acc)) is common to every θ and
     * cancels in q; only the side that lost more is multiplied, by
     * exp(−η·|ℓ_off − ℓ_acc|), so every add is ≤ 0. */
    if (m == 0)
        w->offset -= eta * loss_offload;  /* every θ > 0 offloads p = 0 */
    else if (m >= w->k)
        w->offset -= eta * loss_accept;   /* every θ accepts p = 1 */
    else
        w->offset -= eta * fmin(loss_offload, loss_accept);
    if (m == 0 || m >= w->k || loss_offload == loss_accept || eta == 0.0)
        return;
    /* d = −η·|ℓ_off − ℓ_acc|, exactly, as a double-double */
    suffix = loss_offload > loss_accept;
    delta = suffix ? two_sum(loss_offload, -loss_accept) : two_sum(loss_accept, -loss_offload);
    d.hi = -eta * delta.hi;
    d.lo = -fma(eta, delta.hi, d.hi) - eta * delta.lo;
    range_add(w, m, suffix, d);
}

double
expw_log_total(const struct expw *w)
{
    return w->offset + w->val[1].hi + w->val[1].lo;
}
