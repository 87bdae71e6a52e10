/* check_hedge.c — Hedge-HI and Hedge-HI-Restart against a naive oracle
 * (an explicit list of experts, long double weights, O(K) per round), and
 * their regret's growth on the shipped trace. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_rng.h>

#include "policies/policy.h"
#include "sim/config.h"
#include "sim/engine.h"
#include "tests/suites.h"
#include "tests/util.h"

/* The naive learner: experts θ = 0, the distinct confidences seen (this
 * epoch), θ = 1⁺ (as +inf); a new confidence copies the log-weight of the
 * next expert above it. */
struct naive {
    double theta[4096];
    long double logw[4096];
    size_t k;
};

static void
naive_reset(struct naive *o)
{
    o->k = 2;
    o->theta[0] = 0.0;
    o->theta[1] = INFINITY;
    o->logw[0] = o->logw[1] = 0.0L;
}

static double
naive_q(struct naive *o, double p)
{
    size_t i, j;
    long double up = 0.0L, all = 0.0L, mx = -INFINITY;
    for (i = 0; i < o->k && o->theta[i] < p; i++)
        ;
    if (i == o->k || o->theta[i] != p) {   /* new: insert before i, copy i's weight */
        ck_assert_uint_lt(o->k, 4096);
        for (j = o->k; j > i; j--) {
            o->theta[j] = o->theta[j - 1];
            o->logw[j] = o->logw[j - 1];
        }
        o->theta[i] = p;
        o->logw[i] = o->logw[i + 1];
        o->k++;
    }
    for (j = 0; j < o->k; j++)
        if (o->logw[j] > mx)
            mx = o->logw[j];
    for (j = 0; j < o->k; j++) {
        long double w = expl(o->logw[j] - mx);
        all += w;
        if (o->theta[j] > p)
            up += w;
    }
    return (double)(up / all);
}

static void
naive_update(struct naive *o, double p, double l_off, double l_acc, double eta)
{
    size_t j;
    for (j = 0; j < o->k; j++)
        o->logw[j] -= (long double)eta * (o->theta[j] > p ? l_off : l_acc);
}

static struct hi_outcome
outcome(const struct hi_trace *t, size_t tt, size_t row, int off, double q, double beta)
{
    struct hi_outcome o;
    memset(&o, 0, sizeof o);
    o.t = tt;
    o.row = row;
    o.p = t->sml_conf[row];
    o.q_off = q;
    o.offloaded = off;
    o.action = hi_act(off ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT, 0);
    o.local_pred = t->sml_pred[row];
    o.server_pred = off ? t->lml_pred[row] : -1;
    o.obs_cost_offload = off ? beta : NAN;
    o.obs_cost_accept = off ? (double)(t->sml_pred[row] != t->lml_pred[row]) : NAN;
    o.cost_accept = o.cost_offload = NAN;   /* feedback: offloaded */
    return o;
}

/* Runs the policy and the oracle side by side on n rounds of random rows:
 * P_t = ε + (1 − ε)q_t to 1e-10, the same decisions from a twin stream.
 * For the restart variant the oracle restarts on epochs of 2^j rounds and
 * retunes from its own count of the distinct confidences seen. */
