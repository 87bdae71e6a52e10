/* check_synth.c — the synthetic generator, its presets, and the reliability
 * statistics (table, ECE) with the gnuplot driver. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_cdf.h>

#include "analysis/plot.h"
#include "tests/suites.h"
#include "tests/util.h"
#include "traces/cost.h"
#include "traces/sha256.h"
#include "traces/synth.h"
#include "traces/trace.h"

static struct hi_trace *
gen_preset(const char *name)
{
    struct hi_error err = {0};
    const struct synth_preset *ps = synth_preset_find(name);
    struct hi_trace *t;
    ck_assert_ptr_nonnull(ps);
    t = synth_generate(&ps->params, name, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    return t;
}

/* The cifar10-hi preset at its default seed reproduces 000 §3 at θ = 0.607,
 * β = 0.5, c_L = 1 (3550 offloaded, 1577 accepted-wrong, 71 offloaded with
 * the L-ML wrong, each within 1.5%), the accuracies 62.58% and 95%, and
 * puts θ* within 0.03 of 0.607. */
START_TEST(test_preset_cifar10)
{
    struct hi_trace *t = gen_preset("cifar10-hi");
    struct hi_cost c = {0.5, 1.0, COST_CLASSIFY};
    struct cost_optimum o;
    size_t i, off = 0, accw = 0, offl = 0;

    ck_assert_uint_eq(t->n, 10000);
    for (i = 0; i < t->n; i++) {
        if (t->sml_conf[i] < 0.607) {
            off++;
            offl += t->y_lml[i];
        } else {
            accw += t->y_sml[i];
        }
    }
    ck_assert_msg(fabs((double)off - 3550) <= 0.015 * 3550, "offloaded %zu", off);
    ck_assert_msg(fabs((double)accw - 1577) <= 0.015 * 1577, "accepted wrong %zu", accw);
    ck_assert_msg(fabs((double)offl - 71) <= 0.015 * 71, "offloaded, L-ML wrong %zu", offl);
    ck_assert_double_eq_tol(trace_sml_accuracy(t), 0.6258, 1e-4);
    ck_assert_double_eq_tol(trace_lml_accuracy(t), 0.95, 1e-3);
    ck_assert_int_eq(cost_best_threshold(&c, t, NULL, t->n, &o), 0);
    ck_assert_msg(fabs(o.theta - 0.607) <= 0.03, "theta* %.4f", o.theta);
    ck_assert_str_eq(trace_meta(t, "preset"), "cifar10-hi");
    ck_assert_str_eq(trace_meta(t, "seed"), "1");
    trace_free(t);
}
END_TEST

/* The imagenette-batch preset gives the offload ratios of 002 §IV at θ*
 * (c_L = 0): 0.794, 0.671, 0.421 for β = 0.3, 0.5, 0.7, within 0.02. */
START_TEST(test_preset_imagenette)
{
    static const double beta[3] = {0.3, 0.5, 0.7}, rho[3] = {0.794, 0.671, 0.421};
    struct hi_trace *t = gen_preset("imagenette-batch");
    size_t k;

    ck_assert_uint_eq(t->n, 3925);
    for (k = 0; k < 3; k++) {
        struct hi_cost c = {beta[k], 0.0, COST_CLASSIFY};
        struct cost_optimum o;
        double r;
        ck_assert_int_eq(cost_best_threshold(&c, t, NULL, t->n, &o), 0);
        r = (double)o.offloaded / (double)t->n;
        ck_assert_msg(fabs(r - rho[k]) <= 0.02, "beta %.1f: offload ratio %.4f (theta* %.4f)", beta[k], r,
                      o.theta);
    }
    trace_free(t);
}
END_TEST

/* Every row is consistent, in both samplings and for K = 2, 10, 1000:
 * classes in range, y_sml/y_lml agree with the predictions, p in [1/K, 1],
 * p2 in [(1 − p)/(K − 1), min(p, 1 − p)] so p2 <= p and p + p2 <= 1, bytes
 * >= 1; the metadata names generator, preset, params and seed. */
