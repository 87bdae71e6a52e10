/*
 * hedge_hi.c — Hedge-HI and Hedge-HI-Restart (002 [12], Al-Atat, Datta,
 * Moharir and Champati, 2024).  The seeds cite the paper without its
 * algorithm; this is the reading docs/baselines.md argues for.
 *
 * Experts.  The thresholds at the distinct confidences observed so far,
 * plus θ = 0 (accept everything) and θ = 1⁺ (offload everything); expert θ
 * offloads p iff p < θ.  A sample with a new confidence p_t adds the
 * expert θ = p_t, which inherits the weight of the interval it splits: the
 * weight of the next expert above it, whose decisions on every earlier
 * sample were the same (no earlier confidence lies between them).
 *
 * Feedback: HIL-N's (policies/hil_n.c).  Only an offloaded sample brings
 * the L-ML's answer, taken as the label; with q_t the weighted share of
 * the experts that offload p_t,
 *
 *   P_t = ε + (1 − ε)·q_t,  offload iff u_t < P_t  (u_t from the policy's stream)
 *   ℓ̂_t(θ) = β + (c_t − β)·O_t/P_t   for θ > p_t,   a_t·O_t/P_t for θ ≤ p_t
 *   w_{t+1}(θ) = w_t(θ)·exp(−η ℓ̂_t(θ))
 *
 * with a_t = 1{S-ML ≠ L-ML} and c_t the offload cost with the L-ML as
 * right.  The estimates are unbiased (docs/online-learning.md, hil-n).
 *
 * Regret.  With W the total weight, the new experts make W jump by the
 * weight they copy, ln(1 + π_t(rep)), and the second-order Hedge argument
 * of hil-n gives R_n ≤ εBn + L_n/η + (ηn/2)(1/ε + C) with
 * L_n = ln 2 + Σ_t ln(1 + π_t(rep_t)) ≤ (1 + χ_n)·ln 2, χ_n the distinct
 * confidences seen: tuned, O(n^{2/3} (B·χ_n)^{1/3}) (the bound 002 [12]
 * states).  Tuning with that worst case makes ε ≥ 1 on recorded traces
 * (χ = 9840 on the shipped trace), so hedge.tuning: log (the default)
 * takes L = ln K, K = 2 + the distinct confidences of the confidence
 * column: the cost of a uniform prior over every expert that can appear,
 * which the activations approach when they fall into light intervals;
 * hedge.tuning: worst-case
 * takes L = (1 + χ̂)·ln 2.  Then, as in hil-n, ε = min(1, (L/(2nB²))^{1/3}),
 * η = √(2εL/n), B = β + c_L; policy.eta overrides η.
 *
 * Hedge-HI-Restart needs neither n nor λ_min nor the confidence set: it
 * runs epochs of 2^j rounds (j = 0, 1, …), each a fresh Hedge-HI (only
 * θ = 0 and 1⁺ to start) tuned for n_j = 2^j and
 * K_j = 2 + min(n_j, χ seen before the epoch).  When the tuning holds in
 * every epoch, the epochs' bounds sum geometrically to at most
 * 1/(1 − 2^{−2/3}) ≈ 2.70 times the bound tuned for n.
 *
 * Data structure: a log-domain segment tree over every position an expert
 * can take (the distinct confidences of the column, 0 and 1⁺), inactive
 * leaves −inf, with a lazy add per node and an active count for the
 * next-active search.  O(log K) per round; a restart is O(K) every 2^j
 * rounds.
 */
#include "policies/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct state {
    /* positions: b[0] = 0 ≤ … < b[K-2] the distinct confidences, b[K-1] = 1⁺ */
    double *b;
    size_t K, S;
    double *val, *tag;     /* log-sum-exp per node; lazy add */
    unsigned *cnt;         /* active leaves per node */
    size_t *index;         /* row -> position */
    size_t rows;
    gsl_rng *rng;
    double beta, B, eta, epsilon, L;
    int restart, worst_case, eta_given;
    double eta_fixed;
    size_t n;              /* rounds of the run (hedge-hi) */
    /* the epoch (restart) */
    size_t epoch, epoch_len, epoch_left, seen_total, seen_epoch;
    unsigned char *seen;   /* per position: observed at all (restart's χ) */
    double activation;     /* Σ ln(1 + π(rep)) of the epoch: L_n − ln 2, realised */
};

