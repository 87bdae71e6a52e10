/* regret.c — hindsight-optimal fixed threshold by per-interval sums. */
#include "sim/regret.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every integer of the fast path stays below 2^LIMIT_BITS units, so sums
 * of a few of them never overflow 127 bits. */
#define LIMIT_BITS 104
/* 2^-E stays a normal double far from underflow: results are exact
 * scalings of a 53-bit integer. */
#define MAX_SCALE 900

static void fold(struct regret *r);

/* Brings the leaves' compensated sums up to date with the counted rows. */
static void
sync_leaves(struct regret *r)
{
    size_t row;
    if (r->exact)
        fold(r);        /* the integers take the deferred samples before their counts go */
    if (!r->counted)
        return;
    r->counted = 0;
    if (r->folded)
        memset(r->folded, 0, r->trace->n * sizeof *r->folded);
    for (row = 0; row < r->trace->n; row++) {
        uint32_t c = r->count[row];
        if (c) {
            struct regret_leaf *l = &r->leaf[r->leaf_of[row]];
            double off = cost_offload(&r->cost, r->trace, row), acc = cost_accept(&r->cost, r->trace, row);
            for (; c; c--) {
                ksum_add(&l->off, off);
                ksum_add(&l->acc, acc);
            }
            r->count[row] = 0;
        }
    }
}

static int
fast_off(struct regret *r)
{
    r->n_defer = 0;     /* in the counts: the leaves take them */
    r->exact = 0;
    sync_leaves(r);
    return -1;
}

/* Each row's class, when every row's costs are its class's (else no
 * sample is deferred).  Without memory the samples are added at once. */
static void
classes_init(struct regret *r)
{
    const struct hi_trace *t = r->trace;
    int seen[8] = {0};
    size_t i;
    if (t->n > UINT32_MAX || !(r->cls = malloc(t->n ? t->n : 1)) || !(r->folded = calloc(t->n ? t->n : 1, sizeof *r->folded))
        || !(r->defer_rows = malloc((t->n / 8 + 64) * sizeof *r->defer_rows)))
        goto none;
    /* a fold that lists more than an eighth of the rows costs more than
     * a pass over all of them */
    r->cap_defer = t->n / 8 + 64;
    for (i = 0; i < t->n; i++) {
        unsigned c = (t->y_sml[i] != 0) | (t->y_lml[i] != 0) << 1 | (t->relevant && t->relevant[i] ? 4u : 0u);
        double off = cost_offload(&r->cost, t, i), acc = cost_accept(&r->cost, t, i);
        if (!seen[c]) {
            seen[c] = 1;
            r->klass[c].off = off;
            r->klass[c].acc = acc;
        } else if (memcmp(&off, &r->klass[c].off, sizeof off) || memcmp(&acc, &r->klass[c].acc, sizeof acc)) {
            goto none;
        }
        r->cls[i] = (unsigned char)c;
    }
    return;
none:
    free(r->cls);
    free(r->folded);
    free(r->defer_rows);
    r->cls = NULL;
    r->folded = NULL;
    r->defer_rows = NULL;
    r->cap_defer = 0;
}