START_TEST(test_rows_consistent)
{
    static const unsigned ks[3] = {2, 10, 1000};
    int mode;
    size_t j, i;

    for (mode = 0; mode < 2; mode++)
        for (j = 0; j < 3; j++) {
            struct synth_params p;
            struct hi_error err = {0};
            struct hi_trace *t;
            synth_defaults(&p);
            p.k = ks[j];
            p.n = 3000;
            p.seed = 7 + j;
            p.bytes_cv = 0.5;
            p.lml_corr = 0.6;
            p.sampling = mode ? SYNTH_IID : SYNTH_STRATIFIED;
            t = synth_generate(&p, NULL, &err);
            ck_assert_msg(t != NULL, "%s", err.msg);
            for (i = 0; i < t->n; i++) {
                double pc = t->sml_conf[i], p2 = t->sml_p2[i];
                ck_assert_int_ge(t->label[i], 0);
                ck_assert_int_lt(t->label[i], (int)p.k);
                ck_assert_int_lt(t->sml_pred[i], (int)p.k);
                ck_assert_int_lt(t->lml_pred[i], (int)p.k);
                ck_assert_int_ge(t->sml_pred[i], 0);
                ck_assert_int_ge(t->lml_pred[i], 0);
                ck_assert_int_eq(t->y_sml[i], t->sml_pred[i] != t->label[i]);
                ck_assert_int_eq(t->y_lml[i], t->lml_pred[i] != t->label[i]);
                ck_assert(pc >= 1.0 / p.k - 1e-15 && pc <= 1.0);
                ck_assert(p2 <= pc);
                ck_assert(pc + p2 <= 1.0);
                ck_assert(p2 >= (1.0 - pc) / (p.k - 1) - 1e-12);
                ck_assert(t->bytes[i] >= 1.0 && t->bytes[i] == round(t->bytes[i]));
                ck_assert_int_eq(trace_id(t, i), (long)i);
            }
            ck_assert_str_eq(trace_meta(t, "preset"), "custom");
            ck_assert_ptr_nonnull(trace_meta(t, "generator"));
            ck_assert_ptr_nonnull(strstr(trace_meta(t, "params"), mode ? "sampling=iid" : "sampling=stratified"));
            ck_assert_int_eq(atoi(trace_meta(t, "seed")), (int)(7 + j));
            trace_free(t);
        }
}
END_TEST

