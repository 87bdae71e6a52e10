/* check_hil.c — exponential weights (expweights), hil-f, batch-hi, hil-n,
 * against the naive oracle of tests/hil_oracle.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "policies/expweights.h"
#include "policies/policy.h"
#include "tests/hil_oracle.h"
#include "tests/suites.h"
#include "tests/util.h"

#define REL 1e-12

/* |a − b| ≤ tol·max(|a|, |b|); values below 1e-290 count as equal, where
 * a double has no relative precision left. */
static int
close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b)) + 1e-290;
}

#define ck_assert_close(a, b, tol)                                              \
    do {                                                                        \
        double a_ = (a), b_ = (b);                                              \
        ck_assert_msg(close_rel(a_, b_, (tol)), "%s = %.17g, %s = %.17g", #a, a_, \
                      #b, b_);                                                  \
    } while (0)

static gsl_rng *
rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

static struct hi_policy_env
env_for(const struct hi_trace *t, double beta, double lml_error, size_t n, double eta,
        size_t batch, gsl_rng *r)
{
    struct hi_policy_env e;
    memset(&e, 0, sizeof e);
    e.conf = t->sml_conf;
    e.rows = t->n;
    e.batch_threshold = BATCH_THRESHOLD_PER_SAMPLE;
    e.cost.beta = beta;
    e.cost.lml_error = lml_error;
    e.n = n;
    e.theta = NAN;
    e.eta = eta;
    e.batch = batch;
    e.rng = r;
    return e;
}

static struct hi_policy *
make(const char *name, const struct hi_policy_env *e)
{
    struct hi_error err = {0};
    struct hi_policy *p = policy_new(policy_lookup(name), e, &err);
    ck_assert_msg(p != NULL, "%s: %s", name, err.msg);
    return p;
}

static enum hi_action_kind
decide_row(struct hi_policy *p, const struct hi_trace *t, size_t tt, size_t row, double *q)
{
    struct hi_view v;
    memset(&v, 0, sizeof v);
    v.t = tt;
    v.row = row;
    v.stage = HI_STAGE_SML;
    v.p = t->sml_conf[row];
    v.pred = t->sml_pred[row];
    return policy_decide(p, &v, q).kind;
}

/* The outcome the engine would build for a decided sample. */
static struct hi_outcome
outcome_for(const struct hi_trace *t, const struct hi_cost *c, size_t tt, size_t row,
            int offloaded, double q_off)
{
    struct hi_outcome o;
    memset(&o, 0, sizeof o);
    o.t = tt;
    o.q_off = q_off;
    o.row = row;
    o.p = t->sml_conf[row];
    o.offloaded = offloaded;
    o.action.kind = offloaded ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT;
    o.local_pred = t->sml_pred[row];
    o.server_pred = offloaded ? t->lml_pred[row] : -1;
    /* what the device observes: the L-ML's answer as the label */
    o.obs_cost_accept = offloaded ? (double)(t->sml_pred[row] != t->lml_pred[row]) : NAN;
    o.obs_cost_offload = offloaded ? c->beta : NAN;
    o.cost_accept = cost_accept(c, t, row);
    o.cost_offload = cost_offload(c, t, row);
    return o;
}

/* The (η, λ_min) a policy reports; ε too for hil-n. */
static void
described(const struct hi_policy *p, double *eta, double *lambda, double *eps)
{
    char buf[160];
    p->type->describe(p->state, buf, sizeof buf);
    if (eps)
        ck_assert_int_eq(sscanf(buf, "eta=%lf epsilon=%lf lambda_min=%lf", eta, eps, lambda), 3);
    else
        ck_assert_int_eq(sscanf(buf, "eta=%lf lambda_min=%lf", eta, lambda), 2);
}

/* The segment tree's q(p) and log total equal the oracle's explicit
 * per-interval weights to 1e-12 after every update, on traces with ties,
 * repeated values, confidences exactly 0 and 1, a single row and a trace
 * of only {0, 1}; losses of either sign and size, η from 0.05 to 10, and
 * queries at p other than the updated one. */
START_TEST(test_expw_oracle)
{
    static const struct { size_t n; unsigned levels; int edges; } cases[] = {
        {150, 0, 1}, {300, 7, 1}, {60, 3, 0}, {1, 0, 0}, {40, 1, 0}, {250, 0, 0},
    };
    static const double etas[] = {0.05, 1.0, 10.0};
    size_t c, e, r;
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (e = 0; e < 3; e++) {
            struct hi_trace *t = util_random_trace(cases[c].n, cases[c].levels,
                                                   cases[c].edges, 11 + c);
            struct expw *w = expw_new(t->sml_conf, t->n);
            struct hil_oracle *o = hil_oracle_new(t->sml_conf, t->n);
            gsl_rng *g = rng_new(100 + c * 3 + e);
            ck_assert_ptr_nonnull(w);
            for (r = 0; r < 800; r++) {
                double p = t->sml_conf[gsl_rng_uniform_int(g, t->n)];
                double p2 = t->sml_conf[gsl_rng_uniform_int(g, t->n)];
                double lo = gsl_rng_uniform(g), la = gsl_rng_uniform(g);
                if (r % 7 == 0) {          /* importance-weighted sizes, any sign */
                    lo = 20.0 * gsl_rng_uniform(g) - 5.0;
                    la = 20.0 * gsl_rng_uniform(g) - 5.0;
                }
                ck_assert_close(expw_q_offload(w, p), hil_oracle_q(o, p), REL);
                ck_assert_close(expw_q_offload(w, p2), hil_oracle_q(o, p2), REL);
                expw_update(w, p, lo, la, etas[e]);
                hil_oracle_update(o, p, lo, la, etas[e]);
                ck_assert_close(expw_q_offload(w, p), hil_oracle_q(o, p), REL);
                if (r % 10 == 0)
                    ck_assert(fabs(expw_log_total(w) - hil_oracle_log_total(o))
                              <= 1e-12 * fmax(1.0, fabs(hil_oracle_log_total(o))));
            }
            gsl_rng_free(g);
            hil_oracle_free(o);
            expw_free(w);
            trace_free(t);
        }
}
END_TEST

/* The cut points: K = number of distinct values of {0, p_i, 1} minus one;
 * p = 0 is offloaded by every θ > 0 (q = 1 exactly) and p = 1 by no
 * θ ∈ [0, 1] (q = 0 exactly), before and after updates; fresh weights
 * give q(p) = 1 − p (w ≡ 1 is Lebesgue measure). */
START_TEST(test_expw_edges)
{
    static const double p[] = {1.0, 0.25, 0.0, 0.25, 0.75, 1.0};
    static const double only[] = {0.0, 1.0, 1.0};
    struct expw *w = expw_new(p, 6), *w2 = expw_new(only, 3);
    int i;
    ck_assert_uint_eq(expw_intervals(w), 3);          /* (0,.25] (.25,.75] (.75,1] */
    ck_assert_uint_eq(expw_locate(w, 0.75), 2);
    ck_assert_double_eq(expw_q_offload(w, 0.25), 0.75);
    ck_assert_double_eq(expw_q_offload(w, 0.75), 0.25);
    for (i = 0; i < 1000; i++) {
        expw_update(w, p[i % 6], i % 3 ? 1.0 : 0.0, 0.5, 10.0);
        ck_assert_double_eq(expw_q_offload(w, 0.0), 1.0);
        ck_assert_double_eq(expw_q_offload(w, 1.0), 0.0);
        ck_assert(isfinite(expw_log_total(w)));
    }
    ck_assert_uint_eq(expw_intervals(w2), 1);         /* (0, 1] alone */
    expw_update(w2, 0.0, 1.0, 0.0, 10.0);
    expw_update(w2, 1.0, 0.0, 1.0, 10.0);
    ck_assert_double_eq(expw_q_offload(w2, 0.0), 1.0);
    ck_assert_double_eq(expw_q_offload(w2, 1.0), 0.0);
    ck_assert_double_eq_tol(expw_log_total(w2), -20.0, 1e-12);
    expw_free(w);
    expw_free(w2);
}
END_TEST

/* hil-f: q_t equals the oracle fed the full-feedback losses (offload cost
 * for θ > p, accept cost for θ ≤ p) to 1e-12, with c_L = 0 and 1, and each
 * decision is "u < q_t" for the t-th uniform of the policy's stream. */
START_TEST(test_hil_f_oracle)
{
    int cl;
    for (cl = 0; cl <= 1; cl++) {
        struct hi_trace *t = util_random_trace(400, cl ? 9 : 0, 1, 21 + cl);
        gsl_rng *r = rng_new(5), *twin = rng_new(5), *order = rng_new(6);
        struct hi_policy_env e = env_for(t, 0.3, cl, 3000, NAN, 1, r);
        struct hi_policy *p = make("hil-f", &e);
        struct hil_oracle *o = hil_oracle_new(t->sml_conf, t->n);
        double eta, lambda;
        size_t tt, offl = 0;
        described(p, &eta, &lambda, NULL);
        for (tt = 0; tt < e.n; tt++) {
            size_t row = gsl_rng_uniform_int(order, t->n);
            double q;
            enum hi_action_kind a = decide_row(p, t, tt, row, &q);
            struct hi_outcome oc = outcome_for(t, &e.cost, tt, row, a == HI_ACT_OFFLOAD, q);
            ck_assert_close(q, hil_oracle_q(o, t->sml_conf[row]), REL);
            ck_assert_int_eq(a, gsl_rng_uniform(twin) < q ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT);
            offl += a == HI_ACT_OFFLOAD;
            policy_feedback(p, &oc, 1);
            hil_oracle_update(o, oc.p, oc.cost_offload, oc.cost_accept, eta);
        }
        ck_assert_uint_gt(offl, 0);
        ck_assert_uint_lt(offl, e.n);
        policy_free(p);
        hil_oracle_free(o);
        gsl_rng_free(r);
        gsl_rng_free(twin);
        gsl_rng_free(order);
        trace_free(t);
    }
}
END_TEST

/* batch-hi with M = 1 is hil-f: the same default η, and for the same seed
 * the same q_t (bit for bit) and the same decision at every round. */
START_TEST(test_batch_hi_m1)
{
    struct hi_trace *t = util_random_trace(300, 20, 1, 31);
    gsl_rng *r1 = rng_new(9), *r2 = rng_new(9), *order = rng_new(10);
    struct hi_policy_env e1 = env_for(t, 0.45, 0.0, 4000, NAN, 1, r1);
    struct hi_policy_env e2 = env_for(t, 0.45, 0.0, 4000, NAN, 1, r2);
    struct hi_policy *f = make("hil-f", &e1), *b = make("batch-hi", &e2);
    double eta1, eta2, l1, l2;
    size_t tt;
    described(f, &eta1, &l1, NULL);
    described(b, &eta2, &l2, NULL);
    ck_assert_double_eq(eta1, eta2);
    ck_assert_double_eq(l1, l2);
    for (tt = 0; tt < e1.n; tt++) {
        size_t row = gsl_rng_uniform_int(order, t->n);
        double q1, q2;
        enum hi_action_kind a1 = decide_row(f, t, tt, row, &q1);
        enum hi_action_kind a2 = decide_row(b, t, tt, row, &q2);
        struct hi_outcome o = outcome_for(t, &e1.cost, tt, row, a1 == HI_ACT_OFFLOAD, q1);
        ck_assert_double_eq(q1, q2);
        ck_assert_int_eq(a1, a2);
        policy_feedback(f, &o, 1);
        policy_feedback(b, &o, 1);
    }
    policy_free(f);
    policy_free(b);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    gsl_rng_free(order);
    trace_free(t);
}
END_TEST

/* batch-hi with M = 5: every decision of a batch uses the weights of the
 * batch start (the oracle, not updated inside the batch), the batch's
 * losses all enter at its feedback, and the short last batch (n = 1003)
 * works the same; decisions are "u < q_t" as for hil-f. */
START_TEST(test_batch_hi_m5)
{
    enum { M = 5 };
    struct hi_trace *t = util_random_trace(250, 12, 1, 41);
    gsl_rng *r = rng_new(12), *twin = rng_new(12), *order = rng_new(13);
    struct hi_policy_env e = env_for(t, 0.2, 0.5, 1003, 2.0, M, r);
    struct hi_policy *b = make("batch-hi", &e);
    struct hil_oracle *o = hil_oracle_new(t->sml_conf, t->n);
    struct hi_outcome oc[M];
    size_t first, i;
    for (first = 0; first < e.n; first += M) {
        size_t m = first + M <= e.n ? M : e.n - first;
        for (i = 0; i < m; i++) {
            size_t row = gsl_rng_uniform_int(order, t->n);
            double q;
            enum hi_action_kind a = decide_row(b, t, first + i, row, &q);
            ck_assert_close(q, hil_oracle_q(o, t->sml_conf[row]), REL);
            ck_assert_int_eq(a, gsl_rng_uniform(twin) < q ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT);
            oc[i] = outcome_for(t, &e.cost, first + i, row, a == HI_ACT_OFFLOAD, q);
        }
        policy_feedback(b, oc, m);
        for (i = 0; i < m; i++)
            hil_oracle_update(o, oc[i].p, oc[i].cost_offload, oc[i].cost_accept, e.eta);
    }
    policy_free(b);
    hil_oracle_free(o);
    gsl_rng_free(r);
    gsl_rng_free(twin);
    gsl_rng_free(order);
    trace_free(t);
}
END_TEST

/* The default η rules: hil-f √(8 ln(1/λ_min)/n) with n = env.n (not the
 * trace length); batch-hi √(8 ln(1/λ_min)/(nM)); hil-n ε = (L/(2nB²))^{1/3}
 * with B = β + c_L and η = √(2εL/n); ε = 1 when offloading is free;
 * policy.eta overrides every η. */
START_TEST(test_default_eta)
{
    struct hi_trace *t = util_random_trace(100, 0, 0, 51);
    double lambda = cost_lambda_min(t), L = log(1.0 / lambda);
    double n = 5000.0, eta, lam, eps;
    struct hi_policy_env e = env_for(t, 0.3, 0.2, 5000, NAN, 1, NULL);
    struct hi_policy *p;

    p = make("hil-f", &e);
    described(p, &eta, &lam, NULL);
    ck_assert_close(lam, lambda, 1e-8);
    ck_assert_close(eta, sqrt(8.0 * L / n), 1e-8);
    policy_free(p);

    e.batch = 4;
    p = make("batch-hi", &e);
    described(p, &eta, &lam, NULL);
    ck_assert_close(eta, sqrt(8.0 * L / (n * 4.0)), 1e-8);
    policy_free(p);

    p = make("hil-n", &e);
    described(p, &eta, &lam, &eps);
    ck_assert_close(eps, cbrt(L / (2.0 * n * 0.5 * 0.5)), 1e-8);
    ck_assert_close(eta, sqrt(2.0 * eps * L / n), 1e-8);
    policy_free(p);

    e.cost.beta = 0.0;
    e.cost.lml_error = 0.0;
    p = make("hil-n", &e);
    described(p, &eta, &lam, &eps);
    ck_assert_double_eq(eps, 1.0);
    policy_free(p);

    e.eta = 0.25;
    e.batch = 1;
    p = make("hil-f", &e);
    described(p, &eta, &lam, NULL);
    ck_assert_double_eq(eta, 0.25);
    policy_free(p);
    /* hil-f takes one sample per round: M > 1 is batch-hi's */
    e.batch = 4;
    ck_assert_ptr_null(policy_new(policy_lookup("hil-f"), &e, NULL));
    p = make("batch-hi", &e);
    described(p, &eta, &lam, NULL);
    ck_assert_double_eq(eta, 0.25);
    policy_free(p);
    p = make("hil-n", &e);
    described(p, &eta, &lam, &eps);
    ck_assert_double_eq(eta, 0.25);
    policy_free(p);
    trace_free(t);
}
END_TEST

/* Runs hil-n for n rounds next to the oracle fed the estimator computed
 * here, independently, from what a device observes: ℓ̂ = β for θ > p and
 * 1{S-ML ≠ L-ML}·1{off}/P for θ ≤ p, P = ε + (1 − ε) q (the L-ML's
 * answer is the label, so the observed offload cost is β).  q_off must
 * be P to 1e-12 and each decision "u < P".  With `blind`, a second
 * instance gets the outcomes with everything it may not observe (the
 * true costs of every sample, the observed costs of accepted ones)
 * corrupted, and must decide identically. */
static void
hil_n_run(size_t n, double beta, double cl, double eta_override, unsigned long seed)
{
    struct hi_trace *t = util_random_trace(300, 0, 1, seed);
    gsl_rng *r = rng_new(seed), *r2 = rng_new(seed), *twin = rng_new(seed);
    gsl_rng *order = rng_new(seed + 1);
    struct hi_policy_env e = env_for(t, beta, cl, n, eta_override, 1, r);
    struct hi_policy_env e2 = env_for(t, beta, cl, n, eta_override, 1, r2);
    struct hi_policy *p = make("hil-n", &e), *blind = make("hil-n", &e2);
    struct hil_oracle *o = hil_oracle_new(t->sml_conf, t->n);
    double eta, lambda, eps;
    size_t tt, offl = 0;

    described(p, &eta, &lambda, &eps);
    ck_assert(eps > 0.0 && eps < 1.0);
    for (tt = 0; tt < n; tt++) {
        size_t row = gsl_rng_uniform_int(order, t->n);
        double q, q2, P, lo, la;
        enum hi_action_kind a = decide_row(p, t, tt, row, &q);
        enum hi_action_kind a2 = decide_row(blind, t, tt, row, &q2);
        struct hi_outcome oc = outcome_for(t, &e.cost, tt, row, a == HI_ACT_OFFLOAD, q);
        struct hi_outcome bad = oc;

        P = eps + (1.0 - eps) * hil_oracle_q(o, oc.p);
        ck_assert_close(q, P, REL);
        ck_assert_int_eq(a, gsl_rng_uniform(twin) < P ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT);
        ck_assert_double_eq(q, q2);
        ck_assert_int_eq(a, a2);
        bad.cost_accept = 1.0 - oc.cost_accept;
        bad.cost_offload = beta + cl * 7.0;
        if (!oc.offloaded) {
            bad.obs_cost_accept = 1.0;
            bad.obs_cost_offload = 5.0;
        }
        offl += oc.offloaded;
        lo = beta;
        la = oc.offloaded ? (double)(t->sml_pred[row] != t->lml_pred[row]) / P : 0.0;
        policy_feedback(p, &oc, 1);
        policy_feedback(blind, &bad, 1);
        hil_oracle_update(o, oc.p, lo, la, eta);
    }
    ck_assert_uint_gt(offl, 0);
    ck_assert_uint_lt(offl, n);
    policy_free(p);
    policy_free(blind);
    hil_oracle_free(o);
    gsl_rng_free(r);
    gsl_rng_free(r2);
    gsl_rng_free(twin);
    gsl_rng_free(order);
    trace_free(t);
}

/* hil-n matches the estimator oracle and never uses what it can not see
 * (hil_n_run), with c_L = 0 and c_L > 0, default and overridden η. */
START_TEST(test_hil_n_oracle)
{
    hil_n_run(3000, 0.3, 0.0, NAN, 61);
    hil_n_run(3000, 0.4, 0.5, NAN, 62);
    hil_n_run(2000, 0.3, 0.0, 1.0, 63);
}
END_TEST

/* Regret (expected cost Σ q ℓ_off + (1 − q) ℓ_acc, minus the best θ in
 * hindsight over intervals of positive length) stays below the bounds the
 * default η is chosen for: √(n ln(1/λ_min)/2) for hil-f and
 * √(nM ln(1/λ_min)/2) for batch-hi (002 eq. (5)).  For full feedback q_t
 * does not depend on the policy's own coin flips, so this is a
 * deterministic check of a worst-case bound; a sign or indexing error in
 * the update makes the regret grow linearly and fails it. */
START_TEST(test_regret_bound)
{
    static const size_t Ms[] = {1, 10};
    struct hi_trace *t = util_random_trace(500, 0, 0, 71);
    double L = log(1.0 / cost_lambda_min(t));
    size_t k;
    for (k = 0; k < 2; k++) {
        size_t M = Ms[k], n = 20000, first, i;
        gsl_rng *r = rng_new(72), *order = rng_new(73);
        struct hi_policy_env e = env_for(t, 0.35, 0.0, n, NAN, M, r);
        struct hi_policy *p = make(M == 1 ? "hil-f" : "batch-hi", &e);
        struct hil_oracle *o = hil_oracle_new(t->sml_conf, t->n);
        struct hi_outcome oc[10];
        double expected = 0.0, regret;
        for (first = 0; first < n; first += M) {
            for (i = 0; i < M; i++) {
                size_t row = gsl_rng_uniform_int(order, t->n);
                double q;
                enum hi_action_kind a = decide_row(p, t, first + i, row, &q);
                oc[i] = outcome_for(t, &e.cost, first + i, row, a == HI_ACT_OFFLOAD, q);
                expected += q * oc[i].cost_offload + (1.0 - q) * oc[i].cost_accept;
                hil_oracle_update(o, oc[i].p, oc[i].cost_offload, oc[i].cost_accept, 0.0);
            }
            policy_feedback(p, oc, M);
        }
        regret = expected - hil_oracle_best_loss(o);
        ck_assert_msg(regret <= sqrt((double)n * (double)M * L / 2.0),
                      "M=%zu regret %g bound %g", M, regret, sqrt((double)n * M * L / 2.0));
        ck_assert(regret > -1e-6);  /* ≥ 0 up to luck; far below means a bug */
        policy_free(p);
        hil_oracle_free(o);
        gsl_rng_free(r);
        gsl_rng_free(order);
    }
    trace_free(t);
}
END_TEST

/* 10^6 rounds at η = 10 and at η = 0.05, in three phases (accepting is
 * free, then offloading is best, then the trace's own costs), so the
 * weights swing from one end of [0, 1] to the other by up to 10^6 in the
 * log domain: every q_t stays a number in [0, 1] (no NaN, no underflow
 * trouble), and at ten checkpoints the policy's q at every confidence
 * equals, to 1e-12, the exact reference computed from the cumulative
 * losses (multiples of 1/2, so their sums are exact): no drift. */
START_TEST(test_long_run)
{
    static const double etas[] = {10.0, 0.05};
    struct hi_trace *t = util_random_trace(64, 0, 1, 81);
    size_t k, tt, i;
    for (k = 0; k < 2; k++) {
        gsl_rng *r = rng_new(82), *order = rng_new(83);
        struct hi_policy_env e = env_for(t, 0.5, 0.0, 1000000, etas[k], 1, r);
        struct hi_policy *p = make("hil-f", &e);
        struct hil_oracle *o = hil_oracle_new(t->sml_conf, t->n);
        int bad = 0;
        for (tt = 0; tt < e.n; tt++) {
            size_t row = gsl_rng_uniform_int(order, t->n);
            double q;
            enum hi_action_kind a = decide_row(p, t, tt, row, &q);
            struct hi_outcome oc = outcome_for(t, &e.cost, tt, row, a == HI_ACT_OFFLOAD, q);
            if (tt < 300000)
                oc.cost_accept = 0.0;
            else if (tt < 600000)
                oc.cost_accept = 1.0;
            bad |= !(q >= 0.0 && q <= 1.0);
            policy_feedback(p, &oc, 1);
            hil_oracle_update(o, oc.p, oc.cost_offload, oc.cost_accept, 0.0);
            if ((tt + 1) % 100000 == 0)
                for (i = 0; i < t->n; i++) {
                    decide_row(p, t, tt, i, &q);
                    ck_assert_close(q, hil_oracle_q_from_loss(o, t->sml_conf[i], e.eta), REL);
                }
        }
        ck_assert_int_eq(bad, 0);
        policy_free(p);
        hil_oracle_free(o);
        gsl_rng_free(r);
        gsl_rng_free(order);
    }
    trace_free(t);
}
END_TEST

/* hil-n for 2·10^5 rounds at η = 10: the importance weights 1/P reach
 * 1/ε, and q_t stays a probability (no NaN, no overflow). */
START_TEST(test_long_run_hil_n)
{
    struct hi_trace *t = util_random_trace(64, 0, 1, 91);
    gsl_rng *r = rng_new(92), *order = rng_new(93);
    struct hi_policy_env e = env_for(t, 0.5, 1.0, 200000, 10.0, 1, r);
    struct hi_policy *p = make("hil-n", &e);
    size_t tt;
    int bad = 0;
    for (tt = 0; tt < e.n; tt++) {
        size_t row = gsl_rng_uniform_int(order, t->n);
        double q;
        enum hi_action_kind a = decide_row(p, t, tt, row, &q);
        struct hi_outcome oc = outcome_for(t, &e.cost, tt, row, a == HI_ACT_OFFLOAD, q);
        bad |= !(q >= 0.0 && q <= 1.0);
        policy_feedback(p, &oc, 1);
    }
    ck_assert_int_eq(bad, 0);
    policy_free(p);
    gsl_rng_free(r);
    gsl_rng_free(order);
    trace_free(t);
}
END_TEST

/* The three policies are registered, wait for feedback, and a trace of
 * only confidences 0 and 1 (λ_min = 1, so the default η is 0) decides
 * q = 1 for p = 0 and q = 0 for p = 1. */
START_TEST(test_registered)
{
    static const char *names[] = {"hil-f", "batch-hi", "hil-n"};
    struct hi_trace *t = util_random_trace(30, 1, 0, 101);
    size_t i, row;
    for (i = 0; i < 3; i++) {
        const struct hi_policy_type *ty = policy_lookup(names[i]);
        gsl_rng *r = rng_new(1);
        struct hi_policy_env e = env_for(t, 0.5, 0.0, 100, NAN, i == 0 ? 1 : 2, r);
        struct hi_policy *p;
        ck_assert_ptr_nonnull(ty);
        ck_assert(ty->flags & POLICY_WAITS_FEEDBACK);
        p = make(names[i], &e);
        for (row = 0; row < t->n; row++) {
            double q;
            struct hi_outcome o;
            enum hi_action_kind a = decide_row(p, t, row, row, &q);
            if (i < 2) {       /* hil-n explores: P = ε + (1 − ε) q */
                ck_assert_double_eq(q, t->sml_conf[row] == 0.0 ? 1.0 : 0.0);
                ck_assert_int_eq(a, q == 1.0 ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT);
            }
            o = outcome_for(t, &e.cost, row, row, a == HI_ACT_OFFLOAD, q);
            policy_feedback(p, &o, 1);
        }
        policy_free(p);
        gsl_rng_free(r);
    }
    trace_free(t);
}
END_TEST

Suite *
suite_hil(void)
{
    Suite *s = suite_create("hil");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_expw_oracle);
    tcase_add_test(tc, test_expw_edges);
    tcase_add_test(tc, test_hil_f_oracle);
    tcase_add_test(tc, test_batch_hi_m1);
    tcase_add_test(tc, test_batch_hi_m5);
    tcase_add_test(tc, test_default_eta);
    tcase_add_test(tc, test_hil_n_oracle);
    tcase_add_test(tc, test_regret_bound);
    tcase_add_test(tc, test_long_run);
    tcase_add_test(tc, test_long_run_hil_n);
    tcase_add_test(tc, test_registered);
    suite_add_tcase(s, tc);
    return s;
}
