/* check_split.c — EdgeLessPart's split rules and exit placement (003 §II)
 * against brute force on random profiles, hand counts on the shipped
 * ones, and the placement examples of the spec. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "tests/suites.h"
#include "tests/util.h"
#include "traces/layers.h"
#include "traces/split.h"

/* A random profile, kept as the test's own arrays: rows in execution
 * order, each either backbone (exit 0) or a row of side exit k. */
#define MAXR 64
struct rprof {
    size_t rows, n_exits;
    unsigned exit[MAXR];
    double ms[MAXR], params[MAXR], out[MAXR];
    double input, raw;
    int named_final;             /* the last rows are ee<n_exits>.*, the classifier */
};

static void
rprof_make(struct rprof *p, gsl_rng *r)
{
    size_t nb = 1 + gsl_rng_uniform_int(r, 20), b, e;
    memset(p, 0, sizeof *p);
    p->input = 4.0 * (double)(1 + gsl_rng_uniform_int(r, 1000));
    p->raw = 1.0 + (double)gsl_rng_uniform_int(r, 1000);
    p->named_final = (int)gsl_rng_uniform_int(r, 2);
    for (b = 0; b < nb; b++) {
        /* a backbone row; times are quarter ms (exact sums, ties at the
         * boundaries of the latency rule), some zero */
        p->exit[p->rows] = 0;
        p->ms[p->rows] = 0.25 * (double)gsl_rng_uniform_int(r, 9);
        p->params[p->rows] = (double)gsl_rng_uniform_int(r, 1000);
        p->out[p->rows] = 4.0 * (double)(1 + gsl_rng_uniform_int(r, 1500));
        p->rows++;
        /* sometimes a side exit of 1..3 rows after it */
        if (b + 1 < nb && gsl_rng_uniform(r) < 0.4) {
            size_t k = 1 + gsl_rng_uniform_int(r, 3);
            p->n_exits++;
            for (e = 0; e < k; e++) {
                p->exit[p->rows] = (unsigned)p->n_exits;
                p->ms[p->rows] = 0.25 * (double)gsl_rng_uniform_int(r, 5);
                p->params[p->rows] = (double)gsl_rng_uniform_int(r, 300);
                p->out[p->rows] = 4.0 * (double)(1 + gsl_rng_uniform_int(r, 3000));
                p->rows++;
            }
        }
    }
    if (p->named_final) {   /* the classifier: 1..2 rows named ee<E> ending the profile */
        size_t k = 1 + gsl_rng_uniform_int(r, 2);
        p->n_exits++;
        for (e = 0; e < k; e++) {
            p->exit[p->rows] = (unsigned)p->n_exits;
            p->ms[p->rows] = 0.25 * (double)gsl_rng_uniform_int(r, 5);
            p->params[p->rows] = (double)gsl_rng_uniform_int(r, 2000);
            p->out[p->rows] = 40.0;
            p->rows++;
        }
    }
}

static void
rprof_write(const struct rprof *p, const char *path)
{
    FILE *f = fopen(path, "w");
    size_t i, seen[MAXR] = {0};
    ck_assert_ptr_nonnull(f);
    fprintf(f, "# profile_format: 1\n# input: random (%.0f bytes); raw image %.0f bytes\n", p->input, p->raw);
    fprintf(f, "index,name,type,flops,params,output_bytes,cpu_ms\n");
    for (i = 0; i < p->rows; i++) {
        char name[32];
        if (p->exit[i])
            snprintf(name, sizeof name, "ee%u.l%zu", p->exit[i], seen[p->exit[i]]++);
        else
            snprintf(name, sizeof name, "b%zu", i);
        fprintf(f, "%zu,%s,X,0,%.17g,%.17g,%.17g\n", i, name, p->params[i], p->out[i], p->ms[i]);
    }
    ck_assert_int_eq(fclose(f), 0);
}

static int
rprof_backbone(const struct rprof *p, size_t i)
{
    return !p->exit[i] || (p->named_final && p->exit[i] == p->n_exits);
}

/* The backbone rows of p, as indices into its arrays; returns n. */
static size_t
rprof_bb(const struct rprof *p, size_t *bb)
{
    size_t i, n = 0;
    for (i = 0; i < p->rows; i++)
        if (rprof_backbone(p, i))
            bb[n++] = i;
    return n;
}

/* Brute force: backbone time of layers 1..s, straight from the rows. */
static double
brute_ms(const struct rprof *p, const size_t *bb, size_t s)
{
    double t = 0.0;
    size_t j;
    for (j = 0; j < s; j++)
        t += p->ms[bb[j]];
    return t;
}

