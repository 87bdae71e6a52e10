/* check_channel.c — the network models (sim/channel.h) against independent
 * computations: closed-form moments of every delay distribution, the exact
 * mean of an empirical file, the Gilbert–Elliott chain's stationary loss
 * and the expected attempts per transmission from a linear solve of its
 * absorbing chain, rate steps against a direct integral, and located
 * errors for bad files and bad combinations of keys.
 *
 * Statistical checks and why they cannot flake.  Every check draws from
 * fixed seeds, so it is deterministic: it passes or fails the same way on
 * every run.  The bounds are 5 standard errors of a CLT approximation, so a
 * correct implementation would fail one check with probability below 6e-7
 * for a seed picked at random: changing a seed, or GSL's sampling
 * algorithms, does not make them fail.  Where draws are correlated (one
 * Gilbert–Elliott link), the standard error comes from R independent links
 * (each with its own stream), whose per-link estimates are i.i.d. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/channel.h"
#include "sim/config.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "tests/suites.h"
#include "tests/util.h"

#define Z 5.0   /* standard errors in a CLT bound */

/* A configuration from defaults and "key=value" settings (NULL-terminated). */
static void
config_of(struct hi_config *c, const char *const *sets)
{
    struct hi_error err = {0};
    config_defaults(c);
    for (; *sets; sets++)
        ck_assert_msg(config_set_arg(c, *sets, &err) == 0, "%s: %s", *sets, err.msg);
}