int
regret_init(struct regret *r, const struct hi_trace *t, const struct hi_cost *c)
{
    size_t L;
    memset(r, 0, sizeof *r);
    r->trace = t;
    r->cost = *c;
    if (confsort_of(t->sorted, t->sml_conf, t->n))
        r->sort = t->sorted;
    else if (!(r->sort = r->own = confsort_new(t->sml_conf, t->n)))
        goto fail;
    r->v = r->sort->v;
    r->k = r->sort->k;
    r->leaf_of = r->sort->rank;
    r->leaf = calloc(r->k + 2, sizeof *r->leaf);    /* all-zero bytes: ksums of 0 */
    r->suffix = malloc((r->k + 2) * sizeof *r->suffix);   /* written before it is read */
    if (!r->leaf || !r->suffix)
        goto fail;
    if (!REGRET_EXACT || r->k == 0)
        return HI_OK;
    /* leaf 0 is θ = 0 and is left out when v_1 = 0, leaf k is 1⁺ and is
     * left out when v_k = 1 */
    r->first = r->v[0] == 0.0 ? 1 : 0;
    r->last = r->v[r->k - 1] == 1.0 ? r->k - 1 : r->k;
    L = r->last;
    if (L) {
        size_t depth = 1;
        r->blocks = (L + REGRET_BLOCK - 1) / REGRET_BLOCK;
        r->size = 1;
        while (r->size < r->blocks) {
            r->size *= 2;
            depth++;
        }
        /* all zeros is the empty tree: blocks past the last add 0 to the
         * prefix sums, so they repeat the value at `last` and the first
         * minimum is never among them */
        r->node = calloc(2 * r->size, sizeof *r->node);
        r->d = calloc(L + 1, sizeof *r->d);
        /* patching a block costs a scan of it and a path up; past this
         * many, rebuilding everything is cheaper */
        r->cap_pending = (L + r->size) / (REGRET_BLOCK + depth) + 1;
        r->pending = malloc(r->cap_pending * sizeof *r->pending);
        r->dirty = malloc(r->cap_pending * sizeof *r->dirty);
        r->mark = calloc(2 * r->size, sizeof *r->mark);
        if (!r->node || !r->d || !r->pending || !r->dirty || !r->mark)
            goto fail;
    }
    r->count = calloc(t->n ? t->n : 1, sizeof *r->count);
    if (!r->count)
        goto fail;
    r->exact = 1;
    classes_init(r);
    return HI_OK;
fail:
    regret_fini(r);
    return HI_EINTERNAL;
}

void
regret_fini(struct regret *r)
{
    confsort_free(r->own);
    free(r->leaf);
    free(r->suffix);
    free(r->count);
    free(r->d);
    free(r->pending);
    free(r->mark);
    free(r->node);
    free(r->dirty);
    free(r->cls);
    free(r->folded);
    free(r->defer_rows);
    memset(r, 0, sizeof *r);
}

#if REGRET_EXACT
typedef unsigned __int128 regret_uint;

static int
bits_of(regret_uint u)
{
    int b = 0;
    uint64_t hi = (uint64_t)(u >> 64);
    if (hi)
        return 128 - __builtin_clzll(hi);
    if ((uint64_t)u)
        b = 64 - __builtin_clzll((uint64_t)u);
    return b;
}

/* Multiplies every integer by 2^(need − E): a cost with a finer binary
 * fraction than those seen so far. */
static int
rescale(struct regret *r, int need)
{
    regret_int lim = (regret_int)1 << LIMIT_BITS;
    int d = need - r->scale;
    size_t i, m;
    if (need > MAX_SCALE || d >= LIMIT_BITS || r->mass >= (lim >> d))
        return -1;
    for (i = 0; i < r->n_tab; i++) {
        if (r->tab[i].f >= (lim >> d))
            return -1;
        r->tab[i].f *= (regret_int)1 << d;
    }
    r->base *= (regret_int)1 << d;
    r->mass *= (regret_int)1 << d;
    for (m = 1; m <= r->last; m++)
        r->d[m] *= (regret_int)1 << d;
    for (i = 0; i < r->n_pending; i++)
        r->pending[i].delta *= (regret_int)1 << d;
    r->scale = need;
    r->rebuild = 1;
    return 0;
}

/* x as an integer number of units 2^-E, raising E when x needs it; -1
 * when x is negative, not finite, or too far from the costs seen.  The
 * costs seen before are looked up in tab first (fixed_of). */
static __attribute__((noinline)) int
fixed_new(struct regret *r, double x, regret_int *out)
{
    int ex, lsb, tz;
    uint64_t M;
    regret_int f = 0;
    if (!(x >= 0.0) || !isfinite(x))
        return -1;
    if (x > 0.0) {
        /* x = M · 2^lsb with M odd */
        M = (uint64_t)ldexp(frexp(x, &ex), 53);
        tz = __builtin_ctzll(M);
        M >>= tz;
        lsb = ex - 53 + tz;
        if (-lsb > r->scale && rescale(r, -lsb))
            return -1;
        if (lsb + r->scale + (64 - __builtin_clzll(M)) > LIMIT_BITS)
            return -1;
        f = (regret_int)M << (lsb + r->scale);
    }
    if (r->n_tab < sizeof r->tab / sizeof r->tab[0]) {
        r->tab[r->n_tab].d = x;
        r->tab[r->n_tab].f = f;
        r->n_tab++;
    }
    *out = f;
    return 0;
}