/* Brute force: M(a, b] over backbone layers, straight from the rows. */
static double
brute_mem(const struct rprof *p, const size_t *bb, size_t a, size_t b)
{
    double params = 0.0, peak;
    size_t j;
    if (a == b)
        return 0.0;
    peak = a ? p->out[bb[a - 1]] : p->input;
    for (j = a; j < b; j++) {
        params += p->params[bb[j]];
        if (p->out[bb[j]] > peak)
            peak = p->out[bb[j]];
    }
    return 4.0 * params + peak;
}

/* The three rules by their definitions: scan every s, keep the largest
 * that satisfies it. */
static size_t
brute_rule(const struct rprof *p, const size_t *bb, size_t n, enum split_rule rule, double x, double es, double cs)
{
    size_t s, best = 0;
    for (s = 0; s <= n; s++) {
        int ok = 0;
        switch (rule) {
        case SPLIT_LATENCY: ok = brute_ms(p, bb, s) / es <= brute_ms(p, bb, n) / cs; break;
        case SPLIT_MEMORY_SHARE: ok = brute_mem(p, bb, 0, s) <= x * brute_mem(p, bb, 0, n); break;
        case SPLIT_LAYER_SHARE: ok = (double)s <= x * (double)n + 1e-9; break;
        }
        if (ok)
            best = s;
    }
    return best;
}

/* Every rule equals the brute force on 300 random profiles (with side
 * exits, with and without a named final classifier, ties in time), at
 * 8 fractions and 5 speed pairs.  Catches: a strict < for <=, the first
 * instead of the last feasible s, exit rows counted in the backbone, the
 * memory peak missing the part's input, a rule on rows instead of
 * backbone layers. */
START_TEST(test_rules_brute_force)
{
    static const double fractions[] = {0, 0.1, 0.3, 0.5, 0.57, 0.7, 0.9, 1};
    static const double speeds[][2] = {{1, 1}, {1, 2}, {1, 4}, {2, 1}, {0.5, 3}};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const char *path = util_tmp("rand-profile.csv");
    int it;

    gsl_rng_set(r, 7);
    for (it = 0; it < 300; it++) {
        struct rprof p;
        struct hi_layers L;
        struct split_net net;
        struct hi_error err = {0};
        size_t bb[MAXR], n, a, b, c, f, v;

        rprof_make(&p, r);
        rprof_write(&p, path);
        ck_assert_msg(layers_load(&L, path, &err) == HI_OK, "%s", err.msg);
        ck_assert_msg(split_net_init(&net, &L, &err) == HI_OK, "%s", err.msg);
        n = rprof_bb(&p, bb);
        ck_assert_uint_eq(net.n, n);
        ck_assert_uint_eq(net.final_exit, p.named_final ? p.n_exits : 0);
        ck_assert_uint_eq(net.n_side, p.n_exits - (p.named_final ? 1 : 0));
        for (a = 0; a <= n; a++) {
            ck_assert(net.cum_ms[a] == brute_ms(&p, bb, a));
            ck_assert(net.mem[a] == brute_mem(&p, bb, 0, a));
            for (b = a; b <= n; b++)
                ck_assert(split_net_memory(&net, a, b) == brute_mem(&p, bb, a, b));
        }
        ck_assert(split_net_sent_bytes(&net, 0) == p.raw);
        ck_assert(split_net_out_bytes(&net, 0) == p.input);
        ck_assert(split_net_out_bytes(&net, n) == p.out[bb[n - 1]]);
        /* side exit c hangs after the backbone layers before its first row */
        for (c = 0; c < net.n_side; c++) {
            size_t i, before = 0;
            for (i = 0; i < p.rows && p.exit[i] != net.side_exit[c]; i++)
                before += rprof_backbone(&p, i);
            ck_assert_uint_eq(net.side_exit[c], c + 1);
            ck_assert_uint_eq(net.side_at[c], before);
        }
        for (f = 0; f < sizeof fractions / sizeof fractions[0]; f++) {
            struct split_params sp;
            split_params_defaults(&sp);
            sp.fraction = fractions[f];
            sp.rule = SPLIT_MEMORY_SHARE;
            ck_assert_uint_eq(split_point(&net, &sp), brute_rule(&p, bb, n, sp.rule, sp.fraction, 1, 1));
            sp.rule = SPLIT_LAYER_SHARE;
            ck_assert_uint_eq(split_point(&net, &sp), brute_rule(&p, bb, n, sp.rule, sp.fraction, 1, 1));
        }
        for (v = 0; v < sizeof speeds / sizeof speeds[0]; v++) {
            struct split_params sp;
            split_params_defaults(&sp);
            sp.rule = SPLIT_LATENCY;
            sp.edge_speed = speeds[v][0];
            sp.cloud_speed = speeds[v][1];
            ck_assert_uint_eq(split_point(&net, &sp), brute_rule(&p, bb, n, sp.rule, 0, sp.edge_speed, sp.cloud_speed));
        }
        split_net_free(&net);
        layers_free(&L);
    }
    gsl_rng_free(r);
}
END_TEST