/* The same parameters and seed give the same trace; another seed does not. */
START_TEST(test_deterministic)
{
    struct synth_params p;
    struct hi_error err = {0};
    struct hi_trace *a, *b, *c;
    synth_defaults(&p);
    p.n = 2000;
    p.bytes_cv = 0.3;
    a = synth_generate(&p, NULL, &err);
    b = synth_generate(&p, NULL, &err);
    p.seed = 2;
    c = synth_generate(&p, NULL, &err);
    ck_assert(a && b && c);
    ck_assert_int_eq(memcmp(a->sml_conf, b->sml_conf, p.n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->sml_p2, b->sml_p2, p.n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->bytes, b->bytes, p.n * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(a->label, b->label, p.n * sizeof(int)), 0);
    ck_assert_int_eq(memcmp(a->sml_pred, b->sml_pred, p.n * sizeof(int)), 0);
    ck_assert_int_eq(memcmp(a->lml_pred, b->lml_pred, p.n * sizeof(int)), 0);
    ck_assert_int_ne(memcmp(a->sml_conf, c->sml_conf, p.n * sizeof(double)), 0);
    trace_free(a);
    trace_free(b);
    trace_free(c);
}
END_TEST

/* Stratified sampling: exactly round(n(1 − a_s)) S-ML errors, and the
 * number of samples below any θ within 2 of n_w·F_w + n_r·F_r. */
START_TEST(test_stratified_counts)
{
    static const double thetas[] = {0.15, 0.3, 0.5, 0.607, 0.8, 0.95};
    struct synth_params p;
    struct hi_error err = {0};
    struct hi_trace *t;
    size_t i, j, nw = 0;

    synth_defaults(&p);
    p.n = 5000;
    p.sml_acc = 0.8;
    p.seed = 11;
    t = synth_generate(&p, NULL, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    for (i = 0; i < t->n; i++)
        nw += t->y_sml[i];
    ck_assert_uint_eq(nw, 1000);
    for (j = 0; j < sizeof thetas / sizeof thetas[0]; j++) {
        double b = (thetas[j] - 0.1) / 0.9, expect;
        size_t below = 0;
        for (i = 0; i < t->n; i++)
            below += t->sml_conf[i] < thetas[j];
        expect = 1000 * gsl_cdf_beta_P(b, p.wrong_a, p.wrong_b) + 4000 * gsl_cdf_beta_P(b, p.right_a, p.right_b);
        ck_assert_msg(fabs((double)below - expect) <= 2.0, "theta %.3f: %zu below, expected %.2f", thetas[j],
                      below, expect);
    }
    trace_free(t);
}
END_TEST

/* i.i.d. sampling matches the model within 4 standard errors: S-ML
 * accuracy, the mean of B per group, and the L-ML error rate on the rows
 * the S-ML gets wrong and right against the model's integrals of q(u). */
START_TEST(test_iid_statistics)
{
    struct synth_params p;
    struct hi_error err = {0};
    struct hi_trace *t;
    size_t i, n = 100000, nw = 0, lw_w = 0, lw_r = 0;
    double sum_bw = 0, sum_br = 0, qw = 0, qr = 0, se;
    int m = 20000, j;

    synth_defaults(&p);
    p.n = n;
    p.sampling = SYNTH_IID;
    p.lml_corr = 0.7;
    p.lml_acc = 0.9;
    p.seed = 3;
    t = synth_generate(&p, NULL, &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    for (i = 0; i < n; i++) {
        double b = (t->sml_conf[i] - 0.1) / 0.9;
        if (t->y_sml[i]) {
            nw++;
            sum_bw += b;
            lw_w += t->y_lml[i];
        } else {
            sum_br += b;
            lw_r += t->y_lml[i];
        }
    }
    se = sqrt(0.7 * 0.3 / n);
    ck_assert_double_eq_tol(1.0 - (double)nw / n, 0.7, 4 * se);
    /* Beta(1.5, 2): mean 3/7, sd 0.2; Beta(4, 1): mean 0.8, sd 0.163 */
    ck_assert_double_eq_tol(sum_bw / nw, 1.5 / 3.5, 4 * 0.2 / sqrt(nw));
    ck_assert_double_eq_tol(sum_br / (n - nw), 0.8, 4 * 0.1633 / sqrt(n - nw));
    /* P(L wrong | S wrong) = ∫_0^{0.3} q / 0.3, P(L wrong | S right) = ∫_{0.3}^1 q / 0.7 */
    for (j = 0; j < m; j++) {
        qw += synth_lml_error_prob(&p, 0.3 * (j + 0.5) / m) / m;
        qr += synth_lml_error_prob(&p, 0.3 + 0.7 * (j + 0.5) / m) / m;
    }
    ck_assert(qw > 3 * qr); /* errors concentrate where the S-ML is wrong */
    ck_assert_double_eq_tol((double)lw_w / nw, qw, 4 * sqrt(qw * (1 - qw) / nw));
    ck_assert_double_eq_tol((double)lw_r / (n - nw), qr, 4 * sqrt(qr * (1 - qr) / (n - nw)));
    ck_assert_double_eq_tol(trace_lml_accuracy(t), 0.9, 4 * sqrt(0.09 / n));
    trace_free(t);
}
END_TEST

/* q(u): constant 1 − a_l at ρ = 0; integrates to 1 − a_l for any ρ;
 * decreasing in u for ρ > 0, increasing for ρ < 0; a step at ρ = ±1; 0 and
 * 1 at a_l = 1 and 0. */
START_TEST(test_lml_error_prob)
{
    static const double rhos[] = {-0.9, -0.4, 0.0, 0.4, 0.9};
    struct synth_params p;
    size_t r;
    int j, m = 100000;

    synth_defaults(&p);
    p.lml_acc = 0.95;
    for (r = 0; r < sizeof rhos / sizeof rhos[0]; r++) {
        double s = 0;
        p.lml_corr = rhos[r];
        for (j = 0; j < m; j++)
            s += synth_lml_error_prob(&p, (j + 0.5) / m) / m;
        ck_assert_double_eq_tol(s, 0.05, 2e-4);
        if (rhos[r] > 0)
            ck_assert(synth_lml_error_prob(&p, 0.1) > synth_lml_error_prob(&p, 0.9));
        else if (rhos[r] < 0)
            ck_assert(synth_lml_error_prob(&p, 0.1) < synth_lml_error_prob(&p, 0.9));
        else
            ck_assert_double_eq(synth_lml_error_prob(&p, 0.123), 1.0 - 0.95);
    }
    p.lml_corr = 1.0;
    ck_assert_double_eq(synth_lml_error_prob(&p, 0.04), 1.0);
    ck_assert_double_eq(synth_lml_error_prob(&p, 0.06), 0.0);
    p.lml_corr = -1.0;
    ck_assert_double_eq(synth_lml_error_prob(&p, 0.94), 0.0);
    ck_assert_double_eq(synth_lml_error_prob(&p, 0.96), 1.0);
    p.lml_corr = 0.5;
    p.lml_acc = 1.0;
    ck_assert_double_eq(synth_lml_error_prob(&p, 0.01), 0.0);
    p.lml_acc = 0.0;
    ck_assert_double_eq(synth_lml_error_prob(&p, 0.99), 1.0);
}
END_TEST

/* The Beta quantile inverts the CDF, including U-shaped and skewed shapes,
 * and matches closed forms: Beta(1,1) is v, Beta(2,1) is √v, Beta(1,2) is
 * 1 − √(1 − v). */
START_TEST(test_beta_quantile)
{
    static const double shapes[][2] = {{0.3, 0.3}, {0.5, 5}, {1, 0.3011}, {4, 1}, {20, 30}, {0.7, 2.5}};
    static const double vs[] = {1e-9, 1e-4, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999999};
    size_t s, i;
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (i = 0; i < sizeof vs / sizeof vs[0]; i++) {
            double a = shapes[s][0], b = shapes[s][1], x = synth_beta_quantile(vs[i], a, b);
            double e = fabs(gsl_cdf_beta_P(x, a, b) - vs[i]);
            ck_assert(x >= 0.0 && x <= 1.0);
            /* F(x) = v, or x is the best double (the quantile lies within
             * an ulp of 1, where Beta(., b < 1) climbs steeply) */
            ck_assert_msg(e <= 1e-9 || (e <= fabs(gsl_cdf_beta_P(nextafter(x, 0), a, b) - vs[i]) &&
                                        e <= fabs(gsl_cdf_beta_P(nextafter(x, 2), a, b) - vs[i])),
                          "Beta(%g, %g) at %g: x %.17g, |F(x) - v| %g", a, b, vs[i], x, e);
        }
    ck_assert_double_eq_tol(synth_beta_quantile(0.37, 1, 1), 0.37, 1e-14);
    ck_assert_double_eq_tol(synth_beta_quantile(0.37, 2, 1), sqrt(0.37), 1e-14);
    ck_assert_double_eq_tol(synth_beta_quantile(0.37, 1, 2), 1 - sqrt(0.63), 1e-14);
    ck_assert_double_eq(synth_beta_quantile(0.0, 2, 3), 0.0);
    ck_assert_double_eq(synth_beta_quantile(1.0, 2, 3), 1.0);
}
END_TEST

/* The SHA-256 of the trace file `hisim trace synth --params seed=S,n=2000`
 * writes. */
static void
synth_file_sha256(uint64_t seed, char hex[SHA256_HEX])
{
    struct synth_params p;
    struct hi_error err = {0};
    struct hi_trace *t;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    synth_defaults(&p);
    p.n = 2000;
    p.seed = seed;
    t = synth_generate(&p, NULL, &err);
    ck_assert_msg(t && f, "%s", err.msg);
    trace_write_stream(t, f);
    ck_assert_int_eq(fclose(f), 0);
    sha256_hex(buf, len, hex);
    free(buf);
    trace_free(t);
}

/* Seeds count with all 64 bits: two seeds that differ only above bit 32
 * give different traces (gsl_rng_set folded them onto one), also from
 * each other; seeds below 2^32 give the bytes of earlier releases, whose
 * digests are pinned here (computed with `hisim trace synth --params
 * seed=S,n=2000 -o f.csv; sha256sum f.csv` before the 64-bit seeding). */
START_TEST(test_seed_64_bits)
{
    static const struct { uint64_t seed; const char *sha256; } pinned[] = {
        {1, "9253c1ed98a33fa4e3f6e998fd5457d61c1a1c371eeb69b508a5fdf356379c7b"},
        {4294967295u, "b0d197c74ae47160473c734dab9971f51d711b368b773c21f2082bb8d84712c0"},
    };
    static const uint64_t seeds[] = {1, (1ull << 32) + 1, (1ull << 33) + 1, (1ull << 63) + 1};
    struct hi_trace *t[4];
    struct synth_params p;
    struct hi_error err = {0};
    char hex[SHA256_HEX];
    size_t i, j;

    for (i = 0; i < sizeof pinned / sizeof pinned[0]; i++) {
        synth_file_sha256(pinned[i].seed, hex);
        ck_assert_str_eq(hex, pinned[i].sha256);
    }
    synth_defaults(&p);
    p.n = 2000;
    for (i = 0; i < 4; i++) {
        p.seed = seeds[i];
        t[i] = synth_generate(&p, NULL, &err);
        ck_assert_msg(t[i] != NULL, "%s", err.msg);
    }
    for (i = 0; i < 4; i++)
        for (j = i + 1; j < 4; j++) {
            ck_assert_msg(memcmp(t[i]->sml_conf, t[j]->sml_conf, p.n * sizeof(double)) != 0,
                          "seeds %" PRIu64 " and %" PRIu64 " give the same confidences", seeds[i], seeds[j]);
            ck_assert_int_ne(memcmp(t[i]->label, t[j]->label, p.n * sizeof(int)), 0);
        }
    /* the largest seed: accepted, written back in full */
    ck_assert_int_eq(synth_parse(&p, "seed=18446744073709551615", &err), 0);
    ck_assert_uint_eq(p.seed, UINT64_MAX);
    ck_assert_int_eq(synth_parse(&p, "seed=18446744073709551616", &err), HI_EINPUT);
    for (i = 0; i < 4; i++)
        trace_free(t[i]);
    p.seed = UINT64_MAX;
    t[0] = synth_generate(&p, NULL, &err);
    ck_assert_ptr_nonnull(t[0]);
    ck_assert_str_eq(trace_meta(t[0], "seed"), "18446744073709551615");
    trace_free(t[0]);
}
END_TEST

/* Parameters: a list sets values in order; unknown keys and bad values are
 * input errors naming the key; synth_format reads back to the same values;
 * synth_check rejects out-of-range values. */
START_TEST(test_params)
{
    struct synth_params p, q;
    struct hi_error err = {0};
    char buf[1024];

    synth_defaults(&p);
    ck_assert_int_eq(synth_parse(&p, "k=5,n=123,seed=99,sml_acc=0.55,lml_corr=-0.25,sampling=iid,bytes_cv=0.1", &err), 0);
    ck_assert_uint_eq(p.k, 5);
    ck_assert_uint_eq(p.n, 123);
    ck_assert_uint_eq(p.seed, 99);
    ck_assert_double_eq(p.sml_acc, 0.55);
    ck_assert_double_eq(p.lml_corr, -0.25);
    ck_assert_int_eq(p.sampling, SYNTH_IID);
    ck_assert_double_eq(p.bytes_cv, 0.1);
    p.right_a = 0.1 + 0.2; /* not a short decimal */
    ck_assert_int_lt(synth_format(&p, buf, sizeof buf), (int)sizeof buf);
    synth_defaults(&q);
    ck_assert_int_eq(synth_parse(&q, buf, &err), 0);
    ck_assert_int_eq(memcmp(&p, &q, sizeof p), 0);

    ck_assert_int_eq(synth_parse(&p, "sml_ac=0.5", &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "did you mean 'sml_acc'"));
    ck_assert_int_eq(synth_parse(&p, "sml_acc=abc", &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "sml_acc"));
    ck_assert_int_eq(synth_parse(&p, "n=-5", &err), HI_EINPUT);
    ck_assert_int_eq(synth_parse(&p, "k", &err), HI_EINPUT);
    ck_assert_int_eq(synth_parse(&p, "sampling=lhs", &err), HI_EINPUT);
    ck_assert_int_eq(synth_parse(&p, "bytes=inf", &err), HI_EINPUT);

    synth_defaults(&p);
    ck_assert_int_eq(synth_check(&p, &err), 0);
    p.k = 1;
    ck_assert_int_eq(synth_check(&p, &err), HI_EINPUT);
    synth_defaults(&p);
    p.sml_acc = 1.5;
    ck_assert_int_eq(synth_check(&p, &err), HI_EINPUT);
    synth_defaults(&p);
    p.lml_corr = -1.01;
    ck_assert_int_eq(synth_check(&p, &err), HI_EINPUT);
    synth_defaults(&p);
    p.wrong_b = 0;
    ck_assert_int_eq(synth_check(&p, &err), HI_EINPUT);
    ck_assert_ptr_null(synth_generate(&p, NULL, &err));
    ck_assert_int_eq(err.status, HI_EINPUT);
    ck_assert_ptr_null(synth_preset_find("cifar10"));
    ck_assert_ptr_nonnull(synth_preset_find("imagenette-batch"));
}
END_TEST

/* A synthetic trace written with trace_write loads back with every column
 * bit for bit, the derived y columns, and the metadata. */
START_TEST(test_round_trip)
{
    struct synth_params p;
    struct hi_error err = {0};
    struct hi_trace *a, *b;
    const char *path = util_tmp("synth_rt.csv");
    size_t i;

    synth_defaults(&p);
    p.n = 1500;
    p.k = 7;
    p.bytes_cv = 0.4;
    p.lml_corr = 0.3;
    p.sampling = SYNTH_IID;
    a = synth_generate(&p, NULL, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_int_eq(trace_write(a, path, &err), 0);
    b = trace_load(path, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    ck_assert_uint_eq(b->n, a->n);
    ck_assert_ptr_null(b->unknown);
    ck_assert_ptr_nonnull(b->id);
    ck_assert_ptr_nonnull(b->sml_p2);
    ck_assert_ptr_nonnull(b->bytes);
    ck_assert_ptr_null(b->lml_conf);
    ck_assert_ptr_null(b->sml_prob);
    for (i = 0; i < a->n; i++) {
        ck_assert_int_eq(b->id[i], a->id[i]);
        ck_assert_int_eq(b->label[i], a->label[i]);
        ck_assert_int_eq(b->sml_pred[i], a->sml_pred[i]);
        ck_assert_int_eq(b->lml_pred[i], a->lml_pred[i]);
        ck_assert(b->sml_conf[i] == a->sml_conf[i]);
        ck_assert(b->sml_p2[i] == a->sml_p2[i]);
        ck_assert(b->bytes[i] == a->bytes[i]);
        ck_assert_int_eq(b->y_sml[i], a->y_sml[i]);
        ck_assert_int_eq(b->y_lml[i], a->y_lml[i]);
    }
    for (i = 0; i < a->n_meta; i++)
        ck_assert_str_eq(trace_meta(b, a->meta[i].key), a->meta[i].value);
    trace_free(a);
    trace_free(b);
}
END_TEST

/* Bins are [b/N, (b+1)/N), the last closed, decided by the edges even
 * where p·N rounds across one. */
START_TEST(test_bin_edges)
{
    ck_assert_uint_eq(plot_bin_of(0.0, 4), 0);
    ck_assert_uint_eq(plot_bin_of(0.25, 4), 1);
    ck_assert_uint_eq(plot_bin_of(0.2499999, 4), 0);
    ck_assert_uint_eq(plot_bin_of(0.5, 4), 2);
    ck_assert_uint_eq(plot_bin_of(1.0, 4), 3);
    ck_assert_uint_eq(plot_bin_of(0.3, 10), 3);
    ck_assert_uint_eq(plot_bin_of(0.7, 10), 7);
    ck_assert_uint_eq(plot_bin_of(0.6, 10), 6);
    ck_assert_uint_eq(plot_bin_of(0.99, 10), 9);
    ck_assert_uint_eq(plot_bin_of(0.5, 1), 0);
}
END_TEST

/* ECE on a 6-row trace, 4 bins, by hand:
 *   [0, .25):   p .1 right, .2 wrong  -> conf .15, acc .5, |gap| .35 × 2
 *   [.25, .5):  empty
 *   [.5, .75):  p .6 right, .7 right  -> conf .65, acc 1,  |gap| .35 × 2
 *   [.75, 1]:   p .9 wrong, 1.0 right -> conf .95, acc .5, |gap| .45 × 2
 *   ECE = (.7 + .7 + .9) / 6 = 0.38333... */
START_TEST(test_ece_hand)
{
    static const double conf[6] = {0.1, 0.2, 0.6, 0.7, 0.9, 1.0};
    static const int right[6] = {1, 0, 1, 1, 0, 1};
    struct hi_trace *t = trace_new(6);
    struct plot_bin bins[4];
    double ece;
    size_t i;

    ck_assert_ptr_nonnull(t);
    for (i = 0; i < 6; i++) {
        t->label[i] = 3;
        t->sml_pred[i] = right[i] ? 3 : 4;
        t->lml_pred[i] = 3;
        t->sml_conf[i] = conf[i];
    }
    trace_derive(t);
    plot_reliability(t, 4, bins, &ece);
    ck_assert_double_eq_tol(ece, 2.3 / 6.0, 1e-15);
    ck_assert_uint_eq(bins[0].count, 2);
    ck_assert_double_eq_tol(bins[0].conf, 0.15, 1e-15);
    ck_assert_double_eq_tol(bins[0].acc, 0.5, 1e-15);
    ck_assert_uint_eq(bins[1].count, 0);
    ck_assert(isnan(bins[1].conf) && isnan(bins[1].acc));
    ck_assert_double_eq(bins[1].lo, 0.25);
    ck_assert_double_eq(bins[1].hi, 0.5);
    ck_assert_uint_eq(bins[2].count, 2);
    ck_assert_double_eq_tol(bins[2].conf, 0.65, 1e-15);
    ck_assert_double_eq_tol(bins[2].acc, 1.0, 1e-15);
    ck_assert_uint_eq(bins[3].count, 2);
    ck_assert_double_eq_tol(bins[3].conf, 0.95, 1e-15);
    ck_assert_double_eq_tol(bins[3].acc, 0.5, 1e-15);

    /* one bin: ECE = |accuracy − mean confidence| = |4/6 − 3.5/6| */
    plot_reliability(t, 1, bins, &ece);
    ck_assert_double_eq_tol(ece, 0.5 / 6.0, 1e-15);
    trace_free(t);
}
END_TEST

/* ECE of the hand-made tests/data/small.csv, 10 bins: gaps .8 (p .2),
 * .3 (.3), .4 (.4), 2×.05 (.55, .55), .4 (.6), .7 (.7), .2 (.8),
 * 2×.03 (.95, .99): 2.96 / 10. */
START_TEST(test_ece_small_csv)
{
    struct hi_error err = {0};
    struct hi_trace *t = trace_load(util_src("tests/data/small.csv"), &err);
    struct plot_bin bins[10];
    double ece;
    ck_assert_msg(t != NULL, "%s", err.msg);
    plot_reliability(t, 10, bins, &ece);
    ck_assert_double_eq_tol(ece, 0.296, 1e-12);
    ck_assert_uint_eq(bins[0].count + bins[1].count, 0);
    ck_assert_uint_eq(bins[5].count, 2);
    ck_assert_double_eq_tol(bins[5].acc, 0.5, 1e-15);
    ck_assert_uint_eq(bins[9].count, 2);
    ck_assert_double_eq_tol(bins[9].conf, 0.97, 1e-15);
    trace_free(t);
}
END_TEST

/* The figure format follows the extension; a missing gnuplot is an input
 * error that names HISIM_GNUPLOT and writes no file. */
START_TEST(test_plot_missing_gnuplot)
{
    struct hi_error err = {0};
    enum plot_format f;
    struct plot_bin bins[2] = {{0, 0.5, 1, 0.4, 1.0}, {0.5, 1, 1, 0.9, 0.0}};
    const char *out = util_tmp("never.png");
    struct stat st;

    ck_assert_int_eq(plot_format_of("a/b.PNG", &f, &err), 0);
    ck_assert_int_eq(f, PLOT_PNG);
    ck_assert_int_eq(plot_format_of("x.svg", &f, &err), 0);
    ck_assert_int_eq(f, PLOT_SVG);
    ck_assert_int_eq(plot_format_of("x.pdf", &f, &err), 0);
    ck_assert_int_eq(f, PLOT_PDF);
    ck_assert_int_eq(plot_format_of("x.jpg", &f, &err), HI_EINPUT);
    ck_assert_int_eq(plot_format_of("dir.png/x", &f, &err), HI_EINPUT);

    setenv("HISIM_GNUPLOT", "/nonexistent/gnuplot", 1);
    ck_assert_int_eq(plot_reliability_draw(bins, 2, 0.45, 2, "t", out, &err), HI_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "HISIM_GNUPLOT"));
    ck_assert_int_ne(stat(out, &st), 0);
}
END_TEST

/* With gnuplot present, the diagram is an SVG file and no temporary is
 * left; without it, the error is the missing-gnuplot one. */
START_TEST(test_plot_svg)
{
    struct hi_error err = {0};
    struct plot_bin bins[2] = {{0, 0.5, 3, 0.4, 1.0 / 3}, {0.5, 1, 1, 0.9, 1.0}};
    const char *out = util_tmp("rel.svg");
    char exe[4096];
    char *text;
    size_t len;

    unsetenv("HISIM_GNUPLOT");
    if (plot_find_gnuplot(exe, sizeof exe, &err) != 0) {
        ck_assert_int_eq(plot_reliability_draw(bins, 2, 0.3, 4, "t's", out, &err), HI_EINPUT);
        return;
    }
    ck_assert_msg(plot_reliability_draw(bins, 2, 0.3, 4, "t's", out, &err) == 0, "%s", err.msg);
    text = util_read(out, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "<svg"));
    ck_assert_ptr_nonnull(strstr(text, "ECE 0.3000"));
    free(text);
}
END_TEST

Suite *
suite_synth(void)
{
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_preset_cifar10);
    tcase_add_test(tc, test_preset_imagenette);
    tcase_add_test(tc, test_rows_consistent);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_stratified_counts);
    tcase_add_test(tc, test_iid_statistics);
    tcase_add_test(tc, test_lml_error_prob);
    tcase_add_test(tc, test_beta_quantile);
    tcase_add_test(tc, test_params);
    tcase_add_test(tc, test_seed_64_bits);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_bin_edges);
    tcase_add_test(tc, test_ece_hand);
    tcase_add_test(tc, test_ece_small_csv);
    tcase_add_test(tc, test_plot_missing_gnuplot);
    tcase_add_test(tc, test_plot_svg);
    suite_add_tcase(s, tc);
    return s;
}
