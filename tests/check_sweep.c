/* check_sweep.c — sweep files, grid expansion, keys, seeds, the stopping
 * rule, the coordinator, the sweep store and the export. */
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analysis/export.h"
#include "analysis/store.h"
#include "analysis/sweep.h"
#include "analysis/sweepdata.h"
#include "analysis/sweeprun.h"
#include "analysis/sweepstore.h"
#include "sim/scenario.h"
#include "tests/suites.h"
#include "tests/util.h"

/* A base scenario on the hand-made trace, in the temporary folder. */
static void
base_scenario(void)
{
    char *csv = util_read(util_src("tests/data/small.csv"), NULL);
    ck_assert_ptr_nonnull(csv);
    ck_assert_int_eq(util_write(util_tmp("t.csv"), csv), 0);
    free(csv);
    ck_assert_int_eq(util_write(util_tmp("base.yaml"), "trace:\n  file: t.csv\npolicy:\n  theta: 0.5\n"), 0);
}

static int
load(const char *name, const char *text, struct sweep *sw, struct hi_error *err)
{
    base_scenario();
    ck_assert_int_eq(util_write(util_tmp(name), text), 0);
    return sweep_load(util_tmp(name), sw, err);
}

/* Values of key j of dimension d as one comma-separated string. */
static void
values(const struct sweep *sw, size_t d, size_t j, char *buf, size_t len)
{
    size_t i, n = 0;
    buf[0] = '\0';
    for (i = 0; i < sw->dims[d].n && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "", sw->dims[d].keys[j].text[i]);
}

/* Lists keep their text; step ranges are exact decimals computed from the
 * index (0.1 steps give 0.3, never 0.30000000000000004, and reach the end
 * point); descending steps; integer and log ranges; the product has the
 * last dimension fastest. */