/* Without exits the backbone is the whole profile, and its memory is
 * layers_memory_bytes exactly (the two implementations of one rule must
 * not drift apart). */
START_TEST(test_memory_matches_layers)
{
    struct hi_error err = {0};
    struct hi_layers L;
    struct split_net net;
    size_t a, b;
    ck_assert_msg(layers_load(&L, util_src("traces/fmnist/profile-lml.csv"), &err) == HI_OK, "%s", err.msg);
    ck_assert_msg(split_net_init(&net, &L, &err) == HI_OK, "%s", err.msg);
    ck_assert_uint_eq(net.n, L.n);
    ck_assert_uint_eq(net.n_side, 0);
    for (a = 0; a <= L.n; a++)
        for (b = a; b <= L.n; b++)
            ck_assert(split_net_memory(&net, a, b) == layers_memory_bytes(&L, a, b));
    split_net_free(&net);
    layers_free(&L);
}
END_TEST

/* profile-ee.csv by hand: the backbone drops ee1's 3 and ee2's 5 rows
 * (16 layers); ee3 ends the profile and is the classifier.  Backbone
 * parameters 176 (b1) + 4672 (b2) + 18560 (b3) + 75146 (ee3) = 98554; the
 * largest tensor is b1's 50176 bytes, so M(0, 16] = 4·98554 + 50176 =
 * 444392 and 70% of it is 311074.4.  Up to ee3.flatten (layer 13)
 * M = 4·23408 + 50176 = 143808; ee3.fc1 adds 4·73856: 439232 > 311074.4.
 * So memory-share 0.7 splits at 13 and sends ee3.flatten's 2304 bytes,
 * with both side exits on the edge and none in the cloud: this model has
 * no split with exits in both parts (profile-ee8.csv has). */
START_TEST(test_shipped_ee_by_hand)
{
    struct hi_error err = {0};
    struct hi_layers L;
    struct split_net net;
    struct split_params sp;
    struct split_plan plan;

    ck_assert_msg(layers_load(&L, util_src("traces/fmnist/profile-ee.csv"), &err) == HI_OK, "%s", err.msg);
    ck_assert_msg(split_net_init(&net, &L, &err) == HI_OK, "%s", err.msg);
    ck_assert_uint_eq(net.n, 16);
    ck_assert_uint_eq(net.final_exit, 3);
    ck_assert_uint_eq(net.n_side, 2);
    ck_assert_uint_eq(net.side_at[0], 4);     /* after b1.pool */
    ck_assert_uint_eq(net.side_at[1], 8);     /* after b2.pool */
    ck_assert_double_eq_tol(net.side_ms[0], 0.0125 + 0.0044 + 0.0144, 1e-12);
    ck_assert(net.mem[16] == 444392.0);
    ck_assert(net.mem[13] == 143808.0);
    ck_assert(net.mem[14] == 439232.0);
    split_params_defaults(&sp);
    split_plan_make(&net, &sp, &plan);
    ck_assert_uint_eq(plan.s, 13);
    ck_assert(split_net_sent_bytes(&net, plan.s) == 2304.0);
    ck_assert_uint_eq(plan.cand_edge, 2);
    ck_assert_uint_eq(plan.cand_cloud, 0);
    ck_assert_uint_eq(plan.n_edge, 2);        /* K = 3 > L = 2: both */
    ck_assert_uint_eq(plan.n_cloud, 0);
    /* layer-share 0.5: 8 of 16, right after b2.pool, where ee2 hangs: ee2
     * stays on the edge */
    sp.rule = SPLIT_LAYER_SHARE;
    sp.fraction = 0.5;
    split_plan_make(&net, &sp, &plan);
    ck_assert_uint_eq(plan.s, 8);
    ck_assert_uint_eq(plan.cand_edge, 2);
    ck_assert(split_net_sent_bytes(&net, 8) == 6272.0);
    /* latency with a cloud 4 times faster: the edge may take T(16)/4 =
     * 1.0854/4 = 0.27135 ms: b1 (0.1218) fits, b2.conv (+0.3794) does not */
    sp.rule = SPLIT_LATENCY;
    sp.cloud_speed = 4.0;
    split_plan_make(&net, &sp, &plan);
    ck_assert_uint_eq(plan.s, 4);
    ck_assert_uint_eq(plan.cand_edge, 1);
    ck_assert_uint_eq(plan.cand_cloud, 1);
    split_net_free(&net);
    layers_free(&L);
}
END_TEST