static struct channel_spec *
spec_of(const char *const *sets)
{
    struct hi_config c;
    struct hi_error err = {0};
    struct channel_spec *sp = NULL;
    config_of(&c, sets);
    ck_assert_msg(channel_spec_load(&sp, &c, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(sp);
    return sp;
}

/* True when r has the same state as a clone taken before: nothing drawn. */
static int
same_state(gsl_rng *r, gsl_rng *clone)
{
    size_t i;
    for (i = 0; i < 8; i++)
        if (gsl_rng_get(r) != gsl_rng_get(clone))
            return 0;
    return 1;
}

/* The defaults are today's model: a constant delay of network.delay_ms,
 * bytes·8/rate on the link, nothing lost, and no random number drawn. */
START_TEST(test_defaults)
{
    const char *sets[] = {"network.rate_mbps=83.6", NULL};
    struct channel_spec *sp = spec_of(sets);
    struct channel_link l;
    gsl_rng *r = rng_stream(7, RNG_NETWORK), *clone = gsl_rng_clone(r);
    double bytes[] = {0, 1, 3072, 30801.92, 1e9};
    size_t i;

    for (i = 0; i < 1000; i++)
        ck_assert_double_eq(channel_delay_seconds(sp, r), 20 * 1e-3);
    ck_assert_double_eq(channel_delay_mean_seconds(sp), 20 * 1e-3);
    ck_assert_double_eq(channel_delay_sd_seconds(sp), 0);
    /* bit for bit the engine's bytes·8/rate */
    for (i = 0; i < sizeof bytes / sizeof bytes[0]; i++)
        ck_assert_double_eq(channel_tx_seconds(sp, 12.5 * (double)i, bytes[i]), bytes[i] * 8.0 / (83.6 * 1e6));
    channel_link_init(&l, sp);
    for (i = 0; i < 1000; i++)
        ck_assert_int_eq(channel_attempt_lost(sp, &l, r), 0);
    ck_assert_uint_eq(l.attempts, 1000);
    ck_assert_uint_eq(l.losses, 0);
    ck_assert_int_eq(channel_spec_kind(sp), CHANNEL_IDEAL);
    ck_assert_msg(same_state(r, clone), "the defaults drew random numbers");
    ck_assert_double_eq(channel_retx_timeout_seconds(sp), 0);
    ck_assert_uint_eq(channel_retx_limit(sp), 8);
    channel_spec_free(sp);
    {
        const char *s2[] = {"network.retx_timeout_ms=250", "network.retx_limit=3", NULL};
        sp = spec_of(s2);
        ck_assert_double_eq(channel_retx_timeout_seconds(sp), 0.25);
        ck_assert_uint_eq(channel_retx_limit(sp), 3);
        channel_spec_free(sp);
    }
    gsl_rng_free(r);
    gsl_rng_free(clone);
}
END_TEST

/*
 * Each distribution's sample mean and variance against the closed form of
 * its parameterisation by (mean m, sd).  Mean: |x̄ − m| ≤ 5·sd/√N.
 * Variance: |s² − sd²| ≤ 5·√((m̂4 − s⁴)/N), the CLT standard error of s²
 * with the sample's fourth central moment.  With N = 2·10⁵ the mean bound
 * is 1.1% of sd: lognormal with μ = ln m (no −σ²/2) is off by 12% of m,
 * gamma with shape and scale swapped keeps the mean but has variance 80
 * instead of 100, uniform on [0, m] has mean m/2.  Draws must also lie in
 * the support: uniform in [lo, hi], shifted-exponential ≥ shift (and its
 * minimum near the shift: P(min > shift + 20θ/N) = e^-20).
 */
START_TEST(test_delay_moments)
{
    static const struct {
        const char *sets[5];
        double mean, sd, lo, hi;   /* ms; hi < 0: unbounded */
    } cases[] = {
        {{"network.delay_dist=uniform", "network.delay_ms=20", NULL}, 20, 40 / 3.4641016151377544, 0, 40},
        {{"network.delay_dist=uniform", "network.delay_ms=20", "network.delay_sd_ms=5", NULL}, 20, 5,
         20 - 5 * 1.7320508075688772, 20 + 5 * 1.7320508075688772},
        {{"network.delay_dist=exponential", "network.delay_ms=20", NULL}, 20, 20, 0, -1},
        {{"network.delay_dist=shifted-exponential", "network.delay_ms=20", "network.delay_shift_ms=15", NULL}, 20, 5,
         15, -1},
        {{"network.delay_dist=lognormal", "network.delay_ms=20", "network.delay_sd_ms=10", NULL}, 20, 10, 0, -1},
        {{"network.delay_dist=lognormal", "network.delay_ms=5", "network.delay_sd_ms=1", NULL}, 5, 1, 0, -1},
        {{"network.delay_dist=gamma", "network.delay_ms=20", "network.delay_sd_ms=10", NULL}, 20, 10, 0, -1},
        {{"network.delay_dist=gamma", "network.delay_ms=20", "network.delay_sd_ms=30", NULL}, 20, 30, 0, -1},
    };
    const size_t N = 200000;
    double *x = malloc(N * sizeof *x);
    size_t c, i;

    ck_assert_ptr_nonnull(x);
    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct channel_spec *sp = spec_of(cases[c].sets);
        gsl_rng *r = rng_stream(11 + c, RNG_NETWORK);
        double mean, var, m4 = 0, lo = INFINITY, hi = -INFINITY;
        double m = cases[c].mean, sd = cases[c].sd;
        for (i = 0; i < N; i++) {
            x[i] = channel_delay_seconds(sp, r) * 1e3;
            lo = fmin(lo, x[i]);
            hi = fmax(hi, x[i]);
        }
        mean = gsl_stats_mean(x, 1, N);
        var = gsl_stats_variance_m(x, 1, N, mean);
        for (i = 0; i < N; i++)
            m4 += pow(x[i] - mean, 4) / (double)N;
        ck_assert_msg(fabs(mean - m) <= Z * sd / sqrt((double)N), "case %zu: mean %.6g, expected %.6g ± %.3g", c, mean,
                      m, Z * sd / sqrt((double)N));
        ck_assert_msg(fabs(var - sd * sd) <= Z * sqrt((m4 - var * var) / (double)N),
                      "case %zu: variance %.6g, expected %.6g ± %.3g", c, var, sd * sd,
                      Z * sqrt((m4 - var * var) / (double)N));
        ck_assert_msg(lo >= cases[c].lo, "case %zu: draw %.17g below %.17g", c, lo, cases[c].lo);
        if (cases[c].hi >= 0)
            ck_assert_msg(hi <= cases[c].hi, "case %zu: draw %.17g above %.17g", c, hi, cases[c].hi);
        if (c == 3)
            ck_assert_msg(lo - 15 < 20 * 5.0 / (double)N, "shifted-exponential: least draw %.17g", lo);
        /* the closed forms the module reports */
        ck_assert_double_eq_tol(channel_delay_mean_seconds(sp), m * 1e-3, 1e-15);
        ck_assert_double_eq_tol(channel_delay_sd_seconds(sp), sd * 1e-3, 1e-15);
        gsl_rng_free(r);
        channel_spec_free(sp);
    }
    free(x);
}
END_TEST

/*
 * empirical: the mean is the exact mean of the file's lines (comments,
 * blank lines, CRLF and blanks skipped), not network.delay_ms; every draw
 * is one of the lines; each line is drawn with frequency 1/n
 * (|f − 1/n| ≤ 5·√(p(1−p)/N), binomial CLT), and the sample mean is within
 * 5·sd/√N of the file's mean.
 */
START_TEST(test_delay_empirical)
{
    static const double ms[] = {12.5, 30, 7.25, 100, 0};
    const size_t n = sizeof ms / sizeof ms[0], N = 100000;
    char path[4096], arg[4200];
    const char *sets[] = {"network.delay_dist=empirical", arg, "network.delay_ms=20", NULL};
    struct channel_spec *sp;
    gsl_rng *r = rng_stream(3, RNG_NETWORK);
    double mean = 0, var = 0, sum = 0;
    size_t count[5] = {0}, i, k;

    snprintf(path, sizeof path, "%s", util_tmp("rtt.txt"));
    ck_assert_int_eq(util_write(path, "# RTTs in ms, one per line\n12.5\n\n30\r\n  7.25  \n# the long one\n100\n0"), 0);
    snprintf(arg, sizeof arg, "network.delay_file=%s", path);
    sp = spec_of(sets);
    for (k = 0; k < n; k++)
        mean += ms[k] / (double)n;
    for (k = 0; k < n; k++)
        var += (ms[k] - mean) * (ms[k] - mean) / (double)n;
    ck_assert_double_eq_tol(channel_delay_mean_seconds(sp), 29.95e-3, 1e-15);   /* 149.75 / 5 */
    ck_assert_double_eq_tol(channel_delay_mean_seconds(sp), mean * 1e-3, 1e-15);
    ck_assert_double_eq_tol(channel_delay_sd_seconds(sp), sqrt(var) * 1e-3, 1e-15);
    for (i = 0; i < N; i++) {
        double d = channel_delay_seconds(sp, r);
        for (k = 0; k < n && d != ms[k] * 1e-3; k++)
            ;
        ck_assert_msg(k < n, "draw %.17g is no line of the file", d);
        count[k]++;
        sum += d * 1e3;
    }
    for (k = 0; k < n; k++) {
        double f = (double)count[k] / (double)N, p = 1.0 / (double)n;
        ck_assert_msg(fabs(f - p) <= Z * sqrt(p * (1 - p) / (double)N), "line %zu drawn with frequency %g", k, f);
    }
    ck_assert_msg(fabs(sum / (double)N - mean) <= Z * sqrt(var / (double)N), "mean %g, expected %g", sum / (double)N,
                  mean);
    gsl_rng_free(r);
    channel_spec_free(sp);
}
END_TEST

/* network.delay_file and network.rate_file in a scenario are relative to
 * the scenario file's folder, like trace.file. */
START_TEST(test_relative_paths)
{
    struct hi_config c;
    struct hi_error err = {0};
    struct channel_spec *sp = NULL;
    char dir[4096], path[4200], want[4300];

    snprintf(dir, sizeof dir, "%s", util_tmp("scen"));
    ck_assert_int_eq(mkdir(dir, 0700) == 0 || access(dir, F_OK) == 0, 1);
    snprintf(path, sizeof path, "%s/d.txt", dir);
    ck_assert_int_eq(util_write(path, "4\n6\n"), 0);
    snprintf(path, sizeof path, "%s/r.csv", dir);
    ck_assert_int_eq(util_write(path, "time_s,rate_mbps\n0,1\n"), 0);
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    ck_assert_int_eq(util_write(path, "network:\n  delay_dist: empirical\n  delay_file: d.txt\n  rate_file: r.csv\n"
                                      "trace: {file: t.csv}\n"),
                     0);
    config_defaults(&c);
    ck_assert_msg(scenario_load(path, &c, &err) == 0, "%s", err.msg);
    snprintf(want, sizeof want, "%s/d.txt", dir);
    ck_assert_str_eq(c.network.delay_file, want);
    snprintf(want, sizeof want, "%s/r.csv", dir);
    ck_assert_str_eq(c.network.rate_file, want);
    ck_assert_msg(channel_spec_load(&sp, &c, &err) == 0, "%s", err.msg);
    ck_assert_double_eq_tol(channel_delay_mean_seconds(sp), 5e-3, 1e-15);
    ck_assert_double_eq_tol(channel_tx_seconds(sp, 0, 125000), 1.0, 1e-12);   /* 1 Mbit at 1 Mbit/s */
    channel_spec_free(sp);
}
END_TEST

/* ---- Gilbert–Elliott ---- */

struct ge {
    double p_gb, p_bg, l[2];
};

static struct channel_spec *
ge_spec(const struct ge *g)
{
    char a[4][64];
    const char *sets[] = {"network.channel=gilbert-elliott", a[0], a[1], a[2], a[3], NULL};
    snprintf(a[0], sizeof a[0], "network.ge_p_gb=%.17g", g->p_gb);
    snprintf(a[1], sizeof a[1], "network.ge_p_bg=%.17g", g->p_bg);
    snprintf(a[2], sizeof a[2], "network.ge_loss_good=%.17g", g->l[0]);
    snprintf(a[3], sizeof a[3], "network.ge_loss_bad=%.17g", g->l[1]);
    return spec_of(sets);
}

/* P[s][s'] of the chain, s = 0 Good, 1 Bad. */
static void
ge_matrix(const struct ge *g, double P[2][2])
{
    P[0][0] = 1 - g->p_gb;
    P[0][1] = g->p_gb;
    P[1][0] = g->p_bg;
    P[1][1] = 1 - g->p_bg;
}

/*
 * The closed forms of a transmission with at most L attempts, by a linear
 * solve of its absorbing Markov chain.  Transient states (s, k): attempt k
 * is made in state s, k = 1..L.  From (s, k) the attempt succeeds with
 * 1 − l_s (absorbed in "delivered, last state s"), or is lost with l_s and
 * then the chain steps: to (s', k+1) with P[s][s'] if k < L, else absorbed
 * in "failed, last state s".  With Q the transient part and R the
 * absorbing part, (I − Q)·t = 1 gives the expected attempts and
 * (I − Q)·B = R the absorption probabilities (the fundamental matrix).
 *
 * Transmissions follow each other on one link, so the next one starts in
 * P[x][·] of the last state x: T[s][s'] = Σ_x B[(s,1), x]·P[x][s'] is the
 * chain of the states in which transmissions start, ν its stationary
 * distribution, and by renewal–reward the long-run mean attempts per
 * transmission is Σ ν_s t_(s,1), the fraction failing Σ ν_s B[(s,1), failed].
 */
static void
ge_closed_form(const struct ge *g, unsigned L, double *attempts, double *failed)
{
    const size_t n = 2 * L;
    gsl_matrix *A = gsl_matrix_calloc(n, n);
    gsl_matrix *rhs = gsl_matrix_calloc(n, 5);   /* columns: 1, delivered G, B, failed G, B */
    gsl_permutation *perm = gsl_permutation_alloc(n);
    gsl_vector *x = gsl_vector_alloc(n);
    double P[2][2], T[2][2], B[2][5], nu_g;
    size_t k, s, s2, j;
    int sign;

    ge_matrix(g, P);
    for (k = 0; k < L; k++)
        for (s = 0; s < 2; s++) {
            size_t i = 2 * k + s;
            gsl_matrix_set(A, i, i, 1.0);
            gsl_matrix_set(rhs, i, 0, 1.0);
            gsl_matrix_set(rhs, i, 1 + s, 1 - g->l[s]);
            if (k + 1 < L) {
                for (s2 = 0; s2 < 2; s2++)
                    gsl_matrix_set(A, i, 2 * (k + 1) + s2, -g->l[s] * P[s][s2]);
            } else {
                gsl_matrix_set(rhs, i, 3 + s, g->l[s]);
            }
        }
    ck_assert_int_eq(gsl_linalg_LU_decomp(A, perm, &sign), 0);
    for (j = 0; j < 5; j++) {
        gsl_vector_view b = gsl_matrix_column(rhs, j);
        ck_assert_int_eq(gsl_linalg_LU_solve(A, perm, &b.vector, x), 0);
        for (s = 0; s < 2; s++)
            B[s][j] = gsl_vector_get(x, s);   /* row (s, 1) */
    }
    for (s = 0; s < 2; s++)
        for (s2 = 0; s2 < 2; s2++)
            T[s][s2] = (B[s][1] + B[s][3]) * P[0][s2] + (B[s][2] + B[s][4]) * P[1][s2];
    nu_g = T[1][0] / (T[0][1] + T[1][0]);
    *attempts = nu_g * B[0][0] + (1 - nu_g) * B[1][0];
    *failed = nu_g * (B[0][3] + B[0][4]) + (1 - nu_g) * (B[1][3] + B[1][4]);
    gsl_vector_free(x);
    gsl_permutation_free(perm);
    gsl_matrix_free(rhs);
    gsl_matrix_free(A);
}

/*
 * Stationary loss: each attempt is lost with q = π_G·l_G + π_B·l_B,
 * π_B = p_gb/(p_gb + p_bg).  (a) The first attempt of 10⁵ fresh links:
 * i.i.d. Bernoulli(q), bound 5·√(q(1−q)/n); a chain started in Good
 * would give l_G = 0.01 instead of q = 0.128.  (b) The long run: 100 links
 * of 10⁴ attempts, each on its own stream; the per-link loss fractions are
 * i.i.d. and unbiased (every attempt is stationary), bound 5·s/√100.
 * Swapping l_G and l_B, or p_gb and p_bg, gives 0.482.  (c) Bursts:
 * P(lost | previous lost) = Σ_s (π_s·l_s/q)·Σ_s' P[s][s']·l_s' = 0.4543;
 * independent losses would give 0.128, a chain that does not step once
 * per attempt something else again.
 */
START_TEST(test_ge_stationary)
{
    const struct ge g = {0.05, 0.2, {0.01, 0.6}};
    const double pi_b = g.p_gb / (g.p_gb + g.p_bg), pi[2] = {1 - pi_b, pi_b};
    const double q = pi[0] * g.l[0] + pi[1] * g.l[1];
    double P[2][2], burst = 0, frac[100], cond[100];
    struct channel_spec *sp = ge_spec(&g);
    struct channel_link l;
    gsl_rng *r = rng_stream(5, RNG_NETWORK);
    size_t i, j, s, s2, lost = 0;
    const size_t n1 = 100000, R = 100, K = 10000;

    ck_assert_double_eq_tol(q, 0.128, 1e-15);
    ge_matrix(&g, P);
    for (s = 0; s < 2; s++)
        for (s2 = 0; s2 < 2; s2++)
            burst += pi[s] * g.l[s] / q * P[s][s2] * g.l[s2];

    for (i = 0; i < n1; i++) {
        channel_link_init(&l, sp);
        lost += (size_t)channel_attempt_lost(sp, &l, r);
        ck_assert_uint_eq(l.attempts, 1);
    }
    ck_assert_msg(fabs((double)lost / (double)n1 - q) <= Z * sqrt(q * (1 - q) / (double)n1),
                  "first attempts: loss %g, expected %g", (double)lost / (double)n1, q);
    gsl_rng_free(r);

    for (j = 0; j < R; j++) {
        gsl_rng *rj = rng_stream(1000 + j, RNG_NETWORK);
        size_t losses = 0, pairs = 0, prev_losses = 0;
        int prev = 0;
        channel_link_init(&l, sp);
        for (i = 0; i < K; i++) {
            int x = channel_attempt_lost(sp, &l, rj);
            losses += (size_t)x;
            if (i > 0 && prev) {
                prev_losses++;
                pairs += (size_t)x;
            }
            prev = x;
        }
        ck_assert_uint_eq(l.attempts, K);
        ck_assert_uint_eq(l.losses, losses);
        frac[j] = (double)losses / (double)K;
        cond[j] = (double)pairs / (double)prev_losses;
        gsl_rng_free(rj);
    }
    {
        double m = gsl_stats_mean(frac, 1, R), sd = gsl_stats_sd_m(frac, 1, R, m);
        double mc = gsl_stats_mean(cond, 1, R), sdc = gsl_stats_sd_m(cond, 1, R, mc);
        ck_assert_msg(fabs(m - q) <= Z * sd / sqrt((double)R), "loss fraction %g ± %g, expected %g", m, sd, q);
        /* the ratio estimator's bias is O(1/(qK)) ≈ 1e-3 of its value: within the bound */
        ck_assert_msg(fabs(mc - burst) <= Z * sdc / sqrt((double)R), "P(lost | lost) %g ± %g, expected %g", mc, sdc,
                      burst);
    }
    channel_spec_free(sp);
}
END_TEST

/*
 * Attempts per transmission with a limit L: transmissions one after the
 * other on a link (each retries until an attempt gets through or L were
 * lost) against the absorbing chain's closed form (ge_closed_form).  100
 * links on their own streams, 50 transmissions of burn-in (the start-state
 * chain T mixes in a few steps), 5000 measured: the per-link means are
 * i.i.d., bound 5·s/√100.  The solver itself is checked on an i.i.d.
 * chain (p_gb + p_bg = 1: states independent with π), where a transmission
 * needs (1 − q^L)/(1 − q) attempts and fails with q^L.
 */
START_TEST(test_ge_attempts)
{
    static const struct {
        struct ge g;
        unsigned L;
    } cases[] = {
        {{0.05, 0.2, {0.01, 0.6}}, 4},
        {{0.02, 0.1, {0.05, 0.9}}, 8},
        {{0.3, 0.7, {0.1, 0.8}}, 3},     /* i.i.d. states */
        {{0.05, 0.2, {0.01, 0.6}}, 1},
    };
    const size_t R = 100, burn = 50, K = 5000;
    double att[100], fail[100];
    size_t c, j, i;

    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct ge *g = &cases[c].g;
        const unsigned L = cases[c].L;
        struct channel_spec *sp = ge_spec(g);
        double want_att, want_fail, m, sd;
        ge_closed_form(g, L, &want_att, &want_fail);
        if (g->p_gb + g->p_bg == 1) {
            double q = (1 - g->p_gb) * g->l[0] + g->p_gb * g->l[1];
            ck_assert_double_eq_tol(want_att, (1 - pow(q, L)) / (1 - q), 1e-12);
            ck_assert_double_eq_tol(want_fail, pow(q, L), 1e-12);
        }
        if (L == 1)
            ck_assert_double_eq_tol(want_att, 1, 1e-15);
        for (j = 0; j < R; j++) {
            gsl_rng *r = rng_stream(2000 + 100 * c + j, RNG_NETWORK);
            struct channel_link l;
            size_t a = 0, f = 0;
            channel_link_init(&l, sp);
            for (i = 0; i < burn + K; i++) {
                unsigned k = 0;
                int lost;
                do {
                    k++;
                    lost = channel_attempt_lost(sp, &l, r);
                } while (lost && k < L);
                if (i >= burn) {
                    a += k;
                    f += (size_t)lost;
                }
            }
            att[j] = (double)a / (double)K;
            fail[j] = (double)f / (double)K;
            gsl_rng_free(r);
        }
        m = gsl_stats_mean(att, 1, R);
        sd = gsl_stats_sd_m(att, 1, R, m);
        if (L == 1)
            ck_assert_double_eq(m, 1);
        else
            ck_assert_msg(fabs(m - want_att) <= Z * sd / sqrt((double)R), "case %zu: attempts %g ± %g, expected %g", c,
                          m, sd, want_att);
        m = gsl_stats_mean(fail, 1, R);
        sd = gsl_stats_sd_m(fail, 1, R, m);
        ck_assert_msg(fabs(m - want_fail) <= Z * sd / sqrt((double)R), "case %zu: failed %g ± %g, expected %g", c, m,
                      sd, want_fail);
        channel_spec_free(sp);
    }
}
END_TEST