static void
oracle_run(const char *name, size_t n, double beta, unsigned long seed)
{
    struct hi_trace *t = util_random_trace(150, 40, 1, seed);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937), *twin = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng *order = gsl_rng_alloc(gsl_rng_mt19937);
    const struct hi_policy_type *type = policy_lookup(name);
    struct hi_policy_env e;
    struct hi_policy *p;
    struct hi_error err = {0};
    struct naive *o = calloc(1, sizeof *o);
    unsigned char seen[41] = {0};
    double eta = NAN, eps = NAN, L;
    size_t tt, epoch_len = 1, epoch_left = 1, seen_total = 0, offl = 0;
    int restart = strcmp(name, "hedge-hi-restart") == 0;

    gsl_rng_set(r, seed);
    gsl_rng_set(twin, seed);
    gsl_rng_set(order, seed + 7);
    memset(&e, 0, sizeof e);
    e.conf = t->sml_conf;
    e.rows = t->n;
    e.cost.beta = beta;
    e.n = n;
    e.eta = NAN;
    e.theta = NAN;
    e.batch = 1;
    e.feedback = FEEDBACK_OFFLOADED;
    e.rng = r;
    ck_assert_ptr_nonnull(type);
    p = policy_new(type, &e, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    naive_reset(o);
    if (!restart) {
        char d[160];
        size_t K;
        type->describe(p->state, d, sizeof d);
        ck_assert_int_eq(sscanf(d, "eta=%lf epsilon=%lf L=%lf (log, K=%zu)", &eta, &eps, &L, &K), 4);
        /* K = θ = 0, the trace's distinct levels above 0, and 1⁺ */
        {
            unsigned char lv[41] = {0};
            size_t i, d = 0;
            for (i = 0; i < t->n; i++)
                lv[lround(t->sml_conf[i] * 40)] = 1;
            for (i = 1; i <= 40; i++)
                d += lv[i];
            ck_assert_uint_eq(K, d + 2);
        }
        ck_assert_double_eq_tol(L, log((double)K), 1e-12);
        ck_assert_double_eq_tol(eps, fmin(1.0, cbrt(L / (2.0 * n * beta * beta))), 1e-12);
        ck_assert_double_eq_tol(eta, sqrt(2.0 * eps * L / n), 1e-12);
    }
    for (tt = 0; tt < n; tt++) {
        size_t row = gsl_rng_uniform_int(order, t->n), lvl = (size_t)lround(t->sml_conf[row] * 40);
        double q, P, want;
        struct hi_view v;
        struct hi_action a;
        struct hi_outcome oc;
        if (restart && epoch_left == 0) {
            epoch_len *= 2;
            naive_reset(o);
        }
        if (restart && (epoch_left == 0 || tt == 0)) {
            double chi = fmax(1.0, (double)(seen_total < epoch_len ? seen_total : epoch_len));
            L = log(2.0 + chi);
            eps = fmin(1.0, cbrt(L / (2.0 * epoch_len * beta * beta)));
            eta = sqrt(2.0 * eps * L / epoch_len);
            epoch_left = epoch_len;
        }
        memset(&v, 0, sizeof v);
        v.t = tt;
        v.row = row;
        v.stage = HI_STAGE_SML;
        v.p = t->sml_conf[row];
        a = policy_decide(p, &v, &q);
        if (lvl > 0 && !seen[lvl]) {
            seen[lvl] = 1;
            seen_total++;
        }
        want = naive_q(o, v.p);
        P = eps + (1.0 - eps) * want;
        ck_assert_msg(fabs(q - P) <= 1e-10 * fmax(P, 1e-300) + 1e-15, "%s round %zu: P %.17g, oracle %.17g", name,
                      tt, q, P);
        ck_assert_int_eq(a.kind, gsl_rng_uniform(twin) < q ? HI_ACT_OFFLOAD : HI_ACT_ACCEPT);
        oc = outcome(t, tt, row, a.kind == HI_ACT_OFFLOAD, q, beta);
        offl += oc.offloaded;
        policy_feedback(p, &oc, 1);
        naive_update(o, v.p, beta, oc.offloaded ? oc.obs_cost_accept / q : 0.0, eta);
        epoch_left--;
    }
    ck_assert_uint_gt(offl, 0);
    ck_assert_uint_lt(offl, n);
    policy_free(p);
    free(o);
    gsl_rng_free(r);
    gsl_rng_free(twin);
    gsl_rng_free(order);
    trace_free(t);
}

/* The segment tree's q, the expert activation with inherited weights, the
 * estimator and the restarts agree with the naive oracle. */
START_TEST(test_hedge_oracle)
{
    oracle_run("hedge-hi", 4000, 0.3, 31);
    oracle_run("hedge-hi", 2000, 0.6, 32);
    oracle_run("hedge-hi-restart", 5000, 0.3, 33);
}
END_TEST

/* Regret against the best fixed threshold on the shipped trace, with the
 * L-ML's answers as the labels (the feedback model's ground truth): the
 * mean over four seeds at n = 10³, 10⁴, 10⁵ (bootstrap order) grows as
 * n^s with a least-squares slope s ≤ 2/3 + 0.1 in log-log, for both
 * policies (a sign error, or learning from nothing, gives s ≈ 1). */
START_TEST(test_hedge_regret_slope)
{
    static const char *const names[] = {"hedge-hi", "hedge-hi-restart"};
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("traces/fmnist/fmnist-cnn.csv"), &err);
    size_t i, k, seed;
    ck_assert_ptr_nonnull(t);
    for (i = 0; i < t->n; i++)
        t->label[i] = t->lml_pred[i];
    trace_derive(t);
    for (k = 0; k < 2; k++) {
        double x[3], y[3], c0, c1, cov00, cov01, cov11, sumsq;
        size_t j;
        for (j = 0; j < 3; j++) {
            double n = pow(10.0, 3.0 + (double)j), sum = 0.0;
            for (seed = 1; seed <= 4; seed++) {
                struct hi_config c;
                struct engine_result r;
                char arg[64];
                config_defaults(&c);
                snprintf(arg, sizeof arg, "policy.name=%s", names[k]);
                config_set_arg(&c, arg, &err);
                config_set_arg(&c, "trace.order=bootstrap", &err);
                config_set_arg(&c, "feedback=offloaded", &err);
                config_set_arg(&c, "cost.beta=0.3", &err);
                snprintf(arg, sizeof arg, "trace.samples=%.0f", n);
                config_set_arg(&c, arg, &err);
                snprintf(arg, sizeof arg, "seed=%zu", seed);
                config_set_arg(&c, arg, &err);
                ck_assert_msg(engine_run(&c, t, NULL, &r, &err) == 0, "%s", err.msg);
                sum += r.regret;
                engine_result_free(&r);
            }
            x[j] = log(n);
            y[j] = log(sum / 4.0);
        }
        gsl_fit_linear(x, 1, y, 1, 3, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
        ck_assert_msg(c1 <= 2.0 / 3.0 + 0.1, "%s: regret slope %g", names[k], c1);
        ck_assert_msg(c1 >= 0.4, "%s: regret slope %g (too flat to be a regret)", names[k], c1);
    }
    trace_free(t);
}
END_TEST

Suite *
suite_hedge(void)
{
    Suite *s = suite_create("hedge");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_hedge_oracle);
    tcase_add_test(tc, test_hedge_regret_slope);
    suite_add_tcase(s, tc);
    return s;
}