/* profile-ee8.csv by hand: 50 rows, 29 backbone layers (b1..b8 and the
 * classifier ee8), 7 side exits of 3 rows each, one after every block.
 * Backbone parameters 176 + 2336 + 4672 + 9280 + 9280 + 18560 + 36992 +
 * 36992 + 650 = 118938, the largest tensor b1's 50176 bytes: M(0, 29] =
 * 525928, 70% = 368149.6.  Through b6.relu (layer 20) 4·44304 + 50176 =
 * 227392 fits; b7.conv adds 4·36864: 374848 does not.  So s = 20, 12544
 * bytes sent, ee1..ee6 on the edge (ee6 hangs right at s), ee7 in the
 * cloud: exits in both parts.  Linear K = 3 of L = 6 picks positions 2,
 * 3, 5 (ee2, ee3, ee5); Pareto 1, 2, 3; the edge part's memory adds the
 * placed exits' 4·(170 + 330 + 330) = 3320 bytes. */
START_TEST(test_shipped_ee8_by_hand)
{
    struct hi_error err = {0};
    struct hi_layers L;
    struct split_net net;
    struct split_params sp;
    struct split_plan plan;

    ck_assert_msg(layers_load(&L, util_src("traces/fmnist/profile-ee8.csv"), &err) == HI_OK, "%s", err.msg);
    ck_assert_msg(split_net_init(&net, &L, &err) == HI_OK, "%s", err.msg);
    ck_assert_uint_eq(L.n, 50);
    ck_assert_uint_eq(net.n, 29);
    ck_assert_uint_eq(net.n_side, 7);
    ck_assert_uint_eq(net.final_exit, 8);
    ck_assert(net.mem[29] == 525928.0);
    ck_assert(net.mem[20] == 227392.0);
    ck_assert(net.mem[21] == 374848.0);
    split_params_defaults(&sp);
    split_plan_make(&net, &sp, &plan);
    ck_assert_uint_eq(plan.s, 20);
    ck_assert_str_eq(L.name[net.row[19] - 1], "b6.relu");
    ck_assert(split_net_sent_bytes(&net, 20) == 12544.0);
    ck_assert_uint_eq(plan.cand_edge, 6);
    ck_assert_uint_eq(plan.cand_cloud, 1);
    ck_assert_uint_eq(plan.n_edge, 3);
    ck_assert(net.side_exit[plan.edge[0]] == 2 && net.side_exit[plan.edge[1]] == 3 && net.side_exit[plan.edge[2]] == 5);
    ck_assert_uint_eq(plan.n_cloud, 1);
    ck_assert_uint_eq(net.side_exit[plan.cloud[0]], 7);
    ck_assert(split_part_memory(&net, &plan, 0) == 227392.0 + 3320.0);
    ck_assert(split_part_memory(&net, &plan, 1) == split_net_memory(&net, 20, 29) + 4.0 * 650);
    sp.placement = SPLIT_PLACE_PARETO;
    split_plan_make(&net, &sp, &plan);
    ck_assert(net.side_exit[plan.edge[0]] == 1 && net.side_exit[plan.edge[1]] == 2 && net.side_exit[plan.edge[2]] == 3);
    ck_assert_uint_eq(net.side_exit[plan.cloud[0]], 7);
    split_net_free(&net);
    layers_free(&L);
}
END_TEST