/* Links share one spec but not their state: a link's losses depend only
 * on its own stream, whatever other links do in between; the same seed
 * gives the same sequence. */
START_TEST(test_ge_links_independent)
{
    const struct ge g = {0.1, 0.3, {0.05, 0.7}};
    struct channel_spec *sp = ge_spec(&g);
    struct channel_link a, b;
    gsl_rng *ra = rng_stream(9, RNG_DEVICE), *rb = rng_stream(9, RNG_DEVICE + 1);
    unsigned char alone[2000];
    size_t i, differ = 0;

    channel_link_init(&a, sp);
    for (i = 0; i < 2000; i++)
        alone[i] = (unsigned char)channel_attempt_lost(sp, &a, ra);
    gsl_rng_set(ra, rng_seed_for(9, RNG_DEVICE));
    channel_link_init(&a, sp);
    channel_link_init(&b, sp);
    for (i = 0; i < 2000; i++) {
        int x = channel_attempt_lost(sp, &a, ra);
        size_t k;
        ck_assert_int_eq(x, alone[i]);
        for (k = 0; k < i % 3; k++)
            differ += (size_t)(channel_attempt_lost(sp, &b, rb) != x);
    }
    ck_assert_uint_gt(differ, 0);
    gsl_rng_free(ra);
    gsl_rng_free(rb);
    channel_spec_free(sp);
}
END_TEST