START_TEST(test_expand_values)
{
    struct sweep sw;
    struct hi_error err = {0};
    char buf[1000];
    struct hi_config cfg;
    int rc = load("v.yaml",
                  "scenario: base.yaml\n"
                  "axes:\n"
                  "  cost.beta: {from: 0, to: 1, step: 0.1}\n"
                  "  network.delay_ms: {from: 50, to: 2, step: -12}\n"
                  "  policy.batch: {from: 1, to: 64, count: 7, log: true}\n"
                  "  policy.name: [fixed-threshold, no-offload]\n"
                  "  device.tau_ed_ms: {from: 0, to: 1, count: 11}\n"
                  "  network.rate_mbps: {from: 1, to: 100, count: 3, log: true}\n",
                  &sw, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_uint_eq(sw.n_dims, 6);
    values(&sw, 0, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1");
    values(&sw, 1, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "50,38,26,14,2");
    values(&sw, 2, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1,2,4,8,16,32,64");
    values(&sw, 3, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "fixed-threshold,no-offload");
    values(&sw, 4, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1");
    values(&sw, 5, 0, buf, sizeof buf);
    ck_assert_str_eq(buf, "1,10,100");
    ck_assert_uint_eq(sw.n_points, 11u * 5 * 7 * 2 * 11 * 3);
    ck_assert_uint_eq(sw.n_columns, 6);
    ck_assert_str_eq(sw.columns[2], "policy.batch");
    /* point 1 differs from point 0 in the last axis only */
    ck_assert_uint_eq(sweep_index(&sw, 1, 5), 1);
    ck_assert_uint_eq(sweep_index(&sw, 1, 0), 0);
    ck_assert_uint_eq(sweep_index(&sw, sw.n_points - 1, 0), 10);
    /* the value applied is the double nearest the decimal */
    ck_assert_int_eq(sweep_point_config(&sw, 3 * 5 * 7 * 2 * 11 * 3, &cfg, &err), 0);
    ck_assert(cfg.cost.beta == 0.3);
    ck_assert(cfg.cost.beta != 0.1 * 3);
    ck_assert_uint_eq(cfg.seed, 0);
    sweep_free(&sw);
}
END_TEST

/* Zipped keys vary together; a zip group is one dimension after the axes. */
START_TEST(test_expand_zip)
{
    struct sweep sw;
    struct hi_error err = {0};
    struct hi_config cfg;
    int rc = load("z.yaml",
                  "scenario: base.yaml\n"
                  "set:\n  trace.order: bootstrap\n"
                  "zip:\n  - {server.tau_es_ms: [4.41, 4.29], network.bytes: [30801.92, 3072]}\n"
                  "axes:\n  cost.beta: [0.3, 0.7]\n",
                  &sw, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_uint_eq(sw.n_dims, 2);
    ck_assert_uint_eq(sw.n_points, 4);
    ck_assert_str_eq(sw.columns[0], "cost.beta");
    ck_assert_str_eq(sw.columns[1], "server.tau_es_ms");
    ck_assert_str_eq(sw.columns[2], "network.bytes");
    ck_assert_int_eq(sweep_point_config(&sw, 1, &cfg, &err), 0);
    ck_assert_double_eq(cfg.cost.beta, 0.3);
    ck_assert_double_eq(cfg.server.tau_es_ms, 4.29);
    ck_assert_double_eq(cfg.network.bytes, 3072);
    ck_assert_int_eq(cfg.trace.order, ORDER_BOOTSTRAP);
    ck_assert_double_eq(cfg.policy.theta, 0.5);     /* from the base */
    ck_assert_int_eq(sweep_point_config(&sw, 2, &cfg, &err), 0);
    ck_assert_double_eq(cfg.cost.beta, 0.7);
    ck_assert_double_eq(cfg.server.tau_es_ms, 4.41);
    sweep_free(&sw);
}
END_TEST

/* Bad sweep files: one located message each. */
START_TEST(test_bad_files)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"scenario: base.yaml\nax:\n  cost.beta: [1]\n", "b.yaml:2:1: unknown sweep key 'ax' (expected scenario, name, target, set, axes,"},
        {"scenario: base.yaml\naxes:\n  cost.bta: [0.5]\n", "b.yaml:3:3: unknown key 'cost.bta' (did you mean 'cost.beta'?)"},
        {"scenario: base.yaml\naxes:\n  cost.beta: []\n", "b.yaml:3:14: cost.beta: empty axis"},
        {"scenario: base.yaml\nzip:\n  - {cost.beta: [0.1, 0.2], network.bytes: [1, 2, 3]}\n",
         "b.yaml:3:29: zip: network.bytes has 3 values but cost.beta has 2"},
        {"scenario: base.yaml\naxes:\n  cost.beta: {from: 0.9, to: 0.1, step: 0.1}\n",
         "b.yaml:3:41: cost.beta: step of the wrong sign: from 0.9 to 0.1 needs a negative step"},
        {"scenario: base.yaml\naxes:\n  cost.beta: {from: 0.1, to: 0.9, step: 0}\n", "b.yaml:3:41: cost.beta: step must not be 0"},
        {"scenario: base.yaml\naxes:\n  cost.beta: [0.5, 2]\n", "b.yaml:3:20: cost.beta: 2 is out of range"},
        {"scenario: base.yaml\nset:\n  seed: 4\n", "b.yaml:3:3: seed: set by the sweep"},
        {"scenario: base.yaml\nset: {cost.beta: 0.3}\naxes:\n  cost.beta: [0.5]\n", "b.yaml:4:3: duplicate key 'cost.beta'"},
        {"scenario: base.yaml\naxes:\n  policy.batch: {from: 1, to: 4, count: 9, log: true}\n",
         "b.yaml:3:41: policy.batch: count 9 gives the value 1 twice after rounding"},
        {"axes:\n  cost.beta: [0.5]\n", "b.yaml:1:1: missing key 'scenario'"},
        {"scenario: base.yaml\nreplications: 0\n", "b.yaml:2:15: replications: expected an integer in [1,"},
        {"scenario: base.yaml\nstop: {metric: mean_cots, rel_ci: 0.01}\n", "b.yaml:2:16: stop.metric: 'mean_cots' is not a metric"},
        {"scenario: base.yaml\naxes:\n  cost.beta: {from: 0.1, to: 0.9}\n", "b.yaml:3:14: cost.beta: a range needs exactly one of step and count"},
        {"scenario: base.yaml\naxes: [cost.beta]\n", "b.yaml:2:7: axes: expected a mapping"},
        {"scenario: base.yaml\naxes:\n  cost.beta: [0.5\n", "b.yaml:4:1: malformed YAML"},
        {"scenario: missing.yaml\n", "missing.yaml: cannot open scenario"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sweep sw;
        struct hi_error err = {0};
        int rc = load("b.yaml", cases[i].text, &sw, &err);
        ck_assert_msg(rc == HI_EINPUT, "case %zu: status %d (%s)", i, rc, err.msg);
        ck_assert_msg(strstr(err.msg, cases[i].want) != NULL, "case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
        ck_assert_msg(strchr(err.msg, '\n') == NULL, "case %zu: more than one line", i);
    }
}
END_TEST

/* A value that fails at one point only is reported at its place in the
 * file by the expansion (hil-f is fine, the bad trace is not). */
START_TEST(test_expand_errors)
{
    struct sweep sw;
    struct hi_error err = {0};
    int rc = load("e.yaml", "scenario: base.yaml\naxes:\n  trace.file: [t.csv, nothere.csv]\n", &sw, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_int_eq(sweep_expand(&sw, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "point 1 (trace.file=nothere.csv)") && strstr(err.msg, "nothere.csv"), "%s", err.msg);
    sweep_free(&sw);
    rc = load("e2.yaml", "scenario: base.yaml\naxes:\n  cost.beta: [0.5, 0.50]\n", &sw, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_int_eq(sweep_expand(&sw, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "points 0 (cost.beta=0.5) and 1 (cost.beta=0.50) have the same effective configuration"),
                  "%s", err.msg);
    sweep_free(&sw);
}
END_TEST

/* FNV-1a 64 test vectors (Fowler, Noll, Vo). */
START_TEST(test_fnv)
{
    ck_assert_uint_eq(sweep_fnv1a(SWEEP_FNV_BASIS, "", 0), 0xcbf29ce484222325ull);
    ck_assert_uint_eq(sweep_fnv1a(SWEEP_FNV_BASIS, "a", 1), 0xaf63dc4c8601ec8cull);
    ck_assert_uint_eq(sweep_fnv1a(SWEEP_FNV_BASIS, "foobar", 6), 0x85944171f73967e8ull);
}
END_TEST

/* splitmix64, restated here as the oracle of sweep_seed. */
static uint64_t
sm(uint64_t x)
{
    uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Seeds: the documented formula, 63 bits, distinct per point and
 * replication; under crn one seed per replication at every point. */
START_TEST(test_seeds)
{
    uint64_t k1 = 0x1234567890abcdefull, k2 = 0x0fedcba987654321ull;
    ck_assert_uint_eq(sweep_seed(7, 0, k1, 3), sm(sm(sm(7) ^ k1) ^ 3) >> 1);
    ck_assert_uint_eq(sweep_seed(7, 1, k1, 3), sm(sm(sm(7)) ^ 3) >> 1);
    ck_assert_uint_eq(sweep_seed(7, 1, k1, 3), sweep_seed(7, 1, k2, 3));
    ck_assert_uint_ne(sweep_seed(7, 0, k1, 3), sweep_seed(7, 0, k2, 3));
    ck_assert_uint_ne(sweep_seed(7, 0, k1, 3), sweep_seed(7, 0, k1, 4));
    ck_assert_uint_ne(sweep_seed(7, 0, k1, 3), sweep_seed(8, 0, k1, 3));
    ck_assert(sweep_seed(~0ull, 0, ~0ull, ~0ull) < (1ull << 63));
}
END_TEST

/* A point's key is what it computes: the same when the trace is a copy
 * elsewhere, when the scenario's name or seed change; different when the
 * trace's bytes or a key change. */
START_TEST(test_keys)
{
    struct sweep a, b;
    struct hi_error err = {0};
    char *csv;
    base_scenario();
    csv = util_read(util_src("tests/data/small.csv"), NULL);
    util_write(util_tmp("copy.csv"), csv);
    util_write(util_tmp("base2.yaml"), "name: other\nseed: 99\ntrace:\n  file: copy.csv\npolicy:\n  theta: 0.5\n");
    util_write(util_tmp("ka.yaml"), "scenario: base.yaml\naxes:\n  cost.beta: [0.3, 0.4]\n");
    util_write(util_tmp("kb.yaml"), "scenario: base2.yaml\nseed: 5\naxes:\n  cost.beta: [0.3, 0.4]\n");
    ck_assert_msg(sweep_load(util_tmp("ka.yaml"), &a, &err) == 0 && sweep_expand(&a, &err) == 0, "%s", err.msg);
    ck_assert_msg(sweep_load(util_tmp("kb.yaml"), &b, &err) == 0 && sweep_expand(&b, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(a.key[0], b.key[0]);
    ck_assert_uint_eq(a.key[1], b.key[1]);
    ck_assert_uint_ne(a.key[0], a.key[1]);
    ck_assert_uint_eq(a.n_traces, 1);
    sweep_free(&b);
    /* one byte of the trace changes every key */
    csv[strlen(csv) - 2] = '1';
    util_write(util_tmp("copy.csv"), csv);
    free(csv);
    ck_assert_msg(sweep_load(util_tmp("kb.yaml"), &b, &err) == 0 && sweep_expand(&b, &err) == 0, "%s", err.msg);
    ck_assert_uint_ne(a.key[0], b.key[0]);
    sweep_free(&a);
    sweep_free(&b);
}
END_TEST

/* The key is the documented hash, computed here from its definition: the
 * FNV-1a of "hisim-point-v2\nsimulate\n" and the sorted key=value lines
 * of the keys that differ from their defaults (seed and name left out),
 * the trace by the hash of its bytes.  A key set to its default, the
 * scenario's seed and name leave it alone. */
START_TEST(test_key_definition)
{
    struct sweep sw;
    struct hi_error err = {0};
    char *csv, text[1000];
    size_t len;
    uint64_t h;
    int rc;
    base_scenario();
    util_write(util_tmp("base3.yaml"), "name: x\nseed: 77\ntrace:\n  file: t.csv\npolicy:\n  theta: 0.5\n"
                                       "network:\n  delay_ms: 20\n");
    rc = load("kd.yaml", "scenario: base3.yaml\naxes:\n  cost.beta: [0.3]\n", &sw, &err);
    ck_assert_msg(rc == 0 && sweep_expand(&sw, &err) == 0, "%s", err.msg);
    csv = util_read(util_tmp("t.csv"), &len);
    h = sweep_fnv1a(SWEEP_FNV_BASIS, csv, len);
    free(csv);
    snprintf(text, sizeof text, "hisim-point-v2\nsimulate\ncost.beta=0.3\npolicy.theta=0.5\ntrace.file=fnv1a64:%016llx\n",
             (unsigned long long)h);
    ck_assert_uint_eq(sw.key[0], sweep_fnv1a(SWEEP_FNV_BASIS, text, strlen(text)));
    sweep_free(&sw);
}
END_TEST

/* The stopping rule against a direct computation: stop at the first k >=
 * min where t_{0.975,k-1}·s/√k <= rel·|mean|. */
START_TEST(test_stop_rule)
{
    struct sweep_stop st = {1, "x", 0, 0, 0.05, 3, 50};
    double v[50];
    size_t k;
    /* mean 10, alternating ±1: s = √(k/(k−1)) for even k */
    for (k = 0; k < 50; k++)
        v[k] = k % 2 ? 9.0 : 11.0;
    for (k = 1; k <= 50; k++) {
        double mean = 0, s = 0, hw;
        size_t i;
        int want;
        for (i = 0; i < k; i++)
            mean += v[i];
        mean /= (double)k;
        for (i = 0; i < k; i++)
            s += (v[i] - mean) * (v[i] - mean);
        s = k > 1 ? sqrt(s / (double)(k - 1)) : 0;
        hw = k > 1 ? gsl_cdf_tdist_Pinv(0.975, (double)(k - 1)) * s / sqrt((double)k) : INFINITY;
        want = k >= 50 || (k >= 3 && hw <= 0.05 * fabs(mean));
        ck_assert_msg(sweep_stop_met(&st, v, k) == want, "k = %zu", k);
    }
    /* ±1 around 10 within 5%: t·1/√k <= 0.5 first at k = 19 (t_{18} = 2.10) */
    for (k = 3; k < 50 && !sweep_stop_met(&st, v, k); k++)
        ;
    ck_assert_uint_eq(k, 19);
    v[3] = NAN;
    ck_assert(!sweep_stop_met(&st, v, 30));
    ck_assert(sweep_stop_met(&st, v, 50));   /* max ends it */
}
END_TEST

/* ---- the coordinator on a synthetic executor ---- */

/* A job's metric is mean_cost = MU + SIGMA·N(0,1) drawn from its seed;
 * jobs finish in reverse order of submission, to show that the order does
 * not matter. */
#define MU 2.0
#define SIGMA 0.3

struct fake {
    struct sweeprun_result **q;
    size_t n, cap;
    size_t submitted;
};

static double
draw(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double v;
    gsl_rng_set(r, (unsigned long)(seed & 0xffffffffu) ^ (unsigned long)(seed >> 32));
    v = MU + gsl_ran_gaussian(r, SIGMA);
    gsl_rng_free(r);
    return v;
}

static int
fake_submit(void *ctx, size_t point, size_t rep, uint64_t seed)
{
    struct fake *F = ctx;
    struct sweeprun_result *res = calloc(1, sizeof *res);
    ck_assert_ptr_nonnull(res);
    res->point = point;
    res->rep = rep;
    res->seed = seed;
    res->run.mean_cost = draw(seed);
    res->config = strdup("{}");
    strcpy(res->started, "2026-01-01T00:00:00Z");
    strcpy(res->finished, "2026-01-01T00:00:00Z");
    if (F->n == F->cap) {
        F->cap = F->cap ? 2 * F->cap : 64;
        F->q = realloc(F->q, F->cap * sizeof *F->q);
    }
    F->q[F->n++] = res;
    F->submitted++;
    return 0;
}

static struct sweeprun_result *
fake_wait(void *ctx)
{
    struct fake *F = ctx;
    return F->n ? F->q[--F->n] : NULL;
}

static size_t
fake_cancel(void *ctx)
{
    struct fake *F = ctx;
    size_t n = F->n;
    while (F->n)
        free(F->q[--F->n]);
    return n;
}

/* Sequential stopping through the coordinator: every point stops exactly
 * where the rule applied to its own draws says, and on a metric of known
 * variance the mean count is near the k that the t-interval predicts for
 * the true sigma: the first k with t_{0.975,k-1}·sigma/√k <= rel·mu. */
START_TEST(test_stop_sweep)
{
    struct sweep sw;
    struct hi_error err = {0};
    struct store *st;
    struct sweeprun_opts o;
    struct sweeprun_stats stats;
    struct sweeprun_exec ex;
    struct fake F = {0};
    struct sweepdata d;
    struct sweepdata_point *pts;
    size_t n_pts, i, r, predicted, total = 0;
    double mean_k;
    int rc = load("stop.yaml",
                  "scenario: base.yaml\n"
                  "axes:\n  cost.beta: {from: 0.001, to: 0.1, step: 0.001}\n"
                  "stop: {metric: mean_cost, rel_ci: 0.05, min: 3, max: 200}\nseed: 11\n",
                  &sw, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_msg(sweep_expand(&sw, &err) == 0, "%s", err.msg);
    remove(util_tmp("stop.db"));
    st = store_open(util_tmp("stop.db"), 1, &err);
    ck_assert_ptr_nonnull(st);
    memset(&o, 0, sizeof o);
    o.version = "test";
    ex.ctx = &F;
    ex.submit = fake_submit;
    ex.wait = fake_wait;
    ex.cancel = fake_cancel;
    ck_assert_msg(sweeprun_run(&sw, st, &o, &ex, &stats, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(stats.done, 100);
    ck_assert_uint_eq(stats.runs_new, F.submitted);

    ck_assert_int_eq(sweepdata_load(st, stats.sweep_id, &d, &err), 0);
    ck_assert_int_eq(sweepdata_points(&d, &pts, &n_pts, &err), 0);
    ck_assert_uint_eq(n_pts, 100);
    for (i = 0; i < n_pts; i++) {
        double v[200];
        size_t k;
        for (r = 0; r < 200; r++)
            v[r] = draw(sweep_seed(11, 0, sw.key[d.rows[pts[i].first].idx], r));
        for (k = 3; !sweep_stop_met(&sw.stop, v, k); k++)
            ;
        ck_assert_msg(pts[i].n == k, "point %zu: ran %zu, the rule says %zu", i, pts[i].n, k);
        for (r = 0; r < pts[i].n; r++)
            ck_assert(d.m[(pts[i].first + r) * d.n_metrics + (size_t)sweepdata_metric(&d, "mean_cost")] == v[r]);
        total += k;
    }
    for (predicted = 2; gsl_cdf_tdist_Pinv(0.975, (double)(predicted - 1)) * SIGMA / sqrt((double)predicted) > 0.05 * MU;
         predicted++)
        ;
    mean_k = (double)total / (double)n_pts;
    ck_assert_uint_eq(predicted, 38);   /* 9·t² with t = t_{0.975,37} = 2.026 */
    ck_assert_msg(fabs(mean_k - (double)predicted) < 0.15 * (double)predicted, "mean count %.2f, predicted %zu", mean_k,
                  predicted);
    free(pts);
    sweepdata_free(&d);
    store_close(st);
    sweep_free(&sw);
    free(F.q);
}
END_TEST

/* The simulated target end to end on one thread and on three: the same
 * rows; a second sweep of the same file reuses every run; the export
 * reads back to the stored doubles exactly. */
START_TEST(test_threads_reuse_export)
{
    struct sweep sw;
    struct hi_error err = {0};
    struct store *st;
    struct sweeprun_opts o;
    struct sweeprun_stats s1, s2, s3;
    struct sweeprun_exec ex;
    struct sweeprun_pool *pool;
    struct sweepdata d1, d2;
    size_t i, k;
    FILE *f;
    char line[8192];
    int rc = load("thr.yaml",
                  "scenario: base.yaml\n"
                  "set: {trace.order: bootstrap, trace.samples: 300, policy.name: hil-f}\n"
                  "axes:\n  cost.beta: [0.1, 0.3, 0.7]\nreplications: 4\n",
                  &sw, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_msg(sweep_expand(&sw, &err) == 0, "%s", err.msg);
    remove(util_tmp("thr1.db"));
    remove(util_tmp("thr3.db"));
    memset(&o, 0, sizeof o);
    o.version = "test";

    st = store_open(util_tmp("thr1.db"), 1, &err);
    pool = sweeprun_pool_new(&sw, 1, &ex, &err);
    ck_assert_msg(sweeprun_run(&sw, st, &o, &ex, &s1, &err) == 0, "%s", err.msg);
    sweeprun_pool_free(pool);
    ck_assert_uint_eq(s1.runs_new, 12);
    /* again: every run reused */
    pool = sweeprun_pool_new(&sw, 2, &ex, &err);
    ck_assert_msg(sweeprun_run(&sw, st, &o, &ex, &s2, &err) == 0, "%s", err.msg);
    sweeprun_pool_free(pool);
    ck_assert_uint_eq(s2.runs_new, 0);
    ck_assert_uint_eq(s2.runs_reused, 12);
    ck_assert_uint_eq(s2.reused, 3);
    ck_assert_int_eq(sweepdata_load(st, s1.sweep_id, &d1, &err), 0);
    store_close(st);

    st = store_open(util_tmp("thr3.db"), 1, &err);
    pool = sweeprun_pool_new(&sw, 3, &ex, &err);
    ck_assert_msg(sweeprun_run(&sw, st, &o, &ex, &s3, &err) == 0, "%s", err.msg);
    sweeprun_pool_free(pool);
    ck_assert_int_eq(sweepdata_load(st, s3.sweep_id, &d2, &err), 0);
    ck_assert_uint_eq(d1.n_rows, 12);
    ck_assert_uint_eq(d2.n_rows, d1.n_rows);
    ck_assert_uint_eq(d2.n_metrics, d1.n_metrics);
    for (i = 0; i < d1.n_rows; i++) {
        ck_assert_uint_eq(d1.rows[i].seed, d2.rows[i].seed);
        ck_assert_str_eq(d1.rows[i].point, d2.rows[i].point);
        for (k = 0; k < d1.n_metrics; k++) {
            double a = d1.m[i * d1.n_metrics + k], b = d2.m[i * d2.n_metrics + k];
            ck_assert_msg((isnan(a) && isnan(b)) || a == b, "row %zu %s: %.17g vs %.17g", i, d1.metrics[k], a, b);
        }
    }
    /* replications of one point differ (their own seeds) */
    ck_assert(d1.m[0 * d1.n_metrics + (size_t)sweepdata_metric(&d1, "expected_cost")]
              != d1.m[1 * d1.n_metrics + (size_t)sweepdata_metric(&d1, "expected_cost")]);

    /* CSV round trip: every field parses back to the stored double */
    f = fopen(util_tmp("thr.csv"), "w");
    ck_assert_int_eq(export_sweep(f, &d2, EXPORT_CSV, &err), 0);
    fclose(f);
    f = fopen(util_tmp("thr.csv"), "r");
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_msg(strncmp(line, "sweep,point,cost.beta,replication,seed,samples,", 47) == 0, "%s", line);
    for (i = 0; i < d2.n_rows; i++) {
        char *p = fgets(line, sizeof line, f), *q;
        size_t col = 0;
        ck_assert_ptr_nonnull(p);
        line[strcspn(line, "\n")] = '\0';
        while ((q = strsep(&p, ",")) != NULL) {
            if (col >= 5) {
                double want = d2.m[i * d2.n_metrics + col - 5];
                if (isnan(want))
                    ck_assert_msg(*q == '\0', "row %zu col %zu: '%s' for NaN", i, col, q);
                else
                    ck_assert_msg(*q && strtod(q, NULL) == want, "row %zu col %zu: %s", i, col, q);
            }
            col++;
        }
        ck_assert_uint_eq(col, 5 + d2.n_metrics);
    }
    fclose(f);
    sweepdata_free(&d1);
    sweepdata_free(&d2);
    store_close(st);
    sweep_free(&sw);
}
END_TEST

/* A version-1 database (the schema of the first release: no sweep
 * tables) is upgraded in place; its runs stay. */
START_TEST(test_migrate)
{
    const char *path = util_tmp("v1.db");
    struct hi_error err = {0};
    struct store *st;
    struct store_loaded r;
    sqlite3 *db;
    sqlite3_stmt *q;
    remove(path);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "CREATE TABLE hisim_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                                  "INSERT INTO hisim_meta VALUES('schema_version', '1');"
                                  "CREATE TABLE runs(id INTEGER PRIMARY KEY, name TEXT NOT NULL, scenario TEXT NOT NULL,"
                                  " config TEXT NOT NULL, seed INTEGER NOT NULL, rng TEXT NOT NULL, version TEXT NOT NULL,"
                                  " policy TEXT NOT NULL, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL);"
                                  "INSERT INTO runs VALUES(1, 'old', 's', '{}', 5, 'mt19937', 'v0', 'p', 't', 't', 'done');"
                                  "CREATE TABLE metrics(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                  " name TEXT NOT NULL, value REAL, PRIMARY KEY(run_id, name));"
                                  "CREATE TABLE series(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
                                  " name TEXT NOT NULL, idx INTEGER NOT NULL, x REAL NOT NULL, y REAL,"
                                  " PRIMARY KEY(run_id, name, idx));",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    st = store_open(path, STORE_CREATE, &err);
    ck_assert_msg(st != NULL, "%s", err.msg);
    ck_assert_int_eq(store_load_run(st, 1, &r, &err), 0);
    ck_assert_str_eq(r.name, "old");
    store_loaded_free(&r);
    ck_assert_int_eq(sqlite3_prepare_v2(store_sqlite(st), "SELECT value FROM hisim_meta WHERE key = 'schema_version'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(q, 0), STORE_SCHEMA_VERSION);
    sqlite3_finalize(q);
    ck_assert_int_eq(sqlite3_exec(store_sqlite(st), "SELECT count(*) FROM sweeps, sweep_points, sweep_runs, run_points",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(st);
}
END_TEST

/* The doubles of every curve of run `id` in s, names in stored order,
 * appended to v (x then y of each point); the count. */
static size_t
curve_values(struct store *s, int64_t id, char *names, size_t names_len, double *v, size_t cap)
{
    struct hi_error err = {0};
    char **nm;
    size_t n_names, i, k, n = 0;
    names[0] = '\0';
    ck_assert_int_eq(store_series_names(s, id, &nm, &n_names, &err), 0);
    for (i = 0; i < n_names; i++) {
        double *x, *y;
        size_t len;
        ck_assert_int_eq(store_load_series(s, id, nm[i], &x, &y, &len, &err), 0);
        for (k = 0; k < len && n + 2 <= cap; k++) {
            v[n++] = x[k];
            v[n++] = y[k];
        }
        strncat(names, nm[i], names_len - strlen(names) - 2);
        strcat(names, ",");
        free(x);
        free(y);
    }
    store_names_free(nm, n_names);
    return n;
}

/* Merging a database of schema version 3 (tests/data/store-v3.sql, a
 * row per curve point there) into one of the current schema brings its
 * runs' curves as one row each, the same doubles to the bit, in the same
 * order; its sweep comes along. */
START_TEST(test_merge_v3)
{
    char in[4200], out[4200];
    char *dump = util_read(util_src("tests/data/store-v3.sql"), NULL);
    static const double x1[1] = {1}, y1[1] = {2};
    static const struct store_series se = {"regret", x1, y1, 1};
    struct hi_error err = {0};
    struct store *src, *dst;
    struct store_run run = {0};
    sqlite3 *db;
    static double a[1000], b[1000];
    char na[512], nb[512];
    int64_t id;

    snprintf(in, sizeof in, "%s", util_tmp("merge-v3.db"));     /* util_tmp's buffer is static */
    snprintf(out, sizeof out, "%s", util_tmp("merged-v4.db"));
    remove(in);
    remove(out);
    ck_assert_ptr_nonnull(dump);
    ck_assert_int_eq(sqlite3_open(in, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, dump, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(dump);
    dst = store_open(out, STORE_CREATE, &err);
    ck_assert_msg(dst != NULL, "%s", err.msg);
    run.name = run.scenario = run.config = run.rng = run.version = run.policy = "x";
    run.started = run.finished = "t";
    run.status = "done";
    run.series = &se;
    run.n_series = 1;
    ck_assert_int_eq(store_save_run(dst, &run, &err), 0);     /* run 1: the merged ones are 2 to 4 */
    ck_assert_msg(sweepstore_merge(dst, in, out, &err) == 0, "%s", err.msg);
    src = store_open(in, STORE_READONLY, &err);
    ck_assert_int_eq(store_schema_version(src), 3);
    for (id = 1; id <= 3; id++) {
        size_t n = curve_values(src, id, na, sizeof na, a, 1000), m = curve_values(dst, id + 1, nb, sizeof nb, b, 1000), k;
        ck_assert_str_eq(na, nb);
        ck_assert_uint_eq(n, m);
        ck_assert_uint_gt(n, 0);
        for (k = 0; k < n; k++)
            ck_assert(memcmp(&a[k], &b[k], sizeof a[k]) == 0 || (isnan(a[k]) && isnan(b[k])));
    }
    ck_assert_str_eq(na, "regret,expected_cost,cost,best_fixed_cost,");
    ck_assert_int_eq(sqlite3_exec(store_sqlite(dst), "SELECT count(*) FROM sweeps", NULL, NULL, NULL), SQLITE_OK);
    store_close(src);
    store_close(dst);
}
END_TEST

/* The closed forms as a target: the stored metrics are those of 002
 * eqs. (6)-(9) (seed-spec §3.5 tables: rho 0.421, alpha 0.5 gives
 * M-dagger 3.052, M* 3, f(3) = 14.0547 ms). */
START_TEST(test_batchsize_target)
{
    struct sweep sw;
    struct hi_error err = {0};
    struct sweeprun_result res;
    struct store_metric m[32];
    size_t n, i;
    double got[8] = {0};
    int rc = load("bs.yaml",
                  "scenario: base.yaml\ntarget: batch-size\n"
                  "set: {trace.file: '', batch.rho: 0.421, device.tau_ed_ms: 1.48, server.tau_es_ms: 4.41, network.delay_ms: 20,"
                  " network.rate_mbps: 50, network.bytes: 30812.5}\n"
                  "axes:\n  batch.alpha: [0.1, 0.5, 0.9]\n  policy.batch: [1, 3]\n",
                  &sw, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert_msg(sweep_expand(&sw, &err) == 0, "%s", err.msg);
    sweeprun_job(&sw, 3, 0, 1, &res);   /* alpha 0.5, M = 3 */
    ck_assert_msg(res.status == 0, "%s", res.error);
    n = sweeprun_metrics(&sw, &res, m);
    for (i = 0; i < n; i++) {
        if (strcmp(m[i].name, "m_dagger") == 0) got[0] = m[i].value;
        if (strcmp(m[i].name, "m_star") == 0) got[1] = m[i].value;
        if (strcmp(m[i].name, "f_ms") == 0) got[2] = m[i].value;
        if (strcmp(m[i].name, "f_batch_ms") == 0) got[3] = m[i].value;
        if (strcmp(m[i].name, "tau_tx_ms") == 0) got[4] = m[i].value;
    }
    ck_assert_double_eq_tol(got[4], 4.93, 1e-12);
    ck_assert_double_eq_tol(got[0], 3.052, 5e-4);
    ck_assert_double_eq(got[1], 3);
    ck_assert_double_eq_tol(got[2], 14.0547, 5e-5);
    ck_assert_double_eq(got[3], got[2]);
    free(res.config);
    sweeprun_job(&sw, 5, 0, 1, &res);   /* alpha 0.9, M = 3: M* = 9 */
    n = sweeprun_metrics(&sw, &res, m);
    for (i = 0; i < n; i++)
        if (strcmp(m[i].name, "m_star") == 0)
            ck_assert_double_eq(m[i].value, 9);
    free(res.config);
    sweep_free(&sw);
}
END_TEST

/* Every shipped sweep file loads (keys, values, base scenario); those of
 * the closed forms expand (they need no trace); every shipped scenario
 * beside them loads. */
START_TEST(test_shipped)
{
    static const char *const dirs[] = {"scenarios/sweeps/*.yaml", "scenarios/papers/*.yaml"};
    size_t i, k, sweeps = 0;
    for (k = 0; k < 2; k++) {
        glob_t g;
        char pattern[4096];
        snprintf(pattern, sizeof pattern, "%s", util_src(dirs[k]));
        if (glob(pattern, 0, NULL, &g) != 0)
            continue;
        for (i = 0; i < g.gl_pathc; i++) {
            char *text = util_read(g.gl_pathv[i], NULL);
            struct hi_error err = {0};
            ck_assert_ptr_nonnull(text);
            if (strncmp(text, "scenario:", 9) == 0 || strstr(text, "\nscenario:")) {
                struct sweep sw;
                ck_assert_msg(sweep_load(g.gl_pathv[i], &sw, &err) == 0, "%s", err.msg);
                if (sw.target == SWEEP_BATCHSIZE)
                    ck_assert_msg(sweep_expand(&sw, &err) == 0, "%s", err.msg);
                sweep_free(&sw);
                sweeps++;
            } else {
                struct hi_config c;
                config_defaults(&c);
                ck_assert_msg(scenario_load(g.gl_pathv[i], &c, &err) == 0, "%s", err.msg);
            }
            free(text);
        }
        globfree(&g);
    }
    ck_assert_uint_ge(sweeps, 6);
}
END_TEST

Suite *
suite_sweep(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_expand_values);
    tcase_add_test(tc, test_expand_zip);
    tcase_add_test(tc, test_bad_files);
    tcase_add_test(tc, test_expand_errors);
    tcase_add_test(tc, test_fnv);
    tcase_add_test(tc, test_seeds);
    tcase_add_test(tc, test_keys);
    tcase_add_test(tc, test_key_definition);
    tcase_add_test(tc, test_stop_rule);
    tcase_add_test(tc, test_stop_sweep);
    tcase_add_test(tc, test_threads_reuse_export);
    tcase_add_test(tc, test_migrate);
    tcase_add_test(tc, test_merge_v3);
    tcase_add_test(tc, test_batchsize_target);
    tcase_add_test(tc, test_shipped);
    suite_add_tcase(s, tc);
    return s;
}