/* The spec's example and the small cases of linear placement by hand. */
START_TEST(test_place_linear)
{
    size_t pos[SPLIT_MAX_PER_PART];
    ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, 8, 3, 1, pos), 3);
    ck_assert(pos[0] == 2 && pos[1] == 4 && pos[2] == 6);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, 7, 3, 1, pos), 3);   /* 1.75, 3.5, 5.25 */
    ck_assert(pos[0] == 2 && pos[1] == 4 && pos[2] == 6);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, 6, 2, 1, pos), 2);   /* 2, 4 */
    ck_assert(pos[0] == 2 && pos[1] == 4);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, 10, 1, 1, pos), 1);  /* the middle */
    ck_assert(pos[0] == 5);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, 2, 3, 1, pos), 2);   /* fewer candidates: all */
    ck_assert(pos[0] == 1 && pos[1] == 2);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, 0, 3, 1, pos), 0);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, 5, 0, 1, pos), 0);
}
END_TEST

/* Pareto placement by hand at the 80-20 shape a = 1.16096, L = 8, K = 3:
 * 9^-a = 0.07807; F⁻¹(u) = (1 − 0.92193·u)^(−1/a) − 1 at u = 1/4, 1/2, 3/4 is
 * 0.2531, 0.7027, 1.7531, so ceil gives 1, 1, 2 and the push-apart 1, 2, 3.
 * a = 0.2, L = 20: 21^-0.2 = 0.54395, quantiles 0.8317, 2.6474, 7.1097:
 * 1, 3, 8; alone (K = 1) the median 2.6474: 3.  A nearly flat shape (a = 0.01, close to log-uniform on
 * [1, L+1]) at L = 8: 9^(1/4) − 1, 9^(1/2) − 1, 9^(3/4) − 1 ≈ 0.72, 1.98,
 * 4.17: 1, 2, 5. */
START_TEST(test_place_pareto_by_hand)
{
    size_t pos[SPLIT_MAX_PER_PART];
    ck_assert_uint_eq(split_place(SPLIT_PLACE_PARETO, 8, 3, SPLIT_PARETO_8020, pos), 3);
    ck_assert(pos[0] == 1 && pos[1] == 2 && pos[2] == 3);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_PARETO, 20, 3, 0.2, pos), 3);
    ck_assert(pos[0] == 1 && pos[1] == 3 && pos[2] == 8);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_PARETO, 8, 3, 0.01, pos), 3);
    ck_assert(pos[0] == 1 && pos[1] == 2 && pos[2] == 5);
    ck_assert_uint_eq(split_place(SPLIT_PLACE_PARETO, 20, 1, 0.2, pos), 1);
    ck_assert_uint_eq(pos[0], 3);
    ck_assert_double_eq_tol(SPLIT_PARETO_8020, log(5.0) / log(4.0), 1e-15);
    /* 80-20: with this shape the top 20% hold 80%: 0.2^(1 − 1/a) = 0.8 */
    ck_assert_double_eq_tol(pow(0.2, 1.0 - 1.0 / SPLIT_PARETO_8020), 0.8, 1e-12);
}
END_TEST

START_TEST(test_place_properties)
{
    static const double shapes[] = {0.01, 0.5, 1.0, SPLIT_PARETO_8020, 2.0, 5.0, 50.0};
    size_t l, k, j, s;
    for (l = 0; l <= 60; l++)
        for (k = 0; k <= SPLIT_MAX_PER_PART; k++) {
            size_t lin[SPLIT_MAX_PER_PART], par[SPLIT_MAX_PER_PART];
            size_t want = k < l ? k : l;
            ck_assert_uint_eq(split_place(SPLIT_PLACE_LINEAR, l, k, 1.0, lin), want);
            for (j = 0; j < want; j++) {
                ck_assert(lin[j] >= 1 && lin[j] <= l);
                ck_assert(j == 0 || lin[j] > lin[j - 1]);
                ck_assert((double)lin[j] >= (double)(j + 1) * (double)l / (double)(want + 1));
                ck_assert((double)lin[j] < (double)(j + 1) * (double)l / (double)(want + 1) + 1.0);
            }
            for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                ck_assert_uint_eq(split_place(SPLIT_PLACE_PARETO, l, k, shapes[s], par), want);
                for (j = 0; j < want; j++) {
                    ck_assert_msg(par[j] >= 1 && par[j] <= l, "l %zu k %zu a %g: %zu", l, k, shapes[s], par[j]);
                    ck_assert(j == 0 || par[j] > par[j - 1]);
                    if (shapes[s] == SPLIT_PARETO_8020)
                        ck_assert_msg(par[j] <= lin[j], "l %zu k %zu: pareto %zu after linear %zu", l, k, par[j], lin[j]);
                }
            }
        }
}
END_TEST

/* A plan keeps every exit local to its part: edge exits hang at or before
 * s, cloud exits after it, each part's chosen exits are its candidates at
 * the placement's positions. */