/* ---- rate steps ---- */

struct steps {
    double t[64], mbps[64];
    size_t n;
};

/* Bits delivered over [a, b] by a step function: the sum over steps of
 * rate × the overlap of [a, b] with the step (the last step never ends). */
static double
integral(const struct steps *st, double a, double b)
{
    double bits = 0;
    size_t k;
    for (k = 0; k < st->n; k++) {
        double lo = fmax(a, st->t[k]), hi = fmin(b, k + 1 < st->n ? st->t[k + 1] : INFINITY);
        if (hi > lo)
            bits += st->mbps[k] * 1e6 * (hi - lo);
    }
    return bits;
}

static struct channel_spec *
rate_spec(const char *text, const char *name)
{
    char path[4096], arg[4200];
    const char *sets[] = {arg, NULL};
    snprintf(path, sizeof path, "%s", util_tmp(name));
    ck_assert_int_eq(util_write(path, text), 0);
    snprintf(arg, sizeof arg, "network.rate_file=%s", path);
    return spec_of(sets);
}

/*
 * 8 Mbit/s on [0, 1), 4 on [1, 2), 0 on [2, 3), 16 from 3 on.  Hand
 * values: within a step; across one step; across three with the zero gap;
 * starting in the gap; after the last step; ending exactly where the gap
 * begins (the least end, not the end of the gap); at a boundary.  Each
 * against the direct integral to 1e-9.
 */