static inline int
fixed_of(struct regret *r, double x, regret_int *out)
{
    size_t i;
    for (i = 0; i < r->n_tab; i++)
        if (r->tab[i].d == x) {
            *out = r->tab[i].f;
            return 0;
        }
    return fixed_new(r, x, out);
}

static void apply(struct regret *r, size_t m, regret_int fo, regret_int fa);

/* Too many changes to patch the tree: the pending ones go to d, later
 * ones straight to d, and the next query rebuilds every block. */
static void
to_rebuild(struct regret *r)
{
    size_t q;
    for (q = 0; q < r->n_pending; q++)
        r->d[r->pending[q].m] += r->pending[q].delta;
    r->n_pending = 0;
    r->rebuild = 1;
}

static void
fast_add(struct regret *r, size_t m, double off, double acc)
{
    regret_int fo, fa;
    int scale = r->scale;
    if (fixed_of(r, off, &fo) || fixed_of(r, acc, &fa)
        || (r->scale != scale && fixed_of(r, off, &fo))) {
        fast_off(r);
        return;
    }
    apply(r, m, fo, fa);
}

/* One sample at leaf m with integer costs fo and fa. */
static void
apply(struct regret *r, size_t m, regret_int fo, regret_int fa)
{
    regret_int lim = (regret_int)1 << LIMIT_BITS;
    r->base += fa;
    r->mass += fo + fa;
    if (r->mass >= lim) {
        fast_off(r);
        return;
    }
    if (m > r->last)
        return;
    if (r->rebuild) {
        r->d[m] += fo - fa;
    } else if (r->n_pending < r->cap_pending) {
        /* d[m] is read at the query, with its block: not touched now */
        r->pending[r->n_pending].m = m;
        r->pending[r->n_pending].delta = fo - fa;
        r->n_pending++;
    } else {
        to_rebuild(r);
        r->d[m] += fo - fa;
    }
}

/* The samples that may wait: each adds at most twice the largest integer
 * of the table to `mass`, which must stay below 2^LIMIT_BITS. */
static void
headroom(struct regret *r)
{
    regret_int lim = (regret_int)1 << LIMIT_BITS, big = 0, room;
    size_t i;
    for (i = 0; i < r->n_tab; i++)
        if (r->tab[i].f > big)
            big = r->tab[i].f;
    room = lim - 1 - r->mass;
    if (big == 0 || room / (2 * big) >= (regret_int)SIZE_MAX)
        r->defer_left = SIZE_MAX;
    else
        r->defer_left = (size_t)(room / (2 * big));
}

static int
tab_index(const struct regret *r, double x, unsigned *out)
{
    unsigned i;
    for (i = 0; i < r->n_tab; i++)
        if (r->tab[i].d == x) {
            *out = i;
            return 1;
        }
    return 0;
}

/* The deferred samples into the integers: in their order while listed,
 * else grouped by row (count − folded samples of each). */
static void
fold(struct regret *r)
{
    size_t n = r->n_defer, q, row;
    if (!n)
        return;
    r->n_defer = 0;
    if (n <= r->cap_defer) {
        for (q = 0; q < n && r->exact; q++) {
            const struct regret_class *c;
            row = r->defer_rows[q];
            c = &r->klass[r->cls[row]];
            r->folded[row]++;
            apply(r, r->leaf_of[row], r->tab[c->t_off].f, r->tab[c->t_acc].f);
        }
    } else {
        to_rebuild(r);     /* as apply does past cap_pending */
        for (row = 0; row < r->trace->n; row++) {
            uint32_t k = r->count[row] - r->folded[row];
            if (k) {
                const struct regret_class *c = &r->klass[r->cls[row]];
                regret_int fo = r->tab[c->t_off].f, fa = r->tab[c->t_acc].f;
                size_t m = r->leaf_of[row];
                r->folded[row] = r->count[row];
                r->base += (regret_int)k * fa;
                r->mass += (regret_int)k * (fo + fa);
                if (m <= r->last)
                    r->d[m] += (regret_int)k * (fo - fa);
            }
        }
        if (r->mass >= (regret_int)1 << LIMIT_BITS) {   /* headroom keeps it below */
            fast_off(r);
            return;
        }
    }
    if (r->exact)
        headroom(r);
}

/* A sample added at once (the deferred ones are in); its class may defer
 * from now on. */