START_TEST(test_plan_parts)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const char *path = util_tmp("rand-plan.csv");
    int it;
    gsl_rng_set(r, 11);
    for (it = 0; it < 200; it++) {
        struct rprof p;
        struct hi_layers L;
        struct split_net net;
        struct split_params sp;
        struct split_plan plan;
        struct hi_error err = {0};
        size_t i, pos[SPLIT_MAX_PER_PART], m;

        rprof_make(&p, r);
        rprof_write(&p, path);
        ck_assert_msg(layers_load(&L, path, &err) == HI_OK, "%s", err.msg);
        ck_assert_msg(split_net_init(&net, &L, &err) == HI_OK, "%s", err.msg);
        split_params_defaults(&sp);
        sp.rule = (enum split_rule)gsl_rng_uniform_int(r, 3);
        sp.fraction = gsl_rng_uniform(r);
        sp.cloud_speed = 1.0 + 3.0 * gsl_rng_uniform(r);
        sp.placement = (enum split_placement)gsl_rng_uniform_int(r, 2);
        sp.per_part = gsl_rng_uniform_int(r, 4);
        split_plan_make(&net, &sp, &plan);
        ck_assert_uint_eq(plan.s, split_point(&net, &sp));
        ck_assert_uint_eq(plan.cand_edge + plan.cand_cloud, net.n_side);
        m = split_place(sp.placement, plan.cand_edge, sp.per_part, sp.pareto_shape, pos);
        ck_assert_uint_eq(plan.n_edge, m);
        for (i = 0; i < plan.n_edge; i++) {
            ck_assert_uint_eq(plan.edge[i], pos[i] - 1);
            ck_assert(net.side_at[plan.edge[i]] <= plan.s);
        }
        m = split_place(sp.placement, plan.cand_cloud, sp.per_part, sp.pareto_shape, pos);
        ck_assert_uint_eq(plan.n_cloud, m);
        for (i = 0; i < plan.n_cloud; i++) {
            ck_assert_uint_eq(plan.cloud[i], plan.cand_edge + pos[i] - 1);
            ck_assert(net.side_at[plan.cloud[i]] > plan.s);
        }
        split_net_free(&net);
        layers_free(&L);
    }
    gsl_rng_free(r);
}
END_TEST

/* A profile without times cannot be split by time; one that is all side
 * exit has no backbone. */
START_TEST(test_bad_profiles)
{
    struct hi_error err = {0};
    struct hi_layers L;
    struct split_net net;
    const char *path = util_tmp("no-ms.csv");
    util_write(path, "# input: x (12 bytes)\nindex,name,type,flops,params,output_bytes\n0,c,Conv2d,1,1,4\n");
    ck_assert_msg(layers_load(&L, path, &err) == HI_OK, "%s", err.msg);
    ck_assert_int_eq(split_net_init(&net, &L, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "no cpu_ms column"), "%s", err.msg);
    layers_free(&L);
}
END_TEST

/* A random trace for profile p: confidences on a grid of tenths (ties
 * with c_thr), predictions in 0..9. */
static struct hi_trace *
rtrace(const struct rprof *p, size_t n, gsl_rng *r)
{
    struct hi_trace *t = trace_new(n);
    size_t k, i;
    ck_assert_ptr_nonnull(t);
    t->n_exits = p->n_exits;
    for (k = 0; k < p->n_exits; k++) {
        t->ee_conf[k] = malloc(n * sizeof(double));
        t->ee_pred[k] = malloc(n * sizeof(int));
        ck_assert(t->ee_conf[k] && t->ee_pred[k]);
    }
    for (i = 0; i < n; i++) {
        t->label[i] = (int)gsl_rng_uniform_int(r, 10);
        t->lml_pred[i] = (int)gsl_rng_uniform_int(r, 10);
        for (k = 0; k < p->n_exits; k++) {
            t->ee_conf[k][i] = 0.1 * (double)gsl_rng_uniform_int(r, 11);
            t->ee_pred[k][i] = (int)gsl_rng_uniform_int(r, 10);
        }
    }
    return t;
}

/* The oracle: walk the profile's rows in order, skipping the rows of side
 * exits that are not placed; backbone layer s + 1 starts the cloud part;
 * after the last row of a placed exit, answer if its confidence > c_thr. */