START_TEST(test_rate_steps)
{
    static const struct {
        double t0, bytes, want;
    } cases[] = {
        {0.25, 1e5, 0.1},         /* 0.8 Mbit at 8 */
        {0.5, 625000, 0.75},      /* 4 Mbit to 1 s, 1 Mbit at 4 */
        {0.5, 2e6, 3.0},          /* 4 + 4 + 0 + 8 Mbit at 16: ends at 3.5 */
        {2.5, 5e5, 0.75},         /* waits to 3, 4 Mbit at 16 */
        {10, 2e6, 1.0},           /* the last rate holds */
        {0.5, 1e6, 1.5},          /* 8 Mbit: ends at 2, where the gap begins */
        {1.0, 5e5, 1.0},          /* 4 Mbit, exactly step [1, 2) */
        {3.0, 2e6, 1.0},
        {0.0, 0, 0},
        {2.0, 0, 0},
    };
    const struct steps st = {{0, 1, 2, 3}, {8, 4, 0, 16}, 4};
    struct channel_spec *sp =
        rate_spec("# a measured trace\ntime_s, rate_mbps\n0, 8\n1,4\n\n2,0\r\n# back\n  3 ,16  \n", "rate.csv");
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double d = channel_tx_seconds(sp, cases[i].t0, cases[i].bytes);
        ck_assert_msg(fabs(d - cases[i].want) <= 1e-12, "case %zu: %.17g s, expected %.17g", i, d, cases[i].want);
        ck_assert_msg(fabs(integral(&st, cases[i].t0, cases[i].t0 + d) - cases[i].bytes * 8) <= 1e-9 * fmax(1, cases[i].bytes * 8),
                      "case %zu: the integral is not the payload", i);
    }
    channel_spec_free(sp);
}
END_TEST