static void
add_now(struct regret *r, size_t row, int counted)
{
    double off = cost_offload(&r->cost, r->trace, row), acc = cost_accept(&r->cost, r->trace, row);
    fast_add(r, r->leaf_of[row], off, acc);    /* may end the fast path: then the leaves are synced */
    if (!r->exact || !r->cls)
        return;
    if (counted)
        r->folded[row]++;
    {
        struct regret_class *c = &r->klass[r->cls[row]];
        if (!c->ready && tab_index(r, c->off, &c->t_off) && tab_index(r, c->acc, &c->t_acc))
            c->ready = 1;
    }
    headroom(r);
}

/* The leaves of block b: m ∈ [lo, hi]. */
static void
block_range(const struct regret *r, size_t b, size_t *lo, size_t *hi)
{
    *lo = 1 + b * REGRET_BLOCK;
    *hi = *lo + REGRET_BLOCK - 1 < r->last ? *lo + REGRET_BLOCK - 1 : r->last;
}

static void
block_scan(struct regret *r, size_t b)
{
    struct regret_node *n = &r->node[r->size + b];
    size_t lo, hi, m;
    regret_int sum;
    block_range(r, b, &lo, &hi);
    sum = r->d[lo];
    n->min = sum;
    for (m = lo + 1; m <= hi; m++) {
        sum += r->d[m];
        if (sum < n->min)
            n->min = sum;
    }
    n->sum = sum;
}

static inline void
combine(struct regret_node *n, const struct regret_node *a, const struct regret_node *b)
{
    regret_int right = a->sum + b->min;
    n->sum = a->sum + b->sum;
    n->min = a->min <= right ? a->min : right;
}

/* Brings the tree up to date: the changed blocks are scanned again, then
 * their ancestors recomputed one level at a time, each once. */
static void
flush(struct regret *r)
{
    size_t i, q, n;
    if (r->rebuild) {
        for (q = 0; q < r->n_pending; q++)      /* those before a rescale */
            r->d[r->pending[q].m] += r->pending[q].delta;
        for (q = 0; q < r->blocks; q++)
            block_scan(r, q);
        for (i = r->size; i-- > 1;)
            combine(&r->node[i], &r->node[2 * i], &r->node[2 * i + 1]);
    } else if (r->n_pending) {
        if (++r->stamp == 0) {          /* wrapped: no node carries the new stamp */
            memset(r->mark, 0, 2 * r->size * sizeof *r->mark);
            r->stamp = 1;
        }
        for (q = n = 0; q < r->n_pending; q++) {
            size_t m = r->pending[q].m, b = (m - 1) / REGRET_BLOCK;
            r->d[m] += r->pending[q].delta;
            if (r->mark[r->size + b] != r->stamp) {
                r->mark[r->size + b] = r->stamp;
                r->dirty[n++] = r->size + b;
            }
        }
        for (q = 0; q < n; q++)
            block_scan(r, r->dirty[q] - r->size);
        while (r->dirty[0] > 1) {       /* the nodes listed are all on one level */
            size_t m = 0;
            for (q = 0; q < n; q++) {
                size_t up = r->dirty[q] / 2;
                if (r->mark[up] != r->stamp) {
                    r->mark[up] = r->stamp;
                    combine(&r->node[up], &r->node[2 * up], &r->node[2 * up + 1]);
                    r->dirty[m++] = up;
                }
            }
            n = m;
        }
    }
    r->rebuild = 0;
    r->n_pending = 0;
}

/* The double nearest to X·2^-E (ties to even), and in *ymax the largest
 * integer that rounds to the same double. */