static void
brute_walk(const struct rprof *p, const unsigned char *placed, size_t s, double es, double cs,
           const struct hi_trace *t, size_t row, double c_thr, struct split_outcome *o)
{
    size_t i, j = 0, last_bb = 0;
    int cloud = 0;
    memset(o, 0, sizeof *o);
    for (i = 0; i < p->rows; i++) {
        unsigned k = p->exit[i];
        int bb = rprof_backbone(p, i);
        if (!bb && !placed[k])
            continue;
        if (bb && j == s && !cloud) {
            cloud = 1;
            o->offloaded = 1;
            o->sent_bytes = s ? p->out[last_bb] : p->raw;
        }
        if (bb) {
            j++;
            last_bb = i;
        }
        if (cloud)
            o->cloud_ms += p->ms[i] / cs;
        else
            o->edge_ms += p->ms[i] / es;
        if (!bb && (i + 1 == p->rows || p->exit[i + 1] != k) && t->ee_conf[k - 1][row] > c_thr) {
            o->exit = k;
            o->pred = t->ee_pred[k - 1][row];
            o->answer_bytes = p->out[i];
            return;
        }
    }
    o->final = 1;
    o->exit = p->named_final ? p->n_exits : 0;
    o->pred = p->named_final ? t->ee_pred[p->n_exits - 1][row] : t->lml_pred[row];
    o->answer_bytes = p->out[p->rows - 1];
}

/* split_walk equals the row-by-row oracle on random profiles, plans,
 * traces and thresholds (ties at c_thr included).  Catches: >= for >,
 * the rows of unplaced exits charged, an exit at the split point run in
 * the cloud, the edge's tail after its last exit dropped, the cloud
 * part's exits skipped, the wrong tensor sent. */
START_TEST(test_walk_brute_force)
{
    static const double thresholds[] = {-1.0, 0.0, 0.3, 0.5, 0.7, 0.9, 1.0, 2.0};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const char *path = util_tmp("rand-walk.csv");
    int it, checked = 0;
    gsl_rng_set(r, 13);
    for (it = 0; it < 150; it++) {
        struct rprof p;
        struct hi_layers L;
        struct split_net net;
        struct split_params sp;
        struct split_plan plan;
        struct hi_trace *t;
        struct hi_error err = {0};
        unsigned char placed[MAXR] = {0};
        size_t i, row, h, bb[MAXR];

        rprof_make(&p, r);
        if (p.n_exits > TRACE_MAX_EXITS)
            continue;
        rprof_write(&p, path);
        ck_assert_msg(layers_load(&L, path, &err) == HI_OK, "%s", err.msg);
        ck_assert_msg(split_net_init(&net, &L, &err) == HI_OK, "%s", err.msg);
        (void)rprof_bb(&p, bb);
        split_params_defaults(&sp);
        sp.rule = (enum split_rule)gsl_rng_uniform_int(r, 3);
        sp.fraction = gsl_rng_uniform(r);
        sp.edge_speed = 0.5 + gsl_rng_uniform_int(r, 3);
        sp.cloud_speed = 1.0 + gsl_rng_uniform_int(r, 4);
        sp.placement = (enum split_placement)gsl_rng_uniform_int(r, 2);
        sp.per_part = gsl_rng_uniform_int(r, 4);
        split_plan_make(&net, &sp, &plan);
        for (i = 0; i < plan.n_edge; i++)
            placed[net.side_exit[plan.edge[i]]] = 1;
        for (i = 0; i < plan.n_cloud; i++)
            placed[net.side_exit[plan.cloud[i]]] = 1;
        t = rtrace(&p, 12, r);
        ck_assert_int_eq(split_check_trace(&net, &plan, t, &err), HI_OK);
        for (row = 0; row < t->n; row++)
            for (h = 0; h < sizeof thresholds / sizeof thresholds[0]; h++) {
                struct split_outcome a, b;
                split_walk(&net, &plan, &sp, t, row, thresholds[h], &a);
                brute_walk(&p, placed, plan.s, sp.edge_speed, sp.cloud_speed, t, row, thresholds[h], &b);
                ck_assert_int_eq(a.offloaded, b.offloaded);
                ck_assert_int_eq(a.final, b.final);
                ck_assert_uint_eq(a.exit, b.exit);
                ck_assert_int_eq(a.pred, b.pred);
                ck_assert_double_eq_tol(a.edge_ms, b.edge_ms, 1e-12);
                ck_assert_double_eq_tol(a.cloud_ms, b.cloud_ms, 1e-12);
                ck_assert(a.sent_bytes == b.sent_bytes);
                ck_assert(a.answer_bytes == b.answer_bytes);
                checked++;
            }
        trace_free(t);
        split_net_free(&net);
        layers_free(&L);
    }
    ck_assert_int_gt(checked, 5000);
    gsl_rng_free(r);
}
END_TEST