/*
 * A payload that ends exactly where a zero-rate gap begins, with rates and
 * times that are not exact in binary: the bits computed step by step may
 * exceed the room of the last step by a few ulps (here made 4 ulps too
 * many on purpose), and the transmission must still end at the gap (to
 * 1e-9 s), not wait out the gap for a rounding residue.
 */
START_TEST(test_rate_gap_edge)
{
    const struct steps st = {{0, 0.1, 0.3, 1.0}, {0.3, 0.7, 0, 5}, 4};
    struct channel_spec *sp = rate_spec("time_s,rate_mbps\n0,0.3\n0.1,0.7\n0.3,0\n1.0,5\n", "gap.csv");
    size_t i, n = 0;
    for (i = 0; i < 1000; i++) {
        double t0 = 0.1 * (double)i / 1000.0;
        double bits = integral(&st, t0, 0.3) * (1 + 4 * DBL_EPSILON), d = channel_tx_seconds(sp, t0, bits / 8);
        ck_assert_msg(fabs(t0 + d - 0.3) <= 1e-9, "from %.17g: ends at %.17g, not at the gap (0.3)", t0, t0 + d);
        n++;
    }
    ck_assert_uint_eq(n, 1000);
    channel_spec_free(sp);
}
END_TEST

/*
 * Random step functions (up to 60 steps, a quarter of them at rate 0) and
 * random transmissions: the integral over [t0, t0 + d] equals the payload
 * to 1e-9 (relative; plus what a few ulps of the end time t0 + d carry at
 * the highest rate, 100 Mbit/s, for payloads of a few bits), and d is the
 * least such time: the integral over
 * [t0, t0 + d − ε] falls short (it would not if the transmission ended
 * late, inside a zero-rate gap).
 */
START_TEST(test_rate_random)
{
    gsl_rng *r = rng_stream(17, RNG_NETWORK);
    size_t trial;

    for (trial = 0; trial < 20; trial++) {
        struct steps st;
        char text[8192], name[32];
        size_t k, q, len = 0;
        struct channel_spec *sp;
        st.n = 1 + gsl_rng_uniform_int(r, 60);
        len += (size_t)snprintf(text + len, sizeof text - len, "time_s,rate_mbps\n");
        for (k = 0; k < st.n; k++) {
            st.t[k] = k == 0 ? 0 : st.t[k - 1] + 0.001 + 2 * gsl_rng_uniform(r);
            st.mbps[k] = (gsl_rng_uniform(r) < 0.25 && k + 1 < st.n) ? 0 : 0.1 + 100 * gsl_rng_uniform(r);
            len += (size_t)snprintf(text + len, sizeof text - len, "%.17g,%.17g\n", st.t[k], st.mbps[k]);
        }
        snprintf(name, sizeof name, "rand%zu.csv", trial);
        sp = rate_spec(text, name);
        for (q = 0; q < 500; q++) {
            double t0 = gsl_rng_uniform(r) * (st.t[st.n - 1] + 5);
            double bytes = pow(10, 8 * gsl_rng_uniform(r));
            double bits = bytes * 8, d = channel_tx_seconds(sp, t0, bytes), eps = fmin(1e-6, d / 2);
            /* plus the bits of 4 ulps of the end time: no double end time does better */
            double tol = 1e-9 * bits + 100e6 * 4 * DBL_EPSILON * (t0 + d);
            ck_assert_msg(fabs(integral(&st, t0, t0 + d) - bits) <= tol,
                          "trial %zu: %.17g bytes from %.17g s: %.17g s carries %.17g bits", trial, bytes, t0, d,
                          integral(&st, t0, t0 + d));
            ck_assert_msg(integral(&st, t0, t0 + d - eps) < bits, "trial %zu: %.17g s is not the least end", trial, d);
        }
        channel_spec_free(sp);
    }
    gsl_rng_free(r);
}
END_TEST

