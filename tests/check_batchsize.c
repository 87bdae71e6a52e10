/* check_batchsize.c — the optimal batch size against the closed forms of
 * 002 §III-B, written out independently, and against brute force. */
#include <math.h>

#include "analysis/batchsize.h"
#include "sim/config.h"
#include "tests/suites.h"
#include "tests/util.h"

/* 002 eqs. (6)–(9), typed from the paper a second time. */
static double
f_paper(double M, double rho, double ed, double es, double tx, double nw, double a)
{
    double ts = (M * ed + rho * M * (es + tx) + nw) / M;                        /* (6), first form */
    double tr = (rho * (1 - rho / 2) * ed + rho * rho * (es + tx)) * M + rho * nw + (1 - 0.5 * rho) * ed;
    return a * ts + (1 - a) * tr;
}

/* 002 §IV: Imagenette (τed 1.48, τes 4.41, τtx 4.93, τnw 20 ms, ρ 0.421)
 * and CIFAR-10 (τed 0.39, τes 4.29, τtx 0.49), α ∈ {0.1, 0.5, 0.9}:
 * M†, f, t_s and t_r match the closed form to 1e-9, and M* is the integer
 * minimiser of f found by brute force over 1..10^4. */
START_TEST(test_paper_parameters)
{
    const double sets[2][4] = {{1.48, 4.41, 4.93, 20}, {0.39, 4.29, 0.49, 20}};
    const double alphas[3] = {0.1, 0.5, 0.9};
    size_t s, a;
    for (s = 0; s < 2; s++)
        for (a = 0; a < 3; a++) {
            struct batchsize_in in = {0.421, sets[s][0], sets[s][1], sets[s][2], sets[s][3], alphas[a]};
            struct batchsize_out out;
            double rho = in.rho, ed = in.tau_ed, es = in.tau_es, tx = in.tau_tx, nw = in.tau_nw, al = in.alpha;
            double dag = sqrt(al * nw / ((1 - al) * (rho * (1 - rho / 2) * ed + rho * rho * (es + tx))));
            double best = INFINITY, bestM = 0, M;
            batchsize_optimal(&in, &out);
            ck_assert_double_eq_tol(out.m_dagger, dag, 1e-9 * dag);
            for (M = 1; M <= 10000; M++) {
                double v = f_paper(M, rho, ed, es, tx, nw, al);
                if (v < best) {
                    best = v;
                    bestM = M;
                }
            }
            ck_assert_double_eq(out.m_star, bestM);
            ck_assert(out.m_star == floor(dag) || out.m_star == ceil(dag) || (dag < 1 && out.m_star == 1));
            ck_assert_double_eq_tol(out.f, best, 1e-9 * best);
            ck_assert_double_eq_tol(out.t_s, ed + rho * (es + tx) + nw / bestM, 1e-9);
            ck_assert_double_eq_tol(out.t_r, (rho * (1 - rho / 2) * ed + rho * rho * (es + tx)) * bestM
                                                 + rho * nw + (1 - rho / 2) * ed, 1e-9);
        }
}
END_TEST

/* Edges: α = 0 wants the smallest batch, α = 1 an unbounded one; ρ = 0
 * offloads nothing, so no batch pays τnw and every M gives t_s = t_r =
 * τed (M† undefined, M* = 1, no NaN). */
START_TEST(test_edges)
{
    struct batchsize_in in = {0.5, 1.48, 4.41, 4.93, 20, 0.0};
    struct batchsize_out out;
    batchsize_optimal(&in, &out);
    ck_assert_double_eq(out.m_star, 1);
    in.alpha = 1.0;
    batchsize_optimal(&in, &out);
    ck_assert(isinf(out.m_star));
    ck_assert_double_eq_tol(out.f, 1.48 + 0.5 * (4.41 + 4.93), 1e-12);
    in.alpha = 0.5;
    in.rho = 0.0;
    batchsize_optimal(&in, &out);
    ck_assert_double_eq(out.m_star, 1);
    ck_assert(isnan(out.m_dagger));
    ck_assert_double_eq(out.f, 1.48);
    ck_assert_double_eq(out.t_s, 1.48);
    ck_assert_double_eq(out.t_r, 1.48);
}
END_TEST

/* M* is the better of ⌊M†⌋ and ⌈M†⌉, the smaller on a tie.  With ρ = 1,
 * τed = 2, τes = τtx = 0, α = 0.5 and τnw = 6, eqs. (6)-(8)
 * give f(M) = 3/M + M/2 + 9/2, so f(2) = f(3) = 7 exactly (M† = √6): M* = 2. */
START_TEST(test_mstar_tie)
{
    struct batchsize_in in = {1.0, 2.0, 0.0, 0.0, 6.0, 0.5};   /* rho, ted, tes, ttx, tnw, alpha */
    struct batchsize_out out;
    batchsize_optimal(&in, &out);
    ck_assert_double_eq_tol(out.m_dagger, sqrt(6.0), 1e-12);
    ck_assert_double_eq(batchsize_f(&in, 2.0), 7.0);
    ck_assert_double_eq(batchsize_f(&in, 3.0), 7.0);
    ck_assert_double_eq(out.m_star, 2.0);
}
END_TEST

/* A scenario's inputs: τtx from bytes and rate, ρ at θ* of the trace, and
 * policy.batch auto resolved to M*, capped at the run length. */
START_TEST(test_from_config)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct hi_config c;
    struct batchsize_in in;
    double m;
    config_defaults(&c);
    config_set_arg(&c, "network.rate_mbps=8", &err);
    ck_assert_int_eq(batchsize_from_config(&c, t, &in, &err), 0);
    ck_assert_double_eq_tol(in.tau_tx, 1.0, 1e-12);      /* 1000 bytes at 8 Mbit/s */
    ck_assert_double_eq_tol(in.rho, 0.3, 1e-12);         /* θ* = 0.55 offloads 3 of 10 */
    ck_assert_double_eq(in.tau_nw, 20);
    config_set_arg(&c, "batch.rho=0.421", &err);
    ck_assert_int_eq(batchsize_from_config(&c, t, &in, &err), 0);
    ck_assert_double_eq(in.rho, 0.421);
    config_set_arg(&c, "policy.batch=auto", &err);
    config_set_arg(&c, "batch.alpha=0.999", &err);
    ck_assert_int_eq(batchsize_resolve(&c, t, &m, &err), 0);
    ck_assert(m > 10);
    ck_assert_uint_eq(c.policy.batch, 10);               /* capped at n */
    config_set_arg(&c, "policy.batch=7", &err);
    ck_assert_int_eq(batchsize_resolve(&c, t, &m, &err), 0);
    ck_assert_uint_eq(c.policy.batch, 7);
    ck_assert(isnan(m));
    trace_free(t);
}
END_TEST

Suite *
suite_batchsize(void)
{
    Suite *s = suite_create("batchsize");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_paper_parameters);
    tcase_add_test(tc, test_edges);
    tcase_add_test(tc, test_mstar_tie);
    tcase_add_test(tc, test_from_config);
    suite_add_tcase(s, tc);
    return s;
}