/* The two thresholds of the spec on the shipped EE model split at b2
 * (layer-share 0.5, s = 8; both side exits on the edge).  c_thr > 1: no
 * exit fires; every sample runs all of the edge part with both exits'
 * rows, sends b2.pool's 6272 bytes and runs the cloud part to the final
 * classifier: edge 0.5610 + 0.0313 + 0.1776 ms (backbone, ee1, ee2; the
 * sum equals layers_exit_ms(2) = 0.7699, all rows up to ee2),
 * cloud 0.5244 ms (at speed 1), the answer ee3's.  c_thr below every
 * confidence: every sample answers at ee1 after b1 and ee1 (0.1218 +
 * 0.0313 ms), nothing is sent. */
START_TEST(test_walk_thresholds)
{
    struct hi_error err = {0};
    struct hi_layers L;
    struct split_net net;
    struct split_params sp;
    struct split_plan plan;
    struct hi_trace *t;
    size_t i;

    ck_assert_msg(layers_load(&L, util_src("traces/fmnist/profile-ee.csv"), &err) == HI_OK, "%s", err.msg);
    ck_assert_msg(split_net_init(&net, &L, &err) == HI_OK, "%s", err.msg);
    t = trace_load(util_src("traces/fmnist/fmnist-cnn.csv"), &err);
    ck_assert_msg(t != NULL, "%s", err.msg);
    split_params_defaults(&sp);
    sp.rule = SPLIT_LAYER_SHARE;
    sp.fraction = 0.5;
    split_plan_make(&net, &sp, &plan);
    ck_assert_uint_eq(plan.s, 8);
    ck_assert_uint_eq(plan.n_edge, 2);
    ck_assert_int_eq(split_check_trace(&net, &plan, t, &err), HI_OK);
    for (i = 0; i < t->n; i++) {
        struct split_outcome o;
        split_walk(&net, &plan, &sp, t, i, 1.0 + 1e-9, &o);
        ck_assert(o.offloaded && o.final);
        ck_assert_uint_eq(o.exit, 3);
        ck_assert_int_eq(o.pred, t->ee_pred[2][i]);
        ck_assert_double_eq_tol(o.edge_ms, 0.5610 + 0.0313 + 0.1776, 1e-12);
        ck_assert_double_eq_tol(o.edge_ms, layers_exit_ms(&L, 2, 1.0), 1e-12);
        ck_assert_double_eq_tol(o.cloud_ms, 0.5244, 1e-12);
        ck_assert(o.sent_bytes == 6272.0 && o.answer_bytes == 40.0);
        split_walk(&net, &plan, &sp, t, i, -1e-9, &o);
        ck_assert(!o.offloaded && !o.final);
        ck_assert_uint_eq(o.exit, 1);
        ck_assert_int_eq(o.pred, t->ee_pred[0][i]);
        ck_assert_double_eq_tol(o.edge_ms, 0.1218 + 0.0313, 1e-12);
        ck_assert(o.cloud_ms == 0.0 && o.sent_bytes == 0.0);
    }
    /* a trace with fewer exits than the plan reads is refused */
    t->n_exits = 2;
    ck_assert_int_eq(split_check_trace(&net, &plan, t, &err), HI_EINPUT);
    ck_assert_msg(strstr(err.msg, "reads exit 3"), "%s", err.msg);
    t->n_exits = 3;
    trace_free(t);
    split_net_free(&net);
    layers_free(&L);
}
END_TEST

Suite *
suite_split(void)
{
    Suite *s = suite_create("split");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);   /* brute force on a loaded machine */
    tcase_add_test(tc, test_rules_brute_force);
    tcase_add_test(tc, test_memory_matches_layers);
    tcase_add_test(tc, test_shipped_ee_by_hand);
    tcase_add_test(tc, test_shipped_ee8_by_hand);
    tcase_add_test(tc, test_place_linear);
    tcase_add_test(tc, test_place_pareto_by_hand);
    tcase_add_test(tc, test_place_properties);
    tcase_add_test(tc, test_plan_parts);
    tcase_add_test(tc, test_bad_profiles);
    tcase_add_test(tc, test_walk_brute_force);
    tcase_add_test(tc, test_walk_thresholds);
    suite_add_tcase(s, tc);
    return s;
}