/* ---- errors ---- */

/* Bad files: one line "file:line:col: what was expected", HI_EINPUT
 * (exit status 2), and no spec. */
START_TEST(test_bad_files)
{
    static const struct {
        const char *key, *text;
        size_t line, col;
        const char *what;
    } cases[] = {
        {"rate", "", 1, 0, "expected the header 'time_s,rate_mbps', found the end of the file"},
        {"rate", "time,rate\n0,1\n", 1, 1, "expected the header 'time_s,rate_mbps', found 'time,rate'"},
        {"rate", "# only a header\ntime_s,rate_mbps\n", 3, 0, "no steps: expected rows of time_s,rate_mbps"},
        {"rate", "time_s,rate_mbps\n0.5,10\n", 2, 1, "time_s: expected 0 in the first row"},
        {"rate", "time_s,rate_mbps\n0,10\n2,5\n1,5\n", 4, 1,
         "time_s: expected a time after 2 s (times must increase), found 1"},
        {"rate", "time_s,rate_mbps\n0,10\n0,5\n", 3, 1, "time_s: expected a time after 0 s"},
        {"rate", "time_s,rate_mbps\n0,10\n1,-5\n", 3, 3, "rate_mbps: expected a rate in Mbit/s (a number >= 0), found '-5'"},
        {"rate", "time_s,rate_mbps\n0,10\n1,0\n", 3, 3, "rate_mbps: expected a rate > 0 in the last row (it holds for ever after 1 s)"},
        {"rate", "time_s,rate_mbps\n0,0\n", 2, 3, "rate_mbps: expected a rate > 0 in the last row"},
        {"rate", "time_s,rate_mbps\n0,10,3\n", 2, 5, "expected 2 cells (time_s,rate_mbps), found more"},
        {"rate", "time_s,rate_mbps\n0\n", 2, 2, "expected 2 cells (time_s,rate_mbps), found 1"},
        {"rate", "time_s,rate_mbps\nabc,1\n", 2, 1, "time_s: expected a time in s (a number >= 0), found 'abc'"},
        {"rate", "time_s,rate_mbps\n-1,1\n", 2, 1, "time_s: expected a time in s (a number >= 0), found '-1'"},
        {"rate", "time_s,rate_mbps\n0,fast\n", 2, 3, "rate_mbps: expected a rate in Mbit/s (a number >= 0), found 'fast'"},
        {"rate", "time_s,rate_mbps\n0,nan\n", 2, 3, "found 'nan'"},
        {"rate", "time_s,rate_mbps\n0,1e999\n", 2, 3, "found '1e999'"},
        {"rate", "time_s,rate_mbps\n0,\n", 2, 3, "found ''"},
        {"delay", "", 1, 0, "no delays: expected one delay in ms per line"},
        {"delay", "# nothing\n\n", 3, 0, "no delays"},
        {"delay", "10\nfast\n", 2, 1, "expected one delay in ms per line (a number >= 0), found 'fast'"},
        {"delay", "10\n  -3\n", 2, 3, "found '-3'"},
        {"delay", "10 20\n", 1, 1, "found '10 20'"},
        {"delay", "5,6\n", 1, 1, "found '5,6'"},
        {"delay", "1\ninf\n", 2, 1, "found 'inf'"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hi_config c;
        struct hi_error err = {0};
        struct channel_spec *sp = (struct channel_spec *)&err;   /* must be reset to NULL */
        char path[4096], arg[4200], prefix[4300];
        const char *sets[3] = {arg, NULL, NULL};
        snprintf(path, sizeof path, "%s", util_tmp("bad.txt"));
        ck_assert_int_eq(util_write(path, cases[i].text), 0);
        if (strcmp(cases[i].key, "rate") == 0) {
            snprintf(arg, sizeof arg, "network.rate_file=%s", path);
        } else {
            snprintf(arg, sizeof arg, "network.delay_file=%s", path);
            sets[1] = "network.delay_dist=empirical";
        }
        config_of(&c, sets);
        ck_assert_msg(channel_spec_load(&sp, &c, &err) == HI_EINPUT, "case %zu loaded", i);
        ck_assert_ptr_null(sp);
        ck_assert_int_eq(err.status, HI_EINPUT);
        if (cases[i].col)
            snprintf(prefix, sizeof prefix, "%s:%zu:%zu: ", path, cases[i].line, cases[i].col);
        else
            snprintf(prefix, sizeof prefix, "%s:%zu: ", path, cases[i].line);
        ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0, "case %zu: %s (expected %s)", i, err.msg, prefix);
        ck_assert_msg(strstr(err.msg, cases[i].what) != NULL, "case %zu: %s", i, err.msg);
        ck_assert_msg(strchr(err.msg, '\n') == NULL, "case %zu: more than one line", i);
    }
    /* a file that is not there */
    {
        struct hi_config c;
        struct hi_error err = {0};
        struct channel_spec *sp = NULL;
        const char *sets[] = {"network.rate_file=/nonexistent/rates.csv", NULL};
        config_of(&c, sets);
        ck_assert_int_eq(channel_spec_load(&sp, &c, &err), HI_EINPUT);
        ck_assert_msg(strstr(err.msg, "/nonexistent/rates.csv: cannot open network.rate_file: ") == err.msg, "%s", err.msg);
    }
    /* a NUL byte */
    {
        struct hi_config c;
        struct hi_error err = {0};
        struct channel_spec *sp = NULL;
        char path[4096], arg[4200];
        const char *sets[] = {"network.delay_dist=empirical", arg, NULL};
        FILE *f;
        snprintf(path, sizeof path, "%s", util_tmp("nul.txt"));
        f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        fwrite("1\n2\0003\n", 1, 6, f);
        fclose(f);
        snprintf(arg, sizeof arg, "network.delay_file=%s", path);
        config_of(&c, sets);
        ck_assert_int_eq(channel_spec_load(&sp, &c, &err), HI_EINPUT);
        ck_assert_msg(strstr(err.msg, ":2:2: expected text, found a NUL byte") != NULL, "%s", err.msg);
    }
}
END_TEST