static double
lse(double a, double b)
{
    double m;
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    m = a > b ? a : b;
    return m + log1p(exp(-fabs(a - b)));
}

static void
apply(struct state *s, size_t x, double a)
{
    if (s->val[x] != -INFINITY)
        s->val[x] += a;
    if (x < s->S)
        s->tag[x] += a;
}

static void
push(struct state *s, size_t x)
{
    if (s->tag[x] != 0.0) {
        apply(s, 2 * x, s->tag[x]);
        apply(s, 2 * x + 1, s->tag[x]);
        s->tag[x] = 0.0;
    }
}

static void
pull(struct state *s, size_t x)
{
    s->val[x] = lse(s->val[2 * x], s->val[2 * x + 1]);
    s->cnt[x] = s->cnt[2 * x] + s->cnt[2 * x + 1];
}

/* Adds a to the leaves [l, r] of node x covering [lo, hi]. */
static void
range_add(struct state *s, size_t x, size_t lo, size_t hi, size_t l, size_t r, double a)
{
    size_t mid;
    if (r < lo || hi < l)
        return;
    if (l <= lo && hi <= r) {
        apply(s, x, a);
        return;
    }
    push(s, x);
    mid = lo + (hi - lo) / 2;
    range_add(s, 2 * x, lo, mid, l, r, a);
    range_add(s, 2 * x + 1, mid + 1, hi, l, r, a);
    pull(s, x);
}

static double
range_lse(struct state *s, size_t x, size_t lo, size_t hi, size_t l, size_t r)
{
    size_t mid;
    if (r < lo || hi < l)
        return -INFINITY;
    if (l <= lo && hi <= r)
        return s->val[x];
    push(s, x);
    mid = lo + (hi - lo) / 2;
    return lse(range_lse(s, 2 * x, lo, mid, l, r), range_lse(s, 2 * x + 1, mid + 1, hi, l, r));
}

/* Sets leaf i to log-weight v (active). */
static void
leaf_set(struct state *s, size_t i, double v)
{
    size_t x = 1, lo = 0, hi = s->S - 1, path[64], d = 0;
    while (x < s->S) {
        size_t mid = lo + (hi - lo) / 2;
        push(s, x);
        path[d++] = x;
        if (i <= mid) {
            x = 2 * x;
            hi = mid;
        } else {
            x = 2 * x + 1;
            lo = mid + 1;
        }
    }
    s->val[x] = v;
    s->cnt[x] = 1;
    while (d > 0)
        pull(s, path[--d]);
}

static double
leaf_get(struct state *s, size_t i)
{
    return range_lse(s, 1, 0, s->S - 1, i, i);
}

/* The smallest active position > i (the top 1⁺ is always active). */
static size_t
next_active(struct state *s, size_t x, size_t lo, size_t hi, size_t i)
{
    size_t mid, r;
    if (hi <= i || s->cnt[x] == 0)
        return (size_t)-1;
    if (x >= s->S)
        return lo;
    mid = lo + (hi - lo) / 2;
    r = next_active(s, 2 * x, lo, mid, i);
    return r != (size_t)-1 ? r : next_active(s, 2 * x + 1, mid + 1, hi, i);
}

static void
tune(struct state *s, double n, double L)
{
    s->L = L;
    s->epsilon = s->B > 0.0 ? fmin(1.0, cbrt(L / (2.0 * n * s->B * s->B))) : 1.0;
    s->eta = s->eta_given ? s->eta_fixed : sqrt(2.0 * s->epsilon * L / n);
}