static double
round_fixed(regret_int X, int E, regret_int *ymax)
{
    regret_uint u = (regret_uint)X, q, rem, half, one53 = (regret_uint)1 << 53;
    int b = bits_of(u), sh;
    if (b <= 53) {
        *ymax = X;              /* every integer up to 2^53 is a double */
        return ldexp((double)(uint64_t)u, -E);
    }
    sh = b - 53;
    q = u >> sh;
    rem = u & (((regret_uint)1 << sh) - 1);
    half = (regret_uint)1 << (sh - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    {
        /* the next double up is 2^sh further (2^(sh+1) when q reached
         * 2^53: a power of two, even); the midpoint goes to the even one */
        regret_uint mant = q, spacing;
        int s = sh;
        if (mant == one53) {
            mant >>= 1;
            s++;
        }
        spacing = (regret_uint)1 << s;
        *ymax = (regret_int)((q << sh) + spacing / 2 - (mant & 1));
    }
    return ldexp((double)(uint64_t)q, sh - E);
}

/* The first prefix length p ≥ 1 with Σ_{m ≤ p} d[m] ≤ thr (one exists). */
static size_t
descend(const struct regret *r, regret_int thr)
{
    size_t i = 1, lo, hi, m;
    regret_int sum = 0;
    while (i < r->size) {
        if (r->node[2 * i].min <= thr)
            i = 2 * i;
        else {
            thr -= r->node[2 * i].sum;
            i = 2 * i + 1;
        }
    }
    block_range(r, i - r->size, &lo, &hi);
    for (m = lo; m < hi; m++) {
        sum += r->d[m];
        if (sum <= thr)
            break;
    }
    return m;
}

/* The query of the fast path, or -1 when the reference must answer. */
static int
fast_best(struct regret *r, double *best, size_t *best_j)
{
    regret_uint ops = 2 * (regret_uint)r->adds + 2 * (regret_uint)r->k + 3;
    regret_int min, ymax;
    fold(r);
    if (!r->exact)
        return -1;
    /* the bound under which every Neumaier sum of the reference is exact */
    if (r->mass > 0 && ops > ((regret_uint)1 << 105) / (regret_uint)r->mass)
        return fast_off(r);
    flush(r);
    if (r->last == 0)
        min = 0;                /* leaf 0 only (first is 0 then) */
    else if (r->first == 0)
        min = r->node[1].min < 0 ? r->node[1].min : 0;
    else
        min = r->node[1].min;
    *best = round_fixed(r->base + min, r->scale, &ymax);
    if (r->first == 0 && r->base <= ymax)
        *best_j = 0;
    else
        *best_j = descend(r, ymax - r->base);
    return 0;
}
#else
static void
fold(struct regret *r)
{
}

static void
add_now(struct regret *r, size_t row, int counted)
{
}

static int
fast_best(struct regret *r, double *best, size_t *best_j)
{
    return fast_off(r);
}
#endif

void
regret_add(struct regret *r, size_t row)
{
    r->adds++;
    if (r->exact) {
        r->counted++;
        if (r->cls && r->defer_left && r->klass[r->cls[row]].ready && r->count[row] < UINT32_MAX - 1) {
            r->counted++;
            r->count[row]++;
            r->defer_left--;
            if (r->n_defer < r->cap_defer)
                r->defer_rows[r->n_defer] = (uint32_t)row;
            r->n_defer++;
            return;
        }
        fold(r);                    /* the deferred samples first, this one not counted yet */
    }
    if (r->exact) {
        r->counted++;
        if (++r->count[row] == UINT32_MAX) {
            sync_leaves(r);         /* this sample is in the leaves, not in a count */
            add_now(r, row, 0);
            return;
        }
        add_now(r, row, 1);
    } else {
        struct regret_leaf *l = &r->leaf[r->leaf_of[row]];
        ksum_add(&l->off, cost_offload(&r->cost, r->trace, row));
        ksum_add(&l->acc, cost_accept(&r->cost, r->trace, row));
    }
}

static double
theta_of(const struct regret *r, size_t best_j)
{
    if (best_j == 0)
        return 0.0;
    if (best_j < r->k)
        return r->v[best_j];
    return r->v[r->k - 1] < 1.0 ? 1.0 : cost_theta_all();
}

static void
reference_best(struct regret *r, double *out, size_t *out_j)
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
        ksum_merge(&r->suffix[j], &r->leaf[j + 1].acc);
    }
    for (j = 0; j <= last; j++) {
        struct ksum leaf;
        double v;
        ksum_merge(&pre, &r->leaf[j].off);   /* leaf[0] is 0 */
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
    *out = best;
    *out_j = best_j;
}

double
regret_best_reference(struct regret *r, double *theta)
{
    double best;
    size_t best_j;
    if (r->k == 0) {
        if (theta)
            *theta = 0.0;
        return 0.0;
    }
    sync_leaves(r);
    reference_best(r, &best, &best_j);
    if (theta)
        *theta = theta_of(r, best_j);
    return best;
}

double
regret_best(struct regret *r, double *theta)
{
    double best;
    size_t best_j;
    if (!r->exact || fast_best(r, &best, &best_j))
        return regret_best_reference(r, theta);
    if (theta)
        *theta = theta_of(r, best_j);
    return best;
}