/* Combinations of keys that define no model: HI_EINPUT naming the key. */
START_TEST(test_bad_keys)
{
    static const struct {
        const char *sets[5];
        const char *what;
    } cases[] = {
        {{"network.delay_dist=lognormal", NULL}, "network.delay_sd_ms: lognormal needs a standard deviation > 0"},
        {{"network.delay_dist=gamma", "network.delay_sd_ms=0", NULL}, "network.delay_sd_ms: gamma needs a standard deviation > 0"},
        {{"network.delay_dist=gamma", "network.delay_ms=0", "network.delay_sd_ms=1", NULL},
         "network.delay_ms: gamma needs a mean delay > 0"},
        {{"network.delay_dist=lognormal", "network.delay_ms=0", "network.delay_sd_ms=1", NULL},
         "network.delay_ms: lognormal needs a mean delay > 0"},
        {{"network.delay_dist=shifted-exponential", "network.delay_shift_ms=25", NULL},
         "network.delay_shift_ms: 25 ms exceeds the mean delay network.delay_ms = 20 ms"},
        {{"network.delay_dist=uniform", "network.delay_sd_ms=12", NULL},
         "network.delay_sd_ms: 12 ms is too large for a uniform delay of mean 20 ms"},
        {{"network.delay_dist=empirical", NULL}, "network.delay_file: not set"},
        {{"network.channel=gilbert-elliott", "network.ge_p_gb=0", "network.ge_p_bg=0", NULL},
         "network.ge_p_gb: network.ge_p_gb and network.ge_p_bg are both 0"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hi_config c;
        struct hi_error err = {0};
        struct channel_spec *sp = NULL;
        config_of(&c, cases[i].sets);
        ck_assert_msg(channel_spec_load(&sp, &c, &err) == HI_EINPUT, "case %zu loaded", i);
        ck_assert_ptr_null(sp);
        ck_assert_msg(strncmp(err.msg, cases[i].what, strlen(cases[i].what)) == 0, "case %zu: %s", i, err.msg);
    }
    /* the edges that are still models: shift = mean, uniform sd = mean/√3 */
    {
        const char *a[] = {"network.delay_dist=shifted-exponential", "network.delay_shift_ms=20", NULL};
        const char *b[] = {"network.delay_dist=uniform", "network.delay_ms=30", "network.delay_sd_ms=10", NULL};
        channel_spec_free(spec_of(a));
        channel_spec_free(spec_of(b));
    }
    /* the schema checks values and names */
    {
        static const char *const bad[] = {
            "network.delay_dist=normal", "network.channel=lossy", "network.ge_p_gb=1.5", "network.ge_loss_bad=-0.1",
            "network.retx_limit=0", "network.retx_limit=2.5", "network.delay_sd_ms=-1", "network.retx_timeout_ms=-1",
        };
        struct hi_config c;
        config_defaults(&c);
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct hi_error err = {0};
            ck_assert_msg(config_set_arg(&c, bad[i], &err) == HI_EINPUT, "%s accepted", bad[i]);
        }
    }
}
END_TEST

Suite *
suite_channel(void)
{
    Suite *s = suite_create("channel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_delay_moments);
    tcase_add_test(tc, test_delay_empirical);
    tcase_add_test(tc, test_relative_paths);
    tcase_add_test(tc, test_ge_stationary);
    tcase_add_test(tc, test_ge_attempts);
    tcase_add_test(tc, test_ge_links_independent);
    tcase_add_test(tc, test_rate_steps);
    tcase_add_test(tc, test_rate_gap_edge);
    tcase_add_test(tc, test_rate_random);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_bad_keys);
    suite_add_tcase(s, tc);
    return s;
}