/* A fresh Hedge-HI: only θ = 0 and θ = 1⁺, weight 1 each. */
static void
reset(struct state *s)
{
    size_t x;
    for (x = 1; x < 2 * s->S; x++) {
        s->val[x] = -INFINITY;
        s->cnt[x] = 0;
        if (x < s->S)
            s->tag[x] = 0.0;
    }
    leaf_set(s, 0, 0.0);
    leaf_set(s, s->K - 1, 0.0);
    s->activation = 0.0;
    s->seen_epoch = 0;
}

static void
start_epoch(struct state *s)
{
    double n = (double)s->epoch_len;
    double chi = (double)(s->seen_total < s->epoch_len ? s->seen_total : s->epoch_len);
    reset(s);
    s->epoch_left = s->epoch_len;
    if (chi < 1.0)
        chi = 1.0;
    tune(s, n, s->worst_case ? (1.0 + chi) * log(2.0) : log(2.0 + chi));
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int
init_common(struct state *s, const struct hi_policy_env *env, int restart, struct hi_error *err)
{
    size_t i, k, n_dist;
    double *v;
    const char *tuning = env->param ? env->param(env->param_ctx, "hedge.tuning") : NULL;

    s->restart = restart;
    s->worst_case = tuning && strcmp(tuning, "worst-case") == 0;
    s->rng = env->rng;
    s->rows = env->rows;
    s->n = env->n ? env->n : 1;
    s->beta = env->cost.beta;
    s->B = env->cost.beta + env->cost.lml_error;
    s->eta_given = !isnan(env->eta);
    s->eta_fixed = env->eta;
    v = malloc((env->rows + 1) * sizeof *v);
    s->index = malloc((env->rows ? env->rows : 1) * sizeof *s->index);
    if (!v || !s->index) {
        free(v);
        return error_set(err, HI_EINTERNAL, "out of memory (%zu confidences)", env->rows);
    }
    v[0] = 0.0;
    memcpy(v + 1, env->conf, env->rows * sizeof *v);
    qsort(v, env->rows + 1, sizeof *v, cmp_double);
    for (i = 1, n_dist = 1; i <= env->rows; i++)
        if (v[i] != v[n_dist - 1])
            v[n_dist++] = v[i];
    s->K = n_dist + 1;                       /* and 1⁺ on top */
    s->b = realloc(v, s->K * sizeof *s->b);
    if (!s->b) {
        free(v);
        return error_set(err, HI_EINTERNAL, "out of memory");
    }
    s->b[s->K - 1] = INFINITY;               /* 1⁺: above every confidence */
    for (s->S = 1; s->S < s->K; s->S *= 2)
        ;
    s->val = malloc(2 * s->S * sizeof *s->val);
    s->tag = calloc(s->S, sizeof *s->tag);
    s->cnt = calloc(2 * s->S, sizeof *s->cnt);
    s->seen = calloc(s->K, 1);
    if (!s->val || !s->tag || !s->cnt || !s->seen)
        return error_set(err, HI_EINTERNAL, "out of memory (%zu experts)", s->K);
    for (i = 0; i < env->rows; i++) {
        double p = env->conf[i];
        size_t lo = 0, hi = s->K - 2;
        while (lo < hi) {
            k = lo + (hi - lo) / 2;
            if (s->b[k] < p)
                lo = k + 1;
            else
                hi = k;
        }
        s->index[i] = lo;
    }
    s->seen[0] = 1;                          /* θ = 0 exists from the start */
    if (restart) {
        s->epoch = 0;
        s->epoch_len = 1;
        start_epoch(s);
    } else {
        double chi = (double)(s->K - 2);     /* the column's distinct confidences, 0 aside */
        reset(s);
        tune(s, (double)s->n, s->worst_case ? (1.0 + chi) * log(2.0) : log((double)s->K));
    }
    return HI_OK;
}

static void fini(void *st);

/* No fini follows a failed init: free what init_common allocated. */
static int
init_hedge(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    int rc = init_common(st, env, 0, err);
    if (rc)
        fini(st);
    return rc;
}

static int
init_restart(void *st, const struct hi_policy_env *env, struct hi_error *err)
{
    int rc = init_common(st, env, 1, err);
    if (rc)
        fini(st);
    return rc;
}

/* Activates the expert at position m if new (inheriting from the next one
 * above); returns the offload share q. */
static double
prepare(struct state *s, size_t m)
{
    double total, up;
    if (s->cnt[s->S + m] == 0) {
        size_t rep = next_active(s, 1, 0, s->S - 1, m);
        double w = leaf_get(s, rep);
        total = s->val[1];
        s->activation += log1p(exp(w - total));
        leaf_set(s, m, w);
        s->seen_epoch++;
    }
    if (!s->seen[m]) {
        s->seen[m] = 1;
        s->seen_total++;
    }
    total = s->val[1];
    up = range_lse(s, 1, 0, s->S - 1, m + 1, s->K - 1);
    return up == -INFINITY ? 0.0 : fmin(1.0, exp(up - total));
}

static struct hi_action
decide(void *st, const struct hi_view *v, double *q_off)
{
    struct state *s = st;
    size_t m = s->index[v->row];
    double q, P;
    if (s->restart && s->epoch_left == 0) {
        s->epoch++;
        s->epoch_len *= 2;
        start_epoch(s);
    }
    q = prepare(s, m);
    P = s->epsilon + (1.0 - s->epsilon) * q;
    *q_off = P;
    return hi_act(gsl_rng_uniform(s->rng) < P ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
}

static void
feedback(void *st, const struct hi_outcome *o, size_t n)
{
    struct state *s = st;
    size_t i;
    for (i = 0; i < n; i++) {
        size_t m = s->index[o[i].row];
        double l_off = s->beta, l_acc = 0.0, d;
        if (o[i].offloaded && !o[i].failed) {
            double P = o[i].q_off;
            l_off += (o[i].obs_cost_offload - s->beta) / P;
            l_acc = o[i].obs_cost_accept / P;
        }
        /* only the difference matters: charge the side that lost more */
        d = s->eta * (l_off - l_acc);
        if (d > 0.0)
            range_add(s, 1, 0, s->S - 1, m + 1, s->K - 1, -d);
        else if (d < 0.0)
            range_add(s, 1, 0, s->S - 1, 0, m, d);
        if (s->restart)
            s->epoch_left--;
    }
}

static void
describe(const void *st, char *buf, size_t len)
{
    const struct state *s = st;
    if (s->restart)
        snprintf(buf, len, "epochs of 2^j rounds, each tuned for n_j = 2^j and K_j (%s)%s",
                 s->worst_case ? "worst-case" : "log", s->eta_given ? ", eta given" : "");
    else
        snprintf(buf, len, "eta=%.17g epsilon=%.17g L=%.17g (%s, K=%zu)", s->eta, s->epsilon, s->L,
                 s->worst_case ? "worst-case" : "log", s->K);
}

static void
fini(void *st)
{
    struct state *s = st;
    free(s->b);
    free(s->val);
    free(s->tag);
    free(s->cnt);
    free(s->index);
    free(s->seen);
}

const struct hi_policy_type hi_policy_hedge_hi = {
    .name = "hedge-hi",
    .summary = "Hedge-HI: Hedge over the thresholds at the confidences seen so far, learning from offloaded samples only (HIL-N feedback)",
    .size = sizeof(struct state),
    .flags = POLICY_WAITS_FEEDBACK | POLICY_OBSERVED_FEEDBACK,
    .init = init_hedge,
    .decide = decide,
    .feedback = feedback,
    .describe = describe,
    .fini = fini,
};

const struct hi_policy_type hi_policy_hedge_hi_restart = {
    .name = "hedge-hi-restart",
    .summary = "Hedge-HI-Restart: Hedge-HI restarted on epochs of 2^j rounds, needing neither n nor lambda_min",
    .size = sizeof(struct state),
    .flags = POLICY_WAITS_FEEDBACK | POLICY_OBSERVED_FEEDBACK,
    .init = init_restart,
    .decide = decide,
    .feedback = feedback,
    .describe = describe,
    .fini = fini,
};
